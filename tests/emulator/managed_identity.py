# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two managed identity endpoints: App Service (api-version 2019-08-01) and IMDS (2018-02-01)."""

import hmac
import time
import uuid

from .entra_errors import EntraError
from .wire import Response

APP_SERVICE_API_VERSION = "2019-08-01"
IMDS_API_VERSION = "2018-02-01"


class ManagedIdentityEndpoints:
    """Mixed into Directory."""

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
            self.check_resource(resource)
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
            self.check_resource(resource)
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
