# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the TLS emulator and the in-process one share: routing to Entra, managed identity and Graph,
faults, latency, the request log, the store and the control API. A transport (server.py over TLS,
inprocess.py without sockets) turns an HTTP request into a wire.Request, calls process() and
carries out the Outcome: send the response, or drop / hang the connection."""

import re
import sys
import threading
import time
import traceback
import uuid

from .control import CONTROL_PREFIX, ControlAPI
import jwt

from .faults import FaultSet, seconds_value, authorization, deep_update, positive_int, real_json, substitute
from .graph import GraphService
from .graph_errors import graph_error_body, graph_error_response
from .store import Store
from .identity import EntraError
from .request_log import RequestLog
from .rules import DEFAULTS as SWITCH_DEFAULTS
from .rules import Throttle, scale_value, switch_value
from .schema import BETA, V1
from .tenants import DOMAIN_LABELS, Tenant, TenantObjects, Tenants, new_lock
from .wire import JSON_TYPE, Response, utcnow


class Settings:
    def __init__(self, page_size, latency_ms, token_lifetime, throttle_scale=1.0, **switches):
        self.page_size = page_size
        self.latency_ms = latency_ms
        self.token_lifetime = token_lifetime
        self.throttle_scale = scale_value(throttle_scale)
        for name, default in SWITCH_DEFAULTS.items():
            setattr(self, name, switch_value(name, switches.pop(name, default)))
        if switches:
            raise ValueError("unknown setting %s" % ", ".join(sorted(switches)))

    def as_dict(self):
        found = {"page_size": self.page_size, "latency_ms": self.latency_ms, "token_lifetime": self.token_lifetime,
                 "throttle_scale": self.throttle_scale}
        found.update((name, getattr(self, name)) for name in SWITCH_DEFAULTS)
        return found


class Outcome:
    """What a transport does with a request: send `response`, or (drop) close without answering,
    after saying nothing for `hang` seconds."""

    def __init__(self, response=None, drop=False, hang=0.0):
        self.response = response
        self.drop = drop
        self.hang = hang


def _body_properties(req):
    """The top-level property names of a JSON object body, for the log (never their values)."""
    try:
        body = req.json() if req.body and req.body.strip() else None
    except ValueError:
        return None
    return sorted(body) if isinstance(body, dict) else None


def _graph_kind(req):
    return "graph_read" if req.method in ("GET", "HEAD") else "graph_write"


class EmulatorCore(ControlAPI):
    """Everything but the transport. Subclasses call _setup() once the directory exists."""

    def __init__(self, page_size=100, latency_ms=0, token_lifetime=3600, verbose=False, rules=None):
        """rules: the switches and throttle settings at start (README.md, "Switches"), e.g. {"revocation": "cp1"}."""
        self.verbose = verbose
        self._defaults = Settings(
            positive_int(page_size, "page_size"), positive_int(latency_ms, "latency_ms", 0),
            positive_int(token_lifetime, "token_lifetime"), **dict(rules or {}))
        self.settings = Settings(**self._defaults.as_dict())
        self.throttle = Throttle()
        self.faults_set = FaultSet()
        self.log = RequestLog()
        self.store = None
        self.tenants = None
        self._stopping = threading.Event()
        # Every latency, delay and hang waits on the current event; release_waits() swaps in a new one.
        self._wake = threading.Event()
        self._wake_lock = threading.Lock()
        self.info = None
        self.base_url = None
        self.directory = None
        self.graph = None
        self._routes = []

    def _setup(self, directories, replication_delay=0):
        """directories: one Directory per tenant, the home tenant's first."""
        lock = new_lock()
        self.tenants = Tenants(lock, seconds_value(replication_delay, "replication_delay"))
        self._default_replication_delay = self.tenants.replication_delay
        for index, directory in enumerate(directories):
            label = DOMAIN_LABELS[index] if index < len(DOMAIN_LABELS) else "tenant%d" % (index + 1)
            tenant = self.tenants.add(Tenant(directory, Store(lock), TenantObjects(directory.tenant_id, label + ".onmicrosoft.com")))
            tenant.graph = GraphService(directory, tenant.store, self.settings, tenant=tenant, tenants=self.tenants)
        home = self.tenants.home
        self.directory, self.store, self.graph = home.directory, home.store, home.graph
        self._routes = self._build_routes()

    def tenants_info(self):
        """The `tenants` list of the info line: the home tenant first."""
        return [tenant.summary() for tenant in self.tenants]

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
    # ---- request handling -------------------------------------------------------------------

    def _signing_in_to(self, name):
        """The directory a sign-in URL's tenant segment names; the home one (which says "not found") otherwise."""
        tenant = self.tenants.for_sign_in(name)
        return (tenant or self.tenants.home).directory

    def _graph_for(self, req):
        """The tenant Graph acts on: the one named by the token's tid (checked by that tenant's directory)."""
        _header, token = authorization(req)
        try:
            tid = jwt.decode(token, options={"verify_signature": False}).get("tid") if token else None
        except jwt.PyJWTError:
            tid = None
        tenant = self.tenants.get(tid) if isinstance(tid, str) else None
        return (tenant or self.tenants.home).graph

    @staticmethod
    def _client_of(req):
        """(tenant, app) of the bearer token, unverified: what the throttle counts by."""
        _header, token = authorization(req)
        try:
            claims = jwt.decode(token, options={"verify_signature": False}) if token else {}
        except jwt.PyJWTError:
            claims = {}
        return (str(claims.get("tid")), str(claims.get("appid") or claims.get("azp")))

    def _build_routes(self):
        d = self.directory
        tenant = r"(?P<tenant>[^/]+)"
        return [
            (re.compile(r"^/v1\.0(?:/.*)?$"), _graph_kind, None, lambda req, m: self._graph_for(req).handle(req, V1)),
            (re.compile(r"^/beta(?:/.*)?$"), _graph_kind, None, lambda req, m: self._graph_for(req).handle(req, BETA)),
            (re.compile(r"^/msi/token/?$"), "managed_identity", None, lambda req, m: d.handle_app_service(req)),
            (re.compile(r"^/metadata/identity/oauth2/token/?$"), "managed_identity", None, lambda req, m: d.handle_imds(req)),
            (re.compile(r"^/%s/oauth2/v2\.0/token/?$" % tenant), "token", None,
             lambda req, m: self._signing_in_to(m.group("tenant")).handle_token(req, m.group("tenant"))),
            (re.compile(r"^/%s/v2\.0/\.well-known/openid-configuration/?$" % tenant), "discovery", ("GET",),
             lambda req, m: self._signing_in_to(m.group("tenant")).handle_discovery(req, m.group("tenant"))),
            (re.compile(r"^/%s/discovery/v2\.0/keys/?$" % tenant), "discovery", ("GET",),
             lambda req, m: self._signing_in_to(m.group("tenant")).handle_keys(req, m.group("tenant"))),
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
        header, token = authorization(req)
        echo = ""
        if fault.echo_authorization == "header":
            echo = " Authorization: %s" % header
        elif fault.echo_authorization == "token":
            echo = " Token: %s" % token
        if fault.body is not None:
            body = substitute(fault.body, header, token) if fault.echo_authorization else fault.body
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
                        payload = deep_update(real_json(real), fault.body_update)
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
        throttled = None
        if fault is None and kind.startswith("graph") and self.settings.throttle == "on":
            throttled = self.throttle.take(self._client_of(req), req.method, req.query, self.settings.throttle_scale)
        if throttled is not None:
            resp = graph_error_response(req, 429, "TooManyRequests", "Too many requests.", headers=[
                ("Retry-After", str(throttled)), ("x-ms-throttle-scope", "Tenant_Application/ReadWrite/%s" % self._client_of(req)[1])])
        elif fault is None or fault.carried_out:
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
            "fault": fault.kind if fault is not None else ("throttle" if throttled is not None else None),
            "properties": _body_properties(req) if kind == "graph_write" else None,
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
