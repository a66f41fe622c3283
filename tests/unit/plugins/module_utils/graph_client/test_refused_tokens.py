# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GraphClient: a token Graph refuses (revoked, or issued before a permission was granted), from the token cache or
taken earlier in the task, is replaced by one sign-in and the request repeated once; never in a loop, never a
ready access token. Each ``task_client`` here is one task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, DeletedPolicies
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import at_once, cached_tokens, graph_client, task_client

COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
ITEM = COLLECTION + '/' + fake.PARTNER
READ, WRITE = 'Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'
LATE_APP, LATE_SECRET = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 'consent-later-app-secret-4711'


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / 'cache' / 'tokens.json')


def bearers(cloud):
    return [s.headers['Authorization'][len('Bearer '):] for s in cloud.graph()]


def test_a_revoked_cached_token_is_replaced_by_one_sign_in_and_the_cache_rewritten(cloud, secret_auth, cache_path):
    cloud.put_deleted()
    task_client(secret_auth, cache_path).get(ITEM)
    old = cloud.issued()[0]
    cloud.emulator.revoke_tokens()

    second = task_client(secret_auth, cache_path)
    assert second.get(ITEM)['tenantId'] == fake.PARTNER
    new = cloud.issued()[1]
    assert len(cloud.token_requests()) == 2
    assert bearers(cloud)[1:] == [old, new], 'the cached token was refused once, then the request repeated once'
    assert cached_tokens(cache_path) == [new]

    task_client(secret_auth, cache_path).get(ITEM)
    assert len(cloud.token_requests()) == 2, 'the next task uses the new token without signing in'
    assert second.warnings == []


def test_a_cached_token_from_before_a_grant_is_replaced_and_the_write_done(cloud, cache_path):
    cloud.emulator.add_app(client_id=LATE_APP, client_secret=LATE_SECRET, roles=[READ])
    auth = dict(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=LATE_APP, client_secret=LATE_SECRET)
    body = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'}
    first = task_client(auth, cache_path)
    assert first.get(ITEM, missing_ok=True) is None
    with pytest.raises(GraphError) as refused:
        DeletedPolicies(first, SYNC_POLICY, None).write('POST', COLLECTION, body=body)
    assert refused.value.status == 403 and 'Policy.ReadWrite.CrossTenantAccess' in refused.value.message
    assert len(cloud.token_requests()) == 1, 'a token just signed in for is not replaced: 403 is the answer'

    cloud.emulator.set_app_roles(LATE_APP, [READ, WRITE])  # the administrator grants consent
    response = task_client(auth, cache_path).request('POST', COLLECTION, body=body)

    assert response.status == 201 and fake.PARTNER in cloud.deleted
    assert len(cloud.token_requests()) == 2
    assert [s.status for s in cloud.graph('POST')] == [403, 403, 201]


def test_a_token_just_signed_in_for_that_graph_refuses_fails_without_a_loop(cloud, secret_auth, cache_path):
    cloud.inject(kind='graph', times=10, status=401, headers={'request-id': 'req-401'},
                 body={'error': {'code': 'InvalidAuthenticationToken', 'message': 'Access token validation failure.'}})

    with pytest.raises(GraphError) as caught:
        task_client(secret_auth, cache_path).get(ITEM)

    assert len(cloud.graph()) == 1 and len(cloud.token_requests()) == 1
    assert 'HTTP 401 InvalidAuthenticationToken' in caught.value.message and 'req-401' in caught.value.message


def test_a_replacement_refused_again_fails_and_says_so(cloud, secret_auth, cache_path):
    task_client(secret_auth, cache_path).token_provider.token()
    cloud.inject(kind='graph', times=10, status=401,
                 body={'error': {'code': 'InvalidAuthenticationToken', 'message': 'Access token has expired.'}})

    with pytest.raises(GraphError) as caught:
        task_client(secret_auth, cache_path).get(ITEM)

    assert len(cloud.graph()) == 2 and len(cloud.token_requests()) == 2
    assert 'refused again with a token signed in for just now' in caught.value.message


def test_a_token_graph_took_earlier_in_the_task_is_replaced_when_revoked(cloud, secret_auth):
    cloud.put_deleted()
    client = task_client(secret_auth)
    client.get(ITEM)
    cloud.emulator.revoke_tokens()

    assert client.get(ITEM)['tenantId'] == fake.PARTNER
    assert [s.status for s in cloud.graph()] == [200, 401, 200]
    assert len(cloud.token_requests()) == 2


def test_a_ready_access_token_graph_refuses_is_not_replaced(cloud):
    client = graph_client(access_token=cloud.ready_token(roles=[READ]))

    with pytest.raises(GraphError) as caught:
        client.request('POST', COLLECTION, body={'tenantId': fake.PARTNER})

    assert caught.value.status == 403 and len(cloud.graph()) == 1 and cloud.token_requests() == []


def test_threads_meeting_a_revoked_token_sign_in_once(cloud, secret_auth, cache_path):
    for index in range(6):
        cloud.put_deleted('00000000-0000-4000-8000-%012d' % index)
    task_client(secret_auth, cache_path).token_provider.token()
    cloud.emulator.revoke_tokens()
    client = task_client(secret_auth, cache_path)

    errors = at_once(lambda index: client.get(COLLECTION + '/00000000-0000-4000-8000-%012d' % index), range(6))

    assert errors == []
    assert len(cloud.token_requests()) == 2, 'one sign-in before the revocation, one after it, for six threads'
