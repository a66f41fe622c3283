# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""decisions: a plan carried out or only predicted, and a restore followed by an update, with every
write recorded so that a later failure still says what was done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.decisions import carry_out, present, restore_then_update
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, StateError
from ansible_collections.entra.graph.plugins.module_utils.resource import plan_absent
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, DeletedPolicies, LivePolicies
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_module


@pytest.fixture(params=[False, True], ids=['real run', 'check mode'])
def module(request, cloud, secret_auth):
    return graph_module(api_version='beta', check_mode=request.param, **secret_auth)


def collections(module):
    live = LivePolicies(module.client(), SYNC_POLICY)
    return live, DeletedPolicies(module.client(), SYNC_POLICY, live)


def test_a_create_is_recorded_or_only_predicted(cloud, module):
    live, deleted = collections(module)

    plan = present(module, deleted, fake.PARTNER, None, {'displayName': 'Fabrikam'})
    after = plan.after

    assert plan.action == 'create' and plan.changed_properties == ['displayName']
    if module.check_mode:
        assert cloud.graph_writes() == [] and module.done == []
        assert after == plan.after and after['displayName'] == 'Fabrikam'
    else:
        assert [s.method for s in cloud.graph_writes()] == ['POST']
        assert module.done == ['created the sync policy of tenant %s' % fake.PARTNER]
        assert after == cloud.view(fake.DELETED)


def test_an_update_patches_what_differs(cloud, module):
    current = cloud.put_live(displayName='Old', userSyncInbound={'isSyncAllowed': True})
    live, dummy = collections(module)

    plan = present(module, live, fake.PARTNER, current, {'displayName': 'New', 'userSyncInbound': {'isSyncAllowed': True}})
    after = plan.after

    assert (plan.action, plan.changed_properties, plan.body) == ('update', ['displayName'], {'displayName': 'New'})
    assert after == dict(current, displayName='New')
    if module.check_mode:
        assert cloud.graph_writes() == [] and cloud.view(fake.LIVE) == current
    else:
        assert [(s.method, s.json) for s in cloud.graph_writes()] == [('PATCH', {'displayName': 'New'})]
        assert cloud.view(fake.LIVE) == after
        assert module.done == ['updated the sync policy of tenant %s' % fake.PARTNER]


def test_nothing_to_do_writes_and_records_nothing(cloud, module):
    live, dummy = collections(module)

    done = carry_out(module, live, plan_absent(SYNC_POLICY, fake.PARTNER, None))

    assert done.after == {} and cloud.graph() == [] and module.done == []


def test_restore_then_update(cloud, module):
    cloud.add_partner()
    before = cloud.put_deleted(displayName='Old', deletedDateTime='2025-06-18T23:11:01Z', userSyncInbound={'isSyncAllowed': True})
    dummy, deleted = collections(module)

    plan = restore_then_update(module, deleted, fake.PARTNER, {'displayName': 'New'})
    after = plan.after

    assert plan.action == 'restore' and plan.changed and plan.before == before
    assert plan.changed_properties == ['displayName']
    assert after == dict(before, displayName='New', deletedDateTime=None)
    if module.check_mode:
        assert cloud.graph_writes() == [] and fake.PARTNER in cloud.deleted
    else:
        assert [s.method for s in cloud.graph_writes()] == ['POST', 'PATCH']
        assert cloud.view(fake.LIVE) == after
        assert module.done == ['restored the sync policy of tenant %s from deleted items' % fake.PARTNER,
                               'updated the sync policy of tenant %s' % fake.PARTNER]


def test_restore_with_nothing_to_change_is_still_a_change(cloud, module):
    cloud.add_partner()
    cloud.put_deleted(displayName='Same')
    dummy, deleted = collections(module)

    plan = restore_then_update(module, deleted, fake.PARTNER, {'displayName': 'Same'})
    after = plan.after

    assert plan.action == 'restore' and plan.changed and plan.changed_properties == []
    assert after['deletedDateTime'] is None and after['displayName'] == 'Same'
    assert [s.method for s in cloud.graph_writes()] == ([] if module.check_mode else ['POST'])


def test_nothing_to_restore_says_so_and_what_to_do(cloud, module):
    dummy, deleted = collections(module)

    with pytest.raises(StateError) as caught:
        restore_then_update(module, deleted, fake.PARTNER, {})

    assert caught.value.message == ('tenant_id %s has no sync policy in deleted items and none live, so there is nothing to '
                                    'restore; use state=present to create one' % fake.PARTNER)
    assert cloud.graph_writes() == []


def test_an_update_failing_after_the_restore_leaves_the_restore_on_record(cloud, secret_auth):
    module = graph_module(api_version='beta', max_retries=0, **secret_auth)
    cloud.add_partner()
    cloud.put_deleted(displayName='Old')
    cloud.inject(kind='graph', method='PATCH', status=403, body={'error': {'code': 'Authorization_RequestDenied',
                                                                           'message': 'Insufficient privileges to complete the operation.'}})
    dummy, deleted = collections(module)

    with pytest.raises(GraphError) as caught:
        restore_then_update(module, deleted, fake.PARTNER, {'displayName': 'New'})

    assert caught.value.status == 403
    assert module.done == ['restored the sync policy of tenant %s from deleted items' % fake.PARTNER]
    assert cloud.view(fake.LIVE)['displayName'] == 'Old'
