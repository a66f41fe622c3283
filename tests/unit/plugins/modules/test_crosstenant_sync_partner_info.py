# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner_info reads one, none or every sync policy, follows paging, and never writes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.modules import crosstenant_sync_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

LOCATIONS = [('deleted_items', fake.DELETED, 'beta'), ('partner_policy', fake.LIVE, 'v1.0')]


def run(args, **kwargs):
    return run_module(crosstenant_sync_partner_info.main, args, **kwargs)


def tenant_ids(count):
    return sorted(str(uuid.UUID(int=i + 1)) for i in range(count))


def put(cloud, collection, tenant_id=fake.PARTNER, **props):
    return cloud.put_deleted(tenant_id, **props) if collection == fake.DELETED else cloud.put_live(tenant_id, **props)


@pytest.mark.parametrize('location, collection, version', LOCATIONS)
def test_one_by_tenant_id(cloud, secret_auth, location, collection, version):
    put(cloud, collection, displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})
    put(cloud, collection, fake.OTHER_PARTNER, displayName='Other')

    result = run(dict(secret_auth, tenant_id=fake.PARTNER.upper(), location=location))

    assert not result.failed, result
    assert result['changed'] is False and result['api_version'] == version
    assert result['partners'] == [cloud.view(collection, version=version)]
    assert '@odata.context' not in result['partners'][0]
    assert [(s.method, s.path) for s in cloud.graph()] == [('GET', fake.graph_path(collection, version=version))]


@pytest.mark.parametrize('location, collection, version', LOCATIONS)
def test_none_when_missing(cloud, secret_auth, location, collection, version):
    result = run(dict(secret_auth, tenant_id=fake.PARTNER, location=location))

    assert not result.failed, result
    assert result['partners'] == [] and result['changed'] is False


def test_beta_shows_every_property_of_the_live_policy(cloud, secret_auth):
    put(cloud, fake.LIVE, displayName='Fabrikam', groupSyncInbound={'isSyncAllowed': True})

    result = run(dict(secret_auth, tenant_id=fake.PARTNER, location='partner_policy', api_version='beta'))

    assert result['partners'] == [cloud.view(fake.LIVE)] and result['partners'][0]['groupSyncInbound'] == {'isSyncAllowed': True}
    assert cloud.versions() == set(['beta'])


def test_deleted_items_are_beta_only(cloud, secret_auth):
    result = run(dict(secret_auth, api_version='v1.0'))

    assert result.failed and result['option'] == 'api_version' and 'location=deleted_items' in result['msg']
    assert cloud.seen == []


def test_all_deleted_items_across_pages(cloud, secret_auth):
    cloud.page_size = 2
    ids = tenant_ids(5)
    for tid in ids:
        cloud.put_deleted(tid, displayName='p-' + tid[-2:], deletedDateTime='2025-06-18T23:11:01Z')

    result = run(dict(secret_auth))

    assert not result.failed, result
    assert [p['tenantId'] for p in result['partners']] == ids
    assert result['partners'] == [cloud.view(fake.DELETED, tid) for tid in ids]
    assert len(cloud.graph('GET')) == 3
    assert [('$skiptoken' in g.query) for g in cloud.graph('GET')] == [False, True, True]


def test_all_live_policies_skip_partners_without_one(cloud, secret_auth):
    cloud.page_size = 2
    ids = tenant_ids(3)
    for tid in ids:
        cloud.put_live(tid, displayName='live-' + tid[-2:])
    for tid in tenant_ids(5)[3:]:
        cloud.add_partner(tid)  # partner configurations with no sync policy

    result = run(dict(secret_auth, location='partner_policy'))

    assert not result.failed, result
    assert result['partners'] == [cloud.view(fake.LIVE, tid, version='v1.0') for tid in ids]
    lists = [g for g in cloud.graph('GET') if g.path.endswith('/partners')]
    assert len(lists) == 3 and all(g.query.get('$select') == 'tenantId' for g in lists)


def test_empty_collection(cloud, secret_auth):
    result = run(dict(secret_auth))

    assert not result.failed and result['partners'] == [], result


def test_refuses_a_next_link_to_another_host(cloud, secret_auth):
    for tid in tenant_ids(2):
        cloud.put_deleted(tid)
    cloud.emulator.add_fault(method='GET', path='crossTenantSyncPolicyPartners$', status=200, apply=True,
                             body_update={'@odata.nextLink': 'https://graph.microsoft.com.attacker.example/beta/next'})

    result = run(dict(secret_auth))

    assert result.failed and 'exception' not in result
    assert '@odata.nextLink points outside https://graph.microsoft.com' in result['msg'] and 'attacker.example' in result['msg']
    assert cloud.hosts() == set(['login.microsoftonline.com', 'graph.microsoft.com'])
    assert len(cloud.graph()) == 1


@pytest.mark.parametrize('location, collection, version', LOCATIONS)
def test_check_mode_reads_the_same_and_writes_nothing(cloud, secret_auth, location, collection, version):
    cloud.put_deleted(displayName='Deleted')
    cloud.put_live(fake.OTHER_PARTNER, displayName='Live')

    normal = run(dict(secret_auth, location=location))
    checked = run(dict(secret_auth, location=location), check_mode=True)

    assert not checked.failed, checked
    assert checked['partners'] == normal['partners'] and len(normal['partners']) == 1
    assert checked['changed'] is False
    assert cloud.graph_writes() == []


SEED = {'partner': lambda c: c.add_partner(), 'live': lambda c: c.put_live(displayName='x'),
        'deleted': lambda c: c.put_deleted(displayName='x')}


# Text without NUL or lone surrogates: ansible-core 2.20 and newer fail on those while logging the arguments,
# before the module runs.
@given(tenant_id=st.one_of(st.none(), st.uuids().map(str),
                           st.text(alphabet=st.characters(blacklist_characters='\x00', blacklist_categories=('Cs',)), max_size=40)),
       location=st.sampled_from(['deleted_items', 'partner_policy', 'x']), api_version=st.sampled_from(['auto', 'v1.0', 'beta', 'x']),
       held=st.sets(st.sampled_from(['partner', 'live', 'deleted'])))
@settings(max_examples=60)
def test_never_writes_and_never_tracebacks(tenant_id, location, api_version, held):
    options = dict(location=location, api_version=api_version)
    if tenant_id is not None:
        options['tenant_id'] = tenant_id
    with fake.FakeCloud() as cloud:
        for name in sorted(held):
            SEED[name](cloud)
        result = run(dict(options, auth_method='access_token', access_token=cloud.ready_token()))

    assert 'exception' not in result and result.rc in (0, 1), result
    assert cloud.graph_writes() == [] and len(cloud.versions()) <= 1
    if not result.failed:
        assert result['changed'] is False and isinstance(result['partners'], list)
