# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""values: tenant IDs and ISO 8601 moments, checked and brought to the form Graph keys and stamps objects with."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.values import (
    format_datetime,
    is_guid,
    normalize_datetime,
    parse_datetime,
    validate_tenant_id,
)

# Graph's DateTimeOffset pattern, from the OpenAPI description.
GRAPH_DATE_TIME = re.compile(r'^[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
                             r'([.][0-9]{1,12})?(Z|[+-][0-9][0-9]:[0-9][0-9])$')
UTC = datetime.timezone.utc
PARTNER = '9c5d131d-b1c3-4fc4-9e3f-c6557947d551'


# ---------------------------------------------------------------------------------------------
# tenant IDs


@pytest.mark.parametrize('given, kept', [
    (PARTNER, PARTNER),
    (PARTNER.upper(), PARTNER),
    ('  %s\n' % PARTNER, PARTNER),
])
def test_a_tenant_id_is_kept_as_graph_keys_it(given, kept):
    assert validate_tenant_id(given) == kept


@pytest.mark.parametrize('value', [
    'fabrikam.onmicrosoft.com', PARTNER[:-1], PARTNER + 'a', '{%s}' % PARTNER, PARTNER.replace('-', ''),
    PARTNER[:-1] + 'g', '', ' ', None, 42, [PARTNER],
])
def test_anything_but_a_guid_is_refused_naming_the_option(value):
    with pytest.raises(ConfigurationError) as caught:
        validate_tenant_id(value, option='config[0].tenant_id')

    assert caught.value.details['option'] == 'config[0].tenant_id'
    assert 'config[0].tenant_id must be a GUID' in caught.value.message
    assert not is_guid(value)


# ---------------------------------------------------------------------------------------------
# dates


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
def test_a_moment_is_sent_in_utc_with_a_z(given, sent):
    assert normalize_datetime(given) == sent


@pytest.mark.parametrize('value, words', [
    ('2025-02-30T00:00:00Z', 'out of range'),
    ('2025-06-18T24:00:00Z', 'out of range'),
    ('2025-06-18T23:11:01+19:00', 'out of range'),
    ('2025-06-18T23:11:01+02:60', 'out of range'),
    ('0001-01-01T00:30:00+01:00', 'out of range'),
    ('2025-06-18', 'must be an ISO 8601 date and time'),
    ('yesterday', 'must be an ISO 8601 date and time'),
    ('', 'must be an ISO 8601 date and time'),
])
def test_unusable_dates_name_the_option_and_why(value, words):
    with pytest.raises(ConfigurationError) as caught:
        normalize_datetime(value)

    assert words in caught.value.message and 'deleted_date_time' in caught.value.message
    assert caught.value.details['option'] == 'deleted_date_time'
    assert parse_datetime(value) is None


@given(moment=st.datetimes(min_value=datetime.datetime(1900, 1, 2), max_value=datetime.datetime(9998, 12, 30),
                           timezones=st.sampled_from([UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                                                      datetime.timezone(datetime.timedelta(hours=-8)),
                                                      datetime.timezone(datetime.timedelta(hours=14))])))
def test_any_iso_8601_moment_is_sent_as_the_same_instant_in_graphs_form(moment):
    sent = normalize_datetime(moment.isoformat())

    assert GRAPH_DATE_TIME.match(sent), sent
    assert parse_datetime(sent) == moment
    assert normalize_datetime(sent) == sent, 'normalising twice changes nothing'


@given(st.text(max_size=40))
def test_any_text_is_a_moment_or_a_configuration_error(value):
    try:
        sent = normalize_datetime(value)
    except ConfigurationError as exc:
        assert exc.details['option'] == 'deleted_date_time'
    else:
        assert GRAPH_DATE_TIME.match(sent)


@pytest.mark.parametrize('value', [None, 20250618, b'2025-06-18T23:11:01Z'])
def test_what_is_not_text_is_no_moment(value):
    assert parse_datetime(value) is None


def test_a_moment_without_an_offset_is_utc():
    assert parse_datetime('2025-06-18T23:11:01') == datetime.datetime(2025, 6, 18, 23, 11, 1, tzinfo=UTC)


def test_fractions_are_written_only_when_there_are_some():
    assert format_datetime(datetime.datetime(2025, 6, 18, 23, 11, 1, tzinfo=UTC)) == '2025-06-18T23:11:01Z'
    assert format_datetime(datetime.datetime(2025, 6, 18, 23, 11, 1, 500000, tzinfo=UTC)) == '2025-06-18T23:11:01.5Z'
