# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX / Automation Controller credential type in ``awx/credential_type/``, used the way AWX uses it.

AWX checks a credential type's injectors when the type is created (Jinja2 with StrictUndefined,
every field standing in as a string, ``tower.filename.<name>`` for each named file template). At
job launch it renders them with the credential's inputs: fields left empty are not in the template
namespace (so they render as empty strings), each file template is written to its own file with
mode 0600, and ``tower.filename.<name>`` holds that file's path. The job then runs with the
rendered environment variables.

``AwxInjection`` below does the same, and the end-to-end tests run ``ansible-playbook`` against
the emulator with only that environment: the playbook's tasks have no sign-in option, just the
emulator's hosts and CA (which a real job would not need).

The stock "Microsoft Azure Resource Manager" credential is covered too, with the variables its
built-in injector sets.
"""

import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import types
import uuid

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from harness import REPO, base_env, module_task, of_kind, run_playbook

CREDENTIAL_TYPE_DIR = os.path.join(REPO, 'awx', 'credential_type')
INPUTS = os.path.join(CREDENTIAL_TYPE_DIR, 'inputs.yml')
INJECTORS = os.path.join(CREDENTIAL_TYPE_DIR, 'injectors.yml')
AWX_GUIDE = os.path.join(REPO, 'docs', 'docsite', 'rst', 'guide_awx.rst')
MODULE = 'entra.graph.crosstenant_sync_partner'
INFO = 'entra.graph.crosstenant_sync_partner_info'

# The connection options whose environment variables a credential of this type may set.
SIGN_IN_OPTIONS = ('tenant', 'client_id', 'client_secret', 'client_certificate_path',
                   'client_certificate_password', 'cloud_environment')
# Environment variables AWX refuses in a custom credential type (ANSIBLE_* is refused as well).
AWX_ENV_BLOCKLIST = frozenset((
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
))
FIELD_ID = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
FIELD_KEYS = frozenset(('id', 'label', 'type', 'help_text', 'secret', 'multiline', 'choices', 'format',
                        'ask_at_runtime', 'default'))


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


class AwxInjection:
    """Renders a credential type's injectors for one credential, as AWX does when it launches a job."""

    def __init__(self, inputs_definition, injectors):
        self.fields = inputs_definition['fields']
        self.required = inputs_definition.get('required', [])
        self.injectors = injectors

    def validate_definition(self):
        """What AWX checks when the credential type is saved."""
        ids = [field['id'] for field in self.fields]
        assert len(ids) == len(set(ids)), 'field ids must be unique: %s' % ids
        for field in self.fields:
            assert FIELD_ID.match(field['id']) and field['id'] != 'tower', field
            assert 'label' in field, field
            assert set(field) <= FIELD_KEYS, 'unknown keys in %s' % field
            kind = field.get('type', 'string')
            assert kind in ('string', 'boolean'), field
            if kind != 'string':
                assert not set(field) & {'choices', 'multiline', 'format', 'secret'}, field
            if 'default' in field:
                assert isinstance(field['default'], {'string': str, 'boolean': bool}[kind]), field
            if 'choices' in field and 'default' in field:
                assert field['default'] in field['choices'], field
        assert set(self.required) <= set(ids), self.required
        assert set(self.injectors) <= {'file', 'env', 'extra_vars'}, self.injectors
        templates = self.injectors.get('file', {})
        for name in templates:
            assert re.match(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$', name), name
        # Every template must render with StrictUndefined when each field holds a value.
        strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
        namespace = dict((field['id'], 'EXAMPLE') for field in self.fields)
        namespace['tower'] = types.SimpleNamespace(filename=self._filenames(dict((n, 'EXAMPLE_FILENAME') for n in templates)))
        for section in ('file', 'env', 'extra_vars'):
            for key, template in self.injectors.get(section, {}).items():
                if section == 'env':
                    assert re.match(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$', key), key
                    assert not key.startswith('ANSIBLE_') and key not in AWX_ENV_BLOCKLIST, key
                    assert template.isascii(), key
                try:
                    strict.from_string(template).render(**namespace)
                except UndefinedError as exc:
                    raise AssertionError('%s %s uses an undefined field: %s' % (section, key, exc))

    def check_credential(self, inputs):
        """What AWX checks when a credential of this type is saved."""
        known = dict((field['id'], field) for field in self.fields)
        assert set(inputs) <= set(known), 'unknown inputs: %s' % (set(inputs) - set(known))
        for name in self.required:
            assert inputs.get(name), 'required input %s is missing' % name
        for name, value in inputs.items():
            if 'choices' in known[name] and value:
                assert value in known[name]['choices'], (name, value)

    def render(self, inputs, private_data_dir):
        """The environment variables a job gets; file templates are written under ``private_data_dir``."""
        return self.render_all(inputs, private_data_dir)[0]

    def render_all(self, inputs, private_data_dir):
        """The environment variables and the extra variables a job gets; file templates are written under
        ``private_data_dir``."""
        self.check_credential(inputs)
        namespace = {}
        for field in self.fields:
            value = inputs.get(field['id'], field.get('default'))
            if field.get('type') == 'boolean':
                namespace[field['id']] = bool(value)
            elif value:
                # Empty inputs are left out of the namespace, so they render as ''.
                namespace[field['id']] = value
        sandbox = ImmutableSandboxedEnvironment()
        env_dir = os.path.join(private_data_dir, 'env')
        os.makedirs(env_dir, exist_ok=True)
        paths = {}
        for name, template in self.injectors.get('file', {}).items():
            handle, path = tempfile.mkstemp(dir=env_dir)
            with os.fdopen(handle, 'w') as out:
                out.write(sandbox.from_string(template).render(**namespace))
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            paths[name] = path
        namespace['tower'] = types.SimpleNamespace(filename=self._filenames(paths))
        env = {}
        for key, template in self.injectors.get('env', {}).items():
            if key.startswith('ANSIBLE_') or key in AWX_ENV_BLOCKLIST:
                continue
            env[key] = sandbox.from_string(template).render(**namespace)
        extra_vars = dict((key, sandbox.from_string(template).render(**namespace))
                          for key, template in self.injectors.get('extra_vars', {}).items())
        return env, extra_vars

    @staticmethod
    def _filenames(paths):
        """``tower.filename``: the path for one unnamed template, else a namespace of named ones."""
        if 'template' in paths:
            return paths['template']
        return types.SimpleNamespace(**dict((name.split('.', 1)[1], path) for name, path in paths.items()))


def azure_rm_injection(client, secret, tenant, subscription, cloud_environment=None):
    """The variables AWX's built-in "Microsoft Azure Resource Manager" credential sets for a service principal."""
    env = {'AZURE_SUBSCRIPTION_ID': subscription, 'AZURE_CLIENT_ID': client, 'AZURE_TENANT': tenant, 'AZURE_SECRET': secret}
    if cloud_environment is not None:
        env['AZURE_CLOUD_ENVIRONMENT'] = cloud_environment
    return env


@pytest.fixture(scope='module')
def injection():
    return AwxInjection(load_yaml(INPUTS), load_yaml(INJECTORS))


@pytest.fixture(scope='module')
def module_utils(collection):
    """What the installed collection's connection code says about the sign-in options."""
    script = r'''
import json, sys
from ansible_collections.entra.graph.plugins.module_utils import connection
spec = connection.connection_argument_spec()
# The environment variables each option reads, in order: through the argspec's fallback, or (for the
# sign-in options auth_method=auto weighs) through the connection settings.
fallbacks = {}
for name in spec:
    names = connection.environment_variables(name)
    if names:
        fallbacks[name] = names
clouds = {}
for value in json.loads(sys.argv[1]):
    try:
        clouds[value] = connection.resolve_cloud(value)
    except Exception as exc:
        clouds[value] = 'ERROR: %s' % exc
print(json.dumps({'fallbacks': fallbacks, 'types': {n: o.get('type') for n, o in spec.items()}, 'clouds': clouds}))
'''
    choices = ['global', 'us_gov', 'us_gov_dod', 'china', 'AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', '']
    env = base_env({'PYTHONPATH': collection})
    proc = subprocess.run([sys.executable, '-c', script, json.dumps(choices)], capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- the definition ----------------------------------------------------------------------------


def test_awx_accepts_the_credential_type(injection):
    injection.validate_definition()


def test_inputs_are_the_documented_fields(injection):
    fields = dict((field['id'], field) for field in injection.fields)
    assert sorted(fields) == sorted(['tenant', 'client_id', 'client_secret', 'client_certificate',
                                     'client_certificate_password', 'cloud_environment'])
    secret = sorted(name for name, field in fields.items() if field.get('secret'))
    assert secret == ['client_certificate', 'client_certificate_password', 'client_secret']
    assert fields['client_certificate'].get('multiline') is True
    assert fields['cloud_environment']['choices'] == ['global', 'us_gov', 'us_gov_dod', 'china']
    assert sorted(injection.required) == ['client_id', 'tenant']


def test_injected_variables_are_the_fallbacks_the_modules_read(injection, module_utils):
    """Each variable is the first environment fallback of the option it feeds, so nothing can hide it."""
    fallbacks = module_utils['fallbacks']
    injected = set(injection.injectors['env'])
    expected = dict((fallbacks[option][0], option) for option in SIGN_IN_OPTIONS)
    assert injected == set(expected), 'injected %s, the modules read %s' % (sorted(injected), sorted(expected))
    assert expected['AZURE_CLIENT_CERTIFICATE_PATH'] == 'client_certificate_path'
    assert module_utils['types']['client_certificate_path'] == 'path'
    # Every cloud the credential offers, and the Azure credential's names, are known to the modules.
    for value, cloud in module_utils['clouds'].items():
        assert not cloud.startswith('ERROR'), (value, cloud)
    assert module_utils['clouds'][''] == 'global'


def test_the_azure_credential_variables_are_fallbacks_too(module_utils):
    fallbacks = module_utils['fallbacks']
    env = azure_rm_injection('c', 's', 't', 'sub', 'AzureCloud')
    read = set(name for names in fallbacks.values() for name in names)
    assert set(env) - read == {'AZURE_SUBSCRIPTION_ID'}


def test_the_awx_guide_shows_the_files_as_they_are():
    """docs/docsite/rst/guide_awx.rst quotes the credential type and the example EE verbatim."""
    with open(AWX_GUIDE) as handle:
        guide = handle.read()
    blocks = dict(re.findall(r'\.\. code-block:: yaml\n   :caption: (\S+)\n\n((?:(?:   .*)?\n)+)', guide))
    for relative in ('awx/credential_type/inputs.yml', 'awx/credential_type/injectors.yml',
                     'docs/execution-environment/execution-environment.yml', 'docs/execution-environment/requirements.yml'):
        assert relative in blocks, 'guide_awx.rst has no code block captioned %s' % relative
        quoted = '\n'.join(line[3:] for line in blocks[relative].rstrip('\n').split('\n'))
        with open(os.path.join(REPO, relative)) as handle:
            assert quoted == handle.read().rstrip('\n'), '%s in guide_awx.rst differs from the file' % relative


# --- rendering ---------------------------------------------------------------------------------


def test_a_secret_credential_injects_no_certificate_path(injection, tmp_path):
    env = injection.render({'tenant': 't', 'client_id': 'c', 'client_secret': 's'}, str(tmp_path))
    assert env == {
        'AZURE_TENANT_ID': 't', 'AZURE_CLIENT_ID': 'c', 'AZURE_CLIENT_SECRET': 's',
        'AZURE_CLIENT_CERTIFICATE_PATH': '', 'AZURE_CLIENT_CERTIFICATE_PASSWORD': '', 'AZURE_CLOUD_ENVIRONMENT': 'global',
    }
    # AWX writes the (empty) certificate file anyway; nothing points at it.
    written = os.listdir(os.path.join(str(tmp_path), 'env'))
    assert len(written) == 1
    assert os.path.getsize(os.path.join(str(tmp_path), 'env', written[0])) == 0


def test_a_certificate_credential_injects_a_private_file(injection, tmp_path):
    pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'
    env = injection.render({'tenant': 't', 'client_id': 'c', 'client_certificate': pem,
                            'client_certificate_password': 'pw', 'cloud_environment': 'us_gov'}, str(tmp_path))
    path = env['AZURE_CLIENT_CERTIFICATE_PATH']
    assert os.path.dirname(path) == os.path.join(str(tmp_path), 'env')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        assert handle.read() == pem
    assert env['AZURE_CLIENT_SECRET'] == ''
    assert env['AZURE_CLIENT_CERTIFICATE_PASSWORD'] == 'pw'
    assert env['AZURE_CLOUD_ENVIRONMENT'] == 'us_gov'


# --- end to end ----------------------------------------------------------------------------------


def credential_inputs(info, kind):
    if kind == 'client_secret':
        return {'tenant': info['tenant'], 'client_id': info['client_id'], 'client_secret': info['client_secret'],
                'cloud_environment': 'global'}
    if kind == 'client_certificate':
        with open(info['cert_path']) as handle:
            pem = handle.read()
        return {'tenant': info['tenant'], 'client_id': info['cert_client_id'], 'client_certificate': pem,
                'cloud_environment': 'global'}
    if kind == 'client_certificate_encrypted':
        with open(info['cert_encrypted_path']) as handle:
            pem = handle.read()
        return {'tenant': info['tenant'], 'client_id': info['cert_encrypted_client_id'], 'client_certificate': pem,
                'client_certificate_password': info['cert_password']}
    raise ValueError(kind)


def job_playbook(path, info, partner):
    """A project playbook as a job template would run it: no sign-in option in any task.

    Only the emulator's hosts and CA are set, through module_defaults, because the emulator stands
    in for Microsoft's endpoints."""
    tasks = [
        module_task('Create the partner configuration', 'entra.graph.crosstenant_access_partner', {
            'tenant_id': partner, 'automatic_user_consent_settings': {'inbound_allowed': True}}),
        module_task('Create the partner policy', MODULE, {
            'tenant_id': partner, 'location': 'partner_policy', 'display_name': 'Fabrikam (AWX)',
            'user_sync_inbound': {'is_sync_allowed': True}}, register='created'),
        module_task('Run the same task again', MODULE, {
            'tenant_id': partner, 'location': 'partner_policy', 'display_name': 'Fabrikam (AWX)',
            'user_sync_inbound': {'is_sync_allowed': True}}),
        module_task('Read it back', INFO, {'tenant_id': partner, 'location': 'partner_policy'}),
    ]
    play = {
        'name': 'AWX job',
        'hosts': 'localhost',
        'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': {
            'authority_host': info['authority_host'], 'graph_endpoint': info['graph_endpoint'], 'ca_path': info['ca_path']}},
        'tasks': tasks,
    }
    text = yaml.safe_dump([play], sort_keys=False)
    for option in ('auth_method', 'tenant:', 'client_id', 'client_secret', 'client_certificate', 'cloud_environment'):
        assert option not in text, option
    with open(path, 'w') as handle:
        handle.write(text)
    return path


def run_job(collection, emu, tmp_path, job_env):
    """Run the job playbook with ``job_env`` as the only source of sign-in settings."""
    # harness.run_playbook adds PATH, HOME, ANSIBLE_* run settings and a loopback IMDS guard, nothing else.
    assert [key for key in base_env() if key.startswith('AZURE_')] == ['AZURE_POD_IDENTITY_AUTHORITY_HOST']
    partner = str(uuid.uuid4())
    playbook = job_playbook(os.path.join(str(tmp_path), 'job.yml'), emu.info, partner)
    emu.record_tokens(on=True)
    run = run_playbook(collection, playbook=playbook, env=job_env)
    assert run.rc == 0, run.output
    assert run.status('Create the partner configuration') == 'changed', run.output
    assert run.status('Create the partner policy') == 'changed', run.output
    assert run.status('Run the same task again') == 'ok', run.output
    partners = run.result('Read it back')['partners']
    assert [(p['tenantId'], p['displayName'], p['userSyncInbound']['isSyncAllowed']) for p in partners] == \
        [(partner, 'Fabrikam (AWX)', True)]
    assert of_kind(emu.requests(), 'token'), 'no sign-in reached the emulator'
    return run, emu.recorded_tokens()


@pytest.mark.parametrize('kind', ['client_secret', 'client_certificate', 'client_certificate_encrypted'])
def test_job_signs_in_with_only_the_credential_environment(kind, injection, collection, emu, tmp_path):
    private_data_dir = tmp_path / 'private_data'
    private_data_dir.mkdir(mode=0o700)
    job_env = injection.render(credential_inputs(emu.info, kind), str(private_data_dir))
    assert set(job_env) == set(injection.injectors['env'])
    run, recorded = run_job(collection, emu, tmp_path, job_env)
    # A certificate credential signs in with a client assertion, a secret credential without one.
    if kind == 'client_secret':
        assert recorded['client_assertions'] == []
        assert job_env['AZURE_CLIENT_CERTIFICATE_PATH'] == ''
    else:
        assert recorded['client_assertions'], 'the certificate credential did not sign in with a client assertion'
    for secret in (job_env['AZURE_CLIENT_SECRET'], job_env['AZURE_CLIENT_CERTIFICATE_PASSWORD']):
        if secret:
            assert secret not in run.output


def test_job_signs_in_with_the_stock_azure_credential(collection, emu, tmp_path):
    info = emu.info
    job_env = azure_rm_injection(info['client_id'], info['client_secret'], info['tenant'],
                                 '00000000-0000-0000-0000-00000000feed', 'AzureCloud')
    run, recorded = run_job(collection, emu, tmp_path, job_env)
    assert recorded['client_assertions'] == []
    assert info['client_secret'] not in run.output
