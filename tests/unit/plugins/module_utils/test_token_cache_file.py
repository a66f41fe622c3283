# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tokens Graph refuses (revoked, or issued before a permission was granted) are replaced once; a token
cache with odd content, in a folder others may write, or given as a folder, never fails a task; forks that
share the cache sign in once. Each ``graph_client`` here is one task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading

import pytest

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.plugins.module_utils.token_cache import cache_problem
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client, graph_module

COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
ITEM = COLLECTION + '/' + fake.PARTNER
READ, WRITE = 'Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'
LATE_APP, LATE_SECRET = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 'consent-later-app-secret-4711'


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / 'cache' / 'tokens.json')


def task(auth, cache_path=None, **options):
    """The Graph client of one task, with the warnings the task would show in ``client.warnings``."""
    if cache_path is not None:
        options.update(token_cache=True, token_cache_path=cache_path)
    module = graph_module(**dict(auth, **options))
    warnings = []
    module.ansible.warn = warnings.append
    client = module.client
    client.warnings = warnings
    return client


def cached_secrets(path):
    with open(path) as handle:
        data = json.load(handle)
    return [entry['secret'] for entry in data.get('AccessToken', {}).values()]


def bearers(cloud):
    return [s.headers['Authorization'][len('Bearer '):] for s in cloud.graph()]


# ---------------------------------------------------------------------------------------------
# a refused token is replaced once


def test_a_revoked_cached_token_is_replaced_by_one_sign_in_and_the_cache_rewritten(cloud, secret_auth, cache_path):
    cloud.put_deleted()
    task(secret_auth, cache_path).get(ITEM)
    old = cloud.issued()[0]
    cloud.emulator.revoke_tokens()

    second = task(secret_auth, cache_path)
    assert second.get(ITEM)['tenantId'] == fake.PARTNER
    new = cloud.issued()[1]
    assert len(cloud.token_requests()) == 2
    assert bearers(cloud)[1:] == [old, new], 'the cached token was refused once, then the request repeated once'
    assert cached_secrets(cache_path) == [new]

    task(secret_auth, cache_path).get(ITEM)
    assert len(cloud.token_requests()) == 2, 'the next task uses the new token without signing in'
    assert second.warnings == []


def test_a_cached_token_from_before_a_grant_is_replaced_and_the_write_done(cloud, cache_path):
    cloud.emulator.add_app(client_id=LATE_APP, client_secret=LATE_SECRET, roles=[READ])
    auth = dict(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=LATE_APP, client_secret=LATE_SECRET)
    body = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'}
    first = task(auth, cache_path)
    assert first.get(ITEM, missing_ok=True) is None
    with pytest.raises(GraphError) as refused:
        first.request('POST', COLLECTION, body=body)
    assert refused.value.status == 403 and 'Policy.ReadWrite.CrossTenantAccess' in refused.value.message
    assert len(cloud.token_requests()) == 1, 'a token just signed in for is not replaced: 403 is the answer'

    cloud.emulator.set_app_roles(LATE_APP, [READ, WRITE])  # the administrator grants consent
    response = task(auth, cache_path).request('POST', COLLECTION, body=body)

    assert response.status == 201 and fake.PARTNER in cloud.deleted
    assert len(cloud.token_requests()) == 2
    assert [s.status for s in cloud.graph('POST')] == [403, 403, 201]


def test_a_token_just_signed_in_for_that_graph_refuses_fails_without_a_loop(cloud, secret_auth, cache_path):
    cloud.inject(kind='graph', times=10, status=401, headers={'request-id': 'req-401'},
                 body={'error': {'code': 'InvalidAuthenticationToken', 'message': 'Access token validation failure.'}})

    with pytest.raises(GraphError) as caught:
        task(secret_auth, cache_path).get(ITEM)

    assert len(cloud.graph()) == 1 and len(cloud.token_requests()) == 1
    assert 'HTTP 401 InvalidAuthenticationToken' in caught.value.message and 'req-401' in caught.value.message


def test_a_replacement_refused_again_fails_and_says_so(cloud, secret_auth, cache_path):
    task(secret_auth, cache_path).token_provider.token()
    cloud.inject(kind='graph', times=10, status=401,
                 body={'error': {'code': 'InvalidAuthenticationToken', 'message': 'Access token has expired.'}})

    with pytest.raises(GraphError) as caught:
        task(secret_auth, cache_path).get(ITEM)

    assert len(cloud.graph()) == 2 and len(cloud.token_requests()) == 2
    assert 'refused again with a token signed in for just now' in caught.value.message


def test_a_token_graph_took_earlier_in_the_task_is_replaced_when_revoked(cloud, secret_auth):
    cloud.put_deleted()
    client = task(secret_auth)
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
    task(secret_auth, cache_path).token_provider.token()
    cloud.emulator.revoke_tokens()
    client = task(secret_auth, cache_path)
    barrier = threading.Barrier(6)
    errors = []

    def work(index):
        try:
            barrier.wait(10)
            client.get(COLLECTION + '/00000000-0000-4000-8000-%012d' % index)
        except Exception as exc:  # pylint: disable=broad-except - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(cloud.token_requests()) == 2, 'one sign-in before the revocation, one after it, for six threads'


def test_forks_sharing_an_empty_cache_sign_in_once(cloud, secret_auth, cache_path):
    """Each client has its own cache file object, as each forked process has: the lock file makes them take turns."""
    clients = [task(secret_auth, cache_path) for dummy in range(8)]
    barrier = threading.Barrier(8)
    errors = []

    def work(client):
        try:
            barrier.wait(10)
            client.token_provider.token()
        except Exception as exc:  # pylint: disable=broad-except - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(cloud.token_requests()) == 1
    assert set(c.token_provider.token() for c in clients) == set(cloud.issued())
    with open(cache_path) as handle:
        assert cache_problem(handle.read()) is None


# ---------------------------------------------------------------------------------------------
# a cache file that cannot be used is never fatal


def valid_cache(cloud, secret_auth, cache_path):
    task(secret_auth, cache_path).token_provider.token()
    with open(cache_path) as handle:
        return json.load(handle)


@pytest.mark.parametrize('field, value', [
    ('expires_on', None), ('expires_on', 'nope'), ('expires_on', []), ('expires_on', True),
    ('cached_at', 'yesterday'), ('secret', 5), ('target', ['https://graph.microsoft.com/.default']), ('realm', 7),
])
def test_an_odd_entry_is_discarded_with_a_warning_and_the_cache_rewritten(cloud, secret_auth, cache_path, field, value):
    data = valid_cache(cloud, secret_auth, cache_path)
    for entry in data['AccessToken'].values():
        entry[field] = value
    with open(cache_path, 'w') as handle:
        json.dump(data, handle)

    client = task(secret_auth, cache_path)
    client.get(ITEM, missing_ok=True)

    assert len(cloud.token_requests()) == 2
    [warning] = client.warnings
    assert 'was discarded and will be rewritten' in warning and field in warning
    assert 'proxy' not in warning and cloud.issued()[0] not in warning
    with open(cache_path) as handle:
        assert cache_problem(handle.read()) is None
    assert cached_secrets(cache_path) == [cloud.issued()[1]]
    third = task(secret_auth, cache_path)
    third.get(ITEM, missing_ok=True)
    assert len(cloud.token_requests()) == 2 and third.warnings == []


def test_a_directory_as_the_cache_path_gets_the_right_advice(cloud, secret_auth, tmp_path):
    folder = tmp_path / 'cachedir'
    folder.mkdir()

    client = task(secret_auth, str(folder))
    client.get(ITEM, missing_ok=True)

    [warning] = client.warnings
    assert 'is a directory' in warning and os.path.join(str(folder), 'msal_token_cache.json') in warning
    assert os.listdir(str(folder)) == []


@pytest.mark.parametrize('sticky, used', [(False, False), (True, True)])
def test_a_cache_in_a_folder_everyone_may_write_is_refused_unless_sticky(cloud, secret_auth, tmp_path, sticky, used):
    folder = tmp_path / 'shared'
    folder.mkdir()
    os.chmod(str(folder), 0o1777 if sticky else 0o777)
    path = str(folder / 'tokens.json')

    client = task(secret_auth, path)
    client.get(ITEM, missing_ok=True)

    assert os.path.exists(path) is used
    if used:
        assert client.warnings == []
    else:
        [warning] = client.warnings
        assert 'can be written by every user' in warning and 'sticky bit' in warning
