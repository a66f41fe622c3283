# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner creates: the body each location documents, built from the options that are set,
in deleted items by POST and in the live policy by PUT inside its partner configuration."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

ODATA_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'
DELETED_COLLECTION = fake.graph_path(fake.DELETED, None)
DELETED_ITEM = fake.graph_path(fake.DELETED)
LIVE_V1 = fake.graph_path(fake.LIVE, version='v1.0')
NOT_FOUND = {'error': {'code': 'Request_ResourceNotFound', 'message': "Resource '%s' does not exist." % fake.PARTNER}}


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


def calls(cloud):
    return [(s.method, s.path, s.status) for s in cloud.graph()]


# ---------------------------------------------------------------------------------------------
# deleted items: POST


def test_create_reads_first_then_posts_the_documented_body_with_only_the_options_set(cloud, task):
    result = run(dict(task, display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    assert result['changed'] is True and result['api_version'] == 'beta'
    assert calls(cloud) == [('GET', DELETED_ITEM, 404), ('POST', DELETED_COLLECTION, 201)]
    [post] = cloud.graph_writes()
    assert post.headers['Content-Type'] == 'application/json'
    assert post.json == {'@odata.type': ODATA_TYPE, 'tenantId': fake.PARTNER, 'displayName': 'Fabrikam',
                         'userSyncInbound': {'isSyncAllowed': True}}
    assert result['partner'] == cloud.view(fake.DELETED)
    assert result['partner']['displayName'] == 'Fabrikam' and result['partner']['userSyncInbound'] == {'isSyncAllowed': True}
    assert '@odata.context' not in result['partner'] and '@odata.type' not in result['partner']
    assert result['ansible_facts'] == {'crosstenant_sync_partner': result['partner']}
    assert result['changed_properties'] == ['displayName', 'userSyncInbound']


def test_every_option_maps_to_its_camel_case_property(cloud, task):
    result = run(dict(
        task,
        display_name='Fabrikam',
        external_cloud_authorized_application_id='app-in-the-other-cloud',
        user_sync_inbound=dict(is_sync_allowed=False),
        group_sync_inbound=dict(is_sync_allowed=True),
        role_enabled_group_sync_inbound=dict(is_sync_allowed=True),
        deleted_date_time='2025-06-18T23:11:01Z',
    ))

    assert not result.failed, result
    assert cloud.graph('POST')[0].json == {
        '@odata.type': ODATA_TYPE,
        'tenantId': fake.PARTNER,
        'displayName': 'Fabrikam',
        'externalCloudAuthorizedApplicationId': 'app-in-the-other-cloud',
        'userSyncInbound': {'isSyncAllowed': False},
        'groupSyncInbound': {'isSyncAllowed': True},
        'roleEnabledGroupSyncInbound': {'isSyncAllowed': True},
        'deletedDateTime': '2025-06-18T23:11:01Z',
    }
    assert cloud.deleted[fake.PARTNER]['roleEnabledGroupSyncInbound'] == {'isSyncAllowed': True}


def test_upper_case_tenant_id_is_sent_as_graph_keys_it(cloud, task):
    result = run(dict(task, tenant_id=fake.PARTNER.upper(), display_name='Fabrikam'))

    assert not result.failed, result
    assert cloud.graph('GET')[0].path == DELETED_ITEM
    assert cloud.graph('POST')[0].json['tenantId'] == fake.PARTNER


@pytest.mark.parametrize('given, sent', [
    ('2025-06-18T23:11:01+02:00', '2025-06-18T21:11:01Z'),
    ('2025-06-18 23:11:01', '2025-06-18T23:11:01Z'),
    ('2025-06-18T23:11:01.120+01:00', '2025-06-18T22:11:01.12Z'),
])
def test_deleted_date_time_is_sent_in_utc_with_a_z(cloud, task, given, sent):
    result = run(dict(task, deleted_date_time=given))

    assert not result.failed, result
    assert cloud.graph('POST')[0].json['deletedDateTime'] == sent
    assert result['partner']['deletedDateTime'] == sent


@pytest.mark.parametrize('given', ['yes', 'on', 'true', 1, True])
def test_truthy_spellings_are_sent_as_json_true(cloud, task, given):
    result = run(dict(task, user_sync_inbound=dict(is_sync_allowed=given)))

    assert not result.failed, result
    assert cloud.graph('POST')[0].json['userSyncInbound'] == {'isSyncAllowed': True}


@pytest.mark.parametrize('given', ['no', 'off', 'false', 0, False])
def test_falsy_spellings_are_sent_as_json_false_not_left_out(cloud, task, given):
    result = run(dict(task, group_sync_inbound=dict(is_sync_allowed=given)))

    assert not result.failed, result
    assert cloud.graph('POST')[0].json['groupSyncInbound'] == {'isSyncAllowed': False}


# ---------------------------------------------------------------------------------------------
# the live policy: PUT, inside its partner configuration


def test_create_in_the_live_policy_puts_the_options_set_and_nothing_more(cloud, task, partner):
    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    assert calls(cloud) == [('GET', LIVE_V1, 404), ('PUT', LIVE_V1, 204)], 'no extra request on the success path'
    assert cloud.graph('PUT')[0].json == {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    expected = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert result['partner'] == expected == cloud.view(fake.LIVE, version='v1.0')
    assert result['api_version'] == 'v1.0'


def test_a_sync_policy_without_a_partner_configuration_fails_clearly_and_creates_nothing(cloud, task):
    result = run(dict(task, location='partner_policy', display_name='Fabrikam'))

    assert result.failed and 'exception' not in result
    assert result['msg'].startswith('tenant_id %s has no partner configuration' % fake.PARTNER)
    assert 'entra.graph.crosstenant_access_partner' in result['msg']
    assert 'changed' not in result or result['changed'] is False
    assert calls(cloud) == [('GET', LIVE_V1, 404), ('PUT', LIVE_V1, 404),
                            ('GET', fake.graph_path(fake.PARTNERS, version='v1.0'), 404)]
    assert cloud.live == {} and cloud.partners == {}


def test_check_mode_predicts_the_create_and_warns_that_the_partner_configuration_is_missing_now(cloud, task):
    # Not a failure: in a check-mode run of a playbook, the task that creates the partner configuration
    # before this one is only predicted too.
    result = run(dict(task, location='partner_policy', display_name='Fabrikam'), check_mode=True)

    assert not result.failed and result['changed'] is True
    assert any('tenant_id %s has no partner configuration' % fake.PARTNER in warning and 'real run fails' in warning
               for warning in result.warnings), result.get('warnings')
    assert calls(cloud) == [('GET', LIVE_V1, 404), ('GET', fake.graph_path(fake.PARTNERS, version='v1.0'), 404)]


def test_a_policy_created_between_the_read_and_the_put_is_patched(cloud, task):
    cloud.put_live(displayName='Created meanwhile', userSyncInbound={'isSyncAllowed': False})
    # The first read finds nothing: another writer creates the policy before this task's PUT.
    cloud.inject(kind='graph', method='GET', path='/identitySynchronization', status=404, body=NOT_FOUND)

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    assert result['changed'] is True
    assert calls(cloud) == [('GET', LIVE_V1, 404), ('PUT', LIVE_V1, 409), ('GET', LIVE_V1, 200), ('PATCH', LIVE_V1, 204)]
    assert cloud.graph('PATCH')[0].json == {'userSyncInbound': {'isSyncAllowed': True}}
    assert cloud.view(fake.LIVE, version='v1.0') == {'tenantId': fake.PARTNER, 'displayName': 'Created meanwhile',
                                                     'userSyncInbound': {'isSyncAllowed': True}}
    assert result['partner'] == cloud.view(fake.LIVE, version='v1.0')
