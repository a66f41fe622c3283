# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""entra.graph.crosstenant_sync_partners through real playbooks: every state in both locations, each run
first with --check (nothing written), then for real, then once more (converged, nothing written);
gathered fed back in unchanged; bounded concurrency read from the emulator's request log; one
partner failing while the others go through; input errors before any request."""

import datetime
import os
import uuid

import yaml

from harness import REPO, diff_lines, module_task, of_kind, run_playbook, task_output

MODULE = "entra.graph.crosstenant_sync_partners"
DELETED_AT = "2025-01-02T03:04:05Z"


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/bulk/" + name))


A, B, C, D, E = (tid(name) for name in "ABCDE")


def v1(tenant_id, **props):
    """A live policy as v1.0 returns it: tenantId, displayName, userSyncInbound."""
    obj = dict.fromkeys(("displayName", "userSyncInbound"))
    obj.update(props, tenantId=tenant_id)
    return obj


def beta(tenant_id, **props):
    """An object as beta returns it: every property, null where unset."""
    obj = dict.fromkeys(("displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId", "userSyncInbound",
                         "groupSyncInbound", "roleEnabledGroupSyncInbound"))
    obj.update(props, tenantId=tenant_id)
    return obj


def allowed(value):
    return {"isSyncAllowed": value}


def by_tenant(objects):
    return dict((obj["tenantId"], obj) for obj in objects)


def stored(emu, location):
    """What the emulator holds in a location, keyed by tenant, with only the sync policy's beta properties."""
    names = set(beta("x"))
    return dict((obj["tenantId"], dict((k, v) for k, v in obj.items() if k in names)) for obj in emu.objects()[location])


def writes(emu):
    return [(entry["method"], entry["path"]) for entry in of_kind(emu.requests(), "graph_write")]


def graph_requests(emu):
    return of_kind(emu.requests(), "graph_read", "graph_write")


def live_path(version, tenant_id):
    return "/%s/policies/crossTenantAccessPolicy/partners/%s/identitySynchronization" % (version, tenant_id)


def deleted_path(tenant_id=None):
    path = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
    return path if tenant_id is None else path + "/" + tenant_id


def bulk(name, **args):
    return module_task(name, MODULE, args, register="result", ignore_errors=True)


def apply_three_times(collection, emu, connection, task, diff=False):
    """The task with --check, for real, and again; (results, writes) of each run."""
    runs = []
    for check in (True, False, False):
        emu.clear_requests()
        play = run_playbook(collection, [task], module_defaults=connection, check=check, diff=diff)
        runs.append((play, play.result(task["name"]), writes(emu), emu.requests()))
    return runs


# ---- merged ---------------------------------------------------------------------------------------

def test_merged_live_creates_and_updates_only_what_differs_and_converges(collection, emu, connection):
    # A differs, B is as asked, C has a partner configuration and no policy yet, D is not listed.
    emu.set_objects({
        "partner_policy": [beta(A, displayName="A", userSyncInbound=allowed(False)), beta(B, displayName="B"),
                           beta(D, displayName="D", userSyncInbound=allowed(True))],
        "partners": [{"tenantId": t} for t in (A, B, C, D)],
    })
    task = bulk("merge", location="partner_policy", config=[
        {"tenant_id": A, "user_sync_inbound": {"is_sync_allowed": True}},
        {"tenant_id": B.upper(), "display_name": "B"},
        {"tenant_id": C, "display_name": "C", "user_sync_inbound": {"is_sync_allowed": False}},
    ])
    (check, predicted, check_writes, dummy), (play, applied, applied_writes, log), (again_play, again, again_writes, dummy) = \
        apply_three_times(collection, emu, connection, task, diff=True)

    expected_changes = [{"tenant_id": A, "action": "update", "changed_properties": ["userSyncInbound"]},
                        {"tenant_id": C, "action": "create", "changed_properties": ["displayName", "userSyncInbound"]}]
    expected_after = [v1(A, displayName="A", userSyncInbound=allowed(True)), v1(B, displayName="B"),
                      v1(C, displayName="C", userSyncInbound=allowed(False))]
    # Check mode predicts exactly what the real run then does, and writes nothing.
    assert check.rc == 0, check.output
    assert check_writes == []
    assert predicted["changed"] is True and predicted["changed_partners"] == expected_changes
    assert predicted["after"] == expected_after
    assert play.rc == 0, play.output
    assert applied["api_version"] == "v1.0"
    assert applied["changed"] is True and applied["changed_partners"] == expected_changes
    assert applied["before"] == [v1(A, displayName="A", userSyncInbound=allowed(False)), v1(B, displayName="B")]
    assert applied["after"] == expected_after
    assert applied["diff"] == {"before": by_tenant(applied["before"]), "after": by_tenant(expected_after)}
    assert sorted(applied_writes) == sorted([("PATCH", live_path("v1.0", A)), ("PUT", live_path("v1.0", C))])
    # Only the listed partners are read, each once; D is neither read nor written.
    assert sorted(e["path"] for e in of_kind(log, "graph_read")) == sorted(live_path("v1.0", t) for t in (A, B, C))
    assert len(of_kind(log, "token")) == 1
    objects = stored(emu, "partner_policy")
    assert objects[A] == beta(A, displayName="A", userSyncInbound=allowed(True))
    assert objects[C] == beta(C, displayName="C", userSyncInbound=allowed(False))
    assert objects[D] == beta(D, displayName="D", userSyncInbound=allowed(True))
    # The diff the user sees names the changed values.
    shown = diff_lines(task_output(play.output, "merge"))
    assert any('"isSyncAllowed": true' in line and line.startswith("+") for line in shown), shown
    # Converged: nothing to write.
    assert again_play.rc == 0, again_play.output
    assert again["changed"] is False and again["changed_partners"] == [] and again_writes == []
    assert again["before"] == again["after"] == expected_after


def test_merged_deleted_items_creates_from_one_list_and_uses_beta(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A, displayName="A", deletedDateTime=DELETED_AT)]})
    task = bulk("merge", config=[
        {"tenant_id": A, "display_name": "A"},
        {"tenant_id": B, "display_name": "B", "group_sync_inbound": {"is_sync_allowed": True},
         "deleted_date_time": "2025-06-18T23:11:01+02:00"},
    ])
    runs = apply_three_times(collection, emu, connection, task)
    (dummy, predicted, check_writes, dummy2), (play, applied, applied_writes, log), (dummy3, again, again_writes, dummy4) = runs
    assert check_writes == [] and predicted["changed_partners"] == [
        {"tenant_id": B, "action": "create", "changed_properties": ["deletedDateTime", "displayName", "groupSyncInbound"]}]
    assert play.rc == 0, play.output
    assert applied["api_version"] == "beta"
    assert applied_writes == [("POST", deleted_path())]
    # One list, no read per partner.
    assert [(e["method"], e["path"]) for e in of_kind(log, "graph_read")] == [("GET", deleted_path())]
    assert stored(emu, "deleted_items")[B] == beta(B, displayName="B", groupSyncInbound=allowed(True),
                                                    deletedDateTime="2025-06-18T21:11:01Z")
    assert again["changed"] is False and again_writes == []
