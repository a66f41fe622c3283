# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP layer under both Graph and sign-in: one keep-alive session, TLS
settings that the environment cannot override, the one retry loop of the
collection and readable transport errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import traceback

from ansible_collections.entra.graph.plugins.module_utils.errors import (
    ConfigurationError,
    GraphError,
    MissingLibraryError,
    TransportError,
    WriteUnconfirmedError,
    redact,
)
from ansible_collections.entra.graph.plugins.module_utils.retry import RETRYABLE_STATUSES, describe_wait

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests import exceptions as requests_exceptions
    from requests.adapters import HTTPAdapter
    _SessionBase = requests.Session
except ImportError:  # pragma: no cover - exercised through missing_required_lib
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    _SessionBase = object

USER_AGENT = 'entra.graph/0.3.0 (Ansible collection)'

# requests' own default: connections kept per host when no pool size is asked for.
DEFAULT_POOL_SIZE = 10

# The variables requests reads for a CA bundle when a call does not pin one, in the order it reads them.
CA_BUNDLE_VARIABLES = ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')

LOST_WRITE_HINT = ('the write may have happened; it is not sent again blindly, so read the object (or run the task again) '
                   'to see whether it landed')


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


def build_session(settings, pool_size=None):
    """One session per task, so sign-in and every Graph call share the TLS connections.

    ``pool_size`` is the number of threads that will send at once: each host keeps that many
    keep-alive connections, so no thread waits for, or throws away, a connection.
    """
    if REQUESTS_IMPORT_ERROR:
        raise MissingLibraryError('requests', REQUESTS_IMPORT_ERROR)
    if settings.verify is True:
        check_environment_ca_bundle()
    session = PinnedVerifySession()
    size = max(1, int(pool_size or DEFAULT_POOL_SIZE))
    for prefix in ('https://', 'http://'):
        session.mount(prefix, HTTPAdapter(pool_connections=DEFAULT_POOL_SIZE, pool_maxsize=size))
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


def check_environment_ca_bundle(environ=None):
    """Without ca_path, requests trusts the bundle REQUESTS_CA_BUNDLE (else CURL_CA_BUNDLE) names: it must exist."""
    environ = os.environ if environ is None else environ
    for name in CA_BUNDLE_VARIABLES:
        value = environ.get(name)
        if not value:
            continue
        if not os.path.exists(value):
            raise ConfigurationError(
                'TLS configuration: the environment variable %s names %s, which does not exist, and requests would read '
                'its CA bundle from there for every request; set ca_path to the CA bundle to trust (ca_path wins over '
                'the environment), or fix or unset %s' % (name, value, name), option='ca_path')
        return  # requests reads the first one that is set


class Sent:
    """What ``Transport.send`` came to: the final answer and what sending it learned on the way.

    ``response`` is the final ``requests.Response``; None for a write whose answer was lost and that
    ``verify_write`` found done, ``found`` being what that read returned. ``attempts`` counts the requests
    sent. ``wait_refused`` is the seconds a ``Retry-After`` asked for beyond the ``max_wait`` the policy
    accepts (None when no wait was refused). ``may_have_landed`` says that the answer (a 504 to a write
    nothing could check) hides whether the write landed.
    """

    def __init__(self, response, attempts, found=None, wait_refused=None, max_wait=None, may_have_landed=False):
        self.response = response
        self.attempts = attempts
        self.found = found
        self.wait_refused = wait_refused
        self.max_wait = max_wait
        self.may_have_landed = may_have_landed


class AmbiguousWriteError(TransportError):
    """A non-idempotent request failed after it may have reached the server, and nothing could look whether it landed."""


class Transport:
    """Sends requests with the session; the one place that decides whether, when and how often to try again.

    A ``Transport`` may be used from several threads at once: the session's pool is sized for them
    (``build_session(pool_size=...)``) and the policy's hold makes every thread respect throttling.
    """

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

    def send(self, method, url, idempotent=True, verify_write=None, **kwargs):
        """Return what the request came to, a ``Sent``; raise TransportError when no answer came.

        429, 503 and 504 answers and connection failures are tried again up to ``policy.max_retries``
        times; a 429, or a 503 with ``Retry-After``, holds back every request of the task for that long.
        A ``Retry-After`` longer than the policy accepts is not waited for: the answer is returned at once
        with ``wait_refused`` set to the seconds asked.

        A non-idempotent request is never sent again after a failure that may hide a completed write
        (a dropped connection, a timeout, a 504): ``verify_write()`` is asked first, and what it returns
        (not None) means the write landed. Without ``verify_write`` such a failure ends the request.
        """
        policy = self.policy
        retry = 0
        while True:
            policy.wait_turn()
            attempt = retry + 1
            try:
                response = self.session.request(method, url, timeout=self._timeout(), **kwargs)
            except requests_exceptions.RequestException as exc:
                failure = describe_transport_error(exc, method, url, self._waited(exc), attempt, proxy=self._proxy_for(url, exc))
                reached = _may_have_reached_server(exc)
                if not _is_retryable_exception(exc) or (not self.retry_unreachable and not reached):
                    raise failure
                if not idempotent and reached:
                    if verify_write is None:
                        raise AmbiguousWriteError('%s; %s' % (failure.message, LOST_WRITE_HINT), **failure.details)
                    found = _confirm(verify_write, failure.message)
                    if found is not None:
                        return Sent(None, attempt, found=found)
                if retry >= policy.max_retries:
                    raise failure
                policy.pause(policy.backoff(retry))
                retry += 1
                continue
            except OSError as exc:
                # requests opens the CA bundle only when it connects; one that vanished fails here, not as a RequestException.
                raise TransportError('%s %s failed: TLS configuration: %s; set ca_path to a readable CA bundle'
                                     % (method, strip_query(url), redact(str(exc))), error_kind='tls')
            status = response.status_code
            if status not in RETRYABLE_STATUSES:
                return Sent(response, attempt)
            if status == 504 and not idempotent:
                # A gateway timeout says nothing about whether the write landed behind it.
                if verify_write is None:
                    return Sent(response, attempt, may_have_landed=True)
                found = _confirm(verify_write, '%s %s answered HTTP 504' % (method, strip_query(url)))
                if found is not None:
                    return Sent(None, attempt, found=found)
                if retry >= policy.max_retries:
                    return Sent(response, attempt)
                policy.pause(policy.backoff(retry))
                retry += 1
                continue
            if retry >= policy.max_retries:
                return Sent(response, attempt)
            asked = policy.server_wait(response.headers.get('Retry-After'))
            if policy.too_long(asked):
                return Sent(response, attempt, wait_refused=asked, max_wait=policy.max_wait)
            wait = policy.backoff(retry) if asked is None else asked
            if status == 429 or (status == 503 and asked is not None):
                policy.hold(wait)  # the whole task waits: Graph throttles the app, not this one request
            else:
                policy.pause(wait)
            retry += 1

    def _timeout(self):
        return self.timeout if self.connect_timeout is None else (self.connect_timeout, self.timeout)

    def _waited(self, exc):
        if self.connect_timeout is not None and isinstance(exc, requests_exceptions.ConnectTimeout):
            return self.connect_timeout
        return self.timeout

    def _proxy_for(self, url, exc):
        if not isinstance(exc, requests_exceptions.ProxyError):
            return None
        try:
            proxies = self.session.merge_environment_settings(url, {}, None, None, None).get('proxies') or {}
            return without_credentials(requests.utils.select_proxy(url, proxies))
        except (ValueError, TypeError, KeyError, AttributeError, OSError):  # only used to name the proxy in a message
            return None


def _confirm(verify_write, what):
    """What ``verify_write`` found; when the read itself fails, the write may still have landed, and says so."""
    try:
        return verify_write()
    except (TransportError, GraphError) as exc:
        raise WriteUnconfirmedError('%s, so the write may have landed, and the read to confirm it failed: %s'
                                    % (what, exc.message), landed=False, cause=exc)


def wait_refused_text(seconds, max_wait):
    """The end of a message for a Retry-After longer than the collection waits."""
    return ('asked to wait %s before trying again, longer than the %g seconds the collection waits at most '
            '(MAX_WAIT_SECONDS), so it did not wait; run the task again after that time' % (describe_wait(seconds), max_wait))


def _is_retryable_exception(exc):
    if isinstance(exc, requests_exceptions.SSLError):
        return False  # a certificate problem does not go away by asking again
    return isinstance(exc, (requests_exceptions.ConnectionError, requests_exceptions.Timeout))


def _may_have_reached_server(exc):
    if isinstance(exc, (requests_exceptions.ConnectTimeout, requests_exceptions.ProxyError)):
        return False
    text = str(exc)
    return not ('NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text)


_CERT_REASON = re.compile(r"certificate verify failed: (.+?)(?: \(_ssl\.c:\d+\)|'\)|\"\)|\)\)|$)")
_INNER_REASON = re.compile(r"\(Caused by (\w+)\((?:'[^']*', )?(?:\w+\()?'?(.*?)'?\)+$")


def describe_transport_error(exc, method, url, timeout, attempts, proxy=None):
    """A TransportError that names the kind of failure and what to do about it."""
    target = strip_query(url)
    tried = '' if attempts <= 1 else ' (tried %d times)' % attempts
    if isinstance(exc, requests_exceptions.ProxyError):
        where = 'the proxy %s' % proxy if proxy else 'the proxy'
        return TransportError('%s %s failed: could not go through %s: %s; the proxy comes from the HTTPS_PROXY, HTTP_PROXY or '
                              'ALL_PROXY environment variable, so check it, or list the host in NO_PROXY%s'
                              % (method, target, where, _short(exc), tried), error_kind='proxy')
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
    text = redact(str(exc))
    for marker in ('Connection refused', 'Connection reset by peer', 'Remote end closed connection without response',
                   'Name or service not known', 'No route to host', 'Connection aborted'):
        if marker in text:
            return marker.lower() if marker != 'Connection refused' else 'connection refused'
    match = _INNER_REASON.search(text)
    if match:
        return '%s: %s' % (match.group(1), match.group(2))
    return text


def strip_query(url):
    """The URL without its query, for messages: a query may carry a skip token or other noise."""
    return (url or '').split('?', 1)[0]


def without_credentials(url):
    """``url`` with any ``user:password@`` left out, for messages."""
    if not url:
        return url
    return re.sub(r'^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@', r'\1', url)


def _num(value):
    return ('%g' % value) if isinstance(value, float) else str(value)
