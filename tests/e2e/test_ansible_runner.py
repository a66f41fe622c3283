# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A job run the way AWX and Automation Controller run one: through ansible-runner.

AWX lays out a private data directory (``env/``, ``inventory/``, ``project/``), renders the job's
credentials into environment variables and files, and hands the job to ansible-runner in three
steps: ``transmit`` packs the directory and the run's parameters into a stream, an ``ansible-runner
worker`` (in the execution environment, process isolation off) runs the playbook and streams its
events back, and ``process`` turns that stream into the job's events, which AWX stores and shows.

The tests below do the same against the emulator. The credential is the collection's AWX
credential type (``awx/credential_type/``), rendered by ``AwxInjection`` from
``test_awx_credential.py``; the worker runs with only the environment that the job gets (the
harness's loopback-only base, plus what ansible-runner sets from ``envvars``).
"""

import io
import json
import os
import subprocess
import uuid

import ansible_runner
import pytest
import yaml

from harness import BIN, base_env
from test_awx_credential import INJECTORS, INPUTS, AwxInjection, credential_inputs, load_yaml

MODULE = 'entra.graph.crosstenant_sync_partner'
RESULT_EVENTS = ('runner_on_ok', 'runner_on_failed', 'runner_on_skipped', 'runner_on_unreachable')
# What the job template's playbook does: no sign-in option anywhere; the credential's environment
# variables are the only source. The emulator's hosts and CA come in as extra variables, as a
# job template's extra_vars would carry them (a real job needs none of the three).
PLAYBOOK = [{
    'name': 'Cross-tenant sync policy (AWX job)',
    'hosts': 'all',
    'gather_facts': False,
    'module_defaults': {'group/entra.graph.graph': {
        'authority_host': '{{ entra_authority_host }}',
        'graph_endpoint': '{{ entra_graph_endpoint }}',
        'ca_path': '{{ entra_ca_path }}',
    }},
    'tasks': [
        {'name': 'Record the partner policy', MODULE: {
            'tenant_id': '{{ partner_tenant_id }}', 'display_name': '{{ partner_name }}',
            'user_sync_inbound': {'is_sync_allowed': True}}},
        {'name': 'Record it again', MODULE: {
            'tenant_id': '{{ partner_tenant_id }}', 'display_name': '{{ partner_name }}',
            'user_sync_inbound': {'is_sync_allowed': True}}},
    ],
}]


class Job:
    """One job's private data directory, run through ansible-runner's transmit, worker and process."""

    def __init__(self, root, collection, emu, credential_env):
        self.root = root
        self.private_data_dir = os.path.join(root, 'job')
        self.worker_dir = os.path.join(root, 'worker')
        self.partner = str(uuid.uuid4())
        self.ident = 'job-%s' % uuid.uuid4()
        self.events = []
        info = emu.info
        for folder in ('env', 'inventory', 'project'):
            os.makedirs(os.path.join(self.private_data_dir, folder), mode=0o700, exist_ok=True)
        with open(os.path.join(self.private_data_dir, 'project', 'job.yml'), 'w') as handle:
            yaml.safe_dump(PLAYBOOK, handle, sort_keys=False)
        with open(os.path.join(self.private_data_dir, 'inventory', 'hosts'), 'w') as handle:
            yaml.safe_dump({'all': {'hosts': {'localhost': {
                'ansible_connection': 'local', 'ansible_python_interpreter': os.path.join(BIN, 'python')}}}}, handle)
        # AWX writes the job's extra variables to env/extravars.
        with open(os.path.join(self.private_data_dir, 'env', 'extravars'), 'w') as handle:
            yaml.safe_dump({
                'partner_tenant_id': self.partner, 'partner_name': 'Fabrikam (ansible-runner)',
                'entra_authority_host': info['authority_host'], 'entra_graph_endpoint': info['graph_endpoint'],
                'entra_ca_path': info['ca_path']}, handle)
        # The job's environment: the credential's variables and where the project's collections are.
        self.envvars = dict(credential_env, ANSIBLE_COLLECTIONS_PATH=collection)

    def run(self):
        """Run the job; return its status and return code as the processed stream reports them."""
        transmitted = os.path.join(self.root, 'transmitted')
        with open(transmitted, 'wb') as stream:
            ansible_runner.run(
                streamer='transmit', _output=stream, private_data_dir=self.private_data_dir, ident=self.ident,
                playbook='job.yml', inventory=os.path.join(self.private_data_dir, 'inventory', 'hosts'),
                envvars=self.envvars, process_isolation=False,
                settings={'job_timeout': 300, 'suppress_ansible_output': True})
        with open(transmitted, 'rb') as stream:
            worker = subprocess.run(
                [os.path.join(BIN, 'ansible-runner'), 'worker', '--private-data-dir', self.worker_dir],
                stdin=stream, capture_output=True, env=base_env(), timeout=600, check=False)
        # the worker exits with the job's return code; a stream cut short has no end marker
        assert worker.stdout.rstrip().endswith(b'{"eof": true}'), worker.stderr.decode('utf-8', 'replace')
        processed = ansible_runner.run(
            streamer='process', _input=io.BytesIO(worker.stdout), private_data_dir=self.private_data_dir,
            ident=self.ident, quiet=True, event_handler=self._keep)
        # the worker's artifacts, unpacked from the stream: rc, status and the job's stdout
        artifacts = processed.artifact_dir
        with open(os.path.join(artifacts, 'rc')) as handle:
            rc = int(handle.read())
        with open(os.path.join(artifacts, 'stdout')) as handle:
            self.stdout = handle.read()
        return processed.status, rc

    def _keep(self, event):
        self.events.append(event)
        return True

    def results(self, task):
        """The module results of a task, from its runner_on_* events: (event name, res)."""
        return [(event['event'], event['event_data']['res']) for event in self.events
                if event.get('event') in RESULT_EVENTS and event['event_data'].get('task') == task]

    def text(self):
        """Everything the job's events and its output say, as AWX would store and show it."""
        return json.dumps(self.events) + self.stdout


@pytest.fixture(scope='module')
def injection():
    return AwxInjection(load_yaml(INPUTS), load_yaml(INJECTORS))


def secrets_of(emu, inputs):
    """What must appear in no event: the credential's secret inputs and every token or assertion issued."""
    found = [value for key, value in inputs.items() if key in ('client_secret', 'client_certificate_password') and value]
    if inputs.get('client_certificate'):
        # the key's base64 body, line by line
        found += [line for line in inputs['client_certificate'].splitlines() if line and not line.startswith('-----')]
    recorded = emu.recorded_tokens()
    return found + recorded['access_tokens'] + recorded['client_assertions']


@pytest.mark.parametrize('kind', ['client_secret', 'client_certificate'])
def test_an_awx_job_records_the_policy(kind, injection, collection, emu, tmp_path):
    inputs = credential_inputs(emu.info, kind)
    job = Job(str(tmp_path), collection, emu, injection.render(inputs, str(tmp_path / 'job')))
    if kind == 'client_certificate':
        # AWX wrote the certificate to a private file of the job, and the variable points at it.
        path = job.envvars['AZURE_CLIENT_CERTIFICATE_PATH']
        assert os.path.dirname(path) == os.path.join(job.private_data_dir, 'env')
        assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    emu.record_tokens(on=True)

    assert job.run() == ('successful', 0), job.text()[-5000:]
    assert [(event, res['changed']) for event, res in job.results('Record the partner policy')] == [('runner_on_ok', True)]
    assert [(event, res['changed']) for event, res in job.results('Record it again')] == [('runner_on_ok', False)]
    created = job.results('Record the partner policy')[0][1]['partner']
    assert (created['tenantId'], created['displayName']) == (job.partner, 'Fabrikam (ansible-runner)')
    assert [(obj['tenantId'], obj['userSyncInbound']) for obj in emu.objects()['deleted_items']] == \
        [(job.partner, {'isSyncAllowed': True})]
    assert any(event['event'] == 'playbook_on_stats' for event in job.events)

    secrets = secrets_of(emu, inputs)
    assert emu.recorded_tokens()['access_tokens'], 'the job signed in without the emulator issuing a token'
    text = job.text()
    leaked = [secret[:8] + '...' for secret in secrets if secret in text]
    assert not leaked, 'the job events carry secrets: %s' % leaked


def test_a_job_with_a_wrong_secret_fails_with_entra_s_reason(injection, collection, emu, tmp_path):
    inputs = dict(credential_inputs(emu.info, 'client_secret'), client_secret='not-the-secret-%s' % uuid.uuid4())
    job = Job(str(tmp_path), collection, emu, injection.render(inputs, str(tmp_path / 'job')))

    assert job.run() == ('failed', 2), job.text()[-5000:]
    [(event, res)] = job.results('Record the partner policy')
    assert event == 'runner_on_failed'
    assert 'AADSTS7000215' in res['msg'], res
    assert job.results('Record it again') == []
    assert emu.objects()['deleted_items'] == []
    assert inputs['client_secret'] not in job.text()


def test_a_job_whose_app_may_only_read_fails_with_graph_s_reason(injection, collection, emu, tmp_path):
    info = emu.info
    inputs = dict(credential_inputs(info, 'client_secret'), client_id=info['readonly_client_id'],
                  client_secret=info['readonly_client_secret'])
    job = Job(str(tmp_path), collection, emu, injection.render(inputs, str(tmp_path / 'job')))

    assert job.run() == ('failed', 2), job.text()[-5000:]
    [(event, res)] = job.results('Record the partner policy')
    assert event == 'runner_on_failed'
    refused = [entry for entry in emu.requests() if entry['kind'] == 'graph_write' and entry['status'] == 403]
    assert len(refused) == 1, emu.requests()
    # the message names Graph's answer and the request id to quote to Microsoft support
    assert 'Authorization_RequestDenied' in res['msg'] and refused[0]['request_id'] in res['msg'], res
    assert info['readonly_client_secret'] not in job.text()
