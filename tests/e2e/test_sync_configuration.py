# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_configuration and its info module, run by ansible-playbook against the two-tenant emulator:
created from nothing, a rerun that writes nothing, check and diff mode, a failed credentials check for each
tenant's side, assignments and purge, pause/start/restart, quarantine, a rerun after a partial failure, absent."""

import pytest
from harness import diff_lines
from sync_source_support import CONFIGURATION, INFO, play, source_connection, task, writes
from tenants_support import PARTNERS, allow_inbound, allow_outbound, cycle, instantiate

NAME = "Fabrikam"


@pytest.fixture
def allowed(emu, source, target):
    """Both tenants allow the synchronization (the partner configurations and the target's sync policy)."""
    allow_inbound(target, source.id)
    allow_outbound(source, target.id)
    emu.clear_requests()


def configuration(target, source, **options):
    assignments = [{"principal_id": source.users[0]["id"]}, {"principal_id": source.groups[0]["id"], "principal_type": "group"}]
    args = dict(name=NAME, target_tenant_id=target.id, assignments=assignments,
                notification_email="identity@contoso.com", accidental_deletion_threshold=25, job_state="started")
    args.update(options)
    return args


def applications(source):
    return source.get("/applications").json()["value"]


def test_created_from_nothing_then_a_rerun_writes_nothing_and_check_mode_predicts(collection, emu, source, target, allowed):
    args = configuration(target, source)
    checked = play(collection, emu, [task("configure", CONFIGURATION, args)], check=True, diff=True)
    predicted = checked.result("configure")
    assert predicted["changed"] is True and not predicted.get("failed"), predicted
    assert writes(emu) == [] and applications(source) == []
    assert predicted["actions"] == [
        "create application Fabrikam from the template 518e5f48-1fc8-4c48-9387-9fdf28b0dfe7",
        "create synchronization job (Azure2Azure)",
        "save secrets AuthenticationType, CompanyId, SyncAll, SyncNotificationSettings",
        "assign user %s" % source.users[0]["id"], "assign group %s" % source.groups[0]["id"], "start job"]
    assert predicted["diff"]["before"] == {} and predicted["diff"]["after"]["target_tenant_id"] == target.id
    assert any(line.startswith("+") and "target_tenant_id" in line and target.id in line for line in diff_lines(checked.output))

    emu.clear_requests()
    run = play(collection, emu, [task("configure", CONFIGURATION, args)])
    created = run.result("configure")
    assert created["changed"] is True and not created.get("failed"), created
    assert created["actions"] == predicted["actions"]
    assert any("validated only once the application exists" in w for w in predicted.get("warnings", [])), predicted
    config = created["configuration"]
    [app] = applications(source)
    assert (config["application_object_id"], config["application_id"]) == (app["id"], app["appId"])
    assert config["target_tenant_id"] == target.id and config["scope"] == "assigned"
    assert config["notification_email"] == "identity@contoso.com" and config["accidental_deletion_threshold"] == 25
    assert [(a["principal_id"], a["principal_type"]) for a in config["assignments"]] == sorted(
        [(source.users[0]["id"], "user"), (source.groups[0]["id"], "group")])
    assert config["job"]["schedule_state"] == "Active" and config["job"]["status_code"] == "NotRun"
    assert created["ansible_facts"]["crosstenant_sync_configuration"] == config
    sync = "/servicePrincipals/%s/synchronization" % config["service_principal_id"]
    secrets = dict((s["key"], s["value"]) for s in source.get(sync + "/secrets").json()["value"])
    assert secrets["CompanyId"] == target.id and secrets["AuthenticationType"] == "SyncPolicy" and secrets["SyncAll"] == "false"
    assert [j["id"] for j in source.get(sync + "/jobs").json()["value"]] == [config["job_id"]]

    emu.clear_requests()
    again = play(collection, emu, [task("configure", CONFIGURATION, args)], diff=True).result("configure")
    assert again["changed"] is False and again["actions"] == [] and writes(emu) == []
    assert again["configuration"] == config

    info = play(collection, emu, [task("read", INFO, {"name": NAME})]).result("read")
    assert info["changed"] is False and info["configurations"] == [config]


def test_a_failed_credentials_check_saves_nothing_and_names_the_side_and_module(collection, emu, source, target):
    args = configuration(target, source)
    allow_inbound(target, source.id, sync_allowed=False)
    emu.clear_requests()
    failed = play(collection, emu, [task("configure", CONFIGURATION, args)]).result("configure")
    assert failed.get("failed") is True and failed.get("changed") is not True, failed
    assert "source tenant does not allow automatic user consent (outbound)" in failed["msg"], failed["msg"]
    assert "entra.graph.crosstenant_access_partner with tenant_id: %s" % target.id in failed["msg"]
    assert "outbound_allowed: true" in failed["msg"] and writes(emu) == []

    allow_outbound(source, target.id)
    emu.clear_requests()
    failed = play(collection, emu, [task("configure", CONFIGURATION, args)]).result("configure")
    assert failed["failed"] is True, failed
    msg = failed["msg"]
    assert "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure" in msg and "nothing was saved" in msg, msg
    assert "in the target tenant, entra.graph.crosstenant_sync_partner with tenant_id: %s" % source.id in msg
    assert "user_sync_inbound: {is_sync_allowed: true}" in msg
    # The application existed only for the check: it is gone again, and the task says what it did.
    assert applications(source) == [] and failed["changed"] is True
    assert "delete application Fabrikam again" in msg


def test_assignments_purge_pause_start_quarantine_and_restart(collection, emu, emu_http, source, target, allowed):
    first = play(collection, emu, [task("configure", CONFIGURATION, configuration(target, source))]).result("configure")
    assert first["changed"] is True, first
    kept = source.users[1]["id"]
    purge = dict(name=NAME, assignments=[{"principal_id": kept}], purge_assignments=True, job_state="paused")
    tasks = [task("purge and pause", CONFIGURATION, purge),
             task("pause again", CONFIGURATION, dict(name=NAME, job_state="paused")),
             task("start", CONFIGURATION, dict(name=NAME, job_state="started"))]
    run = play(collection, emu, tasks)
    purged = run.result("purge and pause")
    assert purged["changed"] is True, purged
    assert purged["actions"] == ["assign user %s" % kept,
                                 "remove the assignment of user %s" % source.users[0]["id"],
                                 "remove the assignment of group %s" % source.groups[0]["id"], "pause job"]
    assert [a["principal_id"] for a in purged["configuration"]["assignments"]] == [kept]
    assert purged["configuration"]["job"]["status_code"] == "Paused"
    assert run.result("pause again")["changed"] is False
    assert run.result("start")["actions"] == ["start job"]

    # The target withdraws its permission: the next cycle quarantines the job.
    assert target.call("PATCH", "%s/%s/identitySynchronization" % (PARTNERS, source.id),
                       {"userSyncInbound": {"isSyncAllowed": False}}).status_code == 204
    assert cycle(emu, emu_http, tenant=source.id)[0]["status_code"] == "Quarantine"
    tasks = [task("still started", CONFIGURATION, dict(name=NAME, job_state="started")),
             task("lift the quarantine", CONFIGURATION, dict(name=NAME, job_state="restarted", reset_scope=["quarantine_state"]))]
    run = play(collection, emu, tasks)
    reported = run.result("still started")
    assert reported["changed"] is False, reported
    quarantine = reported["configuration"]["job"]["quarantine"]
    assert quarantine["reason"] == "EncounteredQuarantineException"
    assert quarantine["error"]["code"] == "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure"
    warning = " ".join(reported["warnings"])
    assert "in quarantine (reason EncounteredQuarantineException" in warning
    assert "job_state: restarted and reset_scope: [quarantine_state]" in warning
    lifted = run.result("lift the quarantine")
    assert lifted["changed"] is True and lifted["actions"] == ["restart job (resetScope QuarantineState)"]
    assert lifted["configuration"]["job"]["quarantine"] is None


def test_a_rerun_completes_a_partial_configuration_and_absent_deletes_it(collection, emu, source, target, allowed):
    # An application made elsewhere (or by a run that stopped) without its job.
    app, _sp = instantiate(source, NAME)
    emu.add_fault(method="PUT", path="/synchronization/secrets$", status=400)
    broken = play(collection, emu, [task("configure", CONFIGURATION, configuration(target, source))]).result("configure")
    assert broken["failed"] is True and broken["changed"] is True, broken
    assert broken["msg"].startswith("create synchronization job (Azure2Azure); then failed: PUT "), broken["msg"]

    done = play(collection, emu, [task("configure", CONFIGURATION, configuration(target, source))]).result("configure")
    assert done["changed"] is True and not done.get("failed"), done
    assert done["actions"][0] == "save secrets AuthenticationType, CompanyId, SyncAll, SyncNotificationSettings"
    assert done["configuration"]["application_object_id"] == app["id"]

    run = play(collection, emu, [task("remove", CONFIGURATION, dict(name=NAME, state="absent")),
                                 task("remove again", CONFIGURATION, dict(name=NAME, state="absent"))], diff=True)
    removed = run.result("remove")
    assert removed["changed"] is True and removed["configuration"] == {}
    assert removed["diff"]["before"]["application_id"] == app["appId"]
    assert run.result("remove again")["changed"] is False and applications(source) == []


def test_a_missing_permission_is_named(collection, emu, source):
    # The home tenant's app of old has only the policy permissions.
    policy_only = dict(source_connection(emu), client_id=emu.info["client_id"], client_secret=emu.info["client_secret"])
    denied = play(collection, emu, [task("read", INFO, {})], connection=policy_only).result("read")
    assert denied["failed"] is True and "403 Authorization_RequestDenied" in denied["msg"], denied
    assert "needs the Microsoft Graph permission Application.Read.All" in denied["msg"]
