# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Properties over the whole option space (hypothesis).

Whatever a playbook passes, the module ends in exit_json or fail_json, never a
traceback; every body it sends is valid for Graph's OpenAPI description; and a
successful run is predicted by check mode and changes nothing the second time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner, crosstenant_sync_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.schema import GROUP_SYNC_REF, USER_SYNC_REF, OpenApi, fallback_document, load_openapi
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

OPENAPI_DOCUMENT, OPENAPI_SOURCE = load_openapi()
OPENAPI = OpenApi(OPENAPI_DOCUMENT)
FALLBACK = OpenApi(fallback_document())
# Bodies are checked against Graph's description when it is there, and always against the
# description built from the collection's own property list.
DESCRIPTIONS = [(OPENAPI_SOURCE, OPENAPI)] + ([('property list', FALLBACK)] if OPENAPI_DOCUMENT.get('openapi') else [])
LIVE_PATH_MARK = '/identitySynchronization'

AUTH = dict(auth_method='access_token', access_token=fake.READY_TOKEN)

guids = st.uuids().map(str)
text = st.text(min_size=0, max_size=30)
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

option_values = {
    'tenant_id': st.one_of(st.sampled_from([fake.PARTNER, fake.PARTNER.upper()]), guids, text, st.integers(), st.none()),
    'display_name': st.one_of(st.none(), text, st.integers(), st.booleans()),
    'external_cloud_authorized_application_id': st.one_of(st.none(), text, guids),
    'user_sync_inbound': sync_option,
    'group_sync_inbound': sync_option,
    'deleted_date_time': st.one_of(st.none(), iso_datetimes(), text),
    'state': st.sampled_from(['present', 'absent', 'restored', 'gone']),
    'location': st.sampled_from(['deleted_items', 'partner_policy', 'elsewhere']),
}


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
                   location=draw(st.sampled_from(['deleted_items', 'partner_policy'])))
    for name in ('display_name', 'external_cloud_authorized_application_id'):
        if draw(st.booleans()):
            options[name] = draw(text)
    for name in ('user_sync_inbound', 'group_sync_inbound'):
        if draw(st.booleans()):
            options[name] = {'is_sync_allowed': draw(bool_spellings)}
    if options['state'] == 'present' and options['location'] == 'deleted_items' and draw(st.booleans()):
        options['deleted_date_time'] = draw(iso_datetimes())
    return options


sync_value = st.one_of(st.none(), st.fixed_dictionaries({'isSyncAllowed': st.one_of(st.none(), st.booleans())}))


@st.composite
def existing_objects(draw):
    """What Graph may already hold for the partner: nothing, or a valid object, in either collection."""
    held = {}
    for where in ('deleted', 'live'):
        if draw(st.booleans()):
            held[where] = dict(
                displayName=draw(st.one_of(st.none(), text)),
                externalCloudAuthorizedApplicationId=draw(st.one_of(st.none(), text)),
                userSyncInbound=draw(sync_value),
                groupSyncInbound=draw(sync_value),
                deletedDateTime='2025-06-18T23:11:01Z' if where == 'deleted' else None,
            )
    return held


def fake_with(held):
    cloud = fake.FakeCloud()
    if 'deleted' in held:
        cloud.put_deleted(**held['deleted'])
    if 'live' in held:
        cloud.put_live(**held['live'])
    return cloud


def body_problems(seen):
    """Why a write the module sent is not a valid Graph request, per each description."""
    problems = []
    for source, api in DESCRIPTIONS:
        problems.extend('%s (%s)' % (problem, source) for problem in _body_problems(seen, api))
    return problems


def _body_problems(seen, api):
    problems = []
    for request in seen:
        if request.kind != 'graph' or request.method == 'GET':
            continue
        path = request.path[len('/beta'):]
        if request.method == 'DELETE' or path.endswith('/restore'):
            if request.body:
                problems.append('%s %s must have no body' % (request.method, path))
            continue
        schema = api.request_schema(request.method, path)
        if schema is None:
            problems.append('%s %s is not an operation of the description (%s)' % (request.method, path, 'description'))
            continue
        # tenantId is the key: POST names it, a PUT on the live policy takes it from the URL.
        forbid_read_only = path.endswith(LIVE_PATH_MARK)
        problems.extend(api.errors(request.json, schema, forbid_read_only=forbid_read_only))
        problems.extend(api.unknown_properties(request.json, schema))
        # The description also lets these be any object; what the module sends must be the typed one.
        for prop, ref in (('userSyncInbound', USER_SYNC_REF), ('groupSyncInbound', GROUP_SYNC_REF)):
            if isinstance(request.json, dict) and request.json.get(prop) is not None:
                problems.extend(api.errors(request.json[prop], {'$ref': ref}, 'body.' + prop))
                problems.extend(api.unknown_properties(request.json[prop], {'$ref': ref}, 'body.' + prop))
        if request.method == 'POST' and request.json.get('@odata.type') != '#microsoft.graph.crossTenantIdentitySyncPolicyPartner':
            problems.append('POST without the documented @odata.type')
    return problems


def assert_clean_exit(result):
    assert result.rc in (0, 1), result
    assert 'exception' not in result, 'a traceback reached the user: %s' % result.get('exception')
    if result.failed:
        assert result.rc == 1 and isinstance(result['msg'], str) and result['msg'], result
    else:
        assert result.rc == 0 and isinstance(result['changed'], bool), result


@given(options=option_dicts(), held=existing_objects(), check_mode=st.booleans())
@settings(max_examples=250)
def test_any_options_end_in_exit_or_fail_json_and_send_only_valid_bodies(options, held, check_mode):
    with fake_with(held) as cloud:
        result = run_module(crosstenant_sync_partner.main, dict(AUTH, **options), check_mode=check_mode, diff=True)

    assert cloud.unexpected == []
    assert_clean_exit(result)
    assert body_problems(cloud.seen) == []
    if check_mode:
        assert cloud.graph_writes() == []
    if not result.failed:
        assert result['ansible_facts']['crosstenant_sync_partner'] == result['partner']


@given(options=valid_option_dicts(), held=existing_objects())
@settings(max_examples=150)
def test_check_mode_predicts_the_run_and_the_second_run_changes_nothing(options, held):
    with fake_with(held) as cloud:
        predicted = run_module(crosstenant_sync_partner.main, dict(AUTH, **options), check_mode=True, diff=True)
        assert cloud.graph_writes() == []
        actual = run_module(crosstenant_sync_partner.main, dict(AUTH, **options), diff=True)
        again = run_module(crosstenant_sync_partner.main, dict(AUTH, **options), diff=True)

    assert_clean_exit(predicted)
    assert predicted.failed == actual.failed
    if actual.failed:
        # the one failure a valid task can meet: restoring what is in neither place
        assert options['state'] == 'restored' and held.get('deleted') is None and held.get('live') is None, actual
        return
    assert body_problems(cloud.seen) == []
    for key in ('changed', 'partner', 'diff', 'changed_properties'):
        assert predicted[key] == actual[key], key
    assert actual['changed'] == bool(cloud.graph_writes())
    assert again['changed'] is False, again
    assert again['partner'] == actual['partner']


@given(tenant_id=st.one_of(st.none(), guids, text), location=st.sampled_from(['deleted_items', 'partner_policy', 'x']),
       held=existing_objects())
@settings(max_examples=60)
def test_info_module_never_writes_and_never_tracebacks(tenant_id, location, held):
    options = dict(AUTH, location=location)
    if tenant_id is not None:
        options['tenant_id'] = tenant_id
    with fake_with(held) as cloud:
        result = run_module(crosstenant_sync_partner_info.main, options)

    assert_clean_exit(result)
    assert cloud.graph_writes() == []
    if not result.failed:
        assert result['changed'] is False and isinstance(result['partners'], list)


@pytest.mark.parametrize('api', [OPENAPI, FALLBACK], ids=['found description', 'property list'])
def test_the_schema_check_can_fail(api):
    """The validator used above rejects what Graph would reject."""
    post = api.request_schema('POST', '/policies/deletedItems/crossTenantSyncPolicyPartners')
    put_live = api.request_schema('PUT', '/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization' % uuid.uuid4())
    assert post is not None and put_live is not None
    assert api.errors({'tenantId': fake.PARTNER, 'userSyncInbound': 'true'}, post)
    assert api.errors({'isSyncAllowed': 'true'}, {'$ref': USER_SYNC_REF})
    assert api.errors({'isSyncAllowed': 1}, {'$ref': GROUP_SYNC_REF})
    assert api.unknown_properties({'is_sync_allowed': True}, {'$ref': GROUP_SYNC_REF})
    assert api.errors({'tenantId': fake.PARTNER, 'deletedDateTime': '2025-06-18'}, post)
    assert api.errors({'tenantId': fake.PARTNER, 'displayName': 5}, post)
    assert api.errors({'tenantId': fake.PARTNER}, put_live, forbid_read_only=True)
    assert api.unknown_properties({'tenantId': fake.PARTNER, 'userSyncOutbound': {}}, post)
    assert api.request_schema('PATCH', '/policies/deletedItems/crossTenantSyncPolicyPartners') is None
    valid = {'@odata.type': '#microsoft.graph.crossTenantIdentitySyncPolicyPartner', 'tenantId': fake.PARTNER, 'displayName': None,
             'deletedDateTime': '2025-06-18T23:11:01.5Z', 'userSyncInbound': {'isSyncAllowed': False}, 'groupSyncInbound': None}
    assert api.errors(valid, post) == [] and api.unknown_properties(valid, post) == []
