# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner with state=absent (permanent delete from deleted items, soft delete of the live
policy) and state=restored (back from deleted items, then brought to what the task asks)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

DELETED_ITEM = fake.graph_path(fake.DELETED)
LIVE_BETA = fake.graph_path(fake.LIVE)


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


def writes(cloud):
    return [(w.method, w.path) for w in cloud.graph_writes()]


# ---------------------------------------------------------------------------------------------
# absent


def test_absent_in_deleted_items_deletes_for_good(cloud, task):
    cloud.put_deleted(displayName='Fabrikam', deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, state='absent'))
    again = run(dict(task, state='absent'))

    assert result['changed'] is True and not result.failed, result
    assert writes(cloud) == [('DELETE', DELETED_ITEM)]
    assert cloud.graph_writes()[0].body == b''
    assert result['partner'] == {} and result['ansible_facts'] == {'crosstenant_sync_partner': {}}
    assert cloud.deleted == {} and cloud.live == {}
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


def test_absent_in_the_live_policy_soft_deletes_it_into_deleted_items(cloud, task):
    live = cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='absent', location='partner_policy'))
    again = run(dict(task, state='absent', location='partner_policy'))

    assert result['changed'] is True and not result.failed, result
    # beta: the copy in deleted items the delete replaces is read first (there is none).
    assert writes(cloud) == [('DELETE', LIVE_BETA)]
    assert result['partner'] == {} and result['api_version'] == 'beta' and result['replaced_deleted_copy'] == {}
    assert cloud.deleted[fake.PARTNER]['displayName'] == live['displayName'], 'Graph keeps a soft-deleted policy in deleted items'
    assert fake.PARTNER in cloud.partners, 'the partner configuration stays'
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_absent_when_missing_changes_nothing(cloud, task, location):
    result = run(dict(task, state='absent', location=location))

    assert result['changed'] is False and not result.failed, result
    assert result['partner'] == {}
    assert cloud.graph_writes() == []


def test_absent_ignores_the_properties_and_says_so(cloud, task):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='absent', location='partner_policy', display_name='Other', group_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is True and not result.failed, result
    assert any('state=absent deletes the object whatever it holds; ignored: display_name, group_sync_inbound' in w for w in result.warnings)
    assert result['api_version'] == 'beta', 'a delete of the live policy reads deleted items, ignored options or not'


# ---------------------------------------------------------------------------------------------
# restored


def test_restored_brings_the_policy_back_from_deleted_items(cloud, task, partner):
    deleted = cloud.put_deleted(displayName='Fabrikam', deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, state='restored'))
    again = run(dict(task, state='restored'))

    assert result['changed'] is True and not result.failed, result
    assert writes(cloud) == [('POST', DELETED_ITEM + '/restore')]
    assert cloud.graph_writes()[0].body == b'', 'restore takes no request body'
    assert result['partner'] == dict(deleted, deletedDateTime=None) == cloud.view(fake.LIVE), 'a live policy has no deletion time'
    assert fake.PARTNER in cloud.live and fake.PARTNER not in cloud.deleted
    assert result['api_version'] == 'beta' and cloud.versions() == set(['beta'])
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


def test_restored_then_patches_what_the_task_asks(cloud, task, partner):
    cloud.put_deleted(displayName='Old', deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, state='restored', display_name='Fabrikam'))
    again = run(dict(task, state='restored', display_name='Fabrikam'))

    assert result['changed'] is True and not result.failed, result
    assert writes(cloud) == [('POST', DELETED_ITEM + '/restore'), ('PATCH', LIVE_BETA)]
    assert cloud.graph_writes()[1].json == {'displayName': 'Fabrikam'}
    assert result['partner'] == cloud.view(fake.LIVE) and result['partner']['userSyncInbound'] == {'isSyncAllowed': True}
    assert again['changed'] is False


def test_an_update_failing_after_the_restore_reports_changed_and_what_was_done(cloud, task, partner):
    cloud.put_deleted(displayName='Old')
    cloud.inject(kind='graph', method='PATCH', status=403, headers={'request-id': 'patch-403'},
                 body={'error': {'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges to complete the operation.'}})

    result = run(dict(task, state='restored', display_name='New'))

    assert result.failed and 'exception' not in result
    assert result['changed'] is True, 'the restore happened: the task changed something'
    assert result['msg'].startswith('restored the sync policy of tenant %s from deleted items; then failed: PATCH ' % fake.PARTNER)
    assert 'HTTP 403 Authorization_RequestDenied' in result['msg'] and result['request_id'] == 'patch-403'
    assert cloud.view(fake.LIVE)['displayName'] == 'Old'


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_restored_when_already_live_changes_nothing(cloud, task, location):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='restored', location=location))

    assert result['changed'] is False and not result.failed, result
    assert result['partner'] == cloud.view(fake.LIVE)
    assert cloud.graph_writes() == []


def test_restored_when_in_neither_place_fails_clearly(cloud, task):
    result = run(dict(task, state='restored'))

    assert result.failed
    assert fake.PARTNER in result['msg'] and 'nothing to restore' in result['msg'] and 'state=present' in result['msg']
    assert cloud.graph_writes() == []


def test_restored_without_the_partner_configuration_names_the_missing_partner(cloud, task):
    cloud.put_deleted(displayName='Fabrikam')

    predicted = run(dict(task, state='restored'), check_mode=True)
    result = run(dict(task, state='restored'))

    assert not predicted.failed and predicted['changed'] is True
    assert any('has no partner configuration' in warning for warning in predicted.warnings), predicted.get('warnings')
    assert result.failed and 'exception' not in result
    assert 'has no partner configuration' in result['msg'] and 'entra.graph.crosstenant_access_partner' in result['msg']
    assert 'POST' in result['msg'] and '/restore' in result['msg'], 'the real run quotes what Graph answered'
    assert not result.get('changed'), 'nothing was restored'
    assert fake.PARTNER in cloud.deleted and cloud.live == {}
