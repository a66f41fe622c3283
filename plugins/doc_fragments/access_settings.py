# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The cross-tenant access settings a partner configuration and the default configuration share."""

    DOCUMENTATION = r'''
options:
  inbound_trust:
    description:
      - Which claims of the other tenant your Conditional Access policies accept (C(inboundTrust)).
      - A sub-option left out keeps its current value.
    type: dict
    suboptions:
      is_mfa_accepted:
        description: Trust multifactor authentication done in the other tenant.
        type: bool
      is_compliant_device_accepted:
        description: Trust the other tenant's compliant-device claims.
        type: bool
      is_hybrid_azure_ad_joined_device_accepted:
        description: Trust the other tenant's Microsoft Entra hybrid joined device claims (C(isHybridAzureADJoinedDeviceAccepted)).
        type: bool
  b2b_collaboration_inbound:
    description:
      - Inbound B2B collaboration settings (C(b2bCollaborationInbound)).
      - Each of O(b2b_collaboration_inbound.users_and_groups) and O(b2b_collaboration_inbound.applications) left out
        keeps its current value.
    type: dict
    suboptions: &b2b_setting
      users_and_groups:
        description: Which users and groups the setting applies to (C(usersAndGroups)).
        type: dict
        suboptions: &targets
          access_type:
            description: Whether the targets are allowed or blocked (C(accessType)).
            type: str
            choices: [allowed, blocked]
          targets:
            description:
              - The targets (C(targets)); the list replaces the current one, and order does not matter.
              - The special target V(AllUsers) or V(AllApplications) stands for everyone or every application.
            type: list
            elements: dict
            suboptions:
              target:
                description: The object ID of a user, group or application, or V(AllUsers) / V(AllApplications).
                type: str
                required: true
              target_type:
                description: What O(b2b_collaboration_inbound.users_and_groups.targets[].target) is (C(targetType)).
                type: str
                required: true
                choices: [user, group, application]
      applications:
        description: Which applications the setting applies to (C(applications)).
        type: dict
        suboptions: *targets
  b2b_collaboration_outbound:
    description:
      - Outbound B2B collaboration settings (C(b2bCollaborationOutbound)); the same shape as O(b2b_collaboration_inbound).
    type: dict
    suboptions: *b2b_setting
  b2b_direct_connect_inbound:
    description:
      - Inbound B2B direct connect settings (C(b2bDirectConnectInbound)); the same shape as O(b2b_collaboration_inbound).
    type: dict
    suboptions: *b2b_setting
  b2b_direct_connect_outbound:
    description:
      - Outbound B2B direct connect settings (C(b2bDirectConnectOutbound)); the same shape as O(b2b_collaboration_inbound).
    type: dict
    suboptions: *b2b_setting
  tenant_restrictions:
    description:
      - Tenant restrictions settings (C(tenantRestrictions)); the same shape as O(b2b_collaboration_inbound).
    type: dict
    suboptions: *b2b_setting
'''
