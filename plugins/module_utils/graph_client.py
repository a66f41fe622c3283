# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft Graph calls: bearer token, correlation ids, JSON in and out, paging,
and Graph's error format turned into messages that name the code and request id.

Whether and when to try a request again is the transport's decision (``transport.Transport.send``);
the one thing decided here is to replace a token Graph refuses, once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import uuid

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, WriteUnconfirmedError, redact
from ansible_collections.entra.graph.plugins.module_utils.transport import (
    LOST_WRITE_HINT,
    strip_query,
    wait_refused_text,
)

# Follow at most this many @odata.nextLink pages; a service that keeps
# answering with a link must not keep a task running forever.
MAX_PAGES = 1000

# The error codes with which Graph says that the object asked for does not exist. A 404 with any other
# code (or none: a gateway's page, a wrong host or path) is not "missing" but an error.
# - Request_ResourceNotFound: directory objects, the policies under /policies included (Graph's answer
#   for a missing crossTenantIdentitySyncPolicyPartner);
# - Directory_ObjectNotFound: the cross-tenant synchronization tutorial's troubleshooting table;
# - itemNotFound: Graph's documented basic error codes ("Errors in Microsoft Graph");
# - ResourceNotFound: the same meaning in other Graph workloads.
NOT_FOUND_CODES = frozenset(code.lower() for code in (
    'Request_ResourceNotFound', 'Directory_ObjectNotFound', 'itemNotFound', 'ResourceNotFound'))


class GraphResponse:
    """A successful (2xx) Graph answer.

    ``body`` is the JSON object Graph sent, or None when there was none to use (204, an empty body,
    an empty object, not JSON, or JSON that is not an object); ``body_usable`` says which. Any 2xx
    is success: a caller that needs the object reads it back when ``body_usable`` is false.
    ``payload`` is the parsed JSON whatever its type (None when there was no JSON).
    ``lost_answer`` is true when the write's own answer was lost and its success was seen by a read
    (``status`` is then that of the read, 200, or 404 for a DELETE retried after a lost answer).
    """

    def __init__(self, status, body, headers, lost_answer=False, payload=None, body_kind=None):
        self.status = status
        self.body = body if isinstance(body, dict) and body else None
        self.payload = body if payload is None else payload
        self.headers = headers if headers is not None else {}
        self.lost_answer = lost_answer
        # What the body was, for a message when it cannot be used.
        self.body_kind = body_kind or ('a JSON object' if self.body is not None else 'no body')

    @property
    def body_usable(self):
        return self.body is not None


class GraphClient:
    def __init__(self, transport, graph_endpoint, token_provider, api_version='beta'):
        self.transport = transport
        self.base = '%s/%s' % (graph_endpoint, api_version)
        self.api_version = api_version
        self.graph_endpoint = graph_endpoint
        self.token_provider = token_provider

    def url(self, path):
        return self.base + path

    def get(self, path, missing_ok=False, permission_hint=None):
        """The JSON a GET returns; None for a 404 that Graph says is a missing object, when ``missing_ok``.

        An answer without JSON (empty, or HTML) is an error, never None: None means missing. JSON that
        is not the object asked for (``{}``, a list, another object) is returned for the caller to judge.
        ``permission_hint`` ends the message of a refusal (403): what the caller's resource needs.
        """
        url = self.url(path)
        response = self._call('GET', url, missing_ok=missing_ok, permission_hint=permission_hint)
        if response is None:
            return None
        if response.payload is None:
            raise GraphError('GET %s answered HTTP %d without JSON (%s), not the object asked for; nothing was changed'
                             % (strip_query(url), response.status, response.body_kind),
                             status=response.status, request_id=response.headers.get('request-id'))
        return response.payload

    def list(self, path, permission_hint=None):
        """Every item of a collection, following ``@odata.nextLink``."""
        items = []
        url = self.url(path)
        followed = set()
        for dummy in range(MAX_PAGES):
            response = self._call('GET', url, permission_hint=permission_hint)
            page = response.body or {}
            value = page.get('value')
            if not isinstance(value, list):
                raise GraphError('GET %s: the answer has no "value" list' % strip_query(url), status=response.status,
                                 request_id=response.headers.get('request-id'))
            items.extend(value)
            followed.add(url)
            url = page.get('@odata.nextLink')
            if not url:
                return items
            if not isinstance(url, str) or not url.startswith(self.graph_endpoint + '/'):
                # The token must not follow a link to another host.
                raise GraphError('GET %s: @odata.nextLink points outside %s: %s' % (path, self.graph_endpoint, url))
            if url in followed:
                raise GraphError('GET %s: Graph answered with an @odata.nextLink it had already given (page %d repeats '
                                 'an earlier one), so paging stopped rather than loop; run the task again, and if it '
                                 'repeats, report the request-id %s to Microsoft'
                                 % (path, len(followed) + 1, response.headers.get('request-id') or 'none'),
                                 status=response.status, request_id=response.headers.get('request-id'))
        raise GraphError('GET %s: gave up after %d pages of @odata.nextLink' % (path, MAX_PAGES))

    def request(self, method, path, body=None, missing_ok=False, verify_write=None, permission_hint=None):
        """Send one Graph call and return a GraphResponse for any 2xx; raise GraphError for anything else.

        ``verify_write`` (POST only) is asked whether a POST whose answer was lost landed; see
        ``Transport.send``. ``missing_ok`` returns None for a 404 that Graph says is a missing object.
        """
        return self._call(method, self.url(path), body=body, missing_ok=missing_ok, verify_write=verify_write,
                          permission_hint=permission_hint)

    def _call(self, method, url, body=None, missing_ok=False, verify_write=None, permission_hint=None):
        data = None if body is None else json.dumps(body, separators=(',', ':'))
        token = self.token_provider.token()
        replaced = False
        while True:
            client_request_id = str(uuid.uuid4())
            headers = {
                'Authorization': 'Bearer ' + token,
                'Accept': 'application/json',
                'client-request-id': client_request_id,
                'return-client-request-id': 'true',
            }
            kwargs = {}
            if data is not None:
                headers['Content-Type'] = 'application/json'
                kwargs['data'] = data
            non_idempotent = method == 'POST'
            sent = self.transport.send(method, url, idempotent=not non_idempotent,
                                       verify_write=verify_write if non_idempotent else None, headers=headers, **kwargs)
            response = sent.response
            if response is None:
                return GraphResponse(200, sent.found, {}, lost_answer=True)
            status = response.status_code
            if status in (401, 403) and not replaced:
                # A token from the cache (or one Graph took earlier in this task) may have been revoked, or
                # issued before a permission was granted: sign in once more and repeat the request once.
                fresh = self.token_provider.replace_refused(token, status)
                if fresh is not None:
                    token, replaced = fresh, True
                    continue
            if status != 401:
                self.token_provider.accepted(token)
            if 200 <= status < 300:
                payload = _json_payload(response)
                return GraphResponse(status, payload, response.headers, payload=payload, body_kind=_body_kind(response))
            code = graph_error_code(response)
            if status == 404 and code is not None and code.lower() in NOT_FOUND_CODES:
                if method == 'DELETE' and sent.attempts > 1:
                    # A retried DELETE finds nothing: an earlier attempt whose answer was lost did the delete.
                    return GraphResponse(status, None, response.headers, lost_answer=True)
                if missing_ok:
                    return None
            error = graph_error(method, url, sent, client_request_id, replaced=replaced, permission_hint=permission_hint)
            if sent.may_have_landed:
                raise WriteUnconfirmedError(error.message, landed=False, cause=error)
            raise error


def _json_payload(response):
    """The answer's JSON, or None when it has none; never an exception for a 2xx."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _body_kind(response):
    if not response.content:
        return 'an empty body'
    try:
        payload = response.json()
    except ValueError:
        return 'a body that is not JSON (%s)' % (response.headers.get('Content-Type') or 'no content type')
    if isinstance(payload, dict):
        return 'an empty JSON object'
    return 'JSON %s, not an object' % type(payload).__name__.replace('str', 'string').replace('NoneType', 'null')


def _error_payload(response):
    try:
        payload = response.json()
    except ValueError:
        return None
    if isinstance(payload, dict) and isinstance(payload.get('error'), dict):
        return payload['error']
    return None


def graph_error_code(response):
    """Graph's ``error.code`` of an error answer, or None when the answer is not in Graph's format."""
    error = _error_payload(response)
    code = error.get('code') if error else None
    return code if isinstance(code, str) and code else None


def graph_error(method, url, sent, client_request_id, replaced=False, permission_hint=None):
    """A GraphError from an error answer (``sent``, what the transport sent and got), in Graph's format or not;
    a refusal (403) ends with ``permission_hint``, what the resource asked for needs."""
    response = sent.response
    status = response.status_code
    request_id = response.headers.get('request-id')
    sent_id = response.headers.get('client-request-id') or client_request_id
    code = message = None
    error = _error_payload(response)
    if error is not None:
        code = graph_error_code(response)
        message = error.get('message')
        message = message if isinstance(message, str) else (None if message is None else json.dumps(message))
        inner = error.get('innerError') or error.get('innererror') or {}
        if isinstance(inner, dict):
            request_id = request_id or inner.get('request-id')
            sent_id = inner.get('client-request-id') or sent_id
    if message is None:
        message = _snippet(response.text) if response.text else (response.reason or 'no body')
    text = '%s %s failed: HTTP %d' % (method, strip_query(url), status)
    if code:
        text += ' %s' % code
    text += ': %s' % _snippet(message, limit=1000)
    if status == 403 and permission_hint:
        text += permission_hint
    if status in (401, 403) and replaced:
        text += ' (refused again with a token signed in for just now, so the refusal is not a stale token)'
    if status == 404 and (code is None or code.lower() not in NOT_FOUND_CODES):
        text += ('; Graph\'s error code does not say that the object does not exist, so the URL may be wrong: check that '
                 'graph_endpoint is the Graph host alone (such as https://graph.microsoft.com) and that api_version suits it')
    if sent.wait_refused is not None:
        text += '; Graph ' + wait_refused_text(sent.wait_refused, sent.max_wait)
    if sent.may_have_landed:
        text += '; ' + LOST_WRITE_HINT
    if sent.attempts > 1:
        text += ' (tried %d times)' % sent.attempts
    text += ' [request-id: %s, client-request-id: %s]' % (request_id or 'none', sent_id)
    return GraphError(text, status=status, error_code=code, request_id=request_id, client_request_id=sent_id,
                      attempts=sent.attempts)


def _snippet(text, limit=300):
    # A proxy's error page may echo the request's headers; redact before cutting, so no part of a token is left.
    text = redact(' '.join((text or '').split()))
    return text if len(text) <= limit else text[:limit] + '...'
