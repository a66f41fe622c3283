# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cross-tenant access policy itself (crossTenantAccessPolicy, /policies/crossTenantAccessPolicy) and its
default configuration (crossTenantAccessPolicyConfigurationDefault, .../default, with the resetToSystemDefault
action), v1.0 and beta. One of each per tenant, always there: a GET never answers 404 and nothing creates or
deletes them.

Sources (README.md, "Rules"): the v1.0 CSDL (msgraph-metadata schemas/v1.0-Prod.csdl), the beta type mappings
(schemas/type-mappings/beta-entity-types.json), and the reference pages of both resources and their methods."""

import copy

from . import schema
from .endpoints import Endpoints
from .schema import B2B_SETTING, BETA_ONLY, BOOL, IN_OUT, INBOUND_TRUST, STRING, TENANT_RESTRICTIONS, Collection, Entity, Enum, Prop
from .wire import ODATA_JSON_TYPE, Response

POLICY_PATH = "policies/crossTenantAccessPolicy"
DEFAULT_PATH = POLICY_PATH + "/default"
RESET_ACTION = "resettosystemdefault"


class _Members(Enum):
    """An enumeration of strings served as Edm.String: the values a reference page lists as the only supported ones."""

    def check_value(self, value, prop, owner, version):
        return self.check(value, prop, owner, version)


# crossTenantAccessPolicy page: "Supported values for this field are microsoftonline.com, microsoftonline.us and
# partner.microsoftonline.cn"; that another value is refused with the usual invalid-value answer is an assumption.
CLOUD_ENDPOINT = _Members("Edm.String", ("microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn"))

# policyBase (displayName, description) + allowedCloudEndpoints (Collection, Nullable="false") in the v1.0 CSDL.
ACCESS_POLICY = Entity("crossTenantAccessPolicy", [
    Prop("displayName", STRING),
    Prop("description", STRING),
    Prop("allowedCloudEndpoints", Collection(CLOUD_ENDPOINT), nullable=False),
], key=None, path_name="crossTenantAccessPolicy")

# The v1.0 CSDL's properties, less those the emulator does not model (appServiceConnectInbound,
# invitationRedemptionIdentityProviderConfiguration, m365CollaborationInbound/Outbound: "Invalid property" in a
# body); blockServiceProviderOutboundAccess is in beta's type mapping only. automaticUserConsentSettings is
# read-only (resource page: "always false and can't be updated"), isServiceDefault is Graph's to say.
ACCESS_DEFAULT = Entity("crossTenantAccessPolicyConfigurationDefault", [
    Prop("isServiceDefault", BOOL, computed=True),
    Prop("inboundTrust", INBOUND_TRUST),
    Prop("automaticUserConsentSettings", IN_OUT, computed=True),
    Prop("b2bCollaborationOutbound", B2B_SETTING),
    Prop("b2bCollaborationInbound", B2B_SETTING),
    Prop("b2bDirectConnectOutbound", B2B_SETTING),
    Prop("b2bDirectConnectInbound", B2B_SETTING),
    Prop("tenantRestrictions", TENANT_RESTRICTIONS),
    Prop("blockServiceProviderOutboundAccess", BOOL, versions=BETA_ONLY),
], key=None, path_name="default")


def _everyone(access_type):
    return {
        "usersAndGroups": {"accessType": access_type, "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": access_type, "targets": [{"target": "AllApplications", "targetType": "application"}]},
    }


def system_default():
    """Microsoft's system default, as the GET page's example shows it (isServiceDefault true): no inbound trust,
    no automatic consent, B2B collaboration allowed both ways and B2B direct connect blocked both ways, for every
    user and application. Tenant restrictions are not in that example: allowed for everyone (tenant restrictions
    block nothing until configured) is an assumption."""
    restrictions = _everyone("allowed")
    restrictions["devices"] = None
    return ACCESS_DEFAULT.complete({
        "isServiceDefault": True,
        "inboundTrust": {"isMfaAccepted": False, "isCompliantDeviceAccepted": False, "isHybridAzureADJoinedDeviceAccepted": False},
        "automaticUserConsentSettings": {"inboundAllowed": False, "outboundAllowed": False},
        "b2bCollaborationOutbound": _everyone("allowed"),
        "b2bCollaborationInbound": _everyone("allowed"),
        "b2bDirectConnectOutbound": _everyone("blocked"),
        "b2bDirectConnectInbound": _everyone("blocked"),
        "tenantRestrictions": restrictions,
    })


class AccessPolicy:
    """One tenant's policy and default configuration, as a new tenant has them. Guarded by the store's lock."""

    def __init__(self):
        self.clear()

    def clear(self):
        # The GET page's example names the policy "CrossTenantAccessPolicy"; allowedCloudEndpoints is empty by
        # default (resource page).
        self.policy = ACCESS_POLICY.complete({"displayName": "CrossTenantAccessPolicy"})
        self.default = system_default()

    def snapshot(self):
        return {"policy": copy.deepcopy(self.policy), "default": copy.deepcopy(self.default)}


class PolicyEndpoints(Endpoints):
    def route_access_policy(self, segments, lower, version, unknown):
        """policies/crossTenantAccessPolicy[/default[/resetToSystemDefault]]"""
        rest = lower[2:]
        if not rest:
            return {"GET": self.get_access_policy, "PATCH": self.patch_access_policy}, ()
        if rest[0] != "default":
            raise unknown(2)
        if len(rest) == 1:
            return {"GET": self.get_access_default, "PATCH": self.patch_access_default}, ()
        # A bound action may also be called by its qualified name (OData 4.01 Part 2, 4.5).
        if len(rest) == 2 and rest[1] in (RESET_ACTION, "microsoft.graph." + RESET_ACTION):
            return {"POST": self.reset_access_default}, ()
        raise unknown(3 if len(rest) == 2 else 4)

    @property
    def access_policy(self):
        return self.store.access_policy

    def _get_singleton(self, req, version, entity, path, current):
        select, _expand = self._options(req, entity, version)
        with self.store.lock:
            body = {"@odata.context": self._context(req, version, path, select, entity=True)}
            body.update(self._render(entity, current(), version, select))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def get_access_policy(self, req, version):
        return self._get_singleton(req, version, ACCESS_POLICY, POLICY_PATH, lambda: self.access_policy.policy)

    def patch_access_policy(self, req, version):
        """204; properties left out keep their values (the update page)."""
        given = schema.parse_patch(ACCESS_POLICY, self._body(req), version)
        with self.store.lock:
            self.access_policy.policy = schema.merge(ACCESS_POLICY, self.access_policy.policy, given)
        return Response.empty(204)

    def get_access_default(self, req, version):
        return self._get_singleton(req, version, ACCESS_DEFAULT, DEFAULT_PATH, lambda: self.access_policy.default)

    def patch_access_default(self, req, version):
        """204 (update page). A customized default is no longer the system default: isServiceDefault becomes false
        (resource page: "If false, the default settings have been customized"; that any successful PATCH does it,
        even one that changes nothing, is an assumption). Read-only properties are validated, then ignored."""
        given = schema.parse_patch(ACCESS_DEFAULT, self._body(req), version)
        self._drop_computed(ACCESS_DEFAULT, given)
        with self.store.lock:
            updated = schema.merge(ACCESS_DEFAULT, self.access_policy.default, given)
            updated["isServiceDefault"] = False
            self.access_policy.default = updated
        return Response.empty(204)

    def reset_access_default(self, req, version):
        """204, and the system default is back (resetToSystemDefault page: confirm with a GET that the flag is
        true; the page writes isSystemDefault, the property is isServiceDefault). A body is not read."""
        with self.store.lock:
            self.access_policy.default = system_default()
        return Response.empty(204)
