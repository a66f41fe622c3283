# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the TLS emulator and the in-process one share: routing to Entra, managed identity and Graph,
faults, latency, the request log, the store and the control API. A transport (server.py over TLS,
inprocess.py without sockets) turns an HTTP request into a wire.Request, calls process() and
carries out the Outcome: send the response, or drop / hang the connection."""

import collections
import copy
import json
import re
import sys
import threading
import time
import traceback
import uuid

from .graph import GraphError, GraphService, Store, graph_error_body, graph_error_response
from .identity import EntraError
from .schema import BETA, V1
from .wire import JSON_TYPE, Response, utcnow

CONTROL_PREFIX = "/_emulator"
LOG_LIMIT = 20000
FAULT_KINDS = ("status", "delay", "drop", "hang")
KINDS = ("discovery", "token", "managed_identity", "graph_read", "graph_write", "other")
ECHO_MODES = (False, True, "header", "token")


class Settings:
    def __init__(self, page_size, latency_ms, token_lifetime):
        self.page_size = page_size
        self.latency_ms = latency_ms
        self.token_lifetime = token_lifetime

    def as_dict(self):
        return {"page_size": self.page_size, "latency_ms": self.latency_ms, "token_lifetime": self.token_lifetime}


def positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < minimum:
        raise ValueError("%s must be an integer >= %d" % (name, minimum))
    return int(value)


def _seconds(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("%s must be a number of seconds >= 0" % name)
    return float(value)


class Fault:
    """One injected failure (or odd success), consumed by the next `count` requests it matches."""

    _FIELDS = ("method", "path", "count", "kind", "status", "retry_after", "seconds", "body", "apply", "content_type",
               "echo_authorization", "body_update")

    def __init__(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                 seconds=None, body=None, apply=False, content_type=None, echo_authorization=False, body_update=None):
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(FAULT_KINDS))
        if not isinstance(method, str) or not method:
            raise ValueError("method must be an HTTP method or '*'")
        if not isinstance(path, str):
            raise ValueError("path must be a regular expression string")
        try:
            self.regex = re.compile(path)
        except re.error as exc:
            raise ValueError("path is not a valid regular expression: %s" % exc)
        self.id = str(uuid.uuid4())
        self.method = method.upper()
        self.path = path
        self.count = positive_int(count, "count")
        self.kind = kind
        self.status = positive_int(503 if status is None else status, "status", 100)
        if self.status > 599:
            raise ValueError("status must be an HTTP status code")
        if retry_after is not None and not isinstance(retry_after, (str, int)):
            raise ValueError("retry_after must be a string (seconds or an HTTP-date)")
        self.retry_after = None if retry_after is None else str(retry_after)
        default_seconds = {"delay": 1.0, "hang": 30.0}.get(kind, 0.0)
        self.seconds = default_seconds if seconds is None else _seconds(seconds, "seconds")
        self.body = body
        if not isinstance(apply, bool):
            raise ValueError("apply must be a boolean")
        self.apply = apply
        if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()):
            raise ValueError("content_type must be a media type string")
        self.content_type = content_type
        if echo_authorization not in ECHO_MODES or echo_authorization is None:
            raise ValueError("echo_authorization must be false, true, 'header' or 'token'")
        self.echo_authorization = "header" if echo_authorization is True else echo_authorization
        if body_update is not None:
            if not isinstance(body_update, dict):
                raise ValueError("body_update must be an object")
            if kind != "status" or not 200 <= self.status < 300 or body is not None:
                raise ValueError("body_update needs kind 'status' with a 2xx status and no body")
        self.body_update = body_update

    @classmethod
    def from_spec(cls, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(spec) - set(cls._FIELDS)
        if unknown:
            raise ValueError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
        return cls(**spec)

    @property
    def carried_out(self):
        """Whether the request is handled before the fault shapes the answer."""
        return self.kind == "delay" or self.apply or self.body_update is not None

    def matches(self, method, path):
        return (self.method == "*" or self.method == method) and self.regex.search(path) is not None

    def as_dict(self):
        data = {name: getattr(self, name) for name in self._FIELDS}
        data["id"] = self.id
        return data


class FaultSet:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method, path):
        """The first fault matching the request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [fault.as_dict() for fault in self._faults]


class RequestLog:
    """What clients sent, without bodies or headers: nothing here can hold a secret or a token."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=LOG_LIMIT)

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def list(self, kind=None):
        with self._lock:
            return [dict(e) for e in self._entries if kind is None or e["kind"] == kind]

    def clear(self):
        with self._lock:
            self._entries.clear()


class Outcome:
    """What a transport does with a request: send `response`, or (drop) close without answering,
    after saying nothing for `hang` seconds."""

    def __init__(self, response=None, drop=False, hang=0.0):
        self.response = response
        self.drop = drop
        self.hang = hang


def _graph_kind(req):
    return "graph_read" if req.method in ("GET", "HEAD") else "graph_write"


def _authorization(req):
    header = req.header("authorization") or ""
    scheme, _sep, token = header.strip().partition(" ")
    return header, (token.strip() if scheme else "")


def _substitute(value, header, token):
    if isinstance(value, str):
        return value.replace("{authorization}", header).replace("{token}", token)
    if isinstance(value, list):
        return [_substitute(item, header, token) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, header, token) for key, item in value.items()}
    return value


def _deep_update(target, update):
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


class EmulatorCore:
    """Everything but the transport. Subclasses call _setup() once the directory exists."""

    def __init__(self, page_size=100, latency_ms=0, token_lifetime=3600, verbose=False):
        self.verbose = verbose
        self._defaults = Settings(
            positive_int(page_size, "page_size"), positive_int(latency_ms, "latency_ms", 0),
            positive_int(token_lifetime, "token_lifetime"))
        self.settings = Settings(**self._defaults.as_dict())
        self.faults_set = FaultSet()
        self.log = RequestLog()
        self.store = Store()
        self._stopping = threading.Event()
        # Every latency, delay and hang waits on the current event; release_waits() swaps in a new one.
        self._wake = threading.Event()
        self._wake_lock = threading.Lock()
        self.info = None
        self.base_url = None
        self.directory = None
        self.graph = None
        self._routes = []

    def _setup(self, directory):
        self.directory = directory
        self.graph = GraphService(directory, self.store, self.settings)
        self._routes = self._build_routes()

    def _sleep(self, seconds):
        """Wait, unless the emulator is stopping or release_waits() is called. Never called with a lock held."""
        wake = self._wake
        if seconds > 0 and not self._stopping.is_set():
            wake.wait(seconds)

    def release_waits(self):
        """End every latency, delay and hang wait in progress now: delayed requests go on to be answered,
        hung ones are dropped. Later requests wait as usual."""
        with self._wake_lock:
            wake, self._wake = self._wake, threading.Event()
        wake.set()

    # ---- control (the same operations as the control API) ------------------------------------

    def add_fault(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                  seconds=None, body=None, apply=False, content_type=None, echo_authorization=False, body_update=None):
        """Make the next `count` requests matching method and path (a regex searched in the path
        without query) fail or answer oddly. kinds: status (that status; an error body for 4xx/5xx),
        delay (sleep, then answer), drop (close without answering), hang (say nothing for `seconds`, then close).
        With apply=True a write is carried out before the fault shapes or hides its response; a 2xx
        status then keeps the real body (dropped for 204). A `body` replaces the body (a string is sent as is,
        as `content_type`, default text/plain). `body_update` (2xx only) is merged into the real JSON answer.
        `echo_authorization` ('header' or True, or 'token') quotes the request's Authorization header (or
        its bare token) in the error message, and fills {authorization} / {token} in a `body`."""
        return self.faults_set.add(Fault(method, path, count, kind, status, retry_after, seconds, body, apply,
                                         content_type, echo_authorization, body_update)).as_dict()

    def clear_faults(self):
        self.faults_set.clear()

    def faults(self):
        return self.faults_set.list()

    def set_latency(self, ms):
        self.settings.latency_ms = positive_int(ms, "ms", 0)

    def configure(self, page_size=None, latency_ms=None, token_lifetime=None):
        if page_size is not None:
            self.settings.page_size = positive_int(page_size, "page_size")
        if latency_ms is not None:
            self.set_latency(latency_ms)
        if token_lifetime is not None:
            self.settings.token_lifetime = positive_int(token_lifetime, "token_lifetime")
            if self.directory is not None:
                self.directory.token_lifetime = self.settings.token_lifetime
        return self.settings.as_dict()

    def requests(self, kind=None):
        return self.log.list(kind)

    def clear_requests(self):
        self.log.clear()

    def reset(self):
        """Empty store, no faults, empty log, the settings and apps (with their roles) of start-up,
        no revoked tokens, token recording off."""
        self.store.clear()
        self.faults_set.clear()
        self.log.clear()
        self.configure(**self._defaults.as_dict())
        if self.directory is not None:
            self.directory.reset()

    def objects(self):
        """{"partners", "partner_policy", "deleted_partners", "deleted_items"}: every object in stored
        (beta) form."""
        return self.store.snapshot()

    def set_objects(self, data):
        """Replace the store. Keys: partners, partner_policy, deleted_partners, deleted_items (a missing key
        empties that collection). A partner_policy item whose tenant has no partner gets a minimal one."""
        try:
            self.store.load(data)
        except GraphError as exc:
            raise ValueError(exc.message)

    def issue_token(self, client_id=None, audience=None, lifetime=None, roles=None):
        """An access token as the token endpoint would issue it; lifetime may be negative (expired).
        roles: the roles claim (default: the app's roles now)."""
        principal = self.directory.find(client_id or self.directory.write_app.client_id)
        if principal is None:
            raise ValueError("unknown client_id %s" % client_id)
        if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int)):
            raise ValueError("lifetime must be an integer number of seconds")
        if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles must be a list of strings")
        return self.directory.issue_token(principal, audience or self.base_url, lifetime, roles=roles)[0]

    def revoke_tokens(self, client_id=None):
        """Graph refuses (401 InvalidAuthenticationToken) every access token issued before now, to
        client_id or to any app and managed identity. Returns how many were revoked."""
        if client_id is not None and self.directory.find(client_id) is None:
            raise ValueError("unknown client_id %s" % client_id)
        return self.directory.revoke_tokens(client_id)

    def apps(self):
        """Every app registration and managed identity: client_id, name, roles, managed (and client_secret)."""
        return [self.directory.app_summary(p) for p in self.directory.principals.values()]

    def add_app(self, client_id=None, client_secret=None, roles=None, certificate=None, name=None):
        """Register an app (until reset). roles default to both policy roles; without client_secret
        or certificate (a PEM certificate) a secret is generated. Returns its summary, with client_secret."""
        return self.directory.add_app(client_id, client_secret, roles, certificate, name)

    def set_app_roles(self, client_id, roles):
        """Grant or withdraw application permissions ("admin consent"). Tokens issued before keep the
        roles they were issued with, so a token minted before a grant still gets 403."""
        try:
            return self.directory.set_roles(client_id, roles)
        except KeyError:
            raise ValueError("unknown client_id %s" % client_id)

    def app_roles(self, client_id):
        principal = self.directory.find(client_id)
        if principal is None:
            raise ValueError("unknown client_id %s" % client_id)
        return list(principal.roles)

    def record_tokens(self, on=True):
        """Opt-in: keep every access token issued and client assertion received from now on (off after reset)."""
        if not isinstance(on, bool):
            raise ValueError("on must be a boolean")
        self.directory.record_tokens(on)

    def recorded_tokens(self):
        """{"recording": bool, "access_tokens": [...], "client_assertions": [...]} since record_tokens(True)."""
        recorded = self.directory.recorded
        if recorded is None:
            return {"recording": False, "access_tokens": [], "client_assertions": []}
        return {"recording": True, "access_tokens": list(recorded["access_tokens"]),
                "client_assertions": list(recorded["client_assertions"])}

    def federated_assertion(self, subject=None, issuer=None, audience=None, lifetime=3600):
        """A token from the emulator's external OIDC issuer, for workload identity tests."""
        if isinstance(lifetime, bool) or not isinstance(lifetime, int):
            raise ValueError("lifetime must be an integer number of seconds")
        return self.directory.make_federated_assertion(subject, issuer, audience or "api://AzureADTokenExchange", lifetime)

    # ---- request handling -------------------------------------------------------------------

    def _build_routes(self):
        d, g = self.directory, self.graph
        tenant = r"(?P<tenant>[^/]+)"
        return [
            (re.compile(r"^/v1\.0(?:/.*)?$"), _graph_kind, None, lambda req, m: g.handle(req, V1)),
            (re.compile(r"^/beta(?:/.*)?$"), _graph_kind, None, lambda req, m: g.handle(req, BETA)),
            (re.compile(r"^/msi/token/?$"), "managed_identity", None, lambda req, m: d.handle_app_service(req)),
            (re.compile(r"^/metadata/identity/oauth2/token/?$"), "managed_identity", None, lambda req, m: d.handle_imds(req)),
            (re.compile(r"^/%s/oauth2/v2\.0/token/?$" % tenant), "token", None, lambda req, m: d.handle_token(req, m.group("tenant"))),
            (re.compile(r"^/%s/v2\.0/\.well-known/openid-configuration/?$" % tenant), "discovery", ("GET",),
             lambda req, m: d.handle_discovery(req, m.group("tenant"))),
            (re.compile(r"^/%s/discovery/v2\.0/keys/?$" % tenant), "discovery", ("GET",),
             lambda req, m: d.handle_keys(req, m.group("tenant"))),
            (re.compile(r"^/common/discovery/instance/?$"), "discovery", ("GET",), lambda req, m: d.handle_instance_discovery(req)),
            (re.compile(r"^/oidc/\.well-known/openid-configuration/?$"), "discovery", ("GET",), lambda req, m: d.handle_oidc_discovery(req)),
            (re.compile(r"^/oidc/keys/?$"), "discovery", ("GET",), lambda req, m: d.handle_oidc_keys(req)),
        ]

    def _match(self, req):
        for regex, kind, methods, handler in self._routes:
            match = regex.match(req.path)
            if match:
                return (kind(req) if callable(kind) else kind), methods, handler, match
        return "other", None, None, None

    def _answer(self, req, methods, handler, match):
        if handler is None:
            return graph_error_response(req, 404, "NotFound", "No such endpoint on the emulator: %s" % req.path)
        if methods and req.method not in methods:
            return Response.json(405, {"error": "invalid_request", "error_description": "Method not allowed."},
                                 headers=[("Allow", ", ".join(methods))])
        try:
            return handler(req, match)
        except Exception:  # the emulator must answer even when it has a bug; the 500 says so
            traceback.print_exc(file=sys.stderr)
            return graph_error_response(req, 500, "generalException", "The emulator failed to handle the request.")

    def _fault_response(self, req, kind, fault, real):
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
        header, token = _authorization(req)
        echo = ""
        if fault.echo_authorization == "header":
            echo = " Authorization: %s" % header
        elif fault.echo_authorization == "token":
            echo = " Token: %s" % token
        if fault.body is not None:
            body = _substitute(fault.body, header, token) if fault.echo_authorization else fault.body
            if isinstance(body, str):
                return Response(fault.status, body.encode("utf-8"), fault.content_type or "text/plain; charset=utf-8", headers)
            return Response.json(fault.status, body, fault.content_type or JSON_TYPE, headers)
        if 200 <= fault.status < 300:
            # A success other than the expected one: the real answer's headers and (but for 204) body.
            if real is None or fault.status == 204 or not real.body:
                resp = Response(fault.status, b"", None, [h for h in (real.headers if real else []) if h[0].lower() != "content-type"])
            else:
                resp = Response(fault.status, real.body, None, list(real.headers))
                if fault.body_update is not None:
                    try:
                        payload = _deep_update(real_json(real), fault.body_update)
                    except ValueError:
                        payload = dict(fault.body_update)
                    resp = Response.json(fault.status, payload, real.header("Content-Type") or JSON_TYPE,
                                         [h for h in real.headers if h[0].lower() != "content-type"])
            resp.headers.extend(headers)
            return resp
        if kind in ("token", "discovery"):
            resp = self.directory.oauth_error(req, EntraError(
                fault.status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again." + echo))
        elif kind == "managed_identity" and req.path.startswith("/msi/"):
            resp = Response.json(fault.status, {"statusCode": fault.status, "message": "The managed identity endpoint is unavailable." + echo,
                                                "correlationId": str(uuid.uuid4())})
        elif kind == "managed_identity":
            resp = Response.json(fault.status, {"error": "temporarily_unavailable",
                                                "error_description": "The managed identity endpoint is unavailable." + echo})
        else:
            body = graph_error_body(req, fault.status)
            body["error"]["message"] += echo
            resp = Response.json(fault.status, body, JSON_TYPE)
        resp.headers.extend(headers)
        return resp

    def process(self, req):
        """Answer one request: latency, then any matching fault, then the Entra or Graph endpoint.
        Latency and delays are slept before any store lock is taken, so they never serialize requests."""
        if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
            return Outcome(self._control(req))
        started = time.monotonic()
        kind, methods, route, match = self._match(req)
        self._sleep(self.settings.latency_ms / 1000.0)
        fault = self.faults_set.take(req.method, req.path)
        if fault is not None and fault.kind == "delay":
            self._sleep(fault.seconds)

        resp = None
        if fault is None or fault.carried_out:
            resp = self._answer(req, methods, route, match)
        if fault is not None and fault.kind == "status":
            resp = self._fault_response(req, kind, fault, resp)
        dropped = fault is not None and fault.kind in ("drop", "hang")

        # Logged before answering, so a client that reads the log after its response sees its request.
        self.log.add({
            "time": utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": req.method,
            "path": req.path,
            "query": req.raw_query,
            "kind": kind,
            "status": None if dropped else resp.status,
            "fault": fault.kind if fault is not None else None,
            "request_id": req.request_id,
            "client_request_id": req.client_request_id if req.sent_client_request_id else None,
            "duration_ms": round((time.monotonic() - started) * 1000.0, 1),
        })
        if dropped:
            return Outcome(drop=True, hang=fault.seconds if fault.kind == "hang" else 0.0)
        if kind in ("token", "discovery"):
            # Entra names its request id x-ms-request-id.
            resp.headers.append(("x-ms-request-id", req.request_id))
        return Outcome(resp)

    # ---- control API ------------------------------------------------------------------------

    def _control(self, req):
        def ok(payload, status=200):
            return Response.json(status, payload)

        def fail(status, message):
            return Response.json(status, {"error": message})

        if req.client_address[0] not in ("127.0.0.1", "::1"):
            return fail(403, "the control API only answers loopback clients")
        name = req.path[len(CONTROL_PREFIX):].strip("/")
        try:
            payload = req.json() if req.body.strip() else None
        except ValueError:
            return fail(400, "the body is not JSON")
        method = req.method
        parts = name.split("/")
        try:
            if name == "" and method == "GET":
                return ok(self.info)
            if name == "faults":
                if method == "GET":
                    return ok(self.faults())
                if method == "POST":
                    specs = payload if isinstance(payload, list) else [payload]
                    added = [self.faults_set.add(Fault.from_spec(spec)).as_dict() for spec in specs]
                    return ok(added if isinstance(payload, list) else added[0], 201)
                if method == "DELETE":
                    self.clear_faults()
                    return Response.empty(204)
            elif name == "latency":
                if method == "GET":
                    return ok({"ms": self.settings.latency_ms})
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"ms"}:
                        return fail(400, 'expected {"ms": N}')
                    self.set_latency(payload["ms"])
                    return ok({"ms": self.settings.latency_ms})
            elif name == "requests":
                if method == "GET":
                    kind = req.param("kind")
                    if kind is not None and kind not in KINDS:
                        return fail(400, "kind must be one of %s" % ", ".join(KINDS))
                    return ok(self.requests(kind))
                if method == "DELETE":
                    self.clear_requests()
                    return Response.empty(204)
            elif name == "release-waits" and method == "POST":
                self.release_waits()
                return Response.empty(204)
            elif name == "reset" and method == "POST":
                self.reset()
                return Response.empty(204)
            elif name == "objects":
                if method == "GET":
                    return ok(self.objects())
                if method == "PUT":
                    self.set_objects(payload)
                    return ok(self.objects())
            elif name == "config":
                if method == "GET":
                    return ok(self.settings.as_dict())
                if method in ("PUT", "PATCH"):
                    if not isinstance(payload, dict) or set(payload) - {"page_size", "latency_ms", "token_lifetime"}:
                        return fail(400, "expected an object with page_size, latency_ms and/or token_lifetime")
                    return ok(self.configure(**payload))
            elif name == "tokens" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"client_id", "audience", "lifetime", "roles"}:
                    return fail(400, "expected an object with client_id, audience, lifetime and/or roles")
                return ok({"access_token": self.issue_token(**spec)}, 201)
            elif name == "revoke-tokens" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"client_id"}:
                    return fail(400, "expected no body or an object with client_id")
                return ok({"revoked": self.revoke_tokens(**spec)})
            elif name == "apps":
                if method == "GET":
                    return ok(self.apps())
                if method == "POST":
                    spec = payload or {}
                    if not isinstance(spec, dict) or set(spec) - {"client_id", "client_secret", "roles", "certificate", "name"}:
                        return fail(400, "expected an object with client_id, client_secret, roles, certificate and/or name")
                    return ok(self.add_app(**spec), 201)
            elif len(parts) == 3 and parts[0] == "apps" and parts[2] == "roles":
                if method == "GET":
                    return ok({"roles": self.app_roles(parts[1])})
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"roles"}:
                        return fail(400, 'expected {"roles": [...]}')
                    return ok(self.set_app_roles(parts[1], payload["roles"]))
            elif name == "recorded-tokens":
                if method == "GET":
                    return ok(self.recorded_tokens())
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"on"}:
                        return fail(400, 'expected {"on": true|false}')
                    self.record_tokens(payload["on"])
                    return ok(self.recorded_tokens())
            elif name == "assertions" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"subject", "issuer", "audience", "lifetime"}:
                    return fail(400, "expected an object with subject, issuer, audience and/or lifetime")
                return ok({"assertion": self.federated_assertion(**spec)}, 201)
            else:
                return fail(404, "no control endpoint %s" % req.path)
        except (ValueError, TypeError) as exc:
            return fail(400, str(exc))
        return fail(405, "%s is not allowed on %s" % (method, req.path))


def real_json(resp):
    payload = json.loads(resp.body.decode("utf-8"))
    if not isinstance(payload, dict):
        raise ValueError("not an object")
    return payload
