# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The session under both Graph and sign-in: sized for the threads that share it, its TLS settings pinned against the
environment, CA bundle variables that cannot work, and a refused proxy named as the proxy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.transport import build_session
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import at_once, graph_client

DELETED = '/policies/deletedItems/crossTenantSyncPolicyPartners/'
ITEM = DELETED + fake.PARTNER
PROXY_REFUSED = ("HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta/x "
                 "(Caused by ProxyError('Unable to connect to proxy', NewConnectionError('<urllib3.connection.HTTPSConnection "
                 "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')))")


def tenant(index):
    return '00000000-0000-4000-8000-%012d' % index


# ---------------------------------------------------------------------------------------------
# one session for every thread


@pytest.mark.parametrize('pool_size, expected', [(None, 10), (4, 4), (32, 32)])
def test_the_session_keeps_as_many_connections_per_host_as_threads_will_send(pool_size, expected):
    session = build_session(ConnectionSettings({}), pool_size=pool_size)

    for url in ('https://graph.microsoft.com/beta/', 'https://login.microsoftonline.com/x'):
        assert session.get_adapter(url).poolmanager.connection_pool_kw['maxsize'] == expected


def test_threads_share_one_client_and_one_sign_in(cloud, secret_auth):
    for index in range(8):
        cloud.put_deleted(tenant(index), displayName='Partner %d' % index)
    client = graph_client(**secret_auth)
    results = {}

    def work(index):
        for dummy in range(3):
            results[index] = client.get(DELETED + tenant(index))['displayName']

    errors = at_once(work, range(8))

    assert errors == []
    assert results == dict((index, 'Partner %d' % index) for index in range(8))
    assert len(cloud.token_requests()) == 1, 'eight threads, one sign-in'
    assert len(cloud.graph()) == 24
    assert len(set(s.headers['Authorization'] for s in cloud.graph())) == 1


# ---------------------------------------------------------------------------------------------
# TLS and proxies


def test_session_verify_is_pinned_against_the_environment(cloud, secret_auth, pki, tmp_path, monkeypatch):
    bundle, other = tmp_path / 'ca.pem', tmp_path / 'other.pem'
    with open(pki.cert_only_path) as handle:
        bundle.write_text(handle.read())
    other.write_text('y')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(other))
    monkeypatch.setenv('CURL_CA_BUNDLE', str(other))
    cloud.put_deleted()
    client = graph_client(ca_path=str(bundle), **secret_auth)

    client.get(ITEM)

    assert set(s.verify for s in cloud.seen) == set([str(bundle)])


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
