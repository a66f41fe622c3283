# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The crossTenantAccessPolicyConfigurationPartner resource (a partner configuration) and where it lives:
``/policies/crossTenantAccessPolicy/partners`` and, once deleted, beta's ``deletedItems/crossTenantPartners``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.access_settings import access_settings, consent_setting
from ansible_collections.entra.graph.plugins.module_utils.resource import Prop, ResourceType
from ansible_collections.entra.graph.plugins.module_utils.store import Collection, Restorable

ACCESS_PARTNER = ResourceType('microsoft.graph.crossTenantAccessPolicyConfigurationPartner', [
    Prop('is_service_provider', 'isServiceProvider', 'bool'),
    consent_setting(),
] + access_settings(), read_only=('isInMultiTenantOrganization',),
    # The create and restore answers Graph documents show these for a partner created from its tenantId alone.
    created=dict(isInMultiTenantOrganization=False, automaticUserConsentSettings=dict(inboundAllowed=None, outboundAllowed=None)))


access_partner_argument_spec = ACCESS_PARTNER.argument_spec


class AccessPartners(Collection):
    """``/policies/crossTenantAccessPolicy/partners``: POST creates (201 with the object), PATCH updates."""

    path = '/policies/crossTenantAccessPolicy/partners'
    title = 'partner configurations'

    def __init__(self, client, resource=ACCESS_PARTNER):
        super(AccessPartners, self).__init__(client, resource)

    def send_create(self, tenant_id, body):
        payload = {'tenantId': tenant_id}
        payload.update(body)
        return self.write('POST', self.path, body=payload, verify_write=lambda: self.get(tenant_id))


class DeletedAccessPartners(Restorable):
    """``/policies/deletedItems/crossTenantPartners`` (beta only): restorable for 30 days."""

    path = '/policies/deletedItems/crossTenantPartners'
    title = 'deleted items'

    def __init__(self, client, live):
        super(DeletedAccessPartners, self).__init__(client, ACCESS_PARTNER, live)
