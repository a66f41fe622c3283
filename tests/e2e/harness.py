# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running the collection the way a user does: built with ``ansible-galaxy
collection build``, installed from the tarball, driven by ``ansible-playbook``."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
BIN = os.path.dirname(sys.executable)

# Variables of the environment a playbook run inherits; everything else is left
# out so that no AZURE_* or proxy setting of the machine leaks into a test.
# _ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG is ansible-core's switch for measuring the coverage of the
# modules a playbook runs (scripts/test.sh sets it in the e2e stage).
_INHERITED = ('PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'USER', 'LOGNAME', '_ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG')


def build_and_install(workdir, source=REPO):
    """Build the tarball from a checkout (this one by default) and install it; return the collections path and the tarball."""
    dist = os.path.join(workdir, 'dist')
    collections = os.path.join(workdir, 'collections')
    os.makedirs(dist)
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', source, '--output-path', dist])
    tarballs = [name for name in os.listdir(dist) if name.endswith('.tar.gz')]
    if len(tarballs) != 1:
        raise AssertionError('expected one tarball in %s, found %s' % (dist, tarballs))
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '-p', collections, os.path.join(dist, tarballs[0])])
    return collections, os.path.join(dist, tarballs[0])


def _run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=base_env(), cwd=REPO)
    if proc.returncode != 0:
        raise AssertionError('%s failed (%d):\n%s\n%s' % (' '.join(argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


def base_env(extra=None):
    env = dict((key, os.environ[key]) for key in _INHERITED if key in os.environ)
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    # Never fall through to the Azure instance metadata service, whatever a test forgets to set.
    env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = 'https://127.0.0.1:9'
    if extra:
        env.update(extra)
    return env


class PlaybookRun:
    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    @property
    def output(self):
        return self.stdout + self.stderr

    def result(self, task):
        """The result of the task with this name (the last one, in a loop)."""
        found = [entry for entry in self.results if entry['task'] == task]
        if not found:
            raise AssertionError('no result for task %r; tasks were %s\n%s' % (task, [e['task'] for e in self.results], self.output))
        return found[-1]['result']

    def status(self, task):
        return [entry for entry in self.results if entry['task'] == task][-1]['status']


def run_playbook(collections, tasks=None, playbook=None, env=None, extra_vars=None, check=False, diff=False,
                 verbosity=0, module_defaults=None, extra_args=(), timeout=600):
    """Run ``tasks`` (a list of task dicts) or a playbook file; return a PlaybookRun."""
    workdir = tempfile.mkdtemp(prefix='e2e-play-')
    if playbook is None:
        play = {'name': 'e2e', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}
        if module_defaults:
            play['module_defaults'] = {'group/entra.graph.graph': module_defaults}
        playbook = os.path.join(workdir, 'play.yml')
        with open(playbook, 'w') as handle:
            yaml.safe_dump([play], handle, sort_keys=False)
    log = os.path.join(workdir, 'results.jsonl')
    run_env = base_env({
        'ANSIBLE_COLLECTIONS_PATH': collections,
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS,
        'ANSIBLE_CALLBACKS_ENABLED': 'result_log',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'E2E_RESULT_LOG': log,
    })
    run_env.update(env or {})
    argv = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook]
    if extra_vars:
        argv += ['-e', json.dumps(extra_vars)]
    if check:
        argv.append('--check')
    if diff:
        argv.append('--diff')
    if verbosity:
        argv.append('-' + 'v' * verbosity)
    argv += list(extra_args)
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=run_env, cwd=workdir, timeout=timeout)
    results = []
    if os.path.exists(log):
        with open(log) as handle:
            results = [json.loads(line) for line in handle if line.strip()]
    shutil.rmtree(workdir, ignore_errors=True)
    return PlaybookRun(proc, results)


def module_task(name, module, args, **keywords):
    """A task dict: ``module`` called with ``args``, plus task keywords such as ``register`` or ``environment``."""
    task = {'name': name, module: args}
    task.update(keywords)
    return task


def of_kind(entries, *kinds):
    """The emulator request log entries whose ``kind`` is one of ``kinds``."""
    return [entry for entry in entries if entry['kind'] in kinds]


def diff_lines(output):
    """The removed and added lines of every unified diff ``--diff`` printed, headers left out."""
    return [line for line in output.splitlines()
            if line[:1] in ('+', '-') and not line.startswith(('+++', '---'))]


def task_output(output, task):
    """What the default callback printed for the task named ``task``: its banner up to the next banner."""
    lines = output.splitlines()
    banner = 'TASK [%s]' % task
    starts = [index for index, line in enumerate(lines) if line.startswith(banner)]
    if not starts:
        raise AssertionError('no output for task %r\n%s' % (task, output))
    end = starts[-1] + 1
    while end < len(lines) and not lines[end].startswith(('TASK [', 'PLAY RECAP', 'PLAY [')):
        end += 1
    return '\n'.join(lines[starts[-1]:end])
