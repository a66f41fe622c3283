#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_access_default
short_description: Manage the default configuration of the cross-tenant access policy in Microsoft Entra ID
version_added: 0.3.0
description:
  - Updates, or resets to Microsoft's system default, the Microsoft Graph object
    C(crossTenantAccessPolicyConfigurationDefault) at C(/policies/crossTenantAccessPolicy/default), the settings
    your tenant applies to every external tenant that has no partner configuration of its own
    (M(entra.graph.crosstenant_access_partner)), and that a partner configuration's null properties inherit.
  - The object always exists, once per tenant. It is read first, and written only when it differs from the
    options that are set; options (and sub-options) left out keep the object's current value.
author:
  - entra.graph maintainers (@entra-graph)
options:
  state:
    description:
      - V(present) updates the default configuration when it differs from the options that are set (C(PATCH)).
      - V(reset) puts Microsoft's system default back for every setting (C(POST .../resetToSystemDefault)); nothing
        happens when C(isServiceDefault) is already true. It takes no setting option.
    type: str
    choices: [present, reset]
    default: present
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0), which has every option of this module.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
extends_documentation_fragment:
  - entra.graph.access_settings
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
    C(inboundTrust) whole, so each one is sent complete, its current values overlaid by the sub-options set.
  - C(automaticUserConsentSettings) is read-only in the default configuration (Graph documents both of its values
    as always false), so it is returned but is no option; set it per partner with M(entra.graph.crosstenant_access_partner).
  - In check mode with O(state=reset), RV(default) shows the current settings with C(isServiceDefault=true), because the
    values of Microsoft's system default are Graph's to set and are read back only after a real reset.
  - Permissions (application or delegated) - C(Policy.Read.All) to read, C(Policy.ReadWrite.CrossTenantAccess) to write.
'''

EXAMPLES = r'''
- name: Block inbound B2B collaboration from tenants without a partner configuration
  entra.graph.crosstenant_access_default:
    b2b_collaboration_inbound:
      users_and_groups:
        access_type: blocked
        targets:
          - target: AllUsers
            target_type: user
      applications:
        access_type: blocked
        targets:
          - target: AllApplications
            target_type: application

- name: Trust MFA done in any external tenant; the other trust settings keep their values
  entra.graph.crosstenant_access_default:
    inbound_trust:
      is_mfa_accepted: true

- name: Put Microsoft's system default back
  entra.graph.crosstenant_access_default:
    state: reset
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version every request of the task went to.
  returned: always
  type: str
  sample: v1.0
default:
  description:
    - The default configuration after the task, as Graph returns it (camelCase keys), with every managed property
      and no OData annotations. C(isServiceDefault) is true while it is Microsoft's system default.
  returned: always
  type: dict
  sample:
    isServiceDefault: false
    automaticUserConsentSettings:
      inboundAllowed: false
      outboundAllowed: false
    inboundTrust:
      isMfaAccepted: true
      isCompliantDeviceAccepted: false
      isHybridAzureADJoinedDeviceAccepted: false
    b2bCollaborationInbound:
      usersAndGroups:
        accessType: allowed
        targets:
          - target: AllUsers
            targetType: user
      applications:
        accessType: allowed
        targets:
          - target: AllApplications
            targetType: application
changed_properties:
  description:
    - The properties that were (or in check mode would be) written because they differed.
    - With O(state=reset), the properties the reset changed; in check mode only C(isServiceDefault) is known.
  returned: always
  type: list
  elements: str
  sample: [inboundTrust]
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: dict
  contains:
    crosstenant_access_default:
      description: The same object as RV(default).
      returned: always
      type: dict
diff:
  description: The object before and after the task, in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The object before the task.
      type: dict
      returned: when diff mode is on
    after:
      description: The object after the task.
      type: dict
      returned: when diff mode is on
'''

from ansible_collections.entra.graph.plugins.module_utils.access_default import access_default_argument_spec, decide
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS


def main():
    argument_spec = access_default_argument_spec()
    argument_spec.update(api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)))
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
