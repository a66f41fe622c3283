# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner updates: compared on the options that are set, written by PATCH with only what
differs, never a PUT over an existing policy; options left out keep what Graph holds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

LIVE_V1 = fake.graph_path(fake.LIVE, version='v1.0')
LIVE_BETA = fake.graph_path(fake.LIVE)
DELETED_ITEM = fake.graph_path(fake.DELETED)


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


def writes(cloud):
    return [(w.method, w.path, w.json) for w in cloud.graph_writes()]


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_second_run_changes_nothing(cloud, task, partner, location):
    args = dict(task, location=location, display_name='Fabrikam', external_cloud_authorized_application_id='x-app',
                user_sync_inbound=dict(is_sync_allowed=True), group_sync_inbound=dict(is_sync_allowed=False))
    first = run(args)
    second = run(args)

    assert first['changed'] is True and not first.failed, first
    assert second['changed'] is False and not second.failed, second
    assert second['changed_properties'] == []
    assert len(cloud.graph_writes()) == 1
    assert second['partner'] == first['partner']


def test_an_update_of_the_live_policy_patches_only_what_differs(cloud, task):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True}, groupSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=False)))

    assert not result.failed and result['changed'] is True, result
    assert result['changed_properties'] == ['userSyncInbound']
    assert writes(cloud) == [('PATCH', LIVE_V1, {'userSyncInbound': {'isSyncAllowed': False}})]
    assert cloud.graph('PUT') == [], 'a PUT over an existing policy is a 409 in Graph'
    held = cloud.view(fake.LIVE)
    assert held['displayName'] == 'Fabrikam' and held['groupSyncInbound'] == {'isSyncAllowed': True}, 'what was left out is kept'
    assert result['partner'] == cloud.view(fake.LIVE, version='v1.0')


def test_a_beta_only_option_updates_the_live_policy_through_beta(cloud, task):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', group_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    assert writes(cloud) == [('PATCH', LIVE_BETA, {'groupSyncInbound': {'isSyncAllowed': True}})]
    assert result['partner'] == cloud.view(fake.LIVE)
    assert result['partner']['displayName'] == 'Fabrikam' and result['partner']['userSyncInbound'] == {'isSyncAllowed': True}


def test_role_enabled_group_sync_round_trip(cloud, task, partner):
    option = dict(role_enabled_group_sync_inbound=dict(is_sync_allowed=True))
    args = dict(task, location='partner_policy', display_name='Fabrikam', **option)

    predicted = run(args, check_mode=True, diff=True)
    created = run(args, diff=True)
    unchanged = run(args)
    args['role_enabled_group_sync_inbound'] = dict(is_sync_allowed=False)
    planned = run(args, check_mode=True, diff=True)
    updated = run(args, diff=True)

    assert not created.failed and created['changed'] is True, created
    assert predicted['partner'] == created['partner'] and predicted['diff'] == created['diff']
    assert created['diff']['before'] == {} and created['partner']['roleEnabledGroupSyncInbound'] == {'isSyncAllowed': True}
    assert unchanged['changed'] is False
    assert updated['changed'] is True and updated['changed_properties'] == ['roleEnabledGroupSyncInbound']
    assert planned['partner'] == updated['partner'] and planned['diff'] == updated['diff']
    assert updated['diff']['before']['roleEnabledGroupSyncInbound'] == {'isSyncAllowed': True}
    assert updated['diff']['after']['roleEnabledGroupSyncInbound'] == {'isSyncAllowed': False}
    assert writes(cloud) == [('PUT', LIVE_BETA, {'displayName': 'Fabrikam', 'roleEnabledGroupSyncInbound': {'isSyncAllowed': True}}),
                             ('PATCH', LIVE_BETA, {'roleEnabledGroupSyncInbound': {'isSyncAllowed': False}})]
    assert cloud.live[fake.PARTNER]['roleEnabledGroupSyncInbound'] == {'isSyncAllowed': False}
    assert {created['api_version'], updated['api_version']} == set(['beta'])


def test_only_the_changed_properties_are_reported(cloud, task):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=False),
                      group_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed_properties'] == ['groupSyncInbound', 'userSyncInbound']
    assert writes(cloud) == [('PATCH', LIVE_BETA, {'groupSyncInbound': {'isSyncAllowed': True}, 'userSyncInbound': {'isSyncAllowed': False}})]


def test_null_on_graphs_side_equals_an_option_left_out(cloud, task):
    cloud.put_live(userSyncInbound={'isSyncAllowed': True})  # displayName and the rest are null

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_a_null_setting_differs_from_a_false_the_task_sets(cloud, task):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=False)))

    assert result['changed'] is True, result
    assert writes(cloud) == [('PATCH', LIVE_V1, {'userSyncInbound': {'isSyncAllowed': False}})]


def test_annotations_in_graphs_answer_do_not_make_a_difference(cloud, task):
    held = cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})
    cloud.inject(kind='graph', method='GET', status=200, body=dict(held, **{
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#entity', 'userSyncInbound': {
            '@odata.type': '#microsoft.graph.crossTenantUserSyncInbound', 'isSyncAllowed': True}}))

    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is False and not result.failed, result
    assert result['partner']['userSyncInbound'] == {'isSyncAllowed': True}


def test_properties_graph_leaves_out_equal_options_left_out(cloud, task):
    # As in Graph's documented GET: only some properties in the answer.
    cloud.put_live(displayName='Fabrikam')
    cloud.inject(kind='graph', method='GET', status=200, body={'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'})

    result = run(dict(task, location='partner_policy', display_name='Fabrikam'))

    assert result['changed'] is False and not result.failed, result
    assert result['partner'] == {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': None}


# ---------------------------------------------------------------------------------------------
# deleted items: Graph documents no update


def test_the_same_deletion_time_in_another_offset_is_no_change(cloud, task):
    cloud.put_deleted(deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, deleted_date_time='2025-06-19T01:11:01+02:00'))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_a_deleted_item_that_differs_fails_and_says_what_to_do_instead(cloud, task):
    held = cloud.put_deleted(displayName='Old', deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, display_name='New'))

    assert result.failed and 'exception' not in result
    assert result['msg'].startswith('the sync policy of tenant %s in deleted items cannot be changed in place' % fake.PARTNER)
    assert 'state=absent' in result['msg'] and 'state=restored' in result['msg']
    assert result['status'] == 405 and result['request_id']
    assert not result.get('changed')
    assert writes(cloud) == [('PATCH', DELETED_ITEM, {'displayName': 'New'})]
    assert cloud.view(fake.DELETED) == held
