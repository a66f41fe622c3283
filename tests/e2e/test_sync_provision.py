# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""crosstenant_sync_provision by ansible-playbook against the two-tenant emulator: a user provisioned, a rerun
that Graph answers "already matches" (changed false), an unassigned user skipped, an unknown one failed, and
more users than Graph's 5 requests per 10 seconds without a 429, also when Graph answers one anyway."""

import uuid

from harness import of_kind
from sync_source_support import PROVISION, play, task
from tenants_support import assign, configured, target_user

NAME = "Probe configuration"  # tenants_support.configured's application


def test_a_user_is_provisioned_then_skipped_as_up_to_date(collection, emu, source, target):
    sp, _job, _sync = configured(source, target)
    user, unassigned = source.users[0], source.users[3]
    assign(source, sp, user["id"])
    run = play(collection, emu, [task("provision", PROVISION, dict(name=NAME, users=[user["id"], unassigned["id"]])),
                                 task("again", PROVISION, dict(name=NAME, users=[user["id"]]))])
    first = run.result("provision")
    assert first["changed"] is True and first["failed"] is False, first
    done, skipped = first["results"]
    [created] = target_user(target, user)
    assert (done["user_id"], done["status"], done["action"], done["target_user_id"]) == (user["id"], "success", "Create", created["id"])
    assert [s["name"] for s in done["steps"]] == ["EntryImport", "EntrySynchronizationScoping", "EntryExportAdd"]
    assert skipped["status"] == "skipped" and "NotEffectivelyEntitled" in skipped["message"] and target_user(target, unassigned) == []

    again = run.result("again")
    assert again["changed"] is False and again["failed"] is False, again
    [result] = again["results"]
    assert (result["status"], result["action"], result["target_user_id"]) == ("skipped", "Other", created["id"])
    assert result["message"].startswith("RedundantExport: The state of the user in both the source and target systems already match")


def test_more_users_than_graph_allows_in_ten_seconds_are_paced(collection, emu, source, target):
    sp, _job, _sync = configured(source, target)
    for user in source.users:
        assign(source, sp, user["id"])
    unknown = [str(uuid.uuid4()), str(uuid.uuid4())]
    users = [user["id"] for user in source.users] + unknown
    emu.clear_requests()
    run = play(collection, emu, [task("provision", PROVISION, dict(name=NAME, users=users))])
    result = run.result("provision")
    calls = [e for e in of_kind(emu.requests(), "graph_write") if e["path"].endswith("/provisionOnDemand")]
    # Six requests for six users: the module waited for a free slot instead of being refused.
    assert [e["status"] for e in calls] == [200] * 4 + [404] * 2
    assert [r["status"] for r in result["results"]] == ["success"] * 4 + ["failure"] * 2
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("provisioning on demand failed for 2 of 6 users: %s: POST " % unknown[0]), result["msg"]

    # Graph may still answer 429 (another client of the same job): its Retry-After is honoured.
    emu.clear_requests()
    emu.add_fault(method="POST", path="/provisionOnDemand$", status=429, retry_after="1")
    retried = play(collection, emu, [task("provision", PROVISION, dict(name=NAME, users=users[:1]))]).result("provision")
    assert retried["failed"] is False and retried["results"][0]["status"] == "skipped", retried
    calls = [e["status"] for e in of_kind(emu.requests(), "graph_write") if e["path"].endswith("/provisionOnDemand")]
    assert calls == [429, 200]
