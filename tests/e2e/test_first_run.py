# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README's first experience: create a partner's policy, run again, nothing changes."""

from harness import run_playbook

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
