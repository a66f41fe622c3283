# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft Entra ID and Microsoft Graph for unit tests: the emulator's model, in process, below requests.

Every rule of Entra ID and Graph (sign-in, managed identity, Graph v1.0 and beta, partner configurations,
sync policies, deleted items, errors) comes from ``tests/emulator`` (``inprocess.InProcessEmulator``), the
same model the end-to-end tests reach over TLS. ``FakeCloud`` only adds what unit tests need around it:

- it replaces ``requests.adapters.HTTPAdapter.send``, the last Python call before a socket would open,
  so everything above (requests' session, the collection's transport and retries, MSAL) runs for real;
- it records every request with the ``verify`` and ``timeout`` the adapter was given (``Seen``);
- it refuses any URL the emulator does not own, so nothing can reach a real host;
- ``inject`` raises requests' own exceptions (TLS, timeouts, refused connections) or replaces an answer
  with anything at all, before or after the emulator handled the request;
- the test identity: the home tenant, an app with a client secret and the test certificate, and
  shortcuts to seed and read Graph's objects.

Faults in the emulator's own terms (``cloud.emulator.add_fault``) work as well.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from requests.structures import CaseInsensitiveDict

from ansible_collections.entra.graph.tests.emulator import schema as graph_schema
from ansible_collections.entra.graph.tests.emulator.inprocess import (
    DEFAULT_IDENTITY_ENDPOINT,
    DEFAULT_IMDS_HOST,
    REASONS,
    InProcessEmulator,
    UnownedURL,
    origin_of,
)

# The directory the tests sign in to, and the app they sign in as.
HOME_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
HOME_DOMAIN = 'contoso.onmicrosoft.com'
CLIENT_ID = '0b8d6a3e-1c2f-4e5a-9b7c-3d4e5f6a7b8c'
CLIENT_SECRET = 'unit-client-secret~Q8.zX4-vw2'
APP_SERVICE_ENDPOINT = DEFAULT_IDENTITY_ENDPOINT
IMDS_HOST = DEFAULT_IMDS_HOST

# The partners whose objects the tests manage.
PARTNER = '9c5d131d-b1c3-4fc4-9e3f-c6557947d551'
OTHER_PARTNER = '01d0e717-bc90-46ba-94a9-71b4a811fddb'

# The emulator's names for Graph's four collections.
PARTNERS, LIVE, DELETED_PARTNERS, DELETED = 'partners', 'partner_policy', 'deleted_partners', 'deleted_items'
_ENTITIES = {PARTNERS: graph_schema.PARTNER, DELETED_PARTNERS: graph_schema.PARTNER,
             LIVE: graph_schema.SYNC_POLICY, DELETED: graph_schema.SYNC_POLICY}
JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'


def graph_path(collection, tenant_id=PARTNER, version='beta'):
    """The URL path of an object (or, with ``tenant_id=None``, of its collection) in one of Graph's four collections."""
    if collection == LIVE:
        return '/%s/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization' % (version, tenant_id)
    base = {PARTNERS: 'crossTenantAccessPolicy/partners', DELETED_PARTNERS: 'deletedItems/crossTenantPartners',
            DELETED: 'deletedItems/crossTenantSyncPolicyPartners'}[collection]
    path = '/%s/policies/%s' % (version, base)
    return path if tenant_id is None else '%s/%s' % (path, tenant_id)


class Seen:
    """One request as the transport adapter received it, and the status it was answered with."""

    def __init__(self, kind, request, verify, timeout):
        parts = urlsplit(request.url)
        self.kind = kind
        self.method = request.method
        self.url = request.url
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.path = parts.path
        self.query = dict((k, v[0]) for k, v in parse_qs(parts.query, keep_blank_values=True).items())
        self.headers = CaseInsensitiveDict(request.headers)
        body = request.body
        if isinstance(body, str):
            body = body.encode('utf-8')
        self.body = body or b''
        self.verify = verify
        self.timeout = timeout
        self.status = None
        self.form = {}
        self.json = None
        content_type = self.headers.get('Content-Type', '')
        if self.body and 'x-www-form-urlencoded' in content_type:
            self.form = dict((k, v[0]) for k, v in parse_qs(self.body.decode('utf-8'), keep_blank_values=True).items())
        elif self.body and 'json' in content_type:
            self.json = json.loads(self.body.decode('utf-8'))

    @property
    def version(self):
        """The Graph API version of a Graph request (``v1.0`` or ``beta``)."""
        return self.path.split('/')[1] if self.kind == 'graph' else None

    @property
    def text(self):
        """Everything the request carried, for leak checks."""
        return '%s %s %r %s' % (self.method, self.url, dict(self.headers), self.body.decode('utf-8', 'replace'))

    def __repr__(self):
        return '<%s %s %s>' % (self.kind, self.method, self.url.split('?')[0])


def request_kind(path):
    """What a request is for, from its path: graph, token, discovery, instance_discovery, mi_app_service, mi_imds."""
    if path.startswith(('/v1.0/', '/beta/')):
        return 'graph'
    if path.endswith('/oauth2/v2.0/token'):
        return 'token'
    if path == '/common/discovery/instance':
        return 'instance_discovery'
    if path.endswith(('/.well-known/openid-configuration', '/discovery/v2.0/keys')):
        return 'discovery'
    if path.startswith('/msi/'):
        return 'mi_app_service'
    if path.startswith('/metadata/identity/'):
        return 'mi_imds'
    return 'other'


class Fault:
    def __init__(self, kind, method, path, times, status, headers, body, exc, after):
        self.kind = kind
        self.method = method
        self.path = path
        self.times = times
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.exc = exc
        self.after = after

    def matches(self, seen):
        return (self.times > 0 and self.kind in (None, seen.kind) and self.method in (None, seen.method)
                and (self.path is None or self.path in seen.path))


def jwt_claims(token):
    """The payload of a JWT, unverified (the emulator verified it)."""
    payload = token.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))


class FakeCloud:
    """The emulator's Entra ID and Graph, installed under requests; see the module docstring."""

    def __init__(self, certificate=None, page_size=100):
        self.emulator = InProcessEmulator(tenant_id=HOME_TENANT, domains=(HOME_DOMAIN,), page_size=page_size)
        pem = certificate.cert.public_bytes(serialization.Encoding.PEM) if certificate is not None else None
        self.emulator.add_app(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, certificate=pem, name='entra.graph unit tests')
        # Every access token issued and client assertion received, for the tests that look for leaks.
        self.emulator.record_tokens(True)
        self.info = self.emulator.info
        self.seen = []
        self.unexpected = []
        self.faults = []
        self._patch = None

    # -- setup -----------------------------------------------------------------------------

    def __enter__(self):
        self.install()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def install(self):
        cloud = self

        def send(adapter, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            return cloud.handle(request, verify=verify, timeout=timeout, cert=cert, proxies=proxies)

        self._patch = mock.patch.object(requests.adapters.HTTPAdapter, 'send', send)
        self._patch.start()

    def close(self):
        if self._patch is not None:
            self._patch.stop()
            self._patch = None
        self.emulator.close()

    def own(self, url):
        """Answer for one more origin (an authority_host or graph_endpoint override), as for Microsoft's own hosts."""
        return self.emulator.add_origin(url)

    @property
    def page_size(self):
        return self.emulator.settings.page_size

    @page_size.setter
    def page_size(self, size):
        self.emulator.configure(page_size=size)

    def inject(self, kind=None, method=None, path=None, times=1, status=None, headers=None, body=None, exc=None, after=False):
        """Answer the next ``times`` matching requests with ``status``/``headers``/``body`` or raise ``exc``.

        With ``after``, the emulator handles the request first (a write lands) and then ``exc`` is raised
        or the injected answer replaces the real one, as when a connection drops or a gateway times out
        after the server did the work. ``kind`` is one of ``request_kind``'s names.
        """
        self.faults.append(Fault(kind, method, path, times, status, headers, body, exc, after))

    # -- Graph's objects, seeded and read through the emulator's store -----------------------

    def _seed(self, collection, tenant_id, props):
        objects = self.emulator.objects()
        items = [obj for obj in objects[collection] if obj['tenantId'] != tenant_id]
        items.append(dict(props, tenantId=tenant_id))
        objects[collection] = items
        self.emulator.set_objects(objects)
        return self.view(collection, tenant_id)

    def add_partner(self, tenant_id=PARTNER, **props):
        """A partner configuration (crossTenantAccessPolicyConfigurationPartner), as a beta GET shows it."""
        return self._seed(PARTNERS, tenant_id, props)

    def put_live(self, tenant_id=PARTNER, **props):
        """A live sync policy (with a partner configuration when there is none), as a beta GET shows it."""
        return self._seed(LIVE, tenant_id, props)

    def put_deleted(self, tenant_id=PARTNER, **props):
        """A sync policy in deleted items, as a beta GET shows it."""
        return self._seed(DELETED, tenant_id, props)

    def put_deleted_partner(self, tenant_id=PARTNER, **props):
        return self._seed(DELETED_PARTNERS, tenant_id, props)

    def view(self, collection, tenant_id=PARTNER, version='beta'):
        """The object as a GET of ``version`` answers it, without annotations; None when there is none."""
        for obj in self.emulator.objects()[collection]:
            if obj['tenantId'] == tenant_id:
                return _ENTITIES[collection].render(obj, version)
        return None

    def _table(self, collection):
        return dict((obj['tenantId'], _ENTITIES[collection].render(obj, 'beta')) for obj in self.emulator.objects()[collection])

    # Each collection as a dict: tenant ID -> the object as a beta GET shows it.
    partners = property(lambda self: self._table(PARTNERS))
    live = property(lambda self: self._table(LIVE))
    deleted = property(lambda self: self._table(DELETED))
    deleted_partners = property(lambda self: self._table(DELETED_PARTNERS))

    # -- sign-in ---------------------------------------------------------------------------

    def ready_token(self, **kwargs):
        """An access token obtained elsewhere (for auth_method=access_token), for the test app by default."""
        return self.emulator.issue_token(client_id=kwargs.pop('client_id', CLIENT_ID), **kwargs)

    def issued(self):
        """Every access token the emulator issued, in order."""
        return self.emulator.recorded_tokens()['access_tokens']

    def secrets_seen(self):
        """Every secret that crossed the wire: access tokens issued and client assertions received."""
        recorded = self.emulator.recorded_tokens()
        return set(recorded['access_tokens']) | set(recorded['client_assertions'])

    def sign_ins(self):
        """How each successful sign-in was made, in order: client_secret, client_certificate, workload_identity
        or managed_identity."""
        methods = []
        for seen in self.seen:
            if seen.status != 200:
                continue
            if seen.kind in ('mi_app_service', 'mi_imds'):
                methods.append('managed_identity')
            elif seen.kind == 'token' and 'client_secret' in seen.form:
                methods.append('client_secret')
            elif seen.kind == 'token':
                issuer = jwt_claims(seen.form['client_assertion']).get('iss')
                methods.append('workload_identity' if issuer == self.info['federated_issuer'] else 'client_certificate')
        return methods

    # -- what happened -----------------------------------------------------------------------

    def requests(self, kind=None, method=None):
        return [s for s in self.seen if kind in (None, s.kind) and method in (None, s.method)]

    def graph(self, method=None):
        return self.requests('graph', method)

    def graph_writes(self):
        return [s for s in self.graph() if s.method != 'GET']

    def token_requests(self):
        return self.requests('token')

    def hosts(self):
        return set(s.host for s in self.seen)

    def versions(self):
        """The Graph API versions the requests went to."""
        return set(s.version for s in self.graph())

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, request, verify, timeout, cert=None, proxies=None):
        if origin_of(request.url) not in self.emulator.origins:
            self.unexpected.append(request.url)
            raise UnownedURL('the unit tests do not own %s %s; nothing may leave the machine' % (request.method, request.url))
        seen = Seen(request_kind(urlsplit(request.url).path), request, verify, timeout)
        self.seen.append(seen)
        fault = next((f for f in self.faults if f.matches(seen)), None)
        if fault is not None:
            fault.times -= 1
            if not fault.after:
                if fault.exc is not None:
                    raise fault.exc
                return self._answer(seen, request, fault.status, fault.body, fault.headers)
        response = self.emulator.respond(request, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        seen.status = response.status_code
        if fault is not None:
            if fault.exc is not None:
                raise fault.exc
            return self._answer(seen, request, fault.status, fault.body, fault.headers)
        return response

    @staticmethod
    def _answer(seen, request, status, body=None, headers=None):
        seen.status = status
        response = requests.Response()
        response.status_code = status
        response.reason = REASONS.get(status, 'Unknown')
        response.headers = CaseInsensitiveDict(headers or {})
        if isinstance(body, str):
            content = body.encode('utf-8')
        elif isinstance(body, bytes) or body is None:
            content = body or b''
        else:
            content = json.dumps(body).encode('utf-8')
            response.headers.setdefault('Content-Type', 'application/json; charset=utf-8')
        response._content = content
        response._content_consumed = True
        response.encoding = 'utf-8'
        response.url = request.url
        response.request = request
        return response
