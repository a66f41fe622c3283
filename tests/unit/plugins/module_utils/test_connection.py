# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection settings on their own: clouds, overrides, scope and TLS choices."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.auth import choose_auth_method
from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings, connection_argument_spec, environment_variables
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError


def settings(**params):
    return ConnectionSettings(params)


@pytest.mark.parametrize('name', ['AzureCloud', 'azurecloud', 'AzurePublicCloud', 'public', ' Global ', None, ''])
def test_global_cloud_spellings(name):
    s = settings(cloud_environment=name)
    assert (s.authority_host, s.graph_endpoint) == ('https://login.microsoftonline.com', 'https://graph.microsoft.com')


@pytest.mark.parametrize('name, cloud', [('AzureUSGovernment', 'us_gov'), ('AzureUSGovernmentCloud', 'us_gov'),
                                         ('usgovernment', 'us_gov'), ('AzureChinaCloud', 'china'), ('us_gov_dod', 'us_gov_dod')])
def test_other_cloud_spellings(name, cloud):
    assert settings(cloud_environment=name).cloud == cloud


def test_scope_and_authority_follow_the_overrides():
    s = settings(tenant='contoso.onmicrosoft.com', authority_host='https://login.example.test:8443/',
                 graph_endpoint=' https://graph.example.test/ ')

    assert s.authority == 'https://login.example.test:8443/contoso.onmicrosoft.com'
    assert s.scope == 'https://graph.example.test/.default'
    assert s.instance_discovery is False


@pytest.mark.parametrize('host', ['https://login.microsoftonline.com', 'https://login.microsoftonline.us',
                                  'https://login.chinacloudapi.cn', 'https://login.windows.net'])
def test_instance_discovery_stays_on_for_hosts_microsoft_knows(host):
    assert settings(authority_host=host).instance_discovery is True


@pytest.fixture
def ca_file(pki):
    return pki.cert_only_path


@pytest.mark.parametrize('params, verify', [
    (dict(), True),
    (dict(validate_certs=False), False),
    (dict(validate_certs=False, ca_path='CA'), False),
    (dict(ca_path='CA'), 'CA'),
])
def test_verify(params, verify, ca_file):
    params = dict((k, ca_file if v == 'CA' else v) for k, v in params.items())
    assert settings(**params).verify == (ca_file if verify == 'CA' else verify)


def test_blank_credentials_count_as_missing():
    s = settings(client_secret='  ', access_token='', client_certificate_path=None, federated_token_file='/f')
    assert (s.client_secret, s.access_token) == (None, None)
    assert choose_auth_method(s) == 'workload_identity'


def test_every_option_keeps_its_documented_environment_variables():
    expected = {
        'tenant': ['AZURE_TENANT_ID', 'AZURE_TENANT'],
        'client_id': ['AZURE_CLIENT_ID'],
        'client_secret': ['AZURE_CLIENT_SECRET', 'AZURE_SECRET'],
        'client_certificate_path': ['AZURE_CLIENT_CERTIFICATE_PATH'],
        'client_certificate_password': ['AZURE_CLIENT_CERTIFICATE_PASSWORD'],
        'federated_token_file': ['AZURE_FEDERATED_TOKEN_FILE'],
        'cloud_environment': ['AZURE_CLOUD_ENVIRONMENT'],
        'authority_host': ['AZURE_AUTHORITY_HOST'],
        'token_cache': ['ENTRA_GRAPH_TOKEN_CACHE'],
        'token_cache_path': ['ENTRA_GRAPH_TOKEN_CACHE_PATH'],
    }
    for option, variables in expected.items():
        assert environment_variables(option) == variables, option
    spec = connection_argument_spec()
    for option in ('client_secret', 'client_certificate_password', 'access_token'):
        assert spec[option]['no_log'] is True, option


def test_credentials_from_the_environment_are_read_in_order_and_known_as_such(monkeypatch):
    monkeypatch.setenv('AZURE_TENANT', 'fabrikam.onmicrosoft.com')
    monkeypatch.setenv('AZURE_SECRET', 'the-awx-secret-value')
    monkeypatch.setenv('AZURE_CLIENT_SECRET', '')
    s = settings(client_id='given-by-the-task')

    assert (s.tenant, s.client_secret, s.client_id) == ('fabrikam.onmicrosoft.com', 'the-awx-secret-value', 'given-by-the-task')
    assert s.from_environment == {'tenant': 'AZURE_TENANT', 'client_secret': 'AZURE_SECRET'}
    assert s.described('tenant') == 'tenant (from AZURE_TENANT)' and s.described('client_id') == 'client_id'
    assert s.secret_values() == ['the-awx-secret-value']


def test_the_tasks_own_value_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv('AZURE_CLIENT_SECRET', 'from-the-environment')
    monkeypatch.setenv('AZURE_CLIENT_CERTIFICATE_PATH', '/stale/app.pem')

    s = settings(client_secret='from-the-task')

    assert s.client_secret == 'from-the-task'
    assert choose_auth_method(s) == 'client_secret'


@pytest.mark.parametrize('option', ['graph_endpoint', 'authority_host'])
@pytest.mark.parametrize('value', ['https://graph.microsoft.com/v1.0', 'https://graph.microsoft.com/beta/', 'https://host.example/x'])
def test_an_endpoint_with_a_path_is_refused(option, value):
    with pytest.raises(ConfigurationError) as caught:
        settings(**{option: value})

    assert 'the host alone' in caught.value.message and 'without a path' in caught.value.message
    assert caught.value.details['option'] == option


@pytest.mark.parametrize('option', ['graph_endpoint', 'authority_host'])
@pytest.mark.parametrize('value', ['https://admin:Pa55word@graph.example.test', 'https://admin:Pa55word@graph.example.test/v1.0',
                                   'https://admin:Pa55word@graph.example.test:99999'])
def test_an_endpoint_with_credentials_is_refused_without_echoing_them(option, value):
    with pytest.raises(ConfigurationError) as caught:
        settings(**{option: value})

    assert 'user name or password' in caught.value.message
    assert 'Pa55word' not in caught.value.message and 'admin' not in caught.value.message


@pytest.mark.parametrize('value', ['72f988bf-86f1-41af-91ab-2d7cd011db47', '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
                                   'contoso.onmicrosoft.com', 'contoso.com', 'sub.contoso.co.uk', 'xn--bcher-kva.example'])
def test_tenant_as_a_guid_or_a_domain_name(value):
    assert settings(tenant=value).tenant == value


@pytest.mark.parametrize('value', ['contoso', '72f988bf-86f1-41af-91ab', 'https://login.microsoftonline.com/contoso.com',
                                   'contoso.com/', 'con toso.com', '-contoso.com', 'contoso..com', 'tenant=contoso.com'])
def test_tenant_that_is_neither_is_refused_before_any_request(value):
    with pytest.raises(ConfigurationError) as caught:
        settings(tenant=value)

    assert caught.value.details['option'] == 'tenant' and 'GUID' in caught.value.message


def test_tenant_from_the_environment_is_named_with_its_variable(monkeypatch):
    monkeypatch.setenv('AZURE_TENANT_ID', 'not a tenant')

    with pytest.raises(ConfigurationError) as caught:
        settings()

    assert 'tenant (from AZURE_TENANT_ID)' in caught.value.message


@pytest.mark.parametrize('content', [b'not a certificate', b'\x30\x82\x01\x0a' + b'\x00' * 50, b''])
def test_ca_path_that_is_not_pem_is_refused_before_any_request(tmp_path, content):
    path = tmp_path / 'ca.der'
    path.write_bytes(content)

    with pytest.raises(ConfigurationError) as caught:
        settings(ca_path=str(path))

    assert caught.value.details['option'] == 'ca_path'
    assert 'holds no PEM certificate' in caught.value.message and 'openssl x509 -inform der' in caught.value.message


def test_ca_path_that_is_missing_or_a_folder_is_refused(tmp_path):
    for path in (tmp_path / 'missing.pem', tmp_path):
        with pytest.raises(ConfigurationError) as caught:
            settings(ca_path=str(path))
        assert 'is not a readable file' in caught.value.message


def test_max_retries_zero_is_allowed():
    assert settings(max_retries=0).max_retries == 0
    with pytest.raises(ConfigurationError):
        settings(max_retries=None)
