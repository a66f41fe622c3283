# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP layer: one session sized for the threads that share it, throttling that holds every thread back,
TLS settings from the environment that cannot work, and a refused proxy named as the proxy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.plugins.module_utils.transport import build_session
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client

DELETED = '/policies/deletedItems/crossTenantSyncPolicyPartners/'
PROXY_REFUSED = ("HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta/x "
                 "(Caused by ProxyError('Unable to connect to proxy', NewConnectionError('<urllib3.connection.HTTPSConnection "
                 "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')))")


def tenant(index):
    return '00000000-0000-4000-8000-%012d' % index


@pytest.mark.parametrize('pool_size, expected', [(None, 10), (4, 4), (32, 32)])
def test_the_session_keeps_as_many_connections_per_host_as_threads_will_send(pool_size, expected):
    session = build_session(ConnectionSettings({}), pool_size=pool_size)

    for url in ('https://graph.microsoft.com/beta/', 'https://login.microsoftonline.com/x'):
        assert session.get_adapter(url).poolmanager.connection_pool_kw['maxsize'] == expected


def test_threads_share_one_client_and_one_sign_in(cloud, secret_auth):
    for index in range(8):
        cloud.put_deleted(tenant(index), displayName='Partner %d' % index)
    client = graph_client(**secret_auth)
    barrier = threading.Barrier(8)
    results, errors = {}, []

    def work(index):
        try:
            barrier.wait(10)
            for dummy in range(3):
                results[index] = client.get(DELETED + tenant(index))['displayName']
        except Exception as exc:  # pylint: disable=broad-except - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert results == dict((index, 'Partner %d' % index) for index in range(8))
    assert len(cloud.token_requests()) == 1, 'eight threads, one sign-in'
    assert len(cloud.graph()) == 24
    assert len(set(s.headers['Authorization'] for s in cloud.graph())) == 1


def test_throttling_on_one_thread_holds_back_the_others(cloud, secret_auth):
    """Thread A gets a 429 asking for 5 s and sleeps; thread B, sending meanwhile, waits for those 5 s first."""
    cloud.put_deleted(tenant(1))
    cloud.put_deleted(tenant(2))
    cloud.inject(kind='graph', path=tenant(1), status=429, headers={'Retry-After': '5'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Slow down.'}})
    client = graph_client(**secret_auth)
    client.token_provider.token()
    slept = []
    a_sleeping, release_a = threading.Event(), threading.Event()
    clock = [100.0]

    def sleep(seconds):
        slept.append((threading.current_thread().name, seconds, len(cloud.graph())))
        if threading.current_thread().name == 'A':
            a_sleeping.set()
            release_a.wait(10)
        clock[0] += seconds

    client.transport.policy = RetryPolicy(sleep=sleep, clock=lambda: clock[0])
    a = threading.Thread(target=client.get, args=(DELETED + tenant(1),), name='A')
    a.start()
    assert a_sleeping.wait(10)
    b = threading.Thread(target=client.get, args=(DELETED + tenant(2),), name='B')
    b.start()
    b.join(10)
    release_a.set()
    a.join(10)

    # B slept the whole hold before it sent anything: at that moment only A's throttled GET had gone out.
    assert slept == [('A', 5.0, 1), ('B', 5.0, 1)]
    assert [(s.path.rsplit('/', 1)[-1], s.status) for s in cloud.graph()] == [(tenant(1), 429), (tenant(2), 200), (tenant(1), 200)]


@pytest.mark.parametrize('variable', ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])
def test_a_ca_bundle_variable_naming_a_missing_file_is_a_tls_configuration_error(cloud, secret_auth, monkeypatch, tmp_path, variable):
    missing = str(tmp_path / 'gone' / 'ca.pem')
    monkeypatch.setenv(variable, missing)

    with pytest.raises(ConfigurationError) as caught:
        graph_client(**secret_auth)

    message = caught.value.message
    assert variable in message and missing in message and 'ca_path' in message and 'TLS' in message
    assert caught.value.details['option'] == 'ca_path'
    assert cloud.seen == []


def test_ca_path_makes_a_broken_ca_bundle_variable_harmless(cloud, secret_auth, monkeypatch, tmp_path, pki):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(tmp_path / 'gone.pem'))
    cloud.put_deleted()

    client = graph_client(ca_path=pki.cert_only_path, **secret_auth)

    assert client.get(DELETED + fake.PARTNER)['tenantId'] == fake.PARTNER


def test_a_refused_proxy_is_named_as_the_proxy_without_its_password(cloud, secret_auth, monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxyuser:proxy-pass-1234@proxy.corp.example:3128')
    cloud.put_deleted()
    client = graph_client(waits=[], max_retries=1, **secret_auth)
    client.token_provider.token()
    cloud.inject(kind='graph', times=5, exc=requests.exceptions.ProxyError(PROXY_REFUSED))

    with pytest.raises(TransportError) as caught:
        client.get(DELETED + fake.PARTNER)

    message = caught.value.message
    assert 'the proxy http://proxy.corp.example:3128' in message and 'connection refused' in message
    assert 'HTTPS_PROXY' in message and 'NO_PROXY' in message
    assert 'proxy-pass-1234' not in message and 'proxyuser' not in message
    assert caught.value.details['error_kind'] == 'proxy'
    assert len(cloud.graph()) == 2, 'a proxy that refused the connection cannot have passed the request on: retried'


def test_a_ca_bundle_that_vanishes_is_a_tls_error_not_a_traceback(cloud, secret_auth):
    client = graph_client(**secret_auth)
    client.token_provider.token()
    cloud.inject(kind='graph', exc=OSError('Could not find a suitable TLS CA certificate bundle, invalid path: /etc/ca.pem'))

    with pytest.raises(TransportError) as caught:
        client.get(DELETED + fake.PARTNER)

    assert 'TLS configuration' in caught.value.message and '/etc/ca.pem' in caught.value.message
    assert caught.value.details['error_kind'] == 'tls'
