# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Entra's v2.0 token endpoint: client credentials by secret, certificate assertion or federated
assertion, with AADSTS errors in Entra's OAuth format."""

import base64
import hmac
import json
import time
import urllib.parse

import jwt

from .entra_errors import EntraError, assertion_time, missing, thumb_bytes
from .wire import Response

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Entra tolerates five minutes of clock skew on client assertions.
ASSERTION_SKEW = 300
# Scopes MSAL adds to user flows; Entra ignores them when it looks for the resource.
RESERVED_SCOPES = frozenset(["openid", "profile", "offline_access", "email"])
ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]


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


class TokenEndpoint:
    """Mixed into Directory."""

    def handle_token(self, req, tenant):
        try:
            return self._token(req, tenant)
        except EntraError as exc:
            return self.oauth_error(req, exc)

    def _token(self, req, tenant):
        if not self.known_tenant(tenant):
            raise EntraError(400, "invalid_request", 90002, self.tenant_not_found(tenant))
        if req.method != "POST":
            raise EntraError(400, "invalid_request", 900561,
                             "The endpoint only accepts POST requests. Received a %s request." % req.method)
        form = urllib.parse.parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        field = {name: values[0] for name, values in form.items()}
        basic_id, basic_secret = self._basic_auth(req)

        grant_type = field.get("grant_type")
        if not grant_type:
            raise missing("grant_type")
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
            raise missing("client_id")
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
                raise missing("client_assertion")
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
            raise missing("scope")
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
        self.check_resource(resource)
        return resource

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
            ) % (thumb_bytes(used).hex().upper(), principal.client_id))
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
            ) % (assertion_time(now), assertion_time(nbf), assertion_time(exp)))
