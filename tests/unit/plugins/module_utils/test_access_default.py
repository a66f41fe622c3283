# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""access_default: the default configuration (crossTenantAccessPolicyConfigurationDefault), its options shared
with the partner configuration, and its three calls: GET, PATCH and resetToSystemDefault."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.access_default import (
    ACCESS_DEFAULT,
    DefaultConfiguration,
    access_default_argument_spec,
)
from ansible_collections.entra.graph.plugins.module_utils.access_partner import ACCESS_PARTNER
from ansible_collections.entra.graph.plugins.module_utils.access_settings import B2B_SETTINGS
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client

DEFAULT = '/v1.0/policies/crossTenantAccessPolicy/default'
SETTINGS = ('inbound_trust',) + B2B_SETTINGS


@pytest.fixture
def client(cloud, secret_auth):
    return graph_client(api_version='v1.0', max_retries=0, **secret_auth)


def stored(cloud):
    return cloud.emulator.tenants.home.store.access_policy.default


def test_the_options_are_the_settings_a_partner_has_too_and_nothing_else():
    spec = access_default_argument_spec()

    assert sorted(spec) == sorted(SETTINGS + ('state',))
    assert spec['state'] == dict(type='str', default='present', choices=['present', 'reset'])
    for option in SETTINGS:
        assert spec[option] == ACCESS_PARTNER.argument_spec()[option], option
        assert ACCESS_DEFAULT.by_option[option].name == ACCESS_PARTNER.by_option[option].name
    assert 'automatic_user_consent_settings' not in spec, 'read-only in the default configuration'
    assert 'tenant_id' not in spec, 'the default configuration has no key'


def test_options_map_to_graphs_casing_and_only_what_is_set():
    desired = ACCESS_DEFAULT.desired(dict(inbound_trust=dict(is_mfa_accepted=True, is_compliant_device_accepted=None),
                                          b2b_direct_connect_outbound=dict(applications=dict(access_type='blocked')),
                                          tenant_restrictions=None))

    assert desired == {'inboundTrust': {'isMfaAccepted': True},
                       'b2bDirectConnectOutbound': {'applications': {'accessType': 'blocked'}}}


def test_the_object_is_shaped_without_a_key_or_annotations(cloud, client):
    found = DefaultConfiguration(client).get()

    assert 'tenantId' not in found and not [name for name in found if name.startswith('@')]
    assert found['isServiceDefault'] is True
    assert found['automaticUserConsentSettings'] == {'inboundAllowed': False, 'outboundAllowed': False}
    assert found['b2bDirectConnectInbound']['usersAndGroups']['accessType'] == 'blocked'
    assert [(s.method, s.path) for s in cloud.graph()] == [('GET', DEFAULT)]


def test_an_empty_answer_is_refused_not_taken_for_the_object(cloud, client):
    cloud.inject(kind='graph', method='GET', status=200, body={'@odata.context': 'x'})

    with pytest.raises(GraphError) as failure:
        DefaultConfiguration(client).get()

    assert 'GET /policies/crossTenantAccessPolicy/default answered with an empty object' in failure.value.message


def test_patch_sends_the_body_and_graph_marks_the_default_customized(cloud, client):
    DefaultConfiguration(client).update({'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': False,
                                                          'isHybridAzureADJoinedDeviceAccepted': False}})

    [patch] = cloud.graph_writes()
    assert (patch.method, patch.path, patch.status) == ('PATCH', DEFAULT, 204)
    assert stored(cloud)['isServiceDefault'] is False
    assert stored(cloud)['inboundTrust']['isMfaAccepted'] is True


def test_reset_posts_the_action_and_the_system_default_is_back(cloud, client):
    default = DefaultConfiguration(client)
    default.update({'inboundTrust': {'isMfaAccepted': True}})

    default.reset()

    assert [(s.method, s.path, s.status) for s in cloud.graph_writes()][-1] == ('POST', DEFAULT + '/resetToSystemDefault', 204)
    assert default.get()['isServiceDefault'] is True
    assert default.get()['inboundTrust']['isMfaAccepted'] is False


def test_a_reset_whose_answer_was_lost_is_confirmed_by_reading_the_flag(cloud, client):
    default = DefaultConfiguration(client)
    default.update({'inboundTrust': {'isMfaAccepted': True}})
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ReadTimeout('read timed out'))

    default.reset()

    assert [(s.method, s.path) for s in cloud.graph()][-2:] == [('POST', DEFAULT + '/resetToSystemDefault'), ('GET', DEFAULT)]
    assert stored(cloud)['isServiceDefault'] is True
