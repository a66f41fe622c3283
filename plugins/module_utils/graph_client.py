# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft Graph calls: bearer token, correlation ids, JSON in and out, paging,
and Graph's error format turned into messages that name the code and request id."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import uuid

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, redact_bearer
from ansible_collections.entra.graph.plugins.module_utils.transport import AmbiguousWriteError, strip_query

# Follow at most this many @odata.nextLink pages; a service that keeps
# answering with a link must not keep a task running forever.
MAX_PAGES = 1000


class GraphResponse:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers


class GraphClient:
    def __init__(self, transport, graph_endpoint, token_provider, api_version='beta'):
        self.transport = transport
        self.api_version = api_version
        self.base = '%s/%s' % (graph_endpoint, api_version)
        self.graph_endpoint = graph_endpoint
        self.token_provider = token_provider

    def url(self, path):
        return self.base + path

    def get(self, path, missing_ok=False):
        """The JSON body of a GET; None for a 404 when ``missing_ok``."""
        response = self.request('GET', path, expected=(200,), missing_ok=missing_ok)
        return None if response is None else response.body

    def list(self, path):
        """Every item of a collection, following ``@odata.nextLink``."""
        items = []
        url = self.url(path)
        for dummy in range(MAX_PAGES):
            response = self._call('GET', url, expected=(200,))
            page = response.body if isinstance(response.body, dict) else {}
            value = page.get('value')
            if not isinstance(value, list):
                raise GraphError('GET %s: the answer has no "value" list' % url, status=response.status,
                                 request_id=response.headers.get('request-id'))
            items.extend(value)
            url = page.get('@odata.nextLink')
            if not url:
                return items
            if not url.startswith(self.graph_endpoint + '/'):
                # The token must not follow a link to another host.
                raise GraphError('GET %s: @odata.nextLink points outside %s: %s' % (path, self.graph_endpoint, url))
        raise GraphError('GET %s: gave up after %d pages of @odata.nextLink' % (path, MAX_PAGES))

    def request(self, method, path, body=None, expected=(200,), missing_ok=False, verify_write=None):
        """Send one Graph call; ``verify_write`` is asked whether an ambiguous POST landed."""
        url = self.url(path)
        if method != 'POST' or verify_write is None:
            return self._call(method, url, body=body, expected=expected, missing_ok=missing_ok)
        retries_used = 0
        while True:
            try:
                return self._call(method, url, body=body, expected=expected, retries_used=retries_used, idempotent=False)
            except AmbiguousWriteError as exc:
                landed = verify_write()
                if landed is not None:
                    return GraphResponse(expected[0], landed, {})
                if exc.retries_used >= self.transport.policy.max_retries:
                    raise
                self.transport.policy.wait(exc.retries_used)
                retries_used = exc.retries_used + 1

    def _call(self, method, url, body=None, expected=(200,), missing_ok=False, retries_used=0, idempotent=None):
        client_request_id = str(uuid.uuid4())
        headers = {
            'Authorization': 'Bearer ' + self.token_provider.token(),
            'Accept': 'application/json',
            'client-request-id': client_request_id,
            'return-client-request-id': 'true',
        }
        kwargs = {}
        if body is not None:
            headers['Content-Type'] = 'application/json'
            kwargs['data'] = json.dumps(body, separators=(',', ':'))
        if idempotent is None:
            idempotent = method != 'POST'
        response = self.transport.send(method, url, idempotent=idempotent, retries_used=retries_used, headers=headers, **kwargs)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code == 404 and method == 'DELETE' and getattr(response, 'attempts', 1) > 1:
            # A retried DELETE finds nothing: an earlier attempt whose answer was lost did the delete.
            return GraphResponse(expected[0], None, response.headers)
        if response.status_code not in expected:
            raise graph_error(method, url, response, client_request_id)
        return GraphResponse(response.status_code, _json_body(method, url, response, client_request_id), response.headers)


def _json_body(method, url, response, client_request_id):
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise GraphError(
            '%s %s answered HTTP %d with a body that is not JSON (%s): %s'
            % (method, strip_query(url), response.status_code, response.headers.get('Content-Type', 'no content type'),
               _snippet(response.text)),
            status=response.status_code, request_id=response.headers.get('request-id'),
            client_request_id=response.headers.get('client-request-id', client_request_id))


def graph_error(method, url, response, client_request_id):
    """A GraphError from an error answer, in Graph's format or not."""
    status = response.status_code
    request_id = response.headers.get('request-id')
    sent_id = response.headers.get('client-request-id') or client_request_id
    code = message = None
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get('error'), dict):
        error = payload['error']
        code = error.get('code')
        message = error.get('message')
        inner = error.get('innerError') or error.get('innererror') or {}
        if isinstance(inner, dict):
            request_id = request_id or inner.get('request-id')
            sent_id = inner.get('client-request-id') or sent_id
    if message is None:
        message = _snippet(response.text) if response.text else (response.reason or 'no body')
    text = '%s %s failed: HTTP %d' % (method, strip_query(url), status)
    if code:
        text += ' %s' % code
    text += ': %s' % message
    if status == 403:
        text += ' (the app or identity needs Policy.ReadWrite.CrossTenantAccess to write, Policy.Read.All to read)'
    if getattr(response, 'attempts', 1) > 1:
        text += ' (tried %d times)' % response.attempts
    text += ' [request-id: %s, client-request-id: %s]' % (request_id or 'none', sent_id)
    return GraphError(text, status=status, error_code=code, request_id=request_id, client_request_id=sent_id)


def strip_query(url):
    return url.split('?', 1)[0]


def _snippet(text, limit=300):
    # A proxy's error page may echo the request's headers; the bearer token must not reach the task result.
    text = redact_bearer(' '.join((text or '').split()))
    return text if len(text) <= limit else text[:limit] + '...'
