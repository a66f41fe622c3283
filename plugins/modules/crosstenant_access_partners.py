#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_access_partners
short_description: Manage many partner configurations of the cross-tenant access policy in one task
version_added: 0.3.0
description:
  - Creates, updates, replaces, deletes and exports the Microsoft Graph objects
    C(crossTenantAccessPolicyConfigurationPartner) of many partner tenants in one task, with the states of Ansible's
    resource modules.
  - Each partner gets the same decision as with M(entra.graph.crosstenant_access_partner) - the object is read, and
    written only when it differs - but the task signs in once, reads every partner configuration in one paged list
    and writes up to O(max_concurrency) partners at a time over one keep-alive connection pool.
  - Every input error (a C(tenant_id) that is not a GUID, the same C(tenant_id) twice, an option the state does not
    take) fails the task before any request, naming the item's index and tenant ID.
  - A partner that fails does not stop the others. The task then fails, names every partner that failed with
    Graph's error, and returns what was written (RV(changed_partners)); it reports C(changed=true) when anything was.
author:
  - entra.graph maintainers (@entra-graph)
options:
  config:
    description:
      - The partner configurations, one item each, with the options of M(entra.graph.crosstenant_access_partner)
        that describe the object.
      - Required for O(state=merged), O(state=replaced) and O(state=overridden). For O(state=deleted) the items
        need only O(config[].tenant_id), and no O(config) means every partner. O(state=gathered) takes none.
      - RV(gathered) has this shape, so the result of O(state=gathered) can be fed back in as it is.
    type: list
    elements: dict
  state:
    description:
      - V(merged) creates each listed partner configuration when it is missing (C(POST)) and updates the properties
        that differ (C(PATCH)); options left out keep their current values. Partners not listed are not touched.
      - V(replaced) makes each listed partner configuration match its item exactly. Settings the item leaves out are
        cleared (set to null, so that the tenant's default cross-tenant access settings apply to them). A setting
        the item gives is still written sub-option by sub-option. Partners not listed are not touched.
      - V(overridden) does what V(replaced) does, and also deletes every partner configuration that is not listed -
        except the one of the tenant the task signed in to, which it keeps with a warning and lists in
        RV(kept_partners). Graph keeps deleted partner configurations in deleted items for 30 days. Run it with
        C(--check --diff) first to see the list.
      - The deletes run last, once every listed partner has been created or updated. When any listed partner fails
        (in check mode, would fail), no delete runs and RV(held_back_partners) lists them.
      - V(deleted) deletes the listed partner configurations, or every one when there is no O(config) (the one of
        the tenant the task signed in to is then kept, as with V(overridden)).
      - Graph deletes no partner configuration that holds a cross-tenant sync policy. With O(force) the policy is
        deleted first; without it such a partner fails, naming O(force), and no delete of the task runs.
      - V(gathered) changes nothing and returns RV(gathered), every partner configuration in the shape of O(config).
        When a read fails, the task fails and RV(gathered) is empty.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  force:
    description:
      - With O(state=deleted) and O(state=overridden), delete a partner's cross-tenant sync policy (into deleted
        items) before its partner configuration, in the order Graph requires.
      - Other states fail when it is set.
    type: bool
    default: false
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0), and V(beta) for O(state=gathered), so that an export reads where every property is
        visible.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
  max_concurrency:
    description:
      - How many requests may be in flight at once. Writes of different partners overlap up to this number; the
        connection pool is sized to match.
      - When Graph throttles a request (HTTP 429), the module waits as long as Graph's C(Retry-After) asks.
      - V(1) handles one partner after another.
      - The default follows Graph's identity and access service limits
        (U(https://learn.microsoft.com/graph/throttling-limits)), 3,000 writes per 150 seconds for an app in a
        tenant, a sustained 20 writes a second. At the few hundred milliseconds a write takes, 4 at once stay about
        at that rate, so a large task is not throttled into waits that a higher number would only lengthen.
    type: int
    default: 4
extends_documentation_fragment:
  - entra.graph.bulk_config.access_partner_items
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
  - Each partner is decided as M(entra.graph.crosstenant_access_partner) decides it, with the same requests, retries
    and rules for a write whose answer was lost.
  - The partners list is read with C($expand=identitySynchronization) when the task may delete, so that the sync
    policies that must go first are known from the same paged read.
  - A task with failed partners returns RV(failed_partners) (each C(tenant_id), C(action), C(msg) and, when Graph
    answered, C(status), C(error_code), C(request_id) and C(client_request_id)). Its message names partners that
    failed alike once, together.
  - A write Graph answered with success, or one whose answer was lost and that may have landed, counts as a change
    even when what follows it fails; the message names those partners.
  - Permissions (application or delegated) - C(Policy.Read.All) to read, C(Policy.ReadWrite.CrossTenantAccess) to write.
seealso:
  - module: entra.graph.crosstenant_access_partner
  - module: entra.graph.crosstenant_access_partner_info
  - module: entra.graph.crosstenant_sync_partners
'''

EXAMPLES = r'''
- name: Accept users of these partners without a consent prompt; other partners are left alone
  entra.graph.crosstenant_access_partners:
    config:
      - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
        automatic_user_consent_settings:
          inbound_allowed: true
      - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
        automatic_user_consent_settings:
          inbound_allowed: true
        inbound_trust:
          is_mfa_accepted: true

- name: Export every partner configuration
  entra.graph.crosstenant_access_partners:
    state: gathered
  register: current

- name: Preview making the partner configurations exactly the exported ones, deleting the others
  entra.graph.crosstenant_access_partners:
    state: overridden
    force: true
    config: "{{ current.gathered }}"
  check_mode: true
  diff: true
  register: preview

- name: Delete two partners and their sync policies
  entra.graph.crosstenant_access_partners:
    state: deleted
    force: true
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
    - The partner configurations before the task, in the shape of RV(entra.graph.crosstenant_access_partner#module:partner)
      (camelCase keys, every managed property, no OData annotations).
    - The listed partners that had one, in the order of O(config); for O(state=overridden), O(state=gathered) and
      O(state=deleted) without O(config), then every other one.
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      isServiceProvider: null
      automaticUserConsentSettings:
        inboundAllowed: false
        outboundAllowed: null
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
      isServiceProvider: null
      automaticUserConsentSettings:
        inboundAllowed: true
        outboundAllowed: null
changed_partners:
  description:
    - The partners that were (in check mode, would be) written, in the order of RV(before).
    - When the task fails, only the partners whose write succeeded.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      action: update
      changed_properties: [automaticUserConsentSettings]
  contains:
    tenant_id:
      description: The partner tenant's ID.
      type: str
      returned: always
    action:
      description: What was written, V(create), V(update) or V(delete).
      type: str
      returned: always
    changed_properties:
      description: The properties written; empty for a delete.
      type: list
      elements: str
      returned: always
    deleted_sync_policy:
      description: With O(force), the partner's sync policy that was (in check mode, would be) deleted first.
      type: dict
      returned: when a deleted partner had a sync policy
gathered:
  description:
    - With O(state=gathered), every partner configuration in the shape of O(config) (snake_case options, only
      those that hold a value), so that O(config) set to C({{ result.gathered }}) converges with no change.
    - An empty list otherwise.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      automatic_user_consent_settings:
        inbound_allowed: true
kept_partners:
  description:
    - The partner configurations a delete of unlisted partners (O(state=overridden), O(state=deleted) without
      O(config)) kept although O(config) does not list them, each C(tenant_id) and C(reason); the task warns too.
  returned: when one was kept
  type: list
  elements: dict
  sample:
    - tenant_id: 72f988bf-86f1-41af-91ab-2d7cd011db47
      reason: the tenant this task signed in to
held_back_partners:
  description:
    - The deletes that did not run (in check mode, would not run) because a listed partner failed; each
      C(tenant_id) and C(action) (V(delete)).
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
      action: delete
      msg: "the partner configuration of tenant 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7 has a cross-tenant sync policy ..."
diff:
  description:
    - The objects before and after the task, in diff mode, each keyed by its C(tenantId).
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

from ansible_collections.entra.graph.plugins.module_utils.access_partner import (
    ACCESS_PARTNER,
    AccessPartners,
    access_partner_argument_spec,
    gathered_partner,
    keep_signed_in_tenant,
)
from ansible_collections.entra.graph.plugins.module_utils.engine import STATES, run_bulk
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS


def decide(module):
    may_delete = module.params['state'] in ('deleted', 'overridden')
    return run_bulk(module, ACCESS_PARTNER, lambda client: AccessPartners(client, with_sync_policies=may_delete),
                    gathered_partner, keep=keep_signed_in_tenant)


def main():
    argument_spec = dict(
        config=dict(type='list', elements='dict', options=access_partner_argument_spec()),
        state=dict(type='str', default='merged', choices=list(STATES)),
        force=dict(type='bool', default=False),
        api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
        max_concurrency=dict(type='int', default=4),
    )
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
