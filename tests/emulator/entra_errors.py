# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Entra's errors in its OAuth format (AADSTS codes), shared by the sign-in and discovery endpoints."""

import base64
import time
import uuid

from .wire import Response, utcnow


class EntraError(Exception):
    """An error the v2.0 token endpoint reports in its OAuth format with an AADSTS code."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description


def missing(name):
    return EntraError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: '%s'." % name)


def thumb_bytes(value):
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return b""


def entra_time(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def assertion_time(epoch):
    """Times in AADSTS700024 messages use .NET's seven fractional digits."""
    moment = time.gmtime(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + ".0000000Z"


def tenant_not_found(tenant):
    return (
        "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the "
        "correct cloud. Check with your subscription administrator, this may happen if there are no active "
        "subscriptions for the tenant."
    ) % tenant


def oauth_error(req, exc, base_url):
    """Entra's error body; base_url is used for error_uri when the request has no origin."""
    stamp = entra_time(utcnow())
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
        "error_uri": "%s/error?code=%d" % (getattr(req, "base_url", None) or base_url, exc.code),
    })
