# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner's api_version: v1.0 for the live policy unless a beta-only option is set, beta for
deleted items and restores; every request of a task to that one version; an impossible choice refused first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

LIVE = dict(location='partner_policy')
BETA_ONLY = {
    'group_sync_inbound': dict(is_sync_allowed=True),
    'role_enabled_group_sync_inbound': dict(is_sync_allowed=True),
    'external_cloud_authorized_application_id': 'app-in-the-other-cloud',
}


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


@pytest.mark.parametrize('options, version', [
    (dict(LIVE, display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)), 'v1.0'),
    (dict(LIVE, display_name='Fabrikam', api_version='beta'), 'beta'),
    (dict(LIVE, display_name='Fabrikam', api_version='v1.0'), 'v1.0'),
    (dict(LIVE, group_sync_inbound=dict(is_sync_allowed=True)), 'beta'),
    (dict(LIVE, role_enabled_group_sync_inbound=dict(is_sync_allowed=False)), 'beta'),
    (dict(LIVE, external_cloud_authorized_application_id='x-app'), 'beta'),
    (dict(display_name='Fabrikam'), 'beta'),
    (dict(display_name='Fabrikam', api_version='beta'), 'beta'),
    # beta: the copy in deleted items the delete replaces is read first.
    (dict(LIVE, state='absent'), 'beta'),
    (dict(LIVE, state='absent', api_version='v1.0'), 'v1.0'),
    (dict(state='absent'), 'beta'),
])
@pytest.mark.parametrize('existing', ['missing', 'held'])
def test_every_request_of_the_task_goes_to_the_version_it_reports(cloud, task, partner, options, version, existing):
    if existing == 'held':
        # Deleted items cannot be updated: what they hold already is what the tasks ask.
        cloud.put_live(displayName='Held')
        cloud.put_deleted(displayName='Fabrikam')

    result = run(dict(task, **options))

    assert not result.failed, result
    assert result['api_version'] == version
    assert cloud.versions() == set([version])


def test_restored_goes_to_beta_for_the_read_of_the_live_policy_too(cloud, task, partner):
    cloud.put_deleted(displayName='Back')

    result = run(dict(task, state='restored', location='partner_policy', display_name='Back'))

    assert not result.failed and result['api_version'] == 'beta', result
    assert cloud.versions() == set(['beta'])


def test_a_v1_0_read_leaves_beta_properties_out_and_a_v1_0_update_keeps_them(cloud, task):
    cloud.put_live(displayName='Old', groupSyncInbound={'isSyncAllowed': True}, externalCloudAuthorizedApplicationId='x-app')

    result = run(dict(task, location='partner_policy', display_name='New'))

    assert not result.failed, result
    assert sorted(result['partner']) == ['displayName', 'tenantId', 'userSyncInbound']
    assert [(w.method, w.json) for w in cloud.graph_writes()] == [('PATCH', {'displayName': 'New'})]
    held = cloud.view('partner_policy')
    assert held['groupSyncInbound'] == {'isSyncAllowed': True} and held['externalCloudAuthorizedApplicationId'] == 'x-app'


@pytest.mark.parametrize('option', sorted(BETA_ONLY))
def test_explicit_v1_0_with_a_beta_only_option_fails_before_any_request(cloud, task, option):
    result = run(dict(task, location='partner_policy', api_version='v1.0', **{option: BETA_ONLY[option]}))

    assert result.failed and result['option'] == 'api_version'
    assert 'api_version=v1.0 cannot be used with option %s' % option in result['msg']
    assert 'use api_version=beta or auto' in result['msg']
    assert cloud.seen == []


@pytest.mark.parametrize('options, reason', [
    (dict(display_name='Fabrikam'), 'location=deleted_items'),
    (dict(location='partner_policy', state='restored'), 'state=restored'),
    (dict(state='absent'), 'location=deleted_items'),
])
def test_explicit_v1_0_where_only_beta_serves_fails_before_any_request(cloud, task, options, reason):
    result = run(dict(task, api_version='v1.0', **options))

    assert result.failed and result['option'] == 'api_version'
    assert 'api_version=v1.0 cannot be used with %s' % reason in result['msg']
    assert cloud.seen == []
