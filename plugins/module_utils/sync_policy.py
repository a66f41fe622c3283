# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The crossTenantIdentitySyncPolicyPartner resource and the two collections it lives in: the live
policy of a partner configuration, and beta's deleted items."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.access_partner import AccessPartners
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, StateError
from ansible_collections.entra.graph.plugins.module_utils.resource import Prop, ResourceType, plan_present
from ansible_collections.entra.graph.plugins.module_utils.store import Collection, Restorable, apply_plan

ODATA_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'
LOCATIONS = ('deleted_items', 'partner_policy')


def _sync_inbound(option, name, beta_only=False):
    return Prop(option, name, 'dict', beta_only=beta_only,
                children=[Prop('is_sync_allowed', 'isSyncAllowed', 'bool', required=True)])


SYNC_POLICY = ResourceType('microsoft.graph.crossTenantIdentitySyncPolicyPartner', [
    Prop('display_name', 'displayName'),
    # Graph's v1.0 metadata has neither of these, nor the two newer sync settings below.
    Prop('external_cloud_authorized_application_id', 'externalCloudAuthorizedApplicationId', beta_only=True),
    Prop('deleted_date_time', 'deletedDateTime', 'datetime', beta_only=True),
    _sync_inbound('user_sync_inbound', 'userSyncInbound'),
    _sync_inbound('group_sync_inbound', 'groupSyncInbound', beta_only=True),
    # In Graph's beta metadata (msgraph-beta-sdk 1.66), not yet on its reference pages.
    _sync_inbound('role_enabled_group_sync_inbound', 'roleEnabledGroupSyncInbound', beta_only=True),
])


# The options that describe the object, shared by the single and the bulk module.
sync_policy_argument_spec = SYNC_POLICY.argument_spec


class LivePolicies(Collection):
    """``/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization``: the policy in force."""

    path = '/policies/crossTenantAccessPolicy/partners'
    title = 'partner policy'

    def item(self, tenant_id):
        return '%s/%s/identitySynchronization' % (self.path, tenant_id)

    def tenant_ids(self):
        """Every partner configuration's tenant ID: Graph lists sync policies only through their partners."""
        return [partner.get('tenantId').lower() for partner in self.client.list(self.path + '?$select=tenantId')
                if isinstance(partner, dict) and isinstance(partner.get('tenantId'), str)]

    def list(self):
        return [policy for policy in (self.get(tenant_id) for tenant_id in self.tenant_ids()) if policy is not None]

    def create(self, tenant_id, body, after):
        """PUT creates the policy and answers 204 without a body. Graph answers a PUT over an existing policy
        with 409 Request_MultipleObjectsWithSameKeyValue: then it was created since it was read, and what
        still differs is PATCHed."""
        try:
            self.write('PUT', self.item(tenant_id), body=body)
        except GraphError as exc:
            if exc.status == 409:
                current = self.get(tenant_id)
                if current is not None:
                    return apply_plan(self, tenant_id, plan_present(self.resource, tenant_id, current, body, self.api_version))
            raise_if_partner_missing(self.client, tenant_id, exc)
            raise
        return after

    def preflight(self, tenant_id, plan):
        return missing_partner_now(self.client, tenant_id) if plan.action == 'create' else None


def missing_partner_now(client, tenant_id):
    """For check mode: a warning when the partner configuration is missing as things stand, else None."""
    if AccessPartners(client).get(tenant_id) is not None:
        return None
    return ('tenant_id %s has no partner configuration (crossTenantAccessPolicyConfigurationPartner) yet: the real run '
            'fails unless an earlier task creates it (entra.graph.crosstenant_access_partner)' % tenant_id)


def raise_if_partner_missing(client, tenant_id, exc):
    """When Graph refused a write with 400 or 404 (its own answer here is undocumented) and the partner
    configuration is missing, that is the cause to report."""
    if exc.status in (400, 404) and AccessPartners(client).get(tenant_id) is None:
        raise StateError('tenant_id %s has no partner configuration (crossTenantAccessPolicyConfigurationPartner) in this '
                         'tenant, and a sync policy belongs to one: create it first with entra.graph.crosstenant_access_partner '
                         '(or restore it with state=restored) (Graph answered: %s)' % (tenant_id, exc.message))


class DeletedPolicies(Restorable):
    """``/policies/deletedItems/crossTenantSyncPolicyPartners`` (beta only)."""

    path = '/policies/deletedItems/crossTenantSyncPolicyPartners'
    title = 'deleted items'

    def create(self, tenant_id, body, after):
        """POST the object; after a lost answer, the object found by a read counts as created."""
        payload = {'@odata.type': ODATA_TYPE, 'tenantId': tenant_id}
        payload.update(body)
        response = self.write('POST', self.path, body=payload, verify_write=lambda: self.get(tenant_id))
        return self.created(tenant_id, response)

    def restore(self, tenant_id):
        try:
            return super(DeletedPolicies, self).restore(tenant_id)
        except GraphError as exc:
            # The restored policy would belong to a partner configuration that is not there (an assumption
            # of the emulator, to confirm on a live tenant).
            raise_if_partner_missing(self.client, tenant_id, exc)
            raise

    def preflight_restore(self, tenant_id):
        return missing_partner_now(self.client, tenant_id)

    def update(self, tenant_id, body):
        try:
            super(DeletedPolicies, self).update(tenant_id, body)
        except GraphError as exc:
            if exc.status not in (400, 405):
                raise
            # Graph documents no update of a deleted item.
            raise GraphError('the sync policy of tenant %s in deleted items cannot be changed in place (%s). Delete it with '
                             'state=absent and create it again, or restore it with state=restored and change the live policy'
                             % (tenant_id, exc.message), status=exc.status, error_code=exc.error_code,
                             request_id=exc.details.get('request_id'), client_request_id=exc.details.get('client_request_id'))


def collection_for(location, client):
    live = LivePolicies(client, SYNC_POLICY)
    return live if location == 'partner_policy' else DeletedPolicies(client, SYNC_POLICY, live)
