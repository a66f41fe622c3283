# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options that describe a partner's sync policy (crossTenantIdentitySyncPolicyPartner)."""

    DOCUMENTATION = r'''
options:
  display_name:
    description:
      - Display name of the policy; the partner tenant's name makes it easy to identify.
    type: str
  external_cloud_authorized_application_id:
    description:
      - The C(externalCloudAuthorizedApplicationId) property, sent as given.
      - Graph beta only.
    type: str
  user_sync_inbound:
    description:
      - Whether users may be synchronized from the partner tenant.
      - Setting O(user_sync_inbound.is_sync_allowed=false) stops current user synchronization from the partner;
        users already synchronized stay.
    type: dict
    suboptions:
      is_sync_allowed:
        description: Allow user synchronization from the partner tenant.
        type: bool
        required: true
  group_sync_inbound:
    description:
      - Whether groups may be synchronized from the partner tenant.
      - Graph beta only.
    type: dict
    suboptions:
      is_sync_allowed:
        description: Allow group synchronization from the partner tenant.
        type: bool
        required: true
  role_enabled_group_sync_inbound:
    description:
      - Whether role-assignable groups may be synchronized from the partner tenant
        (C(roleEnabledGroupSyncInbound)).
      - Graph beta only. The property is in Graph's beta metadata but not yet described on its reference pages.
    type: dict
    version_added: 0.2.0
    suboptions:
      is_sync_allowed:
        description: Allow synchronization of role-assignable groups from the partner tenant.
        type: bool
        required: true
  deleted_date_time:
    description:
      - When the policy was deleted, as an ISO 8601 date and time such as V(2025-06-18T23:11:01Z).
      - A time without an offset is taken as UTC; the value is sent in UTC, as Graph returns it.
      - Only for O(location=deleted_items), when the object is created or updated.
    type: str
'''
