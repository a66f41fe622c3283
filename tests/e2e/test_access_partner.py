# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_partner and its info module through real playbooks against the emulator.

The table of ``present`` rows (create, one sub-option of a nested setting, no change) runs three
times on one seeded store: ``--check --diff``, ``--diff``, and once more. What a PATCH sent cannot be
read from the request log, so the tests read the server's objects through the emulator's control API:
a nested setting changed by one sub-option keeps its other sub-values there, and the B2B settings
arrive in Graph's casing (the emulator, like Graph, refuses ``b2BCollaborationInbound`` with a 400)."""

import collections
import copy
import json
import uuid

import pytest

from harness import diff_lines, module_task, of_kind, run_playbook, task_output

MODULE = "entra.graph.crosstenant_access_partner"
INFO = "entra.graph.crosstenant_access_partner_info"
SYNC = "entra.graph.crosstenant_sync_partner"
PARTNERS = "/v1.0/policies/crossTenantAccessPolicy/partners"
DELETED_PARTNERS = "/beta/policies/deletedItems/crossTenantPartners"
DELETED_AT = "2025-01-02T03:04:05Z"
BETA_ONLY = ("deletedDateTime", "blockServiceProviderOutboundAccess", "invitationRedemptionIdentityProviderConfiguration")
GROUP = "6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21"
USER = "0b9c3b8e-7d7a-4c55-9d4e-2f9a1c3e5b71"


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/access-partner/" + name))


def one(tenant_id, version="v1.0"):
    return "/%s/policies/crossTenantAccessPolicy/partners/%s" % (version, tenant_id)


def sync_policy_path(tenant_id):
    return one(tenant_id) + "/identitySynchronization"


# ---- the objects as Graph stores and returns them -------------------------------------------------

def trust(mfa=None, compliant=None, hybrid=None):
    return {"isMfaAccepted": mfa, "isCompliantDeviceAccepted": compliant, "isHybridAzureADJoinedDeviceAccepted": hybrid}


def consent(inbound=None, outbound=None):
    return {"inboundAllowed": inbound, "outboundAllowed": outbound}


def targets(access_type, *items):
    return {"accessType": access_type, "targets": [{"target": target, "targetType": kind} for target, kind in items]}


def b2b(users=None, applications=None):
    return {"usersAndGroups": users, "applications": applications}


def restrictions(users=None, applications=None):
    return {"usersAndGroups": users, "applications": applications, "devices": None}


def stored(tenant_id, **props):
    """A partner configuration as the emulator stores it: every beta property, as POST {"tenantId"} leaves it."""
    obj = {"tenantId": tenant_id, "deletedDateTime": None, "isServiceProvider": None, "isInMultiTenantOrganization": False,
           "blockServiceProviderOutboundAccess": None, "inboundTrust": None, "b2bCollaborationOutbound": None,
           "b2bCollaborationInbound": None, "b2bDirectConnectOutbound": None, "b2bDirectConnectInbound": None,
           "tenantRestrictions": None, "automaticUserConsentSettings": consent(),
           # Properties no option manages: the metadata's newer ones and those only Graph's answers show.
           "appServiceConnectInbound": None, "m365CollaborationInbound": None, "m365CollaborationOutbound": None,
           "crossCloudMeetingConfiguration": None, "protectedContentSharing": None,
           "invitationRedemptionIdentityProviderConfiguration": None}
    obj.update(props)
    return obj


ANSWER_ONLY = ("crossCloudMeetingConfiguration", "protectedContentSharing", "invitationRedemptionIdentityProviderConfiguration")


def answered(obj):
    """What Graph beta returns of it: the properties only answers carry are there when they hold a value."""
    return dict((name, value) for name, value in obj.items() if name not in ANSWER_ONLY or value is not None) if obj else obj


def v1(obj):
    """What Graph v1.0 returns of it: no deletedDateTime, no blockServiceProviderOutboundAccess."""
    return dict((name, value) for name, value in answered(obj).items() if name not in BETA_ONLY) if obj else obj


# ---- the table of present rows ------------------------------------------------------------------

EVERY_OPTION = dict(
    is_service_provider=False,
    automatic_user_consent_settings=dict(inbound_allowed=True),
    inbound_trust=dict(is_mfa_accepted=True),
    b2b_collaboration_inbound=dict(users_and_groups=dict(access_type="allowed", targets=[dict(target=GROUP, target_type="group")]),
                                   applications=dict(access_type="allowed", targets=[dict(target="AllApplications",
                                                                                          target_type="application")])),
    b2b_collaboration_outbound=dict(users_and_groups=dict(access_type="blocked", targets=[dict(target=USER, target_type="user")])),
    b2b_direct_connect_inbound=dict(applications=dict(access_type="blocked", targets=[dict(target="Office365", target_type="application")])),
    b2b_direct_connect_outbound=dict(users_and_groups=dict(access_type="allowed", targets=[dict(target="AllUsers", target_type="user")])),
    tenant_restrictions=dict(users_and_groups=dict(access_type="blocked", targets=[dict(target="AllUsers", target_type="user")]),
                             applications=dict(access_type="blocked", targets=[dict(target="AllApplications", target_type="application")])),
)


def overriding(base, **changes):
    """``base`` with ``changes`` laid over it."""
    merged = dict(base)
    merged.update(changes)
    return merged


# Seeded: a partner configuration with something in every nested setting.
SEEDED_SETTINGS = dict(
    automaticUserConsentSettings=consent(True, False),
    inboundTrust=trust(False, True, True),
    b2bCollaborationInbound=b2b(targets("allowed", (GROUP, "group")), targets("allowed", ("AllApplications", "application"))),
    tenantRestrictions=restrictions(targets("blocked", ("AllUsers", "user"), (GROUP, "group"))),
)

# name: (seeded settings or None, options, changed, the stored object afterwards, changed_properties)
ROWS = collections.OrderedDict([
    ("create with every option", (
        None, EVERY_OPTION, True,
        lambda t: stored(t, isServiceProvider=False, automaticUserConsentSettings=consent(True), inboundTrust=trust(True),
                         b2bCollaborationInbound=b2b(targets("allowed", (GROUP, "group")), targets("allowed", ("AllApplications", "application"))),
                         b2bCollaborationOutbound=b2b(targets("blocked", (USER, "user"))),
                         b2bDirectConnectInbound=b2b(None, targets("blocked", ("Office365", "application"))),
                         b2bDirectConnectOutbound=b2b(targets("allowed", ("AllUsers", "user"))),
                         tenantRestrictions=restrictions(targets("blocked", ("AllUsers", "user")),
                                                         targets("blocked", ("AllApplications", "application")))),
        ["automaticUserConsentSettings", "b2bCollaborationInbound", "b2bCollaborationOutbound", "b2bDirectConnectInbound",
         "b2bDirectConnectOutbound", "inboundTrust", "isServiceProvider", "tenantRestrictions"])),
    ("create with only the tenant ID", (None, {}, True, stored, [])),
    ("one sub-option of inbound_trust", (
        SEEDED_SETTINGS, dict(inbound_trust=dict(is_mfa_accepted=True)), True,
        lambda t: stored(t, **overriding(SEEDED_SETTINGS, inboundTrust=trust(True, True, True))),
        ["inboundTrust"])),
    ("outbound automatic consent", (
        SEEDED_SETTINGS, dict(automatic_user_consent_settings=dict(outbound_allowed=True)), True,
        lambda t: stored(t, **overriding(SEEDED_SETTINGS, automaticUserConsentSettings=consent(True, True))),
        ["automaticUserConsentSettings"])),
    ("one access type of a B2B setting", (
        SEEDED_SETTINGS, dict(b2b_collaboration_inbound=dict(users_and_groups=dict(access_type="blocked"))), True,
        lambda t: stored(t, **overriding(SEEDED_SETTINGS, b2bCollaborationInbound=b2b(
            targets("blocked", (GROUP, "group")), targets("allowed", ("AllApplications", "application"))))),
        ["b2bCollaborationInbound"])),
    ("the targets of tenant restrictions", (
        SEEDED_SETTINGS, dict(tenant_restrictions=dict(users_and_groups=dict(targets=[dict(target=USER, target_type="user")]))), True,
        lambda t: stored(t, **overriding(SEEDED_SETTINGS, tenantRestrictions=restrictions(targets("blocked", (USER, "user"))))),
        ["tenantRestrictions"])),
    ("a new nested setting", (
        SEEDED_SETTINGS, dict(b2b_direct_connect_outbound=dict(applications=dict(access_type="allowed",
                                                                                 targets=[dict(target="AllApplications", target_type="application")]))),
        True,
        lambda t: stored(t, **overriding(SEEDED_SETTINGS, b2bDirectConnectOutbound=b2b(None, targets("allowed", ("AllApplications", "application"))))),
        ["b2bDirectConnectOutbound"])),
    ("what it already holds", (
        SEEDED_SETTINGS, dict(automatic_user_consent_settings=dict(inbound_allowed=True), inbound_trust=dict(is_compliant_device_accepted=True)),
        False, lambda t: stored(t, **SEEDED_SETTINGS), [])),
    ("the same targets in another order", (
        SEEDED_SETTINGS, dict(tenant_restrictions=dict(users_and_groups=dict(
            access_type="blocked", targets=[dict(target=GROUP, target_type="group"), dict(target="AllUsers", target_type="user")]))),
        False, lambda t: stored(t, **SEEDED_SETTINGS), [])),
])

Row = collections.namedtuple("Row", "name tenant_id seed options changed after changed_properties")


def row(name):
    seed, options, changed, after, changed_properties = ROWS[name]
    t = tid(name)
    return Row(name, t, seed, options, changed, after(t), changed_properties)


def seeded_store():
    return {"partners": [dict(copy.deepcopy(row(name).seed), tenantId=row(name).tenant_id) for name in ROWS if row(name).seed]}


Run = collections.namedtuple("Run", "playbook objects writes")


@pytest.fixture(scope="module")
def table(collection, emulator):
    info = emulator.info
    connection = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["client_id"], client_secret=info["client_secret"],
                      authority_host=info["authority_host"], graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    emulator.reset()
    emulator.set_objects(seeded_store())
    runs = {"seeded": emulator.objects()}
    tasks = [module_task(name, MODULE, dict(row(name).options, tenant_id=row(name).tenant_id), ignore_errors=True) for name in ROWS]
    for label, options in (("check", dict(check=True, diff=True)), ("apply", dict(diff=True)), ("again", {})):
        emulator.clear_requests()
        playbook = run_playbook(collection, tasks, module_defaults=connection, **options)
        runs[label] = Run(playbook, emulator.objects(), of_kind(emulator.requests(), "graph_write"))
    return runs


def server(objects, tenant_id, collection="partners"):
    found = [obj for obj in objects[collection] if obj["tenantId"] == tenant_id]
    return found[0] if found else None


@pytest.mark.parametrize("name", list(ROWS))
def test_row_is_on_the_server_with_one_write(table, name):
    r = row(name)
    applied = table["apply"]
    result = applied.playbook.result(name)
    assert applied.playbook.status(name) != "failed", result.get("msg")
    assert result["changed"] is r.changed
    assert result["api_version"] == "v1.0"
    assert result["changed_properties"] == r.changed_properties
    # Read back from the server: the sub-values the task did not name are still there.
    assert server(applied.objects, r.tenant_id) == r.after
    mine = [(w["method"], w["path"], w["status"]) for w in applied.writes if r.tenant_id in w["path"]]
    if r.seed is None:
        # A create is one POST to the collection; only this row's POST is left once the others are counted.
        assert mine == []
    elif r.changed:
        assert mine == [("PATCH", one(r.tenant_id), 204)]
    else:
        assert mine == []


def test_creates_are_one_post_each(table):
    creates = [name for name in ROWS if row(name).seed is None]
    posts = [(w["method"], w["path"], w["status"]) for w in table["apply"].writes if w["method"] == "POST"]
    assert posts == [("POST", PARTNERS, 201)] * len(creates)
    patches = [w for w in table["apply"].writes if w["method"] == "PATCH"]
    assert len(patches) == len([name for name in ROWS if row(name).seed and row(name).changed])
    assert len(table["apply"].writes) == len(posts) + len(patches)


@pytest.mark.parametrize("name", list(ROWS))
def test_row_returns_the_object_as_v1_returns_it(table, name):
    r = row(name)
    result = table["apply"].playbook.result(name)
    assert result["partner"] == v1(r.after)
    assert result["ansible_facts"]["crosstenant_access_partner"] == result["partner"]
    before = server(table["seeded"], r.tenant_id)
    assert result["diff"] == {"before": v1(before) or {}, "after": result["partner"]}


@pytest.mark.parametrize("name", list(ROWS))
def test_check_mode_predicts_the_row(table, name):
    predicted = table["check"].playbook.result(name)
    actual = table["apply"].playbook.result(name)
    for key in ("changed", "partner", "diff", "changed_properties", "api_version"):
        assert predicted[key] == actual[key], key


def test_check_mode_writes_nothing(table):
    assert table["check"].writes == []
    assert table["check"].objects == table["seeded"]


def json_lines(obj, sign):
    return [sign + line for line in json.dumps(obj, sort_keys=True, indent=4, separators=(",", ": ")).splitlines()]


def test_check_diff_prints_only_the_changed_sub_value(table):
    printed = diff_lines(task_output(table["check"].playbook.output, "one sub-option of inbound_trust"))
    assert printed == ['-        "isMfaAccepted": false', '+        "isMfaAccepted": true']
    printed = diff_lines(task_output(table["check"].playbook.output, "create with only the tenant ID"))
    assert printed == ["-{}"] + json_lines(v1(row("create with only the tenant ID").after), "+")
    assert diff_lines(task_output(table["check"].playbook.output, "what it already holds")) == []


@pytest.mark.parametrize("name", list(ROWS))
def test_second_run_is_unchanged(table, name):
    again = table["again"].playbook
    assert again.status(name) == "ok", again.result(name).get("msg")


def test_second_run_writes_nothing(table):
    assert table["again"].writes == []
    assert table["again"].objects == table["apply"].objects


# ---- Graph's casing ------------------------------------------------------------------------------

def test_b2b_settings_reach_graph_in_its_casing(table):
    """Graph refuses b2BCollaborationInbound (400 "Invalid property"); the emulator does too. The
    create succeeded, and the server holds every B2B setting under its exact name."""
    created = server(table["apply"].objects, row("create with every option").tenant_id)
    for name in ("b2bCollaborationInbound", "b2bCollaborationOutbound", "b2bDirectConnectInbound", "b2bDirectConnectOutbound",
                 "tenantRestrictions"):
        assert created[name] is not None, name
    assert created["b2bCollaborationInbound"]["usersAndGroups"] == {"accessType": "allowed",
                                                                    "targets": [{"target": GROUP, "targetType": "group"}]}


def test_the_wrong_casing_is_what_graph_refuses(emu, emu_http):
    """The trap the module avoids, shown on the emulator: the casing other tools send is a 400."""
    token = emu.issue_token()
    url = emu.info["graph_endpoint"] + PARTNERS
    answer = emu_http.post(url, json={"tenantId": tid("casing"), "b2BCollaborationInbound": {}},
                           headers={"Authorization": "Bearer " + token})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "Request_BadRequest"
    assert "b2BCollaborationInbound" in answer.json()["error"]["message"]
    assert emu.objects()["partners"] == []


# ---- absent, force, restored ----------------------------------------------------------------------

def graph_writes(emu):
    return [(entry["method"], entry["path"], entry["status"]) for entry in of_kind(emu.requests(), "graph_write")]


def sync_policy(tenant_id):
    return {"tenantId": tenant_id, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}


def test_absent_refuses_without_force_and_deletes_nothing(collection, emu, connection):
    partner = tid("absent without force")
    emu.set_objects({"partners": [dict(SEEDED_SETTINGS, tenantId=partner)], "partner_policy": [sync_policy(partner)]})
    seeded = emu.objects()
    tasks = [module_task("absent", MODULE, {"tenant_id": partner, "state": "absent"}, ignore_errors=True),
             module_task("absent in check mode", MODULE, {"tenant_id": partner, "state": "absent"}, ignore_errors=True, check_mode=True)]
    run = run_playbook(collection, tasks, module_defaults=connection)

    for name in ("absent", "absent in check mode"):
        assert run.status(name) == "failed", name
        msg = run.result(name)["msg"]
        assert partner in msg and "force" in msg and "nothing was deleted" in msg, msg
        assert "entra.graph.crosstenant_sync_partner" in msg, msg
        assert "\n" not in msg and "Traceback" not in run.output
    assert graph_writes(emu) == []
    assert emu.objects() == seeded


def test_absent_with_force_deletes_the_sync_policy_then_the_partner(collection, emu, connection):
    partner, alone, missing = tid("force"), tid("force, no sync policy"), tid("force, nothing there")
    emu.set_objects({"partners": [dict(SEEDED_SETTINGS, tenantId=partner), {"tenantId": alone}],
                     "partner_policy": [sync_policy(partner)]})
    seeded = emu.objects()
    tasks = [module_task("%s%s" % (name, suffix), MODULE, {"tenant_id": tenant, "state": "absent", "force": True}, **keywords)
             for suffix, keywords in (("in check mode", dict(check_mode=True, diff=True)), ("", dict(diff=True)))
             for name, tenant in (("force ", partner), ("force without a sync policy ", alone), ("force with nothing there ", missing))]
    run = run_playbook(collection, tasks, module_defaults=connection)
    assert run.rc == 0, run.output

    result = run.result("force ")
    assert result["changed"] is True and result["partner"] == {}
    assert result["deleted_sync_policy"] == sync_policy(partner)
    # The diff shows both deletions: the sync policy where Graph's $expand puts it.
    assert result["diff"] == {"before": dict(v1(server(seeded, partner)), identitySynchronization=sync_policy(partner)), "after": {}}
    assert run.result("force without a sync policy ")["deleted_sync_policy"] == {}
    assert run.result("force without a sync policy ")["changed"] is True
    assert run.result("force with nothing there ")["changed"] is False
    for name in ("force ", "force without a sync policy ", "force with nothing there "):
        predicted = run.result(name + "in check mode")
        for key in ("changed", "partner", "deleted_sync_policy", "diff"):
            assert predicted[key] == run.result(name)[key], (name, key)
    # In the order Graph requires: the sync policy, then the partner configuration. Nothing in check mode.
    assert graph_writes(emu) == [("DELETE", sync_policy_path(partner), 204), ("DELETE", one(partner), 204),
                                 ("DELETE", one(alone), 204)]
    objects = emu.objects()
    assert objects["partners"] == [] and objects["partner_policy"] == []
    # Both are soft-deleted: restorable from deleted items.
    assert [obj["tenantId"] for obj in objects["deleted_partners"]] == [partner, alone]
    assert [obj["tenantId"] for obj in objects["deleted_items"]] == [partner]


def test_restored_brings_back_the_partner_and_then_its_sync_policy(collection, emu, connection):
    partner, changed, missing = tid("restore"), tid("restore and change"), tid("restore nothing")
    emu.set_objects({"partners": [dict(SEEDED_SETTINGS, tenantId=partner), dict(SEEDED_SETTINGS, tenantId=changed)],
                     "partner_policy": [sync_policy(partner)]})
    tasks = [
        module_task("delete both", MODULE, {"tenant_id": partner, "state": "absent", "force": True}),
        module_task("delete the other", MODULE, {"tenant_id": changed, "state": "absent"}),
        module_task("deleted partner configurations", INFO, {"deleted": True}),
        module_task("restore in check mode", MODULE, {"tenant_id": partner, "state": "restored"}, check_mode=True, diff=True),
        module_task("restore", MODULE, {"tenant_id": partner, "state": "restored"}, diff=True),
        module_task("restore again", MODULE, {"tenant_id": partner, "state": "restored"}),
        module_task("then its sync policy", SYNC, {"tenant_id": partner, "state": "restored"}),
        module_task("restore and change", MODULE, {"tenant_id": changed, "state": "restored",
                                                   "inbound_trust": {"is_mfa_accepted": True}}),
        module_task("restore nothing", MODULE, {"tenant_id": missing, "state": "restored"}, ignore_errors=True),
        module_task("restore with api_version v1.0", MODULE, {"tenant_id": missing, "state": "restored", "api_version": "v1.0"},
                    ignore_errors=True),
    ]
    run = run_playbook(collection, tasks, module_defaults=connection)

    deleted = run.result("deleted partner configurations")
    assert deleted["api_version"] == "beta"
    assert sorted(p["tenantId"] for p in deleted["partners"]) == sorted([partner, changed])
    assert all(p["deletedDateTime"] for p in deleted["partners"])

    restored = run.result("restore")
    expected = answered(stored(partner, **SEEDED_SETTINGS))
    assert restored["changed"] is True and restored["api_version"] == "beta"
    assert restored["partner"] == expected
    assert restored["diff"]["before"]["deletedDateTime"] and restored["diff"]["after"] == expected
    predicted = run.result("restore in check mode")
    assert (predicted["changed"], predicted["partner"], predicted["diff"]) == (True, restored["partner"], restored["diff"])
    assert run.status("restore again") == "ok"
    assert run.result("then its sync policy")["changed"] is True

    again = run.result("restore and change")
    assert again["changed"] is True and again["changed_properties"] == ["inboundTrust"]
    assert again["partner"]["inboundTrust"] == trust(True, True, True)

    assert run.status("restore nothing") == "failed"
    assert "nothing to restore" in run.result("restore nothing")["msg"] and missing in run.result("restore nothing")["msg"]
    assert run.status("restore with api_version v1.0") == "failed"
    assert "api_version=v1.0" in run.result("restore with api_version v1.0")["msg"]

    restores = [(method, path, status) for method, path, status in graph_writes(emu) if path.endswith("/restore")]
    assert restores == [("POST", "%s/%s/restore" % (DELETED_PARTNERS, partner), 200),
                        ("POST", "/beta/policies/deletedItems/crossTenantSyncPolicyPartners/%s/restore" % partner, 200),
                        ("POST", "%s/%s/restore" % (DELETED_PARTNERS, changed), 200)]
    objects = emu.objects()
    assert answered(server(objects, partner)) == dict(expected, deletedDateTime=None)
    assert server(objects, changed)["inboundTrust"] == trust(True, True, True)
    assert [obj["tenantId"] for obj in objects["partner_policy"]] == [partner]
    assert objects["deleted_partners"] == [] and objects["deleted_items"] == []


# ---- the info module and bad input ------------------------------------------------------------------

def test_info_reads_one_none_all_and_deleted_across_pages(collection, emu):
    live = [dict(SEEDED_SETTINGS, tenantId=tid("info %d" % n)) for n in range(5)]
    gone = [{"tenantId": tid("info deleted %d" % n), "deletedDateTime": DELETED_AT} for n in range(3)]
    emu.set_objects({"partners": live, "deleted_partners": gone})
    seeded = emu.objects()
    emu.configure(page_size=2)
    info = emu.info
    reader = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["readonly_client_id"],
                  client_secret=info["readonly_client_secret"], authority_host=info["authority_host"],
                  graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    tasks = [
        module_task("all", INFO, {}),
        module_task("all from beta", INFO, {"api_version": "beta"}),
        module_task("one", INFO, {"tenant_id": tid("info 3").upper()}),
        module_task("none", INFO, {"tenant_id": tid("info missing")}),
        module_task("deleted", INFO, {"deleted": True}),
        module_task("one deleted", INFO, {"tenant_id": tid("info deleted 1"), "deleted": True}),
        module_task("deleted from v1.0", INFO, {"deleted": True, "api_version": "v1.0"}, ignore_errors=True),
        module_task("all in check mode", INFO, {}, check_mode=True),
    ]
    run = run_playbook(collection, tasks, module_defaults=reader)

    assert run.result("all")["partners"] == [v1(server(seeded, obj["tenantId"])) for obj in live]
    assert run.result("all")["api_version"] == "v1.0"
    assert run.result("all from beta")["partners"] == [answered(server(seeded, obj["tenantId"])) for obj in live]
    assert run.result("one")["partners"] == [v1(server(seeded, tid("info 3")))]
    assert run.result("none")["partners"] == []
    assert run.result("deleted")["partners"] == [answered(obj) for obj in seeded["deleted_partners"]]
    assert run.result("deleted")["api_version"] == "beta"
    assert run.result("one deleted")["partners"] == [answered(server(seeded, tid("info deleted 1"), "deleted_partners"))]
    assert run.status("deleted from v1.0") == "failed"
    assert "api_version=v1.0" in run.result("deleted from v1.0")["msg"]
    assert run.result("all in check mode")["partners"] == run.result("all")["partners"]
    for name in ("all", "one", "deleted", "all in check mode"):
        assert run.status(name) == "ok" and run.result(name)["changed"] is False
    reads = of_kind(emu.requests(), "graph_read")
    # Five partners in pages of two: three requests for each listing.
    assert len([entry for entry in reads if entry["path"] == PARTNERS]) == 6
    assert len([entry for entry in reads if entry["path"] == DELETED_PARTNERS]) == 2
    assert of_kind(emu.requests(), "graph_write") == []
    assert emu.objects() == seeded


def test_invalid_options_fail_before_any_request(collection, emu, connection):
    partner = tid("invalid")
    bad = collections.OrderedDict([
        ("tenant_id not a GUID", ({"tenant_id": "fabrikam.onmicrosoft.com"}, "tenant_id")),
        ("force without absent", ({"tenant_id": partner, "force": True}, "force")),
        ("a target type Graph does not have", ({"tenant_id": partner, "b2b_collaboration_inbound": {"users_and_groups": {
            "access_type": "allowed", "targets": [{"target": "AllUsers", "target_type": "tenant"}]}}}, "target_type")),
        ("an access type Graph does not have", ({"tenant_id": partner, "tenant_restrictions": {"applications": {
            "access_type": "maybe"}}}, "access_type")),
        ("a target without its type", ({"tenant_id": partner, "b2b_direct_connect_inbound": {"users_and_groups": {
            "targets": [{"target": "AllUsers"}]}}}, "target_type")),
        ("an unknown sub-option", ({"tenant_id": partner, "inbound_trust": {"is_mfa_acepted": True}}, "is_mfa_acepted")),
    ])
    tasks = [module_task(name, MODULE, args, ignore_errors=True) for name, (args, dummy) in bad.items()]
    run = run_playbook(collection, tasks, module_defaults=connection)

    for name, (dummy, option) in bad.items():
        assert run.status(name) == "failed", name
        assert option in run.result(name)["msg"], (name, run.result(name)["msg"])
    assert emu.requests() == []
    assert emu.objects()["partners"] == []
