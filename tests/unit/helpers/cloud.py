# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An in-memory Microsoft Entra ID and Microsoft Graph, reached through requests' transport adapter.

``FakeCloud`` replaces ``requests.adapters.HTTPAdapter.send``, the last Python
call before a socket would open. Everything above it runs for real: requests'
session (environment merging, ``verify``), the collection's transport and
retries, MSAL's discovery, client assertions and managed identity code. The
fake answers for the sign-in hosts (OIDC discovery, the token endpoint), the
managed identity endpoints (App Service and IMDS) and the Graph hosts, records
every request with the ``verify`` and ``timeout`` the adapter was given, and
raises on any URL it does not own, so nothing can reach a real host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import datetime
import itertools
import json
import time
import uuid

try:
    from http.client import responses as HTTP_REASONS
except ImportError:  # pragma: no cover
    HTTP_REASONS = {}

from unittest import mock

import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils.six.moves.urllib.parse import parse_qs, urlsplit

# Who signs in, and where.
HOME_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
CLIENT_ID = '0b8d6a3e-1c2f-4e5a-9b7c-3d4e5f6a7b8c'
CLIENT_SECRET = 'unit-client-secret~Q8.zX4-vw2'
FEDERATED_TOKEN = ('eyJhbGciOiJSUzI1NiIsImtpZCI6InVuaXQifQ.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZXhhbXBsZSIsInN1YiI6InJlcG8ifQ'
                   '.ZmVkZXJhdGVkLXNpZ25hdHVyZS1zZWNyZXQ')
READY_TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.cmVhZHktdG9rZW4tc2VjcmV0'
MI_CLIENT_ID = '5f2e8c1a-7b3d-4a6e-8f9c-0d1e2f3a4b5c'
APP_SERVICE_ENDPOINT = 'http://127.0.0.1:41001/msi/token'
APP_SERVICE_HEADER = 'app-service-identity-header-secret'
IMDS_HOST = 'http://127.0.0.1:41002'

# The partner whose policy the tests manage.
PARTNER = '9c5d131d-b1c3-4fc4-9e3f-c6557947d551'
OTHER_PARTNER = '01d0e717-bc90-46ba-94a9-71b4a811fddb'

AUTHORITY_HOSTS = ('login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn')
GRAPH_HOSTS = ('graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn')

PROPERTIES = ('tenantId', 'displayName', 'deletedDateTime', 'externalCloudAuthorizedApplicationId',
              'userSyncInbound', 'groupSyncInbound')
GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
DELETED = '/beta/policies/deletedItems/crossTenantSyncPolicyPartners'
PARTNERS = '/beta/policies/crossTenantAccessPolicy/partners'


class UnexpectedRequest(AssertionError):
    """A request for a URL the fake does not own: it would have left the machine."""


class Seen:
    """One request as the transport adapter received it."""

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
        self.form = {}
        self.json = None
        content_type = self.headers.get('Content-Type', '')
        if self.body and 'x-www-form-urlencoded' in content_type:
            self.form = dict((k, v[0]) for k, v in parse_qs(self.body.decode('utf-8'), keep_blank_values=True).items())
        elif self.body and 'json' in content_type:
            self.json = json.loads(self.body.decode('utf-8'))

    @property
    def text(self):
        """Everything the request carried, for leak checks."""
        return '%s %s %r %s' % (self.method, self.url, dict(self.headers), self.body.decode('utf-8', 'replace'))

    def __repr__(self):
        return '<%s %s %s>' % (self.kind, self.method, self.url)


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

    def matches(self, kind, method, path):
        return (self.times > 0 and (self.kind is None or self.kind == kind) and (self.method is None or self.method == method)
                and (self.path is None or self.path in path))


class App:
    """An app registration: the credentials Entra ID accepts for one client ID."""

    def __init__(self, client_id, secret=None, certificate=None, federated_token=None):
        self.client_id = client_id
        self.secret = secret
        self.certificate = certificate
        self.federated_token = federated_token


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def graph_time(moment):
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    if moment.microsecond:
        text += ('.%06d' % moment.microsecond).rstrip('0')
    return text + 'Z'


class FakeCloud:
    """Entra ID, the managed identity endpoints and Graph, in memory."""

    def __init__(self, certificate=None):
        self.seen = []
        self.unexpected = []
        self.faults = []
        self.authority_hosts = set(AUTHORITY_HOSTS)
        self.graph_hosts = set(GRAPH_HOSTS)
        self.known_tenants = set([HOME_TENANT, 'contoso.onmicrosoft.com'])
        self.apps = {CLIENT_ID: App(CLIENT_ID, secret=CLIENT_SECRET, certificate=certificate, federated_token=FEDERATED_TOKEN)}
        self.mi_identities = set(['system', MI_CLIENT_ID])
        # token -> the Graph host it is for (None: any host, as for a ready token)
        self.tokens = {READY_TOKEN: None}
        self.issued = []
        self.deleted = {}
        self.live = {}
        self.partner_configs = set()
        self.page_size = 100
        self.next_link_host = None
        self._counter = itertools.count(1)
        self._patch = None

    # -- setup -----------------------------------------------------------------------------

    def __enter__(self):
        self.install()
        return self

    def __exit__(self, *exc_info):
        self.uninstall()

    def install(self):
        cloud = self

        def send(adapter, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            return cloud.handle(request, verify=verify, timeout=timeout)

        self._patch = mock.patch.object(requests.adapters.HTTPAdapter, 'send', send)
        self._patch.start()

    def uninstall(self):
        if self._patch is not None:
            self._patch.stop()
            self._patch = None

    def inject(self, kind=None, method=None, path=None, times=1, status=None, headers=None, body=None, exc=None, after=False):
        """Answer the next ``times`` matching requests with ``status``/``body`` or raise ``exc``.

        With ``after``, the request is first handled normally (the write lands) and then
        ``exc`` is raised or the fault's answer replaces the real one, as when a connection
        drops or a gateway times out after the server did the work.
        """
        self.faults.append(Fault(kind, method, path, times, status, headers, body, exc, after))

    def put_deleted(self, tenant_id=PARTNER, **props):
        obj = self._complete(dict(props, tenantId=tenant_id))
        self.deleted[tenant_id] = obj
        return obj

    def put_live(self, tenant_id=PARTNER, **props):
        obj = self._complete(dict(props, tenantId=tenant_id))
        self.live[tenant_id] = obj
        return obj

    # -- what happened -----------------------------------------------------------------------

    def requests(self, kind=None, method=None):
        return [s for s in self.seen if (kind is None or s.kind == kind) and (method is None or s.method == method)]

    def graph(self, method=None):
        return self.requests('graph', method)

    def graph_writes(self):
        return [s for s in self.graph() if s.method != 'GET']

    def token_requests(self):
        return self.requests('token')

    def hosts(self):
        return set(s.host for s in self.seen)

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, request, verify, timeout):
        parts = urlsplit(request.url)
        kind = self._kind(parts)
        if kind is None:
            self.unexpected.append(request.url)
            raise UnexpectedRequest('the unit tests do not own %s %s; nothing may leave the machine' % (request.method, request.url))
        seen = Seen(kind, request, verify, timeout)
        self.seen.append(seen)
        fault = next((f for f in self.faults if f.matches(kind, seen.method, seen.path)), None)
        if fault is not None:
            fault.times -= 1
            if fault.exc is not None and not fault.after:
                raise fault.exc
            if fault.exc is None and not fault.after:
                return self._respond(request, fault.status, fault.body, fault.headers)
        response = getattr(self, '_' + kind)(seen, request)
        if fault is not None and fault.after:
            if fault.exc is not None:
                raise fault.exc
            return self._respond(request, fault.status, fault.body, fault.headers)
        return response

    def _kind(self, parts):
        host = parts.netloc
        if parts.scheme == 'http' and host == urlsplit(APP_SERVICE_ENDPOINT).netloc:
            return 'mi_app_service'
        if parts.scheme == 'http' and host == urlsplit(IMDS_HOST).netloc:
            return 'mi_imds'
        if parts.scheme != 'https':
            return None
        if host in self.graph_hosts:
            return 'graph'
        if host in self.authority_hosts:
            if parts.path == '/common/discovery/instance':
                return 'instance_discovery'
            if parts.path.endswith('/v2.0/.well-known/openid-configuration'):
                return 'discovery'
            if parts.path.endswith('/oauth2/v2.0/token'):
                return 'token'
        return None

    def _respond(self, request, status, body=None, headers=None, content_type='application/json; charset=utf-8'):
        response = requests.Response()
        response.status_code = status
        response.reason = HTTP_REASONS.get(status, 'Unknown')
        response.headers = CaseInsensitiveDict(headers or {})
        if isinstance(body, (dict, list)):
            content = json.dumps(body).encode('utf-8')
            response.headers.setdefault('Content-Type', content_type)
        elif isinstance(body, str):
            content = body.encode('utf-8')
        else:
            content = body or b''
        response._content = content
        response._content_consumed = True
        response.encoding = 'utf-8'
        response.url = request.url
        response.request = request
        return response

    # -- Entra ID --------------------------------------------------------------------------

    def _entra_error(self, request, status, error, code, text):
        now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%SZ')
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        body = {
            'error': error,
            'error_description': 'AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s' % (code, text, trace, correlation, now),
            'error_codes': [code],
            'timestamp': now,
            'trace_id': trace,
            'correlation_id': correlation,
            'error_uri': 'https://login.microsoftonline.com/error?code=%d' % code,
        }
        return self._respond(request, status, body)

    def _instance_discovery(self, seen, request):
        return self._respond(request, 200, {
            'tenant_discovery_endpoint': 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
            'api-version': '1.1', 'metadata': []})

    def _discovery(self, seen, request):
        tenant = seen.path.split('/')[1]
        if tenant not in self.known_tenants:
            return self._entra_error(request, 400, 'invalid_tenant', 90002,
                                     "Tenant '%s' not found. Check to make sure you have the correct tenant ID." % tenant)
        base = 'https://%s/%s' % (seen.host, tenant)
        return self._respond(request, 200, {
            'token_endpoint': base + '/oauth2/v2.0/token',
            'authorization_endpoint': base + '/oauth2/v2.0/authorize',
            'device_authorization_endpoint': base + '/oauth2/v2.0/devicecode',
            'issuer': base + '/v2.0',
            'jwks_uri': 'https://%s/%s/discovery/v2.0/keys' % (seen.host, tenant),
            'token_endpoint_auth_methods_supported': ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            'response_types_supported': ['code', 'id_token', 'code id_token', 'id_token token'],
            'tenant_region_scope': 'WW',
        })

    def _token(self, seen, request):
        form = seen.form
        tenant = seen.path.split('/')[1]
        if seen.method != 'POST' or form.get('grant_type') != 'client_credentials':
            return self._entra_error(request, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.')
        app = self.apps.get(form.get('client_id'))
        if app is None:
            return self._entra_error(request, 400, 'unauthorized_client', 700016,
                                     "Application with identifier '%s' was not found in the directory '%s'."
                                     % (form.get('client_id'), tenant))
        if 'client_secret' in form:
            ok = app.secret is not None and form['client_secret'] == app.secret
            if not ok:
                return self._entra_error(request, 401, 'invalid_client', 7000215,
                                         "Invalid client secret provided. Ensure the secret being sent in the request is the "
                                         "client secret value, not the client secret ID, for a secret added to app '%s'."
                                         % app.client_id)
            method = 'client_secret'
        elif 'client_assertion' in form:
            if form.get('client_assertion_type') != 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer':
                return self._entra_error(request, 400, 'invalid_request', 900023, 'Invalid client assertion type.')
            assertion = form['client_assertion']
            if app.federated_token is not None and assertion == app.federated_token:
                method = 'workload_identity'
            else:
                problem = self.check_client_assertion(app, assertion, 'https://%s%s' % (seen.host, seen.path))
                if problem:
                    return self._entra_error(request, 401, 'invalid_client', 700027, 'Client assertion failed signature '
                                             'validation. %s' % problem)
                method = 'client_certificate'
        else:
            return self._entra_error(request, 401, 'invalid_client', 7000218,
                                     "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        scope = form.get('scope', '')
        host = _scope_host(scope)
        token = self._issue(method, host, client_id=app.client_id, tenant=tenant, scope=scope, authority=seen.host)
        return self._respond(request, 200, {'token_type': 'Bearer', 'expires_in': 3599, 'ext_expires_in': 3599, 'access_token': token})

    def check_client_assertion(self, app, assertion, audience):
        """Why a certificate-signed client assertion is not acceptable, or None when it is."""
        if app.certificate is None:
            return 'The app has no certificate.'
        try:
            header_b64, payload_b64, signature_b64 = assertion.split('.')
            header = json.loads(b64url_decode(header_b64))
            payload = json.loads(b64url_decode(payload_b64))
            signature = b64url_decode(signature_b64)
        except ValueError:
            return 'The assertion is not a JWT.'
        if header.get('alg') != 'RS256':
            return 'Unexpected alg %r.' % header.get('alg')
        if (header.get('x5t') or '').rstrip('=') != app.certificate.x5t:  # MSAL pads it; Entra ID accepts both
            return 'Key was not found (x5t %r).' % header.get('x5t')
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        try:
            app.certificate.public_key().verify(signature, (header_b64 + '.' + payload_b64).encode('ascii'),
                                                padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return 'Signature does not verify.'
        if payload.get('aud') != audience:
            return 'Audience %r is not %r.' % (payload.get('aud'), audience)
        if payload.get('iss') != app.client_id or payload.get('sub') != app.client_id:
            return 'Issuer and subject must be the client ID.'
        if int(payload.get('exp', 0)) < time.time():
            return 'The assertion has expired.'
        return None

    def _issue(self, method, host, **details):
        token = 'eyJ0eXAiOiJKV1QifQ.%s.graph-access-token-secret-%d' % (
            base64.urlsafe_b64encode(json.dumps({'n': next(self._counter)}).encode()).decode().rstrip('='), len(self.issued) + 1)
        self.tokens[token] = host
        self.issued.append(dict(details, method=method, token=token, host=host))
        return token

    # -- managed identity --------------------------------------------------------------------

    def _mi_identity(self, seen):
        client_id = seen.query.get('client_id')
        return client_id if client_id else 'system'

    def _mi_app_service(self, seen, request):
        if seen.headers.get('X-IDENTITY-HEADER') != APP_SERVICE_HEADER:
            return self._respond(request, 401, {'statusCode': 401, 'message': 'Unauthorized request'})
        identity = self._mi_identity(seen)
        if identity not in self.mi_identities:
            return self._respond(request, 400, {'statusCode': 400, 'message': 'No managed identity found for the given client_id'})
        resource = seen.query.get('resource', '')
        token = self._issue('managed_identity', _scope_host(resource), identity=identity, endpoint='app_service', resource=resource)
        return self._respond(request, 200, {'access_token': token, 'expires_on': str(int(time.time()) + 3600), 'resource': resource,
                                            'token_type': 'Bearer', 'client_id': identity})

    def _mi_imds(self, seen, request):
        if seen.path != '/metadata/identity/oauth2/token':
            return self._respond(request, 404, 'Not Found')
        if seen.headers.get('Metadata') != 'true':
            return self._respond(request, 400, {'error': 'invalid_request', 'error_description': 'Required metadata header not specified'})
        identity = self._mi_identity(seen)
        if identity not in self.mi_identities:
            return self._respond(request, 400, {'error': 'invalid_request', 'error_description': 'Identity not found'})
        resource = seen.query.get('resource', '')
        token = self._issue('managed_identity', _scope_host(resource), identity=identity, endpoint='imds', resource=resource)
        return self._respond(request, 200, {'access_token': token, 'expires_in': '3599', 'expires_on': str(int(time.time()) + 3599),
                                            'resource': resource, 'token_type': 'Bearer'})

    # -- Graph ----------------------------------------------------------------------------------

    def _graph_error(self, seen, request, status, code, message):
        request_id = str(uuid.uuid4())
        client_request_id = seen.headers.get('client-request-id')
        body = {'error': {'code': code, 'message': message, 'innerError': {
            'date': graph_time(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)),
            'request-id': request_id, 'client-request-id': client_request_id}}}
        return self._respond(request, status, body, self._graph_headers(seen, request_id), content_type=GRAPH_CONTENT_TYPE)

    def _graph_headers(self, seen, request_id=None):
        headers = {'request-id': request_id or str(uuid.uuid4())}
        if seen.headers.get('return-client-request-id') == 'true' and seen.headers.get('client-request-id'):
            headers['client-request-id'] = seen.headers['client-request-id']
        return headers

    def _ok(self, seen, request, status, body=None):
        if body is None:
            return self._respond(request, status, b'', self._graph_headers(seen))
        return self._respond(request, status, body, self._graph_headers(seen), content_type=GRAPH_CONTENT_TYPE)

    def _graph(self, seen, request):
        auth = seen.headers.get('Authorization', '')
        token = auth[len('Bearer '):] if auth.startswith('Bearer ') else None
        if token not in self.tokens:
            return self._graph_error(seen, request, 401, 'InvalidAuthenticationToken', 'Access token is empty or not valid.')
        audience = self.tokens[token]
        if audience is not None and audience != seen.host:
            return self._graph_error(seen, request, 401, 'InvalidAuthenticationToken',
                                     'Access token validation failure. Invalid audience.')
        path = seen.path.rstrip('/')
        method = seen.method
        if path == DELETED:
            if method == 'GET':
                return self._page(seen, request, [self._odata(o) for o in self._sorted(self.deleted)])
            if method == 'POST':
                return self._create_deleted(seen, request)
        if path.startswith(DELETED + '/'):
            rest = path[len(DELETED) + 1:].split('/')
            tenant_id = rest[0]
            if len(rest) == 2 and rest[1] == 'restore' and method == 'POST':
                return self._restore(seen, request, tenant_id)
            if len(rest) == 1:
                return self._deleted_item(seen, request, tenant_id)
        if path == PARTNERS and method == 'GET':
            ids = sorted(set(self.live) | self.partner_configs)
            return self._page(seen, request, [{'tenantId': t, 'isServiceProvider': False} for t in ids])
        if path.startswith(PARTNERS + '/') and path.endswith('/identitySynchronization'):
            tenant_id = path[len(PARTNERS) + 1:].split('/')[0]
            return self._live_item(seen, request, tenant_id)
        return self._graph_error(seen, request, 400, 'BadRequest', "Resource not found for the segment '%s'." % path.split('/')[-1])

    def _sorted(self, store):
        return [store[k] for k in sorted(store)]

    def _odata(self, obj):
        return copy.deepcopy(obj)

    def _with_context(self, seen, obj):
        body = {'@odata.context': 'https://%s/beta/$metadata#policies/deletedItems/crossTenantSyncPolicyPartners/$entity' % seen.host}
        body.update(copy.deepcopy(obj))
        return body

    def _page(self, seen, request, items):
        start = int(seen.query.get('$skiptoken', 0))
        page = items[start:start + self.page_size]
        body = {'@odata.context': 'https://%s/beta/$metadata#collection' % seen.host, 'value': page}
        if start + self.page_size < len(items):
            host = self.next_link_host or seen.host
            base = seen.url.split('?', 1)[0]
            base = 'https://%s%s' % (host, urlsplit(base).path)
            select = '$select=%s&' % seen.query['$select'] if '$select' in seen.query else ''
            body['@odata.nextLink'] = '%s?%s$skiptoken=%d' % (base, select, start + self.page_size)
        return self._ok(seen, request, 200, body)

    def _body(self, seen, request):
        if seen.json is None or not isinstance(seen.json, dict):
            return None, self._graph_error(seen, request, 400, 'BadRequest', 'A JSON object body is required.')
        if 'json' not in seen.headers.get('Content-Type', ''):
            return None, self._graph_error(seen, request, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.')
        return seen.json, None

    def _create_deleted(self, seen, request):
        body, error = self._body(seen, request)
        if error:
            return error
        tenant_id = body.get('tenantId')
        if not tenant_id:
            return self._graph_error(seen, request, 400, 'BadRequest', 'tenantId is required.')
        if tenant_id in self.deleted:
            return self._graph_error(seen, request, 409, 'Request_MultipleObjectsWithSameKeyValue',
                                     'Another object with the same value for property tenantId already exists.')
        obj = self._complete(dict((k, v) for k, v in body.items() if not k.startswith('@odata.')))
        self.deleted[tenant_id] = obj
        return self._ok(seen, request, 201, self._with_context(seen, obj))

    def _deleted_item(self, seen, request, tenant_id):
        obj = self.deleted.get(tenant_id)
        if seen.method == 'PUT':
            body, error = self._body(seen, request)
            if error:
                return error
            if obj is None:
                return self._not_found(seen, request, tenant_id)
            self.deleted[tenant_id] = self._complete(dict(self._strip(body), tenantId=tenant_id))
            return self._ok(seen, request, 204)
        if obj is None:
            return self._not_found(seen, request, tenant_id)
        if seen.method == 'GET':
            return self._ok(seen, request, 200, self._with_context(seen, obj))
        if seen.method == 'DELETE':
            del self.deleted[tenant_id]
            return self._ok(seen, request, 204)
        return self._graph_error(seen, request, 405, 'Request_BadRequest', 'The method is not allowed.')

    def _restore(self, seen, request, tenant_id):
        obj = self.deleted.pop(tenant_id, None)
        if obj is None:
            return self._not_found(seen, request, tenant_id)
        # As documented, the answer carries a deletion time (that of the restore); the live policy has none.
        self.live[tenant_id] = dict(obj, deletedDateTime=None)
        answer = dict(obj, deletedDateTime=graph_time(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)))
        return self._ok(seen, request, 200, self._with_context(seen, answer))

    def _live_item(self, seen, request, tenant_id):
        obj = self.live.get(tenant_id)
        if seen.method in ('PUT', 'PATCH'):
            body, error = self._body(seen, request)
            if error:
                return error
            if seen.method == 'PATCH' and obj is None:
                return self._not_found(seen, request, tenant_id)
            # PUT replaces what a client may write; the key and the deletion time are not the client's to set.
            base = dict(obj or {}) if seen.method == 'PATCH' else dict(deletedDateTime=(obj or {}).get('deletedDateTime'))
            self.live[tenant_id] = self._complete(dict(base, **dict(self._strip(body), tenantId=tenant_id)))
            self.partner_configs.add(tenant_id)
            return self._ok(seen, request, 204)
        if obj is None:
            return self._not_found(seen, request, tenant_id)
        if seen.method == 'GET':
            return self._ok(seen, request, 200, self._with_context(seen, obj))
        if seen.method == 'DELETE':
            moved = dict(self.live.pop(tenant_id))
            moved['deletedDateTime'] = graph_time(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))
            self.deleted[tenant_id] = moved
            return self._ok(seen, request, 204)
        return self._graph_error(seen, request, 405, 'Request_BadRequest', 'The method is not allowed.')

    def _not_found(self, seen, request, tenant_id):
        return self._graph_error(seen, request, 404, 'Request_ResourceNotFound',
                                 "Resource '%s' does not exist or one of its queried reference-property objects are not present."
                                 % tenant_id)

    def _strip(self, body):
        return dict((k, v) for k, v in body.items() if not k.startswith('@odata.'))

    def _complete(self, obj):
        """The object as Graph serialises it: every property, and every property of a complex value, null if unset."""
        full = dict((p, None) for p in PROPERTIES)
        full.update(copy.deepcopy(obj))
        for prop in ('userSyncInbound', 'groupSyncInbound'):
            if isinstance(full[prop], dict):
                full[prop].setdefault('isSyncAllowed', None)
        return full


def _scope_host(scope_or_resource):
    """The Graph host a scope (``https://host/.default``) or a resource (``https://host``) is for."""
    text = (scope_or_resource or '').split(' ')[0]
    return urlsplit(text).netloc or None
