# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lifecycle module against the fake Graph: mapping, convergence, check mode, diff and errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest
import requests

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

ODATA_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'
DELETED_ITEM = '/beta/policies/deletedItems/crossTenantSyncPolicyPartners/' + fake.PARTNER
LIVE_ITEM = '/beta/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization' % fake.PARTNER
DELETED_COLLECTION = '/beta/policies/deletedItems/crossTenantSyncPolicyPartners'


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


@pytest.fixture
def task(secret_auth):
    """A task's options: the sign-in plus the partner's tenant ID."""
    return dict(secret_auth, tenant_id=fake.PARTNER)


def full(**props):
    """An object as Graph returns it: every property, null where unset."""
    obj = dict((p, None) for p in fake.PROPERTIES)
    obj.update(props)
    return obj


# ---------------------------------------------------------------------------------------------
# option -> JSON


def test_create_posts_the_documented_body_with_only_the_options_set(cloud, task):
    result = run(dict(task, display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    assert result['changed'] is True
    gets, posts = cloud.graph('GET'), cloud.graph('POST')
    assert [g.path for g in gets] == [DELETED_ITEM]
    assert len(posts) == 1 and posts[0].path == DELETED_COLLECTION
    assert cloud.seen.index(gets[0]) < cloud.seen.index(posts[0]), 'the object must be read before it is created'
    assert posts[0].headers['Content-Type'] == 'application/json'
    assert posts[0].json == {
        '@odata.type': ODATA_TYPE,
        'tenantId': fake.PARTNER,
        'displayName': 'Fabrikam',
        'userSyncInbound': {'isSyncAllowed': True},
    }
    expected = full(tenantId=fake.PARTNER, displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})
    assert result['partner'] == expected
    assert '@odata.context' not in result['partner']
    assert result['ansible_facts'] == {'crosstenant_sync_partner': expected}
    assert result['changed_properties'] == ['displayName', 'userSyncInbound']
    assert cloud.deleted[fake.PARTNER] == expected


def test_every_option_maps_to_its_camel_case_property(cloud, task):
    result = run(dict(
        task,
        display_name='Fabrikam',
        external_cloud_authorized_application_id='app-in-the-other-cloud',
        user_sync_inbound=dict(is_sync_allowed=False),
        group_sync_inbound=dict(is_sync_allowed=True),
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
        'deletedDateTime': '2025-06-18T23:11:01Z',
    }


def test_upper_case_tenant_id_is_sent_as_graph_keys_it(cloud, task):
    result = run(dict(task, tenant_id=fake.PARTNER.upper(), display_name='Fabrikam'))

    assert not result.failed, result
    assert cloud.graph('GET')[0].path == DELETED_ITEM
    assert cloud.graph('POST')[0].json['tenantId'] == fake.PARTNER


@pytest.mark.parametrize('given, sent', [
    ('2025-06-18T23:11:01Z', '2025-06-18T23:11:01Z'),
    ('2025-06-18t23:11:01z', '2025-06-18T23:11:01Z'),
    ('2025-06-18T23:11:01+02:00', '2025-06-18T21:11:01Z'),
    ('2025-06-18T23:11:01+0200', '2025-06-18T21:11:01Z'),
    ('2025-06-18T23:11:01-05:30', '2025-06-19T04:41:01Z'),
    ('2025-12-31T23:30:00-01:00', '2026-01-01T00:30:00Z'),
    ('2025-06-18T23:11:01.5Z', '2025-06-18T23:11:01.5Z'),
    ('2025-06-18T23:11:01.120+01:00', '2025-06-18T22:11:01.12Z'),
    ('2025-06-18T23:11:01,25Z', '2025-06-18T23:11:01.25Z'),
    ('2025-06-18T23:11:01.123456789Z', '2025-06-18T23:11:01.123456Z'),
    ('2025-06-18T23:11:01.000Z', '2025-06-18T23:11:01Z'),
    ('2025-06-18 23:11:01', '2025-06-18T23:11:01Z'),
    ('2025-06-18T23:11', '2025-06-18T23:11:00Z'),
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
# present: converge, compare, merge


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_second_run_changes_nothing(cloud, task, location):
    args = dict(task, location=location, display_name='Fabrikam', external_cloud_authorized_application_id='x-app',
                user_sync_inbound=dict(is_sync_allowed=True), group_sync_inbound=dict(is_sync_allowed=False))
    first = run(args)
    writes = len(cloud.graph_writes())
    second = run(args)

    assert first['changed'] is True and not first.failed
    assert second['changed'] is False and not second.failed, second
    assert second['changed_properties'] == []
    assert len(cloud.graph_writes()) == writes == 1
    assert second['partner'] == first['partner']


def test_create_in_the_live_policy_puts_the_object(cloud, task):
    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True)))

    assert not result.failed, result
    writes = cloud.graph_writes()
    assert [(w.method, w.path) for w in writes] == [('PUT', LIVE_ITEM)]
    assert writes[0].json == {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert result['partner'] == full(tenantId=fake.PARTNER, displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})
    assert fake.PARTNER in cloud.live


def test_update_in_deleted_items_puts_the_merged_object(cloud, task):
    cloud.put_deleted(displayName='Old name', externalCloudAuthorizedApplicationId='keep-me', deletedDateTime='2025-06-18T23:11:01Z',
                      userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, display_name='New name'))

    assert not result.failed, result
    assert result['changed'] is True
    assert result['changed_properties'] == ['displayName']
    writes = cloud.graph_writes()
    assert [(w.method, w.path) for w in writes] == [('PUT', DELETED_ITEM)]
    assert writes[0].json == {
        'tenantId': fake.PARTNER,
        'displayName': 'New name',
        'externalCloudAuthorizedApplicationId': 'keep-me',
        'deletedDateTime': '2025-06-18T23:11:01Z',
        'userSyncInbound': {'isSyncAllowed': True},
    }
    expected = full(tenantId=fake.PARTNER, displayName='New name', externalCloudAuthorizedApplicationId='keep-me',
                    deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})
    assert result['partner'] == expected
    assert cloud.deleted[fake.PARTNER] == expected


def test_update_in_the_live_policy_keeps_what_was_left_out(cloud, task):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True}, groupSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=False)))

    assert not result.failed, result
    assert result['changed_properties'] == ['userSyncInbound']
    writes = cloud.graph_writes()
    assert [(w.method, w.path) for w in writes] == [('PUT', LIVE_ITEM)]
    # PUT replaces: the body is the whole object; the key comes from the URL.
    assert writes[0].json == {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': False},
                              'groupSyncInbound': {'isSyncAllowed': True}}
    assert cloud.live[fake.PARTNER]['displayName'] == 'Fabrikam'
    assert cloud.live[fake.PARTNER]['groupSyncInbound'] == {'isSyncAllowed': True}


def test_null_on_graphs_side_equals_an_option_left_out(cloud, task):
    cloud.put_live(userSyncInbound={'isSyncAllowed': True})  # displayName etc. are null

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_properties_graph_leaves_out_equal_options_left_out(cloud, task):
    # As in Graph's documented GET: only some properties in the answer.
    cloud.live[fake.PARTNER] = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}

    result = run(dict(task, location='partner_policy', display_name='Fabrikam'))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_nested_objects_match_on_the_keys_the_user_set(cloud, task):
    cloud.put_live(userSyncInbound={'@odata.type': '#microsoft.graph.crossTenantUserSyncInbound', 'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_null_nested_object_differs_from_a_false_the_user_set(cloud, task):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, location='partner_policy', group_sync_inbound=dict(is_sync_allowed=False)))

    assert result['changed'] is True, result
    assert cloud.graph_writes()[0].json == {'displayName': 'Fabrikam', 'groupSyncInbound': {'isSyncAllowed': False}}


@pytest.mark.parametrize('current', ['true', 'True', 1, 'yes'])
def test_booleans_are_compared_as_booleans_not_truthy_values(cloud, task, current):
    cloud.put_live(userSyncInbound={'isSyncAllowed': current})

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed'] is True, result
    assert result['changed_properties'] == ['userSyncInbound']
    assert cloud.graph_writes()[0].json['userSyncInbound'] == {'isSyncAllowed': True}


@pytest.mark.parametrize('current', ['false', 0, '', None])
def test_false_is_only_equal_to_false(cloud, task, current):
    cloud.put_live(userSyncInbound={'isSyncAllowed': current})

    result = run(dict(task, location='partner_policy', user_sync_inbound=dict(is_sync_allowed=False)))

    assert result['changed'] is True, result
    assert cloud.graph_writes()[0].json['userSyncInbound'] == {'isSyncAllowed': False}


def test_deleted_date_time_is_compared_as_an_instant(cloud, task):
    cloud.put_deleted(deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, deleted_date_time='2025-06-19T01:11:01+02:00'))

    assert result['changed'] is False and not result.failed, result
    assert cloud.graph_writes() == []


def test_a_different_deleted_date_time_is_written_normalised(cloud, task):
    cloud.put_deleted(deletedDateTime='2025-06-18T23:11:01Z', displayName='Fabrikam')

    result = run(dict(task, deleted_date_time='2025-06-18T23:11:02+00:00'))

    assert result['changed'] is True
    assert cloud.graph_writes()[0].json == {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam',
                                            'deletedDateTime': '2025-06-18T23:11:02Z'}


def test_only_the_changed_property_is_reported(cloud, task):
    cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=False),
                      group_sync_inbound=dict(is_sync_allowed=True)))

    assert result['changed_properties'] == ['groupSyncInbound', 'userSyncInbound']


def test_deleted_date_time_is_refused_for_the_live_policy(cloud, task):
    result = run(dict(task, location='partner_policy', deleted_date_time='2025-06-18T23:11:01Z'))

    assert result.failed and result['option'] == 'deleted_date_time'
    assert 'deleted_date_time' in result['msg'] and 'deleted_items' in result['msg']
    assert cloud.seen == []


# ---------------------------------------------------------------------------------------------
# absent


def test_absent_in_deleted_items_deletes_permanently(cloud, task):
    cloud.put_deleted(displayName='Fabrikam', deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, state='absent'))

    assert result['changed'] is True and not result.failed, result
    assert [(w.method, w.path) for w in cloud.graph_writes()] == [('DELETE', DELETED_ITEM)]
    assert result['partner'] == {} and result['ansible_facts'] == {'crosstenant_sync_partner': {}}
    assert cloud.deleted == {} and cloud.live == {}
    again = run(dict(task, state='absent'))
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


def test_absent_in_the_live_policy_soft_deletes(cloud, task):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='absent', location='partner_policy'))

    assert result['changed'] is True and not result.failed, result
    assert [(w.method, w.path) for w in cloud.graph_writes()] == [('DELETE', LIVE_ITEM)]
    assert result['partner'] == {}
    assert fake.PARTNER in cloud.deleted, 'Graph keeps a soft-deleted policy in deleted items'
    again = run(dict(task, state='absent', location='partner_policy'))
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_absent_when_missing_changes_nothing(cloud, task, location):
    result = run(dict(task, state='absent', location=location))

    assert result['changed'] is False and not result.failed, result
    assert result['partner'] == {}
    assert cloud.graph_writes() == []


# ---------------------------------------------------------------------------------------------
# restored


def test_restored_brings_the_policy_back_from_deleted_items(cloud, task):
    deleted = cloud.put_deleted(displayName='Fabrikam', deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, state='restored'))

    assert result['changed'] is True and not result.failed, result
    writes = cloud.graph_writes()
    assert [(w.method, w.path) for w in writes] == [('POST', DELETED_ITEM + '/restore')]
    assert writes[0].body == b'', 'restore takes no request body'
    assert result['partner'] == dict(deleted, deletedDateTime=None), 'a live policy has no deletion time'
    assert result['partner'] == cloud.live[fake.PARTNER]
    assert fake.PARTNER in cloud.live and fake.PARTNER not in cloud.deleted
    again = run(dict(task, state='restored'))
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


def test_restored_then_applies_the_options_set(cloud, task):
    cloud.put_deleted(displayName='Old', deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, state='restored', display_name='Fabrikam'))

    assert result['changed'] is True and not result.failed, result
    writes = cloud.graph_writes()
    assert [(w.method, w.path) for w in writes] == [('POST', DELETED_ITEM + '/restore'), ('PUT', LIVE_ITEM)]
    assert writes[1].json == {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert result['partner']['displayName'] == 'Fabrikam'
    assert cloud.live[fake.PARTNER]['displayName'] == 'Fabrikam'
    assert run(dict(task, state='restored', display_name='Fabrikam'))['changed'] is False


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_restored_when_already_live_changes_nothing(cloud, task, location):
    live = cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='restored', location=location))

    assert result['changed'] is False and not result.failed, result
    assert result['partner'] == live
    assert cloud.graph_writes() == []


def test_restored_when_in_neither_place_fails_clearly(cloud, task):
    result = run(dict(task, state='restored'))

    assert result.failed
    assert fake.PARTNER in result['msg'] and 'nothing to restore' in result['msg'] and 'state=present' in result['msg']
    assert cloud.graph_writes() == []


# ---------------------------------------------------------------------------------------------
# check mode and diff: every read, no write, the same outcome as the real run


SCENARIOS = {
    'create in deleted_items': (lambda c: None, dict(display_name='Fabrikam', deleted_date_time='2025-06-18T23:11:01+01:00')),
    'create in partner_policy': (lambda c: None,
                                 dict(location='partner_policy', display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True))),
    'update in deleted_items': (lambda c: c.put_deleted(displayName='Old', externalCloudAuthorizedApplicationId='x'),
                                dict(display_name='New', group_sync_inbound=dict(is_sync_allowed=True))),
    'update in partner_policy': (lambda c: c.put_live(displayName='Old', userSyncInbound={'isSyncAllowed': True}),
                                 dict(location='partner_policy', user_sync_inbound=dict(is_sync_allowed=False))),
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
def test_check_mode_reads_writes_nothing_and_predicts_the_real_run(cloud, task, name):
    setup, options = SCENARIOS[name]
    setup(cloud)
    before_deleted, before_live = copy.deepcopy(cloud.deleted), copy.deepcopy(cloud.live)
    args = dict(task, **options)

    predicted = run(args, check_mode=True, diff=True)

    assert not predicted.failed, predicted
    assert cloud.graph('GET'), 'check mode must read the object'
    assert cloud.graph_writes() == []
    assert (cloud.deleted, cloud.live) == (before_deleted, before_live)

    actual = run(args, diff=True)

    assert not actual.failed, actual
    assert predicted['changed'] == actual['changed']
    assert predicted['partner'] == actual['partner']
    assert predicted['diff'] == actual['diff']
    assert predicted['changed_properties'] == actual['changed_properties']
    assert predicted['ansible_facts'] == actual['ansible_facts']


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_diff_of_a_create_is_empty_before(cloud, task, location):
    result = run(dict(task, location=location, display_name='Fabrikam'), diff=True)

    assert result['diff'] == {'before': {}, 'after': full(tenantId=fake.PARTNER, displayName='Fabrikam')}


@pytest.mark.parametrize('location, put', [('deleted_items', 'put_deleted'), ('partner_policy', 'put_live')])
def test_diff_of_an_update_shows_the_object_before_and_after(cloud, task, location, put):
    current = getattr(cloud, put)(displayName='Old', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, location=location, display_name='New'), diff=True, check_mode=True)

    assert result['diff']['before'] == current
    assert result['diff']['after'] == dict(current, displayName='New')


@pytest.mark.parametrize('location, put', [('deleted_items', 'put_deleted'), ('partner_policy', 'put_live')])
def test_diff_of_absent_shows_the_object_going(cloud, task, location, put):
    current = getattr(cloud, put)(displayName='Gone')

    result = run(dict(task, location=location, state='absent'), diff=True)

    assert result['diff'] == {'before': current, 'after': {}}


def test_diff_of_restored_starts_from_the_deleted_item(cloud, task):
    deleted = cloud.put_deleted(displayName='Back', deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(task, state='restored', display_name='Back again'), diff=True)

    assert result['diff']['before'] == deleted
    assert result['diff']['after'] == dict(deleted, displayName='Back again', deletedDateTime=None)


def test_no_diff_without_diff_mode(cloud, task):
    result = run(dict(task, display_name='Fabrikam'))

    assert 'diff' not in result


# ---------------------------------------------------------------------------------------------
# Graph's errors and bad answers: a message a person can act on, never a traceback


def test_graph_error_names_status_code_message_and_request_ids(cloud, task):
    cloud.inject(kind='graph', method='POST', status=403, headers={'request-id': 'req-1234', 'client-request-id': 'echoed-id'},
                 body={'error': {'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges to complete the operation.',
                                 'innerError': {'request-id': 'req-1234', 'client-request-id': 'echoed-id'}}})

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed and 'exception' not in result
    msg = result['msg']
    for part in ('POST', DELETED_COLLECTION, 'HTTP 403', 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.',
                 'request-id: req-1234', 'client-request-id: echoed-id', 'Policy.ReadWrite.CrossTenantAccess'):
        assert part in msg
    assert result['status'] == 403
    assert result['error_code'] == 'Authorization_RequestDenied'
    assert result['request_id'] == 'req-1234'
    assert result['client_request_id'] == 'echoed-id'


def test_graph_error_without_headers_takes_the_ids_from_the_body_and_the_request(cloud, task):
    error = {'code': 'BadRequest', 'message': 'Invalid request.', 'innerError': {'request-id': 'inner-req-id'}}
    cloud.inject(kind='graph', method='GET', status=400, body={'error': error})

    result = run(dict(task, display_name='Fabrikam'))

    sent = cloud.graph('GET')[0].headers['client-request-id']
    assert result.failed
    assert 'request-id: inner-req-id' in result['msg'] and 'client-request-id: %s' % sent in result['msg']
    assert result['request_id'] == 'inner-req-id' and result['client_request_id'] == sent


def test_html_error_page_is_reported_as_text(cloud, task):
    page = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body>  <h1>Bad   Gateway</h1> </body></html>'
    cloud.inject(kind='graph', method='GET', status=502, headers={'Content-Type': 'text/html'}, body=page)

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed and 'exception' not in result
    assert 'HTTP 502' in result['msg']
    assert '<title>502 Bad Gateway</title>' in result['msg'] and '<h1>Bad Gateway</h1>' in result['msg']
    assert result['status'] == 502


def test_success_status_with_a_body_that_is_not_json_fails_clearly(cloud, task):
    cloud.inject(kind='graph', method='GET', status=200, headers={'Content-Type': 'text/plain', 'request-id': 'r-9'}, body='OK then')

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed
    assert 'not JSON' in result['msg'] and 'text/plain' in result['msg'] and 'OK then' in result['msg']
    assert result['request_id'] == 'r-9'
    assert cloud.graph_writes() == []


def test_empty_201_fails_and_says_the_object_may_exist(cloud, task):
    cloud.inject(kind='graph', method='POST', status=201, after=True, body=b'', headers={'request-id': 'r-201'})

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed
    assert '201' in result['msg'] and 'empty' in result['msg'] and 'run the task again' in result['msg']
    assert result['request_id'] == 'r-201'
    assert run(dict(task, display_name='Fabrikam'))['changed'] is False


@pytest.mark.parametrize('status', [200, 202, 302])
def test_unexpected_success_status_on_create_fails(cloud, task, status):
    cloud.inject(kind='graph', method='POST', status=status, body={'tenantId': fake.PARTNER})

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed and 'HTTP %d' % status in result['msg']
    assert result['status'] == status


def test_untrusted_certificate_is_named_as_a_certificate_problem(cloud, task):
    cloud.inject(kind='graph', exc=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta/policies "
        "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "self-signed certificate in certificate chain (_ssl.c:1006)')))"))

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed
    assert 'TLS certificate verification failed: self-signed certificate in certificate chain' in result['msg']
    assert 'ca_path' in result['msg']
    assert result['error_kind'] == 'tls'
    assert len(cloud.graph()) == 1, 'a certificate problem is not retried'


def test_certificate_for_another_host_is_named_as_a_hostname_mismatch(cloud, task):
    cloud.inject(kind='graph', exc=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta/policies "
        "(Caused by SSLError(SSLCertVerificationError(1, \"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "Hostname mismatch, certificate is not valid for 'graph.microsoft.com'. (_ssl.c:1006)\")))"))

    result = run(dict(task, display_name='Fabrikam'))

    assert result.failed
    assert "Hostname mismatch, certificate is not valid for 'graph.microsoft.com'" in result['msg']
    assert 'use the host name it was issued for' in result['msg'] and 'ca_path' not in result['msg']


@pytest.mark.parametrize('exc, words', [
    (requests.exceptions.ReadTimeout('read timed out'), 'no answer within the 7s timeout'),
    (requests.exceptions.ConnectTimeout('connect timed out'), 'could not connect within the 7s timeout'),
])
def test_timeout_is_named_as_a_timeout(cloud, task, exc, words):
    cloud.inject(kind='graph', exc=exc, times=10)

    result = run(dict(task, display_name='Fabrikam', timeout=7, max_retries=0))

    assert result.failed and words in result['msg']
    assert result['error_kind'] == 'timeout'
    assert all(s.timeout == 7 for s in cloud.seen), 'every request carries the timeout'


def test_connection_refused_is_named(cloud, task):
    cloud.inject(kind='graph', times=10, exc=requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta "
        "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"))

    result = run(dict(task, display_name='Fabrikam', max_retries=0))

    assert result.failed and 'connection refused' in result['msg'] and 'graph.microsoft.com' in result['msg']


# ---------------------------------------------------------------------------------------------
# retries, seen from the task (Retry-After: 0 keeps these fast; the waits themselves are
# tested against RetryPolicy in module_utils)


def test_throttled_twice_then_served(cloud, task):
    cloud.inject(kind='graph', method='GET', times=2, status=429, headers={'Retry-After': '0'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Too many requests.'}})

    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed and result['changed'] is True, result
    assert len(cloud.graph('GET')) == 3
    assert len(cloud.graph('POST')) == 1 and len(cloud.deleted) == 1


def test_service_unavailable_on_create_is_retried_once_and_creates_once(cloud, task):
    cloud.inject(kind='graph', method='POST', status=503, headers={'Retry-After': '0'},
                 body={'error': {'code': 'serviceNotAvailable', 'message': 'Try later.'}})

    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed and result['changed'] is True, result
    assert len(cloud.graph('POST')) == 2
    assert list(cloud.deleted) == [fake.PARTNER]


def test_persistent_throttling_fails_after_max_retries_plus_one_attempts(cloud, task):
    cloud.inject(kind='graph', method='GET', times=100, status=429, headers={'Retry-After': '0', 'request-id': 'throttled-req'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Too many requests.'}})

    result = run(dict(task, display_name='Fabrikam', max_retries=2))

    assert result.failed
    assert len(cloud.graph('GET')) == 3
    for part in ('HTTP 429', 'TooManyRequests', 'Too many requests.', 'tried 3 times', 'request-id: throttled-req'):
        assert part in result['msg']
    assert cloud.graph_writes() == []


def test_throttled_sign_in_is_retried(cloud, task):
    cloud.inject(kind='token', status=429, headers={'Retry-After': '0'},
                 body={'error': 'temporarily_unavailable', 'error_description': 'AADSTS50196: slow down.'})

    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed, result
    assert len(cloud.token_requests()) == 2


def test_create_whose_answer_is_lost_is_not_posted_again(cloud, task):
    cloud.inject(kind='graph', method='POST', after=True,
                 exc=requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                                                         "without response'))"))

    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed and result['changed'] is True, result
    assert len(cloud.graph('POST')) == 1
    assert [g.path for g in cloud.graph('GET')] == [DELETED_ITEM, DELETED_ITEM], 'it looks before posting again'
    assert result['partner'] == full(tenantId=fake.PARTNER, displayName='Fabrikam')
    assert list(cloud.deleted) == [fake.PARTNER]


def test_create_behind_a_gateway_timeout_is_not_posted_again(cloud, task):
    cloud.inject(kind='graph', method='POST', after=True, status=504, body='<html>Gateway Timeout</html>')

    result = run(dict(task, display_name='Fabrikam'))

    assert not result.failed and result['changed'] is True, result
    assert len(cloud.graph('POST')) == 1
    assert list(cloud.deleted) == [fake.PARTNER]
