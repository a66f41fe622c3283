# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README's first experience: create a partner's policy, run again, nothing changes."""

import os

import yaml

from harness import REPO, run_playbook

PARTNER = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"


def test_create_then_second_run_is_unchanged(collection, emu, connection):
    task = {
        "name": "partner",
        "entra.graph.crosstenant_sync_partner": {
            "tenant_id": PARTNER,
            "display_name": "Fabrikam",
            "user_sync_inbound": {"is_sync_allowed": True},
        },
    }
    first = run_playbook(collection, [task], module_defaults=connection)
    assert first.rc == 0, first.output
    created = first.result("partner")
    assert created["changed"] is True
    assert created["partner"]["tenantId"] == PARTNER
    assert created["partner"]["displayName"] == "Fabrikam"
    assert created["partner"]["userSyncInbound"] == {"isSyncAllowed": True}
    assert "@odata.context" not in created["partner"]
    assert created["ansible_facts"]["crosstenant_sync_partner"] == created["partner"]
    stored = emu.objects()["deleted_items"]
    assert [item["tenantId"] for item in stored] == [PARTNER]

    second = run_playbook(collection, [task], module_defaults=connection)
    assert second.rc == 0, second.output
    assert second.result("partner")["changed"] is False
    writes = [r for r in emu.requests() if r["kind"] == "graph_write"]
    assert len(writes) == 1, writes


def readme_first_playbook():
    """The YAML block under README.md's "A first playbook" heading, as a user copies it."""
    with open(os.path.join(REPO, "README.md")) as handle:
        text = handle.read()
    section = text.split("## A first playbook", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


def test_the_readme_first_playbook_runs_as_written(collection, emu, tmp_path):
    """README's first playbook: the partner configuration, then its sync policy; the second run changes nothing."""
    play = readme_first_playbook()
    [first] = play
    info = emu.info
    # Only the emulator's hosts and CA are added: they stand in for Microsoft's.
    first["module_defaults"]["group/entra.graph.graph"].update(
        authority_host=info["authority_host"], graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    path = tmp_path / "first.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    env = {"AZURE_TENANT_ID": info["tenant"], "AZURE_CLIENT_ID": info["client_id"], "AZURE_CLIENT_SECRET": info["client_secret"]}
    tasks = [task["name"] for task in first["tasks"]]

    run = run_playbook(collection, playbook=str(path), env=env)
    assert run.rc == 0, run.output
    assert [run.status(name) for name in tasks[:2]] == ["changed", "changed"]
    assert run.result(tasks[2])["msg"]["userSyncInbound"] == {"isSyncAllowed": True}
    objects = emu.objects()
    assert [p["tenantId"] for p in objects["partners"]] == [PARTNER]
    assert [p["displayName"] for p in objects["partner_policy"]] == ["Fabrikam"]

    again = run_playbook(collection, playbook=str(path), env=env)
    assert again.rc == 0, again.output
    assert [again.status(name) for name in tasks[:2]] == ["ok", "ok"]
    assert [(r["method"], r["path"].split("/")[1]) for r in emu.requests() if r["kind"] == "graph_write"] == [
        ("POST", "v1.0"), ("PUT", "v1.0")]
