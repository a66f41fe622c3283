# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""resource: options to JSON and back, comparison, PATCH bodies, plans and the choice of API version,
on the two resource types the collection manages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.module_utils.access_partner import ACCESS_PARTNER
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.resource import (
    choose_api_version,
    matches,
    overlay_object,
    plan_absent,
    plan_present,
    writable_value,
)
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY

PARTNER = '9c5d131d-b1c3-4fc4-9e3f-c6557947d551'
GROUP = '0b8d6a3e-1c2f-4e5a-9b7c-3d4e5f6a7b8c'
USERS = dict(access_type='allowed', targets=[dict(target='AllUsers', target_type='user'), dict(target=GROUP, target_type='group')])
USERS_JSON = {'accessType': 'allowed', 'targets': [{'target': 'AllUsers', 'targetType': 'user'}, {'target': GROUP, 'targetType': 'group'}]}


# ---------------------------------------------------------------------------------------------
# options <-> JSON


def test_only_the_options_that_are_set_become_properties():
    params = dict(tenant_id=PARTNER, display_name=None, external_cloud_authorized_application_id='',
                  user_sync_inbound=None, group_sync_inbound=dict(is_sync_allowed=False), deleted_date_time=None)

    assert SYNC_POLICY.desired(params) == {'externalCloudAuthorizedApplicationId': '', 'groupSyncInbound': {'isSyncAllowed': False}}


def test_desired_can_be_limited_to_some_options():
    params = dict(display_name='Fabrikam', user_sync_inbound=dict(is_sync_allowed=True))

    assert SYNC_POLICY.desired(params, options=['display_name']) == {'displayName': 'Fabrikam'}


def test_a_date_option_is_sent_normalised():
    assert SYNC_POLICY.desired(dict(deleted_date_time='2025-06-19T01:11:01+02:00')) == {'deletedDateTime': '2025-06-18T23:11:01Z'}


def test_nested_settings_map_both_ways_with_graphs_casing():
    params = dict(b2b_collaboration_inbound=dict(users_and_groups=USERS, applications=None),
                  inbound_trust=dict(is_mfa_accepted=True, is_compliant_device_accepted=None,
                                     is_hybrid_azure_ad_joined_device_accepted=False))

    desired = ACCESS_PARTNER.desired(params)

    assert desired == {
        'b2bCollaborationInbound': {'usersAndGroups': USERS_JSON},
        'inboundTrust': {'isMfaAccepted': True, 'isHybridAzureADJoinedDeviceAccepted': False},
    }
    assert ACCESS_PARTNER.options(dict(desired, tenantId=PARTNER)) == {
        'b2b_collaboration_inbound': {'users_and_groups': USERS},
        'inbound_trust': {'is_mfa_accepted': True, 'is_hybrid_azure_ad_joined_device_accepted': False},
    }


def test_an_empty_list_of_targets_is_kept():
    desired = ACCESS_PARTNER.desired(dict(tenant_restrictions=dict(applications=dict(access_type='blocked', targets=[]))))

    assert desired == {'tenantRestrictions': {'applications': {'accessType': 'blocked', 'targets': []}}}


def test_a_complex_option_that_sets_no_member_is_refused_naming_it():
    with pytest.raises(ConfigurationError) as refused:
        ACCESS_PARTNER.desired(dict(automatic_user_consent_settings=dict(inbound_allowed=None)))

    assert refused.value.message.startswith('automatic_user_consent_settings sets none of its members (inbound_allowed, outbound_allowed)')


def test_a_patch_leaves_out_members_no_prop_describes_and_names_them():
    current = SYNC_POLICY.shape({'tenantId': PARTNER, 'userSyncInbound': {'isSyncAllowed': True, 'someNewMember': 1}}, 'v1.0')
    plan = plan_present(SYNC_POLICY, PARTNER, current, {'userSyncInbound': {'isSyncAllowed': False}}, 'v1.0')

    assert plan.body == {'userSyncInbound': {'isSyncAllowed': False}}
    assert plan.left_out == ['userSyncInbound.someNewMember']
    # Graph keeps what a PATCH leaves out when it merges member by member: the predicted object keeps it too.
    assert plan.after['userSyncInbound'] == {'isSyncAllowed': False, 'someNewMember': 1}


def test_export_leaves_out_nulls_annotations_and_unknown_shapes():
    obj = {'tenantId': PARTNER, '@odata.context': 'x', 'displayName': None, 'deletedDateTime': '2025-06-18T23:11:01Z',
           'userSyncInbound': {'@odata.type': '#microsoft.graph.crossTenantUserSyncInbound', 'isSyncAllowed': True},
           'groupSyncInbound': 'not an object', 'roleEnabledGroupSyncInbound': {'isSyncAllowed': None}}

    assert SYNC_POLICY.options(obj) == {'deleted_date_time': '2025-06-18T23:11:01Z', 'user_sync_inbound': {'is_sync_allowed': True}}


def test_a_list_that_is_not_a_list_is_no_option_value():
    assert ACCESS_PARTNER.options({'b2bDirectConnectOutbound': {'usersAndGroups': {'accessType': 'allowed', 'targets': 'AllUsers'}}}) == {
        'b2b_direct_connect_outbound': {'users_and_groups': {'access_type': 'allowed'}}}


def test_argument_spec_follows_the_properties():
    spec = ACCESS_PARTNER.argument_spec()

    users = spec['b2b_collaboration_inbound']['options']['users_and_groups']
    assert users['type'] == 'dict'
    assert users['options']['access_type'] == dict(type='str', choices=['allowed', 'blocked'])
    assert users['options']['targets']['type'] == 'list' and users['options']['targets']['elements'] == 'dict'
    assert users['options']['targets']['options']['target_type'] == dict(type='str', required=True, choices=['user', 'group', 'application'])
    assert spec['is_service_provider'] == dict(type='bool')
    assert SYNC_POLICY.argument_spec()['user_sync_inbound']['options'] == {'is_sync_allowed': dict(type='bool', required=True)}
    assert SYNC_POLICY.argument_spec()['deleted_date_time'] == dict(type='str')


def test_cleared_names_every_writable_property_it_leaves_out():
    cleared = SYNC_POLICY.cleared({'displayName': 'Fabrikam'})

    assert cleared == {'displayName': 'Fabrikam', 'externalCloudAuthorizedApplicationId': None, 'userSyncInbound': None,
                       'groupSyncInbound': None, 'roleEnabledGroupSyncInbound': None}
    assert 'deletedDateTime' not in cleared, 'a deletion time is not the task\'s to clear'
    assert 'tenantId' not in cleared


def test_the_beta_only_options_are_named():
    desired = {'displayName': 'x', 'userSyncInbound': {}, 'groupSyncInbound': {}, 'roleEnabledGroupSyncInbound': {},
               'externalCloudAuthorizedApplicationId': 'y'}

    assert sorted(SYNC_POLICY.beta_only(desired)) == ['external_cloud_authorized_application_id', 'group_sync_inbound',
                                                      'role_enabled_group_sync_inbound']
    assert SYNC_POLICY.beta_only({'displayName': 'x', 'userSyncInbound': {}}) == []


@pytest.mark.parametrize('version, names', [
    ('v1.0', ['tenantId', 'displayName', 'userSyncInbound']),
    ('beta', ['tenantId', 'displayName', 'externalCloudAuthorizedApplicationId', 'deletedDateTime', 'userSyncInbound', 'groupSyncInbound',
              'roleEnabledGroupSyncInbound']),
])
def test_shape_has_every_property_of_the_version_and_no_annotation(version, names):
    shaped = SYNC_POLICY.shape({'@odata.context': 'x', 'tenantId': PARTNER,
                                'userSyncInbound': {'@odata.type': '#microsoft.graph.crossTenantUserSyncInbound', 'isSyncAllowed': True}},
                               version)

    assert sorted(shaped) == sorted(names)
    assert shaped['userSyncInbound'] == {'isSyncAllowed': True}
    assert shaped['tenantId'] == PARTNER


def test_shape_keeps_the_read_only_properties_graph_returns():
    shaped = ACCESS_PARTNER.shape({'tenantId': PARTNER, 'isInMultiTenantOrganization': False}, 'v1.0')

    assert shaped['isInMultiTenantOrganization'] is False and shaped['b2bCollaborationInbound'] is None


# ---------------------------------------------------------------------------------------------
# comparison


@pytest.mark.parametrize('current, desired, changed', [
    ({}, {}, []),
    ({'displayName': None}, {}, []),
    ({'displayName': 'A'}, {'displayName': 'A'}, []),
    ({'displayName': 'A'}, {'displayName': 'a'}, ['displayName']),
    ({}, {'displayName': 'A'}, ['displayName']),
    ({'userSyncInbound': None}, {'userSyncInbound': {'isSyncAllowed': False}}, ['userSyncInbound']),
    ({'userSyncInbound': {'isSyncAllowed': False, 'extra': 1}}, {'userSyncInbound': {'isSyncAllowed': False}}, []),
    ({'userSyncInbound': 'true'}, {'userSyncInbound': {'isSyncAllowed': True}}, ['userSyncInbound']),
    ({'deletedDateTime': '2025-06-18T23:11:01.000Z'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, []),
    ({'deletedDateTime': '2025-06-19T01:11:01+02:00'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, []),
    ({'deletedDateTime': '2025-06-18T23:11:02Z'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, ['deletedDateTime']),
    ({'deletedDateTime': 'garbage'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, ['deletedDateTime']),
    ({'b': 1, 'a': 1}, {'b': 2, 'a': 2}, ['a', 'b']),
])
def test_differences(current, desired, changed):
    assert SYNC_POLICY.differences(current, desired) == changed


@pytest.mark.parametrize('current, desired, same', [
    (True, True, True),
    (False, False, True),
    (1, True, False),
    (0, False, False),
    ('true', True, False),
    (True, 1, False),
    (None, False, False),
    (None, None, True),
    ({}, None, True),
    ([], None, True),
    ('', None, False),
])
def test_booleans_are_not_numbers_and_null_is_only_nothing(current, desired, same):
    assert matches('isSyncAllowed', current, desired) is same


def test_lists_match_in_any_order_but_not_with_items_missing_or_added():
    current = {'accessType': 'allowed', 'targets': list(reversed(USERS_JSON['targets']))}
    annotated = {'accessType': 'allowed', 'targets': [dict(t, **{'@odata.type': '#microsoft.graph.crossTenantAccessPolicyTarget'})
                                                      for t in USERS_JSON['targets']]}

    assert matches('usersAndGroups', current, USERS_JSON)
    assert matches('usersAndGroups', annotated, USERS_JSON)
    assert not matches('usersAndGroups', {'accessType': 'allowed', 'targets': USERS_JSON['targets'][:1]}, USERS_JSON)
    assert not matches('usersAndGroups', {'accessType': 'allowed', 'targets': USERS_JSON['targets'] * 2}, USERS_JSON)
    assert not matches('usersAndGroups', {'accessType': 'allowed', 'targets': None}, USERS_JSON)
    assert matches('targets', [], [])


def test_only_properties_named_as_dates_compare_as_instants():
    assert matches('deletedDateTime', '2025-06-18T23:11:01.000Z', '2025-06-18T23:11:01Z')
    assert not matches('displayName', '2025-06-18T23:11:01.000Z', '2025-06-18T23:11:01Z')


# ---------------------------------------------------------------------------------------------
# PATCH bodies and plans


def test_a_patch_sends_only_what_differs_with_complex_values_complete():
    current = {'tenantId': PARTNER, 'isServiceProvider': True,
               'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': True, 'isHybridAzureADJoinedDeviceAccepted': None},
               'b2bCollaborationInbound': {'usersAndGroups': USERS_JSON,
                                           'applications': {'accessType': 'allowed', 'targets': [{'target': 'AllApplications',
                                                                                                  'targetType': 'application'}]}}}
    desired = ACCESS_PARTNER.desired(dict(is_service_provider=True, inbound_trust=dict(is_compliant_device_accepted=False),
                                          b2b_collaboration_inbound=dict(users_and_groups=dict(access_type='blocked'))))

    names = ACCESS_PARTNER.differences(current, desired)
    body = ACCESS_PARTNER.patch_body(current, desired, names)

    assert names == ['b2bCollaborationInbound', 'inboundTrust']
    assert body == {
        # A complex value is replaced whole by PATCH: its siblings go along, nulls do not.
        'inboundTrust': {'isMfaAccepted': True, 'isCompliantDeviceAccepted': False},
        'b2bCollaborationInbound': {
            'usersAndGroups': {'accessType': 'blocked', 'targets': USERS_JSON['targets']},
            'applications': current['b2bCollaborationInbound']['applications'],
        },
    }
    assert current['inboundTrust']['isCompliantDeviceAccepted'] is True, 'the current object is not modified'


def test_a_list_in_a_patch_is_replaced_not_merged():
    current = {'tenantRestrictions': {'usersAndGroups': USERS_JSON}}
    desired = {'tenantRestrictions': {'usersAndGroups': {'targets': [{'target': GROUP, 'targetType': 'group'}]}}}

    body = ACCESS_PARTNER.patch_body(current, desired, ['tenantRestrictions'])

    assert body == {'tenantRestrictions': {'usersAndGroups': {'accessType': 'allowed', 'targets': [{'target': GROUP, 'targetType': 'group'}]}}}


def test_writable_values_carry_no_annotation_and_no_null_member():
    assert writable_value({'@odata.type': 'x', 'a': None, 'b': {'@odata.type': 'y', 'c': 1, 'd': None}, 'e': [{'@odata.type': 'z', 'f': 2}]}) == {
        'b': {'c': 1}, 'e': [{'f': 2}]}


def test_the_object_after_a_patch_keeps_the_rest_and_clears_what_is_sent_as_null():
    current = {'tenantId': PARTNER, 'displayName': 'Old', 'userSyncInbound': {'isSyncAllowed': True}, 'groupSyncInbound': {'isSyncAllowed': True}}

    after = overlay_object(current, {'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': False}, 'groupSyncInbound': None})

    assert after == {'tenantId': PARTNER, 'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': False}, 'groupSyncInbound': None}
    assert current['displayName'] == 'Old'


def test_plan_create_is_the_desired_object_shaped_for_the_version():
    plan = plan_present(SYNC_POLICY, PARTNER, None, {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}, 'v1.0')

    assert (plan.action, plan.changed, plan.changed_properties) == ('create', True, ['displayName', 'userSyncInbound'])
    assert plan.body == {'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert plan.before == {}
    assert plan.after == {'tenantId': PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}


def test_plan_update_and_none():
    current = SYNC_POLICY.shape({'tenantId': PARTNER, 'displayName': 'Old', 'userSyncInbound': {'isSyncAllowed': True}}, 'beta')

    update = plan_present(SYNC_POLICY, PARTNER, current, {'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': True}}, 'beta')
    none = plan_present(SYNC_POLICY, PARTNER, current, {'userSyncInbound': {'isSyncAllowed': True}}, 'beta')

    assert (update.action, update.changed_properties, update.body) == ('update', ['displayName'], {'displayName': 'New'})
    assert update.before == current and update.after == dict(current, displayName='New')
    assert (none.action, none.changed, none.body, none.after) == ('none', False, None, current)


def test_plan_absent():
    current = {'tenantId': PARTNER}

    assert (plan_absent(SYNC_POLICY, PARTNER, None).action, plan_absent(SYNC_POLICY, PARTNER, None).before,
            plan_absent(SYNC_POLICY, PARTNER, None).after) == ('none', {}, {})
    assert (plan_absent(SYNC_POLICY, PARTNER, current).action, plan_absent(SYNC_POLICY, PARTNER, current).before,
            plan_absent(SYNC_POLICY, PARTNER, current).after) == ('delete', current, {})


sync = st.one_of(st.none(), st.fixed_dictionaries({'isSyncAllowed': st.one_of(st.none(), st.booleans())}))
names = st.one_of(st.none(), st.text(max_size=8))
targets = st.lists(st.fixed_dictionaries({'target': st.sampled_from(['AllUsers', GROUP, 'AllApplications']),
                                          'targetType': st.sampled_from(['user', 'group', 'application'])}), max_size=3)
access = st.one_of(st.none(), st.fixed_dictionaries({}, optional={'accessType': st.sampled_from(['allowed', 'blocked']), 'targets': targets}))
b2b = st.one_of(st.none(), st.fixed_dictionaries({}, optional={'usersAndGroups': access, 'applications': access}))


@given(current=st.fixed_dictionaries({'displayName': names, 'userSyncInbound': sync, 'groupSyncInbound': sync}),
       desired=st.fixed_dictionaries({}, optional={'displayName': st.text(max_size=8),
                                                   'userSyncInbound': st.fixed_dictionaries({'isSyncAllowed': st.booleans()}),
                                                   'groupSyncInbound': st.fixed_dictionaries({'isSyncAllowed': st.booleans()})}))
def test_after_the_planned_patch_nothing_differs_and_nothing_else_moved(current, desired):
    current = SYNC_POLICY.shape(dict(current, tenantId=PARTNER), 'beta')
    plan = plan_present(SYNC_POLICY, PARTNER, copy.deepcopy(current), desired, 'beta')

    assert SYNC_POLICY.differences(plan.after, desired) == []
    for name in current:
        if name not in plan.changed_properties:
            assert plan.after[name] == current[name], name
    assert set(plan.body or {}) == set(plan.changed_properties)


@given(current=st.fixed_dictionaries({'b2bCollaborationInbound': b2b, 'tenantRestrictions': b2b}),
       params=st.fixed_dictionaries({}, optional={'b2b_collaboration_inbound': st.fixed_dictionaries({}, optional={
           'users_and_groups': st.fixed_dictionaries({'access_type': st.sampled_from(['allowed', 'blocked'])})}).filter(bool)}))
def test_a_nested_patch_keeps_every_sibling_it_does_not_name(current, params):
    current = ACCESS_PARTNER.shape(dict(current, tenantId=PARTNER), 'v1.0')
    desired = ACCESS_PARTNER.desired(params)
    plan = plan_present(ACCESS_PARTNER, PARTNER, copy.deepcopy(current), desired, 'v1.0')

    assert ACCESS_PARTNER.differences(plan.after, desired) == []
    if plan.action == 'update':
        sent = plan.body['b2bCollaborationInbound']
        before = current['b2bCollaborationInbound'] or {}
        if isinstance(before.get('applications'), dict):
            assert sent['applications'] == writable_value(before['applications'])
        users_before = before.get('usersAndGroups') or {}
        if users_before.get('targets') is not None:
            assert sent['usersAndGroups']['targets'] == users_before['targets']


# ---------------------------------------------------------------------------------------------
# the API version


@pytest.mark.parametrize('requested, reasons, chosen', [
    ('auto', [], 'v1.0'),
    ('auto', ['option group_sync_inbound'], 'beta'),
    ('beta', [], 'beta'),
    ('v1.0', [], 'v1.0'),
])
def test_one_version_for_the_task(requested, reasons, chosen):
    assert choose_api_version(requested, reasons) == chosen


def test_an_impossible_v1_0_names_every_reason_and_the_way_out():
    with pytest.raises(ConfigurationError) as caught:
        choose_api_version('v1.0', ['option group_sync_inbound', 'location=deleted_items'])

    assert caught.value.details['option'] == 'api_version'
    for words in ('api_version=v1.0', 'option group_sync_inbound, location=deleted_items', 'only Microsoft Graph beta',
                  'use api_version=beta or auto'):
        assert words in caught.value.message
