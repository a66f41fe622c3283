# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_partner_info through a real playbook: one, none and all, across pages, in both
locations and both Graph versions, with an app that may only read, and in check mode."""

import uuid

from harness import module_task, of_kind, run_playbook

INFO = "entra.graph.crosstenant_sync_partner_info"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
PARTNERS = "/v1.0/policies/crossTenantAccessPolicy/partners"
BETA_PARTNERS = "/beta/policies/crossTenantAccessPolicy/partners"


def tid(number):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/info/%d" % number))


def stored(number, **props):
    obj = {"tenantId": tid(number), "displayName": "Partner %d" % number, "deletedDateTime": None,
           "externalCloudAuthorizedApplicationId": None, "userSyncInbound": {"isSyncAllowed": number % 2 == 0},
           "groupSyncInbound": None, "roleEnabledGroupSyncInbound": None}
    obj.update(props)
    return obj


def v1(obj):
    """What Graph v1.0 returns of a sync policy: it has only these three properties."""
    return dict((name, obj[name]) for name in ("tenantId", "displayName", "userSyncInbound"))


DELETED_ITEMS = [stored(n, deletedDateTime="2025-06-18T21:11:0%dZ" % n) for n in range(5)]
LIVE = [stored(n, groupSyncInbound={"isSyncAllowed": n % 2 == 1}) for n in range(10, 13)]
# A partner configuration without a sync policy: the live listing goes through the partners and leaves it out.
WITHOUT_POLICY = tid(20)


def test_info_reads_one_none_and_every_page_of_both_locations(collection, emu):
    emu.set_objects({"deleted_items": DELETED_ITEMS, "partner_policy": LIVE,
                     "partners": [{"tenantId": obj["tenantId"]} for obj in LIVE] + [{"tenantId": WITHOUT_POLICY}]})
    seeded = emu.objects()
    emu.configure(page_size=2)
    info = emu.info
    # An app with Policy.Read.All only: the info module needs nothing more.
    reader = dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["readonly_client_id"],
                  client_secret=info["readonly_client_secret"], authority_host=info["authority_host"],
                  graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    tasks = [
        module_task("all deleted", INFO, {}),
        module_task("all live", INFO, {"location": "partner_policy"}),
        module_task("all live from beta", INFO, {"location": "partner_policy", "api_version": "beta"}),
        module_task("one deleted", INFO, {"tenant_id": tid(3).upper()}),
        module_task("one live", INFO, {"tenant_id": tid(11), "location": "partner_policy"}),
        module_task("one live from beta", INFO, {"tenant_id": tid(11), "location": "partner_policy", "api_version": "beta"}),
        module_task("a partner configuration without a sync policy", INFO, {"tenant_id": WITHOUT_POLICY, "location": "partner_policy"}),
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
    # Live policies come from v1.0 unless beta is asked for; deleted items exist only in beta.
    assert run.result("all live")["partners"] == [v1(obj) for obj in LIVE]
    assert run.result("all live")["api_version"] == "v1.0"
    assert run.result("all live from beta")["partners"] == LIVE
    assert run.result("all deleted")["api_version"] == "beta"
    assert run.result("one deleted")["partners"] == [DELETED_ITEMS[3]]
    assert run.result("one live")["partners"] == [v1(LIVE[1])]
    assert run.result("one live from beta")["partners"] == [LIVE[1]]
    assert run.result("a partner configuration without a sync policy")["partners"] == []
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
    # Four partner configurations, three with a live policy: the partner list, each partner's policy
    # expanded, in two pages, all from the one version of the task; no read per partner.
    for partners in (PARTNERS, BETA_PARTNERS):
        listed = [entry for entry in reads if entry["path"] == partners]
        assert len(listed) == 2 and all("identitySynchronization" in entry["query"] for entry in listed), listed
        policies = [entry["path"].split("/")[-2] for entry in reads
                    if entry["path"].startswith(partners + "/") and entry["path"].endswith("/identitySynchronization")]
        # Only the tasks that name one tenant read its policy.
        assert not set(obj["tenantId"] for obj in LIVE if obj is not LIVE[1]) & set(policies), policies
    assert all(entry["status"] in (200, 404) for entry in reads)
    assert of_kind(emu.requests(), "graph_write") == []
    assert emu.objects() == seeded
