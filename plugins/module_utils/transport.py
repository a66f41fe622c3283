# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP layer under both Graph and sign-in: one keep-alive session, TLS
settings that the environment cannot override, retries and readable
transport errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

from ansible_collections.entra.graph.plugins.module_utils.errors import MissingLibraryError, TransportError, redact_bearer
from ansible_collections.entra.graph.plugins.module_utils.retry import RETRYABLE_STATUSES

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests import exceptions as requests_exceptions
    _SessionBase = requests.Session
except ImportError:  # pragma: no cover - exercised through missing_required_lib
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    _SessionBase = object

USER_AGENT = 'entra.graph/0.1.0 (Ansible collection)'


class PinnedVerifySession(_SessionBase):
    """A session whose ``verify`` wins over ``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE``.

    requests lets those variables replace a session's ``verify`` when the call
    itself does not pass one, and MSAL never passes one; an explicit
    ``ca_path`` or ``validate_certs: false`` must hold for every request.
    """

    pin_verify = False

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super(PinnedVerifySession, self).merge_environment_settings(url, proxies, stream, verify, cert)
        if self.pin_verify:
            merged['verify'] = self.verify
        return merged


def build_session(settings):
    """One session per task, so sign-in and every Graph call share the TLS connection."""
    if REQUESTS_IMPORT_ERROR:
        raise MissingLibraryError('requests', REQUESTS_IMPORT_ERROR)
    session = PinnedVerifySession()
    session.verify = settings.verify
    session.pin_verify = settings.verify is not True
    session.headers['User-Agent'] = USER_AGENT
    if settings.verify is False:
        # The module already warns once; urllib3's per-request warning would flood stderr.
        try:
            from urllib3.exceptions import InsecureRequestWarning
            import warnings
            warnings.simplefilter('ignore', InsecureRequestWarning)
        except ImportError:
            pass
    return session


class AmbiguousWriteError(TransportError):
    """A non-idempotent request failed after it may have reached the server."""

    def __init__(self, message, retries_used, **details):
        super(AmbiguousWriteError, self).__init__(message, **details)
        self.retries_used = retries_used


class Transport:
    """Sends requests with the session, retrying what Graph and Entra ID say is transient."""

    def __init__(self, session, policy, timeout, connect_timeout=None, retry_unreachable=True):
        self.session = session
        self.policy = policy
        self.timeout = timeout
        # A probe (managed identity guessed by auth_method=auto) gives up quickly on a host that is not there.
        self.connect_timeout = connect_timeout
        self.retry_unreachable = retry_unreachable

    def probe(self, connect_timeout):
        """A transport on the same session that does not wait long for, or retry, a host that does not answer."""
        return Transport(self.session, self.policy, self.timeout, connect_timeout=min(connect_timeout, self.timeout),
                         retry_unreachable=False)

    def send(self, method, url, idempotent=True, retries_used=0, **kwargs):
        """Return the final ``requests.Response``; raise TransportError when none came.

        429, 503 and 504 answers and connection failures are retried up to
        ``policy.max_retries`` times. A non-idempotent request is not resent
        blindly after a failure that may have reached the server: that raises
        AmbiguousWriteError so the caller can look before writing again.
        """
        retry = retries_used
        while True:
            try:
                timeout = self.timeout if self.connect_timeout is None else (self.connect_timeout, self.timeout)
                response = self.session.request(method, url, timeout=timeout, **kwargs)
            except requests_exceptions.RequestException as exc:
                waited = self.timeout
                if self.connect_timeout is not None and isinstance(exc, requests_exceptions.ConnectTimeout):
                    waited = self.connect_timeout
                failure = describe_transport_error(exc, method, url, waited, retry + 1)
                if not _is_retryable_exception(exc) or (not self.retry_unreachable and not _may_have_reached_server(exc)):
                    raise failure
                if not idempotent and _may_have_reached_server(exc):
                    raise AmbiguousWriteError(failure.message, retry, **failure.details)
                if retry >= self.policy.max_retries:
                    raise failure
                self.policy.wait(retry)
                retry += 1
                continue
            if response.status_code in RETRYABLE_STATUSES and retry < self.policy.max_retries:
                if response.status_code == 504 and not idempotent:
                    # A gateway timeout says nothing about whether the write landed behind it.
                    raise AmbiguousWriteError('%s %s: HTTP 504 Gateway Timeout' % (method, strip_query(url)), retry)
                self.policy.wait(retry, response.headers.get('Retry-After'))
                retry += 1
                continue
            response.attempts = retry + 1
            return response


class MsalHttpClient:
    """The ``http_client`` given to MSAL: MSAL's own throttling cache sits on top and
    would replay a 429 instead of waiting, so the retries must happen down here."""

    def __init__(self, transport):
        self.transport = transport
        # The last answer, for an error message when MSAL cannot use it.
        self.last_response = None

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        kwargs.pop('timeout', None)
        self.last_response = self.transport.send('POST', url, params=params, data=data, headers=headers, **kwargs)
        return self.last_response

    def get(self, url, params=None, headers=None, **kwargs):
        kwargs.pop('timeout', None)
        self.last_response = self.transport.send('GET', url, params=params, headers=headers, **kwargs)
        return self.last_response

    def close(self):
        self.transport.session.close()


def _is_retryable_exception(exc):
    if isinstance(exc, requests_exceptions.SSLError):
        return False  # a certificate problem does not go away by asking again
    return isinstance(exc, (requests_exceptions.ConnectionError, requests_exceptions.Timeout))


def _may_have_reached_server(exc):
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return False
    text = str(exc)
    return not ('NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text)


_CERT_REASON = re.compile(r"certificate verify failed: (.+?)(?: \(_ssl\.c:\d+\)|'\)|\"\)|\)\)|$)")
_INNER_REASON = re.compile(r"\(Caused by (\w+)\((?:'[^']*', )?(?:\w+\()?'?(.*?)'?\)+$")


def describe_transport_error(exc, method, url, timeout, attempts):
    """A TransportError that names the kind of failure and what to do about it."""
    target = strip_query(url)
    tried = '' if attempts <= 1 else ' (tried %d times)' % attempts
    if isinstance(exc, requests_exceptions.SSLError):
        match = _CERT_REASON.search(str(exc))
        if match:
            detail = match.group(1).strip().rstrip('.')
            reason = 'TLS certificate verification failed: %s' % detail
            if 'hostname mismatch' in detail.lower():
                hint = '; the certificate does not name this host, so use the host name it was issued for'
            else:
                hint = ('; set ca_path to the CA bundle that issued the server certificate'
                        ' (validate_certs=false turns verification off, for testing only)')
        else:
            reason = 'TLS handshake failed: %s' % _short(exc)
            hint = ''
        return TransportError('%s %s failed: %s%s%s' % (method, target, reason, hint, tried), error_kind='tls')
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return TransportError('%s %s failed: could not connect within the %ss timeout%s' % (method, target, _num(timeout), tried),
                              error_kind='timeout')
    if isinstance(exc, requests_exceptions.Timeout):
        return TransportError('%s %s failed: no answer within the %ss timeout%s' % (method, target, _num(timeout), tried),
                              error_kind='timeout')
    if isinstance(exc, requests_exceptions.ConnectionError):
        return TransportError('%s %s failed: connection error: %s%s' % (method, target, _short(exc), tried), error_kind='connection')
    return TransportError('%s %s failed: %s%s' % (method, target, _short(exc), tried), error_kind='request')


def _short(exc):
    text = redact_bearer(str(exc))
    for marker in ('Connection refused', 'Connection reset by peer', 'Remote end closed connection without response',
                   'Name or service not known', 'No route to host', 'Connection aborted'):
        if marker in text:
            return marker.lower() if marker != 'Connection refused' else 'connection refused'
    match = _INNER_REASON.search(text)
    if match:
        return '%s: %s' % (match.group(1), match.group(2))
    return text


def strip_query(url):
    return url.split('?', 1)[0]


def _num(value):
    return ('%g' % value) if isinstance(value, float) else str(value)
