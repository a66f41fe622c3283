# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTPS server that puts Entra and Graph on one loopback port, plus the control API
(faults, latency, request log, store) under /_emulator."""

import collections
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import pki
from .graph import GraphError, GraphService, Store, graph_error_response
from .identity import Directory, EntraError
from .wire import JSON_TYPE, Request, Response, utcnow

HOST = "127.0.0.1"
CONTROL_PREFIX = "/_emulator"
MAX_BODY = 4 * 1024 * 1024
LOG_LIMIT = 20000
FAULT_KINDS = ("status", "delay", "drop", "hang")
KINDS = ("discovery", "token", "managed_identity", "graph_read", "graph_write", "other")


class Settings:
    def __init__(self, page_size, latency_ms, token_lifetime):
        self.page_size = page_size
        self.latency_ms = latency_ms
        self.token_lifetime = token_lifetime

    def as_dict(self):
        return {"page_size": self.page_size, "latency_ms": self.latency_ms, "token_lifetime": self.token_lifetime}


def _positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < minimum:
        raise ValueError("%s must be an integer >= %d" % (name, minimum))
    return int(value)


def _seconds(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("%s must be a number of seconds >= 0" % name)
    return float(value)


class Fault:
    """One injected failure, consumed by the next `count` requests it matches."""

    _FIELDS = ("method", "path", "count", "kind", "status", "retry_after", "seconds", "body", "apply", "content_type")

    def __init__(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                 seconds=None, body=None, apply=False, content_type=None):
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
        self.count = _positive_int(count, "count")
        self.kind = kind
        self.status = _positive_int(503 if status is None else status, "status", 100)
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

    @classmethod
    def from_spec(cls, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(spec) - set(cls._FIELDS)
        if unknown:
            raise ValueError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
        return cls(**spec)

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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "entra-graph-emulator/1.0"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus delayed ACK
    # would add ~40 ms to every keep-alive exchange.
    disable_nagle_algorithm = True
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 120

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if self.server.emulator.verbose:
            sys.stderr.write("emulator: %s - %s\n" % (self.address_string(), format % args))

    def _dispatch(self):
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self.send_error(400, str(exc))
            return
        if body is None:
            self.close_connection = True
            self.send_error(413, "Request body too large")
            return
        req = Request(self.command, self.path, dict(self.headers.items()), body, str(uuid.uuid4()), self.client_address)
        self.server.emulator.serve(self, req)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise ValueError("Invalid chunk size")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        continue
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise ValueError("Invalid Content-Length")
        if size < 0:
            raise ValueError("Invalid Content-Length")
        if size > MAX_BODY:
            return None
        return self.rfile.read(size)

    def send(self, req, resp):
        self.send_response(resp.status)
        self.send_header("request-id", req.request_id)
        self.send_header("client-request-id", req.client_request_id)
        for name, value in resp.headers:
            self.send_header(name, value)
        # RFC 9110: no Content-Length on 204 and 1xx; everything else always carries an exact one.
        if resp.status != 204 and resp.status >= 200:
            self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.body and req.method != "HEAD" and resp.status != 204:
            self.wfile.write(resp.body)

    def drop(self):
        """Close the connection without answering; the client sees the peer hang up."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    handshake_timeout = 10

    def __init__(self, address, emulator):
        self.emulator = emulator
        self.ssl_context = None
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a slow or broken client
        # never stalls the accept loop.
        request.settimeout(self.handshake_timeout)
        try:
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        conn.settimeout(None)
        with self._connections_lock:
            self._connections.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self._connections_lock:
                self._connections.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.emulator.verbose:
            super().handle_error(request, client_address)

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _graph_kind(req):
    return "graph_read" if req.method in ("GET", "HEAD") else "graph_write"


class Emulator:
    """A local Microsoft Entra ID + Microsoft Graph beta over TLS on 127.0.0.1.

    Use start() / stop() (or a with block); `info` holds everything a client needs."""

    def __init__(self, state_dir, port=0, page_size=100, latency_ms=0, token_lifetime=3600, verbose=False):
        self.state_dir = os.path.abspath(state_dir)
        self.port = port
        self.verbose = verbose
        self._defaults = Settings(
            _positive_int(page_size, "page_size"), _positive_int(latency_ms, "latency_ms", 0),
            _positive_int(token_lifetime, "token_lifetime"))
        self.settings = Settings(**self._defaults.as_dict())
        self.faults_set = FaultSet()
        self.log = RequestLog()
        self.store = Store()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self.info = None
        self.base_url = None
        self.directory = None
        self.graph = None
        self._routes = []

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self):
        if self._server is not None:
            return self
        os.makedirs(self.state_dir, exist_ok=True)
        self._server = _Server((HOST, self.port), self)
        self.port = self._server.server_address[1]
        self.base_url = "https://%s:%d" % (HOST, self.port)

        ca_key, ca_cert = pki.make_ca()
        server_key, server_cert = pki.make_leaf(ca_key, ca_cert, "127.0.0.1", server=True)
        ca_path = pki.write_file(os.path.join(self.state_dir, "ca.pem"), pki.cert_pem(ca_cert))
        server_pem = pki.write_file(
            os.path.join(self.state_dir, "server.pem"), pki.key_pem(server_key) + pki.cert_pem(server_cert), private=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(server_pem)
        self._server.ssl_context = context

        self.directory = Directory(self.state_dir, self.base_url, ca_key, ca_cert, self.settings.token_lifetime)
        self.graph = GraphService(self.base_url, self.directory, self.store, self.settings)
        self._routes = self._build_routes()

        self.info = {
            "base_url": self.base_url,
            "ca_path": ca_path,
            "graph_endpoint": self.base_url,
            "authority_host": self.base_url,
            "authority": "%s/%s" % (self.base_url, self.directory.tenant_id),
            "scope": self.base_url + "/.default",
            "control_url": self.base_url + CONTROL_PREFIX,
            "state_dir": self.state_dir,
            "pid": os.getpid(),
        }
        self.info.update(self.directory.info())
        pki.write_file(os.path.join(self.state_dir, "emulator.json"),
                       (json.dumps(self.info, indent=2, sort_keys=True) + "\n").encode("utf-8"), private=True)

        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="entra-graph-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(5)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ---- in-process control (the same operations as the control API) ----------------------

    def add_fault(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                  seconds=None, body=None, apply=False, content_type=None):
        """Make the next `count` requests matching method and path (a regex searched in the path
        without query) fail. kinds: status (an error response), delay (sleep, then answer),
        drop (close without answering), hang (say nothing for `seconds`, then close).
        With apply=True a write is carried out before the fault hides its response.
        A `body` replaces the error body (a string is sent as is, as `content_type`, default text/plain)."""
        return self.faults_set.add(
            Fault(method, path, count, kind, status, retry_after, seconds, body, apply, content_type)).as_dict()

    def clear_faults(self):
        self.faults_set.clear()

    def faults(self):
        return self.faults_set.list()

    def set_latency(self, ms):
        self.settings.latency_ms = _positive_int(ms, "ms", 0)

    def configure(self, page_size=None, latency_ms=None, token_lifetime=None):
        if page_size is not None:
            self.settings.page_size = _positive_int(page_size, "page_size")
        if latency_ms is not None:
            self.set_latency(latency_ms)
        if token_lifetime is not None:
            self.settings.token_lifetime = _positive_int(token_lifetime, "token_lifetime")
            if self.directory is not None:
                self.directory.token_lifetime = self.settings.token_lifetime
        return self.settings.as_dict()

    def requests(self, kind=None):
        return self.log.list(kind)

    def clear_requests(self):
        self.log.clear()

    def reset(self):
        """Empty store, no faults, empty log, and the settings the emulator was started with."""
        self.store.clear()
        self.faults_set.clear()
        self.log.clear()
        self.configure(**self._defaults.as_dict())
        if self.directory is not None:
            self.directory.record_tokens(False)

    def objects(self):
        return self.store.snapshot()

    def set_objects(self, data):
        try:
            self.store.load(data)
        except GraphError as exc:
            raise ValueError(exc.message)

    def issue_token(self, client_id=None, audience=None, lifetime=None, roles=None):
        """An access token as the token endpoint would issue it; lifetime may be negative (expired)."""
        principal = self.directory.find(client_id or self.directory.write_app.client_id)
        if principal is None:
            raise ValueError("unknown client_id %s" % client_id)
        if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int)):
            raise ValueError("lifetime must be an integer number of seconds")
        if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles must be a list of strings")
        return self.directory.issue_token(principal, audience or self.base_url, lifetime, roles=roles)[0]

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
            (re.compile(r"^/beta(?:/.*)?$"), _graph_kind, None, lambda req, m: g.handle(req)),
            (re.compile(r"^/msi/token/?$"), "managed_identity", None, lambda req, m: d.handle_app_service(req)),
            (re.compile(r"^/metadata/identity/oauth2/token/?$"), "managed_identity", None, lambda req, m: d.handle_imds(req)),
            (re.compile(r"^/%s/oauth2/v2\.0/token/?$" % tenant), "token", None, lambda req, m: d.handle_token(req, m.group("tenant"))),
            (re.compile(r"^/%s/v2\.0/\.well-known/openid-configuration/?$" % tenant), "discovery", ("GET",),
             lambda req, m: d.handle_discovery(req, m.group("tenant"))),
            (re.compile(r"^/%s/discovery/v2\.0/keys/?$" % tenant), "discovery", ("GET",),
             lambda req, m: d.handle_keys(req, m.group("tenant"))),
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

    def _fault_response(self, req, kind, fault):
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
        if fault.body is not None:
            if isinstance(fault.body, str):
                return Response(fault.status, fault.body.encode("utf-8"), fault.content_type or "text/plain; charset=utf-8", headers)
            return Response.json(fault.status, fault.body, fault.content_type or JSON_TYPE, headers)
        if kind in ("token", "discovery"):
            resp = self.directory.oauth_error(req, EntraError(
                fault.status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."))
        elif kind == "managed_identity" and req.path.startswith("/msi/"):
            resp = Response.json(fault.status, {"statusCode": fault.status, "message": "The managed identity endpoint is unavailable.",
                                                "correlationId": str(uuid.uuid4())})
        elif kind == "managed_identity":
            resp = Response.json(fault.status, {"error": "temporarily_unavailable",
                                                "error_description": "The managed identity endpoint is unavailable."})
        else:
            resp = graph_error_response(req, fault.status)
        resp.headers.extend(headers)
        return resp

    def serve(self, handler, req):
        """Answer one request: latency, then any matching fault, then the Entra or Graph endpoint."""
        if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
            handler.send(req, self._control(req))
            return
        started = time.monotonic()
        kind, methods, route, match = self._match(req)
        if self.settings.latency_ms:
            self._stopping.wait(self.settings.latency_ms / 1000.0)
        fault = self.faults_set.take(req.method, req.path)
        if fault is not None and fault.kind == "delay":
            self._stopping.wait(fault.seconds)

        resp = None
        if fault is None or fault.kind == "delay" or fault.apply:
            resp = self._answer(req, methods, route, match)
        if fault is not None and fault.kind == "status":
            resp = self._fault_response(req, kind, fault)
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
            if fault.kind == "hang":
                self._stopping.wait(fault.seconds)
            handler.drop()
            return
        if kind in ("token", "discovery"):
            # Entra names its request id x-ms-request-id.
            resp.headers.append(("x-ms-request-id", req.request_id))
        handler.send(req, resp)

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
