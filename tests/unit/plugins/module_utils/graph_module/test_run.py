# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GraphModule: a client built lazily for the task's one API version, and every failure turned into
fail_json with the keys a playbook can test, saying what was already done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, MissingLibraryError
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, LivePolicies
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import ModuleResult, patch_module_args


def outcome(decide, api_version='beta', **options):
    """What ``GraphModule.run(decide)`` prints and how it exits, for a task with the connection ``options``."""
    stdout = io.StringIO()
    with patch_module_args(options), contextlib.redirect_stdout(stdout), pytest.raises(SystemExit) as exited:
        module = GraphModule(argument_spec={}, supports_check_mode=True)
        module.api_version = api_version
        module.run(decide)
    return ModuleResult(json.loads(stdout.getvalue().splitlines()[-1]), exited.value.code, stdout.getvalue())


def read_live_policy(module):
    found = LivePolicies(module.client(), SYNC_POLICY).get(fake.PARTNER)
    return dict(changed=False, partner=found or {})


def test_nothing_is_sent_until_the_client_is_needed_and_then_to_the_tasks_version(cloud, secret_auth):
    def decide(module):
        assert cloud.seen == []
        module.api_version = 'v1.0'  # a module's decision sets it before the first request
        return read_live_policy(module)

    result = outcome(decide, **secret_auth)

    assert result.rc == 0 and result['partner'] == {}
    assert [s.path for s in cloud.graph()] == [fake.graph_path(fake.LIVE, version='v1.0')]


def test_a_graph_error_becomes_fail_json_with_its_keys(cloud, secret_auth):
    cloud.inject(kind='graph', status=403, headers={'request-id': 'req-1234', 'client-request-id': 'echoed-id'},
                 body={'error': {'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges to complete the operation.'}})

    result = outcome(read_live_policy, api_version='v1.0', **secret_auth)

    assert result.rc == 1 and result.failed and 'exception' not in result
    for part in ('GET', fake.graph_path(fake.LIVE, version='v1.0'), 'HTTP 403', 'Authorization_RequestDenied',
                 'Insufficient privileges to complete the operation.', 'request-id: req-1234', 'Policy.ReadWrite.CrossTenantAccess'):
        assert part in result['msg'], part
    assert (result['status'], result['error_code'], result['request_id'], result['client_request_id']) == (
        403, 'Authorization_RequestDenied', 'req-1234', 'echoed-id')
    assert 'changed' not in result


def test_a_failure_after_a_write_says_what_was_done_and_reports_changed(cloud, secret_auth):
    def decide(module):
        module.record('created the sync policy of tenant %s' % fake.PARTNER)
        raise ConfigurationError('something went wrong after it', option='display_name')

    result = outcome(decide, **secret_auth)

    assert result.failed and result['changed'] is True
    assert result['msg'] == 'created the sync policy of tenant %s; then failed: something went wrong after it' % fake.PARTNER
    assert result['option'] == 'display_name'


def test_a_missing_library_is_named_as_ansible_names_it(cloud, secret_auth):
    def decide(module):
        raise MissingLibraryError('msal', 'No module named msal')

    result = outcome(decide, **secret_auth)

    assert result.rc == 1 and result.failed
    assert 'Failed to import the required Python library (msal)' in result['msg']


@pytest.mark.parametrize('exc, kind', [
    (requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in "
                                  "certificate chain (_ssl.c:1006)"), 'tls'),
    (requests.exceptions.ReadTimeout('read timed out'), 'timeout'),
    (requests.exceptions.ConnectionError('[Errno 111] Connection refused'), 'connection'),
])
def test_a_request_that_got_no_answer_fails_with_its_kind(cloud, secret_auth, exc, kind):
    cloud.inject(kind='graph', times=10, exc=exc)

    result = outcome(read_live_policy, api_version='v1.0', max_retries=0, **secret_auth)

    assert result.failed and 'exception' not in result
    assert result['error_kind'] == kind and 'graph.microsoft.com' in result['msg']
    assert cloud.graph_writes() == []
