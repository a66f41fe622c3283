# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Graph collection of objects keyed by ``tenantId``: read, create, update, delete and restore
one object, list them all, and refuse answers that are not the object asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError, GraphError, WriteUnconfirmedError
from ansible_collections.entra.graph.plugins.module_utils.resource import plan_present

# The permission tables of the deleted items pages (list, get, delete, restore) say "Not supported" for application
# permissions: an app-only sign-in may be refused there whatever roles it holds.
DELETED_ITEMS_HINT = (' (Graph documents no application permission for deleted items (policies/deletedItems), only delegated '
                      'ones, so an app-only sign-in such as a client secret, certificate, workload identity or managed identity '
                      'may be refused there whatever its roles: sign in as a user with the delegated permission '
                      'Policy.ReadWrite.CrossTenantAccess and pass that token with auth_method=access_token, or manage the '
                      'live sync policy with location=partner_policy instead)')


class Endpoint:
    """The Graph endpoint of ``resource`` objects at ``path`` (a collection), reached with ``client`` (one API version)."""

    path = None
    # What a refusal (403) of any call here adds to its message: the permissions the endpoint needs.
    permission_hint = None

    def __init__(self, client, resource):
        self.client = client
        self.resource = resource

    @property
    def api_version(self):
        return self.client.api_version

    def item(self, tenant_id):
        return '%s/%s' % (self.path, tenant_id)

    def shape(self, obj):
        return self.resource.shape(obj, self.api_version)

    def get(self, tenant_id):
        """The object, shaped; None when Graph says it does not exist."""
        path = self.item(tenant_id)
        found = self.client.get(path, missing_ok=True, permission_hint=self.permission_hint)
        if found is None:
            return None
        return self.shape(self.checked(found, tenant_id, 'GET %s' % path))

    def checked(self, answer, tenant_id, what):
        """``answer`` when it is the object of ``tenant_id``; a clear error for anything else, so that no
        write is ever derived from an answer about another object, or about none."""
        if not isinstance(answer, dict) or not answer:
            raise GraphError('%s answered with %s instead of the %s of tenant %s; refusing to use it'
                             % (what, _describe(answer), self.resource.odata_type, tenant_id))
        found = answer.get(self.resource.key)
        if not isinstance(found, str) or found.strip().lower() != tenant_id:
            raise GraphError('%s answered with the object of tenant %r instead of tenant %s; refusing to use it'
                             % (what, found, tenant_id))
        return answer

    def reads_in_bulk(self, listed):
        """Whether ``read_all`` costs less than reading ``listed`` objects one by one."""
        return True

    def list(self):
        return [self.shape(obj) for obj in self.client.list(self.path, permission_hint=self.permission_hint) if isinstance(obj, dict)]

    def read_all(self):
        """Every object keyed by its lower-case tenant ID."""
        return dict((obj['tenantId'].lower(), obj) for obj in self.list() if isinstance(obj.get('tenantId'), str))

    def find(self, tenant_id=None):
        """What an info module returns: every object, or the one of ``tenant_id`` (none when it has none)."""
        if tenant_id is None:
            return self.list()
        found = self.get(tenant_id)
        return [] if found is None else [found]

    def write(self, method, path, body=None, verify_write=None, missing_ok=False):
        # Any 2xx is success: Graph documents 201 for a POST and 204 for PATCH, PUT and DELETE, but an answer
        # with another 2xx status still says the write was done.
        return self.client.request(method, path, body=body, verify_write=verify_write, missing_ok=missing_ok,
                                   permission_hint=self.permission_hint)

    def preflight(self, plan):
        """In check mode, the reads that tell whether ``plan`` can be carried out as things stand: a warning
        to show with the prediction, or None. Not a failure: an earlier task of the same play, only predicted
        in check mode too, may be the one that makes it possible. A failure Graph's rules make certain
        whatever runs before is raised, as the real run would meet it."""
        return None

    def before_delete(self, tenant_id, force):
        """What must be deleted before the object of ``tenant_id``, as (result key, endpoint, plan) each, read
        now; with nothing to delete first, []. Without ``force`` a delete that needs one fails here, before any
        delete of the task runs."""
        return []

    def send_create(self, tenant_id, body):
        """Send the create; the answer (a GraphResponse) or a GraphError."""
        raise NotImplementedError

    def create(self, plan):
        """The plan as done. Graph answers a create over an existing object with 409: then it was created
        since it was read (by another run, or by an earlier attempt of this one whose answer was lost),
        and the task decides again from what is there."""
        try:
            response = self.send_create(plan.tenant_id, plan.body)
        except GraphError as exc:
            if exc.status != 409:
                raise
            return self._after_conflict(plan, exc)
        return self.created(plan, response)

    def _after_conflict(self, plan, conflict):
        ours = conflict.attempts > 1
        try:
            current = self.get(plan.tenant_id)
        except EntraGraphError as exc:
            if not ours:
                raise
            raise WriteUnconfirmedError('%s, after an earlier attempt whose answer was lost, so the create may have landed; '
                                        'reading the object to confirm it failed: %s' % (conflict.message, exc.message),
                                        landed=False, cause=exc)
        if current is None:
            if not ours:
                raise conflict
            raise WriteUnconfirmedError('%s, after an earlier attempt whose answer was lost, so the create may have landed, '
                                        'but reading the object finds none yet; run the task again to confirm'
                                        % conflict.message, landed=False, cause=conflict)
        done = carry_out(self, plan_present(self.resource, plan.tenant_id, current, plan.desired, self.api_version), False, None)
        if ours:
            # The earlier attempt created it: that is what this task did.
            return plan.as_done(before={}, after=done.after)
        return done

    def created(self, plan, response):
        """The plan as done, with the object the create answered with or, when the answer carried none,
        the object read back. The create was answered 2xx: a failure after it says that it landed."""
        body = response.body
        if body:
            return plan.as_done(after=self.shape(self.checked(body, plan.tenant_id, 'the create answer')))
        what = 'POST %s answered HTTP %s with %s instead of the object' % (self.path, response.status, response.body_kind)
        try:
            found = self.get(plan.tenant_id)
        except EntraGraphError as exc:
            raise WriteUnconfirmedError('%s: the create landed, but reading the object back failed: %s' % (what, exc.message),
                                        landed=True, cause=exc)
        if found is None:
            raise WriteUnconfirmedError('%s: the create landed, but reading the object back finds none yet; run the task '
                                        'again to confirm' % what, landed=True)
        return plan.as_done(after=found)

    def update(self, tenant_id, body):
        """PATCH only what differs; complex values in ``body`` are already complete."""
        self.write('PATCH', self.item(tenant_id), body=body)

    def delete(self, plan):
        """The plan as done: an object already gone (another run deleted it since the read) is the state the task
        asks for, reached without this task."""
        if self.write('DELETE', self.item(plan.tenant_id), missing_ok=True) is None:
            return plan.as_done('none', after={})
        return plan


class Restorable(Endpoint):
    """A deleted-items endpoint whose objects ``POST {id}/restore`` brings back to ``live``."""

    permission_hint = DELETED_ITEMS_HINT

    def __init__(self, client, resource, live):
        super(Restorable, self).__init__(client, resource)
        self.live = live

    def restore(self, tenant_id):
        """The live object after the restore; after a lost answer, one found live counts as restored."""
        response = self.write('POST', self.item(tenant_id) + '/restore', verify_write=lambda: self.live.get(tenant_id))
        body = response.body
        if body and body.get(self.resource.key):
            restored = self.live.shape(self.checked(body, tenant_id, 'the restore answer'))
        else:
            what = 'POST %s/restore answered HTTP %s without the object' % (self.item(tenant_id), response.status)
            try:
                restored = self.live.get(tenant_id)
            except EntraGraphError as exc:
                raise WriteUnconfirmedError('%s: the restore landed, but reading the live object failed: %s' % (what, exc.message),
                                            landed=True, cause=exc)
            if restored is None:
                raise WriteUnconfirmedError('%s: the restore landed, but reading the live object finds none yet; run the task '
                                            'again to confirm' % what, landed=True)
        if 'deletedDateTime' in restored:
            # The documented restore answer carries the time of the restore; the live object has none.
            restored['deletedDateTime'] = None
        return restored

    def preflight_restore(self, tenant_id):
        """As ``Endpoint.preflight``, for a restore."""
        return None


def carry_out(endpoint, plan, check_mode, warn):
    """The one verb for a plan: carried out on ``collection``, or in check mode only predicted (``warn`` is told
    what the real run would meet as things stand). Returns the plan as done, which says what really happened:
    Graph may answer that things changed since the read."""
    if not plan.changed:
        return plan
    if check_mode:
        note = endpoint.preflight(plan)
        if note:
            warn(note)
        return plan
    if plan.action == 'create':
        return endpoint.create(plan)
    if plan.action == 'update':
        endpoint.update(plan.tenant_id, plan.body)
        return plan
    return endpoint.delete(plan)


def _describe(answer):
    if answer is None or answer == '':
        return 'an empty body'
    if isinstance(answer, dict):
        return 'an empty object'
    if isinstance(answer, list):
        return 'a list'
    if isinstance(answer, bool):
        return 'a boolean'
    if isinstance(answer, (int, float)):
        return 'a number'
    return 'a string'
