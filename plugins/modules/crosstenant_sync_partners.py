#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_partners
short_description: Manage many partners' cross-tenant identity synchronization policies in one task
version_added: 0.2.0
description:
  - Creates, updates, replaces, deletes and exports the Microsoft Graph objects C(crossTenantIdentitySyncPolicyPartner)
    of many partner tenants in one task, with the states of Ansible's resource modules.
  - Each partner gets the same decision as with M(entra.graph.crosstenant_sync_partner) - the object is read, and
    written only when it differs - but the task signs in once, reads in bulk and writes up to
    O(max_concurrency) partners at a time over one keep-alive connection pool.
  - In V(deleted_items) the current objects come from one paged list. In V(partner_policy) each partner's
    policy is one C(GET); for O(state=overridden), O(state=gathered) and O(state=deleted) without O(config), the
    partner configurations are listed first to find every policy.
  - Every input error (a C(tenant_id) that is not a GUID, the same C(tenant_id) twice, an option the state does not
    take) fails the task before any request, naming the item's index and tenant ID.
  - A partner that fails does not stop the others. The task then fails, names every partner that failed with
    Graph's error, and returns what was written (RV(changed_partners)); it reports C(changed=true) when anything was.
author:
  - entra.graph maintainers (@entra-graph)
options:
  config:
    description:
      - The partners, one item each, with the options of M(entra.graph.crosstenant_sync_partner) that describe
        the object.
      - Required for O(state=merged), O(state=replaced) and O(state=overridden). For O(state=deleted) the items
        need only O(config[].tenant_id), and no O(config) means every partner. O(state=gathered) takes none.
      - RV(gathered) has this shape, so the result of O(state=gathered) can be fed back in as it is.
    type: list
    elements: dict
  state:
    description:
      - V(merged) creates each listed partner's object when it is missing and updates the properties that differ;
        options left out keep their current values. Partners not listed are not touched.
      - V(replaced) makes each listed partner's object match its item exactly. Properties the item leaves out are
        cleared (set to null) - C(displayName) and C(userSyncInbound) always; the beta-only C(groupSyncInbound),
        C(roleEnabledGroupSyncInbound) and C(externalCloudAuthorizedApplicationId) only when the item sets one of
        the beta-only options or O(api_version=beta) is explicit, since an item without them may come from an export
        that could not read them (O(api_version=v1.0)), and another item's beta-only option makes V(auto) use beta.
        C(tenantId) is the key and C(deletedDateTime) is set by Graph, so neither is cleared. Partners not listed
        are not touched.
      - V(overridden) does what V(replaced) does, and also deletes the object of every partner in O(location) that
        is not listed. In V(deleted_items) that delete is B(permanent); it cannot be undone. In V(partner_policy)
        Graph moves the policies into deleted items, where each replaces that partner's older deleted copy, if any
        (gone for good then; RV(changed_partners) names it as C(replaced_deleted_copy));
        the partner configurations themselves stay. Run it with C(--check --diff) first to see the list.
      - The deletes run last, once every listed partner has been created or updated. When any listed partner fails
        (in check mode, would fail), no delete runs and RV(held_back_partners) lists them.
      - V(deleted) deletes the listed partners' objects, or every object in O(location) when there is no O(config).
        In V(deleted_items) that is a permanent delete, in V(partner_policy) a soft delete as above.
      - V(gathered) changes nothing and returns RV(gathered), every object in O(location) in the shape of O(config).
        With O(api_version=auto) it reads Graph beta, where every property is visible, so that the export is complete.
        When a read fails, the task fails and RV(gathered) is empty, so that an export without some partners is never
        fed back.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  location:
    description:
      - Which Graph collection holds the objects.
      - Required, with no default, since an authoritative state in the wrong location deletes the wrong objects.
      - V(deleted_items) is C(/policies/deletedItems/crossTenantSyncPolicyPartners).
      - V(partner_policy) is C(/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization),
        the policies in force. Each belongs to the partner configuration of the same tenant, which must exist
        first (M(entra.graph.crosstenant_access_partner) creates it).
    type: str
    choices: [deleted_items, partner_policy]
    required: true
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0) for the live policies unless an item of O(config) sets a beta-only option
        (O(config[].group_sync_inbound), O(config[].role_enabled_group_sync_inbound),
        O(config[].external_cloud_authorized_application_id)), and V(beta) for O(location=deleted_items),
        which only beta has.
      - V(auto) also uses V(beta) for O(state=overridden) and O(state=deleted) in O(location=partner_policy), to read
        the copy in deleted items that each delete replaces (C(replaced_deleted_copy) of RV(changed_partners)); an
        explicit V(v1.0) deletes without that read, and warns.
      - V(v1.0) returns only C(tenantId), C(displayName) and C(userSyncInbound); O(state=gathered) with V(auto)
        reads beta, so that the export has the beta-only properties too.
      - An explicit V(v1.0) with a beta-only option or with O(location=deleted_items) fails before any request.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
  max_concurrency:
    description:
      - How many requests may be in flight at once. Reads and writes of different partners overlap up to this
        number; the connection pool is sized to match.
      - When Graph throttles a request (HTTP 429), the module waits as long as Graph's C(Retry-After) asks.
      - V(1) handles one partner after another.
      - The default follows Graph's identity and access service limits
        (U(https://learn.microsoft.com/graph/throttling-limits)), 3,000 writes per 150 seconds for an app in a
        tenant, a sustained 20 writes a second. At the few hundred milliseconds a write takes, 4 at once stay about
        at that rate, so a large task is not throttled into waits that a higher number would only lengthen.
    type: int
    default: 4
extends_documentation_fragment:
  - entra.graph.bulk_config.sync_policy_items
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Every read happens and no write; RV(changed_partners) and RV(after) say what would change.
    support: full
  diff_mode:
    description: Returns the objects before and after the task, keyed by tenant ID.
    support: full
notes:
  - A delete in O(location=partner_policy) first reads the partner's copy in deleted items (with O(api_version=auto),
    such a task uses Graph beta, the only version with deleted items); when that read fails, the partner fails and no
    delete of the task runs.
  - Graph refuses a write that carries a member of a complex value it does not know. When Graph returns a member
    that no option describes inside a value the task changes, the update leaves it out and warns, naming it. Graph
    keeps such a member when it merges complex values member by member, as OData 4.01 says, and clears it if it
    replaces the value whole.
  - Each partner is decided as M(entra.graph.crosstenant_sync_partner) decides it, with the same requests, retries
    and rules for a write whose answer was lost.
  - Graph documents no update of an object in deleted items; a partner there that differs from its item fails with
    a message that says so, and the others go on.
  - Graph answers the writes of live policies with C(204 No Content), so RV(after) holds the objects that were
    read, with the changes that were sent.
  - Graph's JSON batching (C($batch)) is not used; Graph documents no support for it on these endpoints.
  - A task with failed partners returns C(failed_partners) (each C(tenant_id), C(action), C(msg) and, when Graph
    answered, C(status), C(error_code), C(request_id) and C(client_request_id)) instead of those keys at the top.
    Its message names partners that failed alike once, together.
  - A write Graph answered with success, or one whose answer was lost and that may have landed, counts as a change
    even when what follows it fails; the message names those partners.
  - Permissions (application or delegated) - C(Policy.Read.All) to read,
    C(Policy.ReadWrite.CrossTenantAccess) to write.
seealso:
  - module: entra.graph.crosstenant_sync_partner
  - module: entra.graph.crosstenant_sync_partner_info
'''

EXAMPLES = r'''
- name: Make sure these partners may sync users into this tenant; other partners are left alone
  entra.graph.crosstenant_sync_partners:
    location: partner_policy
    config:
      - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
        display_name: Fabrikam
        user_sync_inbound:
          is_sync_allowed: true
      - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
        display_name: Woodgrove
        user_sync_inbound:
          is_sync_allowed: true

- name: Export every live policy (with the beta-only properties) into a vars file
  block:
    - name: Read them
      entra.graph.crosstenant_sync_partners:
        location: partner_policy
        api_version: beta
        state: gathered
      register: current

    - name: Write the vars file
      ansible.builtin.copy:
        dest: vars/sync_partners.yml
        content: "{{ {'sync_partners': current.gathered} | to_nice_yaml(indent=2) }}"
        mode: "0644"

- name: Preview making the live policies exactly the ones in the vars file, deleting the others
  entra.graph.crosstenant_sync_partners:
    location: partner_policy
    api_version: beta
    state: overridden
    config: "{{ sync_partners }}"
  check_mode: true
  diff: true
  register: preview

- name: List what would be deleted
  ansible.builtin.debug:
    msg: "{{ preview.changed_partners | selectattr('action', 'equalto', 'delete') | map(attribute='tenant_id') | list }}"

- name: Permanently delete two objects from deleted items, eight requests at a time
  entra.graph.crosstenant_sync_partners:
    state: deleted
    location: deleted_items
    max_concurrency: 8
    config:
      - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version every request of the task went to.
  returned: always
  type: str
  sample: v1.0
before:
  description:
    - The objects before the task, in the shape of RV(entra.graph.crosstenant_sync_partner#module:partner) (camelCase
      keys, every property of the version, no OData annotations).
    - The listed partners that had an object, in the order of O(config); for O(state=overridden),
      O(state=gathered) and O(state=deleted) without O(config), then every other object in O(location).
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      displayName: Fabrikam
      userSyncInbound:
        isSyncAllowed: false
after:
  description:
    - The same objects after the task (in check mode, as they would be), without the ones that were deleted and
      with the ones that were created.
    - A partner that failed appears as it was read.
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      displayName: Fabrikam
      userSyncInbound:
        isSyncAllowed: true
changed_partners:
  description:
    - The partners that were (in check mode, would be) written, in the order of RV(before).
    - C(action) is V(create), V(update) or V(delete); C(changed_properties) lists the Graph properties written.
    - When the task fails, only the partners whose write succeeded.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      action: update
      changed_properties: [userSyncInbound]
  contains:
    tenant_id:
      description: The partner tenant's ID.
      type: str
      returned: always
    action:
      description: What was written.
      type: str
      returned: always
    changed_properties:
      description: The properties written; empty for a delete.
      type: list
      elements: str
      returned: always
    replaced_deleted_copy:
      description:
        - For a delete in O(location=partner_policy), the partner's older copy in deleted items, read just before the
          delete. Graph moves the deleted live policy into deleted items, where it replaces that copy, which is then
          gone for good. An empty dict when there was none; null with an explicit O(api_version=v1.0), which has no
          deleted items to read (the task warns).
      type: dict
      returned: for a delete in O(location=partner_policy)
      version_added: 0.3.0
gathered:
  description:
    - With O(state=gathered), every object in O(location) in the shape of O(config) (snake_case options, only
      those that hold a value), so that O(config) set to C({{ result.gathered }}) converges with no change.
    - An empty list otherwise.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      display_name: Fabrikam
      user_sync_inbound:
        is_sync_allowed: true
held_back_partners:
  description:
    - The deletes of O(state=overridden) that did not run (in check mode, would not run) because a listed partner
      failed; each C(tenant_id) and C(action) (V(delete)).
  returned: when a listed partner failed and deletes were due
  type: list
  elements: dict
  sample:
    - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
      action: delete
failed_partners:
  description: When the task fails because of some partners, each of them with Graph's error.
  returned: when one or more partners failed
  type: list
  elements: dict
  sample:
    - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
      action: update
      msg: "PATCH https://graph.microsoft.com/v1.0/policies/... failed: HTTP 403 Authorization_RequestDenied: ..."
      status: 403
      error_code: Authorization_RequestDenied
diff:
  description:
    - The objects before and after the task, in diff mode, each keyed by its C(tenantId) (Ansible shows a diff
      of mappings one partner after another; it cannot show one of lists).
    - A delete in O(location=partner_policy) that replaces an older copy in deleted items adds the key
      C(deleted_items {tenantId}), from that copy (before) to the policy that replaces it (after).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The objects of RV(before), keyed by C(tenantId).
      type: dict
      returned: when diff mode is on
    after:
      description: The objects of RV(after), keyed by C(tenantId).
      type: dict
      returned: when diff mode is on
'''

from ansible_collections.entra.graph.plugins.module_utils.engine import STATES, run_bulk
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import (
    LOCATIONS,
    NO_REPLACED_COPY_READ,
    SYNC_POLICY,
    bulk_item_check,
    endpoint_for,
    gathered_item,
    soft_delete_reason,
    sync_policy_argument_spec,
)


def decide(module):
    location, requested = module.params['location'], module.params['api_version']
    deletes = module.params['state'] in ('overridden', 'deleted')
    # A delete of a live policy replaces the partner's older copy in deleted items (beta only), read first to say so.
    reasons = ['location=deleted_items'] if location == 'deleted_items' else list(filter(None, [soft_delete_reason(requested, location, deletes)]))
    if deletes and location == 'partner_policy' and requested == 'v1.0':
        module.warn(NO_REPLACED_COPY_READ)
    return run_bulk(module, SYNC_POLICY, lambda client: endpoint_for(location, client), gathered_item,
                    check_item=bulk_item_check(location), reasons=reasons)


def main():
    argument_spec = dict(
        config=dict(type='list', elements='dict', options=sync_policy_argument_spec()),
        state=dict(type='str', default='merged', choices=list(STATES)),
        location=dict(type='str', required=True, choices=list(LOCATIONS)),
        api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
        max_concurrency=dict(type='int', default=4),
    )
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
