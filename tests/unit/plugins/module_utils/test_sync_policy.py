# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sync_policy: the two collections of crossTenantIdentitySyncPolicyPartner and what each does its own way:
the live policy is created by PUT and races with another writer; deleted items are created by POST and
cannot be changed in place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, StateError
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import (
    SYNC_POLICY,
    DeletedPolicies,
    LivePolicies,
    endpoint_for,
    sync_policy_argument_spec,
)
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import create, graph_client

LIVE_ITEM = '/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization' % fake.PARTNER
PARTNER_ITEM = '/policies/crossTenantAccessPolicy/partners/' + fake.PARTNER
DELETED_COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'


@pytest.fixture
def client(cloud, secret_auth):
    return graph_client(api_version='v1.0', max_retries=0, **secret_auth)


@pytest.fixture
def beta(cloud, secret_auth):
    return graph_client(api_version='beta', max_retries=0, **secret_auth)


def calls(cloud):
    return [(s.method, s.path, s.status) for s in cloud.graph()]


def test_the_options_that_describe_the_object():
    spec = sync_policy_argument_spec()

    assert spec['tenant_id'] == dict(type='str', required=True)
    assert sorted(spec) == ['deleted_date_time', 'display_name', 'external_cloud_authorized_application_id', 'group_sync_inbound',
                            'role_enabled_group_sync_inbound', 'tenant_id', 'user_sync_inbound']


def test_each_location_has_its_collection(beta):
    live = endpoint_for('partner_policy', beta)
    deleted = endpoint_for('deleted_items', beta)

    assert isinstance(live, LivePolicies) and live.item(fake.PARTNER) == LIVE_ITEM
    assert isinstance(deleted, DeletedPolicies) and deleted.item(fake.PARTNER) == DELETED_COLLECTION + '/' + fake.PARTNER
    assert isinstance(deleted.live, LivePolicies)


# ---------------------------------------------------------------------------------------------
# the live policy


def test_a_live_policy_is_created_by_put_without_a_read_back(cloud, client):
    cloud.add_partner()

    after = create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'displayName': 'Fabrikam'}, after={'predicted': True})

    assert after == {'predicted': True}, 'PUT answers 204 without a body: the plan predicts the object'
    assert calls(cloud) == [('PUT', '/v1.0' + LIVE_ITEM, 204)]
    assert cloud.graph('PUT')[0].json == {'displayName': 'Fabrikam'}


def test_a_policy_created_since_it_was_read_is_patched_with_what_still_differs(cloud, client):
    cloud.put_live(displayName='Theirs', userSyncInbound={'isSyncAllowed': False})

    after = create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'userSyncInbound': {'isSyncAllowed': True}}, after={})

    assert calls(cloud) == [('PUT', '/v1.0' + LIVE_ITEM, 409), ('GET', '/v1.0' + LIVE_ITEM, 200), ('PATCH', '/v1.0' + LIVE_ITEM, 204)]
    assert cloud.graph('PATCH')[0].json == {'userSyncInbound': {'isSyncAllowed': True}}
    assert after == {'tenantId': fake.PARTNER, 'displayName': 'Theirs', 'userSyncInbound': {'isSyncAllowed': True}}
    assert cloud.view(fake.LIVE, version='v1.0') == after


def test_a_policy_created_since_it_was_read_with_what_was_asked_needs_no_patch(cloud, client):
    cloud.put_live(displayName='Fabrikam')

    after = create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert [c[0] for c in calls(cloud)] == ['PUT', 'GET']
    assert after['displayName'] == 'Fabrikam'


def test_a_conflict_about_a_policy_that_is_not_there_is_the_error(cloud, client):
    cloud.add_partner()
    cloud.inject(kind='graph', method='PUT', status=409, body={'error': {'code': 'Request_MultipleObjectsWithSameKeyValue',
                                                                         'message': 'A conflicting object is present.'}})

    with pytest.raises(GraphError) as caught:
        create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert caught.value.status == 409 and 'Request_MultipleObjectsWithSameKeyValue' in caught.value.message
    assert [c[0] for c in calls(cloud)] == ['PUT', 'GET']


def test_a_missing_partner_configuration_is_named_with_the_module_that_creates_it(cloud, client):
    with pytest.raises(StateError) as caught:
        create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    message = caught.value.message
    assert message.startswith('tenant_id %s has no partner configuration (crossTenantAccessPolicyConfigurationPartner)' % fake.PARTNER)
    assert 'create it first with entra.graph.crosstenant_access_partner' in message
    assert 'Graph answered: PUT' in message and 'HTTP 404' in message
    assert calls(cloud) == [('PUT', '/v1.0' + LIVE_ITEM, 404), ('GET', '/v1.0' + PARTNER_ITEM, 404)]
    assert cloud.live == {}


@pytest.mark.parametrize('status', [400, 404])
def test_a_refused_put_with_the_partner_there_is_graphs_own_error(cloud, client, status):
    cloud.add_partner()
    cloud.inject(kind='graph', method='PUT', status=status, body={'error': {'code': 'Request_BadRequest', 'message': 'Invalid value.'}})

    with pytest.raises(GraphError) as caught:
        create(LivePolicies(client, SYNC_POLICY), fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert caught.value.status == status and 'Invalid value.' in caught.value.message
    assert 'partner configuration' not in caught.value.message


def test_the_live_list_follows_the_partners(cloud, client):
    cloud.page_size = 1
    cloud.add_partner(fake.OTHER_PARTNER)
    cloud.put_live(displayName='Fabrikam')

    assert LivePolicies(client, SYNC_POLICY).read_all() == {fake.PARTNER: cloud.view(fake.LIVE, version='v1.0')}
    assert LivePolicies(client, SYNC_POLICY).list() == [cloud.view(fake.LIVE, version='v1.0')]
    # One paged list of the partners with their policies expanded, never a read per partner.
    reads = cloud.graph('GET')
    assert all(g.path.endswith('/partners') and g.query.get('$expand') == 'identitySynchronization' for g in reads), reads


# ---------------------------------------------------------------------------------------------
# deleted items


def test_a_deleted_item_is_created_by_post_with_its_type_and_key(cloud, beta):
    created = create(DeletedPolicies(beta, SYNC_POLICY, LivePolicies(beta, SYNC_POLICY)),
                     fake.PARTNER, {'displayName': 'Fabrikam', 'deletedDateTime': '2025-06-18T23:11:01Z'}, after={})

    [post] = cloud.graph_writes()
    assert (post.method, post.path) == ('POST', '/beta' + DELETED_COLLECTION)
    assert post.json == {'@odata.type': '#microsoft.graph.crossTenantIdentitySyncPolicyPartner', 'tenantId': fake.PARTNER,
                         'displayName': 'Fabrikam', 'deletedDateTime': '2025-06-18T23:11:01Z'}
    assert created == cloud.view(fake.DELETED)


def test_a_create_whose_answer_is_lost_is_found_by_a_read_not_posted_again(cloud, beta):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ConnectionError(
        "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"))

    created = create(DeletedPolicies(beta, SYNC_POLICY, LivePolicies(beta, SYNC_POLICY)), fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert created == cloud.view(fake.DELETED)
    assert [s.method for s in cloud.graph()] == ['POST', 'GET']


@pytest.mark.parametrize('status', [None, 400])
def test_a_deleted_item_that_graph_will_not_patch_says_what_to_do_instead(cloud, beta, status):
    cloud.put_deleted(displayName='Old')
    if status is not None:
        cloud.inject(kind='graph', method='PATCH', status=status, headers={'request-id': 'patch-refused'},
                     body={'error': {'code': 'Request_BadRequest', 'message': 'Update is not supported.'}})

    with pytest.raises(GraphError) as caught:
        DeletedPolicies(beta, SYNC_POLICY, LivePolicies(beta, SYNC_POLICY)).update(fake.PARTNER, {'displayName': 'New'})

    message = caught.value.message
    assert message.startswith('the sync policy of tenant %s in deleted items cannot be changed in place (' % fake.PARTNER)
    assert 'Delete it with state=absent and create it again, or restore it with state=restored' in message
    assert caught.value.status == (status or 405)
    if status is not None:
        assert caught.value.details['request_id'] == 'patch-refused' and caught.value.error_code == 'Request_BadRequest'
    assert cloud.deleted[fake.PARTNER]['displayName'] == 'Old'


def test_other_refusals_of_a_deleted_item_patch_are_graphs_own(cloud, beta):
    cloud.put_deleted(displayName='Old')
    cloud.inject(kind='graph', method='PATCH', status=403, body={'error': {'code': 'Authorization_RequestDenied', 'message': 'No.'}})

    with pytest.raises(GraphError) as caught:
        DeletedPolicies(beta, SYNC_POLICY, LivePolicies(beta, SYNC_POLICY)).update(fake.PARTNER, {'displayName': 'New'})

    assert caught.value.status == 403 and 'cannot be changed in place' not in caught.value.message
