# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's ``main()`` the way ansible-core's own unit tests do, on ansible-core 2.17 to 2.19.

The module reads its arguments as it would from Ansible, exits through the real
``exit_json``/``fail_json`` (so ``no_log`` masking and warnings are what a user
would see), and the JSON it prints is parsed back into a result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as core_warnings
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
except ImportError:  # ansible-core 2.17 and 2.18
    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))
        with mock.patch.object(basic, '_ANSIBLE_ARGS', serialized):
            yield


class ModuleResult(dict):
    """The module's result dict, plus how it exited."""

    def __init__(self, result, rc, stdout):
        super(ModuleResult, self).__init__(result)
        self.rc = rc
        self.stdout = stdout

    @property
    def failed(self):
        return bool(self.get('failed'))

    @property
    def warnings(self):
        """The warnings as text: ansible-core 2.19 sends them as structured events, older cores as strings."""
        texts = []
        for warning in self.get('warnings', []):
            if isinstance(warning, dict):
                warning = (warning.get('event') or warning).get('msg', json.dumps(warning))
            texts.append(warning)
        return texts


class ModuleDidNotExit(AssertionError):
    pass


def run_module(main, args, check_mode=False, diff=False):
    """Run ``main()`` with ``args`` as the task's options; return its result (exit_json or fail_json)."""
    module_args = dict(args)
    if check_mode:
        module_args['_ansible_check_mode'] = True
    if diff:
        module_args['_ansible_diff'] = True
    # Each task is a new process; here the warnings of earlier runs would carry over.
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(core_warnings, name).clear()
    stdout = io.StringIO()
    rc = None
    with patch_module_args(module_args), contextlib.redirect_stdout(stdout):
        try:
            main()
        except SystemExit as exc:
            rc = exc.code
    if rc is None:
        raise ModuleDidNotExit('the module returned without calling exit_json or fail_json')
    text = stdout.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ModuleDidNotExit('the module exited (rc=%r) without printing a result' % rc)
    return ModuleResult(json.loads(lines[-1]), rc, text)


def assert_failed_before_any_request(result, cloud, *words):
    """The task failed cleanly, with each of ``words`` in its message, and nothing was sent."""
    assert result.failed, result
    assert result.rc == 1
    assert 'exception' not in result, 'a validation failure is not a traceback'
    for word in words:
        assert word in result['msg'], (word, result['msg'])
    assert cloud.seen == [], 'validation must fail before any request: %s' % cloud.seen


RESULT_KEYS = ('changed', 'partner', 'diff', 'changed_properties', 'ansible_facts', 'api_version')


def assert_check_mode_predicts(main, args, cloud, keys=RESULT_KEYS):
    """Run the task in check mode, then for real (both with diff): check mode reads but writes nothing and
    leaves Graph as it was; the real run writes exactly when it reports a change; both give the same
    ``keys``. Returns (predicted, actual)."""
    before = cloud.emulator.objects()
    predicted = run_module(main, args, check_mode=True, diff=True)

    assert not predicted.failed, predicted
    assert cloud.graph('GET'), 'check mode must read the object'
    assert cloud.graph_writes() == []
    assert cloud.emulator.objects() == before

    actual = run_module(main, args, diff=True)

    assert not actual.failed, actual
    for key in keys:
        assert predicted.get(key) == actual.get(key), key
    assert actual['changed'] == bool(cloud.graph_writes())
    return predicted, actual
