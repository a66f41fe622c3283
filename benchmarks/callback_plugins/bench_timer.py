# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Records when each task starts and when each of its loop items ends, so the
benchmark measures per-item time from the playbook run itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: Per-task and per-loop-item timestamps for the benchmark
description:
  - Appends one JSON object per event (task start, item end, task end) to the file named by E(BENCH_TIMER_LOG).
options: {}
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_TIMER_LOG')

    def _event(self, event, task, status=None):
        if not self._path:
            return
        # 'wall' is on the clock of the emulator's request log, to tell where a task's time went.
        entry = {'event': event, 'task': task, 'time': time.perf_counter(), 'wall': time.time()}
        if status is not None:
            entry['status'] = status
        with open(self._path, 'a') as handle:
            handle.write(json.dumps(entry) + '\n')

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._event('task_start', task.get_name())

    def v2_runner_item_on_ok(self, result):
        self._event('item', result.task_name, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_item_on_failed(self, result):
        self._event('item', result.task_name, 'failed')

    def v2_runner_on_ok(self, result):
        self._event('task_end', result.task_name, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._event('task_end', result.task_name, 'failed')
