# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token cache file: forks that share it sign in once, and odd content, a folder others may write, or a folder
given as the path never fails a task (a warning says what to do). Each ``task_client`` here is one task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.entra.graph.plugins.module_utils.token_cache import cache_problem
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import at_once, cached_tokens, task_client

ITEM = '/policies/deletedItems/crossTenantSyncPolicyPartners/' + fake.PARTNER


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / 'cache' / 'tokens.json')


def test_forks_sharing_an_empty_cache_sign_in_once(cloud, secret_auth, cache_path):
    """Each client has its own cache file object, as each forked process has: the lock file makes them take turns."""
    clients = [task_client(secret_auth, cache_path) for dummy in range(8)]

    errors = at_once(lambda client: client.token_provider.token(), clients)

    assert errors == []
    assert len(cloud.token_requests()) == 1
    assert set(c.token_provider.token() for c in clients) == set(cloud.issued())
    with open(cache_path) as handle:
        assert cache_problem(handle.read()) is None


# ---------------------------------------------------------------------------------------------
# a cache file that cannot be used is never fatal


def valid_cache(cloud, secret_auth, cache_path):
    task_client(secret_auth, cache_path).token_provider.token()
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

    client = task_client(secret_auth, cache_path)
    client.get(ITEM, missing_ok=True)

    assert len(cloud.token_requests()) == 2
    [warning] = client.warnings
    assert 'was discarded and will be rewritten' in warning and field in warning
    assert 'proxy' not in warning and cloud.issued()[0] not in warning
    with open(cache_path) as handle:
        assert cache_problem(handle.read()) is None
    assert cached_tokens(cache_path) == [cloud.issued()[1]]
    third = task_client(secret_auth, cache_path)
    third.get(ITEM, missing_ok=True)
    assert len(cloud.token_requests()) == 2 and third.warnings == []


def test_a_directory_as_the_cache_path_gets_the_right_advice(cloud, secret_auth, tmp_path):
    folder = tmp_path / 'cachedir'
    folder.mkdir()

    client = task_client(secret_auth, str(folder))
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

    client = task_client(secret_auth, path)
    client.get(ITEM, missing_ok=True)

    assert os.path.exists(path) is used
    if used:
        assert client.warnings == []
    else:
        [warning] = client.warnings
        assert 'can be written by every user' in warning and 'sticky bit' in warning
