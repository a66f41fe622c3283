# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""entra.graph.crosstenant_access_partners through real playbooks: merged creates and converges, replaced clears
what an item leaves out, overridden deletes the unlisted partners but never the signed-in tenant's, deleted with and
without force (a partner's sync policy goes first), gathered fed back in changes nothing, and check mode writes
nothing."""

import uuid

from harness import module_task, of_kind, run_playbook

MODULE = "entra.graph.crosstenant_access_partners"
PARTNERS = "/v1.0/policies/crossTenantAccessPolicy/partners"


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/access-partners/" + name))


A, B, C, D = (tid(name) for name in "ABCD")


def consent(inbound=None, outbound=None):
    return {"inboundAllowed": inbound, "outboundAllowed": outbound}


def stored(emu):
    return dict((obj["tenantId"], obj) for obj in emu.objects()["partners"])


def writes(emu):
    return [(entry["method"], entry["path"]) for entry in of_kind(emu.requests(), "graph_write")]


def reads(emu):
    return [entry["path"] for entry in of_kind(emu.requests(), "graph_read")]


def bulk(name, **args):
    return module_task(name, MODULE, args, register="result", ignore_errors=True)


def run(collection, emu, connection, task, check=False, diff=False):
    emu.clear_requests()
    play = run_playbook(collection, [task], module_defaults=connection, check=check, diff=diff)
    return play, play.result(task["name"]), writes(emu)


def test_merged_creates_and_updates_then_converges_and_check_mode_writes_nothing(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A, "automaticUserConsentSettings": consent(False)}, {"tenantId": D}]})
    task = bulk("merge", config=[
        {"tenant_id": A, "automatic_user_consent_settings": {"inbound_allowed": True}},
        {"tenant_id": B.upper(), "inbound_trust": {"is_mfa_accepted": True}},
    ])
    before = emu.objects()
    check, predicted, check_writes = run(collection, emu, connection, task, check=True, diff=True)
    assert check.rc == 0, check.output
    assert check_writes == [] and emu.objects() == before
    expected = [{"tenant_id": A, "action": "update", "changed_properties": ["automaticUserConsentSettings"]},
                {"tenant_id": B, "action": "create", "changed_properties": ["inboundTrust"]}]
    assert predicted["changed"] is True and predicted["changed_partners"] == expected

    play, applied, applied_writes = run(collection, emu, connection, task)
    assert play.rc == 0, play.output
    assert applied["changed_partners"] == expected
    assert sorted(applied_writes) == sorted([("PATCH", "%s/%s" % (PARTNERS, A)), ("POST", PARTNERS)])
    # The partners are read in one list, not one GET each; D, not listed, is untouched.
    assert reads(emu) == [PARTNERS]
    objects = stored(emu)
    assert objects[A]["automaticUserConsentSettings"] == consent(True)
    assert objects[B]["inboundTrust"]["isMfaAccepted"] is True
    assert set(objects) == {A, B, D}
    # What check mode predicted is what the real run returned.
    assert predicted["after"] == applied["after"]

    again, converged, again_writes = run(collection, emu, connection, task)
    assert again.rc == 0, again.output
    assert converged["changed"] is False and converged["changed_partners"] == [] and again_writes == []


def test_replaced_clears_the_settings_an_item_leaves_out(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A, "isServiceProvider": True, "automaticUserConsentSettings": consent(True),
                                   "inboundTrust": {"isMfaAccepted": True}}]})
    task = bulk("replace", state="replaced", config=[{"tenant_id": A, "automatic_user_consent_settings": {"inbound_allowed": True}}])
    play, result, done = run(collection, emu, connection, task)
    assert play.rc == 0, play.output
    assert result["changed_partners"] == [{"tenant_id": A, "action": "update", "changed_properties": ["inboundTrust", "isServiceProvider"]}]
    obj = stored(emu)[A]
    assert obj["isServiceProvider"] is None and obj["automaticUserConsentSettings"]["inboundAllowed"] is True
    assert not any(obj["inboundTrust"].values()) if isinstance(obj["inboundTrust"], dict) else obj["inboundTrust"] is None
    again, converged, again_writes = run(collection, emu, connection, task)
    assert converged["changed"] is False and again_writes == [], again.output


def test_overridden_deletes_the_unlisted_partners_but_keeps_the_signed_in_tenant(collection, emu, connection):
    home = emu.info["tenant"].lower()
    emu.set_objects({"partners": [{"tenantId": A}, {"tenantId": B}, {"tenantId": home}],
                     "partner_policy": [{"tenantId": B, "displayName": "B"}]})
    task = bulk("override", state="overridden", force=True, config=[{"tenant_id": A}, {"tenant_id": C}])
    check, predicted, check_writes = run(collection, emu, connection, task, check=True)
    assert check_writes == [], check.output
    assert [(p["tenant_id"], p["action"]) for p in predicted["changed_partners"]] == [(C, "create"), (B, "delete")]

    play, result, done = run(collection, emu, connection, task)
    assert play.rc == 0, play.output
    assert result["kept_partners"] == [{"tenant_id": home, "reason": "the tenant this task signed in to"}]
    assert "keeps the partner configuration of tenant %s although config does not list it" % home in play.output
    deleted = [p for p in result["changed_partners"] if p["action"] == "delete"]
    assert [p["tenant_id"] for p in deleted] == [B] and deleted[0]["deleted_sync_policy"]["tenantId"] == B
    # The sync policy goes before its partner configuration, and both after the create.
    assert done == [("POST", PARTNERS), ("DELETE", "%s/%s/identitySynchronization" % (PARTNERS, B)), ("DELETE", "%s/%s" % (PARTNERS, B))]
    # One paged read found the partners and their sync policies.
    assert reads(emu) == [PARTNERS]
    assert set(stored(emu)) == {A, C, home}
    assert emu.objects()["partner_policy"] == []


def test_deleted_without_force_fails_naming_force_and_deletes_nothing(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A}, {"tenantId": B}], "partner_policy": [{"tenantId": B, "displayName": "B"}]})
    before = emu.objects()
    task = bulk("delete", state="deleted", config=[{"tenant_id": A}, {"tenant_id": B}])
    play, result, done = run(collection, emu, connection, task)
    assert play.status("delete") == "failed"
    assert result["changed"] is False and done == []
    assert result["failed_partners"][0]["tenant_id"] == B
    assert "or set force=true to delete both" in result["msg"]
    assert result["held_back_partners"] == [{"tenant_id": A, "action": "delete"}]
    assert emu.objects() == before


def test_deleted_with_force_deletes_the_sync_policy_first(collection, emu, connection):
    emu.set_objects({"partners": [{"tenantId": A}, {"tenantId": B}], "partner_policy": [{"tenantId": B, "displayName": "B"}]})
    task = bulk("delete", state="deleted", force=True, config=[{"tenant_id": A}, {"tenant_id": B}, {"tenant_id": C}])
    play, result, done = run(collection, emu, connection, task)
    assert play.rc == 0, play.output
    assert [(p["tenant_id"], p["action"]) for p in result["changed_partners"]] == [(A, "delete"), (B, "delete")]
    assert done.index(("DELETE", "%s/%s/identitySynchronization" % (PARTNERS, B))) < done.index(("DELETE", "%s/%s" % (PARTNERS, B)))
    assert stored(emu) == {} and emu.objects()["partner_policy"] == []
    again, converged, again_writes = run(collection, emu, connection, task)
    assert converged["changed"] is False and again_writes == [], again.output


def test_gathered_fed_back_to_overridden_changes_nothing(collection, emu, connection):
    emu.set_objects({"partners": [
        {"tenantId": A, "automaticUserConsentSettings": consent(True, False), "inboundTrust": {"isMfaAccepted": True}},
        {"tenantId": B, "isServiceProvider": True, "b2bCollaborationInbound": {
            "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}}},
    ]})
    play, gathered, done = run(collection, emu, connection, bulk("gather", state="gathered"))
    assert play.rc == 0 and done == [], play.output
    by_tenant = dict((item["tenant_id"], item) for item in gathered["gathered"])
    assert by_tenant[A]["automatic_user_consent_settings"] == {"inbound_allowed": True, "outbound_allowed": False}
    assert by_tenant[B]["b2b_collaboration_inbound"]["users_and_groups"]["targets"] == [{"target": "AllUsers", "target_type": "user"}]
    play, result, done = run(collection, emu, connection, bulk("override", state="overridden", config=gathered["gathered"]))
    assert play.rc == 0, play.output
    assert result["changed"] is False and done == []


def test_force_with_merged_fails_before_any_request(collection, emu, connection):
    task = bulk("merge", force=True, config=[{"tenant_id": A}])
    play, result, done = run(collection, emu, connection, task)
    assert play.status("merge") == "failed"
    assert "force applies only to state=deleted and state=overridden" in result["msg"]
    assert of_kind(emu.requests(), "graph_read", "graph_write") == []
