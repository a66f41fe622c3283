# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-object steps every module takes alike: carry out a plan (or only predict it in check
mode) and restore an object from deleted items before bringing it to what the task asks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.errors import StateError
from ansible_collections.entra.graph.plugins.module_utils.resource import plan_present
from ansible_collections.entra.graph.plugins.module_utils.store import carry_out_or_predict

PAST = dict(create='created', update='updated', delete='deleted')


def carry_out(module, collection, tenant_id, plan, noun):
    """Carry out ``plan`` unless in check mode; the object after it. Each write is recorded, so that a
    failure later in the task still reports what was done."""
    after, written = carry_out_or_predict(collection, tenant_id, plan, module.check_mode, module.ansible.warn)
    if written:
        module.record('%s the %s of tenant %s' % (PAST[plan.action], noun, tenant_id))
    return after


def restore_then_update(module, deleted, tenant_id, desired, noun):
    """Restore the object from ``deleted`` (a Restorable), then bring it to ``desired``."""
    live = deleted.live
    before = deleted.get(tenant_id)
    if before is None:
        raise StateError('tenant_id %s has no %s in deleted items and none live, so there is nothing to restore; '
                         'use state=present to create one' % (tenant_id, noun))
    restored = live.shape(dict(before, deletedDateTime=None))
    if module.check_mode:
        note = deleted.preflight_restore(tenant_id)
        if note:
            module.ansible.warn(note)
    else:
        restored = deleted.restore(tenant_id) or restored
        module.record('restored the %s of tenant %s from deleted items' % (noun, tenant_id))
    plan = plan_present(live.resource, tenant_id, restored, desired, module.api_version)
    after = carry_out(module, live, tenant_id, plan, noun)
    plan.action, plan.before = 'restore', before
    return plan, after


def present(module, collection, tenant_id, current, desired, noun):
    plan = plan_present(collection.resource, tenant_id, current, desired, module.api_version)
    return plan, carry_out(module, collection, tenant_id, plan, noun)
