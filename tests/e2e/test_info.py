# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner_info through a real playbook: one, none and all, across pages, in both
locations, with an app that may only read, and in check mode."""

import uuid

from harness import module_task, of_kind, run_playbook

INFO = "entra.graph.crosstenant_sync_partner_info"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
PARTNERS = "/beta/policies/crossTenantAccessPolicy/partners"


def tid(number):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/info/%d" % number))


def stored(number, **props):
    obj = {"tenantId": tid(number), "displayName": "Partner %d" % number, "deletedDateTime": None,
           "externalCloudAuthorizedApplicationId": None, "userSyncInbound": {"isSyncAllowed": number % 2 == 0},
           "groupSyncInbound": None}
    obj.update(props)
    return obj


DELETED_ITEMS = [stored(n, deletedDateTime="2025-06-18T21:11:0%dZ" % n) for n in range(5)]
LIVE = [stored(n) for n in range(10, 13)]


def test_info_reads_one_none_and_every_page_of_both_locations(collection, emu):
    emu.set_objects({"deleted_items": DELETED_ITEMS, "partner_policy": LIVE})
    emu.configure(page_size=2)
    info = emu.info
    # An app with Policy.Read.All only: the info module needs nothing more.
    reader = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["readonly_client_id"],
                  client_secret=info["readonly_client_secret"], authority_host=info["authority_host"],
                  graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    tasks = [
        module_task("all deleted", INFO, {}),
        module_task("all live", INFO, {"location": "partner_policy"}),
        module_task("one deleted", INFO, {"tenant_id": tid(3).upper()}),
        module_task("one live", INFO, {"tenant_id": tid(11), "location": "partner_policy"}),
        module_task("none deleted", INFO, {"tenant_id": tid(11)}),
        module_task("none live", INFO, {"tenant_id": tid(3), "location": "partner_policy"}),
        module_task("all deleted in check mode", INFO, {}, check_mode=True, register="checked"),
        module_task("use the list", "ansible.builtin.assert", {"that": [
            "checked.partners | map(attribute='displayName') | list == %r" % ["Partner %d" % n for n in range(5)],
        ]}),
    ]
    run = run_playbook(collection, tasks, module_defaults=reader)

    assert run.rc == 0, run.output
    assert run.result("all deleted")["partners"] == DELETED_ITEMS
    assert run.result("all live")["partners"] == LIVE
    assert run.result("one deleted")["partners"] == [DELETED_ITEMS[3]]
    assert run.result("one live")["partners"] == [LIVE[1]]
    assert run.result("none deleted")["partners"] == []
    assert run.result("none live")["partners"] == []
    assert run.result("all deleted in check mode")["partners"] == DELETED_ITEMS
    assert run.status("use the list") == "ok"
    for name in ("all deleted", "all live", "one deleted", "none live", "all deleted in check mode"):
        assert run.result(name)["changed"] is False
        assert run.status(name) == "ok"

    reads = of_kind(emu.requests(), "graph_read")
    # Five deleted items in pages of two: three requests per listing, each next one with a skip token.
    listings = [entry for entry in reads if entry["path"] == DELETED]
    assert len(listings) == 6, listings
    assert [bool(entry["query"]) for entry in listings] == [False, True, True] * 2
    # Three live policies: the partner list in two pages, then each partner's policy.
    assert len([entry for entry in reads if entry["path"] == PARTNERS]) == 2
    assert all(entry["status"] in (200, 404) for entry in reads)
    assert of_kind(emu.requests(), "graph_write") == []
    assert emu.objects() == {"deleted_items": DELETED_ITEMS, "partner_policy": LIVE}
