# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's tenants and the source tenant's configuration objects, over TLS with MSAL and requests:
one tenant per token, users and groups, instantiate, applications, service principals, appRoleAssignedTo,
permissions and the replication delay (tests/emulator/README.md, "Several tenants" and the rules table)."""

import json
import os
import signal
import subprocess
import sys
import time

import msal
import requests
from tenants_support import CTS_TEMPLATE, PARTNERS, Tenant, assign, error_of, instantiate, role_id

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---- tenants -----------------------------------------------------------------------------------

def test_info_lists_the_tenants_home_first(emu):
    tenants = emu.info["tenants"]
    assert len(tenants) == 2 and tenants[0]["tenant"] == emu.info["tenant"] != tenants[1]["tenant"]
    for entry in tenants:
        assert {"tenant", "client_id", "client_secret", "users", "groups"} <= set(entry)
        assert entry["users"] and {"id", "userPrincipalName", "displayName", "mail"} == set(entry["users"][0])
        assert entry["groups"] and {"id", "displayName"} == set(entry["groups"][0])
    # The home tenant's keys of old are still its own apps.
    assert emu.info["client_id"] != tenants[0]["client_id"]


def test_tenants_and_replication_delay_are_command_line_options(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--port", "0", "--state-dir", str(tmp_path), "--tenants", "3",
                             "--replication-delay", "5"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert len({entry["tenant"] for entry in info["tenants"]}) == 3 and info["tenants"][0]["tenant"] == info["tenant"]
        with requests.Session() as session:
            session.trust_env = False
            session.verify = info["ca_path"]
            assert session.get(info["control_url"] + "/replication-delay").json() == {"seconds": 5.0}
            assert len(session.get(info["control_url"] + "/tenants").json()) == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_graph_acts_on_the_tenant_of_the_token(source, target):
    assert target.call("POST", PARTNERS, {"tenantId": source.id}).status_code == 201
    assert [p["tenantId"] for p in target.get("/policies/crossTenantAccessPolicy/partners").json()["value"]] == [source.id]
    assert source.get("/policies/crossTenantAccessPolicy/partners").json()["value"] == []
    _app, sp = instantiate(source)
    # Another tenant's object is not there for this token: the directory's 404.
    missing = target.get("/servicePrincipals/%s" % sp["id"])
    assert missing.status_code == 404 and error_of(missing)["code"] == "Request_ResourceNotFound"
    assert source.get("/servicePrincipals/%s" % sp["id"]).status_code == 200


def test_an_app_signs_in_only_to_its_own_tenant(emu, emu_http):
    entry, other = emu.info["tenants"][0], emu.info["tenants"][1]
    app = msal.ConfidentialClientApplication(
        entry["client_id"], client_credential=entry["client_secret"],
        authority="%s/%s" % (emu.info["authority_host"], other["tenant"]), instance_discovery=False, http_client=emu_http)
    result = app.acquire_token_for_client(scopes=[emu.info["scope"]])
    assert result.get("error") == "unauthorized_client" and 700016 in result["error_codes"], result


def test_a_token_whose_tenant_does_not_sign_it_is_refused(emu, emu_http, source, target):
    # The target's app token presented with a signature of the source's key: Graph's 401.
    header, payload, _signature = target.token.split(".")
    forged = ".".join([header, payload, source.token.split(".")[2]])
    resp = emu_http.get(emu.info["graph_endpoint"] + "/v1.0/users", headers={"Authorization": "Bearer " + forged})
    assert resp.status_code == 401 and error_of(resp)["code"] == "InvalidAuthenticationToken"


# ---- users and groups --------------------------------------------------------------------------

def test_users_are_listed_paged_and_filtered(source):
    first = source.get("/users?$top=2")
    assert first.status_code == 200 and len(first.json()["value"]) == 2 and "@odata.nextLink" in first.json()
    rest = source.session.get(first.json()["@odata.nextLink"], headers={"Authorization": "Bearer " + source.token})
    assert len(first.json()["value"]) + len(rest.json()["value"]) == len(source.users)
    upn = source.users[1]["userPrincipalName"]
    found = source.get("/users?$filter=userPrincipalName eq '%s'" % upn.upper()).json()["value"]
    assert [user["id"] for user in found] == [source.users[1]["id"]]
    refused = source.get("/users?$filter=jobTitle eq 'x'")
    assert refused.status_code == 400 and error_of(refused)["code"] == "Request_UnsupportedQuery"


def test_a_user_is_read_by_id_or_upn_and_a_group_with_its_members(source):
    user = source.users[0]
    by_id = source.get("/users/%s" % user["id"]).json()
    by_upn = source.get("/users/%s?$select=id,userType" % user["userPrincipalName"]).json()
    assert by_id["userPrincipalName"] == user["userPrincipalName"] and "userType" not in by_id
    assert by_upn["id"] == user["id"] and by_upn["userType"] == "Member"
    group = source.groups[0]
    assert source.get("/groups/%s" % group["id"]).json()["displayName"] == group["displayName"]
    members = source.get("/groups/%s/members" % group["id"]).json()["value"]
    assert members and all(member["@odata.type"] == "#microsoft.graph.user" for member in members)
    assert source.get("/users/%s" % group["id"]).status_code == 404


# ---- instantiate, applications, service principals ----------------------------------------------

def test_instantiate_answers_the_documented_201(source):
    resp = source.call("POST", "/applicationTemplates/%s/instantiate" % CTS_TEMPLATE, {"displayName": "Contoso to Fabrikam"})
    assert resp.status_code == 201
    body = resp.json()
    assert body["@odata.context"].endswith("$metadata#microsoft.graph.applicationServicePrincipal")
    app, sp = body["application"], body["servicePrincipal"]
    assert app["applicationTemplateId"] == sp["applicationTemplateId"] == CTS_TEMPLATE
    assert app["appId"] == sp["appId"] and sp["servicePrincipalNames"] == [app["appId"]]
    assert sp["appRoleAssignmentRequired"] is True and sp["servicePrincipalType"] == "Application"
    assert sp["tags"] == ["WindowsAzureActiveDirectoryIntegratedApp"] and app["signInAudience"] == "AzureADMyOrg"
    for obj in (app, sp):
        assert [(role["displayName"], role["value"], role["allowedMemberTypes"]) for role in obj["appRoles"]] == [
            ("msiam_access", None, ["User"])]
    assert app["api"]["oauth2PermissionScopes"][0]["value"] == "user_impersonation"


def test_instantiate_refusals(emu, emu_http, source):
    unknown = source.call("POST", "/applicationTemplates/%s/instantiate" % "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
                          {"displayName": "x"})
    assert unknown.status_code == 404
    assert source.call("POST", "/applicationTemplates/%s/instantiate" % CTS_TEMPLATE, {}).status_code == 400
    policy_only = Tenant(emu, emu_http, 0, emu.info["client_id"], emu.info["client_secret"])
    denied = policy_only.call("POST", "/applicationTemplates/%s/instantiate" % CTS_TEMPLATE, {"displayName": "x"})
    assert denied.status_code == 403 and error_of(denied)["code"] == "Authorization_RequestDenied"
    # The template itself needs no permission beyond a valid token.
    assert policy_only.get("/applicationTemplates/%s" % CTS_TEMPLATE).json()["id"] == CTS_TEMPLATE


def test_applications_are_paged_and_filtered_by_name_and_template(source):
    first, _sp = instantiate(source, "First")
    instantiate(source, "Second")
    page = source.get("/applications?$top=1").json()
    assert len(page["value"]) == 1 and "@odata.nextLink" in page
    found = source.get("/applications?$filter=applicationTemplateId eq '%s' and displayName eq 'First'" % CTS_TEMPLATE).json()
    assert [app["id"] for app in found["value"]] == [first["id"]]
    assert source.get("/applications/%s" % first["id"]).json()["displayName"] == "First"


def test_service_principals_are_filtered_by_app_id_and_name_only(source):
    app, sp = instantiate(source, "Only one")
    assert [s["id"] for s in source.get("/servicePrincipals?$filter=appId eq '%s'" % app["appId"]).json()["value"]] == [sp["id"]]
    assert [s["id"] for s in source.get("/servicePrincipals?$filter=displayName eq 'Only one'").json()["value"]] == [sp["id"]]
    refused = source.get("/servicePrincipals?$filter=applicationTemplateId eq '%s'" % CTS_TEMPLATE)
    assert refused.status_code == 400 and error_of(refused)["code"] == "Request_UnsupportedQuery"


def test_a_service_principal_is_also_addressed_by_app_id(source):
    app, sp = instantiate(source)
    assert source.get("/servicePrincipals(appId='%s')" % app["appId"]).json()["id"] == sp["id"]
    assert source.get("/servicePrincipals(appId='%s')/appRoleAssignedTo" % app["appId"]).json()["value"] == []
    assert source.get("/servicePrincipals(appId='%s')" % sp["id"]).status_code == 404


def test_deleting_the_application_takes_its_service_principal_and_jobs(source):
    app, sp = instantiate(source)
    job = source.call("POST", "/servicePrincipals/%s/synchronization/jobs" % sp["id"], {"templateId": "Azure2Azure"}).json()
    assert source.call("DELETE", "/applications/%s" % app["id"]).status_code == 204
    for path in ("/applications/%s" % app["id"], "/servicePrincipals/%s" % sp["id"],
                 "/servicePrincipals/%s/synchronization/jobs/%s" % (sp["id"], job["id"])):
        assert source.get(path).status_code == 404, path


# ---- appRoleAssignedTo -------------------------------------------------------------------------

def test_assignments_are_created_listed_and_deleted(source):
    _app, sp = instantiate(source)
    user = assign(source, sp, source.users[0]["id"])
    group = assign(source, sp, source.groups[0]["id"])
    assert (user["principalType"], group["principalType"]) == ("User", "Group")
    assert user["resourceId"] == sp["id"] and user["appRoleId"] == role_id(sp) and len(user["id"]) == 43
    path = "/servicePrincipals/%s/appRoleAssignedTo" % sp["id"]
    assert {a["id"] for a in source.get(path).json()["value"]} == {user["id"], group["id"]}
    assert source.call("DELETE", "%s/%s" % (path, user["id"])).status_code == 204
    assert source.call("DELETE", "%s/%s" % (path, user["id"])).status_code == 404
    assert [a["id"] for a in source.get(path).json()["value"]] == [group["id"]]


def test_a_duplicate_or_unknown_role_assignment_is_refused(source):
    _app, sp = instantiate(source)
    assign(source, sp, source.users[0]["id"])
    path = "/servicePrincipals/%s/appRoleAssignedTo" % sp["id"]
    again = source.call("POST", path, {"principalId": source.users[0]["id"], "resourceId": sp["id"], "appRoleId": role_id(sp)})
    assert again.status_code == 400 and "already exists" in error_of(again)["message"]
    wrong = source.call("POST", path, {"principalId": source.users[1]["id"], "resourceId": sp["id"],
                                       "appRoleId": "00000000-0000-0000-0000-000000000000"})
    assert wrong.status_code == 400 and "not found on application" in error_of(wrong)["message"]


def test_assigning_needs_app_role_assignment_permission(emu, emu_http, source):
    _app, sp = instantiate(source)
    reader = emu.add_app(roles=["Application.Read.All"], tenant=source.id)
    limited = Tenant(emu, emu_http, 0, reader["client_id"], reader["client_secret"])
    body = {"principalId": source.users[0]["id"], "resourceId": sp["id"], "appRoleId": role_id(sp)}
    denied = limited.call("POST", "/servicePrincipals/%s/appRoleAssignedTo" % sp["id"], body)
    assert denied.status_code == 403 and error_of(denied)["code"] == "Authorization_RequestDenied"
    assert limited.get("/servicePrincipals/%s/appRoleAssignedTo" % sp["id"]).status_code == 200


# ---- replication delay -------------------------------------------------------------------------

def test_a_new_service_principal_is_missing_while_replication_lasts(emu, emu_http, source):
    control = emu.info["control_url"]
    assert emu_http.put(control + "/replication-delay", json={"seconds": 600}).status_code == 204
    app, sp = instantiate(source)
    for path in ("/servicePrincipals/%s" % sp["id"], "/applications/%s" % app["id"]):
        assert source.get(path).status_code == 404
    created = source.call("POST", "/servicePrincipals/%s/synchronization/jobs" % sp["id"], {"templateId": "Azure2Azure"})
    assert created.status_code == 404 and error_of(created)["code"] == "Request_ResourceNotFound"
    assert source.get("/servicePrincipals?$filter=appId eq '%s'" % app["appId"]).json()["value"] == []

    assert emu_http.put(control + "/replication-delay", json={"seconds": 0.2}).status_code == 204
    _app, quick = instantiate(source, "Quick")
    deadline = time.monotonic() + 30
    while source.get("/servicePrincipals/%s" % quick["id"]).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert source.get("/servicePrincipals/%s" % quick["id"]).status_code == 200
    assert emu_http.get(control + "/replication-delay").json() == {"seconds": 0.2}


# ---- in process ----------------------------------------------------------------------------------

def test_the_in_process_emulator_serves_the_same_tenants():
    from tests.emulator.inprocess import InProcessEmulator

    with InProcessEmulator(tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47") as emu:
        session = emu.session()
        target = emu.info["tenants"][1]
        assert emu.info["tenants"][0]["tenant"] == "72f988bf-86f1-41af-91ab-2d7cd011db47" != target["tenant"]
        app = msal.ConfidentialClientApplication(
            target["client_id"], client_credential=target["client_secret"],
            authority="%s/%s" % (emu.info["authority_host"], target["tenant"]), http_client=session)
        token = app.acquire_token_for_client(scopes=[emu.info["scope"]])["access_token"]
        users = session.get(emu.info["graph_endpoint"] + "/v1.0/users", headers={"Authorization": "Bearer " + token})
        assert {user["id"] for user in users.json()["value"]} == {user["id"] for user in target["users"]}
        made = session.post(emu.info["graph_endpoint"] + "/v1.0/applicationTemplates/%s/instantiate" % CTS_TEMPLATE,
                            json={"displayName": "In process"}, headers={"Authorization": "Bearer " + token})
        assert made.status_code == 201 and emu.run_sync_cycle() == {"jobs": []}
