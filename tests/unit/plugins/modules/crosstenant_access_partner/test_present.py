# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_partner with state=present: created by POST in Graph's casing, updated by PATCH with
complete complex values, so that what a task leaves out (a sibling sub-option included) stays on the server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_failed_before_any_request, run_module

PARTNERS = fake.graph_path(fake.PARTNERS, None, version='v1.0')
ITEM = fake.graph_path(fake.PARTNERS, version='v1.0')
GROUP = '6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21'
ALL_USERS = {'target': 'AllUsers', 'targetType': 'user'}
ONE_GROUP = {'target': GROUP, 'targetType': 'group'}
ALL_APPS = {'target': 'AllApplications', 'targetType': 'application'}


def run(args, **kwargs):
    return run_module(crosstenant_access_partner.main, args, **kwargs)


def calls(cloud):
    return [(s.method, s.path, s.status) for s in cloud.graph()]


B2B_INBOUND = dict(users_and_groups=dict(access_type='allowed', targets=[dict(target=GROUP, target_type='group'),
                                                                         dict(target='AllUsers', target_type='user')]),
                   applications=dict(access_type='allowed', targets=[dict(target='AllApplications', target_type='application')]))


def test_create_posts_the_options_set_in_graphs_casing(cloud, task):
    result = run(dict(task, is_service_provider=True, automatic_user_consent_settings=dict(inbound_allowed=True),
                      inbound_trust=dict(is_mfa_accepted=True, is_hybrid_azure_ad_joined_device_accepted=False),
                      b2b_collaboration_inbound=B2B_INBOUND))

    assert not result.failed, result
    assert result['changed'] is True and result['api_version'] == 'v1.0'
    assert calls(cloud) == [('GET', ITEM, 404), ('POST', PARTNERS, 201)]
    assert cloud.graph('POST')[0].json == {
        'tenantId': fake.PARTNER,
        'isServiceProvider': True,
        'automaticUserConsentSettings': {'inboundAllowed': True},
        'inboundTrust': {'isMfaAccepted': True, 'isHybridAzureADJoinedDeviceAccepted': False},
        'b2bCollaborationInbound': {'usersAndGroups': {'accessType': 'allowed', 'targets': [ONE_GROUP, ALL_USERS]},
                                    'applications': {'accessType': 'allowed', 'targets': [ALL_APPS]}},
    }
    assert result['partner'] == cloud.view(fake.PARTNERS, version='v1.0')
    assert result['ansible_facts'] == {'crosstenant_access_partner': result['partner']}
    assert result['changed_properties'] == ['automaticUserConsentSettings', 'b2bCollaborationInbound', 'inboundTrust', 'isServiceProvider']


@pytest.mark.parametrize('option, name', [
    ('b2b_collaboration_inbound', 'b2bCollaborationInbound'),
    ('b2b_collaboration_outbound', 'b2bCollaborationOutbound'),
    ('b2b_direct_connect_inbound', 'b2bDirectConnectInbound'),
    ('b2b_direct_connect_outbound', 'b2bDirectConnectOutbound'),
    ('tenant_restrictions', 'tenantRestrictions'),
])
def test_every_b2b_setting_is_sent_with_the_lower_case_b_graph_accepts(cloud, task, option, name):
    result = run(dict(task, **{option: dict(users_and_groups=dict(access_type='blocked', targets=[dict(target='AllUsers', target_type='user')]))}))

    assert not result.failed, result
    assert list(cloud.graph('POST')[0].json) == ['tenantId', name]
    assert cloud.partners[fake.PARTNER][name]['usersAndGroups'] == {'accessType': 'blocked', 'targets': [ALL_USERS]}


def test_a_create_with_no_option_is_the_bare_partner(cloud, task):
    result = run(task)

    assert not result.failed and result['changed'] is True, result
    assert cloud.graph('POST')[0].json == {'tenantId': fake.PARTNER}
    assert result['partner']['automaticUserConsentSettings'] == {'inboundAllowed': None, 'outboundAllowed': None}


def test_second_run_changes_nothing_even_with_the_targets_in_another_order(cloud, task):
    first = run(dict(task, b2b_collaboration_inbound=B2B_INBOUND))
    reordered = dict(B2B_INBOUND, users_and_groups=dict(B2B_INBOUND['users_and_groups'],
                                                        targets=list(reversed(B2B_INBOUND['users_and_groups']['targets']))))
    second = run(dict(task, b2b_collaboration_inbound=reordered))

    assert first['changed'] is True and second['changed'] is False, second
    assert second['partner'] == first['partner']
    assert [s.method for s in cloud.graph_writes()] == ['POST']


def test_a_nested_sub_option_is_patched_with_its_siblings_kept_on_the_server(cloud, task):
    cloud.add_partner(b2bCollaborationInbound={'usersAndGroups': {'accessType': 'allowed', 'targets': [ALL_USERS, ONE_GROUP]},
                                               'applications': {'accessType': 'allowed', 'targets': [ALL_APPS]}},
                      inboundTrust={'isMfaAccepted': True, 'isCompliantDeviceAccepted': True})

    result = run(dict(task, b2b_collaboration_inbound=dict(applications=dict(access_type='blocked'))))

    assert not result.failed and result['changed'] is True, result
    assert result['changed_properties'] == ['b2bCollaborationInbound']
    assert calls(cloud) == [('GET', ITEM, 200), ('PATCH', ITEM, 204)]
    # Graph replaces a complex value whole: the body carries the whole setting, not just the sub-option.
    assert cloud.graph('PATCH')[0].json == {'b2bCollaborationInbound': {
        'usersAndGroups': {'accessType': 'allowed', 'targets': [ALL_USERS, ONE_GROUP]},
        'applications': {'accessType': 'blocked', 'targets': [ALL_APPS]}}}
    held = cloud.view(fake.PARTNERS, version='v1.0')
    assert held['b2bCollaborationInbound']['usersAndGroups'] == {'accessType': 'allowed', 'targets': [ALL_USERS, ONE_GROUP]}
    assert held['b2bCollaborationInbound']['applications'] == {'accessType': 'blocked', 'targets': [ALL_APPS]}
    assert held['inboundTrust'] == {'isMfaAccepted': True, 'isCompliantDeviceAccepted': True, 'isHybridAzureADJoinedDeviceAccepted': None}
    assert result['partner'] == held


def test_one_trust_setting_changes_and_the_others_keep_their_values(cloud, task):
    cloud.add_partner(inboundTrust={'isMfaAccepted': False, 'isCompliantDeviceAccepted': True, 'isHybridAzureADJoinedDeviceAccepted': True})

    result = run(dict(task, inbound_trust=dict(is_mfa_accepted=True)))

    assert cloud.graph('PATCH')[0].json == {'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': True,
                                                             'isHybridAzureADJoinedDeviceAccepted': True}}
    assert result['partner']['inboundTrust'] == cloud.partners[fake.PARTNER]['inboundTrust']
    assert cloud.partners[fake.PARTNER]['inboundTrust']['isCompliantDeviceAccepted'] is True


def test_new_targets_replace_the_list_and_keep_the_access_type(cloud, task):
    cloud.add_partner(tenantRestrictions={'usersAndGroups': {'accessType': 'blocked', 'targets': [ALL_USERS]}})

    result = run(dict(task, tenant_restrictions=dict(users_and_groups=dict(targets=[dict(target=GROUP, target_type='group')]))))

    assert not result.failed, result
    assert cloud.view(fake.PARTNERS)['tenantRestrictions']['usersAndGroups'] == {'accessType': 'blocked', 'targets': [ONE_GROUP]}


def test_a_partner_created_since_it_was_read_is_patched(cloud, task):
    cloud.add_partner(isServiceProvider=False)
    cloud.inject(kind='graph', method='GET', status=404, body={'error': {'code': 'Request_ResourceNotFound', 'message': 'Not found.'}})

    result = run(dict(task, is_service_provider=True))

    assert not result.failed and result['changed'] is True, result
    assert [(m, s) for m, p, s in calls(cloud)] == [('GET', 404), ('POST', 409), ('GET', 200), ('PATCH', 204)]
    assert cloud.partners[fake.PARTNER]['isServiceProvider'] is True


@pytest.mark.parametrize('options, words', [
    (dict(b2b_collaboration_inbound=dict(users_and_groups=dict(access_type='maybe'))), ['access_type', 'allowed, blocked']),
    (dict(b2b_collaboration_inbound=dict(users_and_groups=dict(targets=[dict(target='AllUsers', target_type='person')]))),
     ['target_type', 'user, group, application']),
    (dict(b2b_collaboration_inbound=dict(users_and_groups=dict(targets=[dict(target_type='user')]))), ['target']),
    (dict(b2B_collaboration_inbound=dict()), ['b2B_collaboration_inbound']),
    (dict(inbound_trust=dict(is_mfa_accepted='perhaps')), ['is_mfa_accepted']),
    (dict(force=True), ['force applies only to state=absent']),
    (dict(tenant_id='fabrikam.onmicrosoft.com'), ['tenant_id', 'GUID']),
])
def test_bad_options_fail_before_any_request(cloud, task, options, words):
    assert_failed_before_any_request(run(dict(task, **options)), cloud, *words)
