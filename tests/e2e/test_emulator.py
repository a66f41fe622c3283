# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator itself, driven by real MSAL and requests: every sign-in method, Graph's
documented status codes and error bodies, paging, faults, latency and the request log."""

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
PARTNERS = "/beta/policies/crossTenantAccessPolicy/partners"
ENTITY_TYPE = "#microsoft.graph.crossTenantIdentitySyncPolicyPartner"
PROPERTIES = {"tenantId", "displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId", "userSyncInbound", "groupSyncInbound"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def live(tenant_id):
    return "%s/%s/identitySynchronization" % (PARTNERS, tenant_id)


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

@pytest.mark.parametrize("body, fragment", [
    ({"tenantId": "T", "foo": 1}, "'foo'"),
    ({"tenantId": "T", "userSyncInbound": {"isSyncAllowed": True, "bar": 1}}, "userSyncInbound.bar"),
    ({"tenantId": "T", "userSyncInbound": {"isSyncAllowed": "yes"}}, "Edm.Boolean"),
    ({"tenantId": "T", "displayName": 5}, "Edm.String"),
    ({"tenantId": "T", "userSyncInbound": True}, "crossTenantUserSyncInbound"),
    ({"tenantId": "T", "deletedDateTime": "yesterday"}, "deletedDateTime"),
    ({"tenantId": "T", "deletedDateTime": "2025-06-18T23:11:01"}, "deletedDateTime"),
    ({"tenantId": "T", "deletedDateTime": "2025-02-30T00:00:00Z"}, "deletedDateTime"),
    ({"tenantId": "T", "groupSyncInbound": {"isSyncAllowed": None}}, "not nullable"),
    ({"tenantId": "T", "@odata.type": "#microsoft.graph.user"}, "microsoft.graph.user"),
    ({"displayName": "no tenant"}, "tenantId"),
    ({"tenantId": "not-a-guid"}, "GUID"),
    (["not", "an", "object"], "JSON object"),
])
def test_create_rejects_bodies_that_do_not_fit_the_type(graph, body, fragment):
    if isinstance(body, dict) and body.get("tenantId") == "T":
        body["tenantId"] = new_tid()
    error = assert_graph_error(graph.post(DELETED, body), 400, "BadRequest")
    assert fragment in error["message"]


def test_malformed_json_and_mismatched_tenant(graph):
    resp = graph.call("POST", DELETED, data=b"{not json", headers={"Content-Type": "application/json"})
    assert_graph_error(resp, 400, "BadRequest")
    tid = new_tid()
    assert_graph_error(graph.put(live(tid), {"tenantId": new_tid()}), 400, "BadRequest")
    assert graph.put(live(tid), {"tenantId": tid.upper()}).status_code == 204


def test_documented_example_bodies_are_accepted(graph):
    tid = new_tid()
    created = graph.post(DELETED, {
        "@odata.type": ENTITY_TYPE, "deletedDateTime": "2025-06-18T23:11:01+02:00", "tenantId": tid,
        "displayName": "String", "externalCloudAuthorizedApplicationId": "String",
        "userSyncInbound": {"@odata.type": "microsoft.graph.crossTenantUserSyncInbound"},
    })
    assert created.status_code == 201, created.text
    assert created.json()["deletedDateTime"] == "2025-06-18T21:11:01Z"
    assert graph.put(live(tid), {"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}).status_code == 204
    assert graph.patch(live(tid), {"userSyncInbound": {"isSyncAllowed": True}}).status_code == 204


# ---- Graph: CRUD with the documented status codes --------------------------------------------

def test_deleted_items_crud(graph, emu):
    tid = new_tid()
    created = graph.post(DELETED, {"@odata.type": ENTITY_TYPE, "tenantId": tid.upper(), "displayName": "Contoso",
                                   "userSyncInbound": {"isSyncAllowed": True}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == PROPERTIES | {"@odata.context"}
    assert body["tenantId"] == tid and body["deletedDateTime"].endswith("Z") and body["groupSyncInbound"] is None
    assert body["@odata.context"] == emu.info["base_url"] + "/beta/$metadata#policies/deletedItems/crossTenantSyncPolicyPartners/$entity"

    conflict = graph.post(DELETED, {"tenantId": tid})
    assert_graph_error(conflict, 409, "Request_MultipleObjectsWithSameKeyValue")

    got = graph.get(DELETED + "/" + tid.upper())
    assert got.status_code == 200 and got.json() == body

    replaced = graph.put(DELETED + "/" + tid, {"tenantId": tid, "displayName": "Contoso 2", "groupSyncInbound": {"isSyncAllowed": True}})
    assert replaced.status_code == 204 and replaced.content == b""
    after = graph.get(DELETED + "/" + tid).json()
    assert after["displayName"] == "Contoso 2" and after["userSyncInbound"] is None
    assert after["groupSyncInbound"] == {"isSyncAllowed": True} and after["deletedDateTime"] == body["deletedDateTime"]

    assert graph.get(DELETED + "/$count").text == "1"
    assert graph.delete(DELETED + "/" + tid).status_code == 204
    assert_graph_error(graph.get(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.delete(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.put(DELETED + "/" + tid, {"displayName": "x"}), 404, "Request_ResourceNotFound")


def test_partner_policy_crud_and_soft_delete(graph, emu):
    tid = new_tid()
    assert_graph_error(graph.get(live(tid)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.patch(live(tid), {"displayName": "x"}), 404, "Request_ResourceNotFound")
    assert graph.put(live(tid), {"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}).status_code == 204
    got = graph.get(live(tid)).json()
    assert got["tenantId"] == tid and got["displayName"] == "Fabrikam" and got["deletedDateTime"] is None
    assert set(got) == PROPERTIES | {"@odata.context"}

    assert graph.patch(live(tid), {"groupSyncInbound": {"isSyncAllowed": True}}).status_code == 204
    got = graph.get(live(tid)).json()
    assert got["displayName"] == "Fabrikam" and got["userSyncInbound"] == {"isSyncAllowed": True}
    assert got["groupSyncInbound"] == {"isSyncAllowed": True}

    assert graph.put(live(tid), {"displayName": "Replaced"}).status_code == 204
    got = graph.get(live(tid)).json()
    assert got["userSyncInbound"] is None and got["groupSyncInbound"] is None

    listed = graph.get(PARTNERS + "?$expand=identitySynchronization").json()["value"]
    assert [p["identitySynchronization"]["displayName"] for p in listed] == ["Replaced"]

    assert graph.delete(live(tid)).status_code == 204
    assert_graph_error(graph.get(live(tid)), 404, "Request_ResourceNotFound")
    deleted = graph.get(DELETED + "/" + tid).json()
    assert deleted["displayName"] == "Replaced" and deleted["deletedDateTime"].endswith("Z")
    assert emu.objects() == {"deleted_items": [{k: deleted[k] for k in PROPERTIES}], "partner_policy": []}


def test_restore(graph):
    tid = new_tid()
    assert graph.put(live(tid), {"displayName": "Woodgrove", "userSyncInbound": {"isSyncAllowed": False}}).status_code == 204
    assert graph.delete(live(tid)).status_code == 204
    deleted_at = graph.get(DELETED + "/" + tid).json()["deletedDateTime"]

    restored = graph.post(DELETED + "/" + tid + "/restore")
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["@odata.context"].endswith("$metadata#microsoft.graph.crossTenantIdentitySyncPolicyPartner")
    assert body["displayName"] == "Woodgrove" and body["deletedDateTime"] >= deleted_at
    assert graph.get(live(tid)).json()["deletedDateTime"] is None
    assert_graph_error(graph.get(DELETED + "/" + tid), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.post(DELETED + "/" + tid + "/restore"), 404, "Request_ResourceNotFound")

    assert graph.post(DELETED, {"tenantId": tid}).status_code == 201
    assert_graph_error(graph.post(DELETED + "/" + tid + "/restore"), 409, "Request_MultipleObjectsWithSameKeyValue")


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

    first = graph.get(DELETED + "?$top=4").json()
    assert len(first["value"]) == 4 and "$top=4" in first["@odata.nextLink"]
    assert [i["tenantId"] for i in graph.get(first["@odata.nextLink"]).json()["value"]] == tids[4:]
    assert_graph_error(graph.get(DELETED + "?$skiptoken=garbage!"), 400, "BadRequest")
    assert_graph_error(graph.get(DELETED + "?$top=0"), 400, "BadRequest")


def test_unknown_segment_and_method(graph):
    assert_graph_error(graph.get("/beta/policies/deletedItems/somethingElse"), 400, "BadRequest")
    assert graph.patch(DELETED + "/" + new_tid(), {"displayName": "x"}).status_code == 405


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
    tid = new_tid()
    seeded = emu_http.put(control + "/objects", json={"partner_policy": [{"tenantId": tid.upper(), "displayName": "Seeded"}]})
    assert seeded.status_code == 200 and seeded.json()["partner_policy"][0]["tenantId"] == tid
    assert graph.get(live(tid)).json()["displayName"] == "Seeded"
    assert emu_http.put(control + "/objects", json={"partner_policy": [{"tenantId": tid, "nope": 1}]}).status_code == 400
    assert emu_http.get(control).json()["tenant"] == emu.info["tenant"]
    assert emu_http.post(control + "/reset").status_code == 204
    assert emu.objects() == {"deleted_items": [], "partner_policy": []}
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
