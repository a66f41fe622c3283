# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft's own Graph SDKs (msgraph-sdk for v1.0, msgraph-beta-sdk for beta) as clients of the
local emulator, signed in with azure-identity's ClientSecretCredential.

The ``sdk`` stage of ``bash scripts/test.sh``, in its default run (runs this directory from .venv-sdk, made from
tests/sdk/requirements.txt). Everything stays on 127.0.0.1: the credential's authority and the SDKs'
base URLs are the emulator's, both trust only its CA, and any TCP connection elsewhere is refused.

Fixtures: ``emulator`` (one per session), ``emu`` (that emulator, reset before the test), ``sdk``
(an ``sdk_support.Sdk``: a v1.0 and a beta GraphServiceClient on one event loop, and ``run()`` to
await a call)."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

# One running emulator per session, reset per test, and no connection off the machine: shared with tests/e2e.
from tests.emulator_fixtures import emu, emulator, loopback_only  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position

# A proxy from the environment must never see these requests (azure-identity's requests session and
# the credential read it; the SDKs' httpx clients are built with trust_env=False).
os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
os.environ["no_proxy"] = os.environ["NO_PROXY"]


def pytest_configure(config):
    # The generated request builders warn about their own per-operation configuration and query
    # parameter classes, which their get() methods still declare.
    config.addinivalue_line("filterwarnings", "ignore:This class is deprecated:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:GetQueryParameters is deprecated:DeprecationWarning")


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


@pytest.fixture
def sdk(emu, credential):
    from sdk_support import Sdk

    client = Sdk(emu, credential)
    try:
        yield client
    finally:
        client.close()
