# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""provisioning: pacing under 5 requests per 10 seconds (a fake clock), and one result per user from both
documented shapes of provisionOnDemand's answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.entra.graph.plugins.module_utils.provisioning import MARGIN, Pacer, on_demand_result
from ansible_collections.entra.graph.tests.unit.helpers.clock import Clock

STATUS_INFO = 'Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo'


def test_the_sixth_request_waits_until_the_first_leaves_the_window():
    clock = Clock(100.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent = []
    for dummy in range(7):
        pacer.wait()
        sent.append(clock.now)
        clock.now += 0.5  # the answer takes half a second
        pacer.done()
    # Never more than five answers within any ten seconds (Graph counts requests as they arrive).
    for index in range(5, 7):
        assert sent[index] - (sent[index - 5] + 0.5) >= 10.0
    assert clock.slept == [10.0 + MARGIN - 2.0]


def test_no_wait_under_the_limit():
    clock = Clock(100.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for dummy in range(5):
        pacer.wait()
        pacer.done()
    assert clock.slept == []


def test_the_tutorial_shape_with_an_export_is_a_success_that_changed():
    steps = [{'name': 'EntryImport', 'type': 'Import', 'status': 'Success', 'description': 'Retrieved'},
             {'name': 'EntryExportAdd', 'type': 'Export', 'status': 'Success', 'description': 'Created', 'details': {'id': 't1'}}]
    result = on_demand_result('u1', {'key': STATUS_INFO, 'value': json.dumps([{'provisioningSteps': steps}])})
    assert (result['status'], result['exported'], result['action'], result['message']) == ('success', True, 'EntryExportAdd', 'Created')
    assert result['target_user_id'] is None and [s['name'] for s in result['steps']] == ['EntryImport', 'EntryExportAdd']


def test_the_api_pages_shape_of_a_no_change_is_skipped_with_the_target_id():
    key = json.dumps({'result': 'Skipped', 'details': {'errorCode': 'RedundantExport',
                                                       'errorMessage': 'The state of the user in both the source and target systems already match.'}})
    value = json.dumps({'action': 'Other', 'targetIdentity': {'id': 't9'}, 'statusInfo': {'status': 'Skipped'}, 'provisioningSteps': [
        {'name': 'EntryImport', 'type': 'Import', 'status': 'Success'},
        {'name': 'EntrySynchronizationSkip', 'type': 'Export', 'status': 'Skipped', 'details': {'SkipReason': 'RedundantExport'}}]})
    result = on_demand_result('u1', {'key': key, 'value': value})
    assert (result['status'], result['exported'], result['action'], result['target_user_id']) == ('skipped', False, 'Other', 't9')
    assert result['message'] == 'RedundantExport: The state of the user in both the source and target systems already match.'


def test_a_failed_export_is_a_failure_with_its_error_code():
    steps = [{'name': 'EntryExportAdd', 'type': 'Export', 'status': 'Failure', 'description': 'Policy check failed',
              'details': {'ErrorCode': 'AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure'}}]
    result = on_demand_result('u1', {'key': STATUS_INFO, 'value': json.dumps([{'provisioningSteps': steps}])})
    assert result['status'] == 'failure' and result['exported'] is False
    assert result['message'] == 'AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure: Policy check failed'


def test_an_answer_without_steps_is_a_failure_not_a_success():
    result = on_demand_result('u1', {'key': STATUS_INFO, 'value': 'not json'})
    assert result['status'] == 'failure' and result['message'] == 'no provisioning steps in the answer'
