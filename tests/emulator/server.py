# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTPS server that puts Entra and Graph on one loopback port, plus the control API
(faults, latency, request log, store) under /_emulator."""

import json
import os
import socket
import ssl
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import pki
from .core import EmulatorCore
from .faults import Fault, positive_int
from .identity import Directory
from .wire import Request

HOST = "127.0.0.1"
MAX_BODY = 4 * 1024 * 1024

__all__ = ["Emulator", "Fault"]


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
        emulator = self.server.emulator
        req = Request(self.command, self.path, dict(self.headers.items()), body, str(uuid.uuid4()), self.client_address,
                      base_url=emulator.base_url)
        emulator.serve(self, req)

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


class Emulator(EmulatorCore):
    """A local Microsoft Entra ID + Microsoft Graph (v1.0 and beta) over TLS on 127.0.0.1.

    Use start() / stop() (or a with block); `info` holds everything a client needs."""

    def __init__(self, state_dir, port=0, page_size=100, latency_ms=0, token_lifetime=3600, verbose=False, tenants=2,
                 replication_delay=0, rules=None):
        super().__init__(page_size=page_size, latency_ms=latency_ms, token_lifetime=token_lifetime, verbose=verbose,
                         rules=rules)
        self.tenant_count = positive_int(tenants, "tenants")
        self.replication_delay = replication_delay
        self.state_dir = os.path.abspath(state_dir)
        self.port = port
        self._server = None
        self._thread = None

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

        self._setup([Directory(self.state_dir, self.base_url, ca_key, ca_cert, self.settings.token_lifetime, home=index == 0)
                     for index in range(self.tenant_count)], self.replication_delay)
        self.info = {
            "base_url": self.base_url,
            "ca_path": ca_path,
            "graph_endpoint": self.base_url,
            "authority_host": self.base_url,
            "authority": "%s/%s" % (self.base_url, self.directory.tenant_id),
            "scope": self.base_url + "/.default",
            "control_url": self.base_url + "/_emulator",
            "state_dir": self.state_dir,
            "pid": os.getpid(),
        }
        self.info.update(self.directory.info())
        self.info["tenants"] = self.tenants_info()
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
        self.release_waits()
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

    def serve(self, handler, req):
        """Answer one request on a connection thread (the server starts one per connection)."""
        outcome = self.process(req)
        if outcome.drop:
            self._sleep(outcome.hang)
            handler.drop()
            return
        handler.send(req, outcome.response)
