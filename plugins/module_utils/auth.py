# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sign-in to Microsoft Entra ID with MSAL, for every method a pipeline uses.

``auto`` picks the first method whose inputs are present: a ready access
token, a client certificate, a client secret, a federated token file, and
last a managed identity (which needs no input, as on an Azure VM). Inputs the
task gives win over inputs from the environment.

One ``TokenProvider`` serves every thread of a task: one sign-in, not one per
thread, and a token Graph refuses is replaced once (``replace_refused``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import json
import os
import threading
import traceback

from ansible_collections.entra.graph.plugins.module_utils.errors import (
    AuthenticationError,
    ConfigurationError,
    MissingLibraryError,
    TransportError,
    remember_secret,
)
from ansible_collections.entra.graph.plugins.module_utils.connection import environment_variables
from ansible_collections.entra.graph.plugins.module_utils.transport import strip_query, wait_refused_text


class MsalHttpClient:
    """The ``http_client`` given to MSAL: MSAL's own throttling cache sits on top and
    would replay a 429 instead of waiting, so the retries must happen down here."""

    def __init__(self, transport):
        self.transport = transport
        # The last answer, for an error message when MSAL cannot use it.
        self.last_response = None

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        kwargs.pop('timeout', None)
        if isinstance(data, dict):
            # What sign-in sends must never come back in a message, whoever quotes it.
            for key in ('client_secret', 'client_assertion'):
                remember_secret(data.get(key))
        return self._checked(self.transport.send('POST', url, params=params, data=data, headers=headers, **kwargs))

    def get(self, url, params=None, headers=None, **kwargs):
        kwargs.pop('timeout', None)
        return self._checked(self.transport.send('GET', url, params=params, headers=headers, **kwargs))

    def _checked(self, sent):
        """The answer MSAL reads (a ``requests.Response``), unless Graph asked for a wait longer than the collection's."""
        response = self.last_response = sent.response
        if sent.wait_refused is not None:
            raise AuthenticationError('Sign-in: %s %s answered HTTP %d and %s' % (
                response.request.method, strip_query(response.url), response.status_code,
                wait_refused_text(sent.wait_refused, sent.max_wait)), status=response.status_code)
        return response

    def close(self):
        self.transport.session.close()


# The order auth_method=auto tries, with the option that selects each method.
AUTO_ORDER = (('access_token', 'access_token'),
              ('client_certificate', 'client_certificate_path'),
              ('client_secret', 'client_secret'),
              ('workload_identity', 'federated_token_file'))


def choose_auth_method(settings):
    """The method ``settings`` asks for, or the one ``auto`` finds inputs for: the task's own first, then the environment's.

    AWX injects AZURE_* variables while a playbook may pass its own (vaulted) secret: what the task
    names is what it signs in with.
    """
    if settings.auth_method != 'auto':
        return settings.auth_method
    from_environment = getattr(settings, 'from_environment', {})
    for environment in (False, True):
        for method, option in AUTO_ORDER:
            if getattr(settings, option) and (option in from_environment) == environment:
                return method
    return 'managed_identity'  # needs no input: the host's identity endpoint answers, or the task says why not


# The options each method needs; each setting is named after its option.
_REQUIRED = {
    'client_secret': ('tenant', 'client_id', 'client_secret'),
    'client_certificate': ('tenant', 'client_id', 'client_certificate_path'),
    'workload_identity': ('tenant', 'client_id', 'federated_token_file'),
    'access_token': ('access_token',),
    'managed_identity': (),
}


def check_required(settings, method):
    missing = [option for option in _REQUIRED[method] if not getattr(settings, option)]
    if missing:
        raise ConfigurationError('auth_method=%s needs %s' % (method, ', '.join(_option_and_variables(o) for o in missing)),
                                 option=missing[0])


def _option_and_variables(option):
    names = environment_variables(option)
    return '%s (or %s)' % (option, ' or '.join(names)) if names else option


class TokenProvider:
    """Gets one Graph access token per task, lazily, on the first Graph call; safe to share between threads."""

    def __init__(self, settings, transport, token_cache=None):
        self.settings = settings
        self.transport = transport
        self.method = choose_auth_method(settings)
        # auto fell through to a managed identity because no other input was there, not because it was asked for.
        self.guessed_managed_identity = settings.auth_method == 'auto' and self.method == 'managed_identity'
        self.token_cache = token_cache
        check_required(settings, self.method)
        self._lock = threading.Lock()
        self._token = None
        # Where the current token came from: 'given' (access_token), 'cache' (the token cache), 'sign_in'.
        self._source = None
        # Whether Graph has taken the current token (answered anything but 401 to it).
        self._accepted = False
        self.sign_ins = 0
        # Read local files now, so a bad path fails before any request. A certificate is parsed (which
        # imports cryptography) only when a sign-in needs it: a token from the cache needs neither.
        self._credential = _CREDENTIAL_READERS[self.method](settings) if self.method in _CREDENTIAL_READERS else None

    def token(self):
        with self._lock:
            if self._token is None:
                self._use(*self._obtain())
            return self._token

    def tenant_id(self):
        """The directory the token was issued for (its ``tid`` claim), lower case; None when the token does not say.
        Microsoft Graph's access tokens are JWTs; the claim is read, not verified: Graph verifies the token."""
        return token_tenant(self.token())

    def accepted(self, token):
        """Graph answered a request made with ``token`` with something other than 401."""
        if token == self._token:
            self._accepted = True

    def replace_refused(self, token, status):
        """A new token after Graph refused ``token`` with ``status`` (401 or 403), or None when asking again cannot help.

        A 401 on a token from the cache, or on one Graph took earlier in this task, means it was revoked
        or has lapsed; a 403 on a token from the cache may mean it was issued before a permission was
        granted. Either is dropped from the cache and replaced by a new sign-in, once: a token just
        signed in for that Graph refuses is the answer, not a stale token.
        """
        with self._lock:
            if token != self._token:
                return self._token  # another thread has replaced it already
            if self._source == 'given':
                return None
            stale = self._source == 'cache' or (status == 401 and self._accepted)
            if not stale:
                return None
            if self.token_cache is not None:
                self.token_cache.forget(token)
            self._use(*self._obtain(fresh=True))
            return self._token

    def _use(self, token, source):
        remember_secret(token)
        self._token, self._source, self._accepted = token, source, False

    def _obtain(self, fresh=False):
        """(token, source): from the cache when it holds a usable one, else from a sign-in."""
        if self.method == 'access_token':
            return self.settings.access_token, 'given'
        if not fresh:
            found = self._from_cache()
            if found:
                return found, 'cache'
        with self._cache_locked():
            if self.token_cache is not None:
                # Another process (a fork of the same play) may have signed in while this one waited.
                self.token_cache.reload()
                found = self._from_cache()
                if found:
                    return found, 'cache'
            return self._acquire()

    def _cache_locked(self):
        if self.token_cache is None:
            return contextlib.nullcontext()
        return self.token_cache.locked(self.settings.timeout + 30)

    def _from_cache(self):
        # A hit here skips importing MSAL and the authority's discovery document altogether.
        if self.token_cache is None or self.method == 'managed_identity':
            return None
        return self.token_cache.cached_token(self.settings.client_id, self.settings.authority, self.settings.scope)

    def _acquire(self):
        try:
            return self._sign_in()
        except (AuthenticationError, TransportError) as exc:
            if self.guessed_managed_identity:
                raise type(exc)('auth_method=auto found no access_token, client_certificate_path, client_secret or '
                                'federated_token_file (nor their AZURE_* environment variables), so it tried a managed '
                                'identity: %s' % exc.message, **exc.details)
            raise

    def _sign_in(self):
        credential = self._credential
        if self.method == 'client_certificate':
            credential = _certificate_credential(self.settings, credential)
        msal = import_msal()
        http_client = MsalHttpClient(self._transport_for_sign_in())
        cache = self.token_cache.msal_cache(msal) if self.token_cache else None
        try:
            result = self._msal_token(msal, http_client, credential, cache)
        except (TypeError, KeyError, AttributeError) as exc:
            if cache is None:
                raise
            # MSAL tripped over something in the cache file that the checks of token_cache did not catch.
            self.token_cache.discard('MSAL could not use it (%s: %s)' % (type(exc).__name__, exc))
            result = self._msal_token(msal, http_client, credential, self.token_cache.msal_cache(msal))
        if self.token_cache:
            self.token_cache.save()
        if 'access_token' not in result:
            raise authentication_error(self.method, self.settings, result, http_client)
        from_cache = result.get('token_source') == 'cache'
        if not from_cache:
            self.sign_ins += 1
        return result['access_token'], 'cache' if from_cache else 'sign_in'

    def _msal_token(self, msal, http_client, credential, cache):
        if self.method == 'managed_identity':
            return _managed_identity_token(msal, self.settings, http_client, cache)
        return _confidential_client_token(msal, self.settings, http_client, credential, cache)

    def _transport_for_sign_in(self):
        # Outside Azure, the instance metadata service that a guessed managed identity asks is not
        # there at all; fail in seconds rather than after every retry of the full timeout.
        if self.guessed_managed_identity and not any(os.environ.get(name) for name in _MANAGED_IDENTITY_ENVIRONMENT):
            return self.transport.probe(IMDS_PROBE_CONNECT_TIMEOUT)
        return self.transport


# Variables by which a host announces its managed identity endpoint; without any, MSAL asks the
# Azure instance metadata service.
_MANAGED_IDENTITY_ENVIRONMENT = ('IDENTITY_ENDPOINT', 'MSI_ENDPOINT', 'IMDS_ENDPOINT', 'AZURE_POD_IDENTITY_AUTHORITY_HOST')
IMDS_PROBE_CONNECT_TIMEOUT = 2.0


def token_tenant(token):
    """The ``tid`` claim of a JWT access token, lower case, or None."""
    parts = token.split('.') if isinstance(token, str) else []
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + '=' * (-len(parts[1]) % 4)).decode('utf-8'))
    except (ValueError, TypeError):
        return None
    tid = claims.get('tid') if isinstance(claims, dict) else None
    return tid.strip().lower() if isinstance(tid, str) and tid.strip() else None


def import_msal():
    try:
        import msal
    except ImportError:
        raise MissingLibraryError('msal', traceback.format_exc())
    return msal


def _confidential_client_token(msal, settings, http_client, credential, cache):
    try:
        app = msal.ConfidentialClientApplication(
            settings.client_id,
            client_credential=credential,
            authority=settings.authority,
            http_client=http_client,
            instance_discovery=settings.instance_discovery,
            token_cache=cache,
        )
    except ValueError as exc:
        # MSAL raises ValueError when the authority's discovery document is missing or unusable.
        reason = ' '.join(str(exc).split())
        raise AuthenticationError('Sign-in could not use the authority %s: %s' % (settings.authority, reason))
    except msal.exceptions.MsalServiceError as exc:
        # MSAL's answer to a 5xx that was not retried or kept failing (500, 502, ...).
        raise unusable_answer_error(settings, http_client, exc)
    try:
        return app.acquire_token_for_client(scopes=[settings.scope])
    except (ValueError, msal.exceptions.MsalServiceError) as exc:
        # The token endpoint answered with something other than JSON (a proxy's or gateway's page), or a 5xx.
        raise unusable_answer_error(settings, http_client, exc)


def unusable_answer_error(settings, http_client, exc):
    """An AuthenticationError for a sign-in answer MSAL could not use; the body is left out, in case it echoes the form."""
    text = 'Sign-in with auth_method=%s to %s failed: ' % (choose_auth_method(settings), settings.authority)
    response = getattr(http_client, 'last_response', None)
    if response is None or _is_json(response):
        # Not a foreign page in the way: say what MSAL said (redacted like every message).
        return AuthenticationError(text + ' '.join(str(exc).split()))
    text += '%s %s answered HTTP %d (%s), not the JSON answer of Microsoft Entra ID; is a proxy or gateway in the way?' % (
        response.request.method, response.url.split('?', 1)[0], response.status_code,
        response.headers.get('Content-Type') or 'no content type')
    request_id = response.headers.get('x-ms-request-id') or response.headers.get('request-id')
    if request_id:
        text += ' [x-ms-request-id: %s]' % request_id
    return AuthenticationError(text, status=response.status_code, request_id=request_id)


def _is_json(response):
    try:
        response.json()
    except ValueError:
        return False
    return True


def _managed_identity_token(msal, settings, http_client, cache):
    if settings.client_id:
        identity = msal.UserAssignedManagedIdentity(client_id=settings.client_id)
    else:
        identity = msal.SystemAssignedManagedIdentity()
    client = msal.ManagedIdentityClient(identity, http_client=http_client, token_cache=cache)
    try:
        return client.acquire_token_for_client(resource=settings.graph_endpoint)
    except ValueError as exc:
        # An endpoint that answers with something other than JSON (not a managed identity service).
        return {'error': 'invalid_response', 'error_description': 'the managed identity endpoint did not answer with JSON: %s' % exc}


def _read_client_secret(settings):
    return settings.client_secret


def _read_client_certificate(settings):
    """The PEM file's bytes; ``_certificate_credential`` parses them when a sign-in needs them."""
    path = settings.client_certificate_path
    data = _read_file(path, 'client_certificate_path')
    if b'-----BEGIN' not in data:
        if data[:1] == b'\x30' or path.lower().endswith(('.pfx', '.p12')):
            raise ConfigurationError(
                'client_certificate_path %s is a PFX (PKCS#12) or DER file, which is not supported: it must be PEM, holding '
                'the private key and the certificate. Convert it with: openssl pkcs12 -in %s -out app.pem -nodes '
                '(then chmod 600 app.pem), or keep the key encrypted by leaving out -nodes and setting '
                'client_certificate_password' % (path, path), option='client_certificate_path')
        raise ConfigurationError('client_certificate_path %s holds no PEM private key; it needs the private key '
                                 'and the certificate, both PEM' % path, option='client_certificate_path')
    return data


def _certificate_credential(settings, data):
    """MSAL's credential dict from a PEM holding the private key and the certificate."""
    path = settings.client_certificate_path
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        raise MissingLibraryError('cryptography', traceback.format_exc())
    password = settings.client_certificate_password
    try:
        key = serialization.load_pem_private_key(data, password=password.encode('utf-8') if password else None)
    except TypeError as exc:
        # cryptography's TypeError says whether a password was missing or not expected.
        option = 'client_certificate_password'
        raise ConfigurationError('client_certificate_path %s: %s (check %s)' % (path, exc, option), option=option)
    except ValueError:
        if password:
            raise ConfigurationError('client_certificate_path %s: no private key could be read with the given '
                                     'client_certificate_password (wrong password, or no PEM private key in the file)'
                                     % path, option='client_certificate_password')
        raise ConfigurationError('client_certificate_path %s holds no PEM private key; it needs the private key '
                                 'and the certificate, both PEM' % path, option='client_certificate_path')
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError('client_certificate_path %s holds a %s private key; Microsoft Entra certificate credentials '
                                 'need an RSA key (2048 bits or more), so create the certificate with an RSA key'
                                 % (path, _key_kind(key)), option='client_certificate_path')
    certificates = _pem_certificates(x509, data)
    if not certificates:
        raise ConfigurationError('client_certificate_path %s holds no PEM certificate; it needs the private key '
                                 'and the certificate, both PEM' % path, option='client_certificate_path')
    public = key.public_key().public_numbers()
    cert = next((c for c in certificates if _public_numbers(c) == public), None)
    if cert is None:
        raise ConfigurationError('client_certificate_path %s: the private key does not belong to the certificate in the file '
                                 '(Microsoft Entra ID would refuse the sign-in with AADSTS700027); put the key and the '
                                 'certificate made from it in one file' % path, option='client_certificate_path')
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode('ascii')
    public_pem = cert.public_bytes(serialization.Encoding.PEM).decode('ascii')
    return {
        'private_key': private_pem,
        'thumbprint': cert.fingerprint(hashes.SHA1()).hex().upper(),  # nosec - x5t is SHA-1 by definition
        'public_certificate': public_pem,
    }


def _pem_certificates(x509, data):
    """Every certificate in the PEM data (a chain may be in the file too), in file order."""
    try:
        if hasattr(x509, 'load_pem_x509_certificates'):
            return x509.load_pem_x509_certificates(data)
        return [x509.load_pem_x509_certificate(data)]
    except ValueError:
        return []


def _public_numbers(cert):
    try:
        return cert.public_key().public_numbers()
    except (AttributeError, ValueError):
        return None


def _key_kind(key):
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519
    for kind, label in ((ec.EllipticCurvePrivateKey, 'EC (elliptic curve)'), (ed25519.Ed25519PrivateKey, 'Ed25519'),
                        (ed448.Ed448PrivateKey, 'Ed448'), (dsa.DSAPrivateKey, 'DSA')):
        if isinstance(key, kind):
            return label
    return 'non-RSA'


def _read_federated_token(settings):
    path = settings.federated_token_file
    _read_assertion(path)

    def assertion():
        # Read each time: the platform rotates the file while a process may live on.
        return _read_assertion(path)
    return {'client_assertion': assertion}


def _read_assertion(path):
    token = _read_file(path, 'federated_token_file').decode('utf-8', 'replace').strip()
    if token.count('.') != 2:
        raise ConfigurationError('federated_token_file %s does not hold a JWT (expected three dot-separated parts)' % path,
                                 option='federated_token_file')
    remember_secret(token)
    return token


def _read_file(path, option):
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise ConfigurationError('%s %s cannot be read: %s' % (option, path, exc.strerror or exc), option=option)
    if not data.strip():
        raise ConfigurationError('%s %s is empty' % (option, path), option=option)
    return data


_CREDENTIAL_READERS = {
    'client_secret': _read_client_secret,
    'client_certificate': _read_client_certificate,
    'workload_identity': _read_federated_token,
}


def authentication_error(method, settings, result, http_client=None):
    """An AuthenticationError from MSAL's error dict; its description carries the AADSTS code."""
    error = result.get('error') or 'unknown_error'
    description = ' '.join((result.get('error_description') or '').split())
    # Entra appends trace and correlation ids and a timestamp; keep the ids as details.
    for marker in (' Trace ID:', ' Correlation ID:', ' Timestamp:'):
        cut = description.find(marker)
        if cut != -1:
            description = description[:cut]
    status = None
    if method == 'managed_identity':
        response = getattr(http_client, 'last_response', None)
        where = 'the managed identity endpoint'
        if response is not None and getattr(response, 'url', None):
            status = response.status_code
            where += ' %s (HTTP %d)' % (response.url.split('?', 1)[0], status)
    else:
        where = settings.authority
    text = 'Sign-in with auth_method=%s to %s failed: %s' % (method, where, error)
    if description:
        text += ': %s' % description
    codes = result.get('error_codes')
    return AuthenticationError(text, auth_error=error, error_codes=codes, status=status,
                               correlation_id=result.get('correlation_id'), trace_id=result.get('trace_id'))
