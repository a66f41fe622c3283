# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""examples/cross_tenant_sync.yml, unchanged, as scripts/try.sh runs it: both tenants of the emulator, each play
signed in to its own tenant with its own app (given as variables), against the emulator's two tenants.

The first run sets up both tenants and the user provisioned on demand arrives in the target tenant, where the
target tenant's own app reads it with Graph; a rerun changes nothing; ``--check --diff`` on fresh tenants writes
nothing and predicts what the real run then does."""

import os


from harness import REPO, of_kind, run_playbook
from tenants_support import CTS_TEMPLATE, cycle, target_user

EXAMPLE = os.path.join(REPO, "examples", "cross_tenant_sync.yml")
TARGET_PARTNER = "Target - partner configuration for the source tenant, redeeming its users' invitations automatically"
TARGET_POLICY = "Target - cross-tenant sync policy allowing user synchronization from the source tenant"
SOURCE_PARTNER = "Source - partner configuration for the target tenant, redeeming invitations there without a prompt"
CONFIGURATION = "Source - synchronization configuration, checked against the target tenant, its job started"
PROVISION = "Source - provision users on demand now, rather than at the job's next cycle"
STATUS = "Source - read the synchronization job's status"
SHOW = "Source - show the configuration, its job and who was provisioned"
QUARANTINE = "Source - the job is not in quarantine"
WRITING_TASKS = (TARGET_PARTNER, TARGET_POLICY, SOURCE_PARTNER, CONFIGURATION, PROVISION)
NAME = "Contoso to Fabrikam"  # the example's configuration name, from its tenant names


def example_vars(info):
    """The variables scripts/try.sh passes: both tenants' apps, the source's first user and its Sales group."""
    source, target = info["tenants"][0], info["tenants"][1]
    sales = next(group for group in source["groups"] if group["displayName"] == "Sales")
    return {
        "source_tenant_id": source["tenant"], "source_client_id": source["client_id"], "source_client_secret": source["client_secret"],
        "target_tenant_id": target["tenant"], "target_client_id": target["client_id"], "target_client_secret": target["client_secret"],
        "sync_assignments": [{"principal_id": source["users"][0]["id"], "principal_type": "user"},
                             {"principal_id": sales["id"], "principal_type": "group"}],
        "graph_endpoint": info["graph_endpoint"], "ca_path": info["ca_path"],
    }


def run_example(collection, emu, **options):
    # Only the emulator's sign-in host comes from the environment; every credential is a variable.
    return run_playbook(collection, playbook=EXAMPLE, env={"AZURE_AUTHORITY_HOST": emu.info["authority_host"]},
                        extra_vars=example_vars(emu.info), **options)


def writes(emu):
    return [(entry["method"], entry["path"], entry["status"]) for entry in of_kind(emu.requests(), "graph_write")]


def configurations(tenant):
    found = tenant.get("/applications?$filter=applicationTemplateId eq '%s'" % CTS_TEMPLATE)
    assert found.status_code == 200, found.text
    return found.json()["value"]


def synchronized_users(tenant):
    found = tenant.get("/users?$select=id,displayName,userPrincipalName,userType,creationType")
    assert found.status_code == 200, found.text
    return [user for user in found.json()["value"] if user["creationType"] == "Invitation"]


def test_first_run_sets_up_both_tenants_and_the_user_arrives_then_a_rerun_changes_nothing(
        collection, emu, emu_http, source, target):
    adele, alex = source.users[0], source.users[1]
    first = run_example(collection, emu)
    assert first.rc == 0, first.output
    assert [first.status(task) for task in WRITING_TASKS] == ["changed"] * len(WRITING_TASKS), first.output
    assert first.status(QUARANTINE) == "ok"

    # Each play signed in to its own tenant: the target holds the source's partner configuration and sync policy,
    # the source the target's partner configuration.
    in_target, in_source = emu.objects(target.id), emu.objects(source.id)
    assert [(p["tenantId"], p["automaticUserConsentSettings"]["inboundAllowed"]) for p in in_target["partners"]] == [(source.id, True)]
    assert [(p["tenantId"], p["userSyncInbound"]["isSyncAllowed"]) for p in in_target["partner_policy"]] == [(source.id, True)]
    assert [(p["tenantId"], p["automaticUserConsentSettings"]["outboundAllowed"]) for p in in_source["partners"]] == [(target.id, True)]
    assert in_source["partner_policy"] == []
    assert [app["displayName"] for app in configurations(source)] == [NAME]
    assert configurations(target) == []

    configuration = first.result(CONFIGURATION)["configuration"]
    assert configuration["name"] == NAME and configuration["target_tenant_id"] == target.id
    assert configuration["scope"] == "assigned"
    assert sorted((a["principal_id"], a["principal_type"]) for a in configuration["assignments"]) == sorted(
        [(adele["id"], "user"), (next(g["id"] for g in source.groups if g["displayName"] == "Sales"), "group")])
    assert configuration["job"]["schedule_state"] == "Active"
    assert first.result(STATUS)["configurations"][0]["job"]["schedule_state"] == "Active"

    # The user provisioned on demand is in the target tenant, as the target tenant's own app reads it.
    [provisioned] = first.result(PROVISION)["results"]
    assert (provisioned["user_id"], provisioned["status"]) == (adele["id"], "success")
    [arrived] = target_user(target, adele)
    assert arrived["id"] == provisioned["target_user_id"]
    assert (arrived["displayName"], arrived["userType"]) == (adele["displayName"], "Member")
    assert [user["id"] for user in synchronized_users(target)] == [arrived["id"]]
    assert "the target tenant: ['%s']" % arrived["id"] in first.result(SHOW)["msg"][2]

    emu.clear_requests()
    second = run_example(collection, emu)
    assert second.rc == 0, second.output
    assert [entry["task"] for entry in second.results if entry["status"] == "changed"] == [], second.output
    # The one request that is not a read asks Graph to provision the user again, which it skips: already up to date.
    assert [(method, path.rsplit("/", 1)[1], status) for method, path, status in writes(emu)] == \
        [("POST", "provisionOnDemand", 200)]
    assert second.result(PROVISION)["results"][0]["status"] == "skipped"
    assert second.result(CONFIGURATION)["actions"] == []
    assert [user["id"] for user in synchronized_users(target)] == [arrived["id"]]

    # The group's members are in scope too: the job's next cycle brings the second member of Sales.
    cycle(emu, emu_http, tenant=source.id)
    assert len(target_user(target, alex)) == 1


def test_check_mode_on_fresh_tenants_writes_nothing_and_predicts_the_run(collection, emu, source, target):
    preview = run_example(collection, emu, check=True, diff=True)
    assert preview.rc == 0, preview.output
    assert writes(emu) == []
    for tenant in (source, target):
        assert emu.objects(tenant.id)["partners"] == [] and emu.objects(tenant.id)["partner_policy"] == []
        assert configurations(tenant) == []
        assert synchronized_users(tenant) == []
    for task in (TARGET_PARTNER, TARGET_POLICY, SOURCE_PARTNER, CONFIGURATION):
        assert preview.status(task) == "changed", (task, preview.output)
    # Provisioning cannot be predicted; Ansible skips it in check mode.
    assert preview.status(PROVISION) == "skipped"
    predicted = preview.result(CONFIGURATION)
    assert preview.result(STATUS)["configurations"] == []

    applied = run_example(collection, emu)
    assert applied.rc == 0, applied.output
    assert applied.result(CONFIGURATION)["actions"] == predicted["actions"]
    assert [action.split(" ", 1)[0] for action in predicted["actions"]] == ["create", "create", "save", "assign", "assign", "start"]
    for task in (TARGET_PARTNER, TARGET_POLICY, SOURCE_PARTNER):
        assert applied.result(task)["partner"] == preview.result(task)["partner"], task
