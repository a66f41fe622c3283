# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bulk engine (module_utils/engine.py) through the bulk modules that run on it, with Graph faked below
requests: input errors before any request, each state, one sign-in for every worker, a 429 honoured, an answer
lost after the write landed, and one partner failing while the others go through (deletes held back)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import requests

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partners, crosstenant_sync_partners
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_failed_before_any_request, run_module

A, B, C = fake.PARTNER, fake.OTHER_PARTNER, '3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7'
PARTNERS = fake.graph_path(fake.PARTNERS, None, version='v1.0')


def run(args, **kwargs):
    return run_module(crosstenant_access_partners.main, args, **kwargs)


def consent(inbound):
    return dict(automatic_user_consent_settings=dict(inbound_allowed=inbound))


def writes(cloud):
    return [(s.method, s.path) for s in cloud.graph_writes()]


# ---- reading config: every input error at once, before any request -----------------------------

def test_every_input_error_is_named_before_any_request(cloud, secret_auth):
    result = run(dict(secret_auth, config=[dict(tenant_id='not-a-guid'), dict(tenant_id=A), dict(tenant_id=A.upper())]))

    assert_failed_before_any_request(result, cloud, 'config[0].tenant_id must be a GUID',
                                     'config[2] (tenant_id %s): the same tenant_id as config[1]' % A)


def test_states_that_write_need_config_and_gathered_takes_none(cloud, secret_auth):
    assert_failed_before_any_request(run(dict(secret_auth, state='overridden')), cloud, 'state=overridden needs config')
    assert_failed_before_any_request(run(dict(secret_auth, state='gathered', config=[dict(tenant_id=A)])), cloud,
                                     'state=gathered reads every partner and takes no config')
    assert_failed_before_any_request(run(dict(secret_auth, state='deleted', config=[dict(tenant_id=A, is_service_provider=True)])),
                                     cloud, 'state=deleted takes only tenant_id', 'remove is_service_provider')


def test_force_and_max_concurrency_are_checked_before_any_request(cloud, secret_auth):
    assert_failed_before_any_request(run(dict(secret_auth, force=True, config=[dict(tenant_id=A)])), cloud,
                                     'force applies only to state=deleted and state=overridden')
    assert_failed_before_any_request(run(dict(secret_auth, max_concurrency=0, config=[dict(tenant_id=A)])), cloud,
                                     'max_concurrency must be 1 or more, got 0')


# ---- states ----------------------------------------------------------------------------------

def test_merged_writes_what_differs_in_one_read_and_converges(cloud, secret_auth):
    cloud.add_partner(A, automaticUserConsentSettings=dict(inboundAllowed=False))
    cloud.add_partner(C)
    task = dict(secret_auth, config=[dict(tenant_id=A, **consent(True)), dict(tenant_id=B, **consent(True))])

    result = run(task)

    assert not result.failed, result
    assert result['changed_partners'] == [
        dict(tenant_id=A, action='update', changed_properties=['automaticUserConsentSettings']),
        dict(tenant_id=B, action='create', changed_properties=['automaticUserConsentSettings'])]
    assert [s.path for s in cloud.graph('GET')] == [PARTNERS]
    assert sorted(writes(cloud)) == sorted([('PATCH', PARTNERS + '/' + A), ('POST', PARTNERS)])
    assert set(cloud.partners) == {A, B, C}
    assert [obj['tenantId'] for obj in result['after']] == [A, B]

    del cloud.seen[:]
    again = run(task)
    assert again['changed'] is False and writes(cloud) == []


def test_check_mode_predicts_the_real_run_and_writes_nothing(cloud, secret_auth):
    cloud.add_partner(A, automaticUserConsentSettings=dict(inboundAllowed=False))
    cloud.add_partner(C)
    task = dict(secret_auth, state='overridden', config=[dict(tenant_id=A, **consent(True)), dict(tenant_id=B)])
    before = cloud.emulator.objects()

    predicted = run(task, check_mode=True, diff=True)

    assert writes(cloud) == [] and cloud.emulator.objects() == before
    actual = run(task, diff=True)
    for key in ('changed', 'changed_partners', 'after', 'diff'):
        assert predicted[key] == actual[key], key
    assert [(p['tenant_id'], p['action']) for p in actual['changed_partners']] == [(A, 'update'), (B, 'create'), (C, 'delete')]
    assert sorted(actual['diff']['before']) == sorted([A, C]) and sorted(actual['diff']['after']) == sorted([A, B])


def test_overridden_keeps_the_signed_in_tenants_own_partner_configuration(cloud, secret_auth):
    cloud.add_partner(fake.HOME_TENANT)
    cloud.add_partner(C)

    result = run(dict(secret_auth, state='overridden', config=[]))

    assert not result.failed, result
    assert result['kept_partners'] == [dict(tenant_id=fake.HOME_TENANT, reason='the tenant this task signed in to')]
    assert any('keeps the partner configuration of tenant %s' % fake.HOME_TENANT in w for w in result.warnings)
    assert result['changed_partners'] == [dict(tenant_id=C, action='delete', changed_properties=[])]
    assert set(cloud.partners) == {fake.HOME_TENANT}


def test_deleted_without_config_deletes_all_but_the_signed_in_tenant(cloud, secret_auth):
    cloud.add_partner(fake.HOME_TENANT)
    cloud.add_partner(A)
    cloud.add_partner(B)

    result = run(dict(secret_auth, state='deleted'))

    assert sorted(p['tenant_id'] for p in result['changed_partners']) == sorted([A, B])
    assert set(cloud.partners) == {fake.HOME_TENANT}


def test_a_sync_policy_without_force_fails_naming_force_and_holds_back_every_delete(cloud, secret_auth):
    cloud.add_partner(A)
    cloud.add_partner(B)
    cloud.put_live(B, displayName='B')

    result = run(dict(secret_auth, state='deleted', config=[dict(tenant_id=A), dict(tenant_id=B)]))

    assert result.failed and result['changed'] is False
    assert result['msg'].startswith('1 of 2 partners failed: tenant_id %s (delete): the partner configuration of tenant %s has a '
                                    'cross-tenant sync policy' % (B, B)), result['msg']
    assert 'set force=true' in result['msg'] and 'Nothing was written' in result['msg']
    assert result['held_back_partners'] == [dict(tenant_id=A, action='delete')]
    assert writes(cloud) == [] and set(cloud.partners) == {A, B}


def test_force_deletes_the_sync_policy_first(cloud, secret_auth):
    cloud.add_partner(B)
    cloud.put_live(B, displayName='B')

    result = run(dict(secret_auth, state='deleted', force=True, config=[dict(tenant_id=B)]))

    assert not result.failed, result
    assert writes(cloud) == [('DELETE', PARTNERS + '/' + B + '/identitySynchronization'), ('DELETE', PARTNERS + '/' + B)]
    assert result['changed_partners'][0]['deleted_sync_policy']['displayName'] == 'B'
    assert cloud.partners == {} and cloud.live == {}


def test_gathered_fed_back_to_overridden_is_a_no_op(cloud, secret_auth):
    cloud.add_partner(A, isServiceProvider=True, inboundTrust=dict(isMfaAccepted=True))
    cloud.add_partner(B, automaticUserConsentSettings=dict(inboundAllowed=True, outboundAllowed=False))

    gathered = run(dict(secret_auth, state='gathered'))

    assert gathered['api_version'] == 'beta' and writes(cloud) == []
    assert sorted(gathered['gathered'], key=lambda item: item['tenant_id']) == sorted([
        dict(tenant_id=A, is_service_provider=True, inbound_trust=dict(is_mfa_accepted=True)),
        dict(tenant_id=B, automatic_user_consent_settings=dict(inbound_allowed=True, outbound_allowed=False))],
        key=lambda item: item['tenant_id'])
    again = run(dict(secret_auth, state='overridden', config=gathered['gathered']))
    assert again['changed'] is False and writes(cloud) == []


def test_replaced_clears_what_the_item_leaves_out(cloud, secret_auth):
    cloud.add_partner(A, isServiceProvider=True, automaticUserConsentSettings=dict(inboundAllowed=True))

    result = run(dict(secret_auth, state='replaced', config=[dict(tenant_id=A, **consent(True))]))

    assert result['changed_partners'] == [dict(tenant_id=A, action='update', changed_properties=['isServiceProvider'])]
    assert cloud.partners[A]['isServiceProvider'] is None
    assert cloud.partners[A]['automaticUserConsentSettings']['inboundAllowed'] is True


# ---- concurrency, throttling, lost answers, partial failure -----------------------------------

def test_many_workers_share_one_sign_in_and_results_keep_config_order(cloud, secret_auth):
    tenants = ['%08d-0000-4000-8000-000000000000' % index for index in range(12)]

    result = run(dict(secret_auth, max_concurrency=8, config=[dict(tenant_id=t, **consent(True)) for t in tenants]))

    assert not result.failed, result
    assert cloud.sign_ins() == ['client_secret']
    assert [p['tenant_id'] for p in result['changed_partners']] == tenants
    assert len(cloud.graph('POST')) == 12 and set(cloud.partners) == set(tenants)


def test_a_429_is_retried_after_retry_after_and_the_task_succeeds(cloud, secret_auth):
    cloud.add_partner(A)
    cloud.inject(kind='graph', method='PATCH', status=429, headers={'Retry-After': '0'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Too many requests'}})

    result = run(dict(secret_auth, config=[dict(tenant_id=A, **consent(True))]))

    assert not result.failed, result
    assert [s.status for s in cloud.graph('PATCH')] == [429, 204]
    assert cloud.partners[A]['automaticUserConsentSettings']['inboundAllowed'] is True


def test_a_create_whose_answer_was_lost_is_confirmed_and_counts_once(cloud, secret_auth):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ConnectionError('connection reset'))

    result = run(dict(secret_auth, config=[dict(tenant_id=A, **consent(True))]))

    assert not result.failed, result
    assert result['changed_partners'] == [dict(tenant_id=A, action='create', changed_properties=['automaticUserConsentSettings'])]
    assert set(cloud.partners) == {A}


def test_one_partner_failing_does_not_stop_the_others_and_holds_back_the_deletes(cloud, secret_auth):
    cloud.add_partner(A)
    cloud.add_partner(B)
    cloud.add_partner(C)
    cloud.inject(kind='graph', method='PATCH', path=PARTNERS + '/' + B, status=500,
                 body={'error': {'code': 'generalException', 'message': 'boom'}}, times=10)

    result = run(dict(secret_auth, state='overridden', max_concurrency=2,
                      config=[dict(tenant_id=A, **consent(True)), dict(tenant_id=B, **consent(True))]))

    assert result.failed and result['changed'] is True
    assert result['failed_partners'][0]['tenant_id'] == B and result['failed_partners'][0]['status'] == 500
    assert result['changed_partners'] == [dict(tenant_id=A, action='update', changed_properties=['automaticUserConsentSettings'])]
    assert result['held_back_partners'] == [dict(tenant_id=C, action='delete')]
    assert 'The other partners were done: updated 1' in result['msg'] and 'Held back' in result['msg']
    assert set(cloud.partners) == {A, B, C}


def test_the_sync_partners_module_runs_on_the_same_engine(cloud, secret_auth):
    cloud.add_partner(A)
    result = run_module(crosstenant_sync_partners.main, dict(secret_auth, location='partner_policy',
                                                             config=[dict(tenant_id=A, display_name='A')]))

    assert not result.failed, result
    assert result['changed_partners'] == [dict(tenant_id=A, action='create', changed_properties=['displayName'])]
    assert cloud.live[A]['displayName'] == 'A'
