# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""store: one object of a collection read, created, updated, deleted and restored over the real client,
and every answer that is not the object asked for refused before anything is derived from it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError, GraphError, WriteUnconfirmedError
from ansible_collections.entra.graph.plugins.module_utils.resource import Plan
from ansible_collections.entra.graph.plugins.module_utils.store import carry_out
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, DeletedPolicies, LivePolicies
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import create, graph_client

SYNC_ITEM = '/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization' % fake.PARTNER
DELETED_COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
DELETED_ITEM = DELETED_COLLECTION + '/' + fake.PARTNER


@pytest.fixture
def client(cloud, secret_auth):
    return graph_client(api_version='beta', max_retries=0, **secret_auth)


@pytest.fixture
def live(client):
    return LivePolicies(client, SYNC_POLICY)


@pytest.fixture
def deleted(client, live):
    return DeletedPolicies(client, SYNC_POLICY, live)


# ---------------------------------------------------------------------------------------------
# reads


def test_a_missing_object_is_none(cloud, live, deleted):
    assert live.get(fake.PARTNER) is None
    assert deleted.get(fake.PARTNER) is None
    assert [s.status for s in cloud.graph()] == [404, 404]


def test_an_object_is_shaped_for_the_version_without_annotations(cloud, secret_auth):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True}, groupSyncInbound={'isSyncAllowed': True})

    in_v1 = LivePolicies(graph_client(api_version='v1.0', **secret_auth), SYNC_POLICY).get(fake.PARTNER)
    in_beta = LivePolicies(graph_client(api_version='beta', **secret_auth), SYNC_POLICY).get(fake.PARTNER)

    assert in_v1 == {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert in_beta == cloud.view(fake.LIVE) and in_beta['groupSyncInbound'] == {'isSyncAllowed': True}
    assert [s.version for s in cloud.graph()] == ['v1.0', 'beta']


ODD_ANSWERS = {
    'empty object': {},
    'list': [{'tenantId': fake.PARTNER}],
    'string': '"the policy"',
    'number': 42,
    'another tenant': {'tenantId': fake.OTHER_PARTNER, 'displayName': 'Someone else'},
    'no tenantId': {'displayName': 'Fabrikam'},
    'tenantId not a string': {'tenantId': 7},
}


@pytest.mark.parametrize('answer', sorted(ODD_ANSWERS))
def test_a_read_that_is_not_the_object_asked_for_is_refused(cloud, live, answer):
    cloud.put_live(displayName='Fabrikam')
    cloud.inject(kind='graph', method='GET', status=200, body=ODD_ANSWERS[answer],
                 headers={'request-id': 'odd-read', 'Content-Type': 'application/json'})

    with pytest.raises(GraphError) as caught:
        live.get(fake.PARTNER)

    message = caught.value.message
    assert message.startswith('GET ') and SYNC_ITEM in message, message
    assert 'refusing to use it' in message or 'not the object asked for' in message, message
    assert cloud.graph_writes() == []


def test_an_object_of_another_tenant_is_named_in_the_refusal(cloud, live):
    cloud.inject(kind='graph', method='GET', status=200, body=ODD_ANSWERS['another tenant'])

    with pytest.raises(GraphError) as caught:
        live.get(fake.PARTNER)

    assert caught.value.message == ("GET %s answered with the object of tenant '%s' instead of tenant %s; refusing to use it"
                                    % (SYNC_ITEM, fake.OTHER_PARTNER, fake.PARTNER))


def test_an_upper_case_key_in_the_answer_is_the_same_tenant(cloud, live):
    cloud.inject(kind='graph', method='GET', status=200, body={'tenantId': fake.PARTNER.upper(), 'displayName': 'Fabrikam'})

    assert live.get(fake.PARTNER)['displayName'] == 'Fabrikam'


def test_a_list_keeps_only_objects(cloud, deleted):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.inject(kind='graph', method='GET', status=200, body={'value': [cloud.view(fake.DELETED), 'junk', None, 3]})

    assert deleted.list() == [cloud.view(fake.DELETED)]


def test_the_live_list_reads_every_partner_and_skips_those_without_a_policy(cloud, live):
    cloud.add_partner(fake.OTHER_PARTNER)
    cloud.put_live(displayName='Fabrikam')

    assert live.list() == [cloud.view(fake.LIVE)]
    # One request: the partners list with each partner's policy expanded (null for the one without).
    assert [(s.path.split('/')[-1], s.query.get('$select'), s.query.get('$expand')) for s in cloud.graph()] == [
        ('partners', 'tenantId', 'identitySynchronization')]


# ---------------------------------------------------------------------------------------------
# creates: any 2xx is success, and the object comes from the answer or a read (17.3)


def test_a_created_object_comes_from_the_answer(cloud, deleted):
    created = create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={'predicted': True})

    assert created == cloud.view(fake.DELETED) and created['displayName'] == 'Fabrikam'
    assert [s.method for s in cloud.graph()] == ['POST'], 'the 201 carried the object: no read'


@pytest.mark.parametrize('status', [200, 202])
def test_a_create_answered_with_another_success_status_counts(cloud, deleted, status):
    cloud.inject(kind='graph', method='POST', after=True, status=status,
                 body={'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'deletedDateTime': '2025-06-18T23:11:01Z'})

    created = create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert created['displayName'] == 'Fabrikam' and created['deletedDateTime'] == '2025-06-18T23:11:01Z'
    assert fake.PARTNER in cloud.deleted


@pytest.mark.parametrize('status, body', [(201, b''), (201, {}), (200, 'OK'), (202, [])])
def test_a_create_answered_without_the_object_is_read_back(cloud, deleted, status, body):
    cloud.inject(kind='graph', method='POST', after=True, status=status, body=body)

    created = create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={'predicted': True})

    assert created == cloud.view(fake.DELETED)
    assert [(s.method, s.path) for s in cloud.graph()] == [('POST', '/beta' + DELETED_COLLECTION), ('GET', '/beta' + DELETED_ITEM)]


def test_a_create_answered_2xx_without_the_object_and_not_found_after_says_it_landed(cloud, deleted):
    cloud.inject(kind='graph', method='POST', status=201, body=b'')  # answered, but the read finds nothing (yet)

    with pytest.raises(WriteUnconfirmedError) as caught:
        create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert 'the create landed, but reading the object back finds none yet' in caught.value.message
    assert 'run the task again' in caught.value.message and caught.value.landed is True


def test_a_create_answered_2xx_whose_read_back_fails_says_it_landed(cloud, deleted):
    cloud.inject(kind='graph', method='POST', after=True, status=201, body=b'')
    cloud.inject(kind='graph', method='GET', status=500)

    with pytest.raises(WriteUnconfirmedError) as caught:
        create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert 'answered HTTP 201 with an empty body instead of the object: the create landed, but reading the object back failed: GET' \
        in caught.value.message and 'HTTP 500' in caught.value.message
    assert caught.value.landed is True and fake.PARTNER in cloud.deleted


def test_a_create_answered_with_another_tenants_object_is_refused(cloud, deleted):
    cloud.inject(kind='graph', method='POST', after=True, status=201, body={'tenantId': fake.OTHER_PARTNER})

    with pytest.raises(GraphError) as caught:
        create(deleted, fake.PARTNER, {'displayName': 'Fabrikam'}, after={})

    assert "the create answer answered with the object of tenant '%s' instead of tenant %s" % (fake.OTHER_PARTNER, fake.PARTNER) \
        in caught.value.message


# ---------------------------------------------------------------------------------------------
# updates, deletes and plans


def test_an_update_is_a_patch_of_the_body_and_any_2xx_is_success(cloud, live):
    cloud.put_live(displayName='Old', userSyncInbound={'isSyncAllowed': True})
    cloud.inject(kind='graph', method='PATCH', after=True, status=200, body={'tenantId': fake.PARTNER})

    live.update(fake.PARTNER, {'displayName': 'New'})

    assert cloud.graph('PATCH')[0].json == {'displayName': 'New'}
    assert cloud.live[fake.PARTNER]['userSyncInbound'] == {'isSyncAllowed': True}


@pytest.mark.parametrize('action, expected_writes', [
    ('none', []),
    ('update', [('PATCH', '/beta' + SYNC_ITEM)]),
    ('delete', [('DELETE', '/beta' + SYNC_ITEM)]),
])
def test_carry_out_writes_what_the_plan_says_and_returns_the_object_after(cloud, live, action, expected_writes):
    current = cloud.put_live(displayName='Old')
    body = {'displayName': 'New'} if action == 'update' else None
    after = {} if action == 'delete' else dict(current, displayName='New') if action == 'update' else current

    done = carry_out(live, Plan(action, body=body, before=current, after=after, tenant_id=fake.PARTNER), False, None)

    assert [(s.method, s.path) for s in cloud.graph_writes()] == expected_writes
    assert done.after == after and done.action == action
    assert (cloud.view(fake.LIVE) or {}) == after


# ---------------------------------------------------------------------------------------------
# restore


def test_a_restore_answers_the_live_object_without_a_deletion_time(cloud, deleted):
    cloud.put_deleted(displayName='Fabrikam', deletedDateTime='2025-06-18T23:11:01Z')
    cloud.add_partner()

    restored = deleted.restore(fake.PARTNER)

    assert restored == cloud.view(fake.LIVE) and restored['deletedDateTime'] is None
    assert restored['displayName'] == 'Fabrikam'
    assert [s.method for s in cloud.graph()] == ['POST']


@pytest.mark.parametrize('body', [b'', {}])
def test_a_restore_answer_without_the_object_is_read_back_from_the_live_collection(cloud, deleted, body):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.add_partner()
    cloud.inject(kind='graph', method='POST', after=True, status=204, body=body)

    restored = deleted.restore(fake.PARTNER)

    assert restored == cloud.view(fake.LIVE)
    assert [(s.method, s.path) for s in cloud.graph()] == [('POST', '/beta' + DELETED_ITEM + '/restore'), ('GET', '/beta' + SYNC_ITEM)]


def test_a_restore_answered_with_another_tenants_object_is_refused(cloud, deleted):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.add_partner()
    cloud.inject(kind='graph', method='POST', after=True, status=200, body={'tenantId': fake.OTHER_PARTNER})

    with pytest.raises(EntraGraphError) as caught:
        deleted.restore(fake.PARTNER)

    assert 'the restore answer answered with the object of tenant' in caught.value.message
