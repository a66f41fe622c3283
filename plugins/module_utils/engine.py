# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plan and apply for many objects of one resource in one task, with the states of Ansible's resource
modules: read what is there (in bulk where Graph allows), decide each object as the single module does,
write up to ``max_concurrency`` at a time, and delete only once every other write has succeeded."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import re

from ansible_collections.entra.graph.plugins.module_utils import store
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, EntraGraphError, WriteUnconfirmedError
from ansible_collections.entra.graph.plugins.module_utils.resource import Plan, choose_api_version, left_out_warning, plan_absent, plan_present
from ansible_collections.entra.graph.plugins.module_utils.values import validate_tenant_id

STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered')
PAST = dict(create='created', update='updated', delete='deleted')
# How many items of a list a message names before it says "and N more".
NAMED = 5
# A request id, and the client request id Graph echoes: they differ between two otherwise identical failures.
_REQUEST_IDS = re.compile(r' \[request-id: [^\]]*\]')


class Item:
    """One object: what the task wants of it (``desired``: the properties, ``DELETE`` or ``READ``) and its
    current object (``UNREAD`` until it is read, None when there is none)."""

    UNREAD = object()
    NOT_READ = object()
    DELETE = 'delete'
    READ = 'read'

    def __init__(self, tenant_id, desired, current=UNREAD, names_beta_only=False):
        self.tenant_id = tenant_id
        self.desired = desired
        self.current = current
        self.names_beta_only = names_beta_only
        self.plan = None
        # The plan as done (or predicted): Graph may answer that things changed since the read.
        self.done = None
        # True when a write landed, 'maybe' when one may have.
        self.written = False
        self.error = None
        self.failed_action = None
        self.held_back = False
        # What goes before a delete: (result key, endpoint, plan) of each dependent object (a partner's sync policy).
        self.first = []
        # The dependent objects deleted first, by result key.
        self.deleted_first = {}
        # What the delete replaces elsewhere (a live sync policy's older copy in deleted items), read before it: {} when
        # nothing, None when it could not be read (v1.0); NOT_READ for a collection whose deletes replace nothing.
        self.replaced = Item.NOT_READ

    @property
    def before(self):
        return None if self.current is Item.UNREAD else self.current

    @property
    def result(self):
        """The object after the task; for one that failed or was held back, the one that was read."""
        if self.error is not None or self.held_back or self.done is None:
            return self.before
        return self.done.after


def read_config(params, resource, object_options, check_item=None):
    """The listed objects as (index, tenant_id, desired); every input error at once, before any request.
    ``check_item(entry, where)`` returns what else is wrong with one item, or None."""
    state, config = params['state'], params['config']
    errors = []
    if state == 'gathered' and config:
        errors.append('state=gathered reads every partner and takes no config; remove config')
    if state in ('merged', 'replaced', 'overridden') and config is None:
        errors.append('state=%s needs config, the list of partners%s' % (
            state, ' (an empty list deletes every partner)' if state == 'overridden' else ''))
    items = []
    seen = {}
    for index, entry in enumerate(config or []):
        try:
            tenant_id = validate_tenant_id(entry.get('tenant_id'), option='config[%d].tenant_id' % index)
        except ConfigurationError as exc:
            errors.append(exc.message)
            continue
        where = 'config[%d] (tenant_id %s)' % (index, tenant_id)
        if tenant_id in seen:
            errors.append('%s: the same tenant_id as config[%d]; list each partner once' % (where, seen[tenant_id]))
            continue
        seen[tenant_id] = index
        given = [option for option in object_options if entry.get(option) is not None]
        if state == 'deleted' and given:
            errors.append('%s: state=deleted takes only tenant_id in each item, and deletes the object whatever it holds; '
                          'remove %s' % (where, ', '.join(given)))
            continue
        problem = check_item(entry, where) if check_item else None
        if problem:
            errors.append(problem)
            continue
        try:
            desired = resource.desired(entry)
        except ConfigurationError as exc:
            errors.append('%s: %s' % (where, exc.message))
            continue
        items.append((index, tenant_id, desired))
    if errors:
        raise ConfigurationError('; '.join(errors), option='config')
    return items


def beta_reasons(resource, items, reasons=()):
    """What makes the task need Graph beta: ``reasons`` of the task, then the beta-only options of the items."""
    reasons = list(reasons)
    used = [(option, index, tenant_id) for index, tenant_id, desired in items for option in resource.beta_only(desired)]
    for option, index, tenant_id in used[:NAMED]:
        reasons.append('option %s (config[%d], tenant_id %s)' % (option, index, tenant_id))
    if len(used) > NAMED:
        reasons.append('%d more such options' % (len(used) - NAMED))
    return reasons


class Bulk:
    """One bulk task on ``collection``: ``state`` applied to the listed ``items`` (and, for the states that
    concern the whole collection, to every other object in it)."""

    def __init__(self, module, endpoint, state, items, requested_api_version, max_concurrency, force=False, keep=None):
        self.module = module
        # With force, what must go before a delete (``endpoint.before_delete``) is deleted first.
        self.force = force
        # Objects no whole-collection delete may touch: tenant ID -> why. They are read and kept, and said so.
        self.keep = keep or {}
        self.kept = []
        self.endpoint = endpoint
        self.state = state
        self.max_concurrency = max_concurrency
        # Beta-only properties are cleared only where the task could see and meant them.
        self.clear_beta_only = requested_api_version == 'beta'
        self.listed_all = module.params['config'] is None
        resource = endpoint.resource
        self.items = [Item(tenant_id, Item.DELETE if state == 'deleted' else desired,
                           names_beta_only=bool(resource.beta_only(desired)))
                      for dummy, tenant_id, desired in items]

    @property
    def whole(self):
        return self.state in ('overridden', 'gathered') or (self.state == 'deleted' and self.listed_all)

    # ---- reading ------------------------------------------------------------------------------

    def gather(self):
        """Every object the task looks at: the listed ones in config order, then, when the state concerns the whole
        endpoint, every other one in the order Graph lists them."""
        unlisted = Item.READ if self.state == 'gathered' else Item.DELETE
        if self.whole or self.endpoint.reads_in_bulk(len(self.items)):
            found = self.endpoint.read_all()
            for item in self.items:
                item.current = found.pop(item.tenant_id, None)
            if self.whole:
                for tenant_id, obj in found.items():
                    if unlisted == Item.DELETE and tenant_id in self.keep:
                        self.kept.append(dict(tenant_id=tenant_id, reason=self.keep[tenant_id]))
                        self.items.append(Item(tenant_id, Item.READ, obj))
                    else:
                        self.items.append(Item(tenant_id, unlisted, obj))
        return self.items

    # ---- deciding and writing -----------------------------------------------------------------

    def plan_for(self, item, current):
        """The single module's decision for one object; for "exactly this" (replaced, overridden) what the item
        leaves out is cleared: beta-only properties only when the item names one or beta was asked for."""
        if item.desired == Item.READ:
            return Plan('none', before=current or {}, after=current or {}, tenant_id=item.tenant_id, noun=self.endpoint.resource.noun)
        if item.desired == Item.DELETE:
            return plan_absent(self.endpoint.resource, item.tenant_id, current)
        desired = item.desired
        if self.state in ('replaced', 'overridden'):
            desired = self.endpoint.resource.cleared(desired, beta_only=self.clear_beta_only or item.names_beta_only)
        return plan_present(self.endpoint.resource, item.tenant_id, current, desired, self.module.api_version)

    def decide(self, item):
        """Read (unless already read), decide, and carry out every plan but a delete; a failure is kept on the
        item, never raised."""
        action = 'read'
        try:
            if item.current is Item.UNREAD:
                item.current = self.endpoint.get(item.tenant_id)
            item.plan = self.plan_for(item, item.current)
            action = item.plan.action
            if action == 'delete':
                # Decided now, before any delete runs: a delete that cannot go through holds every other back.
                item.first = self.endpoint.before_delete(item.tenant_id, self.force)
                # Only the live sync policies have one: their delete moves them into deleted items.
                replaced_by_delete = getattr(self.endpoint, 'replaced_by_delete', None)
                if replaced_by_delete is not None:
                    item.replaced = replaced_by_delete(item.tenant_id)
            else:
                self.carry_out(item)
        except EntraGraphError as exc:
            self.failed(item, action, exc)
        return item

    def delete(self, item):
        try:
            for key, endpoint, plan in item.first:
                done = store.carry_out(endpoint, plan, self.module.check_mode, self.module.warn)
                if done.changed and not self.module.check_mode:
                    item.written = True
                item.deleted_first[key] = plan.before
            self.carry_out(item)
        except EntraGraphError as exc:
            self.failed(item, 'delete', exc)
        return item

    def carry_out(self, item):
        note = left_out_warning(item.plan)
        if note:
            self.module.warn(note)
        item.done = store.carry_out(self.endpoint, item.plan, self.module.check_mode, self.module.warn)
        item.written = item.written or (item.done.changed and not self.module.check_mode)

    @staticmethod
    def failed(item, action, exc):
        item.error, item.failed_action = exc, action
        if isinstance(exc, WriteUnconfirmedError):
            item.written = True if exc.landed else 'maybe'

    def run(self):
        """Every create and update first; the deletes only when none of them failed, since a listed item that failed
        (a mistyped tenant ID, say) would otherwise leave the task deleting what it was meant to keep."""
        self.each(self.decide, self.gather())
        deletes = [item for item in self.items if item.error is None and item.plan is not None and item.plan.action == 'delete']
        if any(item.error is not None for item in self.items):
            for item in deletes:
                item.held_back = True
        else:
            self.each(self.delete, deletes)
        return self.items

    def each(self, step, items):
        workers = min(self.max_concurrency, len(items))
        if workers <= 1:
            return [step(item) for item in items]
        # Sign in once, here, before any worker needs the token.
        self.module.client().token_provider.token()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(step, items))

    # ---- the result ---------------------------------------------------------------------------

    def result(self, to_options):
        items = self.items
        before = [item.before for item in items if item.before]
        after = [item.result for item in items if item.result]
        changed = [changed_entry(item)
                   for item in items if item.error is None and not item.held_back and item.done is not None and item.done.changed]
        result = dict(changed=bool(changed), before=before, after=after, changed_partners=changed, gathered=[],
                      api_version=self.module.api_version)
        failed = [item for item in items if item.error is not None]
        if self.state == 'gathered' and not failed:
            result['gathered'] = [to_options(obj) for obj in before]
        # Keyed by tenant ID: Ansible renders a diff of mappings (one block per partner), not of lists.
        diff_before, diff_after = by_tenant(before), by_tenant(after)
        for item in items:
            deleted = item.error is None and not item.held_back and item.done is not None and item.done.action == 'delete'
            if deleted and isinstance(item.replaced, dict) and item.replaced:
                # The older copy in deleted items gives way to the policy the delete moves there.
                diff_before[REPLACED_KEY % item.tenant_id] = item.replaced
                diff_after[REPLACED_KEY % item.tenant_id] = item.before
        self.module.add_diff(result, diff_before, diff_after)
        if self.kept:
            result['kept_partners'] = self.kept
        held_back = [item for item in items if item.held_back]
        if held_back:
            result['held_back_partners'] = [dict(tenant_id=item.tenant_id, action=item.plan.action) for item in held_back]
        if failed:
            result['changed'] = any(item.written for item in items)
            result['failed_partners'] = [failed_entry(item) for item in failed]
            result['msg'] = self.failure(failed, held_back)
        return result

    def failure(self, failed, held_back):
        """The message of a task some of whose objects failed: every failure (alike ones once), what was written,
        and what was held back."""
        text = '%d of %d partners failed: %s' % (len(failed), len(self.items), '; '.join(grouped(failed)))
        counts = {}
        for item in self.items:
            if item.written is True and item.error is None:
                counts[item.done.action] = counts.get(item.done.action, 0) + 1
        landed = [item.tenant_id for item in failed if item.written is True]
        maybe = [item.tenant_id for item in failed if item.written == 'maybe']
        if counts:
            text += '. The other partners were done: %s (see changed_partners)' % ', '.join(
                '%s %d' % (PAST[action], counts[action]) for action in ('create', 'update', 'delete') if action in counts)
        if landed:
            text += '. Written before failing: tenant_id %s' % ', '.join(landed)
        if maybe:
            text += '. May have been written: tenant_id %s' % ', '.join(maybe)
        if not counts and not landed and not maybe:
            text += '. Nothing was written'
        if held_back:
            text += ('. Held back, since deletes run only when every other write succeeded: %d delete%s (see held_back_partners)'
                     % (len(held_back), '' if len(held_back) == 1 else 's'))
        if self.state == 'gathered':
            text += '. gathered is empty: an export without these partners would delete them when fed back to overridden'
        return text


REPLACED_KEY = 'deleted_items %s'


def changed_entry(item):
    entry = dict(item.deleted_first, tenant_id=item.tenant_id, action=item.done.action,
                 changed_properties=item.done.changed_properties)
    if item.replaced is not Item.NOT_READ and item.done.action == 'delete':
        entry['replaced_deleted_copy'] = item.replaced
    return entry


def grouped(failed):
    """One entry per distinct failure: the tenant IDs of the items that failed alike, then what they met."""
    groups = []
    for item in failed:
        key = (item.failed_action, _REQUEST_IDS.sub('', item.error.message).replace(item.tenant_id, '{tenant_id}'))
        for group in groups:
            if group[0] == key:
                group[1].append(item)
                break
        else:
            groups.append((key, [item]))
    parts = []
    for (action, dummy), members in groups:
        if len(members) == 1:
            parts.append('tenant_id %s (%s): %s' % (members[0].tenant_id, action, members[0].error.message))
        else:
            parts.append('tenant_id %s (%s, %d alike): %s' % (', '.join(m.tenant_id for m in members), action, len(members),
                                                              _REQUEST_IDS.sub('', members[0].error.message).replace(
                                                                  members[0].tenant_id, '{tenant_id}')))
    return parts


def failed_entry(item):
    entry = dict(tenant_id=item.tenant_id, action=item.failed_action, msg=item.error.message)
    entry.update(item.error.details)
    return entry


def by_tenant(objects):
    return dict((obj['tenantId'], obj) for obj in objects)


def run_bulk(module, resource, endpoint_for, to_options, check_item=None, reasons=(), keep=None):
    """A bulk module's whole decision: ``endpoint_for(client)`` is where the objects live, ``reasons`` what
    makes the task need Graph beta whatever its items hold, ``keep(module)`` the objects (tenant ID -> why) that
    a delete of unlisted objects leaves alone. Returns the result; one with ``failed`` set ends the task as failed."""
    params = module.params
    state, requested = params['state'], params['api_version']
    if params['max_concurrency'] < 1:
        raise ConfigurationError('max_concurrency must be 1 or more, got %d' % params['max_concurrency'], option='max_concurrency')
    force = bool(params.get('force'))
    if force and state not in ('deleted', 'overridden'):
        raise ConfigurationError('force applies only to state=deleted and state=overridden, where it deletes what Graph '
                                 'requires to go before a delete; remove force', option='force')
    object_options = [option for option in resource.argument_spec() if option != 'tenant_id']
    items = read_config(params, resource, object_options, check_item)
    module.api_version = choose_api_version(requested, beta_reasons(resource, items, reasons))
    if state == 'gathered' and requested == 'auto':
        # An export is read where every property is visible, so that feeding it back clears nothing it missed.
        module.api_version = 'beta'
    client = module.client(pool_size=params['max_concurrency'])
    bulk = Bulk(module, endpoint_for(client), state, items, requested, params['max_concurrency'], force=force,
                keep=keep(module) if keep is not None and state in ('overridden', 'deleted') else None)
    bulk.run()
    for kept in bulk.kept:
        module.warn('state=%s keeps the %s of tenant %s although config does not list it: %s'
                    % (state, resource.noun, kept['tenant_id'], kept['reason']))
    result = bulk.result(to_options)
    if result.get('failed_partners'):
        result['failed'] = True
    return result
