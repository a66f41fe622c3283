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
    """The task with --check, for real, and again; (playbook run, task result, writes, request log) of each run.
    Check mode must leave the store as it was."""
    runs = []
    for check in (True, False, False):
        emu.clear_requests()
        objects = emu.objects()
        play = run_playbook(collection, [task], module_defaults=connection, check=check, diff=diff)
        runs.append((play, play.result(task["name"]), writes(emu), emu.requests()))
        if check:
            assert emu.objects() == objects
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
    task = bulk("merge", location="deleted_items", config=[
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
    assert stored(emu, "deleted_items")[B] == beta(
        B, displayName="B", groupSyncInbound=allowed(True), deletedDateTime="2025-06-18T21:11:01Z")
    assert again["changed"] is False and again_writes == []


# ---- replaced -------------------------------------------------------------------------------------

def test_replaced_clears_what_the_item_leaves_out(collection, emu, connection):
    full = dict(displayName="A", externalCloudAuthorizedApplicationId="app", userSyncInbound=allowed(True),
                groupSyncInbound=allowed(True))
    emu.set_objects({"partner_policy": [beta(A, **full), beta(B, **full), beta(D, **full)]})
    task = bulk("replace", location="partner_policy", state="replaced", api_version="beta", config=[
        {"tenant_id": A, "user_sync_inbound": {"is_sync_allowed": False}},
        {"tenant_id": B, "display_name": "A", "external_cloud_authorized_application_id": "app",
         "user_sync_inbound": {"is_sync_allowed": True}, "group_sync_inbound": {"is_sync_allowed": True}},
    ])
    (dummy, predicted, check_writes, dummy2), (play, applied, applied_writes, dummy3), (dummy4, again, again_writes, dummy5) = \
        apply_three_times(collection, emu, connection, task)
    expected = [{"tenant_id": A, "action": "update",
                 "changed_properties": ["displayName", "externalCloudAuthorizedApplicationId", "groupSyncInbound", "userSyncInbound"]}]
    assert check_writes == [] and predicted["changed_partners"] == expected
    assert play.rc == 0, play.output
    assert applied["changed_partners"] == expected and applied_writes == [("PATCH", live_path("beta", A))]
    objects = stored(emu, "partner_policy")
    assert objects[A] == beta(A, userSyncInbound=allowed(False))
    assert objects[B] == beta(B, **full)
    assert objects[D] == beta(D, **full)
    assert again["changed"] is False and again_writes == []


def test_replaced_under_v1_clears_only_what_v1_has(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(A, displayName="A", userSyncInbound=allowed(True), groupSyncInbound=allowed(True))]})
    play = run_playbook(collection, [bulk("replace", location="partner_policy", state="replaced",
                                          config=[{"tenant_id": A, "user_sync_inbound": {"is_sync_allowed": True}}])],
                        module_defaults=connection)
    result = play.result("replace")
    assert play.rc == 0, play.output
    assert result["api_version"] == "v1.0"
    assert result["changed_partners"] == [{"tenant_id": A, "action": "update", "changed_properties": ["displayName"]}]
    # groupSyncInbound is beta only: v1.0 neither shows nor clears it.
    assert stored(emu, "partner_policy")[A] == beta(A, userSyncInbound=allowed(True), groupSyncInbound=allowed(True))


# ---- overridden -----------------------------------------------------------------------------------

def test_overridden_deleted_items_lists_then_permanently_deletes_the_unlisted(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(t, displayName=name, deletedDateTime=DELETED_AT) for t, name in ((A, "A"), (B, "B"), (C, "C"))]})
    task = bulk("override", state="overridden", location="deleted_items",
                config=[{"tenant_id": A, "display_name": "A"}, {"tenant_id": D, "display_name": "D"}])
    (check, predicted, check_writes, dummy), (play, applied, applied_writes, dummy2), (dummy3, again, again_writes, dummy4) = \
        apply_three_times(collection, emu, connection, task, diff=True)
    expected = [{"tenant_id": D, "action": "create", "changed_properties": ["displayName"]},
                {"tenant_id": B, "action": "delete", "changed_properties": []},
                {"tenant_id": C, "action": "delete", "changed_properties": []}]
    # Check mode shows the list of what would go, and nothing goes.
    assert check.rc == 0 and check_writes == [] and predicted["changed_partners"] == expected
    assert sorted(predicted["diff"]["before"]) == sorted([A, B, C]) and sorted(predicted["diff"]["after"]) == sorted([A, D])
    shown = diff_lines(task_output(check.output, "override"))
    assert any(B in line and line.startswith("-") for line in shown), shown
    assert play.rc == 0, play.output
    assert applied["changed_partners"] == expected
    assert sorted(applied_writes) == sorted([("POST", deleted_path()), ("DELETE", deleted_path(B)), ("DELETE", deleted_path(C))])
    assert set(stored(emu, "deleted_items")) == {A, D}
    assert again["changed"] is False and again_writes == []


def test_overridden_live_soft_deletes_the_unlisted_policies(collection, emu, connection):
    # C has a partner configuration and no policy: nothing to delete there.
    emu.set_objects({"partner_policy": [beta(A, displayName="A"), beta(B, displayName="B")], "partners": [{"tenantId": C}]})
    emu.clear_requests()
    play = run_playbook(collection, [bulk("override", state="overridden", location="partner_policy",
                                          config=[{"tenant_id": A, "display_name": "A"}])], module_defaults=connection)
    result = play.result("override")
    assert play.rc == 0, play.output
    assert result["changed_partners"] == [{"tenant_id": B, "action": "delete", "changed_properties": [], "replaced_deleted_copy": {}}]
    # beta, where the copy in deleted items that a delete replaces can be read first.
    assert result["api_version"] == "beta"
    assert writes(emu) == [("DELETE", live_path("beta", B))]
    # The partners list with each partner's policy expanded, then the deleted-items copy of the policy to delete.
    reads = [(e["path"], e["query"]) for e in of_kind(emu.requests(), "graph_read")]
    assert [path for path, dummy in reads] == ["/beta/policies/crossTenantAccessPolicy/partners",
                                               "/beta/policies/deletedItems/crossTenantSyncPolicyPartners/" + B]
    assert "identitySynchronization" in str(reads[0][1]), reads
    assert set(stored(emu, "partner_policy")) == {A}
    # Graph keeps the deleted policy in deleted items, restorable; the partner configurations stay.
    assert set(stored(emu, "deleted_items")) == {B}
    assert {A, B, C} <= set(obj["tenantId"] for obj in emu.objects()["partners"])


# ---- deleted --------------------------------------------------------------------------------------

def test_deleted_listed_live_and_all_of_deleted_items(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(A), beta(B)], "partners": [{"tenantId": E}],
                     "deleted_items": [beta(C, deletedDateTime=DELETED_AT), beta(D, deletedDateTime=DELETED_AT)]})
    listed = bulk("delete listed", state="deleted", location="partner_policy", config=[{"tenant_id": A}, {"tenant_id": E}])
    runs = apply_three_times(collection, emu, connection, listed)
    (dummy, predicted, check_writes, dummy2), (play, applied, applied_writes, dummy3), (dummy4, again, again_writes, dummy5) = runs
    assert check_writes == [] and predicted["changed_partners"] == [{"tenant_id": A, "action": "delete", "changed_properties": [],
                                                                     "replaced_deleted_copy": {}}]
    assert play.rc == 0, play.output
    assert applied_writes == [("DELETE", live_path("beta", A))] and applied["after"] == []
    assert set(stored(emu, "partner_policy")) == {B}
    assert again["changed"] is False and again_writes == []

    emu.clear_requests()
    purge = run_playbook(collection, [bulk("purge", state="deleted", location="deleted_items")], module_defaults=connection)
    assert purge.rc == 0, purge.output
    assert sorted(p["tenant_id"] for p in purge.result("purge")["changed_partners"]) == sorted([A, C, D])
    assert sorted(writes(emu)) == sorted(("DELETE", deleted_path(t)) for t in (A, C, D))
    assert stored(emu, "deleted_items") == {} and set(stored(emu, "partner_policy")) == {B}


# ---- gathered -------------------------------------------------------------------------------------

def test_gathered_returns_config_and_feeding_it_back_changes_nothing(collection, emu, connection):
    emu.set_objects({
        "deleted_items": [beta(A, displayName="A", deletedDateTime=DELETED_AT, userSyncInbound=allowed(True),
                               externalCloudAuthorizedApplicationId="app"),
                          beta(B, deletedDateTime="2024-12-31T23:59:59Z", groupSyncInbound=allowed(False))],
        "partner_policy": [beta(C, displayName="C", userSyncInbound=allowed(False), groupSyncInbound=allowed(True)), beta(D)],
        "partners": [{"tenantId": E}],
    })
    tasks = [
        module_task("deleted items", MODULE, {"state": "gathered", "location": "deleted_items"}, register="deleted"),
        module_task("live v1.0", MODULE, {"state": "gathered", "location": "partner_policy", "api_version": "v1.0"},
                    register="live_v1"),
        module_task("live beta", MODULE, {"state": "gathered", "location": "partner_policy", "api_version": "beta"},
                    register="live_beta"),
    ]
    for state in ("merged", "replaced", "overridden"):
        tasks += [
            module_task("back %s deleted items" % state, MODULE,
                        {"state": state, "location": "deleted_items", "config": "{{ deleted.gathered }}"}),
            module_task("back %s live v1.0" % state, MODULE,
                        {"state": state, "location": "partner_policy", "config": "{{ live_v1.gathered }}"}),
            module_task("back %s live beta" % state, MODULE,
                        {"state": state, "location": "partner_policy", "config": "{{ live_beta.gathered }}"}),
        ]
    seeded = emu.objects()
    emu.clear_requests()
    play = run_playbook(collection, tasks, module_defaults=connection)
    assert play.rc == 0, play.output
    assert play.result("deleted items")["gathered"] == [
        {"tenant_id": A, "display_name": "A", "external_cloud_authorized_application_id": "app",
         "deleted_date_time": DELETED_AT, "user_sync_inbound": {"is_sync_allowed": True}},
        {"tenant_id": B, "deleted_date_time": "2024-12-31T23:59:59Z", "group_sync_inbound": {"is_sync_allowed": False}},
    ]
    assert play.result("live v1.0")["gathered"] == [
        {"tenant_id": C, "display_name": "C", "user_sync_inbound": {"is_sync_allowed": False}}, {"tenant_id": D}]
    assert play.result("live beta")["gathered"] == [
        {"tenant_id": C, "display_name": "C", "user_sync_inbound": {"is_sync_allowed": False},
         "group_sync_inbound": {"is_sync_allowed": True}}, {"tenant_id": D}]
    for name in ("deleted items", "live v1.0", "live beta"):
        assert play.result(name)["changed"] is False
    for entry in play.results:
        if entry["task"].startswith("back "):
            assert entry["status"] == "ok" and entry["result"]["changed"] is False, entry
    assert writes(emu) == []
    assert emu.objects() == seeded


def test_example_playbook_exports_a_vars_file_that_converges(collection, emu, connection, tmp_path):
    emu.set_objects({"partner_policy": [beta(C, displayName="C", userSyncInbound=allowed(True), groupSyncInbound=allowed(True))]})
    target = tmp_path / "partners.yml"
    play = run_playbook(collection, playbook=os.path.join(REPO, "examples", "export_partners.yml"),
                        extra_vars={"entra_graph_connection": connection, "location": "partner_policy", "vars_file": str(target)})
    assert play.rc == 0, play.output
    with open(str(target)) as handle:
        exported = yaml.safe_load(handle)
    assert exported == {"sync_partners_location": "partner_policy", "sync_partners": [
        {"tenant_id": C, "display_name": "C", "user_sync_inbound": {"is_sync_allowed": True},
         "group_sync_inbound": {"is_sync_allowed": True}}]}
    assert writes(emu) == []


# ---- concurrency ----------------------------------------------------------------------------------

def in_flight(entries):
    """The most Graph requests the emulator was serving at one moment, from each entry's end time and duration.
    Each interval is trimmed by 2 ms at both ends, so that the log's millisecond rounding cannot make one
    worker's back-to-back requests look like two at once."""
    events = []
    for entry in entries:
        end = datetime.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
        start = end - entry["duration_ms"] / 1000.0
        events += [(start + 0.002, 1), (end - 0.002, -1)]
    current = highest = 0
    for dummy, step in sorted(events, key=lambda event: (event[0], event[1])):
        current += step
        highest = max(highest, current)
    return highest


def test_requests_in_flight_never_exceed_max_concurrency(collection, emu, connection):
    partners = [tid("concurrency %d" % index) for index in range(12)]
    emu.set_objects({"partner_policy": [beta(t, userSyncInbound=allowed(False)) for t in partners]})
    emu.set_latency(150)
    seen = {}
    for limit in (3, 1):
        value = limit == 3
        emu.clear_requests()
        play = run_playbook(collection, [bulk("limit %d" % limit, location="partner_policy", max_concurrency=limit,
                                              config=[{"tenant_id": t, "user_sync_inbound": {"is_sync_allowed": value}} for t in partners])],
                            module_defaults=connection)
        assert play.rc == 0, play.output
        log = emu.requests()
        assert len(play.result("limit %d" % limit)["changed_partners"]) == 12
        assert len(of_kind(log, "graph_read")) == 12 and len(of_kind(log, "graph_write")) == 12
        # Signed in once, before the workers started.
        assert len(of_kind(log, "token")) == 1
        seen[limit] = in_flight(graph_requests(emu))
    # Bounded by max_concurrency, and with 24 requests of 150 ms each, the three workers did overlap.
    assert seen == {3: 3, 1: 1}


# ---- failures -------------------------------------------------------------------------------------

def test_a_failing_partner_does_not_hide_the_others(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(t, userSyncInbound=allowed(False)) for t in (A, B, C, D, E)]})
    emu.add_fault(method="PATCH", path=C + "/identitySynchronization", status=500)
    emu.add_fault(method="GET", path=D + "/identitySynchronization", status=403)
    emu.clear_requests()
    play = run_playbook(collection, [bulk("merge", location="partner_policy",
                                          config=[{"tenant_id": t, "user_sync_inbound": {"is_sync_allowed": True}} for t in (A, B, C, D, E)])],
                        module_defaults=connection)
    result = play.result("merge")
    assert play.status("merge") == "failed"
    # Changed, since three partners were written; the message names both failures and what was done.
    assert result["changed"] is True
    msg = result["msg"]
    assert msg.startswith("2 of 5 partners failed: "), msg
    assert "tenant_id %s (update): PATCH " % C in msg and "HTTP 500 generalException" in msg
    assert "tenant_id %s (read): GET " % D in msg and "HTTP 403 Authorization_RequestDenied" in msg
    assert msg.endswith("The other partners were done: updated 3 (see changed_partners)"), msg
    failed = dict((entry["tenant_id"], entry) for entry in result["failed_partners"])
    assert sorted(failed) == sorted([C, D])
    assert failed[C]["action"] == "update" and failed[C]["status"] == 500 and failed[C]["error_code"] == "generalException"
    assert failed[D]["action"] == "read" and failed[D]["status"] == 403
    logged = dict((entry["request_id"], entry) for entry in emu.requests())
    assert logged[failed[C]["request_id"]]["method"] == "PATCH"
    assert [p["tenant_id"] for p in result["changed_partners"]] == [A, B, E]
    objects = stored(emu, "partner_policy")
    assert [objects[t]["userSyncInbound"]["isSyncAllowed"] for t in (A, B, C, D, E)] == [True, True, False, False, True]
    # The partner whose write failed appears in after as it was read.
    assert by_tenant(result["after"])[C] == v1(C, userSyncInbound=allowed(False))


def test_deleted_items_cannot_be_changed_in_place_and_the_others_go_on(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A, displayName="A", deletedDateTime=DELETED_AT)]})
    play = run_playbook(collection, [bulk("merge", location="deleted_items", config=[{"tenant_id": A, "display_name": "A2"}, {"tenant_id": B}])],
                        module_defaults=connection)
    result = play.result("merge")
    assert play.status("merge") == "failed" and result["changed"] is True
    assert "1 of 2 partners failed: tenant_id %s (update): the sync policy of tenant %s in deleted items cannot be changed in place" % (A, A) \
        in result["msg"]
    assert result["changed_partners"] == [{"tenant_id": B, "action": "create", "changed_properties": []}]
    assert set(stored(emu, "deleted_items")) == {A, B}


def started(entry):
    return datetime.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() - entry["duration_ms"] / 1000.0


def test_a_429_holds_back_every_worker_for_its_retry_after(collection, emu, connection):
    partners = [tid("throttled %d" % index) for index in range(8)]
    emu.set_objects({"partner_policy": [beta(t, userSyncInbound=allowed(False)) for t in partners]})
    emu.add_fault(method="PATCH", path=partners[0], status=429, retry_after="2")
    emu.clear_requests()
    play = run_playbook(collection, [bulk("merge", location="partner_policy", max_concurrency=4,
                                          config=[{"tenant_id": t, "user_sync_inbound": {"is_sync_allowed": True}} for t in partners])],
                        module_defaults=connection)
    assert play.rc == 0, play.output
    assert len(play.result("merge")["changed_partners"]) == 8
    log = graph_requests(emu)
    throttled = [e for e in log if e["status"] == 429]
    assert len(throttled) == 1
    answered = datetime.datetime.strptime(throttled[0]["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
    later = [started(e) - answered for e in log if started(e) > answered + 0.2]
    # Every request sent after the 429 (beyond those already on their way) waited for its Retry-After,
    # whichever worker sent it; the throttled PATCH was sent again.
    assert later and min(later) >= 1.8, later
    assert [e["status"] for e in log if e["method"] == "PATCH" and partners[0] in e["path"]] == [429, 204]
    assert all(obj["userSyncInbound"] == allowed(True) for obj in stored(emu, "partner_policy").values())


def test_a_create_whose_answer_is_lost_is_read_back_not_sent_twice(collection, emu, connection):
    emu.add_fault(method="POST", path="crossTenantSyncPolicyPartners$", kind="drop", apply=True)
    emu.clear_requests()
    play = run_playbook(collection, [bulk("merge", location="deleted_items", config=[{"tenant_id": t, "display_name": "x"} for t in (A, B, C)])],
                        module_defaults=connection)
    assert play.rc == 0, play.output
    result = play.result("merge")
    assert sorted(p["tenant_id"] for p in result["changed_partners"]) == sorted([A, B, C])
    assert len([w for w in writes(emu) if w == ("POST", deleted_path())]) == 3
    assert set(stored(emu, "deleted_items")) == {A, B, C}


# ---- input errors ---------------------------------------------------------------------------------

def test_input_errors_fail_before_any_request_naming_the_item(collection, emu, connection):
    cases = {
        "bad guid": dict(location="deleted_items", config=[{"tenant_id": A}, {"tenant_id": "fabrikam"}]),
        "duplicate": dict(location="deleted_items", config=[{"tenant_id": A}, {"tenant_id": B}, {"tenant_id": A.upper()}]),
        "deleted with options": dict(state="deleted", location="deleted_items", config=[{"tenant_id": A, "display_name": "A"}]),
        "gathered with config": dict(state="gathered", location="deleted_items", config=[{"tenant_id": A}]),
        "overridden without config": dict(state="overridden", location="deleted_items"),
        "live with a deletion time": dict(location="partner_policy", config=[{"tenant_id": B, "deleted_date_time": DELETED_AT}]),
        "bad date": dict(location="deleted_items", config=[{"tenant_id": C, "deleted_date_time": "yesterday"}]),
        "v1.0 with a beta option": dict(location="partner_policy", api_version="v1.0",
                                        config=[{"tenant_id": A}, {"tenant_id": D, "group_sync_inbound": {"is_sync_allowed": True}}]),
        "v1.0 for deleted items": dict(location="deleted_items", api_version="v1.0", config=[]),
        "no concurrency": dict(location="deleted_items", max_concurrency=0, config=[]),
    }
    emu.clear_requests()
    play = run_playbook(collection, [module_task(name, MODULE, args, ignore_errors=True) for name, args in cases.items()],
                        module_defaults=connection)
    messages = dict((name, play.result(name)["msg"]) for name in cases)
    assert all(play.status(name) == "failed" for name in cases), messages
    assert "config[1].tenant_id must be a GUID" in messages["bad guid"] and "'fabrikam'" in messages["bad guid"]
    assert "config[2] (tenant_id %s): the same tenant_id as config[0]" % A in messages["duplicate"]
    assert "config[0] (tenant_id %s): state=deleted takes only tenant_id" % A in messages["deleted with options"]
    assert "remove display_name" in messages["deleted with options"]
    assert "state=gathered reads every partner and takes no config" in messages["gathered with config"]
    assert "state=overridden needs config" in messages["overridden without config"]
    assert "config[0] (tenant_id %s): deleted_date_time applies only to location=deleted_items" % B in messages["live with a deletion time"]
    assert "config[0] (tenant_id %s): deleted_date_time must be an ISO 8601" % C in messages["bad date"]
    assert "api_version=v1.0 cannot be used with option group_sync_inbound (config[1], tenant_id %s)" % D in messages["v1.0 with a beta option"]
    assert "location=deleted_items" in messages["v1.0 for deleted items"]
    assert "max_concurrency must be 1 or more" in messages["no concurrency"]
    # Not a single request: not even a sign-in.
    assert emu.requests() == []
