# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_access_default through real playbooks against the emulator, and the emulator's policy endpoints.

Three playbooks run in order on one emulator, starting from Microsoft's system default: ``--check --diff``
(a change predicted, nothing written), ``--diff`` (the change, the same task again, a bad option value) and
a reset (changed, then unchanged). What the server holds is read back through Graph itself, with a token."""

import collections

import pytest

from harness import diff_lines, module_task, of_kind, run_playbook, task_output

MODULE = "entra.graph.crosstenant_access_default"
POLICY = "/%s/policies/crossTenantAccessPolicy"
DEFAULT = POLICY + "/default"
RESET = DEFAULT + "/resetToSystemDefault"
GROUP = "6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21"

SETTINGS = dict(
    inbound_trust=dict(is_mfa_accepted=True),
    b2b_collaboration_inbound=dict(users_and_groups=dict(access_type="blocked", targets=[dict(target=GROUP, target_type="group")])),
)
TRUST_AFTER = {"isMfaAccepted": True, "isCompliantDeviceAccepted": False, "isHybridAzureADJoinedDeviceAccepted": False}
INBOUND_AFTER = {
    "usersAndGroups": {"accessType": "blocked", "targets": [{"target": GROUP, "targetType": "group"}]},
    # Left out of the task: what the system default holds stays.
    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]},
}


def everyone(access_type):
    return {"usersAndGroups": {"accessType": access_type, "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "applications": {"accessType": access_type, "targets": [{"target": "AllApplications", "targetType": "application"}]}}


# Microsoft's system default as the GET page's example shows it (tenantRestrictions: the emulator's assumption).
SYSTEM_DEFAULT = {
    "isServiceDefault": True,
    "inboundTrust": {"isMfaAccepted": False, "isCompliantDeviceAccepted": False, "isHybridAzureADJoinedDeviceAccepted": False},
    "automaticUserConsentSettings": {"inboundAllowed": False, "outboundAllowed": False},
    "b2bCollaborationOutbound": everyone("allowed"),
    "b2bCollaborationInbound": everyone("allowed"),
    "b2bDirectConnectOutbound": everyone("blocked"),
    "b2bDirectConnectInbound": everyone("blocked"),
    "tenantRestrictions": dict(everyone("allowed"), devices=None),
}


def graph(emu, http, method, path, body=None, client_id=None):
    token = emu.issue_token(client_id=client_id) if client_id else emu.issue_token()
    return http.request(method, emu.info["graph_endpoint"] + path, json=body, headers={"Authorization": "Bearer " + token})


def read_default(emu, http, version="v1.0", client_id=None):
    answer = graph(emu, http, "GET", DEFAULT % version, client_id=client_id)
    assert answer.status_code == 200, answer.text
    return dict((name, value) for name, value in answer.json().items() if not name.startswith("@"))


# ---- playbooks ------------------------------------------------------------------------------------

Run = collections.namedtuple("Run", "playbook writes default")


@pytest.fixture(scope="module")
def runs(collection, emulator):
    import requests

    info = emulator.info
    emu_http = requests.Session()
    emu_http.trust_env = False
    emu_http.verify = info["ca_path"]
    connection = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["client_id"], client_secret=info["client_secret"],
                      authority_host=info["authority_host"], graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    emulator.reset()
    plays = collections.OrderedDict([
        ("check", ([module_task("set", MODULE, SETTINGS), module_task("reset", MODULE, dict(state="reset"))],
                   dict(check=True, diff=True))),
        ("apply", ([module_task("set", MODULE, SETTINGS), module_task("set again", MODULE, SETTINGS),
                    module_task("bad value", MODULE, dict(b2b_direct_connect_outbound=dict(users_and_groups=dict(access_type="allow"))),
                                ignore_errors=True),
                    module_task("reset with a setting", MODULE, dict(SETTINGS, state="reset"), ignore_errors=True)],
                   dict(diff=True))),
        ("reset", ([module_task("reset", MODULE, dict(state="reset")), module_task("reset again", MODULE, dict(state="reset"))],
                   dict(diff=True))),
    ])
    found = {"start": read_default(emulator, emu_http)}
    for label, (tasks, options) in plays.items():
        emulator.clear_requests()
        playbook = run_playbook(collection, tasks, module_defaults=connection, **options)
        writes = [(w["method"], w["path"], w["status"]) for w in of_kind(emulator.requests(), "graph_write")]
        found[label] = Run(playbook, writes, read_default(emulator, emu_http))
    emu_http.close()
    return found


def test_a_new_tenant_has_microsofts_system_default(runs):
    assert runs["start"] == SYSTEM_DEFAULT


def test_check_mode_predicts_and_writes_nothing(runs):
    check = runs["check"]
    result = check.playbook.result("set")
    assert check.playbook.status("set") == "changed", result.get("msg")
    assert result["changed_properties"] == ["b2bCollaborationInbound", "inboundTrust"]
    assert result["default"]["inboundTrust"] == TRUST_AFTER and result["default"]["isServiceDefault"] is False
    assert check.writes == []
    assert check.default == SYSTEM_DEFAULT
    # Already the system default: nothing to reset, even in check mode.
    assert check.playbook.status("reset") == "ok"


def test_check_mode_shows_the_diff_of_the_changed_values(runs):
    printed = diff_lines(task_output(runs["check"].playbook.output, "set"))
    for line in ('-        "isMfaAccepted": false', '+        "isMfaAccepted": true', '-    "isServiceDefault": true,',
                 '+    "isServiceDefault": false,', '-            "accessType": "allowed",', '+            "accessType": "blocked",'):
        assert line in printed, (line, printed)
    assert len(printed) < 20, "only the changed values, not every setting: %s" % printed


def test_set_patches_only_what_differs_and_the_server_holds_it(runs):
    applied = runs["apply"]
    result = applied.playbook.result("set")
    assert applied.playbook.status("set") == "changed", result.get("msg")
    assert result["api_version"] == "v1.0"
    assert applied.writes == [("PATCH", DEFAULT % "v1.0", 204)], "one PATCH; the rerun and the failures write nothing"
    assert applied.default == dict(SYSTEM_DEFAULT, isServiceDefault=False, inboundTrust=TRUST_AFTER, b2bCollaborationInbound=INBOUND_AFTER)
    assert result["default"] == applied.default
    assert result["ansible_facts"]["crosstenant_access_default"] == result["default"]
    assert result["diff"] == {"before": SYSTEM_DEFAULT, "after": result["default"]}


def test_check_mode_predicted_what_the_run_did(runs):
    predicted, actual = runs["check"].playbook.result("set"), runs["apply"].playbook.result("set")
    for key in ("changed", "default", "diff", "changed_properties", "api_version"):
        assert predicted[key] == actual[key], key


def test_the_same_task_again_changes_nothing(runs):
    again = runs["apply"].playbook
    assert again.status("set again") == "ok", again.result("set again").get("msg")
    assert again.result("set again")["default"] == runs["apply"].default
    assert diff_lines(task_output(again.output, "set again")) == []


def test_a_bad_option_value_fails_naming_the_option_and_its_choices(runs):
    playbook = runs["apply"].playbook
    assert playbook.status("bad value") == "failed"
    msg = playbook.result("bad value")["msg"]
    assert "access_type" in msg and "allowed, blocked" in msg and "allow" in msg, msg
    assert "Traceback" not in playbook.output


def test_reset_refuses_settings_before_any_request(runs):
    playbook = runs["apply"].playbook
    assert playbook.status("reset with a setting") == "failed"
    msg = playbook.result("reset with a setting")["msg"]
    assert "state=reset" in msg and "inbound_trust" in msg and "b2b_collaboration_inbound" in msg, msg


def test_reset_changes_then_changes_nothing(runs):
    reset = runs["reset"]
    first = reset.playbook.result("reset")
    assert reset.playbook.status("reset") == "changed", first.get("msg")
    assert first["default"] == SYSTEM_DEFAULT
    assert first["changed_properties"] == ["b2bCollaborationInbound", "inboundTrust", "isServiceDefault"]
    assert first["diff"]["before"] == runs["apply"].default
    assert reset.playbook.status("reset again") == "ok", reset.playbook.result("reset again").get("msg")
    assert reset.writes == [("POST", RESET % "v1.0", 204)]
    assert reset.default == SYSTEM_DEFAULT


# ---- the emulator's endpoints ----------------------------------------------------------------------

@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_probe_default_patch_and_reset(emu, emu_http, version):
    assert read_default(emu, emu_http, version) == dict(SYSTEM_DEFAULT, **({"blockServiceProviderOutboundAccess": None}
                                                                           if version == "beta" else {}))

    patched = graph(emu, emu_http, "PATCH", DEFAULT % version, {"inboundTrust": {"isCompliantDeviceAccepted": True},
                                                                "isServiceDefault": True})
    assert (patched.status_code, patched.text) == (204, "")
    after = read_default(emu, emu_http, version)
    assert after["isServiceDefault"] is False, "read-only: the body's value is ignored, and the default is customized"
    assert after["inboundTrust"] == {"isMfaAccepted": False, "isCompliantDeviceAccepted": True, "isHybridAzureADJoinedDeviceAccepted": False}

    reset = graph(emu, emu_http, "POST", RESET % version)
    assert (reset.status_code, reset.text) == (204, "")
    assert read_default(emu, emu_http, version)["isServiceDefault"] is True
    assert read_default(emu, emu_http, version)["inboundTrust"]["isCompliantDeviceAccepted"] is False


def test_probe_default_answers_in_odata_form(emu, emu_http):
    answer = graph(emu, emu_http, "GET", DEFAULT % "v1.0")
    assert answer.json()["@odata.context"].endswith("/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity")
    assert answer.headers["Content-Type"].startswith("application/json")
    selected = graph(emu, emu_http, "GET", DEFAULT % "v1.0" + "?$select=isServiceDefault")
    assert {k: v for k, v in selected.json().items() if not k.startswith("@")} == {"isServiceDefault": True}


@pytest.mark.parametrize("method, path, body, status, code", [
    ("PATCH", DEFAULT % "v1.0", {"b2BCollaborationInbound": {}}, 400, "Request_BadRequest"),
    ("PATCH", DEFAULT % "v1.0", {"blockServiceProviderOutboundAccess": True}, 400, "Request_BadRequest"),
    ("PATCH", DEFAULT % "v1.0", {"inboundTrust": {"isMfaAccepted": "yes"}}, 400, "Request_BadRequest"),
    ("PATCH", DEFAULT % "v1.0", {"invitationRedemptionIdentityProviderConfiguration": {}}, 400, "Request_BadRequest"),
    ("DELETE", DEFAULT % "v1.0", None, 405, "Request_BadRequest"),
    ("GET", RESET % "v1.0", None, 405, "Request_BadRequest"),
    ("POST", DEFAULT % "v1.0" + "/resetToNothing", None, 400, "BadRequest"),
], ids=["casing", "beta-only in v1.0", "type", "not modelled", "delete", "get the action", "unknown action"])
def test_probe_refusals_change_nothing(emu, emu_http, method, path, body, status, code):
    answer = graph(emu, emu_http, method, path, body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert read_default(emu, emu_http) == SYSTEM_DEFAULT


def test_probe_beta_only_property_is_writable_on_beta(emu, emu_http):
    assert graph(emu, emu_http, "PATCH", DEFAULT % "beta", {"blockServiceProviderOutboundAccess": True}).status_code == 204
    assert read_default(emu, emu_http, "beta")["blockServiceProviderOutboundAccess"] is True
    assert "blockServiceProviderOutboundAccess" not in read_default(emu, emu_http, "v1.0")


def test_probe_writes_need_the_write_permission(emu, emu_http):
    reader = emu.info["readonly_client_id"]
    assert read_default(emu, emu_http, client_id=reader)["isServiceDefault"] is True
    for method, path, body in (("PATCH", DEFAULT % "v1.0", {"inboundTrust": {"isMfaAccepted": True}}), ("POST", RESET % "v1.0", None)):
        answer = graph(emu, emu_http, method, path, body, client_id=reader)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "Authorization_RequestDenied"


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_probe_the_policy_root(emu, emu_http, version):
    answer = graph(emu, emu_http, "GET", POLICY % version)
    assert answer.status_code == 200
    assert {k: v for k, v in answer.json().items() if not k.startswith("@")} == {
        "displayName": "CrossTenantAccessPolicy", "description": None, "allowedCloudEndpoints": []}

    patched = graph(emu, emu_http, "PATCH", POLICY % version, {"allowedCloudEndpoints": ["microsoftonline.us", "partner.microsoftonline.cn"]})
    assert patched.status_code == 204
    after = graph(emu, emu_http, "GET", POLICY % version).json()
    assert after["allowedCloudEndpoints"] == ["microsoftonline.us", "partner.microsoftonline.cn"]
    assert after["displayName"] == "CrossTenantAccessPolicy", "left out of the PATCH: kept"

    refused = graph(emu, emu_http, "PATCH", POLICY % version, {"allowedCloudEndpoints": ["example.com"]})
    assert refused.status_code == 400 and "allowedCloudEndpoints" in refused.json()["error"]["message"]
    assert graph(emu, emu_http, "DELETE", POLICY % version).status_code == 405


def test_probe_each_tenant_has_its_own_default_and_reset_restores_it(emu, emu_http):
    home, other = emu.info["tenants"][0], emu.info["tenants"][1]
    assert graph(emu, emu_http, "PATCH", DEFAULT % "v1.0", {"b2bDirectConnectInbound": {"usersAndGroups": {"accessType": "allowed"}}},
                 client_id=other["client_id"]).status_code == 204
    assert graph(emu, emu_http, "PATCH", POLICY % "v1.0", {"displayName": "Other"}, client_id=other["client_id"]).status_code == 204

    assert read_default(emu, emu_http, client_id=other["client_id"])["isServiceDefault"] is False
    assert read_default(emu, emu_http, client_id=home["client_id"]) == SYSTEM_DEFAULT
    assert graph(emu, emu_http, "GET", POLICY % "v1.0", client_id=home["client_id"]).json()["displayName"] == "CrossTenantAccessPolicy"

    emu.reset()
    assert read_default(emu, emu_http, client_id=other["client_id"]) == SYSTEM_DEFAULT
    assert graph(emu, emu_http, "GET", POLICY % "v1.0", client_id=other["client_id"]).json()["displayName"] == "CrossTenantAccessPolicy"
