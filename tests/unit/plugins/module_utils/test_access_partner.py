# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""access_partner: the partner configuration (crossTenantAccessPolicyConfigurationPartner), its options in
Graph's casing, its POST create that may race with another writer, and its deleted items."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.access_partner import (
    ACCESS_PARTNER,
    AccessPartners,
    DeletedAccessPartners,
    access_partner_argument_spec,
)
from ansible_collections.entra.graph.plugins.module_utils.access_settings import B2B_SETTINGS
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import create, graph_client

PARTNERS = '/policies/crossTenantAccessPolicy/partners'


@pytest.fixture
def client(cloud, secret_auth):
    return graph_client(api_version='v1.0', max_retries=0, **secret_auth)


def test_b2b_settings_are_spelled_as_graph_spells_them():
    # Graph writes the acronym in lower case; b2BCollaborationInbound is refused with 400 "Invalid property".
    assert [ACCESS_PARTNER.by_option[option].name for option in B2B_SETTINGS] == [
        'b2bCollaborationInbound', 'b2bCollaborationOutbound', 'b2bDirectConnectInbound', 'b2bDirectConnectOutbound', 'tenantRestrictions']
    assert ACCESS_PARTNER.by_option['inbound_trust'].children[2].name == 'isHybridAzureADJoinedDeviceAccepted'


def test_the_options_that_describe_a_partner():
    spec = access_partner_argument_spec()

    assert spec['tenant_id'] == dict(type='str', required=True)
    assert sorted(spec) == sorted(('tenant_id', 'is_service_provider', 'automatic_user_consent_settings', 'inbound_trust') + B2B_SETTINGS)
    assert sorted(spec['tenant_restrictions']['options']) == ['applications', 'users_and_groups']


def test_a_partner_is_created_by_post_and_the_answer_is_the_object(cloud, client):
    desired = ACCESS_PARTNER.desired(dict(is_service_provider=True, b2b_collaboration_inbound=dict(
        users_and_groups=dict(access_type='allowed', targets=[dict(target='AllUsers', target_type='user')]))))

    created = create(AccessPartners(client), fake.PARTNER, desired, after={})

    [post] = cloud.graph_writes()
    assert (post.method, post.path, post.status) == ('POST', '/v1.0' + PARTNERS, 201)
    assert post.json == {'tenantId': fake.PARTNER, 'isServiceProvider': True, 'b2bCollaborationInbound': {
        'usersAndGroups': {'accessType': 'allowed', 'targets': [{'target': 'AllUsers', 'targetType': 'user'}]}}}
    assert created == cloud.view(fake.PARTNERS, version='v1.0')
    assert created['isInMultiTenantOrganization'] is False, 'read-only properties come back from Graph'


def test_a_partner_created_since_it_was_read_is_patched_not_failed(cloud, client):
    cloud.add_partner(isServiceProvider=True, inboundTrust={'isMfaAccepted': True})

    after = create(AccessPartners(client), fake.PARTNER, {'inboundTrust': {'isCompliantDeviceAccepted': True}}, after={})

    assert [(s.method, s.status) for s in cloud.graph()] == [('POST', 409), ('GET', 200), ('PATCH', 204)]
    assert cloud.graph('PATCH')[0].json == {'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': True}}
    assert after['inboundTrust'] == cloud.partners[fake.PARTNER]['inboundTrust']
    assert cloud.partners[fake.PARTNER]['isServiceProvider'] is True


def test_a_conflict_about_a_partner_that_is_not_there_is_the_error(cloud, client):
    cloud.inject(kind='graph', method='POST', status=409, body={'error': {'code': 'Request_MultipleObjectsWithSameKeyValue',
                                                                          'message': 'Another object with the same value.'}})

    with pytest.raises(GraphError) as caught:
        create(AccessPartners(client), fake.PARTNER, {}, after={})

    assert caught.value.status == 409 and 'Request_MultipleObjectsWithSameKeyValue' in caught.value.message
    assert [s.method for s in cloud.graph()] == ['POST', 'GET']


def test_a_nested_patch_keeps_the_siblings_on_the_server(cloud, client):
    users = {'accessType': 'allowed', 'targets': [{'target': 'AllUsers', 'targetType': 'user'}]}
    apps = {'accessType': 'blocked', 'targets': [{'target': 'AllApplications', 'targetType': 'application'}]}
    cloud.add_partner(b2bDirectConnectInbound={'usersAndGroups': users, 'applications': apps})
    partners = AccessPartners(client)
    current = partners.get(fake.PARTNER)
    desired = ACCESS_PARTNER.desired(dict(b2b_direct_connect_inbound=dict(users_and_groups=dict(access_type='blocked'))))

    partners.update(fake.PARTNER, ACCESS_PARTNER.patch_body(current, desired, ACCESS_PARTNER.differences(current, desired)))

    assert cloud.partners[fake.PARTNER]['b2bDirectConnectInbound'] == {'usersAndGroups': dict(users, accessType='blocked'),
                                                                       'applications': apps}


def test_deleted_partners_are_restored_into_the_live_collection(cloud, secret_auth):
    beta = graph_client(api_version='beta', **secret_auth)
    cloud.put_deleted_partner(isServiceProvider=True)
    deleted = DeletedAccessPartners(beta, AccessPartners(beta))

    assert deleted.item(fake.PARTNER) == '/policies/deletedItems/crossTenantPartners/' + fake.PARTNER
    assert deleted.get(fake.PARTNER)['deletedDateTime'] is not None
    restored = deleted.restore(fake.PARTNER)

    assert restored == dict(cloud.view(fake.PARTNERS), deletedDateTime=None)
    assert restored['isServiceProvider'] is True
    assert cloud.deleted_partners == {}
