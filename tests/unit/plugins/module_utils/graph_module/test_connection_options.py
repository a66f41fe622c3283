# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module's connection options: what is missing, unreadable or malformed fails with a message naming the
option (and the environment variable it may come from), before any request leaves the machine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner, crosstenant_sync_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_failed_before_any_request, run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


@pytest.fixture
def task(secret_auth):
    return dict(secret_auth, tenant_id=fake.PARTNER, display_name='Fabrikam')


# ---------------------------------------------------------------------------------------------
# credentials


@pytest.mark.parametrize('method, given, words', [
    ('client_secret', dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID), ['client_secret (or AZURE_CLIENT_SECRET or AZURE_SECRET)']),
    ('client_secret', dict(client_id=fake.CLIENT_ID, client_secret=fake.CLIENT_SECRET), ['tenant (or AZURE_TENANT_ID or AZURE_TENANT)']),
    ('client_secret', dict(tenant=fake.HOME_TENANT, client_secret=fake.CLIENT_SECRET), ['client_id (or AZURE_CLIENT_ID)']),
    ('client_secret', dict(),
     ['tenant (or AZURE_TENANT_ID or AZURE_TENANT)', 'client_id (or AZURE_CLIENT_ID)', 'client_secret (or AZURE_CLIENT_SECRET or AZURE_SECRET)']),
    ('client_certificate', dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID),
     ['client_certificate_path (or AZURE_CLIENT_CERTIFICATE_PATH)']),
    ('workload_identity', dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID),
     ['federated_token_file (or AZURE_FEDERATED_TOKEN_FILE)']),
    ('workload_identity', dict(client_id=fake.CLIENT_ID, federated_token_file='/x'), ['tenant (or AZURE_TENANT_ID or AZURE_TENANT)']),
    ('access_token', dict(), ['access_token']),
    ('access_token', dict(access_token='   '), ['access_token']),
])
def test_missing_credentials_name_the_option_and_the_variable(cloud, method, given, words):
    result = run(dict(given, auth_method=method, tenant_id=fake.PARTNER))

    assert_failed_before_any_request(result, cloud, 'auth_method=%s needs' % method, *words)


def test_blank_environment_variable_counts_as_missing(cloud, monkeypatch):
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', fake.CLIENT_ID)
    monkeypatch.setenv('AZURE_CLIENT_SECRET', '')

    result = run(dict(auth_method='client_secret', tenant_id=fake.PARTNER))

    assert_failed_before_any_request(result, cloud, 'client_secret (or AZURE_CLIENT_SECRET or AZURE_SECRET)')


@pytest.fixture
def cert_task():
    return dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, tenant_id=fake.PARTNER)


@pytest.mark.parametrize('attr, words', [
    ('unreadable_path', ['client_certificate_path', 'cannot be read', 'No such file']),
    ('empty_path', ['client_certificate_path', 'is empty']),
    ('garbage_path', ['client_certificate_path', 'no PEM private key']),
    ('cert_only_path', ['client_certificate_path', 'no PEM private key']),
    ('key_only_path', ['client_certificate_path', 'no PEM certificate']),
])
def test_unusable_certificate_file(cloud, pki, cert_task, attr, words):
    result = run(dict(cert_task, client_certificate_path=getattr(pki, attr)))

    assert_failed_before_any_request(result, cloud, getattr(pki, attr), *words)
    assert result['option'] == 'client_certificate_path'


def test_certificate_folder_instead_of_file(cloud, pki, cert_task, tmp_path):
    result = run(dict(cert_task, client_certificate_path=str(tmp_path)))

    assert_failed_before_any_request(result, cloud, 'client_certificate_path', 'cannot be read')


def test_encrypted_key_without_password(cloud, pki, cert_task):
    result = run(dict(cert_task, client_certificate_path=pki.encrypted_path))

    assert_failed_before_any_request(result, cloud, 'client_certificate_password')
    assert result['option'] == 'client_certificate_password'


def test_wrong_certificate_password(cloud, pki, cert_task):
    result = run(dict(cert_task, client_certificate_path=pki.encrypted_path, client_certificate_password='not-the-password'))

    assert_failed_before_any_request(result, cloud, 'client_certificate_password', 'wrong password')
    assert result['option'] == 'client_certificate_password'
    assert 'not-the-password' not in result.stdout


def test_password_for_a_key_that_is_not_encrypted(cloud, pki, cert_task):
    result = run(dict(cert_task, client_certificate_path=pki.pem_path, client_certificate_password='unneeded-password'))

    assert_failed_before_any_request(result, cloud, 'client_certificate_password')
    assert 'unneeded-password' not in result.stdout


@pytest.fixture
def federated_task():
    return dict(auth_method='workload_identity', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, tenant_id=fake.PARTNER)


@pytest.mark.parametrize('content, words', [
    (None, ['cannot be read']),
    ('', ['is empty']),
    ('  \n', ['is empty']),
    ('not-a-jwt', ['does not hold a JWT']),
    ('a.b', ['does not hold a JWT']),
    ('a.b.c.d', ['does not hold a JWT']),
])
def test_unusable_federated_token_file(cloud, federated_task, tmp_path, content, words):
    path = tmp_path / 'azure-identity-token'
    if content is not None:
        path.write_text(content)

    result = run(dict(federated_task, federated_token_file=str(path)))

    assert_failed_before_any_request(result, cloud, 'federated_token_file', str(path), *words)
    assert result['option'] == 'federated_token_file'


# ---------------------------------------------------------------------------------------------
# endpoints, clouds, transport settings


@pytest.mark.parametrize('option', ['graph_endpoint', 'authority_host'])
@pytest.mark.parametrize('value', [
    'http://graph.microsoft.com',
    'graph.microsoft.com',
    'ftp://graph.microsoft.com',
    'https://',
    'https:///beta',
    'https://graph.microsoft.com/?tenant=x',
    'https://graph.microsoft.com/#frag',
])
def test_endpoint_override_must_be_an_https_url(cloud, task, option, value):
    result = run(dict(task, **{option: value}))

    assert_failed_before_any_request(result, cloud, option, 'https')
    assert result['option'] == option


@pytest.mark.parametrize('option', ['graph_endpoint', 'authority_host'])
@pytest.mark.parametrize('value', ['https://[::1', 'https://127.0.0.1:99999'])
def test_endpoint_override_that_is_not_a_url_at_all(cloud, task, option, value):
    result = run(dict(task, **{option: value}))

    assert_failed_before_any_request(result, cloud, option, 'not a valid URL')
    assert result['option'] == option


def test_authority_host_from_the_environment_is_checked_too(cloud, task, monkeypatch):
    monkeypatch.setenv('AZURE_AUTHORITY_HOST', 'http://login.microsoftonline.com')

    assert_failed_before_any_request(run(task), cloud, 'authority_host', 'https')


@pytest.mark.parametrize('value', ['mars', 'AzureGermanCloud', 'usgov'])
def test_unknown_cloud_environment(cloud, task, value):
    result = run(dict(task, cloud_environment=value))

    assert_failed_before_any_request(result, cloud, 'cloud_environment', value, 'global', 'us_gov', 'us_gov_dod', 'china')
    assert result['option'] == 'cloud_environment'


def test_unknown_cloud_environment_from_the_environment(cloud, task, monkeypatch):
    monkeypatch.setenv('AZURE_CLOUD_ENVIRONMENT', 'AzureStackHub')

    assert_failed_before_any_request(run(task), cloud, 'cloud_environment', 'AzureStackHub')


@pytest.mark.parametrize('options, option', [
    (dict(timeout=0), 'timeout'),
    (dict(timeout=-5), 'timeout'),
    (dict(timeout='nan'), 'timeout'),
    (dict(timeout='inf'), 'timeout'),
    (dict(max_retries=-1), 'max_retries'),
    (dict(ca_path='/nonexistent/ca-bundle.pem'), 'ca_path'),
])
def test_transport_settings_are_checked(cloud, task, options, option):
    result = run(dict(task, **options))

    assert_failed_before_any_request(result, cloud, option)
    assert result['option'] == option


def test_info_module_checks_connection_options_too(cloud, secret_auth):
    result = run_module(crosstenant_sync_partner_info.main, dict(secret_auth, graph_endpoint='http://graph.microsoft.com'))

    assert_failed_before_any_request(result, cloud, 'graph_endpoint')


@pytest.mark.parametrize('token', ['eyJhbGciOi.eyJzdWIi\neyJzaWdu', 'eyJhbGciOi.eyJzdWIi.sig\u20ac', 'eyJhbGciOi eyJzdWIi.sig'])
def test_access_token_that_cannot_be_a_header_is_refused_without_quoting_it(cloud, token):
    result = run(dict(tenant_id=fake.PARTNER, auth_method='access_token', access_token=token))

    assert_failed_before_any_request(result, cloud, 'access_token', 'printable ASCII')
    assert 'eyJzdWIi' not in result['msg']
