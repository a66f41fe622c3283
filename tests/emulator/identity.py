# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Entra ID side of the emulator: one directory (tenant), its app registrations
and managed identities, and the access tokens Graph accepts. Its HTTP endpoints are mixed in from
discovery.py, token_endpoint.py and managed_identity.py."""

import base64
import json
import secrets
import threading
import time
import uuid

import jwt

from cryptography import x509

from . import pki
from .discovery import DiscoveryEndpoints
from .entra_errors import EntraError, oauth_error, tenant_not_found, thumb_bytes
from .managed_identity import ManagedIdentityEndpoints
from .token_endpoint import TokenEndpoint

READ_ROLE = "Policy.Read.All"
WRITE_ROLE = "Policy.ReadWrite.CrossTenantAccess"
APPLICATION_ROLE = "Application.ReadWrite.All"
SYNCHRONIZATION_ROLE = "Synchronization.ReadWrite.All"
ASSIGNMENT_ROLE = "AppRoleAssignment.ReadWrite.All"
USER_READ_ROLE = "User.Read.All"
GROUP_READ_ROLE = "Group.Read.All"
ADMIN_ROLES = (READ_ROLE, WRITE_ROLE, APPLICATION_ROLE, SYNCHRONIZATION_ROLE, ASSIGNMENT_ROLE, USER_READ_ROLE, GROUP_READ_ROLE)
FIC_AUDIENCE = "api://AzureADTokenExchange"
# Resources the real directory knows besides the emulator's own Graph: a token for them is issued
# (as Entra would) and then rejected by the emulator's Graph for its audience.
FOREIGN_GRAPH_RESOURCES = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "00000003-0000-0000-c000-000000000000",
)
# What Graph says when continuous access evaluation finds a token issued before the user's or app's
# revocation time (an administrator reset a credential or disabled the app).
REVOKED_MESSAGE = ("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: "
                   "TokenIssuedBeforeRevocationTimestamp")


class TokenRejected(Exception):
    """Graph refuses the bearer token (401 InvalidAuthenticationToken). `claims` is the claims challenge
    (base64 of a JSON claims request) Graph adds to WWW-Authenticate for a client that declared it can
    answer one."""

    def __init__(self, message, claims=None):
        super().__init__(message)
        self.claims = claims


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
            if isinstance(value, str) and thumb_bytes(value) == bytes.fromhex(thumb):
                return True
        return False


class FederatedCredential:
    def __init__(self, issuer, subject, audiences=(FIC_AUDIENCE,)):
        self.issuer = issuer
        self.subject = subject
        self.audiences = list(audiences)


class Directory(DiscoveryEndpoints, TokenEndpoint, ManagedIdentityEndpoints):
    """The home tenant. Everything is generated fresh at construction; nothing persists.

    `base_url` is the primary origin (the info line's URLs, managed identity tokens' issuer); `origins`
    holds every origin the directory answers on: each is an authority whose issuer Graph accepts and a
    Graph resource a token can be issued for. The TLS emulator has one; the in-process one several."""

    def __init__(self, state_dir, base_url, ca_key, ca_cert, token_lifetime=3600, tenant_id=None, domains=(), new_key=None,
                 home=True):
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
        # tokens that workload identity federation exchanges. Only the home tenant trusts it.
        self.oidc_issuer = base_url + "/oidc"
        self.oidc_key = new_key() if home else None
        self.oidc_kid = "emulator-oidc-1"
        self._oidc_keys = {self.oidc_issuer: self.oidc_key} if home else {}
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
        # The app of the tenants list: every permission cross-tenant synchronization needs on either side.
        self.admin_app = self._add(Principal("entra.graph emulator cross-tenant sync admin", ADMIN_ROLES))
        self.admin_secret = self._add_secret(self.admin_app)
        self.cert_app = self.federated_app = self.mi_system = self.mi_user = None
        if home:
            self._add_home_principals(state_dir, new_key)

    def _add_home_principals(self, state_dir, new_key):
        """The certificate and workload identity apps and the managed identities: the home tenant's only."""
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

    def issue_token(self, principal, audience, lifetime=None, acr="1", roles=None, issuer=None, capabilities=None,
                    scopes=None):
        """An RS256 access token shaped like Entra's; returns (token, lifetime seconds). capabilities: the
        client capabilities the token request declared (xms_cc). scopes: a delegated token (idtyp user, scp)."""
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
        if scopes:
            # A user signed in to the app: delegated permissions in scp, no application roles.
            claims.update(idtyp="user", scp=" ".join(scopes), upn="admin@%s" % (sorted(self.domains) or ["contoso.onmicrosoft.com"])[0])
            claims["oid"] = claims["sub"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/emulator/admin/" + self.tenant_id))
            granted = []
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

    def validate_access_token(self, token, audience, revocation="all"):
        """Graph's checks; returns the claims or raises TokenRejected with Graph's message. revocation: "all"
        refuses every token issued before a revocation; "cp1" only those of clients that declared the cp1
        capability, managed identities excepted (continuous access evaluation for workload identities)."""
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
        if revoked_at is not None and revocation == "cp1" and (not can_answer_claims_challenges(claims) or "xms_mirid" in claims):
            revoked_at = None
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

    def check_resource(self, resource):
        known = [origin.lower() for origin in self.origins] + [item.lower() for item in FOREIGN_GRAPH_RESOURCES]
        if resource.rstrip("/").lower() not in known:
            raise EntraError(400, "invalid_resource", 500011, (
                "The resource principal named %s was not found in the tenant named %s. This can happen if the "
                "application has not been installed by the administrator of the tenant or consented to by any user "
                "in the tenant. You might have sent your authentication request to the wrong tenant."
            ) % (resource, self.tenant_id))

    def oauth_error(self, req, exc):
        return oauth_error(req, exc, self.base_url)

    @staticmethod
    def tenant_not_found(tenant):
        return tenant_not_found(tenant)
