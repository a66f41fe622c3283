# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection settings on their own: clouds, overrides, scope and TLS choices."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.auth import choose_auth_method
from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings, connection_argument_spec
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


@pytest.mark.parametrize('params, verify', [
    (dict(), True),
    (dict(validate_certs=False), False),
    (dict(validate_certs=False, ca_path=__file__), False),
    (dict(ca_path=__file__), __file__),
])
def test_verify(params, verify):
    assert settings(**params).verify == verify


def test_blank_credentials_count_as_missing():
    s = settings(client_secret='  ', access_token='', client_certificate_path=None, federated_token_file='/f')
    assert (s.client_secret, s.access_token) == (None, None)
    assert choose_auth_method(s) == 'workload_identity'


def test_every_credential_option_has_its_environment_fallback():
    spec = connection_argument_spec()
    expected = {
        'tenant': ['AZURE_TENANT_ID', 'AZURE_TENANT'],
        'client_id': ['AZURE_CLIENT_ID'],
        'client_secret': ['AZURE_CLIENT_SECRET', 'AZURE_SECRET'],
        'client_certificate_path': ['AZURE_CLIENT_CERTIFICATE_PATH'],
        'client_certificate_password': ['AZURE_CLIENT_CERTIFICATE_PASSWORD'],
        'federated_token_file': ['AZURE_FEDERATED_TOKEN_FILE'],
        'cloud_environment': ['AZURE_CLOUD_ENVIRONMENT'],
        'authority_host': ['AZURE_AUTHORITY_HOST'],
    }
    for option, variables in expected.items():
        assert spec[option]['fallback'][1] == variables, option
    for option in ('client_secret', 'client_certificate_password', 'access_token'):
        assert spec[option]['no_log'] is True, option


def test_max_retries_zero_is_allowed():
    assert settings(max_retries=0).max_retries == 0
    with pytest.raises(ConfigurationError):
        settings(max_retries=None)
