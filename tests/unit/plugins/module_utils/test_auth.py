# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TokenProvider over real MSAL and the fake Entra ID: when it signs in, and with what."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.entra.graph.plugins.module_utils.auth import token_tenant
from ansible_collections.entra.graph.plugins.module_utils.errors import AuthenticationError, ConfigurationError
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client


def provider(**options):
    """The TokenProvider of a task with these connection options, as GraphModule builds it; no retries."""
    return graph_client(max_retries=0, **options).token_provider


def test_nothing_is_requested_until_a_token_is_needed(cloud):
    tokens = provider(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, client_secret=fake.CLIENT_SECRET)

    assert cloud.seen == []
    first, second = tokens.token(), tokens.token()

    assert first == second == cloud.issued()[0]
    assert len(cloud.token_requests()) == 1


def test_federated_token_file_is_read_again_when_signing_in(cloud, tmp_path):
    path = tmp_path / 'token'
    path.write_text('old.federated.token')
    tokens = provider(auth_method='workload_identity', tenant=fake.HOME_TENANT, client_id=cloud.info['federated_client_id'],
                      federated_token_file=str(path))
    rotated = cloud.emulator.federated_assertion()
    path.write_text(rotated + '\n')  # the platform rotates the file after the task started

    tokens.token()

    assert cloud.token_requests()[0].form['client_assertion'] == rotated
    assert cloud.sign_ins() == ['workload_identity']


def test_ready_access_token_needs_no_request(cloud):
    ready = cloud.ready_token()
    assert provider(access_token=ready).token() == ready
    assert cloud.seen == []


# ---------------------------------------------------------------------------------------------
# auth_method=auto: the task's own credentials win over the environment


def test_auto_prefers_the_tasks_secret_to_a_certificate_from_the_environment(cloud, monkeypatch, tmp_path):
    stale = tmp_path / 'stale.pem'
    monkeypatch.setenv('AZURE_CLIENT_CERTIFICATE_PATH', str(stale))  # as AWX injects it; the file is long gone

    tokens = provider(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, client_secret=fake.CLIENT_SECRET)
    tokens.token()

    assert tokens.method == 'client_secret'
    assert cloud.sign_ins() == ['client_secret']


def test_auto_uses_the_environment_when_the_task_names_no_credential(cloud, monkeypatch, pki):
    monkeypatch.setenv('AZURE_CLIENT_CERTIFICATE_PATH', pki.pem_path)
    monkeypatch.setenv('AZURE_CLIENT_SECRET', fake.CLIENT_SECRET)
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', fake.CLIENT_ID)

    tokens = provider()
    tokens.token()

    assert tokens.method == 'client_certificate', 'among the environment, the documented order holds'
    assert cloud.sign_ins() == ['client_certificate']


def test_the_environment_still_fills_in_what_the_task_leaves_out(cloud, monkeypatch):
    monkeypatch.setenv('AZURE_TENANT_ID', fake.HOME_TENANT)
    monkeypatch.setenv('AZURE_CLIENT_ID', fake.CLIENT_ID)

    tokens = provider(client_secret=fake.CLIENT_SECRET)
    tokens.token()

    assert cloud.sign_ins() == ['client_secret']


# ---------------------------------------------------------------------------------------------
# certificate files that cannot work


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def certificate_provider(path):
    return provider(auth_method='client_certificate', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, client_certificate_path=path)


def self_signed(key):
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'app')])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


def pem(key, cert):
    from cryptography.hazmat.primitives import serialization
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            + cert.public_bytes(serialization.Encoding.PEM))


def test_an_ec_key_is_refused_with_the_option_and_the_reason(cloud, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    tokens = certificate_provider(write(tmp_path, 'ec.pem', pem(key, self_signed(key))))

    with pytest.raises(ConfigurationError) as caught:
        tokens.token()

    assert caught.value.details['option'] == 'client_certificate_path'
    assert 'EC (elliptic curve)' in caught.value.message and 'need an RSA key' in caught.value.message
    assert cloud.seen == []


def test_a_key_that_does_not_belong_to_the_certificate_is_refused_before_signing_in(cloud, pki, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = certificate_provider(write(tmp_path, 'mixed.pem', pem(other, pki.cert)))

    with pytest.raises(ConfigurationError) as caught:
        tokens.token()

    assert 'does not belong to the certificate' in caught.value.message and 'AADSTS700027' in caught.value.message
    assert caught.value.details['option'] == 'client_certificate_path'
    assert cloud.seen == []


def test_the_certificate_matching_the_key_is_found_behind_a_ca_certificate(cloud, pki, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    chain = self_signed(ca_key).public_bytes(serialization.Encoding.PEM) + pki.cert.public_bytes(serialization.Encoding.PEM)
    key = pki.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    certificate_provider(write(tmp_path, 'chain.pem', key + chain)).token()

    assert cloud.sign_ins() == ['client_certificate']


@pytest.mark.parametrize('name', ['app.pfx', 'app.p12', 'app.bin'])
def test_a_pfx_file_is_refused_with_the_conversion_command(cloud, pki, tmp_path, name):
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
    data = pkcs12.serialize_key_and_certificates(b'app', pki.key, pki.cert, None, NoEncryption())
    path = write(tmp_path, name, data)

    with pytest.raises(ConfigurationError) as caught:
        certificate_provider(path)

    assert 'PFX (PKCS#12)' in caught.value.message and 'not supported' in caught.value.message
    assert 'openssl pkcs12 -in %s -out app.pem -nodes' % path in caught.value.message
    assert caught.value.details['option'] == 'client_certificate_path'


def test_a_managed_identity_failure_names_the_endpoint_and_its_status(cloud, monkeypatch):
    monkeypatch.setenv('AZURE_POD_IDENTITY_AUTHORITY_HOST', fake.IMDS_HOST)
    tokens = provider(auth_method='managed_identity', client_id='11111111-2222-4333-8444-555555555555')

    with pytest.raises(AuthenticationError) as caught:
        tokens.token()

    assert '%s/metadata/identity/oauth2/token (HTTP 400)' % fake.IMDS_HOST in caught.value.message
    assert caught.value.details['status'] == 400


def test_the_signed_in_tenant_is_the_tokens_tid_claim_and_none_when_it_does_not_say():
    def encode(part):
        return base64.urlsafe_b64encode(json.dumps(part).encode('utf-8')).decode('ascii').rstrip('=')

    def jwt(claims):
        return '%s.%s.signature' % (encode({'alg': 'RS256'}), encode(claims))

    assert token_tenant(jwt({'tid': '72F988BF-86F1-41AF-91AB-2D7CD011DB47'})) == '72f988bf-86f1-41af-91ab-2d7cd011db47'
    assert token_tenant(jwt({'oid': 'x'})) is None
    assert token_tenant('opaque-token') is None
    assert token_tenant('a.not-base64!.c') is None
