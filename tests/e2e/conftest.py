# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for end-to-end tests against the local Entra + Graph emulator.

``emulator`` (session) is one running emulator; ``emu`` is the same emulator, reset to an empty
store with no faults, no latency and an empty request log before the test; ``emu_http`` is a
requests session that trusts the emulator's CA and ignores proxy and CA variables of the machine;
``source`` and ``target`` are the emulator's two tenants."""

import os
import sys
import urllib.parse

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    # `tests` is a namespace package rooted at the repository, whichever directory pytest runs from.
    sys.path.insert(0, REPO)

# One running emulator per session, reset per test, and no connection off the machine: shared with tests/sdk.
from tests.emulator_fixtures import emu, emulator, is_loopback_host, loopback_only  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position

CLOSED_PORT_URL = "http://127.0.0.1:9"
# Managed identity endpoints a CI machine on Azure may define; off-loopback ones are dropped
# together with their secrets.
_MI_ENDPOINTS = {
    "IDENTITY_ENDPOINT": ("IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT"),
    "MSI_ENDPOINT": ("MSI_SECRET",),
    "IMDS_ENDPOINT": (),
}


def _drop_foreign_identity_endpoints():
    for name, companions in _MI_ENDPOINTS.items():
        value = os.environ.get(name)
        if value is not None and not is_loopback_host(urllib.parse.urlsplit(value).hostname or ""):
            for var in (name,) + companions:
                os.environ.pop(var, None)


def _pin_imds_to_loopback():
    # MSAL's managed identity code falls back to IMDS at 169.254.169.254 when nothing else is
    # configured; point that fallback at a closed loopback port unless it already stays local.
    value = os.environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
    if not value or not is_loopback_host(urllib.parse.urlsplit(value).hostname or ""):
        os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = CLOSED_PORT_URL


_drop_foreign_identity_endpoints()
_pin_imds_to_loopback()


@pytest.fixture
def emu_http(emulator):
    import requests

    session = requests.Session()
    session.trust_env = False
    session.verify = emulator.info["ca_path"]
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def source(emu, emu_http):
    """The emulator's first tenant, the one users are synchronized from."""
    from tenants_support import Tenant

    return Tenant(emu, emu_http, 0)


@pytest.fixture
def target(emu, emu_http):
    """The emulator's second tenant, the one users are synchronized to."""
    from tenants_support import Tenant

    return Tenant(emu, emu_http, 1)


@pytest.fixture(scope="session")
def collection(tmp_path_factory):
    """The collections path where the tarball built from this checkout is installed."""
    from harness import build_and_install

    path, dummy_tarball = build_and_install(str(tmp_path_factory.mktemp("collection")))
    return path


@pytest.fixture
def connection(emu):
    """Connection options that sign in to the emulator with the write-role app's client secret."""
    info = emu.info
    return dict(
        auth_method="client_secret",
        tenant=info["tenant"],
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        authority_host=info["authority_host"],
        graph_endpoint=info["graph_endpoint"],
        ca_path=info["ca_path"],
    )
