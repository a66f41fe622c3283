# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft's own Graph SDKs (msgraph-sdk for v1.0, msgraph-beta-sdk for beta) as clients of the
local emulator, signed in with azure-identity's ClientSecretCredential.

Opt-in stage: ``bash scripts/test.sh sdk`` (runs this directory from .venv-sdk, made from
tests/sdk/requirements.txt). Everything stays on 127.0.0.1: the credential's authority and the SDKs'
base URLs are the emulator's, both trust only its CA, and any TCP connection elsewhere is refused.

Fixtures: ``emulator`` (one per session), ``emu`` (that emulator, reset before the test), ``sdk``
(an ``Sdk``: a v1.0 and a beta GraphServiceClient on one event loop, and ``run()`` to await a call)."""

import asyncio
import ipaddress
import os
import ssl
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

# A proxy from the environment must never see these requests (azure-identity's requests session and
# the credential read it; the SDKs' httpx clients are built with trust_env=False).
os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
os.environ["no_proxy"] = os.environ["NO_PROXY"]


def pytest_configure(config):
    # The generated request builders warn about their own per-operation configuration classes on import.
    config.addinivalue_line("filterwarnings", "ignore:This class is deprecated:DeprecationWarning")


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _loopback_only():
    """Refuse, inside the test process, any TCP connection that would leave the machine (requests,
    MSAL and httpx's asyncio transport all end in socket.connect)."""
    import socket

    original, original_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not _is_loopback(str(address[0])):
            raise ConnectionRefusedError("SDK tests only talk to 127.0.0.1; refused a connection to %s" % (address,))

    def connect(sock, address):
        check(sock, address)
        return original(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return original_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = original, original_ex


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    from tests.emulator import Emulator

    instance = Emulator(str(tmp_path_factory.mktemp("emulator"))).start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture(scope="session")
def credential(emulator):
    """azure-identity's ClientSecretCredential against the emulator's Entra: its host as authority,
    no instance discovery (the host is not a known cloud), its CA for the token requests."""
    from azure.identity import ClientSecretCredential

    info = emulator.info
    cred = ClientSecretCredential(
        info["tenant"], info["client_id"], info["client_secret"],
        authority=info["authority_host"], disable_instance_discovery=True, connection_verify=info["ca_path"])
    try:
        yield cred
    finally:
        cred.close()


class Sdk:
    """A v1.0 and a beta GraphServiceClient on the emulator, sharing one event loop and one credential.

    Each has its own httpx.AsyncClient (trusting only the emulator's CA, no proxies from the
    environment, base URL {emulator}/{version}) wrapped by msgraph_core's GraphClientFactory in the
    SDK's default middleware (retry, redirect, telemetry, ...), exactly as the SDKs build their own."""

    def __init__(self, emulator, credential):
        import httpx
        from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
        from msgraph import GraphRequestAdapter as V1Adapter, GraphServiceClient as V1Client
        from msgraph_beta import GraphRequestAdapter as BetaAdapter, GraphServiceClient as BetaClient
        from msgraph_core import APIVersion, GraphClientFactory

        info = emulator.info
        self.info = info
        self.loop = asyncio.new_event_loop()
        tls = ssl.create_default_context(cafile=info["ca_path"])
        self._http = []

        def adapter(adapter_class, version, api_version):
            http = httpx.AsyncClient(verify=tls, trust_env=False, base_url="%s/%s" % (info["base_url"], version),
                                     timeout=httpx.Timeout(30.0, connect=10.0))
            self._http.append(http)
            http = GraphClientFactory.create_with_default_middleware(api_version=api_version, client=http)
            # The scope is the emulator's resource; only its host may receive the token.
            auth = AzureIdentityAuthenticationProvider(credential, scopes=[info["scope"]], allowed_hosts=["127.0.0.1"])
            made = adapter_class(auth, client=http)
            # httpx keeps its base URL with a trailing slash, which would give "/v1.0//policies/...":
            # the adapter's own base URL is the one the request builders expand.
            made.base_url = "%s/%s" % (info["base_url"], version)
            return made

        self.v1 = V1Client(request_adapter=adapter(V1Adapter, "v1.0", APIVersion.v1))
        self.beta = BetaClient(request_adapter=adapter(BetaAdapter, "beta", APIVersion.beta))

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def close(self):
        for http in self._http:
            self.run(http.aclose())
        self.loop.close()


@pytest.fixture
def sdk(emu, credential):
    client = Sdk(emu, credential)
    try:
        yield client
    finally:
        client.close()
