# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the benchmark scripts share: the emulator as a subprocess, its control API,
the collection built and installed from a checkout, and ansible-playbook runs."""

import collections
import json
import os
import resource
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
KINDS = ('discovery', 'token', 'graph_read', 'graph_write')

sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
# The same build, install and environment as the end-to-end tests: only a few variables of the
# caller's environment reach ansible-playbook, so no AZURE_* or proxy setting changes what is measured.
import harness  # noqa: E402 pylint: disable=wrong-import-position


class Emulator:
    """``python -m tests.emulator`` in a subprocess, with its state in ``state_dir``."""

    def __init__(self, state_dir, repo=REPO):
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, '-m', 'tests.emulator', '--port', '0', '--state-dir', state_dir],
            cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError('the emulator did not start (exit status %s)' % self.proc.poll())
        self.info = json.loads(line)
        self._ssl = ssl.create_default_context(cafile=self.info['ca_path'])

    def _call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode('utf-8')
        request = urllib.request.Request(self.info['control_url'] + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self._ssl, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def reset(self, latency_ms=0):
        """Empty store and log; the latency is set again because a reset restores the start-up value."""
        self._call('POST', '/reset', {})
        self._call('PUT', '/latency', {'ms': latency_ms})

    def set_objects(self, data):
        """Replace the emulator's store (``{"partners": [...], "partner_policy": [...], ...}``)."""
        self._call('PUT', '/objects', data)

    def requests(self):
        """The request log since the last reset."""
        return self._call('GET', '/requests')

    def request_counts(self):
        """Requests the emulator saw since the last reset, per kind (every kind in KINDS present)."""
        counts = collections.Counter(entry['kind'] for entry in self._call('GET', '/requests'))
        result = dict((kind, counts.get(kind, 0)) for kind in KINDS)
        result.update((kind, count) for kind, count in counts.items() if kind not in KINDS)
        return result

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def build_and_install(workdir, source=REPO):
    """``ansible-galaxy collection build`` of ``source`` and ``install`` of the tarball; the collections path."""
    return harness.build_and_install(workdir, source)[0]


def run(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=kwargs.pop('env', None) or base_env(), **kwargs)
    if proc.returncode != 0:
        raise RuntimeError('%s failed (%d):\n%s\n%s' % (' '.join(argv), proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
    return proc


base_env = harness.base_env


def playbook_env(collections_path, workdir, extra=None):
    """The environment of every measured ansible-playbook run: the same for all three tasks."""
    env = base_env({
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'bench_timer',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'local-tmp'),
        'ANSIBLE_REMOTE_TEMP': os.path.join(workdir, 'remote-tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_HOST_KEY_CHECKING': '0',
    })
    env.update(extra or {})
    return env


def ansible_playbook(playbook, env, extra_vars=None, cwd=None):
    """Run a playbook against localhost; (wall seconds, CPU seconds of its whole process tree, CompletedProcess)."""
    argv = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook]
    if extra_vars:
        argv += ['-e', json.dumps(extra_vars)]
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    wall = time.perf_counter() - start
    cpu = children_cpu() - cpu
    if proc.returncode != 0:
        raise RuntimeError('%s failed (%d):\n%s\n%s' % (playbook, proc.returncode, proc.stdout[-6000:], proc.stderr[-4000:]))
    return wall, cpu, proc


def children_cpu():
    """User plus system CPU seconds of every finished child process (and theirs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def connection_defaults(info, cache_path):
    """The module's connection options for the emulator, with the opt-in token cache on."""
    return {
        'tenant': info['tenant'],
        'client_id': info['client_id'],
        'client_secret': info['client_secret'],
        'authority_host': info['authority_host'],
        'graph_endpoint': info['graph_endpoint'],
        'ca_path': info['ca_path'],
        'token_cache': True,
        'token_cache_path': cache_path,
    }


def tenant_id(prefix, index):
    """A distinct, valid GUID per loop item."""
    return '%08x-0000-4000-8000-%012d' % (prefix, index)


def write_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write('\n')


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)


def git_describe(source=REPO):
    try:
        proc = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=source, capture_output=True, text=True, check=False)
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'plugins'], cwd=source, capture_output=True, text=True,
                               check=False)
    except OSError:
        return None
    commit = proc.stdout.strip() or None
    if commit and dirty.stdout.strip():
        commit += '+dirty-plugins'
    return commit
