# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The crossTenantAccessPolicyConfigurationPartner resource (a partner configuration) and where it lives:
``/policies/crossTenantAccessPolicy/partners`` and, once deleted, beta's ``deletedItems/crossTenantPartners``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.access_settings import PERMISSION_HINT, access_settings, consent_setting
from ansible_collections.entra.graph.plugins.module_utils.errors import StateError
from ansible_collections.entra.graph.plugins.module_utils.resource import Prop, ResourceType, plan_absent
from ansible_collections.entra.graph.plugins.module_utils.store import Endpoint, Restorable

ACCESS_PARTNER = ResourceType('microsoft.graph.crossTenantAccessPolicyConfigurationPartner', [
    Prop('is_service_provider', 'isServiceProvider', 'bool'),
    consent_setting(),
] + access_settings(),
    # Properties no option manages, shown as Graph returns them and never written: the computed one, and the newer
    # ones of the v1.0 metadata. Others Graph's answers carry (crossCloudMeetingConfiguration...) pass through as they are.
    read_only=('isInMultiTenantOrganization', 'appServiceConnectInbound', 'm365CollaborationInbound', 'm365CollaborationOutbound'),
    # The create and restore answers Graph documents show these for a partner created from its tenantId alone.
    created=dict(isInMultiTenantOrganization=False, automaticUserConsentSettings=dict(inboundAllowed=None, outboundAllowed=None)),
    noun='partner configuration')


access_partner_argument_spec = ACCESS_PARTNER.argument_spec


class AccessPartners(Endpoint):
    """``/policies/crossTenantAccessPolicy/partners``: POST creates (201 with the object), PATCH updates."""

    path = '/policies/crossTenantAccessPolicy/partners'
    permission_hint = PERMISSION_HINT

    def __init__(self, client, resource=ACCESS_PARTNER, with_sync_policies=False):
        super(AccessPartners, self).__init__(client, resource)
        # Whether ``read_all`` reads each partner's sync policy too, for a task that may delete partners.
        self.with_sync_policies = with_sync_policies
        # The sync policies ``read_all`` found, by tenant ID; None until it read them.
        self.sync_policies = None

    def read_all(self):
        """Every partner configuration; with ``with_sync_policies``, each one's sync policy comes in the same paged read
        (``$expand=identitySynchronization``, documented on List partners, v1.0 and beta)."""
        if not self.with_sync_policies:
            return super(AccessPartners, self).read_all()
        live = self._live_policies()
        found, policies = {}, {}
        for partner in self.client.list(self.path + '?$expand=identitySynchronization', permission_hint=self.permission_hint):
            if not isinstance(partner, dict) or not isinstance(partner.get('tenantId'), str):
                continue
            partner = dict(partner)
            policy = partner.pop('identitySynchronization', None)
            tenant_id = partner['tenantId'].strip().lower()
            found[tenant_id] = self.shape(partner)
            if isinstance(policy, dict) and policy:
                policy = dict(policy, tenantId=policy.get('tenantId') or tenant_id)
                policies[tenant_id] = live.shape(live.checked(policy, tenant_id, 'the partners list'))
        self.sync_policies = policies
        return found

    def before_delete(self, tenant_id, force):
        """Graph deletes no partner configuration that holds a sync policy: with ``force`` the policy goes first;
        without it the delete fails, naming ``force``."""
        live = self._live_policies()
        policy = live.get(tenant_id) if self.sync_policies is None else self.sync_policies.get(tenant_id)
        if policy is None:
            return []
        if not force:
            raise StateError('the partner configuration of tenant %s has a cross-tenant sync policy (identitySynchronization), '
                             'which Graph requires to be deleted first; nothing was deleted. Delete it with '
                             'entra.graph.crosstenant_sync_partner (location=partner_policy, state=absent), or set force=true '
                             'to delete both' % tenant_id)
        return [('deleted_sync_policy', live, plan_absent(live.resource, tenant_id, policy))]

    def _live_policies(self):
        # Imported here: the sync policy's module imports this one (a sync policy belongs to a partner configuration).
        from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, LivePolicies
        return LivePolicies(self.client, SYNC_POLICY)

    def send_create(self, tenant_id, body):
        payload = {'tenantId': tenant_id}
        payload.update(body)
        return self.write('POST', self.path, body=payload, verify_write=lambda: self.get(tenant_id))


def gathered_partner(obj):
    """A partner configuration as an item of a bulk module's ``config``: its tenant ID and the options that hold a value."""
    item = dict(tenant_id=obj['tenantId'])
    item.update(ACCESS_PARTNER.options(obj))
    return item


def keep_signed_in_tenant(module):
    """A delete of unlisted partners never takes the partner configuration of the tenant the task signed in to."""
    tenant = module.signed_in_tenant()
    return {tenant: 'the tenant this task signed in to'} if tenant else {}


class DeletedAccessPartners(Restorable):
    """``/policies/deletedItems/crossTenantPartners`` (beta only): restorable for 30 days."""

    path = '/policies/deletedItems/crossTenantPartners'

    def __init__(self, client, live):
        super(DeletedAccessPartners, self).__init__(client, ACCESS_PARTNER, live)
