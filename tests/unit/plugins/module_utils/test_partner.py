# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The resource's rules on their own: dates, comparison and merging."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.partner import (
    desired_properties,
    differences,
    merged,
    normalize_datetime,
    parse_datetime,
    replacement_body,
)

# Graph's DateTimeOffset pattern, from the OpenAPI description.
GRAPH_DATE_TIME = re.compile(r'^[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
                             r'([.][0-9]{1,12})?(Z|[+-][0-9][0-9]:[0-9][0-9])$')
UTC = datetime.timezone.utc


@given(moment=st.datetimes(min_value=datetime.datetime(1900, 1, 2), max_value=datetime.datetime(9998, 12, 30),
                           timezones=st.sampled_from([UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                                                      datetime.timezone(datetime.timedelta(hours=-8)),
                                                      datetime.timezone(datetime.timedelta(hours=14))])))
def test_any_iso_8601_moment_is_sent_as_the_same_instant_in_graphs_form(moment):
    text = moment.isoformat()

    sent = normalize_datetime(text)

    assert GRAPH_DATE_TIME.match(sent), sent
    assert sent.endswith('Z')
    parsed = datetime.datetime.strptime(sent.replace('Z', '+0000'), '%Y-%m-%dT%H:%M:%S.%f%z' if '.' in sent else '%Y-%m-%dT%H:%M:%S%z')
    assert parsed == moment
    assert normalize_datetime(sent) == sent, 'normalising twice changes nothing'


@given(st.text(max_size=40))
def test_any_text_is_a_datetime_or_a_configuration_error(value):
    try:
        sent = normalize_datetime(value)
    except ConfigurationError as exc:
        assert exc.details['option'] == 'deleted_date_time'
    else:
        assert GRAPH_DATE_TIME.match(sent)


def test_naive_time_is_utc():
    assert parse_datetime('2025-06-18T23:11:01') == datetime.datetime(2025, 6, 18, 23, 11, 1, tzinfo=UTC)


def test_desired_properties_are_only_what_was_set():
    params = dict(tenant_id='x', display_name=None, external_cloud_authorized_application_id='',
                  user_sync_inbound=None, group_sync_inbound=dict(is_sync_allowed=False), deleted_date_time=None,
                  state='present', location='deleted_items')

    assert desired_properties(params) == {'externalCloudAuthorizedApplicationId': '', 'groupSyncInbound': {'isSyncAllowed': False}}


@pytest.mark.parametrize('current, desired, changed', [
    ({}, {}, []),
    ({'displayName': None}, {}, []),
    ({'displayName': 'A'}, {'displayName': 'A'}, []),
    ({'displayName': 'A'}, {'displayName': 'a'}, ['displayName']),
    ({}, {'displayName': 'A'}, ['displayName']),
    ({'userSyncInbound': None}, {'userSyncInbound': {'isSyncAllowed': False}}, ['userSyncInbound']),
    ({'userSyncInbound': {'isSyncAllowed': False, 'extra': 1}}, {'userSyncInbound': {'isSyncAllowed': False}}, []),
    ({'userSyncInbound': {'isSyncAllowed': 0}}, {'userSyncInbound': {'isSyncAllowed': False}}, ['userSyncInbound']),
    ({'userSyncInbound': 'true'}, {'userSyncInbound': {'isSyncAllowed': True}}, ['userSyncInbound']),
    ({'deletedDateTime': '2025-06-18T23:11:01.000Z'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, []),
    ({'deletedDateTime': 'garbage'}, {'deletedDateTime': '2025-06-18T23:11:01Z'}, ['deletedDateTime']),
    ({'b': 1, 'a': 1}, {'b': 2, 'a': 2}, ['a', 'b']),
])
def test_differences(current, desired, changed):
    assert differences(current, desired) == changed


def test_merge_overlays_what_was_set_and_keeps_the_rest():
    current = {'@odata.context': 'x', 'tenantId': 't', 'displayName': 'Old', 'userSyncInbound': {'isSyncAllowed': True, 'k': 1}}

    result = merged(current, {'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': False}, 'groupSyncInbound': {'isSyncAllowed': True}})

    assert result == {'tenantId': 't', 'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': False, 'k': 1},
                      'groupSyncInbound': {'isSyncAllowed': True}}
    assert current['userSyncInbound'] == {'isSyncAllowed': True, 'k': 1}, 'the current object is not modified'


def test_replacement_body_is_the_writable_values_without_annotations_or_nulls():
    obj = {'tenantId': 't', 'displayName': None, 'deletedDateTime': 'd', 'externalCloudAuthorizedApplicationId': 'e',
           'userSyncInbound': {'@odata.type': '#microsoft.graph.crossTenantUserSyncInbound', 'isSyncAllowed': True},
           'groupSyncInbound': None, 'somethingElse': 1}

    body = replacement_body(obj, ('displayName', 'externalCloudAuthorizedApplicationId', 'userSyncInbound', 'groupSyncInbound'))

    assert body == {'externalCloudAuthorizedApplicationId': 'e', 'userSyncInbound': {'isSyncAllowed': True}}
