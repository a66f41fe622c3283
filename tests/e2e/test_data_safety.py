# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a hostile run meets, through real playbooks with the emulator's faults: a write that landed is
reported as a change whatever fails after it; a bulk task deletes only when every other write went through;
no state clears what the task could not read; races converge; check mode predicts what the real run meets."""

import uuid

import pytest

from harness import diff_lines, module_task, of_kind, run_playbook

SINGLE = "entra.graph.crosstenant_sync_partner"
BULK = "entra.graph.crosstenant_sync_partners"
ACCESS = "entra.graph.crosstenant_access_partner"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
PARTNERS = "/policies/crossTenantAccessPolicy/partners"


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/data-safety/" + name))


A, B, C = tid("A"), tid("B"), tid("C")


def beta(tenant_id, **props):
    obj = dict.fromkeys(("displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId", "userSyncInbound",
                         "groupSyncInbound", "roleEnabledGroupSyncInbound"))
    obj.update(props, tenantId=tenant_id)
    return obj


def allowed(value):
    return {"isSyncAllowed": value}


def stored(emu, location):
    return dict((obj["tenantId"], obj) for obj in emu.objects()[location])


def writes(emu):
    return [(entry["method"], entry["path"], entry["status"]) for entry in of_kind(emu.requests(), "graph_write")]


def task(name, module, **args):
    return module_task(name, module, args, ignore_errors=True)


def run_one(collection, connection, one, check=False, diff=False):
    play = run_playbook(collection, [one], module_defaults=connection, check=check, diff=diff)
    return play, play.result(one["name"])


# The three ways a create reaches Graph: the single sync module and the bulk one POST into deleted items,
# the partner configuration module POSTs to the partners. (task, the POST's path, the object's path, whether
# the task reads the object's path before it writes)
CREATES = {
    "sync policy": (lambda **extra: task("create", SINGLE, tenant_id=A, location="deleted_items", display_name="A", **extra),
                    DELETED + "$", DELETED + "/" + A + "$", True),
    "bulk": (lambda **extra: task("create", BULK, location="deleted_items", config=[{"tenant_id": A, "display_name": "A"}], **extra),
             DELETED + "$", DELETED + "/" + A + "$", False),
    "partner configuration": (lambda **extra: task("create", ACCESS, tenant_id=A, is_service_provider=True, **extra),
                              PARTNERS + "$", PARTNERS + "/" + A + "$", True),
}


def let_first_read_through(emu, path, read_first):
    # A zero-second delay is consumed by the first matching request, which is then answered as usual.
    if read_first:
        emu.add_fault(method="GET", path=path, kind="delay", seconds=0)


# ---- 1. a create that landed is reported as written ------------------------------------------------

@pytest.mark.parametrize("name", list(CREATES))
def test_a_create_answered_201_whose_read_back_fails_is_a_change(collection, emu, connection, name):
    make, post_path, item_path, read_first = CREATES[name]
    emu.add_fault(method="POST", path=post_path, status=201, body="", content_type="application/json", apply=True)
    let_first_read_through(emu, item_path, read_first)
    emu.add_fault(method="GET", path=item_path, status=500, count=5)
    play, result = run_one(collection, connection, make(max_retries=0))

    assert play.status("create") == "failed"
    assert result["changed"] is True, result
    assert "the create landed, but reading the object back failed" in result["msg"], result["msg"]
    assert "Nothing was written" not in result["msg"]


@pytest.mark.parametrize("name", list(CREATES))
def test_a_create_answered_504_whose_confirming_read_fails_may_have_landed(collection, emu, connection, name):
    make, post_path, item_path, read_first = CREATES[name]
    emu.add_fault(method="POST", path=post_path, status=504, apply=True)
    let_first_read_through(emu, item_path, read_first)
    emu.add_fault(method="GET", path=item_path, status=503, retry_after="0", count=5)
    play, result = run_one(collection, connection, make(max_retries=1))

    assert play.status("create") == "failed"
    assert result["changed"] is True, result
    assert "answered HTTP 504, so the write may have landed, and the read to confirm it failed" in result["msg"], result["msg"]


@pytest.mark.parametrize("name", list(CREATES))
def test_a_create_answered_504_then_409_while_reads_lag_may_have_landed(collection, emu, connection, name):
    make, post_path, item_path, read_first = CREATES[name]
    emu.add_fault(method="POST", path=post_path, status=504, apply=True)
    let_first_read_through(emu, item_path, read_first)
    # The object is not visible yet: the confirming read and the one after the resent POST's 409 find none.
    emu.add_fault(method="GET", path=item_path, status=404, count=2)
    play, result = run_one(collection, connection, make())

    assert play.status("create") == "failed"
    assert result["changed"] is True, result
    assert "409" in result["msg"] and "the create may have landed, but reading the object finds none yet" in result["msg"]


@pytest.mark.parametrize("name", list(CREATES))
def test_a_create_answered_504_then_409_is_the_tasks_own_create(collection, emu, connection, name):
    make, post_path, item_path, read_first = CREATES[name]
    emu.add_fault(method="POST", path=post_path, status=504, apply=True)
    let_first_read_through(emu, item_path, read_first)
    emu.add_fault(method="GET", path=item_path, status=404)
    play, result = run_one(collection, connection, make())

    assert play.status("create") == "changed", result
    assert [(method, status) for method, dummy, status in writes(emu)] == [("POST", 504), ("POST", 409)]


# ---- 2. the bulk module's location is required -----------------------------------------------------

def test_the_bulk_module_needs_its_location(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A, displayName="A")]})
    emu.clear_requests()
    play, result = run_one(collection, connection, task("override", BULK, state="overridden", config=[]))

    assert play.status("override") == "failed"
    assert "location" in result["msg"], result["msg"]
    assert emu.requests() == [] and set(stored(emu, "deleted_items")) == {A}


# ---- 3. a beta-only option of one partner clears nothing of the others ----------------------------

def test_an_export_is_complete_and_one_beta_only_option_clears_no_other_partner(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(A, displayName="A", groupSyncInbound=allowed(True)),
                                        beta(B, displayName="B", groupSyncInbound=allowed(True))],
                     "partners": [{"tenantId": A}, {"tenantId": B}]})
    play, gathered = run_one(collection, connection, task("gather", BULK, state="gathered", location="partner_policy"))
    assert play.status("gather") == "ok" and gathered["api_version"] == "beta"
    assert [item.get("group_sync_inbound") for item in gathered["gathered"]] == [{"is_sync_allowed": True}] * 2

    # An export read through v1.0 has no beta-only options; the operator then adds one to A only.
    config = [{"tenant_id": A, "display_name": "A", "role_enabled_group_sync_inbound": {"is_sync_allowed": True}},
              {"tenant_id": B, "display_name": "B"}]
    override = task("override", BULK, state="overridden", location="partner_policy", config=config)
    check, predicted = run_one(collection, connection, override, check=True)
    play, result = run_one(collection, connection, override)

    expected = [{"tenant_id": A, "action": "update", "changed_properties": ["groupSyncInbound", "roleEnabledGroupSyncInbound"]}]
    assert predicted["changed_partners"] == result["changed_partners"] == expected, result
    objects = stored(emu, "partner_policy")
    assert objects[B]["groupSyncInbound"] == allowed(True)
    assert objects[A]["groupSyncInbound"] is None and objects[A]["roleEnabledGroupSyncInbound"] == allowed(True)


# ---- 4. and 5. deletes run last, and only when every other write went through -----------------------

def test_overridden_deletes_nothing_while_a_listed_partner_fails(collection, emu, connection):
    typo = tid("typo")
    emu.set_objects({"partner_policy": [beta(A, displayName="A"), beta(B, displayName="B")],
                     "partners": [{"tenantId": A}, {"tenantId": B}]})
    play, result = run_one(collection, connection, task("override", BULK, state="overridden", location="partner_policy",
                                                        config=[{"tenant_id": A, "display_name": "A"},
                                                                {"tenant_id": typo, "display_name": "B"}]))

    assert play.status("override") == "failed"
    assert result["held_back_partners"] == [{"tenant_id": B, "action": "delete"}]
    assert "Held back" in result["msg"] and typo in result["msg"]
    assert result["changed"] is False and result["changed_partners"] == []
    assert set(stored(emu, "partner_policy")) == {A, B}
    assert [method for method, dummy, dummy2 in writes(emu)] == ["PUT"]


def test_check_mode_predicts_that_a_deleted_item_cannot_change_and_holds_back_deletes(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A, displayName="A"), beta(B, displayName="B")]})
    override = task("override", BULK, state="overridden", location="deleted_items", config=[{"tenant_id": A, "display_name": "A2"}])
    check, predicted = run_one(collection, connection, override, check=True)
    assert writes(emu) == []
    play, result = run_one(collection, connection, override)

    for outcome, run in ((predicted, check), (result, play)):
        assert run.status("override") == "failed"
        assert "cannot be changed in place" in outcome["msg"]
        assert outcome["held_back_partners"] == [{"tenant_id": B, "action": "delete"}]
    assert [method for method, dummy, dummy2 in writes(emu)] == ["PATCH"]
    assert set(stored(emu, "deleted_items")) == {A, B}


def test_check_mode_of_the_single_module_predicts_that_a_deleted_item_cannot_change(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A, displayName="A")]})
    change = task("change", SINGLE, tenant_id=A, location="deleted_items", display_name="A2")
    check, predicted = run_one(collection, connection, change, check=True)
    play, result = run_one(collection, connection, change)

    assert check.status("change") == play.status("change") == "failed"
    assert "cannot be changed in place" in predicted["msg"] and "cannot be changed in place" in result["msg"]


# ---- 6. a complex value whose members are all null is null ----------------------------------------

@pytest.mark.parametrize("location", ["partner_policy", "deleted_items"])
def test_gathered_then_overridden_is_a_no_op_over_a_value_of_nulls(collection, emu, connection, location):
    emu.set_objects({location: [beta(A, displayName="A", userSyncInbound=allowed(None))], "partners": [{"tenantId": A}]})
    tasks = [module_task("gather", BULK, {"state": "gathered", "location": location}, register="export"),
             module_task("back", BULK, {"state": "overridden", "location": location, "config": "{{ export.gathered }}"})]
    play = run_playbook(collection, tasks, module_defaults=connection)

    assert play.rc == 0, play.output
    assert play.result("back")["changed"] is False
    assert writes(emu) == []


# ---- 7. and 8. races converge --------------------------------------------------------------------

@pytest.mark.parametrize("location, path", [("deleted_items", DELETED + "/" + A),
                                            ("partner_policy", PARTNERS + "/" + A + "/identitySynchronization")])
def test_a_delete_answered_404_after_another_run_deleted_it_is_success(collection, emu, connection, location, path):
    emu.set_objects({location: [beta(A, displayName="A")], "partners": [{"tenantId": A}]})
    emu.add_fault(method="DELETE", path=path + "$", status=404, apply=True)
    tasks = [task("single", SINGLE, tenant_id=A, location=location, state="absent")]
    play = run_playbook(collection, tasks, module_defaults=connection)

    assert play.status("single") == "ok", play.result("single").get("msg")
    assert play.result("single")["changed"] is False


def test_a_bulk_delete_answered_404_is_success(collection, emu, connection):
    emu.set_objects({"deleted_items": [beta(A), beta(B)]})
    emu.add_fault(method="DELETE", path=DELETED + "/" + A + "$", status=404, apply=True)
    play, result = run_one(collection, connection, task("purge", BULK, state="deleted", location="deleted_items"))

    assert play.status("purge") == "changed", result.get("msg")
    assert result["changed_partners"] == [{"tenant_id": B, "action": "delete", "changed_properties": []}]


def test_a_deleted_item_created_by_another_run_first_converges(collection, emu, connection):
    # The other run's POST lands first: this one's is answered 409, and what is there is what it asks.
    emu.set_objects({"deleted_items": [beta(A, displayName="A", deletedDateTime="2025-01-02T03:04:05Z")]})
    emu.add_fault(method="GET", path=DELETED + "/" + A + "$", status=404)
    play, result = run_one(collection, connection, task("create", SINGLE, tenant_id=A, location="deleted_items", display_name="A"))

    assert play.status("create") == "ok", result.get("msg")
    assert result["changed"] is False and result["partner"]["displayName"] == "A"
    assert [(method, status) for method, dummy, status in writes(emu)] == [("POST", 409)]


def test_replaced_racing_a_create_converges_in_one_run(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(A, displayName="Theirs", userSyncInbound=allowed(True))], "partners": [{"tenantId": A}]})
    emu.add_fault(method="GET", path=PARTNERS + "/" + A + "/identitySynchronization$", status=404)
    play, result = run_one(collection, connection, task("replace", BULK, state="replaced", location="partner_policy",
                                                        config=[{"tenant_id": A, "user_sync_inbound": {"is_sync_allowed": False}}]))

    assert play.status("replace") == "changed", result.get("msg")
    assert result["changed_partners"] == [{"tenant_id": A, "action": "update", "changed_properties": ["displayName", "userSyncInbound"]}]
    assert stored(emu, "partner_policy")[A]["displayName"] is None
    assert stored(emu, "partner_policy")[A]["userSyncInbound"] == allowed(False)


# ---- 9. a failed export returns nothing to feed back ----------------------------------------------

@pytest.mark.parametrize("location, path", [("partner_policy", PARTNERS + "$"), ("deleted_items", DELETED + "$")])
def test_a_failed_gathered_returns_no_partial_export(collection, emu, connection, location, path):
    emu.set_objects({location: [beta(A, displayName="A"), beta(B, displayName="B")], "partners": [{"tenantId": A}, {"tenantId": B}]})
    emu.configure(page_size=1)
    # The first page is read; the second fails.
    emu.add_fault(method="GET", path=path, kind="delay", seconds=0)
    emu.add_fault(method="GET", path=path, status=500, count=5)
    play, result = run_one(collection, connection, task("gather", BULK, state="gathered", location=location, max_retries=0))

    assert play.status("gather") == "failed"
    assert not result.get("gathered"), result
    assert "HTTP 500" in result["msg"]


# ---- 14. alike failures are said once -------------------------------------------------------------

def test_partners_failing_alike_are_named_together(collection, emu, connection):
    partners = [tid("alike %d" % index) for index in range(6)]
    emu.set_objects({"partner_policy": [beta(t, displayName="x") for t in partners], "partners": [{"tenantId": t} for t in partners]})
    emu.add_fault(method="PATCH", path="/identitySynchronization$", status=500, count=6)
    play, result = run_one(collection, connection, task("merge", BULK, location="partner_policy",
                                                        config=[{"tenant_id": t, "display_name": "y"} for t in partners]))

    assert play.status("merge") == "failed"
    assert "(update, 6 alike)" in result["msg"], result["msg"]
    assert result["msg"].count("generalException") == 1
    assert len(result["failed_partners"]) == 6


# ---- 10. a soft delete says which older copy in deleted items it replaces --------------------------

def test_deleting_a_live_policy_reports_the_older_deleted_copy_it_replaces(collection, emu, connection):
    old = beta(A, displayName="Old", deletedDateTime="2025-01-02T03:04:05Z", userSyncInbound=allowed(False))
    emu.set_objects({"partner_policy": [beta(A, displayName="Live", userSyncInbound=allowed(True))],
                     "deleted_items": [old], "partners": [{"tenantId": A}]})
    delete = task("delete", SINGLE, tenant_id=A, location="partner_policy", state="absent")
    check, predicted = run_one(collection, connection, delete, check=True, diff=True)
    assert writes(emu) == []
    play, result = run_one(collection, connection, delete, diff=True)

    assert check.status("delete") == play.status("delete") == "changed", result.get("msg")
    # Only beta has deleted items: auto takes it for the whole task.
    assert predicted["api_version"] == result["api_version"] == "beta"
    assert predicted["replaced_deleted_copy"] == result["replaced_deleted_copy"] == dict(old, deletedDateTime="2025-01-02T03:04:05Z")
    assert predicted["diff"] == result["diff"]
    live, deleted = result["diff"]
    assert live["before"]["displayName"] == "Live" and live["after"] == {}
    assert deleted["before"]["displayName"] == "Old" and deleted["after"]["displayName"] == "Live"
    # The emulator's model: the older copy is gone, the deleted live policy took its place.
    assert stored(emu, "deleted_items")[A]["displayName"] == "Live" and stored(emu, "partner_policy") == {}
    reads = [entry["path"] for entry in of_kind(emu.requests(), "graph_read")]
    assert "/beta/policies/deletedItems/crossTenantSyncPolicyPartners/" + A in reads


@pytest.mark.parametrize("module, args", [(SINGLE, {"tenant_id": A, "state": "absent"}), (BULK, {"state": "deleted"})])
def test_an_explicit_v1_0_delete_of_a_live_policy_says_it_cannot_tell_what_it_replaces(collection, emu, connection, module, args):
    emu.set_objects({"partner_policy": [beta(A, displayName="Live")], "deleted_items": [beta(A, displayName="Old")],
                     "partners": [{"tenantId": A}]})
    delete = task("delete", module, location="partner_policy", api_version="v1.0", **args)
    check, predicted = run_one(collection, connection, delete, check=True)
    play, result = run_one(collection, connection, delete)

    assert check.status("delete") == play.status("delete") == "changed", result.get("msg")
    for outcome in (predicted, result):
        assert any("api_version=v1.0 has no deleted items" in warning for warning in outcome.get("warnings", [])), outcome
        replaced = outcome["replaced_deleted_copy"] if module == SINGLE else outcome["changed_partners"][0]["replaced_deleted_copy"]
        assert replaced is None
    assert all(entry["path"].startswith("/v1.0/") for entry in of_kind(emu.requests(), "graph_read", "graph_write"))


def test_deleting_a_live_policy_without_an_older_copy_replaces_nothing(collection, emu, connection):
    emu.set_objects({"partner_policy": [beta(A, displayName="Live")], "partners": [{"tenantId": A}]})
    delete = task("delete", SINGLE, tenant_id=A, location="partner_policy", state="absent")
    check, predicted = run_one(collection, connection, delete, check=True, diff=True)
    play, result = run_one(collection, connection, delete, diff=True)

    assert predicted["replaced_deleted_copy"] == result["replaced_deleted_copy"] == {}
    assert predicted["diff"] == result["diff"] and result["diff"]["after"] == {}


@pytest.mark.parametrize("state", ["overridden", "deleted"])
def test_bulk_deletes_of_live_policies_report_the_older_deleted_copies_they_replace(collection, emu, connection, state):
    old = beta(A, displayName="Old", deletedDateTime="2025-01-02T03:04:05Z")
    emu.set_objects({"partner_policy": [beta(A, displayName="Live A"), beta(B, displayName="Live B")],
                     "deleted_items": [old], "partners": [{"tenantId": A}, {"tenantId": B}]})
    purge = task("purge", BULK, state=state, location="partner_policy", **({"config": []} if state == "overridden" else {}))
    check, predicted = run_one(collection, connection, purge, check=True, diff=True)
    assert writes(emu) == []
    play, result = run_one(collection, connection, purge, diff=True)

    expected = [{"tenant_id": A, "action": "delete", "changed_properties": [], "replaced_deleted_copy": old},
                {"tenant_id": B, "action": "delete", "changed_properties": [], "replaced_deleted_copy": {}}]
    assert predicted["changed_partners"] == result["changed_partners"] == expected, result
    assert predicted["diff"] == result["diff"]
    assert result["diff"]["before"]["deleted_items " + A]["displayName"] == "Old"
    assert result["diff"]["after"]["deleted_items " + A]["displayName"] == "Live A"
    assert "deleted_items " + B not in result["diff"]["before"]
    assert {t: obj["displayName"] for t, obj in stored(emu, "deleted_items").items()} == {A: "Live A", B: "Live B"}


# ---- 13. members Graph returns that no option describes are not sent back --------------------------

UNKNOWN = {
    "sync policy": (lambda: task("change", SINGLE, tenant_id=A, location="partner_policy", user_sync_inbound={"is_sync_allowed": False}),
                    "partner_policy", "userSyncInbound", {"isSyncAllowed": False}),
    "bulk": (lambda: task("change", BULK, location="partner_policy", config=[{"tenant_id": A, "user_sync_inbound": {"is_sync_allowed": False}}]),
             "partner_policy", "userSyncInbound", {"isSyncAllowed": False}),
    "partner configuration": (lambda: task("change", ACCESS, tenant_id=A, inbound_trust={"is_mfa_accepted": True}),
                              "partners", "inboundTrust", {"isMfaAccepted": True}),
}


@pytest.mark.parametrize("name", list(UNKNOWN))
def test_a_member_no_option_describes_is_left_out_of_the_patch_and_named(collection, emu, connection, name):
    make, location, prop, wanted = UNKNOWN[name]
    seeded = {"isSyncAllowed": True} if prop == "userSyncInbound" else {"isMfaAccepted": False}
    seeded["someNewMember"] = 1
    objects = {"partners": [{"tenantId": A}]}
    if location == "partner_policy":
        objects["partner_policy"] = [beta(A, displayName="A", userSyncInbound=seeded)]
    else:
        objects["partners"] = [{"tenantId": A, "inboundTrust": seeded}]
    emu.set_objects(objects)
    check, predicted = run_one(collection, connection, make(), check=True)
    play, result = run_one(collection, connection, make())

    assert check.status("change") == play.status("change") == "changed", result.get("msg")
    for outcome in (predicted, result):
        assert any(prop + ".someNewMember" in warning and "leaves out" in warning for warning in outcome.get("warnings", [])), outcome
    assert [(method, status) for method, dummy, status in writes(emu)] == [("PATCH", 204)]
    # Graph refuses the member in a write; left out of the PATCH, it is kept (OData's member-by-member merge).
    held = stored(emu, location)[A][prop]
    assert dict((key, value) for key, value in held.items() if value is not None) == dict(seeded, **wanted)


# ---- 14. what a forced delete, an empty setting and a target string say ---------------------------

def test_diff_of_a_forced_partner_delete_shows_the_sync_policy_going_too(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A}], "partner_policy": [beta(A, displayName="A", userSyncInbound=allowed(True))]})
    delete = task("delete", ACCESS, tenant_id=A, state="absent", force=True)
    check, predicted = run_one(collection, connection, delete, check=True, diff=True)
    play, result = run_one(collection, connection, delete, diff=True)

    assert check.status("delete") == play.status("delete") == "changed", result.get("msg")
    assert predicted["diff"] == result["diff"] and result["diff"]["after"] == {}
    assert result["diff"]["before"]["identitySynchronization"] == result["deleted_sync_policy"]
    assert result["deleted_sync_policy"]["displayName"] == "A"
    assert [line for line in diff_lines(play.output) if "identitySynchronization" in line]


@pytest.mark.parametrize("module, extra", [(ACCESS, {"tenant_id": A}),
                                           ("entra.graph.crosstenant_access_default", {})])
def test_an_empty_inbound_trust_is_refused_naming_the_option(collection, emu, connection, module, extra):
    emu.set_objects({"partners": [{"tenantId": A, "inboundTrust": {"isMfaAccepted": True}}]})
    emu.clear_requests()
    empty = task("empty", module, inbound_trust={}, **extra)
    check, predicted = run_one(collection, connection, empty, check=True)
    play, result = run_one(collection, connection, empty)

    for outcome, run in ((predicted, check), (result, play)):
        assert run.status("empty") == "failed"
        assert outcome["msg"].startswith("inbound_trust sets none of its members"), outcome["msg"]
        assert "is_mfa_accepted" in outcome["msg"]
    assert writes(emu) == []


def test_an_empty_setting_in_a_bulk_item_is_refused_naming_the_item(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A}]})
    emu.clear_requests()
    play, result = run_one(collection, connection, task("empty", "entra.graph.crosstenant_access_partners",
                                                        config=[{"tenant_id": A, "inbound_trust": {}}]))

    assert play.status("empty") == "failed"
    assert "config[0] (tenant_id %s): inbound_trust sets none of its members" % A in result["msg"], result["msg"]
    assert emu.requests() == []


TARGETS_AS_STRING = {"b2b_collaboration_inbound": {"users_and_groups": {"access_type": "allowed", "targets": "AllUsers"}}}


@pytest.mark.parametrize("module, args, path", [
    (ACCESS, dict(TARGETS_AS_STRING, tenant_id=A), "b2b_collaboration_inbound.users_and_groups.targets"),
    ("entra.graph.crosstenant_access_default", TARGETS_AS_STRING, "b2b_collaboration_inbound.users_and_groups.targets"),
    ("entra.graph.crosstenant_access_partners", {"config": [{"tenant_id": A}, dict(TARGETS_AS_STRING, tenant_id=B)]},
     "config[1].b2b_collaboration_inbound.users_and_groups.targets"),
])
def test_targets_given_as_a_string_are_refused_naming_the_option(collection, emu, connection, module, args, path):
    emu.set_objects({"partners": [{"tenantId": A}, {"tenantId": B}]})
    emu.clear_requests()
    given = task("targets", module, **args)
    check, predicted = run_one(collection, connection, given, check=True)
    play, result = run_one(collection, connection, given)

    for outcome, run in ((predicted, check), (result, play)):
        assert run.status("targets") == "failed"
        assert outcome["msg"].startswith("%s is the string 'AllUsers'; it takes a list of dicts with the sub-options target, "
                                         "target_type" % path), outcome["msg"]
    assert emu.requests() == []
