# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where a module's requests go (national clouds, endpoint overrides), with which TLS settings (every
request, MSAL's included), and how a failed sign-in reads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, dict(args, tenant_id=fake.PARTNER, state='absent'), **kwargs)


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
    assert cloud.hosts() == set([authority, graph])


def test_cloud_environment_from_the_environment(cloud, secret_auth, monkeypatch):
    monkeypatch.setenv('AZURE_CLOUD_ENVIRONMENT', 'AzureUSGovernment')

    result = run(secret_auth)

    assert not result.failed, result
    assert cloud.hosts() == set(['login.microsoftonline.us', 'graph.microsoft.us'])


def test_overrides_for_hosts_microsoft_does_not_know(cloud, secret_auth):
    cloud.own('https://login.emulator.test:8443')
    cloud.own('https://graph.emulator.test:9443')

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
    cloud.own('https://login.emulator.test')
    monkeypatch.setenv('AZURE_AUTHORITY_HOST', 'https://login.emulator.test')

    result = run(dict(secret_auth, cloud_environment='us_gov'))

    assert not result.failed, result
    assert cloud.hosts() == set(['login.emulator.test', 'graph.microsoft.us'])
    assert cloud.token_requests()[0].form['scope'] == 'https://graph.microsoft.us/.default'


def test_graph_endpoint_override_alone_keeps_the_clouds_sign_in(cloud, secret_auth):
    cloud.own('https://graph.emulator.test')

    result = run(dict(secret_auth, graph_endpoint='https://graph.emulator.test'))

    assert not result.failed, result
    assert cloud.hosts() == set(['login.microsoftonline.com', 'graph.emulator.test'])
    assert cloud.token_requests()[0].form['scope'] == 'https://graph.emulator.test/.default'


# ---------------------------------------------------------------------------------------------
# TLS settings reach every request, MSAL's included


def ca_bundle(path, pki, comment):
    """A PEM bundle (ca_path is checked to hold a certificate before any request)."""
    with open(pki.cert_only_path) as handle:
        path.write_text('# %s\n%s' % (comment, handle.read()))
    return str(path)


@pytest.fixture
def bundles(tmp_path, monkeypatch, pki):
    mine = ca_bundle(tmp_path / 'my-ca.pem', pki, 'the CA bundle the task names')
    theirs = ca_bundle(tmp_path / 'environment-ca.pem', pki, 'a CA bundle from the environment')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', theirs)
    return mine, theirs


def test_ca_path_wins_over_requests_ca_bundle_for_sign_in_and_graph(cloud, secret_auth, bundles):
    mine, dummy = bundles

    result = run(dict(secret_auth, ca_path=mine))

    assert not result.failed, result
    assert set(s.kind for s in cloud.seen) == set(['discovery', 'token', 'graph'])
    assert [s.verify for s in cloud.seen] == [mine] * len(cloud.seen)


def test_ca_path_wins_over_curl_ca_bundle_for_managed_identity_too(cloud, monkeypatch, tmp_path, pki):
    mine = ca_bundle(tmp_path / 'my-ca.pem', pki, 'mine')
    monkeypatch.setenv('CURL_CA_BUNDLE', str(tmp_path))

    result = run(dict(auth_method='managed_identity', ca_path=mine))

    assert not result.failed, result
    assert cloud.requests('mi_imds') and [s.verify for s in cloud.seen] == [mine] * len(cloud.seen)


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


def test_certificates_are_verified_and_every_request_has_the_timeout_by_default(cloud, secret_auth):
    result = run(dict(secret_auth, timeout=7))

    assert not result.failed, result
    assert [s.verify for s in cloud.seen] == [True] * len(cloud.seen)
    assert [s.timeout for s in cloud.seen] == [7] * len(cloud.seen)
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


def test_managed_identity_that_does_not_exist(cloud):
    result = run(dict(auth_method='managed_identity', client_id='00000000-0000-0000-0000-0000000000ff'))

    assert result.failed
    assert 'auth_method=managed_identity' in result['msg'] and 'managed identity endpoint' in result['msg']
    assert 'Identity not found' in result['msg']
    assert cloud.graph() == []


def test_managed_identity_endpoint_that_answers_html(cloud):
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
    cloud.inject(kind='mi_imds', times=10, exc=requests.exceptions.ConnectTimeout(
        'HTTPConnectionPool(host=169.254.169.254, port=80): connect timed out'))

    result = run(dict(timeout=30, max_retries=4))

    assert result.failed and 'exception' not in result
    assert 'auth_method=auto found no access_token' in result['msg']
    assert 'could not connect within the 2s timeout' in result['msg']
    assert [s.url.split('?')[0] for s in cloud.seen] == ['http://169.254.169.254/metadata/identity/oauth2/token']
    assert cloud.seen[0].timeout == (2.0, 30.0)
