# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_partner in check mode and diff mode: every read, no write, the outcome of the real run;
and over the whole option space (hypothesis), a second run that changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import RESULT_KEYS, assert_check_mode_predicts, run_module
from ansible_collections.entra.graph.tests.unit.helpers.schema import body_problems

USERS = {'accessType': 'allowed', 'targets': [{'target': 'AllUsers', 'targetType': 'user'}]}
APPS = {'accessType': 'blocked', 'targets': [{'target': 'AllApplications', 'targetType': 'application'}]}


def run(args, **kwargs):
    return run_module(crosstenant_access_partner.main, args, **kwargs)


SCENARIOS = {
    'update a nested setting': (lambda c: c.add_partner(b2bCollaborationOutbound={'usersAndGroups': USERS, 'applications': APPS}),
                                dict(b2b_collaboration_outbound=dict(applications=dict(access_type='allowed')))),
    'update a flag': (lambda c: c.add_partner(isServiceProvider=False), dict(is_service_provider=True)),
    'unchanged': (lambda c: c.add_partner(inboundTrust={'isMfaAccepted': True}), dict(inbound_trust=dict(is_mfa_accepted=True))),
    'absent': (lambda c: c.add_partner(), dict(state='absent')),
    'absent with its sync policy': (lambda c: c.put_live(displayName='Fabrikam'), dict(state='absent', force=True)),
    'absent already': (lambda c: None, dict(state='absent')),
    'restored': (lambda c: c.put_deleted_partner(isServiceProvider=True), dict(state='restored')),
    'restored and updated': (lambda c: c.put_deleted_partner(isServiceProvider=True), dict(state='restored', is_service_provider=False)),
    'restored already live': (lambda c: c.add_partner(), dict(state='restored')),
}


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_check_mode_reads_writes_nothing_and_predicts_the_real_run(cloud, task, name):
    setup, options = SCENARIOS[name]
    setup(cloud)

    assert_check_mode_predicts(crosstenant_access_partner.main, dict(task, **options), cloud, RESULT_KEYS + ('deleted_sync_policy',))


# A target configuration (usersAndGroups, applications) set with accessType alone: Graph's targets is a
# collection that cannot be null (v1.0 CSDL), so Graph holds an empty list, and so must the prediction.
def test_check_mode_predicts_a_created_partner_as_graph_returns_it(cloud, task):
    args = dict(task, is_service_provider=True, b2b_direct_connect_outbound=dict(users_and_groups=dict(access_type='blocked')))

    predicted = run(args, check_mode=True, diff=True)
    actual = run(args, diff=True)

    assert cloud.graph('POST') and predicted['changed'] is actual['changed'] is True
    assert predicted['changed_properties'] == actual['changed_properties'] == ['b2bDirectConnectOutbound', 'isServiceProvider']
    assert predicted['partner'] == actual['partner']


# The same after a PATCH that brings a target configuration into being.
def test_the_partner_an_update_reports_is_what_graph_then_holds(cloud, task):
    cloud.add_partner()
    args = dict(task, b2b_collaboration_inbound=dict(users_and_groups=dict(access_type='allowed')))

    updated = run(args)
    again = run(args)

    assert updated['changed'] is True and again['changed'] is False
    assert updated['partner'] == again['partner']


def holds(actual, expected):
    """Whether ``actual`` holds every value ``expected`` sets (nulls in ``expected`` ask for nothing)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(holds(actual.get(k), v) for k, v in expected.items() if v is not None)
    return actual == expected


def test_diff_of_an_update_shows_the_partner_before_and_after(cloud, task):
    cloud.add_partner(inboundTrust={'isMfaAccepted': False, 'isCompliantDeviceAccepted': True})
    before = cloud.view(fake.PARTNERS, version='v1.0')

    result = run(dict(task, inbound_trust=dict(is_mfa_accepted=True)), diff=True, check_mode=True)

    assert result['diff'] == {'before': before, 'after': dict(before, inboundTrust=dict(before['inboundTrust'], isMfaAccepted=True))}


def test_no_diff_without_diff_mode(cloud, task):
    result = run(task)

    assert not result.failed and 'diff' not in result


# Targets Graph takes: a keyword with its target type, or an object ID with any (invalid ones fail before any request).
targets = st.lists(st.sampled_from([('AllUsers', 'user'), ('AllUsers', 'group'), ('AllApplications', 'application'),
                                    (fake.OTHER_PARTNER, 'user'), (fake.OTHER_PARTNER, 'group'), (fake.OTHER_PARTNER, 'application')])
                   .map(lambda pair: {'target': pair[0], 'target_type': pair[1]}), max_size=3)
# A complex option that sets nothing is refused before any request (tested end to end): none is generated here.
access = st.fixed_dictionaries({}, optional={'access_type': st.sampled_from(['allowed', 'blocked']), 'targets': targets}).filter(bool)
b2b = st.fixed_dictionaries({}, optional={'users_and_groups': access, 'applications': access}).filter(bool)
flags = st.sampled_from([True, False, 'yes', 'no'])
options = st.fixed_dictionaries({}, optional={
    'is_service_provider': flags,
    'automatic_user_consent_settings': st.fixed_dictionaries({}, optional={'inbound_allowed': flags, 'outbound_allowed': flags}).filter(bool),
    'inbound_trust': st.fixed_dictionaries({}, optional={'is_mfa_accepted': flags, 'is_compliant_device_accepted': flags}).filter(bool),
    'b2b_collaboration_inbound': b2b,
    'tenant_restrictions': b2b,
    'state': st.sampled_from(['present', 'absent', 'restored']),
    'force': st.booleans(),
})
graph_access = st.one_of(st.none(), st.fixed_dictionaries({'accessType': st.sampled_from(['allowed', 'blocked']), 'targets': st.lists(
    # A keyword goes with its target type, as Graph's crossTenantAccessPolicyTarget page lists them.
    st.sampled_from([('AllUsers', 'user'), ('AllApplications', 'application')]).map(lambda pair: {'target': pair[0], 'targetType': pair[1]}),
    max_size=2)}))
held_partner = st.fixed_dictionaries({}, optional={
    'isServiceProvider': st.one_of(st.none(), st.booleans()),
    'inboundTrust': st.one_of(st.none(), st.fixed_dictionaries({'isMfaAccepted': st.booleans()})),
    'b2bCollaborationInbound': st.one_of(st.none(), st.fixed_dictionaries({'usersAndGroups': graph_access, 'applications': graph_access})),
})


@given(options=options, where=st.sampled_from(['nowhere', 'live', 'live with a sync policy', 'deleted']), held=held_partner)
@settings(max_examples=80)
def test_check_mode_predicts_and_a_second_run_changes_nothing(options, where, held):
    if options.get('force') and options.get('state') != 'absent':
        del options['force']
    with fake.FakeCloud() as cloud:
        if where == 'deleted':
            cloud.put_deleted_partner(**held)
        elif where != 'nowhere':
            cloud.add_partner(**held)
        if where == 'live with a sync policy':
            cloud.put_live(displayName='Fabrikam')
        args = dict(options, tenant_id=fake.PARTNER, auth_method='access_token', access_token=cloud.ready_token())
        predicted = run(args, check_mode=True, diff=True)
        actual = run(args, diff=True)
        again = run(args)

    assert 'exception' not in actual and 'exception' not in predicted
    assert body_problems(cloud.seen) == []
    assert predicted.failed == actual.failed, (predicted, actual)
    if actual.failed:
        expected = ('nothing to restore' if options.get('state') == 'restored' else 'has a cross-tenant sync policy')
        assert expected in actual['msg'] and predicted['msg'] == actual['msg']
        return
    created = actual['diff']['before'] == {} and actual['changed'] and options.get('state', 'present') != 'absent'
    for key in ('changed', 'changed_properties', 'api_version') + (() if created else ('partner', 'diff')):
        assert predicted[key] == actual[key], key
    # See PREDICTED_CREATE and REPORTED_UPDATE: what the task set is predicted and reported, Graph's defaults are not.
    assert holds(actual['partner'], predicted['partner'])
    assert again['changed'] is False and holds(again['partner'], actual['partner'])
