# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-object steps every module takes alike: carry out a plan (or only predict it in check
mode) and restore an object from deleted items before bringing it to what the task asks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils import store
from ansible_collections.entra.graph.plugins.module_utils.errors import StateError, WriteUnconfirmedError
from ansible_collections.entra.graph.plugins.module_utils.resource import left_out_warning, plan_present

PAST = dict(create='created', update='updated', delete='deleted')


def carry_out(module, endpoint, plan):
    """``plan`` carried out unless in check mode; the plan as done. Each write is recorded, so that a failure
    later in the task still reports what was done, and so is a write that landed or may have before a failure."""
    note = left_out_warning(plan)
    if note:
        module.warn(note)
    try:
        done = store.carry_out(endpoint, plan, module.check_mode, module.warn)
    except WriteUnconfirmedError as exc:
        module.record('%s the %s of tenant %s' % (PAST.get(plan.action, plan.action) if exc.landed
                                                  else 'may have ' + PAST.get(plan.action, plan.action), plan.noun, plan.tenant_id))
        raise
    if done.changed and not module.check_mode:
        module.record('%s the %s of tenant %s' % (PAST[done.action], plan.noun, plan.tenant_id))
    return done


def restore_then_update(module, deleted, tenant_id, desired):
    """Restore the object from ``deleted`` (a Restorable), then bring it to ``desired``; the plan as done."""
    live = deleted.live
    noun = deleted.resource.noun
    before = deleted.get(tenant_id)
    if before is None:
        raise StateError('tenant_id %s has no %s in deleted items and none live, so there is nothing to restore; '
                         'use state=present to create one' % (tenant_id, noun))
    restored = live.shape(dict(before, deletedDateTime=None))
    if module.check_mode:
        note = deleted.preflight_restore(tenant_id)
        if note:
            module.warn(note)
    else:
        try:
            restored = deleted.restore(tenant_id) or restored
        except WriteUnconfirmedError:
            module.record('restored the %s of tenant %s from deleted items' % (noun, tenant_id))
            raise
        module.record('restored the %s of tenant %s from deleted items' % (noun, tenant_id))
    done = carry_out(module, live, plan_present(live.resource, tenant_id, restored, desired, module.api_version))
    done.action, done.before = 'restore', before
    return done


def present(module, endpoint, tenant_id, current, desired):
    return carry_out(module, endpoint, plan_present(endpoint.resource, tenant_id, current, desired, module.api_version))
