# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module's token_cache and token_cache_path options: one sign-in for many tasks, a file only its owner can
read, turned on from the task or the environment, never fatal."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import time

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, dict(args, tenant_id=fake.PARTNER, state='absent'), **kwargs)


def sign_ins(cloud):
    return [s for s in cloud.seen if s.kind != 'graph']


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / 'cache-folder' / 'nested' / 'tokens.json')


def test_second_task_reuses_the_token_without_any_sign_in_request(cloud, secret_auth, cache_path):
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)

    first = run(args)
    after_first = len(cloud.seen)
    second = run(args)

    assert not first.failed and not second.failed, (first, second)
    assert len(cloud.token_requests()) == 1
    assert [s.kind for s in cloud.seen[after_first:]] == ['graph'], 'the second task made no sign-in request at all'
    bearers = set(s.headers['Authorization'] for s in cloud.graph())
    assert bearers == set(['Bearer ' + cloud.issued()[0]])


def test_cache_file_is_0600_in_a_0700_folder(cloud, secret_auth, cache_path):
    result = run(dict(secret_auth, token_cache=True, token_cache_path=cache_path))

    assert not result.failed, result
    assert mode(cache_path) == 0o600
    assert mode(os.path.dirname(cache_path)) == 0o700
    with open(cache_path) as handle:
        text = handle.read()
    assert cloud.issued()[0] in text
    assert fake.CLIENT_SECRET not in text, 'the cache holds tokens, never the credential'


def test_cache_lives_under_the_home_folder_by_default(cloud, secret_auth, isolated_environment):
    result = run(dict(secret_auth, token_cache=True))

    assert not result.failed, result
    path = os.path.join(str(isolated_environment), '.cache', 'entra.graph', 'msal_token_cache.json')
    assert mode(path) == 0o600


def test_cache_is_turned_on_from_the_environment(cloud, secret_auth, cache_path, monkeypatch):
    monkeypatch.setenv('ENTRA_GRAPH_TOKEN_CACHE', 'true')
    monkeypatch.setenv('ENTRA_GRAPH_TOKEN_CACHE_PATH', cache_path)

    run(secret_auth)
    run(secret_auth)

    assert os.path.isfile(cache_path)
    assert len(cloud.token_requests()) == 1


def test_cache_is_off_by_default(cloud, secret_auth, isolated_environment):
    run(secret_auth)
    run(secret_auth)

    assert len(cloud.token_requests()) == 2
    assert not os.path.exists(os.path.join(str(isolated_environment), '.cache'))


def test_cache_that_others_can_read_is_ignored_with_a_warning(cloud, secret_auth, cache_path):
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)
    run(args)
    os.chmod(cache_path, 0o644)
    with open(cache_path) as handle:
        before = handle.read()

    result = run(args)

    assert not result.failed, result
    assert len(cloud.token_requests()) == 2, 'a token from an unsafe file is not used'
    [warning] = [w for w in result.warnings if 'token cache' in w]
    assert cache_path in warning and 'chmod 600' in warning
    with open(cache_path) as handle:
        assert handle.read() == before, 'an unsafe file is left alone'
    assert mode(cache_path) == 0o644


@pytest.mark.parametrize('content', ['{not json', '[]', '"a string"', '{"AccessToken": "wrong shape"}'])
def test_corrupt_cache_is_discarded_not_fatal(cloud, secret_auth, cache_path, content):
    os.makedirs(os.path.dirname(cache_path), 0o700)
    with open(cache_path, 'w') as handle:
        handle.write(content)
    os.chmod(cache_path, 0o600)
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)

    result = run(args)

    assert not result.failed and 'exception' not in result, result
    assert any('corrupt' in w and cache_path in w for w in result.warnings), result.warnings
    assert len(cloud.token_requests()) == 1
    with open(cache_path) as handle:
        assert cloud.issued()[0] in handle.read(), 'the next save rewrites the file'
    run(args)
    assert len(cloud.token_requests()) == 1, 'and the rewritten file serves the next task'


def test_token_close_to_expiry_is_not_used(cloud, secret_auth, cache_path):
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)
    run(args)
    with open(cache_path) as handle:
        data = json.load(handle)
    for entry in data['AccessToken'].values():
        entry['expires_on'] = str(int(time.time()) + 120)
    with open(cache_path, 'w') as handle:
        json.dump(data, handle)

    result = run(args)

    assert not result.failed, result
    assert len(cloud.token_requests()) == 2
    assert cloud.graph()[-1].headers['Authorization'] == 'Bearer ' + cloud.issued()[1]


def test_token_for_another_cloud_is_not_reused(cloud, secret_auth, cache_path):
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)

    run(args)
    result = run(dict(args, cloud_environment='us_gov'))

    assert not result.failed, result
    assert [t.host for t in cloud.token_requests()] == ['login.microsoftonline.com', 'login.microsoftonline.us']
    assert cloud.graph()[-1].headers['Authorization'] == 'Bearer ' + cloud.issued()[1]


def test_token_for_another_app_is_not_reused(cloud, secret_auth, cache_path):
    other_app = '99999999-8888-7777-6666-555555555555'
    cloud.emulator.add_app(client_id=other_app, client_secret='other-app-secret-value')
    args = dict(secret_auth, token_cache=True, token_cache_path=cache_path)

    run(args)
    result = run(dict(args, client_id=other_app, client_secret='other-app-secret-value'))

    assert not result.failed, result
    assert len(cloud.token_requests()) == 2


def test_managed_identity_token_is_cached_too(cloud, cache_path):
    args = dict(auth_method='managed_identity', token_cache=True, token_cache_path=cache_path)

    run(args)
    result = run(args)

    assert not result.failed, result
    assert len(cloud.requests('mi_imds')) == 1


def test_never_used_with_a_ready_access_token(cloud, cache_path):
    result = run(dict(auth_method='auto', access_token=cloud.ready_token(), token_cache=True, token_cache_path=cache_path))

    assert not result.failed, result
    assert not os.path.exists(cache_path) and not os.path.exists(os.path.dirname(cache_path))
