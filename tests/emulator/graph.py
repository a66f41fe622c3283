# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Graph side of the emulator, under /v1.0 and /beta: sign-in check, routing and
permissions. Each endpoint family lives in its own file and is mixed in here: partners.py (partner
configurations and their identity synchronization policies), policy.py (the policy and its default configuration), deleted_items.py (the beta deleted items of
both), applications.py (application templates, applications, service principals, app role assignments),
synchronization.py (a service principal's synchronization jobs and secrets), users.py (users, groups);
endpoints.py holds what they share (bodies, query options, paging), graph_errors.py Graph's errors.

Every rule carries its source in README.md ("Rules"); choices the documents leave open are marked
there as assumptions, and next to the code."""

import re

from .applications import ApplicationEndpoints
from .deleted_items import DeletedItemsEndpoints
from .graph_errors import GraphError, bad_request, graph_error_response
from .identity import READ_ROLE, WRITE_ROLE, TokenRejected
from .partners import PartnerEndpoints
from .policy import PolicyEndpoints
from .schema import SchemaError
from .synchronization import SynchronizationEndpoints
from .users import UserEndpoints

KEY_SEGMENT = re.compile(r"^(?P<name>[^(]+)\((?:(?P<property>[A-Za-z]+)=)?'?(?P<key>[^')]*)'?\)$", re.IGNORECASE)


# ---- the service --------------------------------------------------------------------------

class GraphService(PartnerEndpoints, PolicyEndpoints, DeletedItemsEndpoints, ApplicationEndpoints, SynchronizationEndpoints, UserEndpoints):
    """Graph as one tenant sees it. `tenant` holds its directory objects; `tenants` every tenant of the
    emulator (validation and synchronization look at the target tenant's policies and users)."""

    def __init__(self, directory, store, settings, tenant=None, tenants=None):
        self.directory = directory
        self.store = store
        self.settings = settings
        self.tenant = tenant
        self.tenants = tenants

    def handle(self, req, version):
        try:
            claims = self._authenticate(req)
            handler, args = self._route(req, version)
            self._authorize(req, claims, handler)
            return handler(req, version, *args)
        except GraphError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message, exc.headers, exc.details)
        except SchemaError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message)

    # ---- auth -------------------------------------------------------------------------------

    def _authenticate(self, req):
        header = req.header("authorization") or ""
        scheme, _sep, token = header.strip().partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise TokenRejected("Access token is empty.")
            return self.directory.validate_access_token(token.strip(), req.base_url)
        except TokenRejected as exc:
            challenge = ('Bearer realm="", authorization_uri="%s/%s/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
                         % (req.base_url, self.directory.tenant_id))
            if exc.claims:
                # The claims challenge (Entra: "Claims challenges, claims requests and client capabilities").
                challenge += ', error="insufficient_claims", claims="%s"' % exc.claims
            raise GraphError(401, "InvalidAuthenticationToken", str(exc), headers=[("WWW-Authenticate", challenge)])

    @staticmethod
    def _authorize(req, claims, handler):
        roles = set(claims.get("roles") or [])
        alternatives = getattr(handler, "permissions", None)
        if alternatives is None:
            # Policies: reads need Policy.Read.All (least privileged) or Policy.ReadWrite.CrossTenantAccess;
            # writes the latter only.
            alternatives = ((READ_ROLE,), (WRITE_ROLE,)) if req.method in ("GET", "HEAD") else ((WRITE_ROLE,),)
        # An empty list (application templates) accepts any token.
        if alternatives and not any(set(needed) <= roles for needed in alternatives):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    # ---- routing ----------------------------------------------------------------------------

    # The first path segment (lower case) -> the method routing that family's paths.
    ROOTS = {"policies": "_route_policies", "applicationtemplates": "route_application_templates",
             "applications": "route_applications", "serviceprincipals": "route_service_principals",
             "users": "route_users", "groups": "route_groups"}

    def _route(self, req, version):
        segments = split_segments(req.path)
        lower = [s.lower() for s in segments]

        def unknown(index):
            name = segments[min(index, len(segments) - 1)] if segments else ""
            return bad_request("Resource not found for the segment '%s'." % name)

        router = self.ROOTS.get(lower[0]) if lower else None
        if router is None:
            raise unknown(0)
        # A family's router answers (method -> handler, the handler's arguments after req and version, or a
        # function computing them once the method is allowed).
        handlers, args = getattr(self, router)(segments, lower, version, unknown)
        handler = handlers.get(req.method)
        if handler is None:
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.",
                             headers=[("Allow", ", ".join(sorted(handlers)))])
        return handler, (args() if callable(args) else args)

    def _route_policies(self, segments, lower, version, unknown):
        if len(lower) < 2:
            raise unknown(1)
        if lower[1] == "crosstenantaccesspolicy":
            if len(lower) == 2 or lower[2] == "default":
                return self.route_access_policy(segments, lower, version, unknown)
            return self.route_partners(segments, lower, version, unknown)
        if lower[1] == "deleteditems":
            return self.route_deleted_items(segments, lower, version, unknown)
        raise unknown(1)


def split_segments(path):
    """The path after the version as segments; a key in parentheses (partners('{id}'), partners(tenantId='{id}'))
    becomes its own segment, an alternate key keeps its name (appId={appId})."""
    segments = []
    for raw in path.split("/")[2:]:
        if not raw:
            continue
        match = KEY_SEGMENT.match(raw)
        if match:
            key = match.group("key")
            # An alternate key other than the type's own (servicePrincipals(appId='...')) stays named.
            if match.group("property") and match.group("property").lower() != "tenantid":
                key = "%s=%s" % (match.group("property"), key)
            segments.extend([match.group("name"), key])
        else:
            segments.append(raw)
    return segments
