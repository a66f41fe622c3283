# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner over the whole option space (hypothesis).

Whatever a playbook passes, the module ends in exit_json or fail_json, never a traceback; every request of
a task goes to one API version; every body it sends is one Graph takes (tests/unit/helpers/schema.py); and a
successful run is predicted by check mode and changes nothing the second time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module
from ansible_collections.entra.graph.tests.unit.helpers.schema import DESCRIPTIONS, body_problems

SYNC_OPTIONS = ('user_sync_inbound', 'group_sync_inbound', 'role_enabled_group_sync_inbound')
guids = st.uuids().map(str)
# Any text but NUL and lone surrogates: ansible-core 2.20 and newer log a module's arguments before the module
# runs, and fail there on either ("Failed to log to syslog", UnicodeEncodeError), so neither reaches the
# module's own code.
text = st.text(alphabet=st.characters(blacklist_characters='\x00', blacklist_categories=('Cs',)), min_size=0, max_size=30)
# Anything YAML can give a module.
scalars = st.one_of(st.none(), text, st.integers(), st.booleans(), st.floats(allow_nan=False))
junk = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(text, scalars, max_size=3))
bool_spellings = st.sampled_from([True, False, 'yes', 'no', 'true', 'false', 'on', 'off', 1, 0, '1', '0', 'True', 'FALSE'])


@st.composite
def iso_datetimes(draw):
    moment = draw(st.datetimes(min_value=datetime.datetime(1970, 1, 2), max_value=datetime.datetime(2200, 1, 1)))
    separator = draw(st.sampled_from(['T', 't', ' ']))
    seconds = draw(st.sampled_from(['', ':%02d' % moment.second]))
    fraction = draw(st.sampled_from(['', '.5', '.123', ',25', '.123456789'])) if seconds else ''
    offset = draw(st.sampled_from(['', 'Z', 'z', '+00:00', '+02:00', '-05:30', '+0930', '-1200', '+14:00']))
    return moment.strftime('%Y-%m-%d') + separator + moment.strftime('%H:%M') + seconds + fraction + offset


# For the dict options with suboptions, no numbers, booleans or lists: ansible-core's own argument
# validation raises TypeError on them before the module's code runs (ansible/ansible#81631).
sync_option = st.one_of(
    st.none(),
    st.fixed_dictionaries({'is_sync_allowed': bool_spellings}),
    st.fixed_dictionaries({'is_sync_allowed': st.one_of(bool_spellings, junk)}, optional={'other': junk}),
    st.dictionaries(text, junk, max_size=2),
    text,
)

option_values = dict({
    'tenant_id': st.one_of(st.sampled_from([fake.PARTNER, fake.PARTNER.upper()]), guids, text, st.integers(), st.none()),
    'display_name': st.one_of(st.none(), text, st.integers(), st.booleans()),
    'external_cloud_authorized_application_id': st.one_of(st.none(), text, guids),
    'deleted_date_time': st.one_of(st.none(), iso_datetimes(), text),
    'state': st.sampled_from(['present', 'absent', 'restored', 'gone']),
    'location': st.sampled_from(['deleted_items', 'partner_policy', 'elsewhere']),
    'api_version': st.sampled_from(['auto', 'v1.0', 'beta', 'v2']),
}, **dict((option, sync_option) for option in SYNC_OPTIONS))


@st.composite
def option_dicts(draw):
    chosen = draw(st.sets(st.sampled_from(sorted(option_values))))
    options = dict((name, draw(option_values[name])) for name in chosen)
    if draw(st.integers(0, 9)) == 0:
        options[draw(st.sampled_from(['displayname', 'tenantId', 'sync', 'user_sync_outbound']))] = draw(junk)
    return dict((k, v) for k, v in options.items() if v is not None)


@st.composite
def valid_option_dicts(draw):
    """Options the module accepts, for the convergence properties."""
    options = dict(tenant_id=draw(st.sampled_from([fake.PARTNER, fake.PARTNER.upper()])),
                   state=draw(st.sampled_from(['present', 'absent', 'restored'])),
                   location=draw(st.sampled_from(['deleted_items', 'partner_policy'])),
                   api_version=draw(st.sampled_from(['auto', 'auto', 'beta', 'v1.0'])))
    for name in ('display_name', 'external_cloud_authorized_application_id'):
        if draw(st.booleans()):
            options[name] = draw(text)
    for name in SYNC_OPTIONS:
        if draw(st.booleans()):
            options[name] = {'is_sync_allowed': draw(bool_spellings)}
    if options['state'] == 'present' and options['location'] == 'deleted_items' and draw(st.booleans()):
        options['deleted_date_time'] = draw(iso_datetimes())
    return options


user_sync = st.one_of(st.none(), st.fixed_dictionaries({'isSyncAllowed': st.one_of(st.none(), st.booleans())}))
# Graph's crossTenantGroupSyncInbound.isSyncAllowed is not nullable.
group_sync = st.one_of(st.none(), st.fixed_dictionaries({'isSyncAllowed': st.booleans()}))


@st.composite
def existing_objects(draw):
    """What Graph may already hold for the partner: a partner configuration or not, and a valid sync policy
    or nothing in each collection (a live one always inside its partner configuration)."""
    held = {'partner': draw(st.booleans())}
    for where in ('deleted', 'live'):
        if draw(st.booleans()):
            held[where] = dict(
                displayName=draw(st.one_of(st.none(), text)),
                externalCloudAuthorizedApplicationId=draw(st.one_of(st.none(), text)),
                userSyncInbound=draw(user_sync),
                groupSyncInbound=draw(group_sync),
                roleEnabledGroupSyncInbound=draw(user_sync),
            )
    return held


def cloud_with(held):
    cloud = fake.FakeCloud()
    if held['partner']:
        cloud.add_partner()
    if 'deleted' in held:
        cloud.put_deleted(**held['deleted'])
    if 'live' in held:
        cloud.put_live(**held['live'])
    return cloud


def run(cloud, options, **kwargs):
    auth = dict(auth_method='access_token', access_token=cloud.ready_token())
    return run_module(crosstenant_sync_partner.main, dict(auth, **options), **kwargs)


def assert_clean_exit(result):
    assert result.rc in (0, 1), result
    assert 'exception' not in result, 'a traceback reached the user: %s' % result.get('exception')
    if result.failed:
        assert result.rc == 1 and isinstance(result['msg'], str) and result['msg'], result
    else:
        assert result.rc == 0 and isinstance(result['changed'], bool), result


def assert_one_version(cloud, result):
    versions = cloud.versions()
    assert len(versions) <= 1, 'requests of one task went to %s' % sorted(versions)
    if not result.failed and versions:
        assert versions == set([result['api_version']])


@given(options=option_dicts(), held=existing_objects(), check_mode=st.booleans())
@settings(max_examples=250)
def test_any_options_end_in_exit_or_fail_json_and_send_only_valid_bodies(options, held, check_mode):
    with cloud_with(held) as cloud:
        result = run(cloud, options, check_mode=check_mode, diff=True)

    assert cloud.unexpected == []
    assert_clean_exit(result)
    assert_one_version(cloud, result)
    assert body_problems(cloud.seen) == []
    if check_mode:
        assert cloud.graph_writes() == []
    if not result.failed:
        assert result['ansible_facts']['crosstenant_sync_partner'] == result['partner']


# What check mode cannot see coming, because only the write itself finds out: a restored policy needs its
# partner configuration, which an earlier task of the play may create.
def graph_refuses_the_write(options, held, actual):
    if not actual.failed:
        return False
    msg = actual['msg']
    if 'has no partner configuration' in msg:
        # Check mode warns and predicts the write: an earlier task of the play may create the partner configuration.
        creates_live = options['location'] == 'partner_policy' or options['state'] == 'restored'
        return not held['partner'] and creates_live and 'live' not in held
    return False


# Valid options can still ask for the impossible, and check mode says so as the real run does: v1.0 where
# only beta serves, a restore of nothing, a change of a deleted item (Graph documents none).
def impossible(options, held, actual):
    if actual.get('option') == 'api_version':
        return options['api_version'] == 'v1.0'
    if 'cannot be changed in place' in actual['msg']:
        return options['state'] == 'present' and options['location'] == 'deleted_items' and 'deleted' in held
    if 'nothing to restore' in actual['msg']:
        return options['state'] == 'restored' and 'deleted' not in held and 'live' not in held
    return False


def stamped_by_graph(options, predicted, actual):
    """A sync policy created in deleted items without deleted_date_time gets its deletion time from Graph
    (the emulator stamps the time of the request, an assumption): check mode cannot know that time."""
    # A list of two diffs is a delete that replaces an older copy in deleted items: no create.
    diff = predicted['diff'] if isinstance(predicted['diff'], dict) else {}
    created = diff.get('before') == {} and predicted['changed'] and options['location'] == 'deleted_items'
    if not created or options['state'] != 'present' or 'deleted_date_time' in options:
        return False
    assert predicted['partner']['deletedDateTime'] is None and actual['partner']['deletedDateTime'], actual
    return True


def comparable(result, key, stamped):
    value = result[key]
    if stamped and key == 'partner':
        return dict(value, deletedDateTime='stamped by Graph')
    if stamped and key == 'diff':
        return dict(value, after=dict(value['after'], deletedDateTime='stamped by Graph'))
    return value


@given(options=valid_option_dicts(), held=existing_objects())
@settings(max_examples=150)
def test_check_mode_predicts_the_run_and_the_second_run_changes_nothing(options, held):
    with cloud_with(held) as cloud:
        predicted = run(cloud, options, check_mode=True, diff=True)
        assert cloud.graph_writes() == []
        actual = run(cloud, options, diff=True)
        again = run(cloud, options, diff=True)

    assert_clean_exit(predicted)
    assert_clean_exit(actual)
    assert body_problems(cloud.seen) == []
    if graph_refuses_the_write(options, held, actual):
        assert not predicted.failed and predicted['changed'] is True
        return
    assert predicted.failed == actual.failed, (predicted, actual)
    if actual.failed:
        assert impossible(options, held, actual), actual
        if 'cannot be changed in place' in actual['msg']:
            assert predicted['msg'].split(' (')[0] == actual['msg'].split(' (')[0]
        else:
            assert predicted['msg'] == actual['msg'].split(' (Graph answered: ')[0]
        return
    stamped = stamped_by_graph(options, predicted, actual)
    for key in ('changed', 'partner', 'diff', 'changed_properties', 'api_version'):
        assert comparable(predicted, key, stamped) == comparable(actual, key, stamped), key
    assert actual['changed'] == bool(cloud.graph_writes())
    assert again['changed'] is False, again
    assert again['partner'] == actual['partner']


def sent(method, path, body=None):
    prepared = requests.Request(method, 'https://graph.microsoft.com' + path, json=body).prepare()
    return fake.Seen('graph', prepared, True, 30)


LIVE_V1, LIVE_BETA = fake.graph_path(fake.LIVE, version='v1.0'), fake.graph_path(fake.LIVE)
POST = fake.graph_path(fake.DELETED, None)
VALID = {'@odata.type': '#microsoft.graph.crossTenantIdentitySyncPolicyPartner', 'tenantId': fake.PARTNER, 'displayName': None,
         'deletedDateTime': '2025-06-18T23:11:01.5Z', 'userSyncInbound': {'isSyncAllowed': False}, 'groupSyncInbound': None}


@pytest.mark.parametrize('check', DESCRIPTIONS, ids=[check.name.split(' ')[0] for check in DESCRIPTIONS])
@pytest.mark.parametrize('method, path, body', [
    ('POST', POST, {'tenantId': fake.PARTNER, 'userSyncInbound': 'true'}),
    ('POST', POST, {'tenantId': fake.PARTNER, 'userSyncInbound': {'isSyncAllowed': 'true'}}),
    ('POST', POST, {'tenantId': fake.PARTNER, 'groupSyncInbound': {'is_sync_allowed': True}}),
    ('POST', POST, {'tenantId': fake.PARTNER, 'deletedDateTime': '2025-06-18'}),
    ('POST', POST, {'tenantId': fake.PARTNER, 'displayName': 5}),
    ('POST', POST, {'tenantId': fake.PARTNER, 'userSyncOutbound': {}}),
    ('PATCH', LIVE_BETA, {'tenantId': fake.PARTNER, 'displayName': 'x'}),
])
def test_the_body_checks_can_fail(check, method, path, body):
    """The checks used above reject what Graph would reject."""
    assert check.problems([sent(method, path, body)])


def test_the_body_checks_pass_what_graph_takes():
    assert body_problems([sent('POST', POST, VALID), sent('PATCH', LIVE_V1, {'userSyncInbound': {'isSyncAllowed': True}}),
                          sent('PUT', LIVE_BETA, {'roleEnabledGroupSyncInbound': {'isSyncAllowed': True}}),
                          sent('DELETE', LIVE_V1), sent('POST', fake.graph_path(fake.DELETED) + '/restore')]) == []


def test_the_version_and_empty_bodies_are_checked_too():
    assert body_problems([sent('DELETE', LIVE_BETA, {'displayName': 'x'})])
    assert body_problems([sent('PATCH', LIVE_V1, {'groupSyncInbound': {'isSyncAllowed': True}})]) == [
        "PATCH %s: Invalid property 'groupSyncInbound'. (emulator types (tests/emulator/schema.py))" % LIVE_V1]
