# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""azure-identity and the SDKs' request pipeline against the emulator's Entra and Graph: one sign-in
serves many calls, permissions come back as ODataError, a revoked token is answered with the claims
challenge a CAE-capable client (the SDKs declare "cp1") recovers from, and a throttled call is retried."""

import base64
import json

import jwt
import pytest
from azure.identity import ClientSecretCredential
from msgraph.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as V1Partner,
)

from sdk_support import Sdk, new_tid, odata_error, partners


@pytest.fixture
def fresh_credential(emu):
    """A credential of its own, so that its token cache starts empty."""
    def make(client_id=None, client_secret=None):
        info = emu.info
        return ClientSecretCredential(
            info["tenant"], client_id or info["client_id"], client_secret or info["client_secret"],
            authority=info["authority_host"], disable_instance_discovery=True, connection_verify=info["ca_path"])
    return make


@pytest.fixture
def sdk_for(emu):
    made = []

    def make(credential):
        client = Sdk(emu, credential)
        made.append((client, credential))
        return client
    yield make
    for client, credential in made:
        client.close()
        credential.close()


def test_one_sign_in_serves_both_versions_and_declares_cae(emu, fresh_credential, sdk_for):
    emu.record_tokens(True)
    sdk = sdk_for(fresh_credential())
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=new_tid())))
    sdk.run(partners(sdk.beta).get())
    sdk.run(partners(sdk.v1).get())
    assert len(emu.requests("token")) == 1
    assert len(emu.requests("discovery")) == 1  # the tenant's OpenID configuration, no instance discovery
    tokens = emu.recorded_tokens()["access_tokens"]
    assert len(tokens) == 1
    claims = jwt.decode(tokens[0], options={"verify_signature": False})
    assert claims["aud"] == emu.info["base_url"] and claims["appid"] == emu.info["client_id"]
    # The SDKs ask for CAE (client capability cp1); the token says so, as Entra's do.
    assert [value.lower() for value in claims["xms_cc"]] == ["cp1"]


def make_credential(emu, kind, monkeypatch):
    """Each azure-identity credential the collection's sign-in methods correspond to, against the emulator."""
    from azure import identity

    info = emu.info
    common = dict(authority=info["authority_host"], disable_instance_discovery=True, connection_verify=info["ca_path"])
    if kind == "certificate":
        return identity.CertificateCredential(info["tenant"], info["cert_client_id"], certificate_path=info["cert_path"], **common)
    if kind == "certificate_chain":
        return identity.CertificateCredential(info["tenant"], info["cert_client_id"], certificate_path=info["cert_path"],
                                              send_certificate_chain=True, **common)
    if kind == "encrypted_certificate":
        return identity.CertificateCredential(info["tenant"], info["cert_client_id"], certificate_path=info["cert_encrypted_path"],
                                              password=info["cert_password"], **common)
    if kind == "workload_identity":
        return identity.WorkloadIdentityCredential(tenant_id=info["tenant"], client_id=info["federated_client_id"],
                                                   token_file_path=info["federated_token_file"], **common)
    # App Service managed identity: the endpoint and header come from the environment, as on Azure.
    monkeypatch.setenv("IDENTITY_ENDPOINT", info["identity_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", info["identity_header"])
    return identity.ManagedIdentityCredential(connection_verify=info["ca_path"])


@pytest.mark.parametrize("kind", ["certificate", "certificate_chain", "encrypted_certificate", "workload_identity", "managed_identity"])
def test_every_credential_kind_signs_the_sdks_in(emu, kind, monkeypatch, sdk_for):
    sdk = sdk_for(make_credential(emu, kind, monkeypatch))
    tid = new_tid()
    assert sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid))).tenant_id == tid
    assert [p.tenant_id for p in sdk.run(partners(sdk.beta).get()).value] == [tid]
    expected = "managed_identity" if kind == "managed_identity" else "token"
    assert len(emu.requests(expected)) == 1


def test_read_only_app_reads_and_is_refused_writes(emu, fresh_credential, sdk_for):
    sdk = sdk_for(fresh_credential(emu.info["readonly_client_id"], emu.info["readonly_client_secret"]))
    assert sdk.run(partners(sdk.v1).get()).value == []
    error = sdk.run(odata_error(sdk.v1, partners(sdk.v1).post(V1Partner(tenant_id=new_tid()))))
    assert error.response_status_code == 403
    assert error.error.code == "Authorization_RequestDenied"
    assert error.error.message == "Insufficient privileges to complete the operation."


def test_wrong_secret_is_an_authentication_error_naming_the_aadsts_code(emu, fresh_credential, sdk_for):
    from azure.core.exceptions import ClientAuthenticationError

    sdk = sdk_for(fresh_credential(client_secret="not-the-secret"))
    with pytest.raises(ClientAuthenticationError) as caught:
        sdk.run(partners(sdk.v1).get())
    assert "AADSTS7000215" in str(caught.value)
    assert emu.requests("graph_read") == []


def test_a_revoked_token_gets_a_claims_challenge_the_sdk_answers(emu, fresh_credential, sdk_for):
    sdk = sdk_for(fresh_credential())
    tid = new_tid()
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid)))
    assert emu.revoke_tokens(emu.info["client_id"]) >= 1
    emu.clear_requests()

    # The SDK sees the 401's claims challenge, signs in again with those claims and repeats the call.
    listed = sdk.run(partners(sdk.v1).get())
    assert [p.tenant_id for p in listed.value] == [tid]
    log = [(r["kind"], r["status"]) for r in emu.requests()]
    assert log == [("graph_read", 401), ("token", 200), ("graph_read", 200)], log


def test_a_revoked_token_challenge_names_the_claims_to_ask_for(emu, fresh_credential):
    """The challenge itself, as the SDK's response handler reads it (no retry without the pipeline)."""
    import httpx
    import ssl

    credential = fresh_credential()
    try:
        token = credential.get_token(emu.info["scope"], enable_cae=True).token
        emu.revoke_tokens()
        with httpx.Client(verify=ssl.create_default_context(cafile=emu.info["ca_path"]), trust_env=False) as http:
            resp = http.get(emu.info["base_url"] + "/v1.0/policies/crossTenantAccessPolicy/partners",
                            headers={"Authorization": "Bearer " + token})
    finally:
        credential.close()
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"
    header = resp.headers["WWW-Authenticate"]
    assert header.startswith("Bearer ") and 'error="insufficient_claims"' in header
    claims = header.split('claims="', 1)[1].split('"', 1)[0]
    request = json.loads(base64.b64decode(claims))
    assert request["access_token"]["nbf"]["essential"] is True
    assert int(request["access_token"]["nbf"]["value"]) >= jwt.decode(token, options={"verify_signature": False})["iat"]


def test_a_throttled_call_is_retried_after_retry_after(emu, sdk):
    emu.add_fault(method="GET", path="/v1.0/policies/crossTenantAccessPolicy/partners$", status=429, retry_after="1")
    assert sdk.run(partners(sdk.v1).get()).value == []
    statuses = [r["status"] for r in emu.requests("graph_read")]
    assert statuses == [429, 200]


def test_a_throttled_call_that_stays_throttled_ends_in_odata_error(emu, sdk):
    emu.add_fault(method="POST", path="/v1.0/policies/crossTenantAccessPolicy/partners$", status=503, retry_after="1", count=10)
    from kiota_http.middleware.options import RetryHandlerOption

    # One retry only, to keep the test short; the SDK's default is three.
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    config = RequestConfiguration(options=[RetryHandlerOption(max_retries=1)])
    error = sdk.run(odata_error(sdk.v1, partners(sdk.v1).post(V1Partner(tenant_id=new_tid()), config)))
    assert error.response_status_code == 503 and error.error.code == "ServiceUnavailable"
    assert [r["status"] for r in emu.requests("graph_write")] == [503, 503]


def test_the_sdks_own_base_url_with_its_trailing_slash(emu, credential, sdk_for):
    """Built as GraphServiceClient builds its default client, the base URL ends in '/', so every path
    the SDK sends starts /v1.0//policies: Graph takes that, and so must the emulator."""
    sdk = Sdk(emu, credential, sdk_base_url=True)
    try:
        tid = new_tid()
        created = sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid)))
        assert created.tenant_id == tid
        assert [p.tenant_id for p in sdk.run(partners(sdk.beta).get()).value] == [tid]
    finally:
        sdk.close()
    paths = [(r["method"], r["path"], r["status"]) for r in emu.requests() if r["kind"].startswith("graph")]
    assert paths == [("POST", "/v1.0//policies/crossTenantAccessPolicy/partners", 201),
                     ("GET", "/beta//policies/crossTenantAccessPolicy/partners", 200)], paths
