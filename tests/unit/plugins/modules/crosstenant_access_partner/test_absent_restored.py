# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_partner with state=absent (the sync policy first, only with force) and state=restored."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import run_module

ITEM = fake.graph_path(fake.PARTNERS, version='v1.0')
SYNC_POLICY = fake.graph_path(fake.LIVE, version='v1.0')
DELETED_ITEM = fake.graph_path(fake.DELETED_PARTNERS)


def run(args, **kwargs):
    return run_module(crosstenant_access_partner.main, args, **kwargs)


def calls(cloud):
    return [(s.method, s.path, s.status) for s in cloud.graph()]


def test_absent_deletes_the_partner_into_deleted_items(cloud, task):
    cloud.add_partner(isServiceProvider=True)

    result = run(dict(task, state='absent'))
    again = run(dict(task, state='absent'))

    assert not result.failed and result['changed'] is True, result
    assert calls(cloud)[:3] == [('GET', ITEM, 200), ('GET', SYNC_POLICY, 404), ('DELETE', ITEM, 204)]
    assert result['partner'] == {} and result['deleted_sync_policy'] == {}
    assert cloud.partners == {} and cloud.deleted_partners[fake.PARTNER]['isServiceProvider'] is True
    assert again['changed'] is False and len(cloud.graph_writes()) == 1


def test_absent_refuses_a_partner_with_a_sync_policy_unless_forced(cloud, task):
    cloud.put_live(displayName='Fabrikam')

    result = run(dict(task, state='absent'))

    assert result.failed and 'exception' not in result
    assert result['msg'].startswith('the partner configuration of tenant %s has a cross-tenant sync policy' % fake.PARTNER)
    assert 'nothing was deleted' in result['msg'] and 'force=true' in result['msg'] and 'entra.graph.crosstenant_sync_partner' in result['msg']
    assert cloud.graph_writes() == []
    assert fake.PARTNER in cloud.partners and fake.PARTNER in cloud.live


def test_absent_with_force_deletes_the_sync_policy_first(cloud, task):
    policy = cloud.put_live(displayName='Fabrikam', userSyncInbound={'isSyncAllowed': True})

    result = run(dict(task, state='absent', force=True), diff=True)

    assert not result.failed and result['changed'] is True, result
    assert [(m, p) for m, p, s in calls(cloud) if m != 'GET'] == [('DELETE', SYNC_POLICY), ('DELETE', ITEM)]
    assert result['deleted_sync_policy'] == {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam', 'userSyncInbound': {'isSyncAllowed': True}}
    assert cloud.partners == {} and cloud.live == {}
    assert cloud.deleted[fake.PARTNER]['displayName'] == policy['displayName']
    assert result['diff']['after'] == {} and result['diff']['before']['tenantId'] == fake.PARTNER


def test_a_failure_after_the_sync_policy_went_reports_changed_and_what_was_done(cloud, task):
    cloud.put_live(displayName='Fabrikam')
    cloud.emulator.add_fault(method='DELETE', path='/partners/%s$' % fake.PARTNER, status=403)

    result = run(dict(task, state='absent', force=True))

    assert result.failed and result['changed'] is True, result
    assert result['msg'].startswith('deleted the sync policy of tenant %s; then failed: DELETE ' % fake.PARTNER)
    assert 'HTTP 403' in result['msg'] and result['status'] == 403
    assert cloud.live == {} and fake.PARTNER in cloud.partners


def test_absent_ignores_the_properties_and_says_so(cloud, task):
    cloud.add_partner()

    result = run(dict(task, state='absent', is_service_provider=True))

    assert not result.failed and result['changed'] is True, result
    assert any('ignored: is_service_provider' in w for w in result.warnings)


def test_absent_when_missing_changes_nothing(cloud, task):
    result = run(dict(task, state='absent', force=True))

    assert not result.failed and result['changed'] is False, result
    assert calls(cloud) == [('GET', ITEM, 404)]
    assert result['partner'] == {} and result['deleted_sync_policy'] == {}


# ---------------------------------------------------------------------------------------------
# restored


def test_restored_brings_the_partner_back_and_applies_the_options(cloud, task):
    deleted = cloud.put_deleted_partner(isServiceProvider=True, automaticUserConsentSettings={'inboundAllowed': False})

    result = run(dict(task, state='restored', automatic_user_consent_settings=dict(inbound_allowed=True)), diff=True)
    again = run(dict(task, state='restored', automatic_user_consent_settings=dict(inbound_allowed=True)))

    assert not result.failed and result['changed'] is True, result
    assert result['api_version'] == 'beta' and cloud.versions() == set(['beta'])
    assert [(m, p) for m, p, s in calls(cloud) if m != 'GET'] == [
        ('POST', DELETED_ITEM + '/restore'), ('PATCH', fake.graph_path(fake.PARTNERS))]
    assert cloud.graph('PATCH')[0].json == {'automaticUserConsentSettings': {'inboundAllowed': True}}
    assert result['partner'] == cloud.view(fake.PARTNERS) and result['partner']['isServiceProvider'] is True
    assert result['diff']['before'] == deleted and result['diff']['after'] == result['partner']
    assert again['changed'] is False


def test_restored_when_live_is_only_brought_to_the_options(cloud, task):
    cloud.add_partner(isServiceProvider=True)

    result = run(dict(task, state='restored'))

    assert not result.failed and result['changed'] is False, result
    assert cloud.graph_writes() == []


def test_restored_when_in_neither_place_fails_clearly(cloud, task):
    result = run(dict(task, state='restored'))

    assert result.failed and 'nothing to restore' in result['msg'] and fake.PARTNER in result['msg']
    assert cloud.graph_writes() == []


@pytest.mark.parametrize('options', [dict(state='restored', api_version='v1.0'), dict(state='present', force=True)])
def test_impossible_combinations_fail_before_any_request(cloud, task, options):
    result = run(dict(task, **options))

    assert result.failed and result['option'] in ('api_version', 'force')
    assert cloud.seen == []
