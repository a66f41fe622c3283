# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cross-tenant synchronization from end to end, with nothing but requests and MSAL, against the emulator:

    python -m tests.emulator.walkthrough                      # starts an emulator of its own
    python -m tests.emulator.walkthrough --info DIR/emulator.json   # or uses a running one (python -m tests.emulator)

It signs in to both tenants (tenants[0] = source, tenants[1] = target), sets up the target (partner
configuration allowing automatic consent inbound, a sync policy allowing user sync), the source (partner
configuration allowing it outbound), instantiates the cross-tenant synchronization app, validates, creates
the job, saves the secrets, assigns a user, starts the job, runs a cycle and reads the user in the target.
Every answer is checked against tests/emulator/README.md's rules; the first one that differs stops the run
with exit status 1. A running emulator is changed (use a fresh one, or one you can reset)."""

import argparse
import json
import sys
import tempfile

import msal
import requests

CTS_TEMPLATE = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"


class Mismatch(Exception):
    pass


def expect(resp, status, what):
    if resp.status_code != status:
        raise Mismatch("%s: expected HTTP %d, got %d: %s" % (what, status, resp.status_code, resp.text[:500]))
    return resp.json() if resp.content and status != 204 else None


def check(condition, what):
    if not condition:
        raise Mismatch(what)


class Tenant:
    """A signed-in tenant: Graph calls with its app's token."""

    def __init__(self, info, entry, session):
        self.id = entry["tenant"]
        self.users = entry["users"]
        self.groups = entry["groups"]
        self.session = session
        self.graph = info["graph_endpoint"] + "/v1.0"
        app = msal.ConfidentialClientApplication(
            entry["client_id"], client_credential=entry["client_secret"],
            authority="%s/%s" % (info["authority_host"], self.id), instance_discovery=False, http_client=session)
        result = app.acquire_token_for_client(scopes=[info["scope"]])
        check("access_token" in result, "sign-in to tenant %s failed: %s" % (self.id, result.get("error_description")))
        self.headers = {"Authorization": "Bearer " + result["access_token"]}

    def call(self, method, path, body=None):
        return self.session.request(method, self.graph + path, json=body, headers=self.headers, timeout=30)


def walk(info, session, say=print):
    source_entry, target_entry = info["tenants"][0], info["tenants"][1]
    source, target = Tenant(info, source_entry, session), Tenant(info, target_entry, session)
    say("signed in to source %s and target %s" % (source.id, target.id))

    # Target: a partner configuration for the source with automatic consent inbound, and a sync policy.
    partners = "/policies/crossTenantAccessPolicy/partners"
    expect(target.call("POST", partners, {"tenantId": source.id}), 201, "target: create the partner configuration")
    expect(target.call("PUT", "%s/%s/identitySynchronization" % (partners, source.id),
                       {"displayName": "walkthrough", "userSyncInbound": {"isSyncAllowed": True}}), 204,
           "target: create the sync policy")
    expect(target.call("PATCH", "%s/%s" % (partners, source.id),
                       {"automaticUserConsentSettings": {"inboundAllowed": True}}), 204, "target: allow consent inbound")
    say("target allows inbound synchronization from the source")

    # Source: a partner configuration for the target with automatic consent outbound.
    expect(source.call("POST", partners, {"tenantId": target.id}), 201, "source: create the partner configuration")
    expect(source.call("PATCH", "%s/%s" % (partners, target.id),
                       {"automaticUserConsentSettings": {"outboundAllowed": True}}), 204, "source: allow consent outbound")

    created = expect(source.call("POST", "/applicationTemplates/%s/instantiate" % CTS_TEMPLATE,
                                 {"displayName": "Walkthrough to %s" % target.id}), 201, "instantiate")
    app, sp = created["application"], created["servicePrincipal"]
    check(app["applicationTemplateId"] == sp["applicationTemplateId"] == CTS_TEMPLATE, "instantiate: applicationTemplateId")
    check(sp["appRoleAssignmentRequired"] is True, "instantiate: appRoleAssignmentRequired")
    roles = [role for role in sp["appRoles"] if role["displayName"] == "msiam_access"]
    check(len(roles) == 1 and roles[0]["value"] is None, "instantiate: one msiam_access role with value null")
    found = expect(source.call("GET", "/servicePrincipals?$filter=appId eq '%s'" % app["appId"]), 200, "find the service principal")
    check([item["id"] for item in found["value"]] == [sp["id"]], "the service principal is found by appId")
    say("instantiated application %s, service principal %s" % (app["id"], sp["id"]))

    sync = "/servicePrincipals/%s/synchronization" % sp["id"]
    credentials = [{"key": "CompanyId", "value": target.id}, {"key": "AuthenticationType", "value": "SyncPolicy"}]
    expect(source.call("POST", sync + "/jobs/validateCredentials",
                       {"useSavedCredentials": False, "templateId": "Azure2Azure", "credentials": credentials}), 204,
           "validateCredentials")
    job = expect(source.call("POST", sync + "/jobs", {"templateId": "Azure2Azure"}), 201, "create the job")
    check(job["id"].startswith("Azure2Azure.") and job["id"].endswith("." + app["appId"]), "job id format")
    check(job["status"]["code"] == "Paused" and job["schedule"]["state"] == "Disabled", "a new job is paused and disabled")
    expect(source.call("PUT", sync + "/secrets", {"value": credentials + [{"key": "SyncAll", "value": "false"}]}), 204,
           "save the secrets")
    saved = {item["key"]: item["value"] for item in expect(source.call("GET", sync + "/secrets"), 200, "read the secrets")["value"]}
    check(saved == {"CompanyId": target.id, "AuthenticationType": "SyncPolicy", "SyncAll": "false"}, "secrets read back: %s" % saved)
    say("validated, created job %s, saved the secrets" % job["id"])

    user = source.users[0]
    assigned = expect(source.call("POST", "/servicePrincipals/%s/appRoleAssignedTo" % sp["id"],
                                  {"principalId": user["id"], "resourceId": sp["id"], "appRoleId": roles[0]["id"]}), 201,
                      "assign %s" % user["userPrincipalName"])
    check(assigned["principalType"] == "User" and assigned["principalId"] == user["id"], "the assignment names the user")
    expect(source.call("POST", "%s/jobs/%s/start" % (sync, job["id"])), 204, "start the job")
    started = expect(source.call("GET", "%s/jobs/%s" % (sync, job["id"])), 200, "read the job")
    check(started["schedule"]["state"] == "Active" and started["status"]["code"] == "NotRun", "a started job is Active / NotRun")
    say("assigned %s and started the job" % user["userPrincipalName"])

    cycle = session.post(info["control_url"] + "/synchronization/cycle", json={"tenant": source.id, "job_id": job["id"]}, timeout=30)
    result = expect(cycle, 200, "run a cycle")["jobs"]
    check(len(result) == 1 and result[0]["status_code"] == "Active" and result[0]["exported"] == 1, "cycle: %s" % result)
    after = expect(source.call("GET", "%s/jobs/%s" % (sync, job["id"])), 200, "read the job after the cycle")["status"]
    check(after["code"] == "Active" and after["lastExecution"]["state"] == "Succeeded", "the job is Active after a good cycle")
    check(after["steadyStateFirstAchievedTime"] != "0001-01-01T00:00:00Z", "steady state reached")

    mail = user["mail"].replace("'", "''")
    synced = expect(target.call("GET", "/users?$filter=mail eq '%s'&$select=id,displayName,userPrincipalName,userType,mail" % mail),
                    200, "read the user in the target")["value"]
    check(len(synced) == 1 and synced[0]["userType"] == "Member" and synced[0]["displayName"] == user["displayName"],
          "the user is a member of the target: %s" % synced)
    say("%s is in the target tenant as %s (userType %s)" % (
        user["userPrincipalName"], synced[0]["userPrincipalName"], synced[0]["userType"]))
    return {"source": source.id, "target": target.id, "service_principal": sp["id"], "job": job["id"], "target_user": synced[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.walkthrough", description=__doc__.splitlines()[0])
    parser.add_argument("--info", help="the emulator.json of a running emulator (default: start one)")
    args = parser.parse_args(argv)
    emulator = None
    if args.info:
        with open(args.info) as handle:
            info = json.load(handle)
    else:
        from tests.emulator import Emulator
        emulator = Emulator(tempfile.mkdtemp(prefix="entra-graph-walkthrough-")).start()
        info = emulator.info
    session = requests.Session()
    session.trust_env = False
    session.verify = info["ca_path"]
    try:
        walk(info, session)
    except Mismatch as exc:
        sys.stderr.write("walkthrough: %s\n" % exc)
        return 1
    finally:
        session.close()
        if emulator is not None:
            emulator.stop()
    print("walkthrough: every answer was as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
