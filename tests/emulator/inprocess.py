# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator without sockets, for unit tests: the same model, routing, faults and control API as the
TLS emulator, answering `requests.PreparedRequest`s below requests' transport adapter.

    from tests.emulator.inprocess import InProcessEmulator
    with InProcessEmulator() as emu:           # owns login.microsoftonline.com, graph.microsoft.com, ...
        emu.install()                          # every requests HTTPAdapter now answers from the emulator
        ...                                    # run the code under test with emu.info's tenant, client_id, secret
        emu.requests("graph_write"), emu.objects(), emu.sent

One emulator owns several origins (scheme://host[:port]): the sign-in hosts and Graph hosts of every
national cloud, an App Service managed identity endpoint and IMDS by default. Each serves every route
(Entra, managed identity, Graph /v1.0 and /beta, /_emulator), as the TLS emulator does on its one port;
URLs in answers use the origin the request went to. A URL outside those origins raises UnownedURL."""

import datetime
import io
import os
import shutil
import tempfile
import threading
import urllib.parse
import uuid
from http.client import RemoteDisconnected
from http.client import responses as REASONS
from unittest import mock

import requests
from requests.structures import CaseInsensitiveDict

from . import pki
from .core import EmulatorCore
from .faults import positive_int
from .identity import Directory
from .wire import Request

GRAPH_HOSTS = {
    "https://graph.microsoft.com": "https://login.microsoftonline.com",
    "https://graph.microsoft.us": "https://login.microsoftonline.us",
    "https://dod-graph.microsoft.us": "https://login.microsoftonline.us",
    "https://microsoftgraph.chinacloudapi.cn": "https://login.chinacloudapi.cn",
}
DEFAULT_ORIGINS = tuple(sorted(set(GRAPH_HOSTS) | set(GRAPH_HOSTS.values())))
DEFAULT_IDENTITY_ENDPOINT = "http://127.0.0.1:41741/msi/token"
DEFAULT_IMDS_HOST = "http://169.254.169.254"

# RSA key generation is most of an emulator's start-up cost (~50 ms a key); unit tests share a pool.
_KEY_POOL = []
_POOL_LOCK = threading.Lock()
_CA = []


class UnownedURL(AssertionError):
    """A request for a URL no origin of the emulator owns: in a real run it would have left the machine."""


def origin_of(url):
    """scheme://host[:port], lower case, without a default port."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = "[%s]" % host
    port = parts.port
    if port is None or (scheme, port) in (("https", 443), ("http", 80)):
        return "%s://%s" % (scheme, host)
    return "%s://%s:%d" % (scheme, host, port)


def _pooled_key_factory():
    used = [0]

    def new_key():
        with _POOL_LOCK:
            index = used[0]
            used[0] += 1
            while len(_KEY_POOL) <= index:
                _KEY_POOL.append(pki.new_rsa_key())
            return _KEY_POOL[index]
    return new_key


def _shared_ca():
    with _POOL_LOCK:
        if not _CA:
            _CA.append(pki.make_ca())
        return _CA[0]


class Sent:
    """One request as the transport adapter received it, with the adapter's arguments: for tests that
    check what a client sent (verify, timeout, headers, body). Holds secrets; never print it whole."""

    def __init__(self, request, timeout, verify, cert, proxies, body):
        self.method = request.method
        self.url = request.url
        self.origin = origin_of(request.url)
        self.headers = CaseInsensitiveDict(request.headers)
        self.body = body
        self.timeout = timeout
        self.verify = verify
        self.cert = cert
        self.proxies = proxies

    def __repr__(self):
        return "<Sent %s %s>" % (self.method, urllib.parse.urlsplit(self.url)._replace(query="").geturl())


class InProcessAdapter(requests.adapters.BaseAdapter):
    """A transport adapter that answers from an InProcessEmulator; mount it on a session."""

    def __init__(self, emulator):
        super().__init__()
        self.emulator = emulator

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return self.emulator.respond(request, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    def close(self):
        pass


class InProcessEmulator(EmulatorCore):
    """Entra ID + Graph in memory. `base_url` is the primary Graph origin (info's graph_endpoint and
    scope); `authority_host` the primary sign-in origin (default: the login host of base_url's cloud).
    `origins` replaces the default set of owned origins (base_url, authority_host and the managed
    identity origins are always added). With real_time=False (default) latency, delay and hang faults
    are not slept: a hang raises ReadTimeout at once (ConnectionError when the client's read timeout
    is longer than the hang), a drop raises ConnectionError."""

    def __init__(self, base_url="https://graph.microsoft.com", authority_host=None, origins=None, tenant_id=None,
                 domains=(), identity_endpoint=DEFAULT_IDENTITY_ENDPOINT, imds_host=DEFAULT_IMDS_HOST, state_dir=None,
                 page_size=100, latency_ms=0, token_lifetime=3600, real_time=False, reuse_keys=True, tenants=2,
                 replication_delay=0, rules=None):
        super().__init__(page_size=page_size, latency_ms=latency_ms, token_lifetime=token_lifetime, rules=rules)
        self.base_url = origin_of(base_url)
        self.authority_host = origin_of(authority_host or GRAPH_HOSTS.get(self.base_url, self.base_url))
        self.identity_endpoint = identity_endpoint
        self.imds_host = origin_of(imds_host)
        owned = set(origin_of(o) for o in (DEFAULT_ORIGINS if origins is None else origins))
        owned.update([self.base_url, self.authority_host, origin_of(identity_endpoint), self.imds_host])
        self.origins = owned
        self.real_time = real_time
        self.sent = []
        self._patch = None
        self._own_state_dir = state_dir is None
        self.state_dir = tempfile.mkdtemp(prefix="entra-graph-emulator-") if state_dir is None else os.path.abspath(state_dir)
        os.makedirs(self.state_dir, exist_ok=True)
        ca_key, ca_cert = _shared_ca() if reuse_keys else pki.make_ca()
        new_key = _pooled_key_factory() if reuse_keys else None
        directories = [Directory(self.state_dir, self.authority_host, ca_key, ca_cert, self.settings.token_lifetime,
                                 tenant_id=tenant_id if index == 0 else None, domains=domains if index == 0 else (),
                                 new_key=new_key, home=index == 0)
                       for index in range(positive_int(tenants, "tenants"))]
        for directory in directories:
            directory.origins = set(owned)
        self._setup(directories, replication_delay)
        directory = self.directory
        self.info = directory.info()
        self.info.update({
            "base_url": self.base_url,
            "graph_endpoint": self.base_url,
            "authority_host": self.authority_host,
            "authority": "%s/%s" % (self.authority_host, directory.tenant_id),
            "scope": self.base_url + "/.default",
            "control_url": self.base_url + "/_emulator",
            "identity_endpoint": identity_endpoint,
            "imds_host": self.imds_host,
            "ca_path": None,
            "origins": sorted(owned),
            "state_dir": self.state_dir,
            "tenants": self.tenants_info(),
        })

    # ---- lifecycle ------------------------------------------------------------------------

    def install(self):
        """Answer every requests HTTPAdapter.send in this process (what a unit test of a module needs)."""
        if self._patch is None:
            emulator = self

            def send(adapter, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
                return emulator.respond(request, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

            self._patch = mock.patch.object(requests.adapters.HTTPAdapter, "send", send)
            self._patch.start()
        return self

    def uninstall(self):
        if self._patch is not None:
            self._patch.stop()
            self._patch = None

    def close(self):
        self.uninstall()
        self._stopping.set()
        self.release_waits()
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def add_origin(self, url):
        """Own one more origin (e.g. a private cloud's Graph or sign-in host); returns it normalised."""
        origin = origin_of(url)
        self.origins.add(origin)
        for tenant in self.tenants:
            tenant.directory.origins.add(origin)
        self.info["origins"] = sorted(self.origins)
        return origin

    def adapter(self):
        return InProcessAdapter(self)

    def session(self):
        """A requests session that answers every URL from this emulator (UnownedURL outside its origins)."""
        session = requests.Session()
        adapter = self.adapter()
        for prefix in ("https://", "http://"):
            session.mount(prefix, adapter)
        return session

    def reset(self):
        super().reset()
        del self.sent[:]

    def _sleep(self, seconds):
        if self.real_time:
            super()._sleep(seconds)

    # ---- requests ---------------------------------------------------------------------------

    def respond(self, request, timeout=None, verify=True, cert=None, proxies=None):
        """Answer one prepared request through the emulator's routes, faults and control API."""
        origin = origin_of(request.url)
        if origin not in self.origins:
            raise UnownedURL("the in-process emulator does not own %s (owned: %s); nothing may leave the machine"
                             % (origin, ", ".join(sorted(self.origins))))
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif hasattr(body, "read"):
            body = body.read()
        elif not isinstance(body, (bytes, bytearray)):
            body = b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)
        body = bytes(body)
        self.sent.append(Sent(request, timeout, verify, cert, proxies, body))
        parts = urllib.parse.urlsplit(request.url)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        req = Request(request.method, target, dict(request.headers), body, str(uuid.uuid4()), ("127.0.0.1", 0), base_url=origin)
        outcome = self.process(req)
        if outcome.drop:
            read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
            if outcome.hang and (read_timeout is None or read_timeout < outcome.hang):
                if read_timeout is not None:
                    self._sleep(read_timeout)
                raise requests.exceptions.ReadTimeout(
                    "HTTPSConnectionPool(host=%r): Read timed out. (read timeout=%s)" % (parts.hostname, read_timeout), request=request)
            self._sleep(outcome.hang)
            raise requests.exceptions.ConnectionError(
                ("Connection aborted.", RemoteDisconnected("Remote end closed connection without response")), request=request)
        return self._to_response(request, req, outcome.response)

    @staticmethod
    def _to_response(request, req, resp):
        headers = CaseInsensitiveDict()
        headers["request-id"] = req.request_id
        headers["client-request-id"] = req.client_request_id
        for name, value in resp.headers:
            headers[name] = "%s, %s" % (headers[name], value) if name in headers else value
        body = b"" if resp.status == 204 or req.method == "HEAD" else resp.body
        if resp.status != 204:
            headers["Content-Length"] = str(len(resp.body))
        response = requests.Response()
        response.status_code = resp.status
        response.reason = REASONS.get(resp.status, "Unknown")
        response.headers = headers
        response._content = body
        response._content_consumed = True
        response.raw = io.BytesIO(body)
        response.encoding = requests.utils.get_encoding_from_headers(headers)
        response.url = request.url
        response.request = request
        response.elapsed = datetime.timedelta(0)
        return response
