# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sign-in with real MSAL against the fake Entra ID: each method sends the right thing, to the right host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, dict(args, tenant_id=fake.PARTNER, state='absent'), **kwargs)


def graph_bearer(cloud):
    """The bearer token of every Graph request (they must all carry the same one)."""
    tokens = set(s.headers['Authorization'] for s in cloud.graph())
    assert len(tokens) == 1, tokens
    return tokens.pop()[len('Bearer '):]


def jwt_parts(token):
    header, payload, dummy = token.split('.')
    return json.loads(fake.b64url_decode(header)), json.loads(fake.b64url_decode(payload))


@pytest.fixture
def federated_file(tmp_path):
    path = tmp_path / 'azure-identity-token'
    path.write_text(fake.FEDERATED_TOKEN + '\n')
    return str(path)


@pytest.fixture
def app_service(monkeypatch):
    monkeypatch.setenv('IDENTITY_ENDPOINT', fake.APP_SERVICE_ENDPOINT)
    monkeypatch.setenv('IDENTITY_HEADER', fake.APP_SERVICE_HEADER)


@pytest.fixture
def imds(monkeypatch):
    monkeypatch.setenv('AZURE_POD_IDENTITY_AUTHORITY_HOST', fake.IMDS_HOST)


# ---------------------------------------------------------------------------------------------
# each method


def test_client_secret_posts_the_secret_to_the_tenants_token_endpoint(cloud, secret_auth):
    result = run(secret_auth)

    assert not result.failed, result
    discovery = cloud.requests('discovery')
    assert [d.url for d in discovery] == ['https://login.microsoftonline.com/%s/v2.0/.well-known/openid-configuration' % fake.HOME_TENANT]
    [token] = cloud.token_requests()
    assert token.url == 'https://login.microsoftonline.com/%s/oauth2/v2.0/token' % fake.HOME_TENANT
    assert token.form['grant_type'] == 'client_credentials'
    assert token.form['client_id'] == fake.CLIENT_ID
    assert token.form['client_secret'] == fake.CLIENT_SECRET
    assert token.form['scope'] == 'https://graph.microsoft.com/.default'
    assert 'client_assertion' not in token.form
    assert graph_bearer(cloud) == cloud.issued[0]['token']
    assert cloud.issued[0]['method'] == 'client_secret'


@pytest.mark.parametrize('layout', ['pem_path', 'cert_first_path'])
def test_client_certificate_signs_an_assertion_with_the_certificates_key(cloud, pki, layout):
    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=getattr(pki, layout)))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert 'client_secret' not in token.form
    assert token.form['client_assertion_type'] == JWT_BEARER
    assertion = token.form['client_assertion']
    header, payload = jwt_parts(assertion)
    assert header['alg'] == 'RS256'
    assert header['x5t'].rstrip('=') == pki.x5t, 'x5t must be the certificate SHA-1 thumbprint, base64url'
    assert payload['aud'] == token.url
    assert payload['iss'] == payload['sub'] == fake.CLIENT_ID
    assert cloud.check_client_assertion(cloud.apps[fake.CLIENT_ID], assertion, token.url) is None, 'the signature must verify'
    assert cloud.issued[0]['method'] == 'client_certificate'
    assert graph_bearer(cloud) == cloud.issued[0]['token']


def test_client_certificate_with_an_encrypted_key_and_its_password(cloud, pki):
    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=pki.encrypted_path, client_certificate_password=pki.password))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert jwt_parts(token.form['client_assertion'])[0]['x5t'].rstrip('=') == pki.x5t
    assert cloud.check_client_assertion(cloud.apps[fake.CLIENT_ID], token.form['client_assertion'], token.url) is None


def test_assertion_signed_by_another_key_is_refused(cloud, pki, tmp_path):
    from ansible_collections.entra.graph.tests.unit.helpers.pki import AppCertificate
    stranger = AppCertificate(str(tmp_path), common_name='not-registered')

    result = run(dict(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      client_certificate_path=stranger.pem_path))

    assert result.failed
    assert 'AADSTS700027' in result['msg'] and 'auth_method=client_certificate' in result['msg']
    assert cloud.graph() == []


def test_workload_identity_sends_the_file_content_as_the_assertion(cloud, federated_file):
    result = run(dict(auth_method='workload_identity', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      federated_token_file=federated_file))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert token.form['client_assertion'] == fake.FEDERATED_TOKEN
    assert token.form['client_assertion_type'] == JWT_BEARER
    assert token.form['client_id'] == fake.CLIENT_ID
    assert 'client_secret' not in token.form
    assert cloud.issued[0]['method'] == 'workload_identity'


@pytest.mark.parametrize('client_id, expected', [(None, None), (fake.MI_CLIENT_ID, fake.MI_CLIENT_ID)])
def test_managed_identity_on_app_service(cloud, app_service, client_id, expected):
    args = dict(auth_method='managed_identity')
    if client_id:
        args['client_id'] = client_id

    result = run(args)

    assert not result.failed, result
    [mi] = cloud.requests('mi_app_service')
    assert mi.url.startswith(fake.APP_SERVICE_ENDPOINT + '?')
    assert mi.method == 'GET'
    assert mi.headers['X-IDENTITY-HEADER'] == fake.APP_SERVICE_HEADER
    assert mi.query['resource'] == 'https://graph.microsoft.com'
    assert mi.query.get('client_id') == expected
    assert cloud.token_requests() == [] and cloud.requests('discovery') == []
    assert graph_bearer(cloud) == cloud.issued[0]['token']
    assert cloud.issued[0]['identity'] == (expected or 'system')


@pytest.mark.parametrize('client_id, expected', [(None, None), (fake.MI_CLIENT_ID, fake.MI_CLIENT_ID)])
def test_managed_identity_on_a_vm_asks_imds(cloud, imds, client_id, expected):
    args = dict(auth_method='managed_identity')
    if client_id:
        args['client_id'] = client_id

    result = run(args)

    assert not result.failed, result
    [mi] = cloud.requests('mi_imds')
    assert mi.url.startswith(fake.IMDS_HOST + '/metadata/identity/oauth2/token?')
    assert mi.headers['Metadata'] == 'true'
    assert mi.query['resource'] == 'https://graph.microsoft.com'
    assert mi.query.get('client_id') == expected
    assert graph_bearer(cloud) == cloud.issued[0]['token']


def test_managed_identity_asks_for_the_graph_endpoint_of_the_cloud(cloud, imds):
    result = run(dict(auth_method='managed_identity', cloud_environment='china'))

    assert not result.failed, result
    assert cloud.requests('mi_imds')[0].query['resource'] == 'https://microsoftgraph.chinacloudapi.cn'
    assert set(s.host for s in cloud.graph()) == set(['microsoftgraph.chinacloudapi.cn'])


def test_access_token_is_used_as_it_is_without_sign_in(cloud):
    result = run(dict(auth_method='access_token', access_token=fake.READY_TOKEN))

    assert not result.failed, result
    assert graph_bearer(cloud) == fake.READY_TOKEN
    assert cloud.hosts() == set(['graph.microsoft.com'])


# ---------------------------------------------------------------------------------------------
# auto


@pytest.fixture
def everything(pki, federated_file):
    return dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, access_token=fake.READY_TOKEN,
                client_certificate_path=pki.pem_path, client_secret=fake.CLIENT_SECRET, federated_token_file=federated_file)


@pytest.mark.parametrize('drop, expected', [
    ((), 'access_token'),
    (('access_token',), 'client_certificate'),
    (('access_token', 'client_certificate_path'), 'client_secret'),
    (('access_token', 'client_certificate_path', 'client_secret'), 'workload_identity'),
    (('access_token', 'client_certificate_path', 'client_secret', 'federated_token_file'), 'managed_identity'),
])
def test_auto_takes_the_first_method_whose_inputs_are_set(cloud, imds, everything, drop, expected):
    args = dict((k, v) for k, v in everything.items() if k not in drop)
    if expected == 'managed_identity':
        args.pop('client_id')

    result = run(dict(args, auth_method='auto'))

    assert not result.failed, result
    if expected == 'access_token':
        assert cloud.issued == [] and graph_bearer(cloud) == fake.READY_TOKEN
    else:
        assert [i['method'] for i in cloud.issued] == [expected]
        assert graph_bearer(cloud) == cloud.issued[0]['token']


def test_auto_is_the_default(cloud, secret_auth):
    del secret_auth['auth_method']

    result = run(secret_auth)

    assert not result.failed, result
    assert [i['method'] for i in cloud.issued] == ['client_secret']


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
    assert [i['method'] for i in cloud.issued] == ['client_certificate']


def test_federated_token_file_from_the_environment(cloud, monkeypatch, federated_file):
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', fake.CLIENT_ID)
    monkeypatch.setenv('AZURE_FEDERATED_TOKEN_FILE', federated_file)

    result = run(dict())

    assert not result.failed, result
    assert cloud.token_requests()[0].form['client_assertion'] == fake.FEDERATED_TOKEN


# ---------------------------------------------------------------------------------------------
# national clouds and overrides


@pytest.mark.parametrize('cloud_environment, authority, graph', [
    ('global', 'login.microsoftonline.com', 'graph.microsoft.com'),
    ('us_gov', 'login.microsoftonline.us', 'graph.microsoft.us'),
    ('us_gov_dod', 'login.microsoftonline.us', 'dod-graph.microsoft.us'),
    ('china', 'login.chinacloudapi.cn', 'microsoftgraph.chinacloudapi.cn'),
    ('AzureCloud', 'login.microsoftonline.com', 'graph.microsoft.com'),
    ('AzureUSGovernment', 'login.microsoftonline.us', 'graph.microsoft.us'),
    ('AzureChinaCloud', 'login.chinacloudapi.cn', 'microsoftgraph.chinacloudapi.cn'),
    ('US_GOV', 'login.microsoftonline.us', 'graph.microsoft.us'),
])
def test_national_cloud_sets_sign_in_and_graph_hosts(cloud, secret_auth, cloud_environment, authority, graph):
    result = run(dict(secret_auth, cloud_environment=cloud_environment))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert token.host == authority
    assert token.form['scope'] == 'https://%s/.default' % graph
    assert set(s.host for s in cloud.graph()) == set([graph])
    assert all(s.path.startswith('/beta/') for s in cloud.graph())
    assert cloud.hosts() == set([authority, graph])


def test_cloud_environment_from_the_environment(cloud, secret_auth, monkeypatch):
    monkeypatch.setenv('AZURE_CLOUD_ENVIRONMENT', 'AzureUSGovernment')

    result = run(secret_auth)

    assert not result.failed, result
    assert cloud.hosts() == set(['login.microsoftonline.us', 'graph.microsoft.us'])


def test_overrides_for_hosts_microsoft_does_not_know(cloud, secret_auth):
    cloud.authority_hosts.add('login.emulator.test:8443')
    cloud.graph_hosts.add('graph.emulator.test:9443')

    result = run(dict(secret_auth, authority_host='https://login.emulator.test:8443/', graph_endpoint='https://graph.emulator.test:9443/'))

    assert not result.failed, result
    [token] = cloud.token_requests()
    assert token.url == 'https://login.emulator.test:8443/%s/oauth2/v2.0/token' % fake.HOME_TENANT
    assert token.form['scope'] == 'https://graph.emulator.test:9443/.default'
    assert set(s.host for s in cloud.graph()) == set(['graph.emulator.test:9443'])
    # instance discovery is off: MSAL did not ask login.microsoftonline.com about the unknown host
    assert cloud.requests('instance_discovery') == []
    assert cloud.hosts() == set(['login.emulator.test:8443', 'graph.emulator.test:9443'])


def test_authority_host_from_the_environment_overrides_the_cloud(cloud, secret_auth, monkeypatch):
    cloud.authority_hosts.add('login.emulator.test')
    monkeypatch.setenv('AZURE_AUTHORITY_HOST', 'https://login.emulator.test')

    result = run(dict(secret_auth, cloud_environment='us_gov'))

    assert not result.failed, result
    assert cloud.hosts() == set(['login.emulator.test', 'graph.microsoft.us'])
    assert cloud.token_requests()[0].form['scope'] == 'https://graph.microsoft.us/.default'


def test_graph_endpoint_override_alone_keeps_the_clouds_sign_in(cloud, secret_auth):
    cloud.graph_hosts.add('graph.emulator.test')

    result = run(dict(secret_auth, graph_endpoint='https://graph.emulator.test'))

    assert not result.failed, result
    assert cloud.hosts() == set(['login.microsoftonline.com', 'graph.emulator.test'])
    assert cloud.token_requests()[0].form['scope'] == 'https://graph.emulator.test/.default'


# ---------------------------------------------------------------------------------------------
# TLS settings reach every request, MSAL's included


@pytest.fixture
def bundles(tmp_path, monkeypatch, pki):
    mine, theirs = tmp_path / 'my-ca.pem', tmp_path / 'environment-ca.pem'
    # ca_path is checked to be PEM before any request, so it holds a certificate.
    with open(pki.cert_only_path) as handle:
        mine.write_text('# the CA bundle the task names\n' + handle.read())
    theirs.write_text('# a CA bundle from the environment\n')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(theirs))
    return str(mine), str(theirs)


def test_ca_path_wins_over_requests_ca_bundle_for_sign_in_and_graph(cloud, secret_auth, bundles):
    mine, dummy = bundles

    result = run(dict(secret_auth, ca_path=mine))

    assert not result.failed, result
    assert set(s.kind for s in cloud.seen) == set(['discovery', 'token', 'graph'])
    assert [s.verify for s in cloud.seen] == [mine] * len(cloud.seen)


def test_ca_path_wins_over_curl_ca_bundle_for_managed_identity_too(cloud, imds, monkeypatch, tmp_path, pki):
    mine = tmp_path / 'my-ca.pem'
    with open(pki.cert_only_path) as handle:
        mine.write_text('# mine\n' + handle.read())
    monkeypatch.setenv('CURL_CA_BUNDLE', str(tmp_path))

    result = run(dict(auth_method='managed_identity', ca_path=str(mine)))

    assert not result.failed, result
    assert [s.verify for s in cloud.seen] == [str(mine)] * len(cloud.seen)


def test_without_ca_path_requests_honours_the_environment(cloud, secret_auth, bundles):
    dummy, theirs = bundles

    result = run(secret_auth)

    assert not result.failed, result
    assert [s.verify for s in cloud.seen] == [theirs] * len(cloud.seen)


def test_validate_certs_false_turns_verification_off_everywhere_and_warns(cloud, secret_auth, bundles):
    result = run(dict(secret_auth, validate_certs=False))

    assert not result.failed, result
    assert [s.verify for s in cloud.seen] == [False] * len(cloud.seen)
    assert any('validate_certs' in w for w in result.warnings)


def test_certificates_are_verified_by_default(cloud, secret_auth):
    result = run(secret_auth)

    assert not result.failed, result
    assert [s.verify for s in cloud.seen] == [True] * len(cloud.seen)
    assert not any('validate_certs' in w for w in result.warnings)


# ---------------------------------------------------------------------------------------------
# sign-in failures


def test_wrong_secret_gives_the_aadsts_code_without_trace_noise(cloud, secret_auth):
    result = run(dict(secret_auth, client_secret='definitely-the-wrong-secret'))

    assert result.failed and 'exception' not in result
    msg = result['msg']
    assert msg.startswith('Sign-in with auth_method=client_secret to https://login.microsoftonline.com/%s failed: invalid_client: '
                          'AADSTS7000215: Invalid client secret provided.' % fake.HOME_TENANT)
    for noise in ('Trace ID', 'Correlation ID', 'Timestamp'):
        assert noise not in msg
    assert result['auth_error'] == 'invalid_client'
    assert result['error_codes'] == [7000215]
    assert result['correlation_id'] and result['trace_id']
    assert cloud.graph() == []


def test_unknown_client_id_names_aadsts700016(cloud, secret_auth):
    result = run(dict(secret_auth, client_id='00000000-0000-0000-0000-00000000abcd'))

    assert result.failed and 'AADSTS700016' in result['msg'] and 'unauthorized_client' in result['msg']
    assert result['error_codes'] == [700016]


def test_unknown_tenant_fails_clearly(cloud, secret_auth):
    result = run(dict(secret_auth, tenant='no-such-tenant.example'))

    assert result.failed and 'exception' not in result
    assert 'no-such-tenant.example' in result['msg'] and 'Sign-in' in result['msg']
    assert cloud.token_requests() == [] and cloud.graph() == []


def test_managed_identity_that_does_not_exist(cloud, imds):
    result = run(dict(auth_method='managed_identity', client_id='00000000-0000-0000-0000-0000000000ff'))

    assert result.failed
    assert 'auth_method=managed_identity' in result['msg'] and 'managed identity endpoint' in result['msg']
    assert 'Identity not found' in result['msg']
    assert cloud.graph() == []


def test_managed_identity_endpoint_that_answers_html(cloud, imds):
    cloud.inject(kind='mi_imds', status=200, body='<html>captive portal</html>', headers={'Content-Type': 'text/html'})

    result = run(dict(auth_method='managed_identity'))

    assert result.failed and 'exception' not in result
    assert 'managed identity endpoint did not answer with JSON' in result['msg']


def test_sign_in_host_that_cannot_be_reached(cloud, secret_auth):
    cloud.inject(kind='discovery', times=10, exc=requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded "
        "(Caused by NameResolutionError(\"Failed to resolve 'login.microsoftonline.com' ([Errno -2] Name or service not known)\"))"))

    result = run(dict(secret_auth, max_retries=0))

    assert result.failed and 'exception' not in result
    assert 'login.microsoftonline.com' in result['msg'] and 'name or service not known' in result['msg']
    assert result['error_kind'] == 'connection'


def test_sign_in_over_an_untrusted_certificate(cloud, secret_auth):
    cloud.inject(kind='discovery', exc=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded (Caused by SSLError("
        "SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
        "certificate (_ssl.c:1006)')))"))

    result = run(secret_auth)

    assert result.failed
    assert 'TLS certificate verification failed: unable to get local issuer certificate' in result['msg']
    assert 'login.microsoftonline.com' in result['msg']
    assert len(cloud.seen) == 1


def test_auto_with_no_inputs_probes_the_metadata_service_briefly_and_says_why(cloud, monkeypatch):
    # Outside Azure nothing answers at the metadata service: the guessed managed identity must give up after
    # one short connect timeout, not after every retry of the full timeout, and say auto found no inputs.
    seen = []

    def unreachable_imds(adapter, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        seen.append((request.url, timeout))
        raise requests.exceptions.ConnectTimeout('HTTPConnectionPool(host=169.254.169.254, port=80): connect timed out')

    monkeypatch.delenv('AZURE_POD_IDENTITY_AUTHORITY_HOST', raising=False)
    monkeypatch.setattr(requests.adapters.HTTPAdapter, 'send', unreachable_imds)

    result = run(dict(timeout=30, max_retries=4))

    assert result.failed and 'exception' not in result
    assert 'auth_method=auto found no access_token' in result['msg']
    assert 'could not connect within the 2s timeout' in result['msg']
    assert [url.split('?')[0] for url, dummy in seen] == ['http://169.254.169.254/metadata/identity/oauth2/token']
    assert seen[0][1] == (2.0, 30.0)
