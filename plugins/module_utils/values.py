# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks and normal forms for the values Graph keys and stamps objects with: tenant IDs and dates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError

GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_ISO_8601 = re.compile(
    r'^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?'
    r'(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?$')


class _OutOfRange(ValueError):
    """The text has the form of an ISO 8601 moment, but no such moment exists."""


def is_guid(value):
    return isinstance(value, str) and bool(GUID.match(value.strip()))


def validate_tenant_id(value, option='tenant_id'):
    """A partner tenant ID as Graph keys it: a GUID, lower case."""
    if not is_guid(value):
        raise ConfigurationError('%s must be a GUID such as 9c5d131d-b1c3-4fc4-9e3f-c6557947d551, got %r' % (option, value),
                                 option=option)
    return value.strip().lower()


def _parse(value):
    """An aware UTC datetime; None when the text is not ISO 8601, _OutOfRange when it names no real moment."""
    match = _ISO_8601.match((value or '').strip()) if isinstance(value, str) else None
    if not match:
        return None
    try:
        date = datetime.datetime.strptime(match.group('date'), '%Y-%m-%d')
        fraction = (match.group('fraction') or '0')[:6].ljust(6, '0')
        moment = date.replace(hour=int(match.group('hour')), minute=int(match.group('minute')),
                              second=int(match.group('second') or 0), microsecond=int(fraction))
    except ValueError as exc:
        raise _OutOfRange(str(exc))
    offset = match.group('offset')
    if offset and offset not in ('Z', 'z'):
        digits = offset[1:].replace(':', '')
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if int(digits[2:]) > 59 or minutes > 18 * 60:
            raise _OutOfRange('UTC offset %s is out of range' % offset)
        delta = datetime.timedelta(minutes=minutes)
        try:
            moment = moment - delta if offset[0] == '+' else moment + delta
        except OverflowError:
            raise _OutOfRange('shifted to UTC, the moment falls before year 1 or after year 9999')
    return moment.replace(tzinfo=datetime.timezone.utc)


def parse_datetime(value):
    """An aware UTC datetime from ISO 8601 text; a missing offset means UTC. None if unusable."""
    try:
        return _parse(value)
    except _OutOfRange:
        return None


def format_datetime(moment):
    """Graph's DateTimeOffset form: UTC with a Z, fractional seconds only when present."""
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    if moment.microsecond:
        text += ('.%06d' % moment.microsecond).rstrip('0')
    return text + 'Z'


def normalize_datetime(value, option='deleted_date_time'):
    try:
        moment = _parse(value)
    except _OutOfRange as exc:
        raise ConfigurationError('%s %r is out of range: %s' % (option, value, exc), option=option)
    if moment is None:
        raise ConfigurationError('%s must be an ISO 8601 date and time such as 2025-06-18T23:11:01Z, got %r' % (option, value),
                                 option=option)
    return format_datetime(moment)
