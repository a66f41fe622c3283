# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_partner_info reads one, none or every partner configuration, live or deleted, and never writes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partner_info
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module


def run(args, **kwargs):
    return run_module(crosstenant_access_partner_info.main, args, **kwargs)


def test_one_by_tenant_id(cloud, secret_auth):
    cloud.add_partner(isServiceProvider=True, automaticUserConsentSettings={'inboundAllowed': True})
    cloud.add_partner(fake.OTHER_PARTNER)

    result = run(dict(secret_auth, tenant_id=fake.PARTNER.upper()))

    assert not result.failed and result['changed'] is False, result
    assert result['api_version'] == 'v1.0'
    assert result['partners'] == [cloud.view(fake.PARTNERS, version='v1.0')]
    assert [(s.method, s.path) for s in cloud.graph()] == [('GET', fake.graph_path(fake.PARTNERS, version='v1.0'))]


@pytest.mark.parametrize('deleted', [False, True])
def test_none_when_missing(cloud, secret_auth, deleted):
    result = run(dict(secret_auth, tenant_id=fake.PARTNER, deleted=deleted))

    assert not result.failed and result['partners'] == [], result


def test_every_partner_across_pages(cloud, secret_auth):
    cloud.page_size = 2
    ids = sorted(str(uuid.UUID(int=i + 1)) for i in range(5))
    for tid in ids:
        cloud.add_partner(tid, isServiceProvider=tid.endswith('1'))

    result = run(dict(secret_auth))

    assert not result.failed, result
    assert result['partners'] == [cloud.view(fake.PARTNERS, tid, version='v1.0') for tid in ids]
    assert len(cloud.graph('GET')) == 3


def test_deleted_partners_come_from_beta(cloud, secret_auth):
    cloud.put_deleted_partner(isServiceProvider=True)
    cloud.add_partner(fake.OTHER_PARTNER)

    result = run(dict(secret_auth, deleted=True), check_mode=True)

    assert not result.failed, result
    assert result['api_version'] == 'beta' and cloud.versions() == set(['beta'])
    assert result['partners'] == [cloud.view(fake.DELETED_PARTNERS)] and result['partners'][0]['deletedDateTime']
    assert cloud.graph_writes() == []


def test_deleted_partners_with_v1_0_fail_before_any_request(cloud, secret_auth):
    result = run(dict(secret_auth, deleted=True, api_version='v1.0'))

    assert result.failed and result['option'] == 'api_version' and 'deleted=true' in result['msg']
    assert cloud.seen == []


def test_tenant_id_is_checked(cloud, secret_auth):
    result = run(dict(secret_auth, tenant_id='fabrikam'))

    assert result.failed and 'GUID' in result['msg'] and result['option'] == 'tenant_id'
    assert cloud.seen == []
