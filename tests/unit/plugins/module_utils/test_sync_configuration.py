# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sync_configuration: the options as secrets (only what differs; a masked value is not rewritten), the
assignments to add and purge, the job's actions, the returned shape, and the messages for a failed credentials
check and a quarantine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.entra.graph.plugins.module_utils.sync_configuration import (
    assignment_changes,
    describe,
    job_actions,
    quarantine_warning,
    secrets_to_save,
    validation_failure,
)

TARGET = '3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11'
SOURCE = '9c5d131d-b1c3-4fc4-9e3f-c6557947d551'
ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f'
SAVED = {'CompanyId': TARGET, 'AuthenticationType': 'SyncPolicy', 'SyncAll': 'false',
         'SyncNotificationSettings': json.dumps({'Enabled': True, 'Recipients': 'a@contoso.com', 'DeleteThresholdEnabled': True,
                                                 'DeleteThresholdValue': 25, 'HumanResourcesLookaheadQueryEnabled': False})}


def test_a_new_configuration_saves_every_secret_with_assigned_scope_and_the_tutorials_notifications():
    changes = secrets_to_save({}, TARGET, None, None, None)
    assert changes == {'CompanyId': TARGET, 'AuthenticationType': 'SyncPolicy', 'SyncAll': 'false',
                       'SyncNotificationSettings': json.dumps({'DeleteThresholdEnabled': False, 'Enabled': False,
                                                               'HumanResourcesLookaheadQueryEnabled': False}, separators=(',', ':'), sort_keys=True)}


def test_saved_secrets_that_say_the_same_are_not_written_again():
    assert secrets_to_save(SAVED, TARGET.upper(), 'assigned', 'a@contoso.com', 25) == {}
    assert secrets_to_save(SAVED, None, None, None, None) == {}


def test_only_what_differs_is_written_and_notifications_keep_their_other_fields():
    changes = secrets_to_save(SAVED, TARGET, 'all', None, 0)
    assert sorted(changes) == ['SyncAll', 'SyncNotificationSettings'] and changes['SyncAll'] == 'true'
    assert json.loads(changes['SyncNotificationSettings']) == {
        'Enabled': True, 'Recipients': 'a@contoso.com', 'DeleteThresholdEnabled': False, 'DeleteThresholdValue': 25,
        'HumanResourcesLookaheadQueryEnabled': False}
    off = json.loads(secrets_to_save(SAVED, None, None, '', None)['SyncNotificationSettings'])
    assert off['Enabled'] is False and off['Recipients'] == ''


def test_a_masked_value_is_taken_as_equal_and_never_rewritten():
    masked = dict((key, '*') for key in SAVED)
    assert secrets_to_save(masked, TARGET, 'all', 'b@contoso.com', 10) == {}


def test_assignments_missing_are_added_and_only_purge_removes_the_unlisted():
    current = [{'id': 'a1', 'principalId': 'AAAA', 'appRoleId': ROLE}, {'id': 'a2', 'principalId': 'bbbb', 'appRoleId': ROLE},
               {'id': 'a3', 'principalId': 'cccc', 'appRoleId': 'another-role'}]
    wanted = [{'principal_id': 'aaaa'}, {'principal_id': 'dddd'}, {'principal_id': 'DDDD'}]
    assert assignment_changes(wanted, current, ROLE, purge=False) == (['dddd'], [])
    to_add, to_remove = assignment_changes(wanted, current, ROLE, purge=True)
    assert to_add == ['dddd'] and [a['id'] for a in to_remove] == ['a2']


def test_start_only_when_not_active_pause_only_when_active_restart_always():
    active = {'schedule': {'state': 'Active'}, 'status': {'code': 'Quarantine'}}
    paused = {'schedule': {'state': 'Disabled'}, 'status': {'code': 'Paused'}}
    assert job_actions(active, 'started', None) == [] and job_actions(paused, 'started', None) == [('start', None)]
    assert job_actions(paused, 'paused', None) == [] and job_actions(active, 'paused', None) == [('pause', None)]
    assert job_actions(paused, None, None) == []
    assert job_actions(active, 'restarted', None) == [('restart', None)]
    assert job_actions(active, 'restarted', ['quarantine_state', 'watermark']) == [
        ('restart', {'criteria': {'resetScope': 'QuarantineState, Watermark'}})]


def test_the_configuration_shape_turns_never_into_null_and_reads_the_notifications():
    job = {'id': 'Azure2Azure.x', 'schedule': {'state': 'Disabled', 'interval': 'PT40M'},
           'status': {'code': 'Paused', 'steadyStateLastAchievedTime': '0001-01-01T00:00:00Z', 'lastExecution': None,
                      'synchronizedEntryCountByType': [{'key': 'user', 'value': 3}]}}
    assignments = [{'id': 'x1', 'principalId': 'BBBB', 'principalType': 'Group', 'appRoleId': ROLE},
                   {'id': 'x2', 'principalId': 'cccc', 'principalType': 'User', 'appRoleId': 'other'}]
    config = describe('Fabrikam', {'appId': 'app', 'id': 'obj'}, {'id': 'sp'}, job, SAVED, assignments, ROLE)
    assert config['target_tenant_id'] == TARGET and config['scope'] == 'assigned'
    assert config['notification_email'] == 'a@contoso.com' and config['accidental_deletion_threshold'] == 25
    assert config['assignments'] == [{'principal_id': 'bbbb', 'principal_type': 'group', 'assignment_id': 'x1'}]
    assert config['job']['steady_state_last_achieved'] is None and config['job']['entry_counts'] == {'user': 3}
    assert describe('Fabrikam') == {}


def test_a_failed_check_names_the_tenant_that_lacks_what_and_the_module_that_fixes_it():
    source_side = validation_failure('AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure',
                                     'The source tenant has not enabled automatic user consent (outbound)', SOURCE, TARGET)
    assert 'nothing was saved' in source_side
    assert ('in the source tenant, entra.graph.crosstenant_access_partner with tenant_id: %s and '
            'automatic_user_consent_settings: {outbound_allowed: true}' % TARGET) in source_side
    consent = validation_failure('AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure',
                                 'The target tenant has not enabled automatic user consent (inbound)', SOURCE, TARGET)
    assert 'in the target tenant, entra.graph.crosstenant_access_partner with tenant_id: %s' % SOURCE in consent
    assert 'crosstenant_sync_partner' not in consent
    sync = validation_failure('AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure',
                              'The target tenant has not enabled inbound synchronization', SOURCE, TARGET)
    assert 'entra.graph.crosstenant_sync_partner with tenant_id: %s' % SOURCE in sync and 'is_sync_allowed: true' in sync
    unclear = validation_failure('AzureDirectoryB2BManagementPolicyCheckFailure', 'Policy check failed.', SOURCE, TARGET)
    assert 'crosstenant_access_partner' in unclear and 'crosstenant_sync_partner' in unclear
    assert 'is not a tenant of this cloud' in validation_failure('ExternalTenantNotFound', 'not found', SOURCE, TARGET)


def test_a_quarantine_is_named_with_its_reason_and_fix():
    config = {'job': {'status_code': 'Quarantine', 'quarantine': {'reason': 'TooManyDeletes', 'error': {'code': 'X', 'message': 'too many'}}}}
    warning = quarantine_warning('Fabrikam', config)
    assert 'in quarantine (reason TooManyDeletes, error X: too many)' in warning
    assert warning.endswith('job_state: restarted and reset_scope: [quarantine_state]')
    assert quarantine_warning('Fabrikam', {'job': {'status_code': 'Active'}}) is None
