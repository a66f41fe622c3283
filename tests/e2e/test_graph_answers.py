# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules against Graph as it really answers, through real playbooks: properties they do not manage
(ignored, never sent back, shown as Graph returned them), paged reads with query options, both sides of
each contested rule, throttling under load, and targets checked before any request."""

import collections
import uuid

import pytest

from harness import module_task, of_kind, run_playbook
from test_emulator_graph_answers import ANSWER_EXTRAS, BETA_ANSWER_EXTRAS, DELEGATED, METADATA_EXTRAS

ACCESS = "entra.graph.crosstenant_access_partner"
ACCESS_INFO = "entra.graph.crosstenant_access_partner_info"
SYNC = "entra.graph.crosstenant_sync_partner"
SYNC_INFO = "entra.graph.crosstenant_sync_partner_info"
BULK = "entra.graph.crosstenant_sync_partners"
PARTNERS_V1 = "/v1.0/policies/crossTenantAccessPolicy/partners"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
# A property Graph may add to the sync policy tomorrow: no module knows it.
FUTURE = {"futureSyncSetting": {"isSyncAllowed": True, "scope": ["users"]}}
NO_APP_PERMISSION = "Graph documents no application permission for deleted items"


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/graph-answers/" + name))


def task(name, module, args, **keywords):
    return module_task(name, module, args, register=name.replace(" ", "_"), ignore_errors=True, **keywords)


def writes(emu):
    return [(e["method"], e["path"], e["status"], e["properties"]) for e in of_kind(emu.requests(), "graph_write")]


def delegated_connection(emu, connection):
    """A user's token passed as it is: what a task does where Graph takes no app-only token."""
    return dict(auth_method="access_token", access_token=emu.issue_token(scopes=DELEGATED),
                graph_endpoint=connection["graph_endpoint"], ca_path=connection["ca_path"])


# ---- properties no module manages ---------------------------------------------------------------

def test_access_modules_ignore_what_they_do_not_manage(collection, emu, connection):
    partner = tid("access extras")
    extras = dict(METADATA_EXTRAS, **dict(ANSWER_EXTRAS, **BETA_ANSWER_EXTRAS))
    emu.set_objects({"partners": [dict(extras, tenantId=partner)]})
    emu.clear_requests()
    run = run_playbook(collection, [
        task("update", ACCESS, {"tenant_id": partner, "is_service_provider": True}),
        task("again", ACCESS, {"tenant_id": partner, "is_service_provider": True}),
        task("again on beta", ACCESS, {"tenant_id": partner, "is_service_provider": True, "api_version": "beta"}),
        task("info", ACCESS_INFO, {"tenant_id": partner}),
        task("info beta", ACCESS_INFO, {"tenant_id": partner, "api_version": "beta"}),
    ], module_defaults=connection)

    assert run.rc == 0, run.output
    assert [run.status(name) for name in ("update", "again", "again on beta")] == ["changed", "ok", "ok"]
    # Only what the task manages is written.
    assert writes(emu) == [("PATCH", "%s/%s" % (PARTNERS_V1, partner), 204, ["isServiceProvider"])]
    v1_extras = dict(METADATA_EXTRAS, **ANSWER_EXTRAS)
    for name in ("update", "again"):
        shown = run.result(name)["partner"]
        assert {k: shown[k] for k in v1_extras} == v1_extras and shown["isServiceProvider"] is True
    beta = run.result("again on beta")["partner"]
    assert {k: beta[k] for k in extras} == extras
    [listed] = run.result("info")["partners"]
    assert {k: listed[k] for k in v1_extras} == v1_extras
    [listed] = run.result("info beta")["partners"]
    assert {k: listed[k] for k in extras} == extras
    [held] = emu.objects()["partners"]
    assert {k: held[k] for k in extras} == extras


def test_sync_modules_ignore_what_they_do_not_manage(collection, emu, connection):
    live, deleted = tid("sync extras live"), tid("sync extras deleted")
    emu.set_objects({"partners": [dict(METADATA_EXTRAS, tenantId=live, **ANSWER_EXTRAS)],
                     "partner_policy": [{"tenantId": live, "displayName": "Before", "userSyncInbound": {"isSyncAllowed": True}}],
                     "deleted_items": [{"tenantId": deleted, "displayName": "Gone", "deletedDateTime": "2025-01-02T03:04:05Z"}]})
    # Every read of either object carries a property no module knows, as a newer Graph may.
    emu.add_fault(method="GET", path="%s/identitySynchronization$" % live, status=200, body_update=FUTURE, count=100)
    emu.add_fault(method="GET", path="crossTenantSyncPolicyPartners/%s$" % deleted, status=200, body_update=FUTURE, count=100)
    emu.clear_requests()
    policy = {"tenant_id": live, "location": "partner_policy"}
    run = run_playbook(collection, [
        task("rename", SYNC, dict(policy, display_name="After")),
        task("rename again", SYNC, dict(policy, display_name="After")),
        task("deleted item", SYNC, {"tenant_id": deleted, "display_name": "Gone"}),
        task("info", SYNC_INFO, dict(policy)),
        task("bulk", BULK, {"location": "partner_policy",
                            "config": [{"tenant_id": live, "display_name": "After", "user_sync_inbound": {"is_sync_allowed": True}}]}),
        task("bulk deleted items", BULK, {"location": "deleted_items", "state": "merged",
                                          "config": [{"tenant_id": deleted, "display_name": "Gone"}]}),
    ], module_defaults=connection)

    assert run.rc == 0, run.output
    assert [run.status(n) for n in ("rename", "rename again", "deleted item", "bulk", "bulk deleted items")] == [
        "changed", "ok", "ok", "ok", "ok"]
    assert writes(emu) == [("PATCH", "%s/%s/identitySynchronization" % (PARTNERS_V1, live), 204, ["displayName"])]
    for name in ("rename", "rename again"):
        assert run.result(name)["partner"]["futureSyncSetting"] == FUTURE["futureSyncSetting"]
    assert run.result("deleted item")["partner"]["futureSyncSetting"] == FUTURE["futureSyncSetting"]
    [listed] = run.result("info")["partners"]
    assert listed["futureSyncSetting"] == FUTURE["futureSyncSetting"] and listed["displayName"] == "After"
    assert run.result("bulk")["changed_partners"] == []


# ---- query options ------------------------------------------------------------------------------

def test_bulk_reads_every_policy_in_pages_with_the_documented_query_options(collection, emu, connection):
    partners = sorted(tid("paged %d" % n) for n in range(17))
    emu.set_objects({"partner_policy": [{"tenantId": t, "displayName": "P", "userSyncInbound": {"isSyncAllowed": True}} for t in partners]})
    emu.configure(page_size=5)
    emu.clear_requests()
    config = [{"tenant_id": t, "display_name": "P", "user_sync_inbound": {"is_sync_allowed": True}} for t in partners]
    run = run_playbook(collection, [
        task("merged", BULK, {"location": "partner_policy", "config": config}),
        task("gathered", BULK, {"location": "partner_policy", "state": "gathered", "api_version": "beta"}),
        task("info", ACCESS_INFO, {}),
    ], module_defaults=connection)

    assert run.rc == 0, run.output
    assert run.result("merged")["changed"] is False
    assert sorted(item["tenant_id"] for item in run.result("gathered")["gathered"]) == partners
    assert sorted(p["tenantId"] for p in run.result("info")["partners"]) == partners
    lists = [e for e in emu.requests("graph_read") if e["path"].endswith("/partners")]
    expanded = [e for e in lists if "$expand=identitySynchronization" in e["query"]]
    # 17 partners, 5 a page: four pages per list, the later ones through Graph's $skiptoken.
    assert len(expanded) >= 4 and all("$select=tenantId" in e["query"] for e in expanded)
    assert sum("$skiptoken=" in e["query"] for e in expanded) >= 3
    assert all(e["status"] == 200 for e in emu.requests())
    assert writes(emu) == []


# ---- the contested rules, both sides ---------------------------------------------------------------

@pytest.mark.parametrize("side", ["allowed", "forbidden"])
def test_deleted_items_with_an_app_only_sign_in(collection, emu, connection, side):
    gone, partner = tid("app-only deleted item"), tid("app-only deleted partner")
    emu.set_objects({"deleted_items": [{"tenantId": gone, "displayName": "Gone"}], "deleted_partners": [{"tenantId": partner}]})
    emu.configure(deleted_items_app_only=side)
    tasks = [task("sync policy", SYNC, {"tenant_id": gone, "display_name": "Gone"}),
             task("info", SYNC_INFO, {"tenant_id": gone}),
             task("restore partner", ACCESS, {"tenant_id": partner, "state": "restored"})]
    run = run_playbook(collection, tasks, module_defaults=connection)
    if side == "allowed":
        assert run.rc == 0, run.output
        assert run.status("restore partner") == "changed"
        return
    for name in ("sync policy", "info", "restore partner"):
        assert run.status(name) == "failed"
        msg = run.result(name)["msg"]
        for needed in ("HTTP 403", "Authorization_RequestDenied", NO_APP_PERMISSION, "auth_method=access_token",
                       "location=partner_policy", "request-id"):
            assert needed in msg, msg
    # What the message says to do instead works: a user's delegated sign-in.
    run = run_playbook(collection, tasks, module_defaults=delegated_connection(emu, connection))
    assert run.rc == 0, run.output
    assert [run.status(n) for n in ("sync policy", "info", "restore partner")] == ["ok", "ok", "changed"]


@pytest.mark.parametrize("side", ["all", "cp1"])
def test_a_revoked_token_passed_as_it_is(collection, emu, connection, side):
    """A token without the cp1 capability (the modules declare none): refused after a revocation when every
    client is, taken until it expires when only cp1 clients are."""
    emu.configure(revocation=side)
    given = dict(auth_method="access_token", access_token=emu.issue_token(), graph_endpoint=connection["graph_endpoint"],
                 ca_path=connection["ca_path"])
    emu.revoke_tokens()
    run = run_playbook(collection, [task("read", ACCESS_INFO, {})], module_defaults=given)
    if side == "cp1":
        assert run.status("read") == "ok", run.result("read").get("msg")
    else:
        assert run.status("read") == "failed"
        msg = run.result("read")["msg"]
        assert "HTTP 401" in msg and "InvalidAuthenticationToken" in msg and "request-id" in msg, msg


@pytest.mark.parametrize("side", ["conflict", "update"])
def test_a_create_racing_another_writer_under_each_put_rule(collection, emu, connection, side):
    """Another writer creates the policy between the module's read and its PUT."""
    partner = tid("race %s" % side)
    theirs = {"tenantId": partner, "displayName": "Theirs", "userSyncInbound": {"isSyncAllowed": False},
              "groupSyncInbound": {"isSyncAllowed": True}}
    emu.set_objects({"partners": [{"tenantId": partner}], "partner_policy": [theirs]})
    emu.configure(put_over_existing=side)
    emu.add_fault(method="GET", path="/partners/%s/identitySynchronization$" % partner, count=1, status=404)
    emu.clear_requests()
    run = run_playbook(collection, [task("ours", SYNC, {"tenant_id": partner, "location": "partner_policy", "display_name": "Ours",
                                                        "user_sync_inbound": {"is_sync_allowed": True}})],
                       module_defaults=connection)

    assert run.status("ours") == "changed", run.result("ours").get("msg")
    [held] = emu.objects()["partner_policy"]
    assert (held["displayName"], held["userSyncInbound"]) == ("Ours", {"isSyncAllowed": True})
    methods = [(w[0], w[2]) for w in writes(emu)]
    if side == "conflict":
        # The documented 409, then a PATCH of what still differs: what the task did not name stays.
        assert methods == [("PUT", 409), ("PATCH", 204)] and held["groupSyncInbound"] == {"isSyncAllowed": True}
    else:
        # PUT as the metadata's UpdateMethod: it replaced the policy.
        assert methods == [("PUT", 204)] and held["groupSyncInbound"] is None


# ---- throttling under load ----------------------------------------------------------------------

def test_bulk_converges_under_throttling_without_a_duplicate_write(collection, emu, connection):
    partners = sorted(tid("throttled %d" % n) for n in range(6))
    emu.set_objects({"partners": [{"tenantId": t} for t in partners]})
    # The identity and access limits scaled down to a 10-unit bucket: 6 reads and 6 creates go over it.
    emu.configure(throttle="on", throttle_scale=10 / 3500.0)
    emu.clear_requests()
    config = [{"tenant_id": t, "display_name": "Synced", "user_sync_inbound": {"is_sync_allowed": True}} for t in partners]
    merged = task("merged", BULK, {"location": "partner_policy", "config": config, "max_concurrency": 4, "max_retries": 8})
    run = run_playbook(collection, [merged], module_defaults=connection)

    assert run.rc == 0, run.output
    assert sorted(p["tenant_id"] for p in run.result("merged")["changed_partners"]) == partners
    log = of_kind(emu.requests(), "graph_read", "graph_write")
    assert any(e["status"] == 429 and e["fault"] == "throttle" for e in log), log
    done = collections.Counter(e["path"] for e in log if e["method"] == "PUT" and e["status"] == 204)
    assert sorted(done) == sorted("%s/%s/identitySynchronization" % (PARTNERS_V1, t) for t in partners)
    assert set(done.values()) == {1}
    assert all(e["status"] in (200, 204, 404, 429) for e in log), log
    assert len(emu.objects()["partner_policy"]) == 6


# ---- targets ---------------------------------------------------------------------------------------

def test_targets_are_checked_before_any_request(collection, emu, connection):
    partner = tid("targets")
    emu.clear_requests()
    bad = {"users_and_groups": {"access_type": "allowed", "targets": [{"target": "NotARealTarget", "target_type": "user"}]}}
    mismatched = {"applications": {"access_type": "allowed", "targets": [{"target": "AllUsers", "target_type": "application"}]}}
    run = run_playbook(collection, [
        task("bad", ACCESS, {"tenant_id": partner, "b2b_collaboration_inbound": bad}),
        task("mismatched", ACCESS, {"tenant_id": partner, "tenant_restrictions": mismatched}),
    ], module_defaults=connection)
    assert run.status("bad") == "failed" and run.status("mismatched") == "failed"
    msg = run.result("bad")["msg"]
    assert "b2b_collaboration_inbound.users_and_groups.targets[0].target" in msg and "'NotARealTarget'" in msg, msg
    assert "AllUsers" in msg and "GUID" in msg, msg
    msg = run.result("mismatched")["msg"]
    assert "tenant_restrictions.applications.targets[0].target" in msg and "'AllUsers'" in msg and "Office365" in msg, msg
    assert emu.requests() == []

    documented = {"users_and_groups": {"access_type": "allowed", "targets": [{"target": "AllUsers", "target_type": "user"}]},
                  "applications": {"access_type": "allowed", "targets": [{"target": "AllMicrosoftApps", "target_type": "application"},
                                                                         {"target": "Office365", "target_type": "application"}]}}
    run = run_playbook(collection, [task("documented", ACCESS, {"tenant_id": partner, "b2b_direct_connect_outbound": documented}),
                                    task("documented again", ACCESS, {"tenant_id": partner, "b2b_direct_connect_outbound": documented})],
                       module_defaults=connection)
    assert [run.status("documented"), run.status("documented again")] == ["changed", "ok"], run.output
