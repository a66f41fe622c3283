# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_default: PATCH only what differs, sent complete; reset only when the object is not
already Microsoft's system default; check and diff mode; options refused before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_default
from ansible_collections.entra.graph.tests.unit.helpers.module import (
    assert_check_mode_predicts,
    assert_failed_before_any_request,
    run_module,
)

DEFAULT = '/%s/policies/crossTenantAccessPolicy/default'
RESET = DEFAULT + '/resetToSystemDefault'
GROUP = '6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21'
KEYS = ('changed', 'default', 'diff', 'changed_properties', 'ansible_facts', 'api_version')
BLOCK_GROUP = dict(b2b_collaboration_inbound=dict(users_and_groups=dict(access_type='blocked',
                                                                        targets=[dict(target=GROUP, target_type='group')])))


def run(args, **kwargs):
    return run_module(crosstenant_access_default.main, args, **kwargs)


def calls(cloud):
    return [(s.method, s.path, s.status) for s in cloud.graph()]


def stored(cloud):
    return cloud.emulator.tenants.home.store.access_policy.default


def test_one_sub_option_is_patched_with_the_rest_of_its_setting_kept(cloud, secret_auth):
    result = run(dict(secret_auth, inbound_trust=dict(is_mfa_accepted=True)))

    assert not result.failed, result
    assert result['changed'] is True and result['changed_properties'] == ['inboundTrust']
    assert calls(cloud) == [('GET', DEFAULT % 'v1.0', 200), ('PATCH', DEFAULT % 'v1.0', 204)]
    assert cloud.graph('PATCH')[0].json == {'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': False,
                                                             'isHybridAzureADJoinedDeviceAccepted': False}}
    assert result['default']['isServiceDefault'] is False
    assert result['default'] == dict((name, value) for name, value in stored(cloud).items()
                                     if name != 'blockServiceProviderOutboundAccess'), 'v1.0 has no such property'
    assert result['ansible_facts'] == {'crosstenant_access_default': result['default']}


def test_a_b2b_setting_keeps_the_part_the_task_leaves_out(cloud, secret_auth):
    run(dict(secret_auth, **BLOCK_GROUP))

    setting = stored(cloud)['b2bCollaborationInbound']
    assert setting['usersAndGroups'] == {'accessType': 'blocked', 'targets': [{'target': GROUP, 'targetType': 'group'}]}
    assert setting['applications'] == {'accessType': 'allowed', 'targets': [{'target': 'AllApplications', 'targetType': 'application'}]}


def test_what_the_default_already_holds_is_not_written(cloud, secret_auth):
    result = run(dict(secret_auth, b2b_direct_connect_inbound=dict(users_and_groups=dict(access_type='blocked')),
                      inbound_trust=dict(is_mfa_accepted=False)))

    assert result['changed'] is False and result['changed_properties'] == []
    assert cloud.graph_writes() == []
    assert result['default']['isServiceDefault'] is True


@pytest.mark.parametrize('args', [dict(inbound_trust=dict(is_compliant_device_accepted=True)), BLOCK_GROUP, {}],
                         ids=['flag', 'targets', 'nothing'])
def test_check_mode_predicts_the_real_run(cloud, secret_auth, args):
    predicted, actual = assert_check_mode_predicts(crosstenant_access_default.main, dict(secret_auth, **args), cloud, keys=KEYS)

    assert actual['changed'] is bool(args)
    assert actual['diff']['before']['isServiceDefault'] is True
    assert actual['diff']['after'] == actual['default']


def test_reset_puts_the_system_default_back_and_reports_what_changed(cloud, secret_auth):
    run(dict(secret_auth, inbound_trust=dict(is_mfa_accepted=True)))
    cloud.seen[:] = []

    result = run(dict(secret_auth, state='reset'), diff=True)

    assert result['changed'] is True
    assert calls(cloud) == [('GET', DEFAULT % 'v1.0', 200), ('POST', RESET % 'v1.0', 204), ('GET', DEFAULT % 'v1.0', 200)]
    assert result['changed_properties'] == ['inboundTrust', 'isServiceDefault']
    assert result['default']['isServiceDefault'] is True and result['default']['inboundTrust']['isMfaAccepted'] is False
    assert result['diff']['before']['inboundTrust']['isMfaAccepted'] is True


def test_reset_of_the_system_default_changes_nothing(cloud, secret_auth):
    result = run(dict(secret_auth, state='reset'))

    assert result['changed'] is False
    assert calls(cloud) == [('GET', DEFAULT % 'v1.0', 200)]


def test_reset_in_check_mode_only_reads(cloud, secret_auth):
    run(dict(secret_auth, inbound_trust=dict(is_mfa_accepted=True)))
    cloud.seen[:] = []

    result = run(dict(secret_auth, state='reset'), check_mode=True, diff=True)

    assert result['changed'] is True and result['changed_properties'] == ['isServiceDefault']
    assert cloud.graph_writes() == [] and stored(cloud)['isServiceDefault'] is False
    assert result['default'] == dict(result['diff']['before'], isServiceDefault=True)


def test_reset_takes_no_setting(cloud, secret_auth):
    result = run(dict(secret_auth, state='reset', inbound_trust=dict(is_mfa_accepted=True)))

    assert_failed_before_any_request(result, cloud, 'state=reset', 'inbound_trust')


def test_a_value_outside_the_choices_fails_naming_the_option(cloud, secret_auth):
    result = run(dict(secret_auth, b2b_collaboration_outbound=dict(users_and_groups=dict(access_type='maybe'))))

    assert_failed_before_any_request(result, cloud, 'access_type', 'allowed, blocked', 'maybe')


def test_api_version_beta_sends_every_request_to_beta(cloud, secret_auth):
    result = run(dict(secret_auth, api_version='beta', tenant_restrictions=dict(applications=dict(access_type='blocked'))))

    assert result['api_version'] == 'beta'
    assert calls(cloud) == [('GET', DEFAULT % 'beta', 200), ('PATCH', DEFAULT % 'beta', 204)]
    assert 'blockServiceProviderOutboundAccess' in result['default'], 'beta has it'


def test_a_refused_patch_fails_with_graphs_code_and_request_id(cloud, secret_auth):
    cloud.inject(kind='graph', method='PATCH', status=403, body={'error': {
        'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges to complete the operation.'}},
        headers={'request-id': '5f0e4c8a-0000-4000-8000-000000000001'})

    result = run(dict(secret_auth, inbound_trust=dict(is_mfa_accepted=True)))

    assert result.failed and 'exception' not in result
    assert 'Authorization_RequestDenied' in result['msg'] and '5f0e4c8a-0000-4000-8000-000000000001' in result['msg']
    assert stored(cloud)['isServiceDefault'] is True
