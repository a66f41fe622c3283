# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The source tenant's AWX credential type in ``awx/source_credential_type/``, used the way AWX uses it, next to
the target tenant's "Microsoft Entra ID (entra.graph)" credential, for examples/cross_tenant_sync.yml.

AWX renders a credential type's ``extra_vars`` injectors like its ``env`` ones (see test_awx_credential.py), then
writes them to a file of the job's private data directory, every string tagged ``!unsafe`` (AWX's ``safe_dump``),
mode 0400, and passes it to ansible-playbook as ``-e @file``. The end-to-end tests here do the same: the target
tenant's sign-in is only the other credential's environment, the source tenant's only this file."""

import os
import re
import stat

import jwt
import pytest
import yaml

from harness import REPO, of_kind, run_playbook
from tenants_support import Tenant, target_user
from test_awx_credential import AwxInjection, load_yaml

CREDENTIAL_TYPE_DIR = os.path.join(REPO, 'awx', 'source_credential_type')
INPUTS = os.path.join(CREDENTIAL_TYPE_DIR, 'inputs.yml')
INJECTORS = os.path.join(CREDENTIAL_TYPE_DIR, 'injectors.yml')
TARGET_CREDENTIAL_DIR = os.path.join(REPO, 'awx', 'credential_type')
AWX_GUIDE = os.path.join(REPO, 'docs', 'docsite', 'rst', 'guide_awx.rst')
EXAMPLE = os.path.join(REPO, 'examples', 'cross_tenant_sync.yml')
PROVISION = "Source - provision users on demand now, rather than at the job's next cycle"
CONFIGURATION = "Source - synchronization configuration, checked against the target tenant, its job started"


class UnsafeDumper(yaml.SafeDumper):
    """AWX's safe_dump: every string of a credential's extra variables is tagged !unsafe, so Ansible never templates it."""

    def represent_str(self, data):
        return self.represent_scalar('!unsafe', data)


UnsafeDumper.add_representer(str, UnsafeDumper.represent_str)


def write_extra_vars_file(extra_vars, private_data_dir):
    path = os.path.join(private_data_dir, 'env', 'source_credential_extra_vars')
    with open(path, 'w') as handle:
        handle.write(yaml.dump(extra_vars, Dumper=UnsafeDumper))
    os.chmod(path, stat.S_IRUSR)
    return path


@pytest.fixture(scope='module')
def injection():
    return AwxInjection(load_yaml(INPUTS), load_yaml(INJECTORS))


@pytest.fixture(scope='module')
def target_injection():
    return AwxInjection(load_yaml(os.path.join(TARGET_CREDENTIAL_DIR, 'inputs.yml')),
                        load_yaml(os.path.join(TARGET_CREDENTIAL_DIR, 'injectors.yml')))


def source_sign_in_variables():
    """The variables the example's source play signs in with (its module_defaults)."""
    plays = load_yaml(EXAMPLE)
    [source_play] = [play for play in plays if play['name'].startswith('Source tenant')]
    sign_in = source_play['module_defaults']['group/entra.graph.graph']
    names = set()
    for option in ('tenant', 'client_id', 'client_secret', 'client_certificate_path', 'client_certificate_password'):
        names.update(re.findall(r'\{\{\s*(\w+)', sign_in[option]))
    return names


# --- the definition ----------------------------------------------------------------------------


def test_awx_accepts_the_credential_type(injection):
    injection.validate_definition()
    assert set(injection.injectors) == {'file', 'extra_vars'}, 'the job environment belongs to the target credential'


def test_inputs_are_the_documented_fields(injection):
    fields = dict((field['id'], field) for field in injection.fields)
    assert sorted(fields) == sorted(['source_tenant_id', 'source_client_id', 'source_client_secret', 'source_client_certificate',
                                     'source_client_certificate_password'])
    secret = sorted(name for name, field in fields.items() if field.get('secret'))
    assert secret == ['source_client_certificate', 'source_client_certificate_password', 'source_client_secret']
    assert fields['source_client_certificate'].get('multiline') is True
    assert sorted(injection.required) == ['source_client_id', 'source_tenant_id']


def test_injected_variables_are_those_the_example_signs_in_with(injection, target_injection):
    injected = set(injection.injectors['extra_vars'])
    assert injected == source_sign_in_variables()
    # Nothing the two credentials inject overlaps: one job template can carry both.
    assert not injected & set(target_injection.injectors.get('extra_vars', {}))
    assert not set(injection.injectors.get('env', {})) & set(target_injection.injectors['env'])


def test_the_awx_guide_shows_the_files_as_they_are():
    with open(AWX_GUIDE) as handle:
        guide = handle.read()
    blocks = dict(re.findall(r'\.\. code-block:: yaml\n   :caption: (\S+)\n\n((?:(?:   .*)?\n)+)', guide))
    for relative in ('awx/source_credential_type/inputs.yml', 'awx/source_credential_type/injectors.yml'):
        assert relative in blocks, 'guide_awx.rst has no code block captioned %s' % relative
        quoted = '\n'.join(line[3:] for line in blocks[relative].rstrip('\n').split('\n'))
        with open(os.path.join(REPO, relative)) as handle:
            assert quoted == handle.read().rstrip('\n'), '%s in guide_awx.rst differs from the file' % relative


# --- rendering ---------------------------------------------------------------------------------


def test_a_secret_credential_injects_no_certificate_path(injection, tmp_path):
    env, extra_vars = injection.render_all({'source_tenant_id': 't', 'source_client_id': 'c', 'source_client_secret': 's'},
                                           str(tmp_path))
    assert env == {}
    assert extra_vars == {'source_tenant_id': 't', 'source_client_id': 'c', 'source_client_secret': 's',
                          'source_client_certificate_path': '', 'source_client_certificate_password': ''}


def test_a_certificate_credential_injects_a_private_file(injection, tmp_path):
    pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'
    dummy_env, extra_vars = injection.render_all({'source_tenant_id': 't', 'source_client_id': 'c', 'source_client_certificate': pem,
                                                  'source_client_certificate_password': 'pw'}, str(tmp_path))
    path = extra_vars['source_client_certificate_path']
    assert os.path.dirname(path) == os.path.join(str(tmp_path), 'env')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        assert handle.read() == pem
    assert extra_vars['source_client_secret'] == ''
    assert extra_vars['source_client_certificate_password'] == 'pw'


# --- end to end: a job template with both credentials ---------------------------------------------


def certificate_of(info):
    with open(info['cert_path']) as handle:
        pem = handle.read()
    return pem, re.search(r'-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n', pem, re.S).group(0)


def tenant_app(emu, index, kind):
    """Inputs for the app of tenants[index]: its own secret app, or a certificate app made there with the same roles."""
    entry = emu.info['tenants'][index]
    if kind == 'client_secret':
        return {'client_id': entry['client_id'], 'client_secret': entry['client_secret']}
    pem, certificate = certificate_of(emu.info)
    app = emu.add_app(certificate=certificate, tenant=entry['tenant'], roles=emu.app_roles(entry['client_id']),
                      name='certificate app of tenant %d' % index)
    return {'client_id': app['client_id'], 'client_certificate': pem}


@pytest.mark.parametrize('target_kind, source_kind', [
    ('client_secret', 'client_secret'),
    # The target's certificate path is in the job's environment; the source's secret, set by the play, still wins.
    ('client_certificate', 'client_secret'),
    ('client_secret', 'client_certificate'),
])
def test_job_with_both_credentials_synchronizes_a_user(target_kind, source_kind, injection, target_injection, collection,
                                                       emu, emu_http, tmp_path):
    info = emu.info
    source_id, target_id = info['tenants'][0]['tenant'], info['tenants'][1]['tenant']
    private_data_dir = tmp_path / 'private_data'
    private_data_dir.mkdir(mode=0o700)

    target_app = tenant_app(emu, 1, target_kind)
    job_env = target_injection.render(dict(tenant=target_id, **target_app), str(private_data_dir))
    source_app = tenant_app(emu, 0, source_kind)
    source_inputs = dict(('source_' + key, value) for key, value in source_app.items())
    dummy_env, credential_vars = injection.render_all(dict(source_tenant_id=source_id, **source_inputs), str(private_data_dir))
    extra_vars_file = write_extra_vars_file(credential_vars, str(private_data_dir))

    # The job template's own extra variables: what the project's playbook needs besides sign-in.
    source = info['tenants'][0]
    template_vars = {'target_tenant_id': target_id,
                     'sync_assignments': [{'principal_id': source['users'][0]['id'], 'principal_type': 'user'}],
                     'graph_endpoint': info['graph_endpoint'], 'ca_path': info['ca_path']}
    job_env['AZURE_AUTHORITY_HOST'] = info['authority_host']  # the emulator stands in for Microsoft Entra ID
    emu.record_tokens(on=True)
    run = run_playbook(collection, playbook=EXAMPLE, env=job_env, extra_vars=template_vars,
                       extra_args=['-e', '@' + extra_vars_file])
    assert run.rc == 0, run.output
    assert run.status(CONFIGURATION) == 'changed'
    [provisioned] = run.result(PROVISION)['results']
    assert provisioned['status'] == 'success', provisioned

    # Each half landed in its own tenant, and the user is in the target tenant.
    assert [p['tenantId'] for p in emu.objects(target_id)['partners']] == [source_id]
    assert [p['tenantId'] for p in emu.objects(source_id)['partners']] == [target_id]
    [arrived] = target_user(Tenant(emu, emu_http, 1), source['users'][0])
    assert arrived['id'] == provisioned['target_user_id']

    # Each app signed in the way its credential says: a certificate with a client assertion.
    signed_by = set(jwt.decode(assertion, options={'verify_signature': False})['sub']
                    for assertion in emu.recorded_tokens()['client_assertions'])
    assert signed_by == set(app['client_id'] for app in (target_app, source_app) if 'client_certificate' in app)
    assert of_kind(emu.requests(), 'token')
    for secret in [app.get('client_secret') for app in (target_app, source_app)] + [info['cert_password']]:
        if secret:
            assert secret not in run.output
