#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_partner
short_description: Manage a partner's cross-tenant identity synchronization policy in Microsoft Entra ID
version_added: 0.1.0
description:
  - Creates, updates, deletes and restores the Microsoft Graph object C(crossTenantIdentitySyncPolicyPartner),
    which says whether users (and groups) of a partner tenant may be synchronized into your tenant.
  - The object lives in one of two Graph collections, chosen with O(location). V(deleted_items) is
    C(/policies/deletedItems/crossTenantSyncPolicyPartners); V(partner_policy) is the live policy at
    C(/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization).
  - The object is read first, and written only when it differs from the options that are set;
    options left out keep the object's current value.
  - The live policy belongs to the partner configuration of the same tenant, which must exist first
    (M(entra.graph.crosstenant_access_partner) creates it).
author:
  - entra.graph maintainers (@entra-graph)
options:
  tenant_id:
    description:
      - The partner tenant's ID, a GUID. It is the object's key.
    type: str
    required: true
  state:
    description:
      - V(present) creates the object when it is missing and updates it when it differs.
      - V(absent) deletes it. In V(deleted_items) that is a permanent delete; in V(partner_policy)
        Graph moves the policy into deleted items, where it replaces that partner's older deleted copy, if
        there is one (that copy is gone for good). Graph keeps deleted items for 30 days at most, so do not rely
        on a restore.
        Options that describe the object are ignored, with a warning.
      - V(restored) restores the object from deleted items into the live partner policy, then applies
        any options that are set. Nothing changes when the policy is already live; the task fails
        when the object is in neither place. O(location) does not matter for V(restored).
    type: str
    choices: [present, absent, restored]
    default: present
  location:
    description:
      - Which Graph collection holds the object.
      - V(deleted_items) is C(/policies/deletedItems/crossTenantSyncPolicyPartners).
      - V(partner_policy) is C(/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization),
        the policy that is in force.
    type: str
    choices: [deleted_items, partner_policy]
    default: deleted_items
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0) for the live policy when no beta-only option is set
        (O(group_sync_inbound), O(role_enabled_group_sync_inbound), O(external_cloud_authorized_application_id)),
        and V(beta) otherwise, for O(location=deleted_items) and for O(state=restored), which only beta has.
      - V(auto) also uses V(beta) for O(state=absent) with O(location=partner_policy), to read the copy in deleted
        items that the delete replaces (RV(replaced_deleted_copy)); an explicit V(v1.0) deletes without that read,
        and warns.
      - An explicit V(v1.0) with a beta-only option, with O(location=deleted_items) or with O(state=restored)
        fails before any request.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
    version_added: 0.2.0
extends_documentation_fragment:
  - entra.graph.sync_policy
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Every read happens and no write; the result says what would change.
    support: full
  diff_mode:
    description: Returns the object before and after the change.
    support: full
notes:
  - Updates are C(PATCH) requests with only the properties that differ. Graph replaces a complex value such as
    C(userSyncInbound) whole, so each one is sent complete, its current values overlaid by the options set.
  - The live policy is created with C(PUT), as Graph documents. Graph answers a C(PUT) over an existing policy with
    C(409 Request_MultipleObjectsWithSameKeyValue); when that happens because the policy was created between the
    read and the write, the module reads it again and C(PATCH)es what still differs.
  - Graph documents no update of an object in deleted items; when Graph refuses the C(PATCH), the task fails and
    says to delete and create it again, or to restore it.
  - In V(partner_policy) Graph answers writes with C(204 No Content), so the returned object is the one
    that was read, with the changes that were sent.
  - With O(state=absent) and O(location=partner_policy), the task reads the partner's copy in deleted items
    before the delete, and returns it as RV(replaced_deleted_copy); only Graph beta has deleted items, so
    O(api_version=auto) uses beta for such a task.
  - Graph refuses a write that carries a member of a complex value it does not know. When Graph returns a member
    that no option describes (a newer property of C(userSyncInbound), say) inside a value the task changes, the
    update leaves it out and warns, naming it. Graph keeps such a member when it merges complex values member by
    member, as OData 4.01 says, and clears it if it replaces the value whole.
  - A task that wrote something and then failed (a restore whose follow-up update was refused) reports
    C(changed=true) and says in its message what was done before the failure.
  - A create (C(POST)) whose answer is lost to a timeout or a dropped connection is not blindly sent again;
    the object is read first and counts as created if it is there.
  - Permissions (application or delegated) - C(Policy.Read.All) to read,
    C(Policy.ReadWrite.CrossTenantAccess) to write.
'''

EXAMPLES = r'''
- name: Record a partner's sync policy in deleted items (client secret from the environment)
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    display_name: Fabrikam
    user_sync_inbound:
      is_sync_allowed: true
  environment:
    AZURE_TENANT_ID: "{{ my_tenant_id }}"
    AZURE_CLIENT_ID: "{{ my_client_id }}"
    AZURE_CLIENT_SECRET: "{{ my_client_secret }}"

- name: Allow user sync from Fabrikam in the live partner policy, signing in with a certificate
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    location: partner_policy
    display_name: Fabrikam
    user_sync_inbound:
      is_sync_allowed: true
    auth_method: client_certificate
    tenant: contoso.onmicrosoft.com
    client_id: 00000000-0000-0000-0000-000000000001
    client_certificate_path: /etc/ansible/entra-automation.pem
    client_certificate_password: "{{ vault_certificate_password }}"

- name: Sign in with workload identity federation (AKS, GitHub Actions OIDC)
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    location: partner_policy
    user_sync_inbound:
      is_sync_allowed: false
    auth_method: workload_identity
    tenant: "{{ my_tenant_id }}"
    client_id: "{{ my_client_id }}"
    federated_token_file: /var/run/secrets/azure/tokens/azure-identity-token

- name: Sign in with the user-assigned managed identity of the Azure host running the play
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    location: partner_policy
    group_sync_inbound:
      is_sync_allowed: true
    auth_method: managed_identity
    client_id: 00000000-0000-0000-0000-000000000002

- name: Use an access token obtained elsewhere, in the US Government cloud
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    display_name: Fabrikam
    auth_method: access_token
    access_token: "{{ graph_token }}"
    cloud_environment: us_gov

- name: Preview a change without making it
  entra.graph.crosstenant_sync_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    location: partner_policy
    user_sync_inbound:
      is_sync_allowed: false
  check_mode: true
  diff: true
  register: preview

- name: Set the connection once for every module of the collection
  module_defaults:
    group/entra.graph.graph:
      tenant: "{{ my_tenant_id }}"
      client_id: "{{ my_client_id }}"
      client_secret: "{{ my_client_secret }}"
      token_cache: true
  block:
    - name: Delete the live policy (Graph moves it into deleted items)
      entra.graph.crosstenant_sync_partner:
        tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
        location: partner_policy
        state: absent

    - name: Bring it back
      entra.graph.crosstenant_sync_partner:
        tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
        state: restored

    - name: Use the returned object in a later task
      ansible.builtin.debug:
        msg: "{{ ansible_facts.crosstenant_sync_partner.displayName }}"
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version every request of the task went to.
  returned: always
  type: str
  sample: v1.0
  version_added: 0.2.0
partner:
  description:
    - The object after the task, as Graph returns it (camelCase keys), with every property of the version
      (null when unset) and no OData annotations such as C(@odata.context) or C(@odata.type).
    - Under V(v1.0) Graph has only C(tenantId), C(displayName) and C(userSyncInbound).
    - An empty dict when the object does not exist after the task.
    - In check mode, the object as it would be; a new object in deleted items then has C(deletedDateTime)
      null unless O(deleted_date_time) is set, since Graph assigns it when the object is created.
  returned: always
  type: dict
  sample:
    tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    displayName: Fabrikam
    deletedDateTime: null
    externalCloudAuthorizedApplicationId: null
    userSyncInbound:
      isSyncAllowed: true
    groupSyncInbound: null
    roleEnabledGroupSyncInbound: null
  contains:
    tenantId:
      description: The partner tenant's ID.
      type: str
      returned: when the object exists
    displayName:
      description: Display name of the policy.
      type: str
      returned: when the object exists
    deletedDateTime:
      description: When the policy was deleted; null for a live policy.
      type: str
      returned: when the object exists and O(api_version) resolves to V(beta)
    externalCloudAuthorizedApplicationId:
      description: The C(externalCloudAuthorizedApplicationId) property.
      type: str
      returned: when the object exists and O(api_version) resolves to V(beta)
    userSyncInbound:
      description: Whether users may be synchronized from the partner tenant, as C(isSyncAllowed).
      type: dict
      returned: when the object exists
    groupSyncInbound:
      description: Whether groups may be synchronized from the partner tenant, as C(isSyncAllowed).
      type: dict
      returned: when the object exists and O(api_version) resolves to V(beta)
    roleEnabledGroupSyncInbound:
      description: Whether role-assignable groups may be synchronized from the partner tenant, as C(isSyncAllowed).
      type: dict
      returned: when the object exists and O(api_version) resolves to V(beta)
replaced_deleted_copy:
  description:
    - With O(state=absent) and O(location=partner_policy), the partner's older copy in deleted items, read just before
      the delete. Graph moves the deleted live policy into deleted items, where it replaces that copy, which is then
      gone for good.
    - An empty dict when there was no older copy, or when nothing was deleted; null with an explicit
      O(api_version=v1.0), which has no deleted items to read (the task warns).
  returned: when O(state=absent) and O(location=partner_policy)
  type: dict
  sample:
    tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    displayName: Fabrikam (2024)
    deletedDateTime: '2025-01-02T03:04:05Z'
    externalCloudAuthorizedApplicationId: null
    userSyncInbound:
      isSyncAllowed: false
    groupSyncInbound: null
    roleEnabledGroupSyncInbound: null
  version_added: 0.3.0
changed_properties:
  description: The properties that were (or in check mode would be) written because they differed.
  returned: always
  type: list
  elements: str
  sample: [displayName, userSyncInbound]
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: dict
  contains:
    crosstenant_sync_partner:
      description: The same object as RV(partner).
      returned: always
      type: dict
diff:
  description:
    - The object before and after the task, in diff mode.
    - When a delete of the live policy replaces an older copy in deleted items (see RV(replaced_deleted_copy)), a list
      of two such dicts, with C(before_header) and C(after_header) naming the collection; the first is the live policy,
      the second the entry in deleted items, from the older copy to the policy that replaces it.
  returned: when diff mode is on
  type: raw
  contains:
    before:
      description: The object before the task; empty when it did not exist.
      type: dict
      returned: when diff mode is on
    after:
      description: The object after the task; empty when it does not exist after it.
      type: dict
      returned: when diff mode is on
'''

from ansible_collections.entra.graph.plugins.module_utils.decisions import carry_out, present, restore_then_update
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS, choose_api_version, plan_absent
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import (
    LOCATIONS,
    SYNC_POLICY,
    DeletedPolicies,
    LivePolicies,
    NO_REPLACED_COPY_READ,
    endpoint_for,
    soft_delete_reason,
    sync_policy_argument_spec,
)


def beta_reasons(state, location, desired, requested):
    reasons = ['option %s' % option for option in SYNC_POLICY.beta_only(desired)]
    if state == 'restored':
        reasons.append('state=restored')
    elif location == 'deleted_items':
        reasons.append('location=deleted_items')
    return reasons + list(filter(None, [soft_delete_reason(requested, location, state == 'absent')]))


def decide(module):
    params = module.params
    tenant_id = module.tenant_id()
    state = params['state']
    location = params['location']
    if params.get('deleted_date_time') is not None and (state != 'present' or location != 'deleted_items'):
        raise ConfigurationError('deleted_date_time applies only to location=deleted_items with state=present; '
                                 'a live policy has no deletion time, and absent deletes whatever it holds',
                                 option='deleted_date_time')
    desired = SYNC_POLICY.desired(params)
    if state == 'absent':
        if desired:
            module.warn('state=absent deletes the object whatever it holds; ignored: %s'
                        % ', '.join(SYNC_POLICY.options(desired)))
        desired = {}
    module.api_version = choose_api_version(params['api_version'], beta_reasons(state, location, desired, params['api_version']))

    if state == 'restored':
        # A live policy is only brought to what the task asks; one in deleted items is restored first.
        live = LivePolicies(module.client(), SYNC_POLICY)
        current = live.get(tenant_id)
        if current is None:
            plan = restore_then_update(module, DeletedPolicies(module.client(), SYNC_POLICY, live), tenant_id, desired)
        else:
            plan = present(module, live, tenant_id, current, desired)
    else:
        soft_delete = state == 'absent' and location == 'partner_policy'
        endpoint = endpoint_for(location, module.client())
        current = endpoint.get(tenant_id)
        if state == 'absent':
            # Read before the delete moves the live policy over it: the copy in deleted items it replaces.
            replaced = endpoint.replaced_by_delete(tenant_id) if soft_delete and current is not None else {}
            if replaced is None:
                module.warn(NO_REPLACED_COPY_READ)
            plan = carry_out(module, endpoint, plan_absent(SYNC_POLICY, tenant_id, current))
            if soft_delete:
                return soft_delete_result(module, plan, replaced if plan.changed else {})
        else:
            plan = present(module, endpoint, tenant_id, current, desired)
    return module.object_result(plan, 'crosstenant_sync_partner')


def soft_delete_result(module, plan, replaced):
    """The result of deleting the live policy: it also says which older copy in deleted items the policy replaced;
    in diff mode, when there was one, a second entry shows that copy giving way to the policy."""
    result = module.object_result(plan, 'crosstenant_sync_partner')
    result['replaced_deleted_copy'] = replaced
    if module.diff_mode and replaced:
        result['diff'] = [dict(result['diff'], before_header='partner_policy %s' % plan.tenant_id,
                               after_header='partner_policy %s' % plan.tenant_id),
                          dict(before=replaced, after=plan.before, before_header='deleted_items %s (replaced)' % plan.tenant_id,
                               after_header='deleted_items %s' % plan.tenant_id)]
    return result


def main():
    argument_spec = sync_policy_argument_spec()
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent', 'restored']),
        location=dict(type='str', default='deleted_items', choices=list(LOCATIONS)),
        api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
    )
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
