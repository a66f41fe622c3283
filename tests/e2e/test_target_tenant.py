# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The real job: examples/target_tenant.yml, unchanged, as a user runs it (sign-in from the
environment, as an AWX credential injects it), against the emulator. It converges in at most three
writes, a rerun writes nothing, ``--check --diff`` on a changed copy writes nothing and predicts what
applying the copy does, and its teardown refuses without force and removes both objects, in Graph's
order, with it. examples/try_it.yml (what scripts/try.sh runs) is the job twice and a read-back."""

import os

import pytest

from harness import REPO, diff_lines, of_kind, run_playbook, task_output

EXAMPLE = os.path.join(REPO, "examples", "target_tenant.yml")
TRY_IT = os.path.join(REPO, "examples", "try_it.yml")
SOURCE = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"  # the example's source tenant
PARTNER_TASK = "Partner configuration for the source tenant, redeeming its users' invitations automatically"
POLICY_TASK = "Cross-tenant sync policy allowing user synchronization from the source tenant"
TEARDOWN_TASK = "Delete the partner configuration; with teardown_force, its sync policy first"
PARTNERS = "/v1.0/policies/crossTenantAccessPolicy/partners"
PARTNER = PARTNERS + "/" + SOURCE
POLICY = PARTNER + "/identitySynchronization"


def sign_in_env(emu):
    info = emu.info
    return {"AZURE_TENANT_ID": info["tenant"], "AZURE_CLIENT_ID": info["client_id"], "AZURE_CLIENT_SECRET": info["client_secret"],
            "AZURE_AUTHORITY_HOST": info["authority_host"]}


def run_job(collection, emu, playbook=EXAMPLE, **options):
    """The playbook as scripts/try.sh runs it: sign-in from the environment, the emulator's Graph and CA as variables."""
    extra_vars = dict(graph_endpoint=emu.info["graph_endpoint"], ca_path=emu.info["ca_path"])
    extra_vars.update(options.pop("extra_vars", {}))
    return run_playbook(collection, playbook=playbook, env=sign_in_env(emu), extra_vars=extra_vars, **options)


def writes(emu):
    return [(entry["method"], entry["path"], entry["status"]) for entry in of_kind(emu.requests(), "graph_write")]


def converge(collection, emu):
    run = run_job(collection, emu)
    assert run.rc == 0, run.output
    return run


def test_converges_in_at_most_three_writes_and_a_rerun_writes_nothing(collection, emu):
    first = converge(collection, emu)
    # Microsoft's tutorial takes three writes (POST the partner, PUT the sync policy, PATCH the consent);
    # the job sends the consent with the POST.
    assert writes(emu) == [("POST", PARTNERS, 201), ("PUT", POLICY, 204)]
    assert all(entry["path"].startswith("/v1.0/") for entry in of_kind(emu.requests(), "graph_read", "graph_write"))
    assert first.status(PARTNER_TASK) == "changed" and first.status(POLICY_TASK) == "changed"

    objects = emu.objects()
    [partner] = objects["partners"]
    assert partner["tenantId"] == SOURCE
    assert partner["automaticUserConsentSettings"] == {"inboundAllowed": True, "outboundAllowed": None}
    assert objects["partner_policy"] == [{"tenantId": SOURCE, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True},
                                          "deletedDateTime": None, "externalCloudAuthorizedApplicationId": None,
                                          "groupSyncInbound": None, "roleEnabledGroupSyncInbound": None}]
    summary = first.result("Show what the target tenant now has for the source tenant")["msg"]
    assert "automatic consent inbound=True" in summary[0] and "(changed)" in summary[0], summary
    assert "user sync allowed=True" in summary[1] and "Graph v1.0" in summary[1], summary

    emu.clear_requests()
    second = converge(collection, emu)
    assert writes(emu) == []
    assert second.status(PARTNER_TASK) == "ok" and second.status(POLICY_TASK) == "ok"
    assert "(unchanged" in second.result("Show what the target tenant now has for the source tenant")["msg"][1]
    assert emu.objects() == objects


def changed_copy(tmp_path):
    """The example as a user edits it: the source tenant renamed, and its MFA trusted."""
    with open(EXAMPLE) as handle:
        text = handle.read()
    edits = [("    source_tenant_name: Fabrikam\n", "    source_tenant_name: Fabrikam Ltd\n"),
             ("        automatic_user_consent_settings:\n          inbound_allowed: true\n",
              "        automatic_user_consent_settings:\n          inbound_allowed: true\n"
              "        inbound_trust:\n          is_mfa_accepted: true\n")]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "target_tenant.yml"
    path.write_text(text)
    return str(path)


def test_check_diff_on_a_changed_copy_writes_nothing_and_predicts_the_result(collection, emu, tmp_path):
    converge(collection, emu)
    converged = emu.objects()
    copy = changed_copy(tmp_path)

    emu.clear_requests()
    preview = run_job(collection, emu, playbook=copy, check=True, diff=True)
    assert preview.rc == 0, preview.output
    assert writes(emu) == []
    assert emu.objects() == converged

    applied = run_job(collection, emu, playbook=copy, diff=True)
    assert applied.rc == 0, applied.output
    assert writes(emu) == [("PATCH", PARTNER, 204), ("PATCH", POLICY, 204)]
    for task in (PARTNER_TASK, POLICY_TASK):
        predicted, actual = preview.result(task), applied.result(task)
        for key in ("changed", "partner", "changed_properties", "diff", "api_version"):
            assert predicted[key] == actual[key], (task, key)
        # What --check --diff printed is what the real run printed.
        assert diff_lines(task_output(preview.output, task)) == diff_lines(task_output(applied.output, task))
    assert applied.result(PARTNER_TASK)["changed_properties"] == ["inboundTrust"]
    assert applied.result(POLICY_TASK)["changed_properties"] == ["displayName"]
    assert diff_lines(task_output(preview.output, POLICY_TASK)) == ['-    "displayName": "Fabrikam",', '+    "displayName": "Fabrikam Ltd",']
    # The change kept what the copy did not touch, on the server.
    [partner] = emu.objects()["partners"]
    assert partner["automaticUserConsentSettings"]["inboundAllowed"] is True
    assert partner["inboundTrust"]["isMfaAccepted"] is True
    assert emu.objects()["partner_policy"][0]["userSyncInbound"] == {"isSyncAllowed": True}


def test_teardown_refuses_without_force_and_with_it_removes_both_in_order(collection, emu):
    converge(collection, emu)
    converged = emu.objects()

    emu.clear_requests()
    refused = run_job(collection, emu, extra_args=["--tags", "teardown"])
    assert refused.rc != 0
    assert refused.status(TEARDOWN_TASK) == "failed"
    msg = refused.result(TEARDOWN_TASK)["msg"]
    assert SOURCE in msg and "force" in msg and "nothing was deleted" in msg, msg
    assert "Traceback" not in refused.output
    # Only the teardown play ran: the setup tasks did not.
    assert [entry["task"] for entry in refused.results] == [TEARDOWN_TASK]
    assert writes(emu) == []
    assert emu.objects() == converged

    forced = run_job(collection, emu, extra_args=["--tags", "teardown"], extra_vars={"teardown_force": True})
    assert forced.rc == 0, forced.output
    result = forced.result(TEARDOWN_TASK)
    assert result["changed"] is True and result["partner"] == {}
    assert result["deleted_sync_policy"]["tenantId"] == SOURCE
    assert writes(emu) == [("DELETE", POLICY, 204), ("DELETE", PARTNER, 204)]
    objects = emu.objects()
    assert objects["partners"] == [] and objects["partner_policy"] == []
    # Both restorable for 30 days.
    assert [obj["tenantId"] for obj in objects["deleted_partners"]] == [SOURCE]
    assert [obj["tenantId"] for obj in objects["deleted_items"]] == [SOURCE]
    assert "sync policy %s deleted first, then partner configuration %s" % (SOURCE, SOURCE) in \
        forced.result("Show what was deleted")["msg"]

    # Torn down already: a second teardown has nothing to do.
    emu.clear_requests()
    again = run_job(collection, emu, extra_args=["--tags", "teardown"], extra_vars={"teardown_force": True})
    assert again.rc == 0, again.output
    assert again.status(TEARDOWN_TASK) == "ok"
    assert writes(emu) == []


@pytest.mark.parametrize("check", [False, True], ids=["apply", "check"])
def test_try_it_runs_the_job_twice_and_reads_it_back(collection, emu, check):
    """What scripts/try.sh runs: the second run of the job changes nothing, and the read-back shows both objects."""
    run = run_job(collection, emu, playbook=TRY_IT, check=check, diff=check)
    assert run.rc == 0, run.output
    shown = run.result("Show them")["msg"]
    if check:
        assert writes(emu) == []
        assert shown == {"partner_configuration": [], "sync_policy": []}
        return
    assert writes(emu) == [("POST", PARTNERS, 201), ("PUT", POLICY, 204)]
    assert run.status("Check the second run changed nothing and both objects are there") == "ok"
    assert [p["tenantId"] for p in shown["partner_configuration"]] == [SOURCE]
    assert shown["sync_policy"] == [{"tenantId": SOURCE, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}]
