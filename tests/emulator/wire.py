# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport-neutral request and response objects shared by the emulator's services."""

import datetime
import json
import urllib.parse

JSON_TYPE = "application/json; charset=utf-8"
# What Graph sends for OData payloads; clients must not insist on plain application/json.
ODATA_JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def utcnow_seconds():
    """Server-generated times; the documented examples show whole seconds."""
    return utcnow().replace(microsecond=0)


def graph_time(moment):
    """DateTimeOffset as Graph serialises it: UTC, 'Z', fractional seconds only when present."""
    moment = moment.astimezone(datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ("." + "%06d" % moment.microsecond).rstrip("0")
    return text + "Z"


class Request:
    """One parsed HTTP request. Headers are looked up case-insensitively."""

    def __init__(self, method, target, headers, body, request_id, client_address, base_url=None):
        parts = urllib.parse.urlsplit(target)
        # The origin (scheme://host[:port]) the client addressed: URLs in answers are built from it.
        self.base_url = base_url
        self.method = method.upper()
        self.path = urllib.parse.unquote(parts.path) or "/"
        self.raw_query = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.request_id = request_id
        self.client_address = client_address
        # MSAL sends client-request-id to Entra; its IMDS code path sends x-ms-client-request-id.
        self.client_request_id = (
            self.headers.get("client-request-id") or self.headers.get("x-ms-client-request-id") or request_id
        )
        self.sent_client_request_id = "client-request-id" in self.headers or "x-ms-client-request-id" in self.headers

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def param(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def json(self):
        """The body as JSON, or raise ValueError."""
        text = self.body.decode("utf-8")
        return json.loads(text)


class Response:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        if content_type and body:
            self.headers.append(("Content-Type", content_type))

    @classmethod
    def json(cls, status, payload, content_type=JSON_TYPE, headers=None):
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return cls(status, body, content_type, headers)

    @classmethod
    def empty(cls, status=204, headers=None):
        return cls(status, b"", None, headers)

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))
