#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_access_partner_info
short_description: Read partner configurations of the cross-tenant access policy from Microsoft Entra ID
version_added: 0.2.0
description:
  - Reads C(crossTenantAccessPolicyConfigurationPartner) objects from Microsoft Graph, one by O(tenant_id) or all of
    them (following every C(@odata.nextLink) page).
  - With O(deleted=true), reads the partner configurations in deleted items instead (Graph beta only), which
    M(entra.graph.crosstenant_access_partner) can restore for 30 days.
  - Never changes anything.
author:
  - entra.graph maintainers (@entra-graph)
options:
  tenant_id:
    description:
      - The partner tenant's ID, a GUID. Without it, every partner configuration is returned.
    type: str
  deleted:
    description:
      - Read deleted items (C(/policies/deletedItems/crossTenantPartners)) instead of the live partner configurations.
    type: bool
    default: false
  api_version:
    description:
      - The Microsoft Graph version the requests go to.
      - V(auto) uses V(v1.0), and V(beta) with O(deleted=true), which only beta has.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
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
- name: Read every partner configuration
  entra.graph.crosstenant_access_partner_info:
  register: partners

- name: Tenants whose users are redeemed into ours without a consent prompt
  ansible.builtin.debug:
    msg: >-
      {{ partners.partners | selectattr('automaticUserConsentSettings')
         | selectattr('automaticUserConsentSettings.inboundAllowed') | map(attribute='tenantId') | list }}

- name: Read one partner configuration
  entra.graph.crosstenant_access_partner_info:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
  register: one
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version the requests went to.
  returned: always
  type: str
  sample: v1.0
partners:
  description:
    - The partner configurations, in the same shape as RV(entra.graph.crosstenant_access_partner#module:partner).
    - With O(tenant_id), one item, or none when that partner has no configuration.
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
      isServiceProvider: null
      isInMultiTenantOrganization: false
      automaticUserConsentSettings:
        inboundAllowed: true
        outboundAllowed: false
      inboundTrust: null
      b2bCollaborationInbound: null
      b2bCollaborationOutbound: null
      b2bDirectConnectInbound: null
      b2bDirectConnectOutbound: null
      tenantRestrictions: null
'''

from ansible_collections.entra.graph.plugins.module_utils.access_partner import AccessPartners, DeletedAccessPartners
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS, choose_api_version


def read(module):
    tenant_id = module.tenant_id()
    deleted = module.params['deleted']
    module.api_version = choose_api_version(module.params['api_version'], ['deleted=true'] if deleted else [])
    endpoint = AccessPartners(module.client())
    if deleted:
        endpoint = DeletedAccessPartners(module.client(), endpoint)
    partners = endpoint.find(tenant_id)
    return dict(changed=False, partners=partners, api_version=module.api_version)


def main():
    module = GraphModule(
        argument_spec=dict(
            tenant_id=dict(type='str'),
            deleted=dict(type='bool', default=False),
            api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
        ),
        supports_check_mode=True,
    )
    module.run(read)


if __name__ == '__main__':
    main()
