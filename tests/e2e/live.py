# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where a target-parametrized end-to-end test sends its playbooks: the local emulator (always) or,
in live mode, a real tenant through Microsoft Graph.

Live mode is on when ``ENTRA_GRAPH_LIVE_TENANT`` (the tenant to sign in to and change),
``AZURE_CLIENT_ID``, ``AZURE_CLIENT_SECRET`` (an app with ``Policy.ReadWrite.CrossTenantAccess``) and
``ENTRA_GRAPH_LIVE_PARTNER`` (the ID of a spare partner tenant: one the tenant has no partner
configuration for) are set, and ``CI`` is not. Otherwise the live variants are skipped with a reason
that names the variables, so the test report says live mode did not run.

The test process itself never leaves loopback (``conftest._loopback_only`` refuses): every live
request is made by an ``ansible-playbook`` process the test starts. A live test starts by checking
that the partner is spare, and ends by deleting what it created: the partner configuration and its
sync policy (``force``), and the sync policy's copy in deleted items. The deleted partner
configuration stays in Graph's deleted items, which Graph empties after 30 days."""

import os
import re
import uuid

import pytest

from harness import module_task, run_playbook

TENANT = "ENTRA_GRAPH_LIVE_TENANT"
PARTNER = "ENTRA_GRAPH_LIVE_PARTNER"
REQUIRED = (TENANT, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", PARTNER)
# Optional, for a national cloud: where to sign in and which Graph to call.
AUTHORITY_HOST = "AZURE_AUTHORITY_HOST"
GRAPH_ENDPOINT = "ENTRA_GRAPH_LIVE_GRAPH_ENDPOINT"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

ACCESS = "entra.graph.crosstenant_access_partner"
ACCESS_INFO = "entra.graph.crosstenant_access_partner_info"
SYNC = "entra.graph.crosstenant_sync_partner"
SYNC_INFO = "entra.graph.crosstenant_sync_partner_info"


def live_settings(environ=None):
    """``(settings, None)`` when live mode is on, ``(None, reason)`` when it is off."""
    environ = os.environ if environ is None else environ
    if environ.get("CI"):
        return None, "live mode never runs in CI (CI is set): CI sends traffic only to the local emulator"
    missing = [name for name in REQUIRED if not environ.get(name)]
    if missing:
        return None, ("live mode is off: set %s to run this test against Microsoft Graph with a real tenant (missing: %s)"
                      % (", ".join(REQUIRED), ", ".join(missing)))
    if not GUID.match(environ[PARTNER].strip()):
        return None, "live mode is off: %s must be a partner tenant ID (a GUID), not %r" % (PARTNER, environ[PARTNER])
    settings = dict(tenant=environ[TENANT].strip(), client_id=environ["AZURE_CLIENT_ID"].strip(),
                    client_secret=environ["AZURE_CLIENT_SECRET"], partner=environ[PARTNER].strip().lower(),
                    authority_host=(environ.get(AUTHORITY_HOST) or "https://login.microsoftonline.com").rstrip("/"),
                    graph_endpoint=(environ.get(GRAPH_ENDPOINT) or "https://graph.microsoft.com").rstrip("/"))
    return settings, None


SETTINGS, SKIP_REASON = live_settings()

# The parameters of a ``target`` fixture: the emulator always; the live tenant only in live mode,
# skipped with the reason otherwise.
TARGETS = [
    pytest.param("emulator", id="emulator"),
    pytest.param("live", id="live", marks=pytest.mark.skipif(SETTINGS is None, reason=SKIP_REASON or "")),
]


class Target:
    """A Graph to run playbooks against: ``connection`` for module_defaults, ``partner`` the partner
    tenant ID the test may create and delete, and what a raw ``uri`` probe needs to sign in."""

    kind = None
    emulator = None

    def __init__(self, connection, partner, token_url, scope, graph, ca_path=None):
        self.connection = connection
        self.partner = partner
        self.token_url = token_url
        self.scope = scope
        self.graph = graph
        self.ca_path = ca_path

    def graph_requests(self):
        """(method, path, status) of every Graph request so far; None where nobody keeps a log."""
        return None


class EmulatorTarget(Target):
    kind = "emulator"

    def __init__(self, emulator, partner):
        info = emulator.info
        connection = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["client_id"],
                          client_secret=info["client_secret"], authority_host=info["authority_host"],
                          graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
        super(EmulatorTarget, self).__init__(connection, partner, info["token_endpoint"], info["scope"],
                                             info["graph_endpoint"], info["ca_path"])
        self.emulator = emulator

    def graph_requests(self):
        return [(entry["method"], entry["path"], entry["status"]) for entry in self.emulator.requests()
                if entry["kind"].startswith("graph")]


class LiveTarget(Target):
    """Graph as ``settings`` (from ``live_settings``) reach it. ``ca_path`` is for a Graph behind a
    TLS-inspecting proxy, or for running the live code path against the emulator."""

    kind = "live"

    def __init__(self, settings, ca_path=None):
        connection = dict(auth_method="client_secret", tenant=settings["tenant"], client_id=settings["client_id"],
                          client_secret=settings["client_secret"], authority_host=settings["authority_host"],
                          graph_endpoint=settings["graph_endpoint"])
        if ca_path:
            connection["ca_path"] = ca_path
        super(LiveTarget, self).__init__(
            connection, settings["partner"], "%s/%s/oauth2/v2.0/token" % (settings["authority_host"], settings["tenant"]),
            settings["graph_endpoint"] + "/.default", settings["graph_endpoint"], ca_path)


def emulator_partner(label):
    """A partner tenant ID of its own for each emulator test."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/target/" + label))


def partner_state(collection, target):
    """What the target holds for its partner: (partner configurations, live sync policies), each a list."""
    tasks = [module_task("partner", ACCESS_INFO, {"tenant_id": target.partner}),
             module_task("sync policy", SYNC_INFO, {"tenant_id": target.partner, "location": "partner_policy"})]
    run = run_playbook(collection, tasks, module_defaults=target.connection)
    if run.rc != 0:
        raise AssertionError("could not read the partner %s from %s:\n%s" % (target.partner, target.kind, run.output))
    return run.result("partner")["partners"], run.result("sync policy")["partners"]


def ensure_spare(collection, target):
    """Fail (never skip) unless the partner has no partner configuration: a live test never changes or
    deletes one it did not create."""
    partners, policies = partner_state(collection, target)
    if partners or policies:
        pytest.fail("%s=%s already has a partner configuration in tenant %s; live tests need a spare partner tenant ID "
                    "and never touch an existing configuration" % (PARTNER, target.partner, target.connection["tenant"]))


def clean_up(collection, target):
    """Delete what a test left for its partner: the sync policy, the partner configuration, then the
    sync policy's copy in deleted items. Returns the playbook run."""
    tasks = [
        # First on its own: a probe may have found that Graph keeps a sync policy without a partner configuration.
        module_task("clean up: sync policy", SYNC,
                    {"tenant_id": target.partner, "state": "absent", "location": "partner_policy"}, ignore_errors=True),
        module_task("clean up: partner configuration and sync policy", ACCESS,
                    {"tenant_id": target.partner, "state": "absent", "force": True}, ignore_errors=True),
        module_task("clean up: sync policy in deleted items", SYNC,
                    {"tenant_id": target.partner, "state": "absent", "location": "deleted_items"}, ignore_errors=True),
    ]
    return run_playbook(collection, tasks, module_defaults=target.connection)


def make_target(request, collection, label):
    """The body of a ``target`` fixture whose parameter is one of TARGETS; a generator."""
    if request.param == "emulator":
        yield EmulatorTarget(request.getfixturevalue("emu"), emulator_partner(label))
        return
    target = LiveTarget(SETTINGS)
    ensure_spare(collection, target)
    try:
        yield target
    finally:
        clean_up(collection, target)
