# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The source tenant's synchronization API on the emulator, over TLS with MSAL and requests: jobs,
validateCredentials across tenants, secrets, start/pause/restart, schema, provisionOnDemand and the
synchronization cycle (tests/emulator/README.md's rules table), and the requests + MSAL walkthrough."""

import json
import os
import re
import subprocess
import sys

import pytest
from tenants_support import (PARTNERS, Tenant, allow_inbound, allow_outbound, assign, configured, credentials, cycle, error_of,
                             instantiate, target_user)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZERO = "0001-01-01T00:00:00Z"


def jobs_of(sp):
    return "/servicePrincipals/%s/synchronization/jobs" % sp["id"]


# ---- jobs ----------------------------------------------------------------------------------------

def test_a_job_is_created_paused_with_the_documented_body(source):
    app, sp = instantiate(source)
    resp = source.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"})
    assert resp.status_code == 201
    job = resp.json()
    assert re.match(r"^Azure2Azure\.[0-9a-f]{32}\.%s$" % app["appId"], job["id"])
    assert job["@odata.context"].endswith("servicePrincipals('%s')/synchronization/jobs/$entity" % sp["id"])
    assert job["schedule"] == {"expiration": None, "interval": "PT40M", "state": "Disabled"}
    status = job["status"]
    assert status["code"] == "Paused" and status["quarantine"] is None and status["lastExecution"] is None
    assert status["steadyStateFirstAchievedTime"] == status["steadyStateLastAchievedTime"] == ZERO
    assert {s["name"] for s in job["synchronizationJobSettings"]} == {"AzureIngestionAttributeOptimization", "LookaheadQueryEnabled"}
    assert [j["id"] for j in source.get(jobs_of(sp)).json()["value"]] == [job["id"]]
    assert source.get("%s/%s" % (jobs_of(sp), job["id"])).json()["id"] == job["id"]
    assert source.call("DELETE", "%s/%s" % (jobs_of(sp), job["id"])).status_code == 204
    assert source.get("%s/%s" % (jobs_of(sp), job["id"])).status_code == 404


def test_a_job_needs_a_template_of_the_service_principal_and_the_permission(emu, emu_http, source):
    _app, sp = instantiate(source)
    assert source.call("POST", jobs_of(sp), {"templateId": "SfSandboxOutDelta"}).status_code == 400
    policy_only = Tenant(emu, emu_http, 0, emu.info["client_id"], emu.info["client_secret"])
    denied = policy_only.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"})
    assert denied.status_code == 403 and error_of(denied)["code"] == "Authorization_RequestDenied"


def test_start_pause_restart_move_the_job_through_its_states(source):
    _app, sp = instantiate(source)
    job = source.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"}).json()
    path = "%s/%s" % (jobs_of(sp), job["id"])
    assert source.call("POST", path + "/start").status_code == 204
    started = source.get(path).json()
    assert started["schedule"]["state"] == "Active" and started["status"]["code"] == "NotRun"
    assert started["status"]["lastExecution"]["timeBegan"] == ZERO
    assert source.call("POST", path + "/pause").status_code == 204
    paused = source.get(path).json()
    assert paused["schedule"]["state"] == "Paused" and paused["status"]["code"] == "Paused"
    restart = source.call("POST", path + "/restart", {"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}})
    assert restart.status_code == 204 and source.get(path).json()["schedule"]["state"] == "Active"
    wrong = source.call("POST", path + "/restart", {"criteria": {"resetScope": "Everything"}})
    assert wrong.status_code == 400


def test_the_schema_has_the_user_inbound_user_rule(source):
    _app, sp = instantiate(source)
    job = source.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"}).json()
    schema = source.get("%s/%s/schema" % (jobs_of(sp), job["id"])).json()
    assert schema["id"] == job["id"] and schema["version"] == "v1.2"
    rules = schema["synchronizationRules"]
    assert [rule["name"] for rule in rules] == ["USER_INBOUND_USER"] and re.match(r"^[0-9a-f-]{36}$", rules[0]["id"])
    mappings = rules[0]["objectMappings"][0]["attributeMappings"]
    assert {"targetAttributeName": "userType"}.items() <= next(m for m in mappings if m["targetAttributeName"] == "userType").items()
    assert next(m for m in mappings if m["targetAttributeName"] == "userType")["source"]["expression"] == "Member"


def test_the_schema_is_replaced_by_put_and_patch_is_not_found(source):
    _app, sp = instantiate(source)
    job = source.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"}).json()
    path = "%s/%s/schema" % (jobs_of(sp), job["id"])
    schema = source.get(path).json()
    rule = schema["synchronizationRules"][0]
    rule["objectMappings"][0]["scope"] = {"groups": [{"name": "Marketing", "clauses": [
        {"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["Marketing"]}}]}]}
    assert source.call("PUT", path, schema).status_code == 204
    assert source.get(path).json()["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["name"] == "Marketing"
    patched = source.call("PATCH", path, {"synchronizationRules": []})
    assert patched.status_code == 404 and error_of(patched)["code"] == "UnknownError"
    assert "syncfabric.windowsazure.com" in error_of(patched)["message"]


# ---- validateCredentials -------------------------------------------------------------------------

def validate(source, sp, target_id, job_id=None):
    path = jobs_of(sp) + ("/%s" % job_id if job_id else "") + "/validateCredentials"
    return source.call("POST", path, {"useSavedCredentials": False, "templateId": "Azure2Azure", "credentials": credentials(target_id)})


def test_validation_succeeds_when_both_sides_allow_it(source, target):
    allow_inbound(target, source.id)
    allow_outbound(source, target.id)
    _app, sp = instantiate(source)
    assert validate(source, sp, target.id).status_code == 204
    job = source.call("POST", jobs_of(sp), {"templateId": "Azure2Azure"}).json()
    assert validate(source, sp, target.id, job["id"]).status_code == 204
    # With the saved credentials instead of the body's.
    assert source.call("PUT", "/servicePrincipals/%s/synchronization/secrets" % sp["id"], {"value": credentials(target.id)}).status_code == 204
    saved = source.call("POST", "%s/%s/validateCredentials" % (jobs_of(sp), job["id"]), {"useSavedCredentials": True})
    assert saved.status_code == 204


@pytest.mark.parametrize("missing, side, words", [
    ("outbound", "source", "automatic user consent (outbound)"),
    ("inbound", "target", "automatic user consent (inbound)"),
    ("sync", "target", "inbound synchronization"),
])
def test_validation_names_the_side_that_lacks_what(source, target, missing, side, words):
    allow_inbound(target, source.id, sync_allowed=missing != "sync", inbound=missing != "inbound")
    allow_outbound(source, target.id, outbound=missing != "outbound")
    _app, sp = instantiate(source)
    resp = validate(source, sp, target.id)
    assert resp.status_code == 400
    error = error_of(resp)
    assert error["code"] == "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure"
    assert ("The %s tenant" % side) in error["message"] and words in error["message"]
    assert "request-id" in error["innerError"]


def test_validation_of_a_tenant_the_emulator_does_not_hold(source):
    _app, sp = instantiate(source)
    resp = validate(source, sp, "7b6c9e4a-0d5e-4d8c-9a51-2f3f1f1e9b77")
    assert resp.status_code == 400 and error_of(resp)["code"] == "ExternalTenantNotFound"


# ---- secrets -------------------------------------------------------------------------------------

def test_secrets_are_an_upsert_by_key_and_read_back(source, target):
    _app, sp = instantiate(source)
    path = "/servicePrincipals/%s/synchronization/secrets" % sp["id"]
    settings = json.dumps({"Enabled": False, "DeleteThresholdEnabled": False, "HumanResourcesLookaheadQueryEnabled": False})
    assert source.call("PUT", path, {"value": credentials(target.id) + [{"key": "SyncNotificationSettings", "value": settings}]}).status_code == 204
    assert source.call("PUT", path, {"value": [{"key": "SyncAll", "value": "true"}, {"key": "Password", "value": "s3cret"}]}).status_code == 204
    saved = {item["key"]: item["value"] for item in source.get(path).json()["value"]}
    assert saved == {"CompanyId": target.id, "AuthenticationType": "SyncPolicy", "SyncNotificationSettings": settings,
                     "SyncAll": "true", "Password": "*"}
    assert source.call("PUT", path, {"value": [{"key": "SyncAll", "value": ""}]}).status_code == 204
    assert "SyncAll" not in {item["key"] for item in source.get(path).json()["value"]}


def test_secret_refusals(source):
    _app, sp = instantiate(source)
    path = "/servicePrincipals/%s/synchronization/secrets" % sp["id"]
    json_key = source.call("PUT", path, {"value": [{"key": "SyncNotificationSettings", "value": ""}]})
    assert json_key.status_code == 400 and error_of(json_key)["code"] == "UnknownError"
    assert "InvalidNotificationSettings" in error_of(json_key)["message"]
    casing = source.call("PUT", path, {"value": [{"key": "companyId", "value": "x"}]})
    assert casing.status_code == 500 and error_of(casing)["message"] == "Requested value 'companyId' was not found."
    empty = source.session.put(source.info["graph_endpoint"] + "/v1.0" + path, headers={"Authorization": "Bearer " + source.token})
    assert empty.status_code == 400 and "Empty Payload" in error_of(empty)["message"]


# ---- provisionOnDemand ---------------------------------------------------------------------------

def on_demand(source, sp, job, user_id):
    rule = source.get("%s/%s/schema" % (jobs_of(sp), job["id"])).json()["synchronizationRules"][0]["id"]
    return source.call("POST", "%s/%s/provisionOnDemand" % (jobs_of(sp), job["id"]),
                       {"parameters": [{"ruleId": rule, "subjects": [{"objectId": user_id, "objectTypeName": "User"}]}]})


def test_provision_on_demand_does_one_user(source, target):
    sp, job, _sync = configured(source, target)
    user = source.users[2]
    assign(source, sp, user["id"])
    resp = on_demand(source, sp, job, user["id"])
    assert resp.status_code == 200
    body = resp.json()
    assert body["key"] == "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"
    steps = json.loads(body["value"])[0]["provisioningSteps"]
    assert [step["status"] for step in steps] == ["Success"] * len(steps) and steps[0]["name"] == "EntryImport"
    assert len(target_user(target, user)) == 1
    # An unassigned user is skipped.
    skipped = json.loads(on_demand(source, sp, job, source.users[3]["id"]).json()["value"])[0]["provisioningSteps"]
    assert "Skipped" in [step["status"] for step in skipped] and target_user(target, source.users[3]) == []


def test_provision_on_demand_allows_five_requests_per_ten_seconds(source, target):
    sp, job, _sync = configured(source, target)
    answers = [on_demand(source, sp, job, source.users[0]["id"]) for dummy in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429 and int(answers[5].headers["Retry-After"]) >= 1
    assert error_of(answers[5])["code"] == "TooManyRequests"


# ---- the synchronization cycle -------------------------------------------------------------------

def test_a_cycle_provisions_assigned_users_and_group_members(emu, emu_http, source, target):
    sp, job, sync = configured(source, target)
    assert source.call("POST", "%s/jobs/%s/start" % (sync, job["id"])).status_code == 204
    assign(source, sp, source.users[3]["id"])
    assign(source, sp, source.groups[0]["id"])
    result = cycle(emu, emu_http, tenant=source.id)
    expected = {source.users[3]["id"]} | {u["id"] for u in source.users[:2]}
    assert result == [{"tenant": source.id, "service_principal_id": sp["id"], "job_id": job["id"], "status_code": "Active",
                       "exported": len(expected), "deleted": 0, "errors": []}]
    for user in source.users:
        found = target_user(target, user)
        if user["id"] in expected:
            assert len(found) == 1 and found[0]["userType"] == "Member" and found[0]["showInAddressList"] is True
            assert found[0]["userPrincipalName"].endswith("#EXT#@" + target.domain)
        else:
            assert found == []
    status = source.get("%s/jobs/%s" % (sync, job["id"])).json()["status"]
    assert status["code"] == "Active" and status["lastExecution"]["countExported"] == len(expected)
    assert status["steadyStateFirstAchievedTime"] != ZERO and status["lastSuccessfulExecutionWithExports"] is not None


def test_sync_all_takes_every_member_and_unassigning_soft_deletes(emu, emu_http, source, target):
    sp, job, sync = configured(source, target, sync_all="true")
    source.call("POST", "%s/jobs/%s/start" % (sync, job["id"]))
    assert cycle(emu, emu_http)[0]["exported"] == len(source.users)
    assert source.call("PUT", sync + "/secrets", {"value": [{"key": "SyncAll", "value": "false"}]}).status_code == 204
    assignment = assign(source, sp, source.users[0]["id"])
    second = cycle(emu, emu_http, job_id=job["id"])[0]
    assert second["deleted"] == len(source.users) - 1 and second["exported"] == 0
    kept = target_user(target, source.users[0])
    assert len(kept) == 1 and target_user(target, source.users[1]) == []
    assert source.call("DELETE", "/servicePrincipals/%s/appRoleAssignedTo/%s" % (sp["id"], assignment["id"])).status_code == 204
    assert cycle(emu, emu_http)[0]["deleted"] == 1
    assert target.get("/users/%s" % kept[0]["id"]).status_code == 404


def test_a_target_withdrawing_its_policy_quarantines_the_job(emu, emu_http, source, target):
    sp, job, sync = configured(source, target)
    path = "%s/jobs/%s" % (sync, job["id"])
    source.call("POST", path + "/start")
    assign(source, sp, source.users[0]["id"])
    cycle(emu, emu_http)
    assert target.call("PATCH", "%s/%s/identitySynchronization" % (PARTNERS, source.id),
                       {"userSyncInbound": {"isSyncAllowed": False}}).status_code == 204
    failed = cycle(emu, emu_http)[0]
    assert failed["status_code"] == "Quarantine" and "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure" in failed["errors"][0]
    status = source.get(path).json()["status"]
    assert status["code"] == "Quarantine" and status["quarantine"]["reason"] == "EncounteredQuarantineException"
    assert status["quarantine"]["error"]["code"] == "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure"
    assert status["countSuccessiveCompleteFailures"] == 1 and status["lastExecution"]["state"] == "Failed"
    # Users already synchronized are left as they are.
    assert len(target_user(target, source.users[0])) == 1
    assert source.call("POST", path + "/restart", {"criteria": {"resetScope": "QuarantineState"}}).status_code == 204
    assert source.get(path).json()["status"]["quarantine"] is None
    cycle(emu, emu_http)
    assert source.get(path).json()["status"]["code"] == "Quarantine"
    assert source.call("POST", path + "/start").status_code == 204
    assert source.get(path).json()["status"]["quarantine"] is None


def test_a_paused_job_takes_no_part_in_a_cycle(emu, emu_http, source, target):
    sp, job, sync = configured(source, target)
    assign(source, sp, source.users[0]["id"])
    assert cycle(emu, emu_http) == []
    bad = emu_http.post(emu.info["control_url"] + "/synchronization/cycle", json={"tenant": "nope"})
    assert bad.status_code == 400


# ---- the walkthrough -----------------------------------------------------------------------------

def test_the_requests_and_msal_walkthrough_runs_against_a_running_emulator(emu):
    run = subprocess.run([sys.executable, "-m", "tests.emulator.walkthrough", "--info",
                          os.path.join(emu.info["state_dir"], "emulator.json")],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "every answer was as documented" in run.stdout and "#EXT#@" in run.stdout
