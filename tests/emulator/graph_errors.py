# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Graph's error envelope and the errors every endpoint family shares."""

from . import schema
from .wire import JSON_TYPE, Response, utcnow

CONFLICT_CODE = "Request_MultipleObjectsWithSameKeyValue"
DUPLICATE_MESSAGE = "Another object with the same value for property tenantId already exists."
CONFLICTING_MESSAGE = "A conflicting object with one or more of the specified property values is present in the directory."
STATUS_CODES = {
    400: "BadRequest", 401: "InvalidAuthenticationToken", 403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound", 405: "Request_BadRequest", 409: CONFLICT_CODE, 412: "PreconditionFailed",
    413: "RequestEntityTooLarge", 429: "TooManyRequests", 500: "generalException", 501: "NotImplemented",
    502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
}
STATUS_MESSAGES = {
    429: "Too many requests.", 500: "General exception while processing.", 502: "Bad gateway.",
    503: "The service is temporarily unavailable. Please retry later.", 504: "The gateway timed out.",
}


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or []
        self.details = details


def bad_request(message):
    return GraphError(400, "BadRequest", message)


def graph_error_body(req, status, code=None, message=None, details=None):
    error = {
        "code": code or STATUS_CODES.get(status, "UnknownError"),
        "message": message or STATUS_MESSAGES.get(status, "The request failed."),
    }
    if details:
        error["details"] = details
    error["innerError"] = {
        # Graph's innerError date has no offset.
        "date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": req.request_id,
        "client-request-id": req.client_request_id,
    }
    return {"error": error}


def graph_error_response(req, status, code=None, message=None, headers=None, details=None):
    return Response.json(status, graph_error_body(req, status, code, message, details), JSON_TYPE, headers)


def normalize_tenant_id(value, what="tenantId", owner=None):
    if not isinstance(value, str) or not schema.GUID_RE.match(value.strip()):
        if owner is not None:
            raise schema.invalid_value(what, owner)
        raise bad_request("Invalid value '%s' for %s: a tenant ID is a GUID." % (value, what))
    return value.strip().lower()


def not_found(tenant_id):
    return GraphError(404, "Request_ResourceNotFound", (
        "Resource '%s' does not exist or one of its queried reference-property objects are not present." % tenant_id))


def patch_target_missing():
    # Tutorial troubleshooting table (CROSS_TENANT_SYNC.md 1.3): PATCH of an object that does not exist.
    # The status is not documented: 404 is an assumption.
    return GraphError(404, "Directory_ObjectNotFound", "Unable to read the company information from the directory.")


def duplicate():
    return GraphError(409, CONFLICT_CODE, DUPLICATE_MESSAGE)


def now():
    return schema.now_text()
