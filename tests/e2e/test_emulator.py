# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator itself, driven by real MSAL and requests: every sign-in method, Graph's
documented status codes and error bodies, paging, faults, latency and the request log."""

import base64
import concurrent.futures
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import uuid

import jwt
import msal
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
DELETED_PARTNERS = "/beta/policies/deletedItems/crossTenantPartners"
PARTNERS = "/beta/policies/crossTenantAccessPolicy/partners"
PARTNERS_V1 = "/v1.0/policies/crossTenantAccessPolicy/partners"
ENTITY_TYPE = "#microsoft.graph.crossTenantIdentitySyncPolicyPartner"
SYNC_V1 = {"tenantId", "displayName", "userSyncInbound"}
SYNC_BETA = SYNC_V1 | {"deletedDateTime", "externalCloudAuthorizedApplicationId", "groupSyncInbound", "roleEnabledGroupSyncInbound"}
PARTNER_V1 = {"tenantId", "isServiceProvider", "isInMultiTenantOrganization", "inboundTrust", "automaticUserConsentSettings",
              "b2bCollaborationInbound", "b2bCollaborationOutbound", "b2bDirectConnectInbound", "b2bDirectConnectOutbound",
              "tenantRestrictions", "appServiceConnectInbound", "m365CollaborationInbound", "m365CollaborationOutbound"}
PARTNER_BETA = PARTNER_V1 | {"deletedDateTime", "blockServiceProviderOutboundAccess"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def live(tenant_id, version="beta"):
    return "/%s/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization" % (version, tenant_id)


def partner(tenant_id, version="beta"):
    return "/%s/policies/crossTenantAccessPolicy/partners/%s" % (version, tenant_id)


def new_tid():
    return str(uuid.uuid4())


def confidential(emu, session, client_id, credential):
    if isinstance(credential, dict) and isinstance(credential.get("client_assertion"), str):
        # MSAL wants a callable so it can fetch a fresh assertion; a file-backed one would re-read the file.
        credential = dict(credential, client_assertion=lambda value=credential["client_assertion"]: value)
    return msal.ConfidentialClientApplication(
        client_id, client_credential=credential, authority=emu.info["authority"],
        instance_discovery=False, http_client=session)


def read(path):
    with open(path) as handle:
        return handle.read()


class Graph:
    """A thin Graph client: base URL, bearer token, JSON."""

    def __init__(self, emu, session, token):
        self.base = emu.info["graph_endpoint"]
        self.session = session
        self.token = token

    def call(self, method, path, body=None, headers=None, **kwargs):
        merged = {"Authorization": "Bearer " + self.token}
        merged.update(headers or {})
        url = path if path.startswith("https://") else self.base + path
        return self.session.request(method, url, json=body, headers=merged, timeout=kwargs.pop("timeout", 10), **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def put(self, path, body, **kwargs):
        return self.call("PUT", path, body, **kwargs)

    def patch(self, path, body, **kwargs):
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def token(emu, emu_http):
    result = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"]).acquire_token_for_client(
        scopes=[emu.info["scope"]])
    return result["access_token"]


@pytest.fixture
def graph(emu, emu_http, token):
    return Graph(emu, emu_http, token)


def assert_graph_error(resp, status, code):
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code, error
    inner = error["innerError"]
    assert inner["request-id"] == resp.headers["request-id"]
    assert inner["client-request-id"] == resp.headers["client-request-id"]
    assert inner["date"]
    return error


def assert_graph_works(emu, session, access_token):
    resp = Graph(emu, session, access_token).get(DELETED)
    assert resp.status_code == 200, resp.text
    assert resp.json()["value"] == []


def claims_of(access_token):
    return jwt.decode(access_token, options={"verify_signature": False})


# ---- the info line ---------------------------------------------------------------------------

def test_info_has_everything_a_client_needs(emulator):
    info = emulator.info
    for key in ("base_url", "ca_path", "tenant", "graph_endpoint", "authority_host", "client_id", "client_secret",
                "readonly_client_id", "readonly_client_secret", "norole_client_id", "norole_client_secret",
                "cert_client_id", "cert_path", "cert_encrypted_path", "cert_password", "federated_client_id",
                "federated_token_file", "federated_issuer", "federated_subject", "identity_endpoint", "identity_header",
                "imds_host", "mi_system_principal", "mi_user_client_id", "control_url"):
        assert info.get(key), key
    assert info["base_url"].startswith("https://127.0.0.1:")
    assert info["graph_endpoint"] == info["authority_host"] == info["imds_host"] == info["base_url"]
    assert str(uuid.UUID(info["tenant"])) == info["tenant"]
    with open(os.path.join(info["state_dir"], "emulator.json")) as handle:
        assert json.load(handle) == info
    assert "BEGIN CERTIFICATE" in read(info["ca_path"])
    pem = read(info["cert_path"])
    assert "BEGIN PRIVATE KEY" in pem and "BEGIN CERTIFICATE" in pem
    assert "BEGIN ENCRYPTED PRIVATE KEY" in read(info["cert_encrypted_path"])


# ---- sign-in: each method yields a token Graph accepts ---------------------------------------

def test_client_secret(emu, emu_http):
    result = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"]).acquire_token_for_client(
        scopes=[emu.info["scope"]])
    assert result["token_type"] == "Bearer" and result["expires_in"] > 3000, result
    claims = claims_of(result["access_token"])
    assert claims["aud"] == emu.info["base_url"]
    assert claims["tid"] == emu.info["tenant"]
    assert claims["appid"] == claims["azp"] == emu.info["client_id"]
    assert claims["roles"] == ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]
    assert jwt.get_unverified_header(result["access_token"])["alg"] == "RS256"
    assert_graph_works(emu, emu_http, result["access_token"])


def test_token_signature_verifies_against_published_jwks(emu, emu_http):
    result = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"]).acquire_token_for_client(
        scopes=[emu.info["scope"]])
    config = emu_http.get("%s/v2.0/.well-known/openid-configuration" % emu.info["authority"]).json()
    keys = emu_http.get(config["jwks_uri"]).json()["keys"]
    kid = jwt.get_unverified_header(result["access_token"])["kid"]
    key = jwt.PyJWK([k for k in keys if k["kid"] == kid][0]).key
    claims = jwt.decode(result["access_token"], key, algorithms=["RS256"], audience=emu.info["base_url"], issuer=config["issuer"])
    assert claims["oid"]


@pytest.mark.parametrize("style", ["thumbprint", "thumbprint-and-certificate", "certificate"])
def test_client_certificate(emu, emu_http, style):
    pem = read(emu.info["cert_path"])
    credential = {"private_key": pem}
    if style.startswith("thumbprint"):
        credential["thumbprint"] = emu.info["cert_thumbprint"]  # RS256, x5t
    if style.endswith("certificate"):
        credential["public_certificate"] = pem  # x5c; without a thumbprint also PS256 and x5t#S256
    result = confidential(emu, emu_http, emu.info["cert_client_id"], credential).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert "access_token" in result, result
    assert claims_of(result["access_token"])["appidacr"] == "2"
    assert_graph_works(emu, emu_http, result["access_token"])


def test_client_certificate_with_encrypted_key(emu, emu_http):
    pem = read(emu.info["cert_encrypted_path"])
    credential = {"private_key": pem, "public_certificate": pem, "passphrase": emu.info["cert_password"]}
    result = confidential(emu, emu_http, emu.info["cert_client_id"], credential).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert "access_token" in result, result
    assert_graph_works(emu, emu_http, result["access_token"])


def test_workload_identity_federation(emu, emu_http):
    assertion = read(emu.info["federated_token_file"]).strip()
    claims = claims_of(assertion)
    assert claims["iss"] == emu.info["federated_issuer"] and claims["sub"] == emu.info["federated_subject"]
    assert claims["aud"] == "api://AzureADTokenExchange" and claims["exp"] > time.time() + 86400
    result = confidential(emu, emu_http, emu.info["federated_client_id"], {"client_assertion": assertion}).acquire_token_for_client(
        scopes=[emu.info["scope"]])
    assert "access_token" in result, result
    assert_graph_works(emu, emu_http, result["access_token"])


@pytest.mark.parametrize("identity", ["system", "user"])
def test_managed_identity_app_service(emu, emu_http, monkeypatch, identity):
    monkeypatch.setenv("IDENTITY_ENDPOINT", emu.info["identity_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", emu.info["identity_header"])
    mi = msal.SystemAssignedManagedIdentity() if identity == "system" else msal.UserAssignedManagedIdentity(
        client_id=emu.info["mi_user_client_id"])
    result = msal.ManagedIdentityClient(mi, http_client=emu_http).acquire_token_for_client(resource=emu.info["base_url"])
    assert "access_token" in result, result
    expected = emu.info["mi_system_principal"]["client_id"] if identity == "system" else emu.info["mi_user_client_id"]
    assert claims_of(result["access_token"])["appid"] == expected
    assert_graph_works(emu, emu_http, result["access_token"])
    entry = emu.requests("managed_identity")[-1]
    assert entry["path"] == "/msi/token" and "api-version=2019-08-01" in entry["query"]


@pytest.mark.parametrize("identity", ["system", "user-client-id", "user-resource-id"])
def test_managed_identity_imds(emu, emu_http, monkeypatch, identity):
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", emu.info["imds_host"])
    if identity == "system":
        mi = msal.SystemAssignedManagedIdentity()
    elif identity == "user-client-id":
        mi = msal.UserAssignedManagedIdentity(client_id=emu.info["mi_user_client_id"])
    else:
        mi = msal.UserAssignedManagedIdentity(resource_id=emu.info["mi_user_resource_id"])
    result = msal.ManagedIdentityClient(mi, http_client=emu_http).acquire_token_for_client(resource=emu.info["base_url"])
    assert "access_token" in result, result
    assert_graph_works(emu, emu_http, result["access_token"])
    assert emu.requests("managed_identity")[-1]["path"] == "/metadata/identity/oauth2/token"


# ---- sign-in failures in Entra's format ------------------------------------------------------

def token_request(emu, session, **form):
    form.setdefault("grant_type", "client_credentials")
    form.setdefault("scope", emu.info["scope"])
    return session.post(emu.info["token_endpoint"], data=form, headers={"client-request-id": "cafe0000-0000-0000-0000-000000000001"})


def assert_aadsts(resp, status, error, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == error and body["error_codes"] == [code], body
    assert body["error_description"].startswith("AADSTS%d: " % code)
    assert "\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: " % (body["trace_id"], body["correlation_id"]) in body["error_description"]
    assert body["timestamp"] and resp.headers["request-id"] and resp.headers["client-request-id"]
    return body


def test_wrong_secret(emu, emu_http):
    result = confidential(emu, emu_http, emu.info["client_id"], "not-the-secret").acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215], result
    resp = token_request(emu, emu_http, client_id=emu.info["client_id"], client_secret="nope")
    body = assert_aadsts(resp, 401, "invalid_client", 7000215)
    assert body["correlation_id"] == resp.headers["client-request-id"] == "cafe0000-0000-0000-0000-000000000001"


def test_sign_in_errors(emu, emu_http):
    info = emu.info
    assert_aadsts(token_request(emu, emu_http, client_id=str(uuid.uuid4()), client_secret="x"), 400, "unauthorized_client", 700016)
    resp = emu_http.post("%s/%s/oauth2/v2.0/token" % (info["base_url"], uuid.uuid4()), data={"grant_type": "client_credentials"})
    assert_aadsts(resp, 400, "invalid_request", 90002)
    assert_aadsts(token_request(emu, emu_http, client_id=info["client_id"], client_secret=info["client_secret"], scope="Policy.Read.All"),
                  400, "invalid_scope", 1002012)
    assert_aadsts(token_request(emu, emu_http, client_id=info["client_id"], client_secret=info["client_secret"],
                                scope="%s/.default https://graph.microsoft.com/.default" % info["base_url"]), 400, "invalid_scope", 70011)
    assert_aadsts(token_request(emu, emu_http, client_id=info["client_id"]), 401, "invalid_client", 7000218)
    assert_aadsts(token_request(emu, emu_http, client_id=info["client_id"], client_secret="x", grant_type="password"),
                  400, "unsupported_grant_type", 70003)
    unknown = "%s/%s" % (info["base_url"], uuid.uuid4())
    resp = emu_http.get(unknown + "/v2.0/.well-known/openid-configuration")
    assert resp.status_code == 400 and resp.json()["error_codes"] == [90002]
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        msal.ConfidentialClientApplication(info["client_id"], client_credential="x", authority=unknown,
                                           instance_discovery=False, http_client=emu_http)


def test_certificate_assertion_with_unregistered_key(emu, emu_http):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"aud": emu.info["token_endpoint"], "iss": emu.info["cert_client_id"], "sub": emu.info["cert_client_id"],
              "exp": now + 600, "nbf": now, "jti": str(uuid.uuid4())}
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"x5t": "AAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    resp = token_request(emu, emu_http, client_id=emu.info["cert_client_id"], client_assertion=forged,
                         client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert_aadsts(resp, 401, "invalid_client", 700027)


def test_federated_mismatch_and_expiry(emu, emu_http):
    client_id = emu.info["federated_client_id"]
    wrong_subject = emu.federated_assertion(subject="repo:someone/else:ref:refs/heads/main")
    result = confidential(emu, emu_http, client_id, {"client_assertion": wrong_subject}).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result["error"] == "invalid_request" and result["error_codes"] == [70021], result
    expired = emu.federated_assertion(lifetime=-3600)
    result = confidential(emu, emu_http, client_id, {"client_assertion": expired}).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result["error"] == "invalid_client" and result["error_codes"] == [700024], result
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims_of(emu.federated_assertion()), other, algorithm="RS256")
    result = confidential(emu, emu_http, client_id, {"client_assertion": forged}).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result["error_codes"] == [700027], result


def test_managed_identity_endpoints_require_their_header(emu, emu_http):
    url = emu.info["identity_endpoint"]
    params = {"api-version": "2019-08-01", "resource": emu.info["base_url"]}
    resp = emu_http.get(url, params=params)
    assert resp.status_code == 400 and resp.json()["statusCode"] == 400
    resp = emu_http.get(url, params=params, headers={"X-IDENTITY-HEADER": "wrong"})
    assert resp.status_code == 401 and resp.json()["message"]
    resp = emu_http.get(url, params=dict(params, client_id=str(uuid.uuid4())), headers={"X-IDENTITY-HEADER": emu.info["identity_header"]})
    assert resp.status_code == 400
    imds = emu.info["imds_host"] + "/metadata/identity/oauth2/token"
    resp = emu_http.get(imds, params={"api-version": "2018-02-01", "resource": emu.info["base_url"]})
    assert resp.status_code == 400 and resp.json() == {"error": "invalid_request", "error_description": "Required metadata header not specified"}
    resp = emu_http.get(imds, params={"api-version": "2018-02-01", "resource": emu.info["base_url"]}, headers={"Metadata": "true"})
    body = resp.json()
    assert resp.status_code == 200 and int(body["expires_in"]) > 3000 and body["token_type"] == "Bearer"


# ---- Graph: authentication and authorization --------------------------------------------------

def test_graph_requires_a_valid_token(emu, emu_http, token):
    resp = emu_http.get(emu.info["base_url"] + DELETED, headers={"client-request-id": "my-correlation"})
    error = assert_graph_error(resp, 401, "InvalidAuthenticationToken")
    assert error["innerError"]["client-request-id"] == "my-correlation"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")

    forged = jwt.encode(claims_of(token), rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": jwt.get_unverified_header(token)["kid"]})
    assert_graph_error(Graph(emu, emu_http, forged).get(DELETED), 401, "InvalidAuthenticationToken")
    assert_graph_error(Graph(emu, emu_http, "not-a-jwt").get(DELETED), 401, "InvalidAuthenticationToken")
    expired = emu.issue_token(lifetime=-10)
    error = assert_graph_error(Graph(emu, emu_http, expired).get(DELETED), 401, "InvalidAuthenticationToken")
    assert "expired" in error["message"]


def test_graph_rejects_a_token_for_another_audience(emu, emu_http):
    result = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"]).acquire_token_for_client(
        scopes=["https://graph.microsoft.com/.default"])
    assert claims_of(result["access_token"])["aud"] == "https://graph.microsoft.com"
    error = assert_graph_error(Graph(emu, emu_http, result["access_token"]).get(DELETED), 401, "InvalidAuthenticationToken")
    assert "audience" in error["message"]


def test_roles(emu, emu_http):
    def graph_for(prefix):
        result = confidential(emu, emu_http, emu.info[prefix + "client_id"], emu.info[prefix + "client_secret"]).acquire_token_for_client(
            scopes=[emu.info["scope"]])
        return Graph(emu, emu_http, result["access_token"])

    reader = graph_for("readonly_")
    assert reader.get(DELETED).status_code == 200
    resp = reader.post(DELETED, {"tenantId": new_tid()}, headers={"client-request-id": "ro-1"})
    error = assert_graph_error(resp, 403, "Authorization_RequestDenied")
    assert error["message"] == "Insufficient privileges to complete the operation."
    assert error["innerError"]["request-id"] == resp.headers["request-id"] and error["innerError"]["client-request-id"] == "ro-1"
    assert_graph_error(reader.put(live(new_tid()), {"displayName": "x"}), 403, "Authorization_RequestDenied")
    norole = graph_for("norole_")
    assert "roles" not in claims_of(norole.token)
    assert_graph_error(norole.get(DELETED), 403, "Authorization_RequestDenied")


# ---- Graph: bodies are checked against the type ----------------------------------------------

def create_partner(graph, tenant_id=None, version="beta", **props):
    tenant_id = tenant_id or new_tid()
    resp = graph.post("/%s/policies/crossTenantAccessPolicy/partners" % version, dict(props, tenantId=tenant_id))
    assert resp.status_code == 201, resp.text
    return tenant_id


def create_policy(graph, tenant_id=None, version="beta", **props):
    tenant_id = create_partner(graph, tenant_id, version)
    body = props or {"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}
    resp = graph.put(live(tenant_id, version), body)
    assert resp.status_code == 204, resp.text
    return tenant_id


@pytest.mark.parametrize("body, message", [
    ({"tenantId": "T", "foo": 1}, "Invalid property 'foo'."),
    ({"tenantId": "T", "TenantId": "T"}, "Invalid property 'TenantId'."),
    ({"tenantId": "T", "userSyncInbound": {"isSyncAllowed": True, "bar": 1}}, "Invalid property 'bar'."),
    ({"tenantId": "T", "userSyncInbound": {"isSyncAllowed": "yes"}}, "'isSyncAllowed' of resource 'crossTenantUserSyncInbound'"),
    ({"tenantId": "T", "displayName": 5}, "'displayName' of resource 'crossTenantIdentitySyncPolicyPartner'"),
    ({"tenantId": "T", "userSyncInbound": True}, "'userSyncInbound'"),
    ({"tenantId": "T", "deletedDateTime": "yesterday"}, "'deletedDateTime'"),
    ({"tenantId": "T", "deletedDateTime": "2025-06-18T23:11:01"}, "'deletedDateTime'"),
    ({"tenantId": "T", "deletedDateTime": "2025-02-30T00:00:00Z"}, "'deletedDateTime'"),
    ({"tenantId": "T", "groupSyncInbound": {"isSyncAllowed": None}}, "'isSyncAllowed' of resource 'crossTenantGroupSyncInbound'"),
    ({"tenantId": "T", "roleEnabledGroupSyncInbound": {"isSyncAllowed": 1}}, "crossTenantRoleEnabledGroupSyncInbound"),
    ({"displayName": "no tenant"}, "'tenantId'"),
    ({"tenantId": "not-a-guid"}, "'tenantId'"),
])
def test_create_rejects_bodies_that_do_not_fit_the_type(graph, body, message):
    if body.get("tenantId") == "T":
        body["tenantId"] = new_tid()
    error = assert_graph_error(graph.post(DELETED, body), 400, "Request_BadRequest")
    assert message in error["message"]


def test_body_is_json_object_of_the_right_type(graph):
    assert_graph_error(graph.post(DELETED, ["not", "an", "object"]), 400, "BadRequest")
    assert_graph_error(graph.post(DELETED, {"tenantId": new_tid(), "@odata.type": "#microsoft.graph.user"}), 400, "BadRequest")
    resp = graph.call("POST", DELETED, data=b"{not json", headers={"Content-Type": "application/json"})
    assert "Unable to read JSON request payload" in assert_graph_error(resp, 400, "BadRequest")["message"]
    assert_graph_error(graph.call("POST", PARTNERS, data=b""), 400, "BadRequest")
    tid = create_partner(graph)
    error = assert_graph_error(graph.put(live(tid), {"tenantId": new_tid()}), 400, "Request_BadRequest")
    assert "does not match" in error["message"]
    assert graph.put(live(tid), {"tenantId": tid.upper()}).status_code == 204


def test_documented_example_bodies_are_accepted(graph):
    """The documented POST (deleted items), PUT (create) and PATCH (update) bodies, as examples 01, 07, 09 show them."""
    tid = create_partner(graph)
    created = graph.post(DELETED, {
        "@odata.type": ENTITY_TYPE, "deletedDateTime": "2025-06-18T23:11:01+02:00", "tenantId": tid,
        "displayName": "String", "externalCloudAuthorizedApplicationId": "String",
        "userSyncInbound": {"@odata.type": "microsoft.graph.crossTenantUserSyncInbound"},
    })
    assert created.status_code == 201, created.text
    assert created.json()["deletedDateTime"] == "2025-06-18T21:11:01Z"
    for version in ("v1.0", "beta"):
        tid = create_partner(graph, version=version)
        assert graph.put(live(tid, version), {"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}).status_code == 204
        assert graph.patch(live(tid, version), {"userSyncInbound": {"isSyncAllowed": True}}).status_code == 204


# ---- Graph: v1.0 and beta ------------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [
    ("groupSyncInbound", {"isSyncAllowed": True}),
    ("roleEnabledGroupSyncInbound", {"isSyncAllowed": True}),
    ("externalCloudAuthorizedApplicationId", "app"),
    ("deletedDateTime", "2025-06-18T23:11:01Z"),
])
def test_beta_only_sync_properties_are_refused_by_v1(graph, name, value):
    tid = create_partner(graph, version="v1.0")
    for method in (graph.put, graph.patch):
        error = assert_graph_error(method(live(tid, "v1.0"), {"displayName": "x", name: value}), 400, "Request_BadRequest")
        assert error["message"] == "Invalid property '%s'." % name
    assert_graph_error(graph.get(live(tid, "v1.0")), 404, "Request_ResourceNotFound")
    assert graph.put(live(tid), {"displayName": "x", name: value}).status_code == 204


def test_each_version_answers_with_its_own_schema(graph, emu):
    tid = create_policy(graph, displayName="Contoso", userSyncInbound={"isSyncAllowed": True},
                        groupSyncInbound={"isSyncAllowed": True}, roleEnabledGroupSyncInbound={"isSyncAllowed": False})
    v1 = graph.get(live(tid, "v1.0")).json()
    assert set(v1) == SYNC_V1 | {"@odata.context"}
    assert v1["@odata.context"] == "%s/v1.0/$metadata#policies/crossTenantAccessPolicy/partners('%s')/identitySynchronization/$entity" % (
        emu.info["base_url"], tid)
    beta = graph.get(live(tid)).json()
    assert set(beta) == SYNC_BETA | {"@odata.context"}
    assert beta["groupSyncInbound"] == {"isSyncAllowed": True} and beta["roleEnabledGroupSyncInbound"] == {"isSyncAllowed": False}
    assert beta["deletedDateTime"] is None
    assert set(graph.get(partner(tid, "v1.0")).json()) == PARTNER_V1 | {"@odata.context"}
    assert set(graph.get(partner(tid)).json()) == PARTNER_BETA | {"@odata.context"}
    assert graph.get(live(tid, "v1.0") + "?$select=displayName").json() == {
        "@odata.context": v1["@odata.context"].replace("/identitySynchronization/$entity", "/identitySynchronization(displayName)/$entity"),
        "displayName": "Contoso"}
    assert_graph_error(graph.get(live(tid, "v1.0") + "?$select=groupSyncInbound"), 400, "BadRequest")


@pytest.mark.parametrize("path", [
    "/v1.0/policies/deletedItems/crossTenantSyncPolicyPartners",
    "/v1.0/policies/deletedItems/crossTenantPartners",
    "/v1.0/policies/deletedItems",
])
def test_v1_has_no_deleted_items(graph, path):
    for method in ("GET", "POST"):
        error = assert_graph_error(graph.call(method, path, {"tenantId": new_tid()} if method == "POST" else None), 400, "BadRequest")
        assert error["message"] == "Resource not found for the segment 'deletedItems'."


def test_unknown_segment_and_method(graph):
    error = assert_graph_error(graph.get("/beta/policies/deletedItems/somethingElse"), 400, "BadRequest")
    assert error["message"] == "Resource not found for the segment 'somethingElse'."
    error = assert_graph_error(graph.get(PARTNERS + "/" + new_tid() + "/nope"), 400, "BadRequest")
    assert error["message"] == "Resource not found for the segment 'nope'."
    resp = graph.post(live(new_tid()), {"displayName": "x"})
    assert_graph_error(resp, 405, "Request_BadRequest")
    assert resp.headers["Allow"] == "DELETE, GET, PATCH, PUT"
    assert_graph_error(graph.patch(DELETED + "/" + new_tid(), {"displayName": "x"}), 405, "Request_BadRequest")
    assert_graph_error(graph.patch(DELETED_PARTNERS + "/" + new_tid(), {"isServiceProvider": True}), 405, "Request_BadRequest")
    assert_graph_error(graph.get(PARTNERS + "?$orderby=tenantId"), 400, "BadRequest")


def test_a_doubled_slash_after_the_version_is_the_same_path(graph):
    # msgraph-sdk and msgraph-beta-sdk, built with their default client, send /v1.0//policies/... (tests/sdk).
    tid = new_tid()
    resp = graph.post("/v1.0//policies/crossTenantAccessPolicy/partners", {"tenantId": tid})
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"].endswith("/v1.0/policies/crossTenantAccessPolicy/partners/" + tid)
    assert graph.get("/beta//policies//crossTenantAccessPolicy/partners/" + tid).json()["tenantId"] == tid


# ---- Graph: the live sync policy -------------------------------------------------------------

def test_put_creates_and_put_over_an_existing_policy_is_the_documented_409(graph, emu):
    tid = create_partner(graph, version="v1.0")
    created = graph.put(live(tid, "v1.0"), {"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}})
    assert created.status_code == 204 and created.content == b""
    for version in ("v1.0", "beta"):
        conflict = graph.put(live(tid, version), {"displayName": "Other"})
        error = assert_graph_error(conflict, 409, "Request_MultipleObjectsWithSameKeyValue")
        assert error["message"] == "A conflicting object with one or more of the specified property values is present in the directory."
        assert error["details"][0]["code"] == "ConflictingObjects"
    assert graph.get(live(tid)).json()["displayName"] == "Fabrikam"


def test_put_without_a_partner_configuration_creates_nothing(graph, emu):
    tid = new_tid()
    for version in ("v1.0", "beta"):
        assert_graph_error(graph.put(live(tid, version), {"displayName": "x"}), 404, "Request_ResourceNotFound")
    assert emu.objects()["partner_policy"] == [] and emu.objects()["partners"] == []


def test_patch_updates_what_it_names(graph):
    tid = create_policy(graph, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": True})
    assert graph.patch(live(tid, "v1.0"), {"displayName": "Renamed"}).status_code == 204
    got = graph.get(live(tid)).json()
    assert got["displayName"] == "Renamed" and got["userSyncInbound"] == {"isSyncAllowed": True}
    assert graph.patch(live(tid), {"groupSyncInbound": {"isSyncAllowed": True}, "userSyncInbound": None}).status_code == 204
    got = graph.get(live(tid)).json()
    assert got["groupSyncInbound"] == {"isSyncAllowed": True} and got["userSyncInbound"] is None
    # deletedDateTime and a matching tenantId in the body are accepted and change nothing.
    assert graph.patch(live(tid), {"tenantId": tid, "deletedDateTime": "2025-01-01T00:00:00Z"}).status_code == 204
    assert graph.get(live(tid)).json()["deletedDateTime"] is None


def test_patch_of_a_missing_policy_is_directory_object_not_found(graph):
    with_partner = create_partner(graph)
    for tid in (with_partner, new_tid()):
        for version in ("v1.0", "beta"):
            error = assert_graph_error(graph.patch(live(tid, version), {"displayName": "x"}), 404, "Directory_ObjectNotFound")
            assert error["message"] == "Unable to read the company information from the directory."


def test_delete_moves_the_policy_into_deleted_items(graph, emu):
    tid = create_policy(graph, version="v1.0", displayName="Replaced")
    assert graph.delete(live(tid, "v1.0")).status_code == 204
    assert_graph_error(graph.get(live(tid)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.delete(live(tid)), 404, "Request_ResourceNotFound")
    deleted = graph.get(DELETED + "/" + tid).json()
    assert deleted["displayName"] == "Replaced" and deleted["deletedDateTime"].endswith("Z")
    assert emu.objects()["deleted_items"] == [{k: deleted[k] for k in SYNC_BETA}]
    assert emu.objects()["partner_policy"] == []


def test_restore(graph):
    tid = create_policy(graph, displayName="Woodgrove", userSyncInbound={"isSyncAllowed": False})
    assert graph.delete(live(tid)).status_code == 204
    deleted_at = graph.get(DELETED + "/" + tid).json()["deletedDateTime"]

    restored = graph.post(DELETED + "/" + tid + "/restore")
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["@odata.context"].endswith("/beta/$metadata#microsoft.graph.crossTenantIdentitySyncPolicyPartner")
    assert body["displayName"] == "Woodgrove" and body["deletedDateTime"] >= deleted_at
    assert graph.get(live(tid)).json()["deletedDateTime"] is None
    assert_graph_error(graph.get(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.post(DELETED + "/" + tid + "/restore"), 404, "Request_ResourceNotFound")

    assert graph.post(DELETED, {"tenantId": tid}).status_code == 201
    assert_graph_error(graph.post(DELETED + "/" + tid + "/restore"), 409, "Request_MultipleObjectsWithSameKeyValue")


def test_restoring_a_policy_needs_its_partner_configuration(graph, emu):
    tid = create_policy(graph)
    assert graph.delete(live(tid)).status_code == 204
    assert graph.delete(partner(tid)).status_code == 204
    assert_graph_error(graph.post(DELETED + "/" + tid + "/restore"), 404, "Request_ResourceNotFound")
    assert [item["tenantId"] for item in emu.objects()["deleted_items"]] == [tid]
    assert graph.post(DELETED_PARTNERS + "/" + tid + "/restore").status_code == 200
    assert graph.post(DELETED + "/" + tid + "/restore").status_code == 200
    assert graph.get(live(tid)).status_code == 200


# ---- Graph: deleted sync policies (beta) -------------------------------------------------------

def test_deleted_items_crud(graph, emu):
    tid = new_tid()
    created = graph.post(DELETED, {"@odata.type": ENTITY_TYPE, "tenantId": tid.upper(), "displayName": "Contoso",
                                   "userSyncInbound": {"isSyncAllowed": True}})
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == emu.info["base_url"] + DELETED + "/" + tid
    body = created.json()
    assert set(body) == SYNC_BETA | {"@odata.context", "@odata.type"}
    assert body["@odata.type"] == ENTITY_TYPE
    assert body["tenantId"] == tid and body["deletedDateTime"].endswith("Z") and body["groupSyncInbound"] is None
    assert body["@odata.context"] == emu.info["base_url"] + "/beta/$metadata#policies/deletedItems/crossTenantSyncPolicyPartners/$entity"

    conflict = graph.post(DELETED, {"tenantId": tid})
    assert_graph_error(conflict, 409, "Request_MultipleObjectsWithSameKeyValue")

    got = graph.get(DELETED + "/" + tid.upper())
    assert got.status_code == 200 and got.json() == {k: v for k, v in body.items() if k != "@odata.type"}

    replaced = graph.put(DELETED + "/" + tid, {"tenantId": tid, "displayName": "Contoso 2", "groupSyncInbound": {"isSyncAllowed": True}})
    assert replaced.status_code == 204 and replaced.content == b""
    after = graph.get(DELETED + "/" + tid).json()
    assert after["displayName"] == "Contoso 2" and after["userSyncInbound"] is None
    assert after["groupSyncInbound"] == {"isSyncAllowed": True} and after["deletedDateTime"] == body["deletedDateTime"]
    assert_graph_error(graph.patch(DELETED + "/" + tid, {"displayName": "x"}), 405, "Request_BadRequest")

    assert graph.get(DELETED + "/$count").text == "1"
    assert graph.delete(DELETED + "/" + tid).status_code == 204
    assert_graph_error(graph.get(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.delete(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.put(DELETED + "/" + tid, {"displayName": "x"}), 404, "Request_ResourceNotFound")


def test_paging(graph, emu):
    emu.configure(page_size=2)
    tids = [new_tid() for index in range(5)]
    emu.set_objects({"deleted_items": [{"tenantId": tid, "displayName": "p%d" % index} for index, tid in enumerate(tids)]})
    seen, pages, url = [], 0, DELETED
    while url:
        page = graph.get(url).json()
        pages += 1
        seen += [item["tenantId"] for item in page["value"]]
        url = page.get("@odata.nextLink")
        if url:
            assert "$skiptoken=" in url and url.startswith(emu.info["base_url"])
    assert seen == tids and pages == 3

    first = graph.get(DELETED + "?$top=4&$select=tenantId").json()
    assert len(first["value"]) == 4 and "$top=4" in first["@odata.nextLink"] and "$select=tenantId" in first["@odata.nextLink"]
    assert graph.get(first["@odata.nextLink"]).json()["value"] == [{"tenantId": tids[4]}]
    assert_graph_error(graph.get(DELETED + "?$skiptoken=garbage!"), 400, "BadRequest")
    assert_graph_error(graph.get(DELETED + "?$top=0"), 400, "Request_UnsupportedQuery")


# ---- Graph: partner configurations -------------------------------------------------------------

def test_partner_create_get_and_duplicate(graph, emu):
    tid = new_tid()
    body = {"tenantId": tid.upper(), "b2bDirectConnectOutbound": {"usersAndGroups": {
        "accessType": "blocked", "targets": [{"target": "6f546279-4da5-4b53-a095-09ea0cef9971", "targetType": "group"}]}}}
    created = graph.post(PARTNERS_V1, body)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == emu.info["base_url"] + PARTNERS_V1 + "/" + tid
    assert created.headers["Content-Type"].startswith("application/json")
    got = created.json()
    assert got["@odata.context"] == emu.info["base_url"] + "/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity"
    assert set(got) == PARTNER_V1 | {"@odata.context"}
    assert got["tenantId"] == tid and got["isInMultiTenantOrganization"] is False and got["inboundTrust"] is None
    assert got["automaticUserConsentSettings"] == {"inboundAllowed": None, "outboundAllowed": None}
    assert got["b2bDirectConnectOutbound"] == {"usersAndGroups": {"accessType": "blocked", "targets": [
        {"target": "6f546279-4da5-4b53-a095-09ea0cef9971", "targetType": "group"}]}, "applications": None}
    assert graph.get(partner(tid, "v1.0")).json() == got

    for version in ("v1.0", "beta"):
        error = assert_graph_error(graph.post("/%s/policies/crossTenantAccessPolicy/partners" % version, {"tenantId": tid}),
                                   409, "Request_MultipleObjectsWithSameKeyValue")
        assert error["message"] == "Another object with the same value for property tenantId already exists."
    assert_graph_error(graph.post(PARTNERS, {"isServiceProvider": True}), 400, "Request_BadRequest")
    assert_graph_error(graph.get(partner(new_tid())), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.get(partner("not-a-guid")), 400, "BadRequest")


@pytest.mark.parametrize("body, message", [
    ({"b2BCollaborationInbound": {}}, "Invalid property 'b2BCollaborationInbound'."),
    ({"B2bDirectConnectOutbound": None}, "Invalid property 'B2bDirectConnectOutbound'."),
    ({"inboundTrust": {"isMFAAccepted": True}}, "Invalid property 'isMFAAccepted'."),
    ({"identitySynchronization": {"displayName": "deep insert"}}, "Invalid property 'identitySynchronization'."),
    ({"crossCloudMeetingConfiguration": None}, "Invalid property 'crossCloudMeetingConfiguration'."),
    ({"b2bCollaborationInbound": {"usersAndGroups": {"targets": [{"target": "NotARealTarget", "targetType": "user"}]}}},
     "Found invalid target 'NotARealTarget'"),
    ({"b2bDirectConnectOutbound": {"applications": {"targets": [{"target": "AllUsers", "targetType": "application"}]}}},
     "Found invalid target 'AllUsers'"),
    ({"inboundTrust": {"isMfaAccepted": "yes"}}, "'isMfaAccepted' of resource 'crossTenantAccessPolicyInboundTrust'"),
    ({"automaticUserConsentSettings": {"inboundAllowed": 1}}, "'inboundAllowed' of resource 'inboundOutboundPolicyConfiguration'"),
    ({"isServiceProvider": "true"}, "'isServiceProvider'"),
    ({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "maybe"}}}, "'accessType'"),
    ({"b2bCollaborationInbound": {"applications": {"targets": {"target": "x"}}}}, "'targets'"),
    ({"b2bCollaborationInbound": {"applications": {"targets": [{"target": "x", "targetType": "device"}]}}}, "'targetType'"),
    ({"tenantRestrictions": {"devices": {"mode": "sometimes"}}}, "'mode'"),
])
def test_partner_bodies_are_checked_in_graphs_exact_casing(graph, body, message):
    tid = new_tid()
    error = assert_graph_error(graph.post(PARTNERS, dict(body, tenantId=tid)), 400, "Request_BadRequest")
    assert message in error["message"]
    create_partner(graph, tid)
    error = assert_graph_error(graph.patch(partner(tid), body), 400, "Request_BadRequest")
    assert message in error["message"]


def test_partner_versions(graph):
    tid = new_tid()
    error = assert_graph_error(graph.post(PARTNERS_V1, {"tenantId": tid, "blockServiceProviderOutboundAccess": True}), 400, "Request_BadRequest")
    assert error["message"] == "Invalid property 'blockServiceProviderOutboundAccess'."
    created = graph.post(PARTNERS, {"tenantId": tid, "blockServiceProviderOutboundAccess": True, "isInMultiTenantOrganization": True})
    assert created.status_code == 201
    # isInMultiTenantOrganization is computed: accepted and ignored.
    assert created.json()["blockServiceProviderOutboundAccess"] is True and created.json()["isInMultiTenantOrganization"] is False
    assert "blockServiceProviderOutboundAccess" not in graph.get(partner(tid, "v1.0")).json()


def test_partner_patch_merges_complex_values_and_replaces_collections(graph):
    tid = create_partner(graph, b2bCollaborationInbound={"usersAndGroups": {"accessType": "allowed", "targets": [
        {"target": "AllUsers", "targetType": "user"}]}, "applications": {"accessType": "allowed", "targets": [
            {"target": "AllApplications", "targetType": "application"}]}})
    assert graph.patch(partner(tid, "v1.0"), {"inboundTrust": {"isMfaAccepted": True}}).status_code == 204
    assert graph.patch(partner(tid, "v1.0"), {"inboundTrust": {"isCompliantDeviceAccepted": True},
                                              "automaticUserConsentSettings": {"inboundAllowed": True}}).status_code == 204
    got = graph.get(partner(tid)).json()
    assert got["inboundTrust"] == {"isMfaAccepted": True, "isCompliantDeviceAccepted": True, "isHybridAzureADJoinedDeviceAccepted": None}
    assert got["automaticUserConsentSettings"] == {"inboundAllowed": True, "outboundAllowed": None}
    target = {"target": "0c5b5b5e-8f1a-4a1e-9a9e-1b1a1b1a1b1a", "targetType": "group"}
    assert graph.patch(partner(tid), {"b2bCollaborationInbound": {"usersAndGroups": {"targets": [target]}}}).status_code == 204
    b2b = graph.get(partner(tid)).json()["b2bCollaborationInbound"]
    assert b2b["usersAndGroups"] == {"accessType": "allowed", "targets": [target]}
    assert b2b["applications"]["targets"] == [{"target": "AllApplications", "targetType": "application"}]
    # The tutorial's PATCH: inboundTrust null clears it.
    assert graph.patch(partner(tid, "v1.0"), {"inboundTrust": None, "automaticUserConsentSettings": {"inboundAllowed": True}}).status_code == 204
    assert graph.get(partner(tid)).json()["inboundTrust"] is None
    error = assert_graph_error(graph.patch(partner(new_tid()), {"isServiceProvider": True}), 404, "Directory_ObjectNotFound")
    assert error["message"] == "Unable to read the company information from the directory."
    assert_graph_error(graph.patch(partner(tid), {"tenantId": new_tid()}), 400, "Request_BadRequest")


def test_partner_list_select_expand_and_paging(graph, emu):
    emu.configure(page_size=2)
    with_policy = create_policy(graph, displayName="Synced", userSyncInbound={"isSyncAllowed": True})
    others = [create_partner(graph) for index in range(3)]
    everything = []
    url = PARTNERS_V1 + "?$select=tenantId,isServiceProvider&$expand=identitySynchronization"
    first = graph.get(url).json()
    assert first["@odata.context"] == (emu.info["base_url"] + "/v1.0/$metadata#policies/crossTenantAccessPolicy/"
                                       "partners(tenantId,isServiceProvider,identitySynchronization())")
    page = first
    while True:
        everything += page["value"]
        if "@odata.nextLink" not in page:
            break
        assert "$expand=identitySynchronization" in page["@odata.nextLink"]
        page = graph.get(page["@odata.nextLink"]).json()
    assert [item["tenantId"] for item in everything] == [with_policy] + others
    assert set(everything[0]) == {"tenantId", "isServiceProvider", "identitySynchronization"}
    assert everything[0]["identitySynchronization"] == {"tenantId": with_policy, "displayName": "Synced",
                                                        "userSyncInbound": {"isSyncAllowed": True}}
    assert all(item["identitySynchronization"] is None for item in everything[1:])
    assert "groupSyncInbound" in graph.get(partner(with_policy) + "?$expand=identitySynchronization").json()["identitySynchronization"]
    assert_graph_error(graph.get(PARTNERS + "?$expand=m365Capabilities"), 400, "BadRequest")
    assert_graph_error(graph.get(PARTNERS + "?$select=b2BCollaborationInbound,nope"), 400, "BadRequest")


def test_partner_delete_refused_while_it_has_a_sync_policy(graph, emu):
    tid = create_policy(graph)
    error = assert_graph_error(graph.delete(partner(tid, "v1.0")), 400, "Request_BadRequest")
    assert "identity synchronization policy" in error["message"]
    assert [p["tenantId"] for p in emu.objects()["partners"]] == [tid]
    assert graph.delete(live(tid, "v1.0")).status_code == 204
    assert graph.delete(partner(tid, "v1.0")).status_code == 204
    assert_graph_error(graph.get(partner(tid)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.delete(partner(tid)), 404, "Request_ResourceNotFound")


def test_deleted_partners_list_get_restore_and_purge(graph, emu):
    tid = create_partner(graph, isServiceProvider=True, automaticUserConsentSettings={"inboundAllowed": True})
    assert graph.delete(partner(tid)).status_code == 204
    listed = graph.get(DELETED_PARTNERS).json()
    assert listed["@odata.context"] == emu.info["base_url"] + "/beta/$metadata#policies/deletedItems/crossTenantPartners"
    assert [item["tenantId"] for item in listed["value"]] == [tid]
    got = graph.get(DELETED_PARTNERS + "/" + tid).json()
    assert set(got) == PARTNER_BETA | {"@odata.context"} and got["deletedDateTime"].endswith("Z") and got["isServiceProvider"] is True

    restored = graph.post(DELETED_PARTNERS + "/" + tid + "/restore")
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["@odata.context"] == emu.info["base_url"] + "/beta/$metadata#microsoft.graph.crossTenantAccessPolicyConfigurationPartner"
    assert body["tenantId"] == tid and body["deletedDateTime"] and body["automaticUserConsentSettings"]["inboundAllowed"] is True
    assert graph.get(partner(tid)).json()["deletedDateTime"] is None
    assert_graph_error(graph.get(DELETED_PARTNERS + "/" + tid), 404, "Request_ResourceNotFound")

    # A deleted copy whose tenant is live again cannot come back over it.
    emu.set_objects({"partners": [{"tenantId": tid}], "deleted_partners": [{"tenantId": tid}]})
    error = assert_graph_error(graph.post(DELETED_PARTNERS + "/" + tid + "/restore"), 409, "Request_MultipleObjectsWithSameKeyValue")
    assert error["message"] == "Another object with the same value for property tenantId already exists."
    assert graph.delete(DELETED_PARTNERS + "/" + tid).status_code == 204
    assert_graph_error(graph.post(DELETED_PARTNERS + "/" + tid + "/restore"), 404, "Request_ResourceNotFound")
    assert emu.objects()["deleted_partners"] == []


# ---- faults, latency, request log -------------------------------------------------------------

def test_status_fault_with_retry_after(graph, emu):
    emu.add_fault(method="GET", path="crossTenantSyncPolicyPartners$", count=2, kind="status", status=429, retry_after="3")
    for attempt in range(2):
        resp = graph.get(DELETED)
        assert_graph_error(resp, 429, "TooManyRequests")
        assert resp.headers["Retry-After"] == "3"
    assert graph.get(DELETED).status_code == 200
    assert [e["fault"] for e in emu.requests("graph_read")] == ["status", "status", None]


def test_status_fault_over_the_control_api(graph, emu, emu_http):
    control = emu.info["control_url"]
    resp = emu_http.post(control + "/faults", json={"method": "*", "path": "/identitySynchronization", "count": 1,
                                                    "kind": "status", "status": 503})
    assert resp.status_code == 201 and emu_http.get(control + "/faults").json()[0]["status"] == 503
    assert_graph_error(graph.get(live(new_tid())), 503, "ServiceUnavailable")
    emu_http.post(control + "/faults", json={"path": "/identitySynchronization", "status": 504, "count": 5})
    assert emu_http.delete(control + "/faults").status_code == 204
    assert graph.get(live(new_tid())).status_code == 404
    assert emu_http.post(control + "/faults", json={"kind": "explode"}).status_code == 400


def test_token_endpoint_fault_uses_entra_format(emu, emu_http):
    emu.add_fault(path="/oauth2/v2.0/token$", status=503, count=2, retry_after="1")
    app = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"])
    with pytest.raises(msal.exceptions.MsalServiceError, match="503"):
        app.acquire_token_for_client(scopes=[emu.info["scope"]])
    resp = token_request(emu, emu_http, client_id=emu.info["client_id"], client_secret=emu.info["client_secret"])
    assert_aadsts(resp, 503, "temporarily_unavailable", 90033)
    assert resp.headers["Retry-After"] == "1"
    assert [e["status"] for e in emu.requests("token")] == [503, 503]


def test_delay_fault(graph, emu):
    emu.add_fault(method="GET", path=DELETED, kind="delay", seconds=0.3)
    started = time.monotonic()
    assert graph.get(DELETED).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("apply", [False, True])
def test_drop_fault(graph, emu, apply):
    tid = new_tid()
    emu.add_fault(method="POST", path=DELETED + "$", kind="drop", apply=apply)
    with pytest.raises(requests.exceptions.ConnectionError):
        graph.post(DELETED, {"tenantId": tid})
    # apply=True: the create happened, only its response was lost.
    assert graph.get(DELETED + "/" + tid).status_code == (200 if apply else 404)
    assert emu.requests("graph_write")[0]["status"] is None


def test_hang_fault(graph, emu):
    emu.add_fault(method="GET", path=DELETED, kind="hang", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        graph.get(DELETED, timeout=0.3)
    assert time.monotonic() - started < 1.4
    assert graph.get(DELETED).status_code == 200


def test_latency(graph, emu, emu_http):
    resp = emu_http.put(emu.info["control_url"] + "/latency", json={"ms": 250})
    assert resp.status_code == 200 and resp.json() == {"ms": 250}
    started = time.monotonic()
    assert graph.get(DELETED).status_code == 200
    assert time.monotonic() - started >= 0.25
    started = time.monotonic()
    assert emu_http.get(emu.info["control_url"] + "/latency").json() == {"ms": 250}
    assert time.monotonic() - started < 0.2
    emu.reset()
    assert emu.settings.latency_ms == 0


def test_request_log_kinds_and_no_secrets(emu, emu_http, monkeypatch):
    app = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"])
    access_token = app.acquire_token_for_client(scopes=[emu.info["scope"]])["access_token"]
    monkeypatch.setenv("IDENTITY_ENDPOINT", emu.info["identity_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", emu.info["identity_header"])
    msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=emu_http).acquire_token_for_client(resource=emu.info["base_url"])
    graph = Graph(emu, emu_http, access_token)
    graph.get(DELETED, headers={"client-request-id": "log-me"})
    graph.post(DELETED, {"tenantId": new_tid()})
    emu_http.get(emu.info["base_url"] + "/nothing/here")

    log = emu_http.get(emu.info["control_url"] + "/requests").json()
    assert [e["kind"] for e in log] == ["discovery", "token", "managed_identity", "graph_read", "graph_write", "other"]
    assert [e["status"] for e in log] == [200, 200, 200, 200, 201, 404]
    assert log[3]["client_request_id"] == "log-me"
    for entry in log:
        assert {"method", "path", "query", "status", "kind", "client_request_id", "time"} <= set(entry)
    text = json.dumps(log)
    for secret in (emu.info["client_secret"], emu.info["identity_header"], access_token):
        assert secret not in text
    assert emu_http.get(emu.info["control_url"] + "/requests?kind=graph_write").json()[0]["status"] == 201
    assert emu_http.delete(emu.info["control_url"] + "/requests").status_code == 204
    assert emu.requests() == []


def test_control_api_objects_and_reset(emu, emu_http, graph):
    control = emu.info["control_url"]
    tid, other, gone = new_tid(), new_tid(), new_tid()
    # The old keys keep seeding: a sync policy without a partner gets a minimal partner configuration.
    seeded = emu_http.put(control + "/objects", json={"partner_policy": [{"tenantId": tid.upper(), "displayName": "Seeded"}]})
    assert seeded.status_code == 200, seeded.text
    objects = seeded.json()
    assert set(objects) == {"partners", "partner_policy", "deleted_partners", "deleted_items"}
    assert objects["partner_policy"][0]["tenantId"] == tid
    assert [p["tenantId"] for p in objects["partners"]] == [tid]
    assert graph.get(live(tid)).json()["displayName"] == "Seeded"
    assert graph.get(partner(tid)).json()["automaticUserConsentSettings"] == {"inboundAllowed": None, "outboundAllowed": None}

    data = {"partners": [{"tenantId": other, "isInMultiTenantOrganization": True, "inboundTrust": {"isMfaAccepted": True}}],
            "deleted_partners": [{"tenantId": gone, "deletedDateTime": "2025-06-18T22:58:04Z"}]}
    emu.set_objects(data)
    stored = emu.objects()
    assert stored["partner_policy"] == [] and stored["deleted_items"] == []
    assert stored["partners"][0]["isInMultiTenantOrganization"] is True
    assert stored["partners"][0]["inboundTrust"] == {"isMfaAccepted": True, "isCompliantDeviceAccepted": None,
                                                     "isHybridAzureADJoinedDeviceAccepted": None}
    assert graph.get(DELETED_PARTNERS + "/" + gone).json()["deletedDateTime"] == "2025-06-18T22:58:04Z"

    for bad in ({"partner_policy": [{"tenantId": tid, "nope": 1}]}, {"partners": [{"tenantId": tid, "b2BCollaborationInbound": {}}]},
                {"partners": [{"displayName": "no tenant"}]}, {"other": []}):
        assert emu_http.put(control + "/objects", json=bad).status_code == 400, bad
    assert emu_http.get(control).json()["tenant"] == emu.info["tenant"]
    assert emu_http.post(control + "/reset").status_code == 204
    assert emu.objects() == {"deleted_items": [], "partner_policy": [], "partners": [], "deleted_partners": []}
    minted = emu_http.post(control + "/tokens", json={"client_id": emu.info["readonly_client_id"]}).json()["access_token"]
    assert_graph_error(Graph(emu, emu_http, minted).delete(live(tid)), 403, "Authorization_RequestDenied")


def test_token_lifetime_is_configurable(emu, emu_http):
    assert emu_http.put(emu.info["control_url"] + "/config", json={"token_lifetime": 120}).json()["token_lifetime"] == 120
    result = confidential(emu, emu_http, emu.info["client_id"], emu.info["client_secret"]).acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result["expires_in"] <= 119
    claims = claims_of(result["access_token"])
    assert claims["exp"] - claims["iat"] == 120


def test_keep_alive_and_content_length(emu, token):
    context = ssl.create_default_context(cafile=emu.info["ca_path"])
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=context, timeout=5)
    try:
        for index in range(3):
            conn.request("GET", DELETED, headers={"Authorization": "Bearer " + token})
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(body)
            assert resp.getheader("request-id") and resp.getheader("client-request-id")
            if index == 0:
                sock = conn.sock
            assert conn.sock is sock
    finally:
        conn.close()


# ---- tokens Graph refuses after the fact: revocation and consent granted later --------------------

def sign_in(emu, session, prefix=""):
    result = confidential(emu, session, emu.info[prefix + "client_id"], emu.info[prefix + "client_secret"]).acquire_token_for_client(
        scopes=[emu.info["scope"]])
    return result["access_token"]


def test_revoked_tokens_are_refused(emu, emu_http):
    old = sign_in(emu, emu_http)
    reader = sign_in(emu, emu_http, "readonly_")
    minted = emu.issue_token()
    assert Graph(emu, emu_http, old).get(PARTNERS).status_code == 200
    resp = emu_http.post(emu.info["control_url"] + "/revoke-tokens")
    assert resp.status_code == 200 and resp.json()["revoked"] >= 3
    for access_token in (old, reader, minted):
        resp = Graph(emu, emu_http, access_token).get(PARTNERS)
        error = assert_graph_error(resp, 401, "InvalidAuthenticationToken")
        assert "TokenIssuedBeforeRevocationTimestamp" in error["message"]
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    fresh = sign_in(emu, emu_http)
    assert Graph(emu, emu_http, fresh).get(PARTNERS).status_code == 200

    # One app only: the other app's tokens stay good.
    reader = sign_in(emu, emu_http, "readonly_")
    assert emu.revoke_tokens(client_id=emu.info["client_id"]) == 1
    assert_graph_error(Graph(emu, emu_http, fresh).get(PARTNERS), 401, "InvalidAuthenticationToken")
    assert Graph(emu, emu_http, reader).get(PARTNERS).status_code == 200
    assert emu_http.post(emu.info["control_url"] + "/revoke-tokens", json={"client_id": new_tid()}).status_code == 400


def test_revoked_token_of_a_cae_capable_client_gets_a_claims_challenge(emu, emu_http):
    # Found by msgraph-sdk (tests/sdk): azure-identity declares client capability cp1, and Graph answers
    # such a client's revoked token with a claims challenge it can sign in again with.
    app = msal.ConfidentialClientApplication(
        emu.info["client_id"], client_credential=emu.info["client_secret"], authority=emu.info["authority"],
        instance_discovery=False, http_client=emu_http, client_capabilities=["CP1"])
    capable = app.acquire_token_for_client(scopes=[emu.info["scope"]])["access_token"]
    assert claims_of(capable)["xms_cc"] == ["CP1"]
    plain = sign_in(emu, emu_http)
    assert "xms_cc" not in claims_of(plain)
    revoked_at = int(time.time())
    emu.revoke_tokens()

    resp = Graph(emu, emu_http, capable).get(PARTNERS)
    assert_graph_error(resp, 401, "InvalidAuthenticationToken")
    header = resp.headers["WWW-Authenticate"]
    assert header.startswith('Bearer realm="", authorization_uri="') and ', error="insufficient_claims", claims="' in header
    claims = base64.b64decode(header.split('claims="', 1)[1].rstrip('"')).decode("utf-8")
    nbf = json.loads(claims)["access_token"]["nbf"]
    assert nbf["essential"] is True and int(nbf["value"]) >= revoked_at
    # The client passes the challenge to its next sign-in (MSAL merges it with its capabilities).
    again = app.acquire_token_for_client(scopes=[emu.info["scope"]], claims_challenge=claims)["access_token"]
    assert again != capable and claims_of(again)["xms_cc"] == ["CP1"]
    assert Graph(emu, emu_http, again).get(PARTNERS).status_code == 200

    # A client that declared nothing gets the bare 401, as before.
    resp = Graph(emu, emu_http, plain).get(PARTNERS)
    assert_graph_error(resp, 401, "InvalidAuthenticationToken")
    assert "insufficient_claims" not in resp.headers["WWW-Authenticate"]


def test_roles_granted_later_reach_only_new_tokens(emu, emu_http):
    control = emu.info["control_url"]
    client_id = emu.info["readonly_client_id"]
    before = sign_in(emu, emu_http, "readonly_")
    tid = new_tid()
    assert_graph_error(Graph(emu, emu_http, before).post(PARTNERS, {"tenantId": tid}), 403, "Authorization_RequestDenied")
    granted = emu_http.put("%s/apps/%s/roles" % (control, client_id), json={"roles": ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]})
    assert granted.status_code == 200 and granted.json()["roles"] == ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]
    assert emu_http.get("%s/apps/%s/roles" % (control, client_id)).json() == {"roles": granted.json()["roles"]}
    # The token minted before the grant carries the roles of its issue time.
    assert_graph_error(Graph(emu, emu_http, before).post(PARTNERS, {"tenantId": tid}), 403, "Authorization_RequestDenied")
    after = sign_in(emu, emu_http, "readonly_")
    assert claims_of(after)["roles"] == ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]
    assert Graph(emu, emu_http, after).post(PARTNERS, {"tenantId": tid}).status_code == 201
    # Withdrawn again, and back to start-up roles after reset.
    emu.set_app_roles(client_id, [])
    assert "roles" not in claims_of(sign_in(emu, emu_http, "readonly_"))
    emu.reset()
    assert emu.app_roles(client_id) == ["Policy.Read.All"]
    assert emu_http.put("%s/apps/%s/roles" % (control, new_tid()), json={"roles": []}).status_code == 400


def test_apps_added_at_run_time(emu, emu_http):
    control = emu.info["control_url"]
    client_id = new_tid()
    added = emu_http.post(control + "/apps", json={"client_id": client_id, "client_secret": "fixed~secret", "roles": ["Policy.Read.All"]})
    assert added.status_code == 201, added.text
    assert added.json()["client_id"] == client_id and added.json()["client_secret"] == "fixed~secret"
    assert client_id in [app["client_id"] for app in emu_http.get(control + "/apps").json()]
    result = confidential(emu, emu_http, client_id, "fixed~secret").acquire_token_for_client(scopes=[emu.info["scope"]])
    assert claims_of(result["access_token"])["roles"] == ["Policy.Read.All"]
    assert emu_http.post(control + "/apps", json={"client_id": client_id}).status_code == 400
    emu.reset()
    assert client_id not in [app["client_id"] for app in emu.apps()]


# ---- faults for answers Graph (or a gateway) may give: other 2xx, odd bodies, echoed tokens --------

@pytest.mark.parametrize("method, status", [("POST", 200), ("POST", 204)])
def test_partner_create_answered_with_another_2xx(graph, emu, method, status):
    tid = new_tid()
    emu.add_fault(method=method, path=PARTNERS_V1 + "$", status=status, apply=True)
    resp = graph.post(PARTNERS_V1, {"tenantId": tid})
    assert resp.status_code == status
    if status == 204:
        assert resp.content == b""
    else:
        assert resp.json()["tenantId"] == tid and resp.headers["Location"].endswith(tid)
    assert [p["tenantId"] for p in emu.objects()["partners"]] == [tid]


def test_put_answered_201_and_delete_answered_202(graph, emu):
    tid = create_partner(graph)
    emu.add_fault(method="PUT", path="/identitySynchronization$", status=201, apply=True)
    resp = graph.put(live(tid), {"displayName": "x"})
    assert resp.status_code == 201 and resp.content == b""
    assert graph.get(live(tid)).json()["displayName"] == "x"
    emu.add_fault(method="DELETE", path="/identitySynchronization$", status=202, apply=True)
    assert graph.delete(live(tid)).status_code == 202
    assert emu.objects()["partner_policy"] == []
    # Without apply the write does not happen: the 2xx is all there is.
    emu.add_fault(method="DELETE", path=partner(tid) + "$", status=202)
    assert graph.delete(partner(tid)).status_code == 202
    assert graph.get(partner(tid)).status_code == 200


@pytest.mark.parametrize("body, content_type", [("", None), ("<html>Created</html>", "text/html")])
def test_create_answered_201_with_an_unusable_body(graph, emu, body, content_type):
    tid = new_tid()
    emu.add_fault(method="POST", path=PARTNERS + "$", status=201, body=body, content_type=content_type, apply=True)
    resp = graph.post(PARTNERS, {"tenantId": tid})
    assert resp.status_code == 201 and resp.text == body
    assert graph.get(partner(tid)).status_code == 200


@pytest.mark.parametrize("body, content_type, expected", [
    ({}, None, {}),
    ([], None, []),
    ('"a string"', "application/json", "a string"),
])
def test_get_answered_200_with_something_else(graph, emu, body, content_type, expected):
    tid = create_policy(graph)
    emu.add_fault(method="GET", path=live(tid) + "$", status=200, body=body, content_type=content_type)
    resp = graph.get(live(tid))
    assert resp.status_code == 200 and resp.json() == expected


def test_get_answered_with_another_tenants_object(graph, emu):
    tid, other = create_policy(graph), new_tid()
    emu.add_fault(method="GET", path=live(tid) + "$", status=200, body_update={"tenantId": other, "userSyncInbound": {"isSyncAllowed": False}})
    got = graph.get(live(tid)).json()
    assert got["tenantId"] == other and got["displayName"] == "Fabrikam" and got["userSyncInbound"] == {"isSyncAllowed": False}
    assert got["@odata.context"].endswith("/identitySynchronization/$entity")
    assert graph.get(live(tid)).json()["tenantId"] == tid
    with pytest.raises(ValueError):
        emu.add_fault(status=404, body_update={"tenantId": other})


@pytest.mark.parametrize("mode, quoted", [(True, "Authorization: Bearer {token}"), ("header", "Authorization: Bearer {token}"),
                                          ("token", "Token: {token}")])
def test_error_message_echoing_the_authorization_header(graph, emu, mode, quoted):
    emu.add_fault(method="GET", path=PARTNERS + "$", status=502, echo_authorization=mode)
    error = assert_graph_error(graph.get(PARTNERS), 502, "BadGateway")
    assert error["message"].endswith(" " + quoted.format(token=graph.token))
    if mode == "token":
        assert "Bearer" not in error["message"]


def test_custom_body_quoting_the_token(graph, emu, emu_http):
    emu_http.post(emu.info["control_url"] + "/faults", json={
        "method": "GET", "path": "/partners$", "status": 401, "echo_authorization": "token", "content_type": "text/html",
        "body": "<html>gateway refused {authorization} ({token})</html>"})
    resp = graph.get(PARTNERS)
    assert resp.status_code == 401 and resp.text == "<html>gateway refused Bearer %s (%s)</html>" % (graph.token, graph.token)
    assert emu_http.post(emu.info["control_url"] + "/faults", json={"echo_authorization": "sometimes"}).status_code == 400


# ---- concurrency -------------------------------------------------------------------------------

def test_parallel_writes_lose_nothing(emu, token):
    tids = [new_tid() for index in range(12)]
    shared = new_tid()
    emu.set_objects({"partners": [{"tenantId": shared}]})
    settings = [("inboundTrust", {"isMfaAccepted": True}), ("automaticUserConsentSettings", {"inboundAllowed": True}),
                ("isServiceProvider", True), ("blockServiceProviderOutboundAccess", True),
                ("tenantRestrictions", {"devices": {"mode": "blocked", "rule": "device.isCompliant -eq True"}})]

    def work(job):
        session = requests.Session()
        session.trust_env = False
        session.verify = emu.info["ca_path"]
        graph = Graph(emu, session, token)
        try:
            if job[0] == "create":
                statuses = [graph.post(PARTNERS, {"tenantId": job[1]}).status_code,
                            graph.put(live(job[1]), {"displayName": job[1]}).status_code]
                statuses += [graph.patch(live(job[1]), {"userSyncInbound": {"isSyncAllowed": True}}).status_code]
                return statuses
            return [graph.patch(partner(shared), {job[1]: job[2]}).status_code]
        finally:
            session.close()

    jobs = [("create", tid) for tid in tids] + [("patch",) + item for item in settings]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(work, jobs))
    assert results == [[201, 204, 204]] * len(tids) + [[204]] * len(settings)
    stored = emu.objects()
    assert sorted(p["tenantId"] for p in stored["partner_policy"]) == sorted(tids)
    assert all(p["userSyncInbound"] == {"isSyncAllowed": True} and p["displayName"] == p["tenantId"] for p in stored["partner_policy"])
    merged = [p for p in stored["partners"] if p["tenantId"] == shared][0]
    assert merged["inboundTrust"]["isMfaAccepted"] is True and merged["automaticUserConsentSettings"]["inboundAllowed"] is True
    assert merged["isServiceProvider"] is True and merged["blockServiceProviderOutboundAccess"] is True
    assert merged["tenantRestrictions"]["devices"]["mode"] == "blocked"


def test_a_slow_request_does_not_hold_up_the_others(emu, emu_http, token):
    """The server answers each connection on its own thread and sleeps outside the store lock: while one
    request waits out its delay, another one is answered."""
    tid = create_policy(Graph(emu, emu_http, token))
    emu.add_fault(method="PATCH", path=live(tid) + "$", kind="delay", seconds=30)

    def slow():
        session = requests.Session()
        session.trust_env = False
        session.verify = emu.info["ca_path"]
        try:
            return Graph(emu, session, token).patch(live(tid), {"displayName": "slow"}, timeout=60).status_code
        finally:
            session.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(slow)
        for attempt in range(3000):
            if not emu.faults():
                break
            time.sleep(0.01)
        assert not emu.faults(), "the slow request never reached the emulator"
        # The delayed PATCH has taken its fault and is asleep; these are answered meanwhile.
        graph = Graph(emu, emu_http, token)
        assert graph.get(live(tid)).json()["displayName"] == "Fabrikam"
        assert graph.patch(live(tid), {"displayName": "fast"}).status_code == 204
        assert not pending.done()
        assert emu_http.post(emu.info["control_url"] + "/release-waits").status_code == 204
        assert pending.result(timeout=30) == 204
    assert graph.get(live(tid)).json()["displayName"] == "slow"


# ---- the same model in process, without sockets --------------------------------------------------

@pytest.fixture
def inproc():
    from tests.emulator.inprocess import InProcessEmulator

    with InProcessEmulator(tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47", domains=["contoso.onmicrosoft.com"]) as emulator:
        yield emulator


def test_in_process_signs_in_through_instance_discovery_and_serves_graph(inproc):
    session = inproc.session()
    app = msal.ConfidentialClientApplication(
        inproc.info["client_id"], client_credential=inproc.info["client_secret"],
        authority="https://login.microsoftonline.com/contoso.onmicrosoft.com", http_client=session)
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    claims = claims_of(result["access_token"])
    assert claims["iss"] == "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
    assert claims["aud"] == "https://graph.microsoft.com"
    assert "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration" in [e["path"] for e in inproc.requests("discovery")]
    discovery = session.get("https://login.microsoftonline.com/common/discovery/instance", params={
        "api-version": "1.1", "authorization_endpoint": "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"})
    assert discovery.json()["tenant_discovery_endpoint"] == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")

    graph = "https://graph.microsoft.com"
    headers = {"Authorization": "Bearer " + result["access_token"]}
    tid = new_tid()
    resp = session.put(graph + live(tid, "v1.0"), json={"displayName": "x"}, headers=headers)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "Request_ResourceNotFound"
    created = session.post(graph + PARTNERS_V1, json={"tenantId": tid}, headers=headers)
    assert created.status_code == 201 and created.json()["@odata.context"].startswith(graph + "/v1.0/$metadata#")
    assert created.headers["Content-Type"].startswith("application/json") and created.headers["request-id"]
    assert session.put(graph + live(tid, "v1.0"), json={"displayName": "x"}, headers=headers).status_code == 204
    conflict = session.put(graph + live(tid, "v1.0"), json={"displayName": "y"}, headers=headers)
    assert conflict.status_code == 409 and conflict.json()["error"]["details"][0]["code"] == "ConflictingObjects"
    wrong_case = session.patch(graph + partner(tid, "v1.0"), json={"b2BCollaborationInbound": None}, headers=headers)
    assert wrong_case.status_code == 400 and wrong_case.json()["error"]["message"] == "Invalid property 'b2BCollaborationInbound'."
    # A Graph token is for its own cloud only.
    us = session.get("https://graph.microsoft.us" + PARTNERS_V1, headers=headers)
    assert us.status_code == 401 and us.json()["error"]["code"] == "InvalidAuthenticationToken"
    # The control API answers on the owned origins too, and the Python methods see the same store.
    assert session.get(graph + "/_emulator/objects").json()["partner_policy"][0]["tenantId"] == tid
    assert [p["tenantId"] for p in inproc.objects()["partners"]] == [tid]
    assert inproc.sent[-1].url == graph + "/_emulator/objects" and inproc.sent[-2].headers["Authorization"] == headers["Authorization"]


def test_in_process_national_cloud_and_managed_identity(inproc, monkeypatch):
    session = inproc.session()
    result = msal.ConfidentialClientApplication(
        inproc.info["client_id"], client_credential=inproc.info["client_secret"],
        authority="https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47", http_client=session,
        instance_discovery=False).acquire_token_for_client(scopes=["https://graph.microsoft.us/.default"])
    resp = session.get("https://graph.microsoft.us" + PARTNERS, headers={"Authorization": "Bearer " + result["access_token"]})
    assert resp.status_code == 200 and resp.json()["@odata.context"].startswith("https://graph.microsoft.us/beta/$metadata#")

    monkeypatch.setenv("IDENTITY_ENDPOINT", inproc.info["identity_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", inproc.info["identity_header"])
    mi = msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=session).acquire_token_for_client(
        resource="https://graph.microsoft.com")
    resp = session.get("https://graph.microsoft.com" + PARTNERS, headers={"Authorization": "Bearer " + mi["access_token"]})
    assert resp.status_code == 200, resp.text
    assert inproc.requests("managed_identity")[-1]["path"] == "/msi/token"


def test_in_process_faults_and_unowned_urls(inproc):
    from tests.emulator.inprocess import UnownedURL

    session = inproc.session()
    headers = {"Authorization": "Bearer " + inproc.issue_token()}
    url = "https://graph.microsoft.com" + PARTNERS
    inproc.add_fault(method="GET", path=PARTNERS + "$", kind="hang", seconds=30)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(url, headers=headers, timeout=5)
    inproc.add_fault(method="POST", path=PARTNERS + "$", kind="drop", apply=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.post(url, json={"tenantId": new_tid()}, headers=headers)
    assert len(inproc.objects()["partners"]) == 1
    inproc.add_fault(method="GET", path=PARTNERS + "$", status=429, retry_after="7")
    throttled = session.get(url, headers=headers)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert session.get(url, headers=headers).status_code == 200
    with pytest.raises(UnownedURL):
        session.get("https://graph.example.com/v1.0/policies", headers=headers)
    assert inproc.add_origin("HTTPS://Graph.Example.com:443/v1.0") == "https://graph.example.com"
    other_cloud = session.get("https://graph.example.com/v1.0/policies/crossTenantAccessPolicy/partners", headers=headers)
    assert other_cloud.status_code == 401 and "audience" in other_cloud.json()["error"]["message"]

    inproc.install()
    try:
        plain = requests.Session()
        plain.trust_env = False
        assert plain.get(url, headers=headers).status_code == 200
        with pytest.raises(UnownedURL):
            plain.get("https://login.example.com/")
    finally:
        inproc.uninstall()
    assert [e["fault"] for e in inproc.requests("graph_read")] == ["hang", "status", None, None, None]
    assert inproc.sent[-1].verify is True


# ---- the command line --------------------------------------------------------------------------

def test_command_line_prints_info_serves_and_stops_on_sigterm(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--port", "0", "--state-dir", str(tmp_path), "--page-size", "7"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        session = requests.Session()
        session.trust_env = False
        session.verify = info["ca_path"]
        assert session.get(info["control_url"] + "/config").json()["page_size"] == 7
        assert session.get("%s/%s/v2.0/.well-known/openid-configuration" % (info["base_url"], info["tenant"])).status_code == 200
        session.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
