# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner in check mode (every read, no write, the outcome of the real run) and diff mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_check_mode_predicts, run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


SCENARIOS = {
    'create in deleted_items': (lambda c: None, dict(display_name='Fabrikam', deleted_date_time='2025-06-18T23:11:01+01:00')),
    'create in partner_policy': (lambda c: None,
                                 dict(location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True))),
    'create in partner_policy, beta': (lambda c: None, dict(location='partner_policy', group_sync_inbound=dict(is_sync_allowed=True),
                                                            external_cloud_authorized_application_id='x-app')),
    'update in partner_policy': (lambda c: c.put_live(displayName='Old', userSyncInbound={'isSyncAllowed': True}),
                                 dict(location='partner_policy', user_sync_inbound=dict(is_sync_allowed=False))),
    'update in partner_policy, beta': (lambda c: c.put_live(displayName='Old', groupSyncInbound={'isSyncAllowed': True}),
                                       dict(location='partner_policy', display_name='New', role_enabled_group_sync_inbound=dict(is_sync_allowed=True))),
    'unchanged in deleted_items': (lambda c: c.put_deleted(displayName='Same'), dict(display_name='Same')),
    'unchanged in partner_policy': (lambda c: c.put_live(displayName='Same'), dict(location='partner_policy', display_name='Same')),
    'absent from deleted_items': (lambda c: c.put_deleted(displayName='Gone'), dict(state='absent')),
    'absent from partner_policy': (lambda c: c.put_live(displayName='Gone'), dict(state='absent', location='partner_policy')),
    'absent already': (lambda c: None, dict(state='absent', location='partner_policy')),
    'restored from deleted_items': (lambda c: c.put_deleted(displayName='Back', deletedDateTime='2025-06-18T23:11:01Z'),
                                    dict(state='restored')),
    'restored and updated': (lambda c: c.put_deleted(displayName='Old', deletedDateTime='2025-06-18T23:11:01Z'),
                             dict(state='restored', display_name='New')),
    'restored already live': (lambda c: c.put_live(displayName='Live'), dict(state='restored')),
    'restored, location partner_policy': (lambda c: c.put_deleted(displayName='Back', deletedDateTime='2025-06-18T23:11:01Z'),
                                          dict(state='restored', location='partner_policy', group_sync_inbound=dict(is_sync_allowed=True))),
}


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_check_mode_reads_writes_nothing_and_predicts_the_real_run(cloud, task, partner, name):
    setup, options = SCENARIOS[name]
    setup(cloud)

    assert_check_mode_predicts(crosstenant_sync_partner.main, dict(task, **options), cloud)

    assert len(cloud.versions()) == 1, 'every request of a task goes to one version'


@pytest.mark.parametrize('location, version', [('deleted_items', 'beta'), ('partner_policy', 'v1.0')])
def test_diff_of_a_create_is_empty_before(cloud, task, partner, location, version):
    result = run(dict(task, location=location, display_name='Fabrikam'), diff=True)

    collection = fake.DELETED if location == 'deleted_items' else fake.LIVE
    assert result['diff'] == {'before': {}, 'after': cloud.view(collection, version=version)}
    assert result['diff']['after']['displayName'] == 'Fabrikam'


def test_diff_of_an_update_shows_the_object_before_and_after(cloud, task):
    current = cloud.put_live(displayName='Old', userSyncInbound={'isSyncAllowed': True})
    shown = dict((k, v) for k, v in current.items() if k in ('tenantId', 'displayName', 'userSyncInbound'))

    result = run(dict(task, location='partner_policy', display_name='New'), diff=True, check_mode=True)

    assert result['diff'] == {'before': shown, 'after': dict(shown, displayName='New')}


def test_check_mode_predicts_that_a_deleted_item_cannot_be_changed(cloud, task):
    cloud.put_deleted(displayName='Old', userSyncInbound={'isSyncAllowed': True})

    predicted = run(dict(task, location='deleted_items', display_name='New'), diff=True, check_mode=True)
    actual = run(dict(task, location='deleted_items', display_name='New'), diff=True)

    assert predicted.failed and actual.failed
    for result in (predicted, actual):
        assert 'the sync policy of tenant %s in deleted items cannot be changed in place' % fake.PARTNER in result['msg']
    assert 'predicted in check mode' in predicted['msg']
    assert [s.method for s in cloud.graph_writes()] == ['PATCH']


@pytest.mark.parametrize('location, put', [('deleted_items', 'put_deleted'), ('partner_policy', 'put_live')])
def test_diff_of_absent_shows_the_object_going(cloud, task, location, put):
    getattr(cloud, put)(displayName='Gone')
    collection = fake.DELETED if location == 'deleted_items' else fake.LIVE
    # Both in beta: a delete of the live policy reads the copy in deleted items it replaces.
    before = cloud.view(collection, version='beta')

    result = run(dict(task, location=location, state='absent'), diff=True)

    assert result['diff'] == {'before': before, 'after': {}}


def test_diff_of_restored_starts_from_the_deleted_item(cloud, task, partner):
    deleted = cloud.put_deleted(displayName='Back', deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, state='restored', display_name='Back again'), diff=True)

    assert result['diff'] == {'before': deleted, 'after': dict(deleted, displayName='Back again', deletedDateTime=None)}


def test_no_diff_without_diff_mode(cloud, task):
    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed and 'diff' not in result
