# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret reaches a result, a warning or a failure message, whatever the sign-in method and outcome."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError
from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner, crosstenant_sync_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

METHODS = ('client_secret', 'client_certificate', 'client_certificate_encrypted', 'workload_identity', 'managed_identity',
           'access_token')


def secrets(cloud, pki, sign_in):
    """Every secret the run involved: the configured ones, and the tokens and assertions that crossed the wire."""
    with open(sign_in['workload_identity']['federated_token_file']) as handle:
        federated = handle.read().strip()
    found = set([fake.CLIENT_SECRET, pki.password, sign_in['access_token']['access_token'], federated, cloud.info['identity_header']])
    found.update(cloud.secrets_seen())
    for request in cloud.token_requests():
        if 'client_secret' in request.form:
            found.add(request.form['client_secret'])
    return found


def assert_no_secret(result, cloud, pki, sign_in):
    for secret in secrets(cloud, pki, sign_in):
        assert secret not in result.stdout, 'a secret leaked into the task output'
        # the token's signature part alone is still a secret
        assert secret.split('.')[-1] not in result.stdout


def graph_failure(cloud):
    cloud.inject(kind='graph', status=403, body={'error': {'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges.'}})


def graph_unreachable(cloud):
    cloud.inject(kind='graph', times=10, exc=requests.exceptions.ConnectionError('Connection reset by peer'))


def graph_html(cloud):
    cloud.inject(kind='graph', status=500, headers={'Content-Type': 'text/html'}, body='<html><body>Internal error</body></html>')


def graph_throttled(cloud):
    cloud.inject(kind='graph', times=10, status=429, headers={'Retry-After': '0'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Slow down.'}})


def sign_in_refused(cloud):
    cloud.inject(kind='token', status=401, body={'error': 'invalid_client', 'error_description': 'AADSTS7000215: Invalid client secret.',
                                                 'error_codes': [7000215]})
    cloud.inject(kind='mi_app_service', status=400, body={'statusCode': 400, 'message': 'No identity'})


def sign_in_unreachable(cloud):
    for kind in ('discovery', 'token', 'mi_app_service'):
        cloud.inject(kind=kind, times=10, exc=requests.exceptions.ReadTimeout('read timed out'))


OUTCOMES = {
    'success': lambda cloud: None,
    'graph_failure': graph_failure,
    'graph_unreachable': graph_unreachable,
    'graph_html': graph_html,
    'graph_throttled': graph_throttled,
    'sign_in_refused': sign_in_refused,
    'sign_in_unreachable': sign_in_unreachable,
}


# Loading a certificate's key takes a tenth of a second; the certificate methods get the outcomes
# in which their client assertion is on the wire, the others every outcome.
CERTIFICATE_OUTCOMES = ('success', 'graph_failure', 'sign_in_refused')


def cases(outcomes):
    return [(method, outcome) for method in METHODS for outcome in sorted(outcomes)
            if not method.startswith('client_certificate') or outcome in CERTIFICATE_OUTCOMES]


@pytest.mark.parametrize('method, outcome', cases(OUTCOMES))
def test_no_secret_in_the_output_of_the_module(cloud, pki, sign_in, method, outcome):
    OUTCOMES[outcome](cloud)
    cloud.put_live(displayName='Old')

    retries = 1 if outcome == 'graph_throttled' else 0  # Retry-After: 0 keeps that one fast
    result = run_module(crosstenant_sync_partner.main,
                        dict(sign_in[method], tenant_id=fake.PARTNER, location='partner_policy', display_name='New',
                             max_retries=retries, validate_certs=False, token_cache=False),
                        diff=True)

    signs_in = method != 'access_token'
    assert result.failed == (outcome != 'success' and (signs_in or not outcome.startswith('sign_in'))), result
    assert 'exception' not in result
    assert_no_secret(result, cloud, pki, sign_in)
    if method != 'access_token' and outcome == 'success':
        assert cloud.sign_ins(), 'the run must have signed in, or the check proves nothing'


@pytest.mark.parametrize('method', METHODS)
def test_no_secret_in_the_output_of_the_info_module(cloud, pki, sign_in, method):
    cloud.put_deleted(displayName='Fabrikam')

    result = run_module(crosstenant_sync_partner_info.main, sign_in[method], check_mode=True)

    assert not result.failed, result
    assert_no_secret(result, cloud, pki, sign_in)


@pytest.mark.parametrize('method', ['client_secret', 'client_certificate_encrypted', 'access_token'])
def test_configured_secrets_are_masked_in_the_invocation(cloud, pki, sign_in, method):
    # ansible-core 2.21 returns the invocation only when the controller asks for it (INJECT_INVOCATION).
    result = run_module(crosstenant_sync_partner.main, dict(sign_in[method], tenant_id=fake.PARTNER, state='absent',
                                                            _ansible_inject_invocation=True))

    args = result['invocation']['module_args']
    for option in ('client_secret', 'client_certificate_password', 'access_token'):
        if sign_in[method].get(option):
            assert args[option] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


# Ansible masks the values of no_log options in whatever a module prints, which would
# hide a leak of those options from the tests above. The collection's own error
# messages are checked here, before any masking.

@pytest.mark.parametrize('method, outcome', [
    (method, outcome)
    for method, outcome in cases(set(OUTCOMES) - set(['success', 'graph_throttled']))
    if method != 'access_token' or not outcome.startswith('sign_in')  # a ready token involves no sign-in
])
def test_no_secret_in_the_collections_own_error_messages(cloud, pki, sign_in, method, outcome):
    OUTCOMES[outcome](cloud)
    client = graph_client(max_retries=0, timeout=5, **sign_in[method])

    with pytest.raises(EntraGraphError) as caught:
        client.get('/policies/deletedItems/crossTenantSyncPolicyPartners/' + fake.PARTNER)

    text = '%s %r' % (caught.value.message, caught.value.details)
    for secret in secrets(cloud, pki, sign_in):
        assert secret not in text
