# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Entra's discovery endpoints (OpenID configuration, signing keys, MSAL's instance discovery) and the
external OIDC issuer that workload identity federation trusts."""

import urllib.parse

from . import pki
from .entra_errors import EntraError
from .wire import Response


class DiscoveryEndpoints:
    """Mixed into Directory."""

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
                400, "invalid_tenant", 90002, self.tenant_not_found(tenant)))
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
            return self.oauth_error(req, EntraError(400, "invalid_tenant", 90002, self.tenant_not_found(tenant)))
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
