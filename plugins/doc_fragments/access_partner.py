# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options that describe a partner configuration (crossTenantAccessPolicyConfigurationPartner)."""

    DOCUMENTATION = r'''
options:
  is_service_provider:
    description:
      - Whether the partner is a cloud service provider for your organization (C(isServiceProvider)).
    type: bool
  automatic_user_consent_settings:
    description:
      - Whether invitations to and from the partner are redeemed without a consent prompt
        (C(automaticUserConsentSettings)). Cross-tenant synchronization into your tenant needs O(automatic_user_consent_settings.inbound_allowed=true);
        the source tenant needs O(automatic_user_consent_settings.outbound_allowed=true) for yours.
      - A sub-option left out keeps its current value.
    type: dict
    suboptions:
      inbound_allowed:
        description: Suppress the consent prompt for the partner's users coming into your tenant.
        type: bool
      outbound_allowed:
        description: Suppress the consent prompt for your users going to the partner's tenant.
        type: bool
'''
