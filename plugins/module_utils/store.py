# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Graph collection of objects keyed by ``tenantId``: read, create, update, delete and restore
one object, list them all, and refuse answers that are not the object asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError


class Collection:
    """One collection of ``resource`` objects at ``path``, reached with ``client`` (one API version)."""

    path = None
    # Graph's word for the collection, for messages.
    title = None

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
        found = self.client.get(path, missing_ok=True)
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

    def list(self):
        return [self.shape(obj) for obj in self.client.list(self.path) if isinstance(obj, dict)]

    def find(self, tenant_id=None):
        """What an info module returns: every object, or the one of ``tenant_id`` (none when it has none)."""
        if tenant_id is None:
            return self.list()
        found = self.get(tenant_id)
        return [] if found is None else [found]

    def write(self, method, path, body=None, verify_write=None):
        # Any 2xx is success: Graph documents 201 for a POST and 204 for PATCH, PUT and DELETE, but an answer
        # with another 2xx status still says the write was done.
        return self.client.request(method, path, body=body, verify_write=verify_write)

    def preflight(self, tenant_id, plan):
        """In check mode, the reads that tell whether ``plan`` can be carried out as things stand: a warning
        to show with the prediction, or None. Not a failure: an earlier task of the same play, only predicted
        in check mode too, may be the one that makes it possible."""
        return None

    def update(self, tenant_id, body):
        """PATCH only what differs; complex values in ``body`` are already complete."""
        self.write('PATCH', self.item(tenant_id), body=body)

    def delete(self, tenant_id):
        self.write('DELETE', self.item(tenant_id))

    def created(self, tenant_id, response):
        """The object a create answered with, or, when the answer carried none, the object read back."""
        body = getattr(response, 'body', None)
        if isinstance(body, dict) and body:
            return self.shape(self.checked(body, tenant_id, 'the create answer'))
        found = self.get(tenant_id)
        if found is None:
            raise GraphError('POST %s answered HTTP %s with an empty or unusable body instead of the object, and reading it '
                             'back finds none: the create did not take effect; run the task again' % (self.path, getattr(response, 'status', '2xx')),
                             status=getattr(response, 'status', None))
        return found


class Restorable(Collection):
    """A deleted-items collection whose objects ``POST {id}/restore`` brings back to ``live``."""

    def __init__(self, client, resource, live):
        super(Restorable, self).__init__(client, resource)
        self.live = live

    def restore(self, tenant_id):
        """The live object after the restore; after a lost answer, one found live counts as restored."""
        response = self.write('POST', self.item(tenant_id) + '/restore', verify_write=lambda: self.live.get(tenant_id))
        body = getattr(response, 'body', None)
        if isinstance(body, dict) and body.get(self.resource.key):
            restored = self.live.shape(self.checked(body, tenant_id, 'the restore answer'))
        else:
            restored = self.live.get(tenant_id)
        if restored is None:
            raise GraphError('POST %s/restore answered HTTP %s without the object, and reading the live object finds none: '
                             'the restore did not take effect; run the task again'
                             % (self.item(tenant_id), getattr(response, 'status', '2xx')), status=getattr(response, 'status', None))
        if 'deletedDateTime' in restored:
            # The documented restore answer carries the time of the restore; the live object has none.
            restored['deletedDateTime'] = None
        return restored

    def preflight_restore(self, tenant_id):
        """As ``Collection.preflight``, for a restore."""
        return None


def carry_out_or_predict(collection, tenant_id, plan, check_mode, warn):
    """The object after ``plan``: carried out, or in check mode only predicted (with ``warn`` told what the
    real run would meet as things stand); the second value says whether anything was written."""
    if not plan.changed:
        return plan.after, False
    if check_mode:
        note = collection.preflight(tenant_id, plan)
        if note:
            warn(note)
        return plan.after, False
    return apply_plan(collection, tenant_id, plan), True


def apply_plan(collection, tenant_id, plan):
    """Carry out ``plan`` on ``collection``; returns the object after it."""
    if plan.action == 'create':
        return collection.create(tenant_id, plan.body, plan.after)
    if plan.action == 'update':
        collection.update(tenant_id, plan.body)
        return plan.after
    if plan.action == 'delete':
        collection.delete(tenant_id)
        return {}
    return plan.after


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
