# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner refuses bad options with a message naming the option, before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_failed_before_any_request, run_module

SYNC_OPTIONS = ['user_sync_inbound', 'group_sync_inbound', 'role_enabled_group_sync_inbound']


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner.main, args, **kwargs)


@pytest.mark.parametrize('value', [
    'fabrikam.onmicrosoft.com',
    fake.PARTNER[:-1],
    fake.PARTNER + 'a',
    '{%s}' % fake.PARTNER,
    fake.PARTNER.replace('-', ''),
    '',
    ' ',
])
def test_tenant_id_that_is_not_a_guid(cloud, task, value):
    result = run(dict(task, tenant_id=value, display_name='Fabrikam'))

    assert_failed_before_any_request(result, cloud, 'tenant_id', 'GUID')
    assert result['option'] == 'tenant_id'


def test_tenant_id_is_required(cloud, secret_auth):
    assert_failed_before_any_request(run(dict(secret_auth, display_name='Fabrikam')), cloud, 'tenant_id')


@pytest.mark.parametrize('value, words', [
    ('yesterday', 'ISO 8601'),
    ('2025-06-18', 'ISO 8601'),
    ('2025-06-18T23:11:01 UTC', 'ISO 8601'),
    ('2025-02-30T00:00:00Z', 'out of range'),
    ('9999-12-31T23:59:59-01:00', 'out of range'),
])
def test_deleted_date_time_that_names_no_moment(cloud, task, value, words):
    result = run(dict(task, deleted_date_time=value))

    assert_failed_before_any_request(result, cloud, 'deleted_date_time', words)
    assert result['option'] == 'deleted_date_time'


@pytest.mark.parametrize('options', [dict(state='absent'), dict(state='restored'), dict(location='partner_policy')])
def test_deleted_date_time_only_where_it_means_something(cloud, task, options):
    result = run(dict(task, deleted_date_time='2025-06-18T23:11:01Z', **options))

    assert_failed_before_any_request(result, cloud, 'deleted_date_time', 'location=deleted_items with state=present')


@pytest.mark.parametrize('option', SYNC_OPTIONS)
@pytest.mark.parametrize('value, words', [
    ({'is_sync_allowed': 'maybe'}, ['is_sync_allowed', 'bool']),
    ({'is_sync_allowed': [True]}, ['is_sync_allowed', 'bool']),
    ({}, ['is_sync_allowed']),
    ({'is_sync_allowed': True, 'is_sync_alowed': True}, ['is_sync_alowed']),
    ({'isSyncAllowed': True}, ['is_sync_allowed']),
])
def test_sync_suboptions_are_checked(cloud, task, option, value, words):
    result = run(dict(task, **{option: value}))

    assert_failed_before_any_request(result, cloud, option, *words)


# Numbers and booleans are left out: ansible-core's argument spec validation raises TypeError on
# them for any dict option with suboptions (ansible/ansible#81631), before the module's code runs.
@pytest.mark.parametrize('option', SYNC_OPTIONS)
@pytest.mark.parametrize('value', ['maybe', ['is_sync_allowed']])
def test_a_sync_option_that_is_not_a_dict(cloud, task, option, value):
    assert_failed_before_any_request(run(dict(task, **{option: value})), cloud, 'dict')


def test_unknown_option_is_refused(cloud, task):
    assert_failed_before_any_request(run(dict(task, displayname='typo')), cloud, 'displayname')


@pytest.mark.parametrize('option, value', [('state', 'deleted'), ('location', 'elsewhere'), ('api_version', 'v2.0')])
def test_choices_are_enforced(cloud, task, option, value):
    assert_failed_before_any_request(run(dict(task, **{option: value})), cloud, option, value)
