# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The info module reads one, none or every object, follows paging, and never writes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner_info.main, args, **kwargs)


def tenant_ids(count):
    return sorted(str(uuid.UUID(int=i + 1)) for i in range(count))


@pytest.mark.parametrize('location, put', [('deleted_items', 'put_deleted'), ('partner_policy', 'put_live')])
def test_one_by_tenant_id(cloud, secret_auth, location, put):
    obj = getattr(cloud, put)(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})
    getattr(cloud, put)(fake.OTHER_PARTNER, displayName='Other')

    result = run(dict(secret_auth, tenant_id=fake.PARTNER, location=location))

    assert not result.failed, result
    assert result['changed'] is False
    assert result['partners'] == [obj]
    assert '@odata.context' not in result['partners'][0]
    assert [s.method for s in cloud.graph()] == ['GET']


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_none_when_missing(cloud, secret_auth, location):
    result = run(dict(secret_auth, tenant_id=fake.PARTNER, location=location))

    assert not result.failed, result
    assert result['partners'] == [] and result['changed'] is False


def test_all_deleted_items_across_pages(cloud, secret_auth):
    cloud.page_size = 2
    ids = tenant_ids(5)
    for tid in ids:
        cloud.put_deleted(tid, displayName='p-' + tid[-2:], deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(secret_auth))

    assert not result.failed, result
    assert [p['tenantId'] for p in result['partners']] == ids
    assert all('@odata.context' not in p for p in result['partners'])
    gets = cloud.graph('GET')
    assert len(gets) == 3
    assert [g.query.get('$skiptoken') for g in gets] == [None, '2', '4']


def test_all_live_policies_skip_partners_without_one(cloud, secret_auth):
    cloud.page_size = 2
    ids = tenant_ids(3)
    for tid in ids:
        cloud.put_live(tid, displayName='live-' + tid[-2:])
    cloud.partner_configs.update(tenant_ids(5)[3:])  # partner configurations with no sync policy

    result = run(dict(secret_auth, location='partner_policy'))

    assert not result.failed, result
    assert [p['tenantId'] for p in result['partners']] == ids
    assert [p['displayName'] for p in result['partners']] == ['live-' + t[-2:] for t in ids]
    lists = [g for g in cloud.graph('GET') if g.path.endswith('/partners')]
    assert len(lists) == 3 and all(g.query.get('$select') == 'tenantId' for g in lists)


def test_empty_collection(cloud, secret_auth):
    result = run(dict(secret_auth))

    assert not result.failed and result['partners'] == [], result


def test_refuses_a_next_link_to_another_host(cloud, secret_auth):
    cloud.page_size = 1
    cloud.next_link_host = 'graph.microsoft.com.attacker.example'
    for tid in tenant_ids(2):
        cloud.put_deleted(tid)

    result = run(dict(secret_auth))

    assert result.failed and 'exception' not in result
    assert '@odata.nextLink points outside https://graph.microsoft.com' in result['msg']
    assert 'attacker.example' in result['msg']
    assert cloud.hosts() == set(['login.microsoftonline.com', 'graph.microsoft.com'])
    assert len(cloud.graph()) == 1


def test_page_without_a_value_list_fails_clearly(cloud, secret_auth):
    cloud.inject(kind='graph', status=200, body={'error': 'not a collection'}, headers={'request-id': 'r-list'})

    result = run(dict(secret_auth))

    assert result.failed and 'no "value" list' in result['msg']
    assert result['request_id'] == 'r-list'


@pytest.mark.parametrize('location', ['deleted_items', 'partner_policy'])
def test_check_mode_reads_the_same_and_writes_nothing(cloud, secret_auth, location):
    cloud.put_deleted(displayName='Deleted')
    cloud.put_live(fake.OTHER_PARTNER, displayName='Live')

    normal = run(dict(secret_auth, location=location))
    checked = run(dict(secret_auth, location=location), check_mode=True)

    assert not checked.failed, checked
    assert checked['partners'] == normal['partners'] and len(normal['partners']) == 1
    assert checked['changed'] is False
    assert cloud.graph_writes() == []
