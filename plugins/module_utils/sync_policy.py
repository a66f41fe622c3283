# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The crossTenantIdentitySyncPolicyPartner resource and the two collections it lives in: the live
policy of a partner configuration, and beta's deleted items."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.access_partner import AccessPartners
from ansible_collections.entra.graph.plugins.module_utils.access_settings import PERMISSION_HINT
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, StateError
from ansible_collections.entra.graph.plugins.module_utils.resource import Prop, ResourceType
from ansible_collections.entra.graph.plugins.module_utils.store import Endpoint, Restorable

ODATA_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'
LOCATIONS = ('deleted_items', 'partner_policy')
# From this many listed partners on, a bulk task reads every live policy in one paged list.
BULK_READ_FROM = 16


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
], noun='sync policy')


# The options that describe the object, shared by the single and the bulk module.
sync_policy_argument_spec = SYNC_POLICY.argument_spec


class LivePolicies(Endpoint):
    """``/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization``: the policy in force."""

    path = '/policies/crossTenantAccessPolicy/partners'
    permission_hint = PERMISSION_HINT

    def item(self, tenant_id):
        return '%s/%s/identitySynchronization' % (self.path, tenant_id)

    def replaced_by_delete(self, tenant_id):
        """The partner's older copy in deleted items, read now: a delete moves the policy there, replacing that copy,
        which is then gone for good (the emulator's model, to confirm on a live tenant). {} when there is none;
        None through v1.0, which has no deleted items (every request of a task goes to one version)."""
        if self.api_version != 'beta':
            return None
        return DeletedPolicies(self.client, self.resource, self).get(tenant_id) or {}

    def reads_in_bulk(self, listed):
        # The partners list holds every partner of the tenant, paged: for a few listed partners, reading each
        # (in parallel) is cheaper; from a page's worth on, the list is.
        return listed >= BULK_READ_FROM

    def list(self):
        return list(self.read_all().values())

    def read_all(self):
        """Every live policy, from the partners list with ``$expand=identitySynchronization`` (documented on
        List partners, v1.0 and beta): one paged read instead of one per partner."""
        found = {}
        for partner in self.client.list(self.path + '?$select=tenantId&$expand=identitySynchronization', permission_hint=self.permission_hint):
            tenant_id = partner.get('tenantId') if isinstance(partner, dict) else None
            policy = partner.get('identitySynchronization') if isinstance(tenant_id, str) else None
            if isinstance(policy, dict) and policy:
                tenant_id = tenant_id.strip().lower()
                policy = dict(policy, tenantId=policy.get('tenantId') or tenant_id)
                found[tenant_id] = self.shape(self.checked(policy, tenant_id, 'the partners list'))
        return found

    def send_create(self, tenant_id, body):
        """PUT creates the policy and answers 204 without a body; over an existing policy Graph answers
        409 Request_MultipleObjectsWithSameKeyValue, which ``create`` decides from."""
        try:
            return self.write('PUT', self.item(tenant_id), body=body)
        except GraphError as exc:
            if exc.status != 409:
                raise_if_partner_missing(self.client, tenant_id, exc)
            raise

    def created(self, plan, response):
        # Graph's documented answer to the PUT is 204 without a body: the object is what was read and sent.
        return plan

    def preflight(self, plan):
        return missing_partner_now(self.client, plan.tenant_id) if plan.action == 'create' else None


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

    def send_create(self, tenant_id, body):
        """POST the object; after a lost answer, the object found by a read counts as created."""
        payload = {'@odata.type': ODATA_TYPE, 'tenantId': tenant_id}
        payload.update(body)
        return self.write('POST', self.path, body=payload, verify_write=lambda: self.get(tenant_id))

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

    def preflight(self, plan):
        if plan.action == 'update':
            # Graph documents no update of a deleted item, and the real run meets the refusal below.
            raise StateError(_IN_PLACE % (plan.tenant_id, 'predicted in check mode: Graph documents no update of a deleted item'))
        return None

    def update(self, tenant_id, body):
        try:
            super(DeletedPolicies, self).update(tenant_id, body)
        except GraphError as exc:
            if exc.status not in (400, 405):
                raise
            raise GraphError(_IN_PLACE % (tenant_id, exc.message), status=exc.status, error_code=exc.error_code,
                             request_id=exc.details.get('request_id'), client_request_id=exc.details.get('client_request_id'))


_IN_PLACE = ('the sync policy of tenant %s in deleted items cannot be changed in place (%s). Delete it with state=absent and '
             'create it again, or restore it with state=restored and change the live policy')


def bulk_item_check(location):
    """What a bulk item may not hold in ``location``, beyond what its options say."""
    def check(entry, where):
        if entry.get('deleted_date_time') is not None and location != 'deleted_items':
            return '%s: deleted_date_time applies only to location=deleted_items; a live policy has no deletion time' % where
        return None
    return check


def gathered_item(obj):
    """An object as an item of a bulk module's ``config``: its tenant ID and the options that hold a value."""
    item = dict(tenant_id=obj['tenantId'])
    item.update(SYNC_POLICY.options(obj))
    return item


def soft_delete_reason(requested, location, deletes):
    """Why a task that may delete live policies needs beta: to read, before each delete, the copy in deleted items
    it replaces. None when it deletes none there, or when ``api_version=v1.0`` is explicit (it then cannot say)."""
    if not deletes or location != 'partner_policy' or requested == 'v1.0':
        return None
    return 'reading the copies in deleted items that deletes of live policies replace'


NO_REPLACED_COPY_READ = ('api_version=v1.0 has no deleted items, so the task cannot read, and does not report, the partner\'s '
                         'older copy there, which a delete of the live policy replaces for good; use api_version=auto or beta '
                         'to see it in replaced_deleted_copy')


def endpoint_for(location, client):
    live = LivePolicies(client, SYNC_POLICY)
    return live if location == 'partner_policy' else DeletedPolicies(client, SYNC_POLICY, live)
