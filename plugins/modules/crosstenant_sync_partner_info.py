#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_partner_info
short_description: Read partners' cross-tenant identity synchronization policies from Microsoft Entra ID
version_added: 0.1.0
description:
  - Reads C(crossTenantIdentitySyncPolicyPartner) objects from Microsoft Graph, one by O(tenant_id) or all of them.
  - Never changes anything.
author:
  - entra.graph maintainers (@entra-graph)
options:
  tenant_id:
    description:
      - The partner tenant's ID, a GUID. Without it, every object in O(location) is returned.
    type: str
  location:
    description:
      - Which Graph collection to read.
      - V(deleted_items) is C(/policies/deletedItems/crossTenantSyncPolicyPartners); the whole list follows
        every C(@odata.nextLink) page.
      - V(partner_policy) is the live policy of each partner configuration under
        C(/policies/crossTenantAccessPolicy/partners); the whole list reads every partner configuration,
        then each one's C(identitySynchronization).
    type: str
    choices: [deleted_items, partner_policy]
    default: deleted_items
  api_version:
    description:
      - The Microsoft Graph version the requests go to.
      - V(auto) reads the live policies from V(v1.0), which returns only C(tenantId), C(displayName) and
        C(userSyncInbound); V(beta) returns every property. Deleted items exist only in V(beta).
    type: str
    choices: [auto, v1.0, beta]
    default: auto
    version_added: 0.2.0
extends_documentation_fragment:
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: The module only reads, in check mode as otherwise.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: none
notes:
  - Permissions (application or delegated) - C(Policy.Read.All).
'''

EXAMPLES = r'''
- name: Read one partner's live sync policy
  entra.graph.crosstenant_sync_partner_info:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    location: partner_policy
  register: fabrikam

- name: Fail when user sync from Fabrikam is not allowed
  ansible.builtin.assert:
    that:
      - fabrikam.partners | length == 1
      - fabrikam.partners[0].userSyncInbound.isSyncAllowed

- name: List every deleted sync policy that can still be restored
  entra.graph.crosstenant_sync_partner_info:
    location: deleted_items
  register: deleted

- name: Show their tenant IDs
  ansible.builtin.debug:
    msg: "{{ deleted.partners | map(attribute='tenantId') | list }}"
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version the requests went to.
  returned: always
  type: str
  sample: beta
  version_added: 0.2.0
partners:
  description:
    - The objects as Graph returns them (camelCase keys), with every property of the version (null when unset)
      and no OData annotations, in the same shape as RV(entra.graph.crosstenant_sync_partner#module:partner).
    - With O(tenant_id), one item, or none when that partner has no object in O(location).
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 01d0e717-bc90-46ba-94a9-71b4a811fddb
      displayName: null
      deletedDateTime: "2025-06-18T23:11:01Z"
      externalCloudAuthorizedApplicationId: null
      userSyncInbound: null
      groupSyncInbound: null
      roleEnabledGroupSyncInbound: null
'''

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS, choose_api_version
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import LOCATIONS, endpoint_for


def read(module):
    tenant_id = module.tenant_id()
    location = module.params['location']
    module.api_version = choose_api_version(module.params['api_version'],
                                            ['location=deleted_items'] if location == 'deleted_items' else [])
    partners = endpoint_for(location, module.client()).find(tenant_id)
    return dict(changed=False, partners=partners, api_version=module.api_version)


def main():
    module = GraphModule(
        argument_spec=dict(
            tenant_id=dict(type='str'),
            location=dict(type='str', default='deleted_items', choices=list(LOCATIONS)),
            api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
        ),
        supports_check_mode=True,
    )
    module.run(read)


if __name__ == '__main__':
    main()
