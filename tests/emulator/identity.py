# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Entra ID side of the emulator: one directory (tenant), its app registrations
and managed identities, the v2.0 sign-in endpoints, the two managed identity endpoints
(App Service and IMDS), and the access tokens Graph accepts."""

import base64
import hmac
import json
import secrets
import threading
import time
import urllib.parse
import uuid

import jwt

from cryptography import x509

from . import pki
from .wire import Response, utcnow

READ_ROLE = "Policy.Read.All"
WRITE_ROLE = "Policy.ReadWrite.CrossTenantAccess"
FIC_AUDIENCE = "api://AzureADTokenExchange"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
APP_SERVICE_API_VERSION = "2019-08-01"
IMDS_API_VERSION = "2018-02-01"
# Entra tolerates five minutes of clock skew on client assertions.
ASSERTION_SKEW = 300
# Scopes MSAL adds to user flows; Entra ignores them when it looks for the resource.
RESERVED_SCOPES = frozenset(["openid", "profile", "offline_access", "email"])
# Resources the real directory knows besides the emulator's own Graph: a token for them is issued
# (as Entra would) and then rejected by the emulator's Graph for its audience.
FOREIGN_GRAPH_RESOURCES = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "00000003-0000-0000-c000-000000000000",
)
ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
# What Graph says when continuous access evaluation finds a token issued before the user's or app's
# revocation time (an administrator reset a credential or disabled the app).
REVOKED_MESSAGE = ("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: "
                   "TokenIssuedBeforeRevocationTimestamp")


class EntraError(Exception):
    """An error the v2.0 token endpoint reports in its OAuth format with an AADSTS code."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description


class TokenRejected(Exception):
    """Graph refuses the bearer token (401 InvalidAuthenticationToken). `claims` is the claims challenge
    (base64 of a JSON claims request) Graph adds to WWW-Authenticate for a client that declared it can
    answer one."""

    def __init__(self, message, claims=None):
        super().__init__(message)
        self.claims = claims


def client_capabilities(claims):
    """The client capabilities a token request declares in its `claims` parameter
    ({"access_token": {"xms_cc": {"values": ["cp1"]}}}, as MSAL sends for client_capabilities); Entra
    copies them into the access token's xms_cc claim. A parameter that is not such JSON declares none."""
    try:
        request = json.loads(claims) if claims else None
    except ValueError:
        return []
    node = request
    for key in ("access_token", "xms_cc", "values"):
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return []
    return [value for value in node if isinstance(value, str)]


def can_answer_claims_challenges(token_claims):
    # "cp1" is the capability of handling claims challenges (Entra: claims challenges, claims requests
    # and client capabilities); MSAL and azure-identity send it in upper case.
    values = token_claims.get("xms_cc")
    return isinstance(values, list) and any(isinstance(value, str) and value.lower() == "cp1" for value in values)


class Principal:
    """An app registration with its service principal, or a managed identity."""

    def __init__(self, name, roles, managed=False, resource_id=None, client_id=None, added=False):
        self.name = name
        self.client_id = (client_id or str(uuid.uuid4())).lower()
        self.object_id = str(uuid.uuid4())
        self.roles = list(roles)
        # What reset() restores: the roles at start-up; apps added at run time go away.
        self.initial_roles = list(roles)
        self.added = added
        self.managed = managed
        self.resource_id = resource_id
        self.secrets = []
        self.certs = []
        self.federated = []

    def summary(self):
        data = {"client_id": self.client_id, "object_id": self.object_id, "roles": list(self.roles)}
        if self.resource_id:
            data["resource_id"] = self.resource_id
        return data


class CertificateCredential:
    def __init__(self, cert):
        self.sha1, self.sha256 = pki.thumbprints(cert)
        self.public_key = cert.public_key()
        self.not_before = cert.not_valid_before_utc
        self.not_after = cert.not_valid_after_utc

    def matches(self, header):
        """True when the assertion's x5t#S256 or x5t names this certificate."""
        for name, thumb in (("x5t#S256", self.sha256), ("x5t", self.sha1)):
            value = header.get(name)
            if isinstance(value, str) and _thumb_bytes(value) == bytes.fromhex(thumb):
                return True
        return False


class FederatedCredential:
    def __init__(self, issuer, subject, audiences=(FIC_AUDIENCE,)):
        self.issuer = issuer
        self.subject = subject
        self.audiences = list(audiences)


def _thumb_bytes(value):
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return b""


def _entra_time(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def _assertion_time(epoch):
    """Times in AADSTS700024 messages use .NET's seven fractional digits."""
    moment = time.gmtime(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + ".0000000Z"


class Directory:
    """The home tenant. Everything is generated fresh at construction; nothing persists.

    `base_url` is the primary origin (the info line's URLs, managed identity tokens' issuer); `origins`
    holds every origin the directory answers on: each is an authority whose issuer Graph accepts and a
    Graph resource a token can be issued for. The TLS emulator has one; the in-process one several."""

    def __init__(self, state_dir, base_url, ca_key, ca_cert, token_lifetime=3600, tenant_id=None, domains=(), new_key=None):
        new_key = new_key or pki.new_rsa_key
        self.base_url = base_url
        self.origins = {base_url}
        self.tenant_id = (tenant_id or str(uuid.uuid4())).lower()
        # Verified domain names that sign-in accepts in place of the tenant ID (e.g. contoso.onmicrosoft.com).
        self.domains = {domain.lower() for domain in domains}
        self.issuer = self.issuer_for(base_url)
        self.token_endpoint = self.token_endpoint_for(base_url)
        self.token_lifetime = token_lifetime
        self._lock = threading.Lock()
        # uti -> client_id of every access token issued and not revoked; uti -> revocation time (epoch
        # seconds) of every revoked one.
        self._issued = {}
        self._revoked = {}

        self.signing_key = new_key()
        signing_cert = pki.make_leaf(ca_key, ca_cert, "entra.graph emulator token signing", key=self.signing_key)[1]
        self.kid = pki.b64url(bytes.fromhex(pki.thumbprints(signing_cert)[0]))
        self._jwks = {"keys": [pki.jwk(self.signing_key, self.kid, signing_cert, self.issuer)]}

        # The "external OIDC issuer" stands for GitHub Actions or an AKS cluster: it signs the
        # tokens that workload identity federation exchanges.
        self.oidc_issuer = base_url + "/oidc"
        self.oidc_key = new_key()
        self.oidc_kid = "emulator-oidc-1"
        self._oidc_keys = {self.oidc_issuer: self.oidc_key}
        self.federated_subject = "system:serviceaccount:ansible:entra-graph"

        self.identity_header = secrets.token_urlsafe(24)
        # Opt-in (record_tokens): every access token issued and client assertion received, so that
        # tests can look for them in a client's output. None when off.
        self.recorded = None
        self.principals = {}
        self.write_app = self._add(Principal("entra.graph emulator writer", [READ_ROLE, WRITE_ROLE]))
        self.write_secret = self._add_secret(self.write_app)
        self.readonly_app = self._add(Principal("entra.graph emulator reader", [READ_ROLE]))
        self.readonly_secret = self._add_secret(self.readonly_app)
        self.norole_app = self._add(Principal("entra.graph emulator no roles", []))
        self.norole_secret = self._add_secret(self.norole_app)

        # One app with two certificates: a plain PEM and one whose key is encrypted.
        self.cert_app = self._add(Principal("entra.graph emulator certificate", [READ_ROLE, WRITE_ROLE]))
        cert_key = new_key()
        cert = pki.make_self_signed(cert_key, "entra.graph emulator client")
        enc_key = new_key()
        enc_cert = pki.make_self_signed(enc_key, "entra.graph emulator client (encrypted key)")
        self.cert_app.certs = [CertificateCredential(cert), CertificateCredential(enc_cert)]
        self.cert_password = secrets.token_urlsafe(16)
        self.cert_path = pki.write_file(
            "%s/client_cert.pem" % state_dir, pki.key_pem(cert_key) + pki.cert_pem(cert), private=True)
        self.cert_encrypted_path = pki.write_file(
            "%s/client_cert_encrypted.pem" % state_dir,
            pki.key_pem(enc_key, self.cert_password) + pki.cert_pem(enc_cert), private=True)
        self.cert_thumbprint, self.cert_thumbprint_sha256 = pki.thumbprints(cert)
        self.cert_encrypted_thumbprint = pki.thumbprints(enc_cert)[0]

        self.federated_app = self._add(Principal("entra.graph emulator workload identity", [READ_ROLE, WRITE_ROLE]))
        self.federated_app.federated = [FederatedCredential(self.oidc_issuer, self.federated_subject)]
        self.federated_token_file = pki.write_file(
            "%s/federated_token" % state_dir,
            self.make_federated_assertion(lifetime=30 * 86400).encode("ascii"), private=True)

        subscription = str(uuid.uuid4())
        self.mi_system = self._add(Principal(
            "emulator-app-service", [READ_ROLE, WRITE_ROLE], managed=True,
            resource_id="/subscriptions/%s/resourceGroups/entra-graph/providers/Microsoft.Web/sites/emulator" % subscription))
        self.mi_user = self._add(Principal(
            "entra-graph-automation", [READ_ROLE, WRITE_ROLE], managed=True,
            resource_id="/subscriptions/%s/resourceGroups/entra-graph/providers/"
                        "Microsoft.ManagedIdentity/userAssignedIdentities/entra-graph-automation" % subscription))

    # ---- registry -------------------------------------------------------------------------

    def _add(self, principal):
        self.principals[principal.client_id] = principal
        return principal

    @staticmethod
    def _add_secret(principal):
        # Shaped like a real secret value (40 chars with a '~'), which catches clients that mangle it.
        value = secrets.token_urlsafe(22)[:28] + "~" + secrets.token_urlsafe(10)[:11]
        principal.secrets.append(value)
        return value

    def find(self, client_id):
        return self.principals.get((client_id or "").strip().lower())

    def issuer_for(self, origin):
        return "%s/%s/v2.0" % (origin, self.tenant_id)

    def token_endpoint_for(self, origin):
        return "%s/%s/oauth2/v2.0/token" % (origin, self.tenant_id)

    def add_app(self, client_id=None, client_secret=None, roles=None, certificate=None, name=None):
        """Register an app (gone after reset). Without a secret or certificate it gets a generated secret.
        certificate: a PEM certificate (str or bytes) whose key signs the app's client assertions."""
        if client_id is not None and (not isinstance(client_id, str) or not client_id.strip()):
            raise ValueError("client_id must be a string")
        if client_id is not None and self.find(client_id) is not None:
            raise ValueError("an app with client_id %s exists" % client_id)
        roles = [READ_ROLE, WRITE_ROLE] if roles is None else roles
        if not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles must be a list of strings")
        if client_secret is not None and (not isinstance(client_secret, str) or not client_secret):
            raise ValueError("client_secret must be a non-empty string")
        principal = Principal(name or "entra.graph emulator app", roles, client_id=client_id and client_id.strip(), added=True)
        if certificate is not None:
            data = certificate.encode("ascii") if isinstance(certificate, str) else certificate
            try:
                principal.certs.append(CertificateCredential(x509.load_pem_x509_certificate(data)))
            except (ValueError, TypeError) as exc:
                raise ValueError("certificate is not a PEM certificate: %s" % exc)
        if client_secret is not None:
            principal.secrets.append(client_secret)
        elif certificate is None:
            self._add_secret(principal)
        self._add(principal)
        return self.app_summary(principal)

    @staticmethod
    def app_summary(principal):
        data = {"client_id": principal.client_id, "name": principal.name, "roles": list(principal.roles),
                "managed": principal.managed}
        if principal.secrets:
            data["client_secret"] = principal.secrets[0]
        return data

    def set_roles(self, client_id, roles):
        """Grant (or take away) application permissions. Tokens carry the roles of their issue time:
        one issued before the change keeps the old roles, as after an admin consent in Entra ID."""
        principal = self.find(client_id)
        if principal is None:
            raise KeyError(client_id)
        if not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles must be a list of strings")
        principal.roles = list(roles)
        return self.app_summary(principal)

    def revoke_tokens(self, client_id=None):
        """Every access token issued so far (to client_id, or to anyone) is refused from now on; returns how many."""
        wanted = None if client_id is None else client_id.strip().lower()
        now = int(time.time())
        with self._lock:
            gone = [uti for uti, owner in self._issued.items() if wanted is None or owner == wanted]
            for uti in gone:
                del self._issued[uti]
                self._revoked[uti] = now
        return len(gone)

    def reset(self):
        """Start-up roles, no apps added at run time, no revocations."""
        for client_id, principal in list(self.principals.items()):
            if principal.added:
                del self.principals[client_id]
            else:
                principal.roles = list(principal.initial_roles)
        with self._lock:
            self._revoked.clear()
        self.record_tokens(False)

    def info(self):
        return {
            "tenant": self.tenant_id,
            "issuer": self.issuer,
            "token_endpoint": self.token_endpoint,
            "client_id": self.write_app.client_id,
            "client_secret": self.write_secret,
            "readonly_client_id": self.readonly_app.client_id,
            "readonly_client_secret": self.readonly_secret,
            "norole_client_id": self.norole_app.client_id,
            "norole_client_secret": self.norole_secret,
            "cert_client_id": self.cert_app.client_id,
            "cert_path": self.cert_path,
            "cert_thumbprint": self.cert_thumbprint,
            "cert_thumbprint_sha256": self.cert_thumbprint_sha256,
            "cert_encrypted_client_id": self.cert_app.client_id,
            "cert_encrypted_path": self.cert_encrypted_path,
            "cert_password": self.cert_password,
            "cert_encrypted_thumbprint": self.cert_encrypted_thumbprint,
            "federated_client_id": self.federated_app.client_id,
            "federated_token_file": self.federated_token_file,
            "federated_issuer": self.oidc_issuer,
            "federated_subject": self.federated_subject,
            "federated_audience": FIC_AUDIENCE,
            "identity_endpoint": self.base_url + "/msi/token",
            "identity_header": self.identity_header,
            "imds_host": self.base_url,
            "mi_system_principal": self.mi_system.summary(),
            "mi_user_client_id": self.mi_user.client_id,
            "mi_user_object_id": self.mi_user.object_id,
            "mi_user_resource_id": self.mi_user.resource_id,
        }

    # ---- tokens ---------------------------------------------------------------------------

    def record_tokens(self, on):
        """Start (with empty lists) or stop recording issued access tokens and received client assertions."""
        self.recorded = {"access_tokens": [], "client_assertions": []} if on else None

    def _record(self, kind, value):
        recorded = self.recorded
        if recorded is not None and value:
            recorded[kind].append(value)

    def issue_token(self, principal, audience, lifetime=None, acr="1", roles=None, issuer=None, capabilities=None):
        """An RS256 access token shaped like Entra's; returns (token, lifetime seconds). capabilities: the
        client capabilities the token request declared (xms_cc)."""
        lifetime = self.token_lifetime if lifetime is None else lifetime
        now = int(time.time())
        issuer = issuer or self.issuer
        claims = {
            "aud": audience,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "aio": secrets.token_urlsafe(32),
            "appid": principal.client_id,
            "appidacr": acr,
            "azp": principal.client_id,
            "azpacr": acr,
            "idp": issuer,
            "idtyp": "app",
            "oid": principal.object_id,
            "sub": principal.object_id,
            "tid": self.tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "2.0",
        }
        granted = principal.roles if roles is None else list(roles)
        # Entra leaves the claim out altogether when the app has no application permissions.
        if granted:
            claims["roles"] = list(granted)
        if principal.managed:
            claims["xms_mirid"] = principal.resource_id
        if capabilities:
            claims["xms_cc"] = list(capabilities)
        token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid, "x5t": self.kid})
        with self._lock:
            self._issued[claims["uti"]] = principal.client_id
        self._record("access_tokens", token)
        return token, lifetime

    def make_federated_assertion(self, subject=None, issuer=None, audience=FIC_AUDIENCE, lifetime=3600, key=None):
        """A token from the external OIDC issuer, as a CI system or Kubernetes would mint it."""
        now = int(time.time())
        claims = {
            "iss": issuer or self.oidc_issuer,
            "sub": subject or self.federated_subject,
            "aud": audience,
            "iat": now,
            "nbf": now if lifetime > 0 else now + lifetime - 60,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, key or self.oidc_key, algorithm="RS256", headers={"kid": self.oidc_kid})

    def validate_access_token(self, token, audience):
        """Graph's checks; returns the claims or raises TokenRejected with Graph's message."""
        if not token:
            raise TokenRejected("Access token is empty.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("CompactToken parsing failed with error code: 80049217")
        if header.get("alg") != "RS256":
            raise TokenRejected("Access token validation failure. Invalid signature.")
        try:
            claims = jwt.decode(token, self.signing_key.public_key(), algorithms=["RS256"], options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "verify_iss": False,
            })
        except jwt.InvalidSignatureError:
            raise TokenRejected("Access token validation failure. Invalid signature.")
        except jwt.PyJWTError:
            raise TokenRejected("CompactToken parsing failed with error code: 80049217")
        if claims.get("iss") not in {self.issuer_for(origin) for origin in self.origins} or claims.get("tid") != self.tenant_id:
            raise TokenRejected("Access token validation failure. Invalid issuer.")
        with self._lock:
            revoked_at = self._revoked.get(claims.get("uti"))
        if revoked_at is not None:
            # Graph sends a claims challenge only to a client that declared it can answer one (xms_cc
            # "cp1"): a claims request for a token issued after the revocation ({"access_token": {"nbf":
            # {"essential": true, "value": "<epoch seconds>"}}}), which the client passes to its next
            # token request. Others just get the 401.
            challenge = None
            if can_answer_claims_challenges(claims):
                request = {"access_token": {"nbf": {"essential": True, "value": str(revoked_at)}}}
                challenge = base64.b64encode(json.dumps(request, separators=(",", ":")).encode("utf-8")).decode("ascii")
            raise TokenRejected(REVOKED_MESSAGE, claims=challenge)
        # No clock-skew allowance: issuer and Graph share one clock here, and tests need short
        # lifetimes to expire promptly.
        now = time.time()
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or now >= exp:
            raise TokenRejected("Lifetime validation failed, the token is expired.")
        if isinstance(claims.get("nbf"), (int, float)) and now < claims["nbf"]:
            raise TokenRejected("Lifetime validation failed, the token is not yet valid.")
        if str(claims.get("aud", "")).rstrip("/") != audience.rstrip("/"):
            raise TokenRejected("Access token validation failure. Invalid audience.")
        return claims

    # ---- HTTP: discovery ----------------------------------------------------------------------

    def known_tenant(self, tenant):
        tenant = (tenant or "").lower()
        return tenant == self.tenant_id or tenant in self.domains

    def handle_instance_discovery(self, req):
        """MSAL's instance discovery (GET /common/discovery/instance), for authority hosts it knows."""
        endpoint = req.param("authorization_endpoint") or ""
        parts = urllib.parse.urlsplit(endpoint)
        tenant = (parts.path.strip("/").split("/") or ["common"])[0] or "common"
        host = urllib.parse.urlsplit(req.base_url).netloc
        return Response.json(200, {
            "tenant_discovery_endpoint": "%s/%s/v2.0/.well-known/openid-configuration" % (req.base_url, tenant),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        })

    def handle_discovery(self, req, tenant):
        if not self.known_tenant(tenant):
            return self.oauth_error(req, EntraError(
                400, "invalid_tenant", 90002, self._tenant_not_found(tenant)))
        base, tid = req.base_url, self.tenant_id
        host = urllib.parse.urlsplit(base).netloc
        return Response.json(200, {
            "token_endpoint": self.token_endpoint_for(base),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base, tid),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": self.issuer_for(base),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": base + "/oidc/userinfo",
            "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (base, tid),
            "device_authorization_endpoint": "%s/%s/oauth2/v2.0/devicecode" % (base, tid),
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": "%s/%s/oauth2/v2.0/logout" % (base, tid),
            "claims_supported": [
                "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                "name", "tid", "ver", "at_hash", "c_hash", "email",
            ],
            "kerberos_endpoint": "%s/%s/kerberos" % (base, tid),
            "tenant_region_scope": "WW",
            "cloud_instance_name": host,
            "cloud_graph_host_name": host,
            "msgraph_host": host,
            "rbac_url": base,
        })

    def handle_keys(self, req, tenant):
        if tenant.lower() not in ("common", "organizations") and not self.known_tenant(tenant):
            return self.oauth_error(req, EntraError(400, "invalid_tenant", 90002, self._tenant_not_found(tenant)))
        return Response.json(200, self._jwks)

    def handle_oidc_discovery(self, req):
        return Response.json(200, {
            "issuer": self.oidc_issuer,
            "jwks_uri": self.oidc_issuer + "/keys",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    def handle_oidc_keys(self, req):
        return Response.json(200, {"keys": [pki.jwk(self.oidc_key, self.oidc_kid)]})

    # ---- HTTP: token endpoint ---------------------------------------------------------------

    def handle_token(self, req, tenant):
        try:
            return self._token(req, tenant)
        except EntraError as exc:
            return self.oauth_error(req, exc)

    def _token(self, req, tenant):
        if not self.known_tenant(tenant):
            raise EntraError(400, "invalid_request", 90002, self._tenant_not_found(tenant))
        if req.method != "POST":
            raise EntraError(400, "invalid_request", 900561,
                             "The endpoint only accepts POST requests. Received a %s request." % req.method)
        form = urllib.parse.parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        field = {name: values[0] for name, values in form.items()}
        basic_id, basic_secret = self._basic_auth(req)

        grant_type = field.get("grant_type")
        if not grant_type:
            raise _missing("grant_type")
        if grant_type != "client_credentials":
            raise EntraError(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type '%s'." % grant_type)
        client_id = field.get("client_id") or basic_id
        assertion = field.get("client_assertion")
        self._record("client_assertions", assertion)
        if not client_id and assertion:
            try:
                client_id = jwt.decode(assertion, options={"verify_signature": False}).get("sub")
            except jwt.PyJWTError:
                client_id = None
        if not client_id:
            raise _missing("client_id")
        principal = self.find(client_id)
        if principal is None or principal.managed:
            raise EntraError(400, "unauthorized_client", 700016, (
                "Application with identifier '%s' was not found in the directory '%s'. This can happen if the "
                "application has not been installed by the administrator of the tenant or consented to by any user "
                "in the tenant. You may have sent your authentication request to the wrong tenant."
            ) % (client_id, self.tenant_id))

        if field.get("client_assertion_type") or assertion:
            if field.get("client_assertion_type") != JWT_BEARER:
                raise EntraError(400, "invalid_request", 50027,
                                 "Invalid client_assertion_type '%s'." % field.get("client_assertion_type", ""))
            if not assertion:
                raise _missing("client_assertion")
            acr = self._check_assertion(req, principal, client_id, assertion)
        else:
            secret = field.get("client_secret") or basic_secret
            if not secret:
                raise EntraError(401, "invalid_client", 7000218,
                                 "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
            if not any(hmac.compare_digest(secret.encode("utf-8"), known.encode("utf-8")) for known in principal.secrets):
                raise EntraError(401, "invalid_client", 7000215, (
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                    "value, not the client secret ID, for a secret added to app '%s'."
                ) % principal.client_id)
            acr = "1"

        resource = self._resource_from_scope(field.get("scope"))
        token, lifetime = self.issue_token(principal, resource, acr=acr, issuer=self.issuer_for(req.base_url),
                                           capabilities=client_capabilities(field.get("claims")))
        return Response.json(200, {
            "token_type": "Bearer",
            "expires_in": max(lifetime - 1, 0),
            "ext_expires_in": max(lifetime - 1, 0),
            "access_token": token,
        })

    @staticmethod
    def _basic_auth(req):
        value = req.header("authorization") or ""
        if not value.lower().startswith("basic "):
            return None, None
        try:
            decoded = base64.b64decode(value[6:].strip()).decode("utf-8")
        except ValueError:
            return None, None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None, None
        return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)

    def _resource_from_scope(self, scope):
        if not scope:
            raise _missing("scope")
        scopes = [item for item in scope.split() if item.lower() not in RESERVED_SCOPES]
        for item in scopes:
            if not item.endswith("/.default"):
                raise EntraError(400, "invalid_scope", 1002012, (
                    "The provided value for scope %s is not valid. Client credential flows must have a scope value "
                    "with /.default suffixed to the resource identifier (application ID URI)."
                ) % item)
        resources = set(item[:-len("/.default")].rstrip("/") for item in scopes)
        if len(resources) != 1 or not next(iter(resources)):
            raise EntraError(400, "invalid_scope", 70011, (
                "The provided request must include a 'scope' input parameter. The provided value for the input "
                "parameter 'scope' is not valid. The scope %s is not valid."
            ) % scope)
        resource = resources.pop()
        self._check_resource(resource)
        return resource

    def _check_resource(self, resource):
        known = [origin.lower() for origin in self.origins] + [item.lower() for item in FOREIGN_GRAPH_RESOURCES]
        if resource.rstrip("/").lower() not in known:
            raise EntraError(400, "invalid_resource", 500011, (
                "The resource principal named %s was not found in the tenant named %s. This can happen if the "
                "application has not been installed by the administrator of the tenant or consented to by any user "
                "in the tenant. You might have sent your authentication request to the wrong tenant."
            ) % (resource, self.tenant_id))

    def _check_assertion(self, req, principal, client_id, assertion):
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise EntraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        issuer = claims.get("iss")
        if issuer == principal.client_id or issuer == client_id:
            self._check_certificate_assertion(req, principal, client_id, header, claims, assertion)
        else:
            self._check_federated_assertion(principal, claims, assertion)
        return "2"

    def _check_certificate_assertion(self, req, principal, client_id, header, claims, assertion):
        cred = next((c for c in principal.certs if c.matches(header)), None)
        used = header.get("x5t#S256") or header.get("x5t") or ""
        if cred is None:
            raise EntraError(401, "invalid_client", 700027, (
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key "
                "used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
                "configured keys for app Id '%s'.]"
            ) % (_thumb_bytes(used).hex().upper(), principal.client_id))
        self._verify_signature(assertion, cred.public_key, (
            "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify "
            "the signature failed., Thumbprint of key used by client: '%s']") % cred.sha1)
        self._check_times(claims)
        if claims.get("sub") != claims.get("iss") or claims.get("iss", "").lower() != client_id.lower():
            raise EntraError(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' parameter.")
        audiences = claims.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        accepted = {
            self.token_endpoint_for(req.base_url).lower(),
            ("%s/%s/oauth2/token" % (req.base_url, self.tenant_id)).lower(),
            self.issuer_for(req.base_url).lower(),
        }
        if not any(isinstance(aud, str) and aud.lower() in accepted for aud in audiences):
            # Entra's code for a client assertion aimed at another endpoint; 50027 is its generic JWT rejection.
            raise EntraError(400, "invalid_request", 50027,
                             "Invalid JWT token. The token audience '%s' is not valid for this endpoint." % claims.get("aud"))

    def _check_federated_assertion(self, principal, claims, assertion):
        issuer, subject, audience = claims.get("iss"), claims.get("sub"), claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        no_match = EntraError(400, "invalid_request", 70021, (
            "No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. "
            "Assertion Subject: '%s'. Assertion Audience: '%s'. "
            "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        ) % (issuer, subject, ",".join(str(a) for a in audiences)))
        # Matching is case-sensitive (Entra switched to exact matching in 2025).
        candidates = [fic for fic in principal.federated if fic.issuer == issuer]
        key = self._oidc_keys.get(issuer)
        if not candidates or key is None:
            raise no_match
        self._verify_signature(assertion, key.public_key(), "Client assertion failed signature validation.")
        self._check_times(claims)
        for fic in candidates:
            if fic.subject == subject and any(aud in fic.audiences for aud in audiences):
                return
        raise no_match

    @staticmethod
    def _verify_signature(assertion, public_key, message):
        try:
            jwt.decode(assertion, public_key, algorithms=ASSERTION_ALGORITHMS, options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "verify_iss": False,
            })
        except jwt.InvalidAlgorithmError:
            raise EntraError(401, "invalid_client", 700027, message)
        except jwt.InvalidSignatureError:
            raise EntraError(401, "invalid_client", 700027, message)
        except jwt.PyJWTError:
            raise EntraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.")

    @staticmethod
    def _check_times(claims):
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf", 0)
        if not isinstance(exp, (int, float)) or not isinstance(nbf, (int, float)):
            raise EntraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        if now > exp + ASSERTION_SKEW or now + ASSERTION_SKEW < nbf:
            raise EntraError(401, "invalid_client", 700024, (
                "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, "
                "expiry time of assertion %s. Review the documentation at "
                "https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
            ) % (_assertion_time(now), _assertion_time(nbf), _assertion_time(exp)))

    def _tenant_not_found(self, tenant):
        return (
            "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the "
            "correct cloud. Check with your subscription administrator, this may happen if there are no active "
            "subscriptions for the tenant."
        ) % tenant

    def oauth_error(self, req, exc):
        stamp = _entra_time(utcnow())
        trace_id = str(uuid.uuid4())
        # Entra uses the caller's client-request-id as the correlation id.
        correlation_id = req.client_request_id
        return Response.json(exc.status, {
            "error": exc.error,
            "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
                exc.code, exc.description, trace_id, correlation_id, stamp),
            "error_codes": [exc.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "%s/error?code=%d" % (getattr(req, "base_url", None) or self.base_url, exc.code),
        })

    # ---- HTTP: managed identity -------------------------------------------------------------

    def _managed_identity(self, params):
        """The identity a managed identity request names, or the system-assigned one when it names none."""
        for name in ("client_id", "clientid", "object_id", "principal_id", "msi_res_id", "mi_res_id"):
            value = params.get(name)
            if value is None:
                continue
            for principal in (self.mi_system, self.mi_user):
                if name in ("client_id", "clientid") and value.lower() == principal.client_id:
                    return principal
                if name in ("object_id", "principal_id") and value.lower() == principal.object_id:
                    return principal
                if name in ("msi_res_id", "mi_res_id") and value.lower() == principal.resource_id.lower():
                    return principal
            return None
        return self.mi_system

    def handle_app_service(self, req):
        """The App Service / Functions identity endpoint (api-version 2019-08-01)."""
        def fail(status, message):
            return Response.json(status, {"statusCode": status, "message": message, "correlationId": str(uuid.uuid4())})

        supplied = req.header("x-identity-header")
        if supplied is None:
            return fail(400, "X-IDENTITY-HEADER header is missing.")
        if not hmac.compare_digest(supplied.encode("utf-8"), self.identity_header.encode("utf-8")):
            return fail(401, "X-IDENTITY-HEADER header does not match the expected value.")
        if req.method != "GET":
            return fail(405, "Method not allowed.")
        if req.param("api-version") != APP_SERVICE_API_VERSION:
            return fail(400, "The api-version '%s' could not be found. Supported api-versions: %s." % (
                req.param("api-version", ""), APP_SERVICE_API_VERSION))
        resource = req.param("resource")
        if not resource:
            return fail(400, "The 'resource' parameter is required.")
        params = {name: values[0] for name, values in req.query.items()}
        principal = self._managed_identity(params)
        if principal is None:
            return fail(400, "No User Assigned or Delegated Managed Identity found for specified "
                             "ClientId/ResourceId/PrincipalId.")
        try:
            self._check_resource(resource)
        except EntraError as exc:
            return fail(400, "AADSTS%d: %s" % (exc.code, exc.description))
        token, lifetime = self.issue_token(principal, resource.rstrip("/"), acr="2")
        return Response.json(200, {
            "access_token": token,
            "expires_on": str(int(time.time()) + lifetime),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": principal.client_id,
        })

    def handle_imds(self, req):
        """The Azure Instance Metadata Service identity endpoint (api-version 2018-02-01)."""
        def fail(status, error, description):
            return Response.json(status, {"error": error, "error_description": description})

        if (req.header("metadata") or "").lower() != "true":
            return fail(400, "invalid_request", "Required metadata header not specified")
        if req.header("x-forwarded-for") is not None:
            return fail(400, "invalid_request", "Request contains X-Forwarded-For header")
        if req.method != "GET":
            return fail(405, "invalid_request", "Method not allowed")
        if not req.param("api-version"):
            return fail(400, "invalid_request", "Required query variable 'api-version' is missing")
        resource = req.param("resource")
        if not resource:
            return fail(400, "invalid_request", "Required audience parameter not specified")
        params = {name: values[0] for name, values in req.query.items()}
        principal = self._managed_identity(params)
        if principal is None:
            return fail(400, "invalid_request", "Identity not found")
        try:
            self._check_resource(resource)
        except EntraError as exc:
            return fail(400, exc.error, "AADSTS%d: %s" % (exc.code, exc.description))
        token, lifetime = self.issue_token(principal, resource.rstrip("/"), acr="2")
        now = int(time.time())
        return Response.json(200, {
            "access_token": token,
            "client_id": principal.client_id,
            "expires_in": str(lifetime),
            "expires_on": str(now + lifetime),
            "ext_expires_in": str(lifetime),
            "not_before": str(now),
            "resource": resource,
            "token_type": "Bearer",
        })


def _missing(name):
    return EntraError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: '%s'." % name)
