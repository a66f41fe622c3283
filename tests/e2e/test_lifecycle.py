# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module's lifecycle through real playbooks: every state x location, from missing and from existing.

Partners are independent objects, so one playbook carries every row of the table, each row on its
own partner tenant ID. The same playbook runs three times against one seeded store: with
``--check --diff`` (predicts, writes nothing), with ``--diff`` (does it) and once more (converged)."""

import collections
import json
import re
import uuid

import pytest

from harness import diff_lines, module_task, of_kind, run_playbook, task_output

MODULE = "entra.graph.crosstenant_sync_partner"
INFO = "entra.graph.crosstenant_sync_partner_info"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
PARTNERS = "/beta/policies/crossTenantAccessPolicy/partners"
DELETED_AT = "2025-01-02T03:04:05Z"
GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NOW = object()  # an expected deletedDateTime: the time of the run, in Graph's form


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/lifecycle/" + name))


def live(tenant_id):
    return "%s/%s/identitySynchronization" % (PARTNERS, tenant_id)


def item(tenant_id):
    return "%s/%s" % (DELETED, tenant_id)


def full(tenant_id, **props):
    """The object as Graph returns it: every property, null where unset."""
    obj = dict.fromkeys(("displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId",
                         "userSyncInbound", "groupSyncInbound"))
    obj.update(props, tenantId=tenant_id)
    return obj


def existing(tenant_id, **changes):
    """The object every 'existing' row starts from, with ``changes``: every option holds a value."""
    return full(tenant_id, **dict(dict(displayName="Before", externalCloudAuthorizedApplicationId="app-before",
                                       userSyncInbound={"isSyncAllowed": True}, groupSyncInbound={"isSyncAllowed": False}),
                                  **changes))


# name: (seed, args, changed (None: the task fails), object afterwards in deleted items, in the live policy, writes)
# A seed is (location, deletedDateTime) or None; the writes are (method, path) of the run that applies the row.
ROWS = collections.OrderedDict([
    ("present deleted_items from missing", (
        None,
        dict(display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": True}, deleted_date_time="2025-06-18T23:11:01+02:00"),
        True,
        lambda t: full(t, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": True}, deletedDateTime="2025-06-18T21:11:01Z"),
        None,
        lambda t: [("POST", DELETED)])),
    ("present deleted_items from existing", (
        ("deleted_items", DELETED_AT),
        dict(display_name="After"),
        True,
        lambda t: existing(t, displayName="After", deletedDateTime=DELETED_AT),
        None,
        lambda t: [("PUT", item(t))])),
    ("present partner_policy from missing", (
        None,
        dict(location="partner_policy", display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": False},
             group_sync_inbound={"is_sync_allowed": True}),
        True,
        None,
        lambda t: full(t, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": False}, groupSyncInbound={"isSyncAllowed": True}),
        lambda t: [("PUT", live(t))])),
    ("present partner_policy from existing", (
        ("partner_policy", None),
        dict(location="partner_policy", user_sync_inbound={"is_sync_allowed": False}),
        True,
        None,
        lambda t: existing(t, userSyncInbound={"isSyncAllowed": False}),
        lambda t: [("PUT", live(t))])),
    ("absent deleted_items from missing", (
        None, dict(state="absent"), False, None, None, lambda t: [])),
    ("absent deleted_items from existing", (
        ("deleted_items", DELETED_AT), dict(state="absent"), True, None, None, lambda t: [("DELETE", item(t))])),
    ("absent partner_policy from missing", (
        None, dict(state="absent", location="partner_policy"), False, None, None, lambda t: [])),
    ("absent partner_policy from existing", (
        ("partner_policy", None),
        dict(state="absent", location="partner_policy"),
        True,
        lambda t: existing(t, deletedDateTime=NOW),
        None,
        lambda t: [("DELETE", live(t))])),
    ("restored deleted_items from missing", (
        None, dict(state="restored"), None, None, None, lambda t: [])),
    ("restored deleted_items from existing", (
        ("deleted_items", DELETED_AT),
        dict(state="restored"),
        True,
        None,
        existing,
        lambda t: [("POST", item(t) + "/restore")])),
    ("restored partner_policy from missing", (
        None, dict(state="restored", location="partner_policy"), None, None, None, lambda t: [])),
    ("restored partner_policy from existing", (
        ("partner_policy", None), dict(state="restored", location="partner_policy"), False, None, existing, lambda t: [])),
    # Beyond the table: one option of the newer property, strings for booleans, a time in another
    # offset, and a restore that also changes an option.
    ("group_sync_inbound only", (
        ("deleted_items", DELETED_AT),
        dict(group_sync_inbound={"is_sync_allowed": True}),
        True,
        lambda t: existing(t, groupSyncInbound={"isSyncAllowed": True}, deletedDateTime=DELETED_AT),
        None,
        lambda t: [("PUT", item(t))])),
    ("booleans as strings", (
        None,
        dict(location="partner_policy", user_sync_inbound={"is_sync_allowed": "yes"}, group_sync_inbound={"is_sync_allowed": "no"}),
        True,
        None,
        lambda t: full(t, userSyncInbound={"isSyncAllowed": True}, groupSyncInbound={"isSyncAllowed": False}),
        lambda t: [("PUT", live(t))])),
    ("deleted_date_time same instant in another offset", (
        ("deleted_items", "2025-06-18T21:11:01Z"),
        dict(deleted_date_time="2025-06-18T23:11:01+02:00"),
        False,
        lambda t: existing(t, deletedDateTime="2025-06-18T21:11:01Z"),
        None,
        lambda t: [])),
    ("restored and updated", (
        ("deleted_items", DELETED_AT),
        dict(state="restored", display_name="After"),
        True,
        None,
        lambda t: existing(t, displayName="After"),
        lambda t: [("POST", item(t) + "/restore"), ("PUT", live(t))])),
])

Row = collections.namedtuple("Row", "name tenant_id seed args changed deleted live writes")


def row(name):
    seed, args, changed, deleted, live_obj, writes = ROWS[name]
    t = tid(name)
    return Row(name, t, seed, args, changed, deleted and deleted(t), live_obj and live_obj(t), writes(t))


def seeded_store():
    store = {"deleted_items": [], "partner_policy": []}
    for name in ROWS:
        r = row(name)
        if r.seed is not None:
            location, deleted_at = r.seed
            store[location].append(existing(r.tenant_id, deletedDateTime=deleted_at))
    return store


def matrix_tasks():
    return [module_task(name, MODULE, dict(row(name).args, tenant_id=row(name).tenant_id), ignore_errors=True) for name in ROWS]


Run = collections.namedtuple("Run", "playbook objects writes")


@pytest.fixture(scope="module")
def matrix(collection, emulator, connection_options):
    """The table, run with --check --diff, then with --diff, then once more, on one seeded store."""
    emulator.reset()
    emulator.set_objects(seeded_store())
    seeded = emulator.objects()
    runs = {}
    for label, options in (("check", dict(check=True, diff=True)), ("apply", dict(diff=True)), ("again", {})):
        emulator.clear_requests()
        playbook = run_playbook(collection, matrix_tasks(), module_defaults=connection_options, **options)
        runs[label] = Run(playbook, emulator.objects(), of_kind(emulator.requests(), "graph_write"))
    runs["seeded"] = seeded
    return runs


@pytest.fixture(scope="module")
def connection_options(emulator):
    info = emulator.info
    return dict(auth_method="client_secret", tenant=info["tenant"], client_id=info["client_id"], client_secret=info["client_secret"],
                authority_host=info["authority_host"], graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])


def find(objects, location, tenant_id):
    found = [obj for obj in objects[location] if obj["tenantId"] == tenant_id]
    assert len(found) <= 1
    return found[0] if found else None


def matches(actual, expected):
    """``actual`` is ``expected``, where NOW stands for a deletion time set during the run."""
    if expected is None or actual is None:
        return actual == expected
    if expected.get("deletedDateTime") is NOW:
        stamp = actual.get("deletedDateTime")
        assert stamp is not None and GRAPH_TIME.match(stamp), stamp
        expected = dict(expected, deletedDateTime=stamp)
    return actual == expected


def before_of(seeded, r):
    if r.seed is None:
        return {}
    return find(seeded, r.seed[0], r.tenant_id)


@pytest.mark.parametrize("name", list(ROWS))
def test_row_converges_with_the_right_writes(matrix, name):
    r = row(name)
    applied = matrix["apply"]
    result = applied.playbook.result(name)
    if r.changed is None:
        assert applied.playbook.status(name) == "failed"
        assert "nothing to restore" in result["msg"] and r.tenant_id in result["msg"], result["msg"]
    else:
        assert applied.playbook.status(name) != "failed", result.get("msg")
        assert result["changed"] is r.changed
    assert matches(find(applied.objects, "deleted_items", r.tenant_id), r.deleted)
    assert matches(find(applied.objects, "partner_policy", r.tenant_id), r.live)
    # This row's writes: those naming its partner, and the create POST to the collection if it is the row's.
    mine = [(w["method"], w["path"]) for w in applied.writes
            if r.tenant_id in w["path"] or (w["method"], w["path"]) in r.writes]
    assert mine == r.writes
    assert all(w["status"] in (200, 201, 204) for w in applied.writes)


def test_the_apply_run_makes_only_the_expected_writes(matrix):
    expected = sorted(w for name in ROWS for w in row(name).writes)
    assert sorted((w["method"], w["path"]) for w in matrix["apply"].writes) == expected


@pytest.mark.parametrize("name", [name for name in ROWS if row(name).changed is not None])
def test_row_returns_the_object_and_its_diff(matrix, name):
    r = row(name)
    result = matrix["apply"].playbook.result(name)
    if r.args.get("state") == "absent":
        assert result["partner"] == {}
    elif r.args.get("state") == "restored" or r.args.get("location") == "partner_policy":
        assert result["partner"] == r.live
    else:
        assert result["partner"] == r.deleted
    assert result["ansible_facts"]["crosstenant_sync_partner"] == result["partner"]
    assert result["diff"]["before"] == before_of(matrix["seeded"], r)
    assert result["diff"]["after"] == result["partner"]


@pytest.mark.parametrize("name", list(ROWS))
def test_check_mode_predicts_the_row(matrix, name):
    r = row(name)
    predicted = matrix["check"].playbook.result(name)
    if r.changed is None:
        assert matrix["check"].playbook.status(name) == "failed"
        assert predicted["msg"] == matrix["apply"].playbook.result(name)["msg"]
        return
    actual = matrix["apply"].playbook.result(name)
    assert predicted["changed"] is actual["changed"]
    assert predicted["partner"] == actual["partner"]
    assert predicted["diff"] == actual["diff"]
    assert predicted["changed_properties"] == actual["changed_properties"]


# What `--check --diff` prints for an update: only the lines of the properties that change.
PRINTED_CHANGES = {
    "present deleted_items from existing": ['-    "displayName": "Before",', '+    "displayName": "After",'],
    "present partner_policy from existing": ['-        "isSyncAllowed": true', '+        "isSyncAllowed": false'],
    "group_sync_inbound only": ['-        "isSyncAllowed": false', '+        "isSyncAllowed": true'],
    "restored deleted_items from existing": ['-    "deletedDateTime": "2025-01-02T03:04:05Z",', '+    "deletedDateTime": null,'],
    "restored and updated": ['-    "deletedDateTime": "2025-01-02T03:04:05Z",', '-    "displayName": "Before",',
                             '+    "deletedDateTime": null,', '+    "displayName": "After",'],
}


def json_lines(obj, sign):
    """``obj`` as the default callback prints it in a diff (JSON, sorted keys, indent 4), each line signed."""
    return [sign + line for line in json.dumps(obj, sort_keys=True, indent=4, separators=(",", ": ")).splitlines()]


@pytest.mark.parametrize("name", list(ROWS))
def test_check_diff_prints_exactly_the_change(matrix, name):
    r = row(name)
    printed = diff_lines(task_output(matrix["check"].playbook.output, name))
    before = before_of(matrix["seeded"], r)
    if not r.changed:
        assert printed == []
    elif name in PRINTED_CHANGES:
        assert printed == PRINTED_CHANGES[name]
    elif r.args.get("state") == "absent":
        assert printed == json_lines(before, "-") + ["+{}"]
    else:
        created = r.live if r.args.get("location") == "partner_policy" else r.deleted
        assert before == {}
        assert printed == ["-{}"] + json_lines(created, "+")


def test_check_mode_writes_nothing(matrix):
    assert matrix["check"].writes == []
    assert matrix["check"].objects == matrix["seeded"]


@pytest.mark.parametrize("name", list(ROWS))
def test_second_run_is_unchanged(matrix, name):
    r = row(name)
    again = matrix["again"].playbook
    if r.changed is None:
        assert again.status(name) == "failed"
    else:
        assert again.status(name) == "ok", again.result(name).get("msg")
        assert again.result(name)["changed"] is False


def test_second_run_writes_nothing(matrix):
    assert matrix["again"].writes == []
    assert matrix["again"].objects == matrix["apply"].objects


def test_soft_delete_then_restore(collection, emu, connection):
    """The live policy deleted goes to deleted items; restored, it is live again, once."""
    partner = tid("soft delete then restore")
    policy = dict(tenant_id=partner, location="partner_policy")
    tasks = [
        module_task("create", MODULE, dict(policy, display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": True})),
        module_task("delete", MODULE, dict(policy, state="absent")),
        module_task("deleted items", INFO, {"tenant_id": partner}, register="deleted"),
        module_task("restore", MODULE, {"tenant_id": partner, "state": "restored"}),
        module_task("name after restore", "ansible.builtin.debug", {"msg": "{{ ansible_facts.crosstenant_sync_partner.displayName }}"}),
        module_task("restore again", MODULE, {"tenant_id": partner, "state": "restored"}),
    ]
    run = run_playbook(collection, tasks, module_defaults=connection)

    assert run.rc == 0, run.output
    assert [run.status(name) for name in ("create", "delete", "restore", "restore again")] == ["changed", "changed", "changed", "ok"]
    [deleted] = run.result("deleted items")["partners"]
    assert deleted["displayName"] == "Fabrikam" and GRAPH_TIME.match(deleted["deletedDateTime"]), deleted
    assert run.result("name after restore")["msg"] == "Fabrikam"
    expected = full(partner, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": True})
    assert run.result("restore")["partner"] == expected
    assert run.result("restore again")["partner"] == expected
    assert emu.objects() == {"deleted_items": [], "partner_policy": [expected]}
    assert [(w["method"], w["path"]) for w in of_kind(emu.requests(), "graph_write")] == [
        ("PUT", live(partner)), ("DELETE", live(partner)), ("POST", item(partner) + "/restore")]


def test_invalid_options_fail_before_any_request(collection, emu, connection):
    partner = tid("invalid")
    bad = collections.OrderedDict([
        ("tenant_id not a GUID", ({"tenant_id": "fabrikam.onmicrosoft.com"}, "tenant_id must be a GUID")),
        ("deleted_date_time not ISO 8601", ({"tenant_id": partner, "deleted_date_time": "18/06/2025 23:11"},
                                            "deleted_date_time must be an ISO 8601 date and time")),
        ("suboption of the wrong type", ({"tenant_id": partner, "user_sync_inbound": {"is_sync_allowed": "maybe"}},
                                         "is_sync_allowed")),
        ("unknown suboption", ({"tenant_id": partner, "group_sync_inbound": {"is_sync_allowed": True, "is_sync_alowed": True}},
                               "is_sync_alowed")),
    ])
    tasks = [module_task(name, MODULE, args, ignore_errors=True) for name, (args, dummy) in bad.items()]
    run = run_playbook(collection, tasks, module_defaults=connection)

    for name, (dummy, message) in bad.items():
        assert run.status(name) == "failed", name
        assert message in run.result(name)["msg"], (name, run.result(name)["msg"])
    assert "bool" in run.result("suboption of the wrong type")["msg"]
    assert "Unsupported parameters" in run.result("unknown suboption")["msg"]
    assert emu.requests() == []
    assert emu.objects() == {"deleted_items": [], "partner_policy": []}
