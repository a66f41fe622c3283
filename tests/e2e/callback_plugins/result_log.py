# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes every task result of a playbook run as one JSON line, so end-to-end
tests assert on what Ansible itself reported rather than on scraped output."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: result_log
type: aggregate
short_description: Log task results as JSON lines for the end-to-end tests
description:
  - Appends one JSON object per task result to the file named by E(E2E_RESULT_LOG).
options: {}
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_log'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get('E2E_RESULT_LOG')
        if not path:
            return
        entry = {
            'task': result.task_name if hasattr(result, 'task_name') else result._task.get_name(),
            'host': result._host.get_name(),
            'status': status,
            'result': self._clean(result._result),
        }
        with open(path, 'a') as handle:
            handle.write(json.dumps(entry, default=str) + '\n')

    @staticmethod
    def _clean(value):
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')
