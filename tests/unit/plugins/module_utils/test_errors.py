# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""errors: the one family of failures, whose message and details become a failed task's result, with no
secret left in them whatever text they quote."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils import errors
from ansible_collections.entra.graph.plugins.module_utils.errors import (
    REDACTED,
    ConfigurationError,
    EntraGraphError,
    GraphError,
    redact,
    remember_secret,
)

JWT = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl'


@pytest.fixture(autouse=True)
def no_remembered_secrets(monkeypatch):
    """Each test remembers its own secrets only (a task's process remembers them for its lifetime)."""
    monkeypatch.setattr(errors, '_SECRETS', set())


@pytest.mark.parametrize('text, shown', [
    ('Authorization: Bearer abc.def-ghi', 'Authorization: Bearer %s' % REDACTED),
    ("{'Authorization': 'bearer xyz'}", "{'Authorization': 'bearer %s'}" % REDACTED),
    ('token %s in the page' % JWT, 'token %s in the page' % REDACTED),
    ('nothing secret here', 'nothing secret here'),
    ('', ''),
    (None, ''),
    (403, '403'),
])
def test_tokens_are_redacted_from_any_text(text, shown):
    assert redact(text) == shown


def test_remembered_secrets_are_redacted_wherever_they_appear():
    remember_secret('unit-secret~Zq8.value')
    remember_secret(b'bytes-secret-value-1')
    remember_secret('  padded-secret-value  ')

    assert redact('a unit-secret~Zq8.value b bytes-secret-value-1 c padded-secret-value') == 'a %s b %s c %s' % ((REDACTED,) * 3)


@pytest.mark.parametrize('value', ['short', '', None, 12345678, '       '])
def test_short_or_non_text_values_are_not_remembered(value):
    remember_secret(value)

    assert redact('short 12345678 words') == 'short 12345678 words'


def test_the_longer_secret_is_redacted_first():
    remember_secret('secret-part')
    remember_secret('secret-part-and-more')

    assert redact('x secret-part-and-more y') == 'x %s y' % REDACTED


def test_message_and_text_details_are_redacted_and_unset_details_left_out():
    remember_secret('client-secret-value')

    exc = EntraGraphError('refused client-secret-value', request_id='id with Bearer abcdef', status=401, trace_id=None)

    assert exc.message == str(exc) == 'refused %s' % REDACTED
    assert exc.details == {'request_id': 'id with Bearer %s' % REDACTED, 'status': 401}


def test_a_configuration_error_names_its_option():
    exc = ConfigurationError('timeout must be a positive number of seconds', option='timeout')

    assert isinstance(exc, EntraGraphError) and exc.details == {'option': 'timeout'}


def test_a_graph_error_keeps_status_and_code_for_callers_and_the_result():
    exc = GraphError('PATCH failed', status=405, error_code='Request_BadRequest', request_id='r-1', client_request_id='c-1')

    assert (exc.status, exc.error_code) == (405, 'Request_BadRequest')
    assert exc.details == {'status': 405, 'error_code': 'Request_BadRequest', 'request_id': 'r-1', 'client_request_id': 'c-1'}
