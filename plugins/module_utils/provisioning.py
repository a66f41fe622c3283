# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Provisioning on demand: keeping under Graph's limit for provisionOnDemand (5 requests per 10 seconds,
the API page), and reading its answer, a ``stringKeyStringValuePair`` whose strings hold JSON, into one result
per user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import time

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError

ON_DEMAND_LIMIT = 5
ON_DEMAND_WINDOW = 10.0
# Spare time on top of the window: Graph counts from when it received a request, a little after it was sent.
MARGIN = 0.25
STATUSES = {'success': 'success', 'succeeded': 'success', 'skipped': 'skipped', 'failure': 'failure',
            'failed': 'failure', 'warning': 'failure'}


class Pacer:
    """``wait()`` before each request: never more than ``limit`` within ``window`` seconds. ``done()`` after each
    answer (the moment counted is the answer's, which is never earlier than Graph's own count)."""

    def __init__(self, limit=ON_DEMAND_LIMIT, window=ON_DEMAND_WINDOW, clock=time.monotonic, sleep=time.sleep):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.moments = collections.deque()
        self.waited = 0.0

    def wait(self):
        if len(self.moments) < self.limit:
            return
        pause = self.moments[0] + self.window + MARGIN - self.clock()
        if pause > 0:
            self.waited += pause
            self.sleep(pause)
        self.moments.popleft()

    def done(self):
        self.moments.append(self.clock())


def _json(text):
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _status(value):
    return STATUSES.get(value.strip().lower()) if isinstance(value, str) else None


def _step(raw):
    return {'name': raw.get('name'), 'type': raw.get('type'), 'status': raw.get('status'),
            'description': raw.get('description'), 'timestamp': raw.get('timestamp'), 'details': raw.get('details') or {}}


def on_demand_result(user_id, answer):
    """One user's result from provisionOnDemand's answer.

    Graph documents two shapes: the cross-tenant tutorial's (``key`` the StatusInfo type name, ``value`` a JSON
    array of objects with ``provisioningSteps``) and the API page's (``key`` a JSON object with ``result`` and
    ``details``, ``value`` a JSON object with ``action``, ``provisioningSteps``, ``statusInfo``, ``targetIdentity``).
    Both are read; what an answer lacks is derived from its steps.
    """
    answer = answer or {}
    summary = _json(answer.get('key'))
    summary = summary if isinstance(summary, dict) else {}
    items = _json(answer.get('value'))
    if isinstance(items, dict):
        items = [items]
    items = [item for item in items or [] if isinstance(item, dict)]
    raw_steps = [step for item in items for step in item.get('provisioningSteps') or [] if isinstance(step, dict)]
    steps = [_step(step) for step in raw_steps]
    first = items[0] if items else {}
    matched = [s['details'].get('id') for s in steps if (s['type'] or '').lower() == 'matching'
               and isinstance(s['details'], dict) and s['details'].get('id')]
    info = first.get('statusInfo') if isinstance(first.get('statusInfo'), dict) else {}
    target = first.get('targetIdentity') if isinstance(first.get('targetIdentity'), dict) else {}

    failed = [s for s in steps if _status(s['status']) == 'failure']
    skipped = [s for s in steps if _status(s['status']) == 'skipped']
    exported = [s for s in steps if (s['type'] or '').lower() == 'export' and _status(s['status']) == 'success']
    status = _status(summary.get('result')) or _status(info.get('status'))
    if status is None:
        status = 'failure' if failed or not steps else 'skipped' if skipped and not exported else 'success'
    details = summary.get('details') if isinstance(summary.get('details'), dict) else {}
    error_code = details.get('errorCode') or info.get('errorCode') or next(
        (s['details'].get('ErrorCode') or s['details'].get('errorCode') for s in failed if isinstance(s['details'], dict)), None)
    telling = (failed or skipped or exported or steps[-1:] or [{}])[0]
    message = details.get('errorMessage') or telling.get('description') or ('no provisioning steps in the answer' if not steps else '')
    if error_code and error_code not in message:
        message = '%s: %s' % (error_code, message)
    return {
        'user_id': user_id,
        'status': status,
        'action': first.get('action') or (exported[0]['name'] if exported else None),
        'target_user_id': target.get('id') or (matched[0] if matched else None),
        'exported': bool(exported) and status == 'success',
        'message': message,
        'steps': steps,
    }


class OnDemand:
    """Provision users one by one through a job, paced; ``run(users)`` returns one result per user."""

    def __init__(self, tenant, sp_id, job_id, rule_id, pacer=None, record=None):
        self.tenant = tenant
        self.sp_id = sp_id
        self.job_id = job_id
        self.rule_id = rule_id
        self.pacer = pacer or Pacer()
        self.record = record or (lambda what: None)

    def run(self, users, refused):
        """``refused(exc)`` says whether a Graph error is about the one user (then a failure result) or the whole task."""
        results = []
        for user_id in users:
            self.pacer.wait()
            try:
                answer = self.tenant.provision_on_demand(self.sp_id, self.job_id, self.rule_id, user_id)
            except EntraGraphError as exc:
                if not refused(exc):
                    raise
                results.append({'user_id': user_id, 'status': 'failure', 'action': None, 'target_user_id': None,
                                'exported': False, 'message': exc.message, 'steps': []})
                continue
            finally:
                self.pacer.done()
            result = on_demand_result(user_id, answer)
            if result['exported']:
                self.record('exported user %s' % user_id)
            results.append(result)
        return results
