# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exceptions that carry everything a failed task should tell its user.

Every failure the collection can meet is raised as one of these and turned
into ``fail_json`` in one place, so messages stay consistent and no code path
ends in a traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

# A proxy's error page, or a library's error text, may quote the Authorization header.
_BEARER = re.compile(r'(Bearer\s+)[^\s\'",;]+', re.IGNORECASE)
# A JWT (access token, client assertion) quoted without "Bearer": three base64url parts, the first two JSON objects.
_JWT = re.compile(r'eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*')
REDACTED = '<redacted>'

# Shorter values are not looked for: they would blank out ordinary words. Ansible's no_log hides them in results.
MIN_SECRET_LENGTH = 8

_SECRETS = set()
_SECRETS_LOCK = threading.Lock()


def remember_secret(value):
    """Have ``redact`` hide ``value`` (a token, client secret or assertion this process holds) wherever it appears.

    One module run is one task in its own process, so the set lives as long as the task.
    """
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    if isinstance(value, str) and len(value.strip()) >= MIN_SECRET_LENGTH:
        with _SECRETS_LOCK:
            _SECRETS.add(value.strip())


def redact(text):
    """``text`` without bearer tokens, JWTs or any secret the task holds: for every server or library text that reaches a result."""
    text = text if isinstance(text, str) else ('' if text is None else str(text))
    if not text:
        return text
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(r'\1' + REDACTED, text)
    return _JWT.sub(REDACTED, text)


class EntraGraphError(Exception):
    """Base class: ``message`` is for people, ``details`` become result keys."""

    def __init__(self, message, **details):
        # Every failure passes here, so no message can carry a secret whatever text it quotes.
        message = redact(message)
        super(EntraGraphError, self).__init__(message)
        self.message = message
        self.details = dict((k, redact(v) if isinstance(v, str) else v) for k, v in details.items() if v is not None)


class ConfigurationError(EntraGraphError):
    """An option is missing, malformed or contradicts another; raised before any request."""

    def __init__(self, message, option=None):
        super(ConfigurationError, self).__init__(message, option=option)


class MissingLibraryError(EntraGraphError):
    """A Python library the chosen code path needs is not importable."""

    def __init__(self, library, import_error):
        super(MissingLibraryError, self).__init__('The Python library %s is required' % library)
        self.library = library
        self.import_error = import_error


class TransportError(EntraGraphError):
    """The request never produced an HTTP answer: TLS, DNS, refused, reset or timed out."""


class AuthenticationError(EntraGraphError):
    """Microsoft Entra ID (or the managed identity endpoint) refused to issue a token."""


class GraphError(EntraGraphError):
    """Microsoft Graph answered with an error status or a body that cannot be used.

    ``attempts`` is how many times the request was sent: more than one for a write means an earlier
    attempt whose answer was lost may have landed."""

    def __init__(self, message, status=None, error_code=None, request_id=None, client_request_id=None, attempts=1):
        super(GraphError, self).__init__(
            message, status=status, error_code=error_code, request_id=request_id, client_request_id=client_request_id)
        self.status = status
        self.error_code = error_code
        self.attempts = attempts


class WriteUnconfirmedError(GraphError):
    """A write that landed (``landed``: Graph answered 2xx) or may have landed, after which what the task
    needed to confirm it failed. The task changed something: it must never be reported as unchanged."""

    def __init__(self, message, landed, cause=None):
        details = dict(cause.details) if cause is not None else {}
        super(WriteUnconfirmedError, self).__init__(
            message, status=details.get('status'), error_code=details.get('error_code'),
            request_id=details.get('request_id'), client_request_id=details.get('client_request_id'))
        self.landed = landed


class StateError(EntraGraphError):
    """The object is not in a state from which the requested state can be reached."""
