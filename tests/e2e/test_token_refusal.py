# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A cached token Graph refuses is replaced once: after a revocation (401) and after an administrator
grants the write permission a cached token was issued without (403). Twenty forks sharing one token
cache keep it valid JSON and sign in once."""

import json
import os

from harness import run_playbook

PARTNER = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
READ, WRITE = "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"
LATE_APP, LATE_SECRET = "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "consent-later-e2e-secret-4711"


def cached(connection, tmp_path):
    return dict(connection, token_cache=True, token_cache_path=str(tmp_path / "cache" / "tokens.json"))


def info_task(name):
    return {"name": name, "entra.graph.crosstenant_sync_partner_info": {"location": "deleted_items"}}


def create_task(name, ignore_errors=False):
    task = {"name": name, "entra.graph.crosstenant_sync_partner": {"tenant_id": PARTNER, "display_name": "Fabrikam"}}
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def sign_ins(emu):
    return [entry for entry in emu.requests() if entry["kind"] == "token" and entry["status"] == 200]


def cache_secrets(path):
    with open(path) as handle:
        data = json.load(handle)
    return [entry["secret"] for entry in data.get("AccessToken", {}).values()]


def test_after_a_revocation_the_next_task_signs_in_once_and_the_one_after_not_at_all(collection, emu, connection, tmp_path):
    options = cached(connection, tmp_path)
    first = run_playbook(collection, [info_task("before")], module_defaults=options)
    assert first.rc == 0, first.output
    assert len(sign_ins(emu)) == 1
    emu.record_tokens(True)
    assert emu.revoke_tokens() >= 1

    run = run_playbook(collection, [info_task("after the revocation"), info_task("the task after it")], module_defaults=options)

    assert run.rc == 0, run.output
    assert run.status("after the revocation") == "ok" and run.status("the task after it") == "ok"
    assert len(sign_ins(emu)) == 2, "exactly one new sign-in for both tasks"
    refused = [entry for entry in emu.requests() if entry["kind"].startswith("graph") and entry["status"] == 401]
    assert len(refused) == 1, refused
    [new_token] = emu.recorded_tokens()["access_tokens"]
    assert cache_secrets(options["token_cache_path"]) == [new_token], "the cache holds the new token, not the revoked one"


def test_after_a_grant_the_rerun_succeeds_without_clearing_the_cache(collection, emu, connection, tmp_path):
    emu.add_app(client_id=LATE_APP, client_secret=LATE_SECRET, roles=[READ])
    options = cached(dict(connection, client_id=LATE_APP, client_secret=LATE_SECRET), tmp_path)
    first = run_playbook(collection, [create_task("before consent", ignore_errors=True)], module_defaults=options)
    result = first.result("before consent")
    assert first.status("before consent") == "failed" and result["status"] == 403, result
    assert "Authorization_RequestDenied" in result["msg"] and WRITE in result["msg"], result["msg"]

    emu.set_app_roles(LATE_APP, [READ, WRITE])  # the administrator grants consent; the cached token predates it
    rerun = run_playbook(collection, [create_task("after consent")], module_defaults=options)

    assert rerun.rc == 0, rerun.output
    assert rerun.result("after consent")["changed"] is True
    assert [item["tenantId"] for item in emu.objects()["deleted_items"]] == [PARTNER]
    assert len(sign_ins(emu)) == 2, "one sign-in before consent, one to replace the token that predates it"


def test_twenty_forks_share_one_cache_and_sign_in_once(collection, emu, connection, tmp_path):
    options = cached(connection, tmp_path)
    hosts = ["fork%02d" % index for index in range(20)]
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[fleet]\n" + "".join("%s ansible_connection=local\n" % host for host in hosts))
    playbook = tmp_path / "forks.yml"
    play = [{
        "name": "forks", "hosts": "fleet", "gather_facts": False,
        "module_defaults": {"group/entra.graph.graph": options},
        "tasks": [dict(info_task("read from every host"), delegate_to="localhost"),
                  dict(info_task("read again"), delegate_to="localhost")],
    }]
    playbook.write_text(json.dumps(play))

    run = run_playbook(collection, playbook=str(playbook), extra_args=["-i", str(inventory), "--forks", "20"])

    assert run.rc == 0, run.output
    statuses = [entry["status"] for entry in run.results if entry["task"] in ("read from every host", "read again")]
    assert statuses == ["ok"] * 40, statuses
    count = len(sign_ins(emu))
    print("sign-ins for 20 forks x 2 tasks sharing one token cache: %d" % count)
    assert count == 1, "the lock file lets one fork sign in while the others wait for its token"
    with open(options["token_cache_path"]) as handle:
        json.load(handle)  # valid JSON after twenty writers
    leftovers = [name for name in os.listdir(os.path.dirname(options["token_cache_path"])) if name.startswith(".msal_token_cache.")]
    assert leftovers == [], leftovers
