# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module's sign-in, with real MSAL against the emulator's Entra ID: each auth_method sends the right
thing to the right host, auto picks the first method whose inputs are set, and the environment fills in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, dict(args, tenant_id=fake.PARTNER, state='absent'), **kwargs)


def graph_bearer(cloud):
    """The bearer token of every Graph request (they must all carry the same one)."""
    tokens = set(s.headers['Authorization'] for s in cloud.graph())
    assert len(tokens) == 1, tokens
    return tokens.pop()[len('Bearer '):]


def jwt_header(token):
    part = token.split('.')[0]
    return json.loads(base64.urlsafe_b64decode(part + '=' * (-len(part) % 4)))


def test_client_secret_posts_the_secret_to_the_tenants_token_endpoint(cloud, secret_auth):
    result = run(secret_auth)

    assert not result.failed, result
    assert [d.url for d in cloud.requests('discovery')] == [
        'https://login.microsoftonline.com/%s/v2.0/.well-known/openid-configuration' % fake.HOME_TENANT]
    [token] = cloud.token_requests()
    assert token.url == 'https://login.microsoftonline.com/%s/oauth2/v2.0/token' % fake.HOME_TENANT
    assert token.form['grant_type'] == 'client_credentials'
    assert token.form['client_id'] == fake.CLIENT_ID
    assert token.form['client_secret'] == fake.CLIENT_SECRET
    assert token.form['scope'] == 'https://graph.microsoft.com/.default'
    assert 'client_assertion' not in token.form
    assert graph_bearer(cloud) == cloud.issued()[0]
    assert cloud.sign_ins() == ['client_secret']


@pytest.mark.parametrize('layout', ['pem_path', 'cert_first_path'])
def test_client_certificate_signs_an_assertion_with_the_certificates_key(cloud, pki, layout):
    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=getattr(pki, layout)))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert 'client_secret' not in token.form
    assert token.form['client_assertion_type'] == fake.JWT_BEARER
    assertion = token.form['client_assertion']
    header, payload = jwt_header(assertion), fake.jwt_claims(assertion)
    assert header['alg'] == 'RS256'
    assert header['x5t'].rstrip('=') == pki.x5t, 'x5t must be the certificate SHA-1 thumbprint, base64url'
    assert payload['aud'] == token.url
    assert payload['iss'] == payload['sub'] == fake.CLIENT_ID
    assert cloud.sign_ins() == ['client_certificate'], 'Entra ID (the emulator) verified the signature'
    assert graph_bearer(cloud) == cloud.issued()[0]


def test_client_certificate_with_an_encrypted_key_and_its_password(cloud, pki):
    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=pki.encrypted_path, client_certificate_password=pki.password))

    assert not result.failed, result
    assert jwt_header(cloud.token_requests()[0].form['client_assertion'])['x5t'].rstrip('=') == pki.x5t
    assert cloud.sign_ins() == ['client_certificate']


def test_assertion_signed_by_another_key_is_refused(cloud, tmp_path):
    from ansible_collections.entra.graph.tests.unit.helpers.pki import AppCertificate
    stranger = AppCertificate(str(tmp_path), common_name='not-registered')

    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=stranger.pem_path))

    assert result.failed
    assert 'AADSTS700027' in result['msg'] and 'auth_method=client_certificate' in result['msg']
    assert cloud.graph() == []


def test_workload_identity_sends_the_file_content_as_the_assertion(cloud, federated_file):
    result = run(dict(auth_method='workload_identity', tenant=fake.HOME_TENANT, client_id=cloud.info['federated_client_id'],
                      federated_token_file=federated_file))

    assert not result.failed, result
    [token] = cloud.token_requests()
    with open(federated_file) as handle:
        assert token.form['client_assertion'] == handle.read().strip()
    assert token.form['client_assertion_type'] == fake.JWT_BEARER
    assert token.form['client_id'] == cloud.info['federated_client_id']
    assert 'client_secret' not in token.form
    assert cloud.sign_ins() == ['workload_identity']


@pytest.mark.parametrize('host', ['app_service', 'vm'])
@pytest.mark.parametrize('user_assigned', [False, True])
def test_managed_identity_asks_the_hosts_endpoint(cloud, request, host, user_assigned):
    if host == 'app_service':
        request.getfixturevalue('app_service')
    client_id = cloud.info['mi_user_client_id'] if user_assigned else None
    args = dict(auth_method='managed_identity')
    if client_id:
        args['client_id'] = client_id

    result = run(args)

    assert not result.failed, result
    if host == 'app_service':
        [mi] = cloud.requests('mi_app_service')
        assert mi.url.startswith(fake.APP_SERVICE_ENDPOINT + '?')
        assert mi.headers['X-IDENTITY-HEADER'] == cloud.info['identity_header']
    else:
        [mi] = cloud.requests('mi_imds')
        assert mi.url.startswith(fake.IMDS_HOST + '/metadata/identity/oauth2/token?')
        assert mi.headers['Metadata'] == 'true'
    assert mi.method == 'GET' and mi.query['resource'] == 'https://graph.microsoft.com'
    assert mi.query.get('client_id') == client_id
    assert cloud.token_requests() == [] and cloud.requests('discovery') == []
    assert graph_bearer(cloud) == cloud.issued()[0]
    assert fake.jwt_claims(cloud.issued()[0])['appid'] == (client_id or cloud.info['mi_system_principal']['client_id'])


def test_managed_identity_asks_for_the_graph_endpoint_of_the_cloud(cloud):
    result = run(dict(auth_method='managed_identity', cloud_environment='china'))

    assert not result.failed, result
    assert cloud.requests('mi_imds')[0].query['resource'] == 'https://microsoftgraph.chinacloudapi.cn'
    assert set(s.host for s in cloud.graph()) == set(['microsoftgraph.chinacloudapi.cn'])


def test_access_token_is_used_as_it_is_without_sign_in(cloud):
    ready = cloud.ready_token()

    result = run(dict(auth_method='access_token', access_token=ready))

    assert not result.failed, result
    assert graph_bearer(cloud) == ready
    assert cloud.hosts() == set(['graph.microsoft.com'])


# ---------------------------------------------------------------------------------------------
# auto


@pytest.mark.parametrize('drop, expected', [
    ((), 'access_token'),
    (('access_token',), 'client_certificate'),
    (('access_token', 'client_certificate_path'), 'client_secret'),
    (('access_token', 'client_certificate_path', 'client_secret'), 'workload_identity'),
    (('access_token', 'client_certificate_path', 'client_secret', 'federated_token_file'), 'managed_identity'),
])
def test_auto_takes_the_first_method_whose_inputs_are_set(cloud, pki, federated_file, drop, expected):
    ready = cloud.ready_token()
    everything = dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, access_token=ready, client_certificate_path=pki.pem_path,
                      client_secret=fake.CLIENT_SECRET, federated_token_file=federated_file)
    args = dict((k, v) for k, v in everything.items() if k not in drop)
    if expected == 'workload_identity':
        args['client_id'] = cloud.info['federated_client_id']
    if expected == 'managed_identity':
        args.pop('client_id')

    result = run(dict(args, auth_method='auto'))

    assert not result.failed, result
    if expected == 'access_token':
        assert cloud.sign_ins() == [] and graph_bearer(cloud) == ready
    else:
        assert cloud.sign_ins() == [expected]
        assert graph_bearer(cloud) == cloud.issued()[-1]


def test_auto_is_the_default(cloud, secret_auth):
    del secret_auth['auth_method']

    result = run(secret_auth)

    assert not result.failed, result
    assert cloud.sign_ins() == ['client_secret']


@pytest.mark.parametrize('env', [
    dict(AZURE_TENANT_ID=fake.HOME_TENANT, AZURE_CLIENT_ID=fake.CLIENT_ID, AZURE_CLIENT_SECRET=fake.CLIENT_SECRET),
    dict(AZURE_TENANT=fake.HOME_TENANT, AZURE_CLIENT_ID=fake.CLIENT_ID, AZURE_SECRET=fake.CLIENT_SECRET),  # AWX's Azure credential
])
def test_client_secret_from_the_environment(cloud, monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    result = run(dict())

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert token.form['client_secret'] == fake.CLIENT_SECRET and fake.HOME_TENANT in token.url


def test_certificate_and_password_from_the_environment(cloud, monkeypatch, pki):
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', fake.CLIENT_ID)
    monkeypatch.setenv('AZURE_CLIENT_CERTIFICATE_PATH', pki.encrypted_path)
    monkeypatch.setenv('AZURE_CLIENT_CERTIFICATE_PASSWORD', pki.password)

    result = run(dict())

    assert not result.failed, result
    assert cloud.sign_ins() == ['client_certificate']


def test_federated_token_file_from_the_environment(cloud, monkeypatch, federated_file):
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', cloud.info['federated_client_id'])
    monkeypatch.setenv('AZURE_FEDERATED_TOKEN_FILE', federated_file)

    result = run(dict())

    assert not result.failed, result
    assert cloud.sign_ins() == ['workload_identity']
