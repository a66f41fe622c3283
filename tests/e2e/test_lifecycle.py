# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sync policy's lifecycle through real playbooks.

The table: every state x location, from missing and from existing, each row on its own partner
tenant ID in one playbook that runs three times against one seeded emulator store: with
``--check --diff`` (predicts, writes nothing), with ``--diff`` (does it) and once more (converged).
The emulator's request log shows each write: method, path and Graph version (``/v1.0/`` or ``/beta/``).

The scenario: a target tenant's partner from nothing to teardown (the partner configuration first,
PATCH updates, v1.0 unless a beta-only option is set). It runs against the emulator always and
against a real tenant in live mode (see live.py), where it also probes the answers of Graph that the
emulator can only assume."""

import collections
import json
import re
import uuid

import pytest

import live
from harness import diff_lines, module_task, of_kind, run_playbook, task_output

MODULE = "entra.graph.crosstenant_sync_partner"
INFO = "entra.graph.crosstenant_sync_partner_info"
ACCESS = "entra.graph.crosstenant_access_partner"
ACCESS_INFO = "entra.graph.crosstenant_access_partner_info"
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
DELETED_AT = "2025-01-02T03:04:05Z"
GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NOW = object()  # an expected deletedDateTime: the time of the run, in Graph's form
V1, BETA = "v1.0", "beta"
PP = "partner_policy"
# Every property of the sync policy in beta, and the ones v1.0 has.
BETA_PROPERTIES = ("displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId", "userSyncInbound",
                   "groupSyncInbound", "roleEnabledGroupSyncInbound")
V1_PROPERTIES = ("displayName", "userSyncInbound")
EMPTY_STORE = {"deleted_items": [], "partner_policy": [], "partners": [], "deleted_partners": []}


def tid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/lifecycle/" + name))


def partners_path(version=V1):
    return "/%s/policies/crossTenantAccessPolicy/partners" % version


def live_path(tenant_id, version=V1):
    return "%s/%s/identitySynchronization" % (partners_path(version), tenant_id)


def item(tenant_id):
    return "%s/%s" % (DELETED, tenant_id)


def full(tenant_id, **props):
    """The object as the emulator stores it and Graph beta returns it: every property, null where unset."""
    obj = dict.fromkeys(BETA_PROPERTIES)
    obj.update(props, tenantId=tenant_id)
    return obj


def as_version(obj, version):
    """``obj`` as Graph ``version`` returns it: v1.0 has only tenantId, displayName and userSyncInbound."""
    if not obj or version == BETA:
        return obj
    return dict((name, obj.get(name)) for name in ("tenantId",) + V1_PROPERTIES)


def existing(tenant_id, **changes):
    """The object every 'existing' row starts from, with ``changes``: every option holds a value."""
    return full(tenant_id, **dict(dict(displayName="Before", externalCloudAuthorizedApplicationId="app-before",
                                       userSyncInbound={"isSyncAllowed": True}, groupSyncInbound={"isSyncAllowed": False},
                                       roleEnabledGroupSyncInbound={"isSyncAllowed": False}),
                                  **changes))


# A row: what is seeded (a partner configuration, a live policy, a deleted item with its deletion time),
# the task's options, its outcome (changed true/false, or a piece of the failure message), the objects
# afterwards in deleted items and in the live policy, the Graph version of the task and its writes as
# (method, path, status). ``refused`` rows meet a write Graph refuses, which no read can foresee: check
# mode predicts the attempt (``predicted`` is the object it predicts).
Spec = collections.namedtuple("Spec", "seeds args outcome deleted live version writes refused predicted")


def spec(args, outcome, version, seeds=(), deleted=None, live_obj=None, writes=lambda t: [], refused=False, predicted=None):
    return Spec(seeds, args, outcome, deleted, live_obj, version, writes, refused, predicted)


ROWS = collections.OrderedDict([
    ("present deleted_items from missing", spec(
        dict(display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": True}, deleted_date_time="2025-06-18T23:11:01+02:00"),
        True, BETA,
        deleted=lambda t: full(t, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": True}, deletedDateTime="2025-06-18T21:11:01Z"),
        writes=lambda t: [("POST", DELETED, 201)])),
    ("present deleted_items from existing", spec(
        # Graph documents no update of a deleted item: check mode predicts the refusal the real run meets.
        dict(display_name="After"), "cannot be changed in place", BETA, seeds=(("deleted", DELETED_AT),),
        deleted=lambda t: existing(t, deletedDateTime=DELETED_AT),
        writes=lambda t: [("PATCH", item(t), 405)])),
    ("present partner_policy from missing", spec(
        dict(location=PP, display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": False},
             group_sync_inbound={"is_sync_allowed": True}),
        True, BETA, seeds=(("partner",),),
        live_obj=lambda t: full(t, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": False}, groupSyncInbound={"isSyncAllowed": True}),
        writes=lambda t: [("PUT", live_path(t, BETA), 204)])),
    ("present partner_policy from existing", spec(
        # v1.0 options only: v1.0, a PATCH of the one property, and every other property kept on the server.
        dict(location=PP, user_sync_inbound={"is_sync_allowed": False}),
        True, V1, seeds=(("partner",), ("live",)),
        live_obj=lambda t: existing(t, userSyncInbound={"isSyncAllowed": False}),
        writes=lambda t: [("PATCH", live_path(t), 204)])),
    ("present partner_policy without a partner configuration", spec(
        # Check mode predicts the create and warns: in a play, an earlier task may create the partner configuration.
        dict(location=PP, display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": True}),
        "entra.graph.crosstenant_access_partner", V1,
        writes=lambda t: [("PUT", live_path(t), 404)],
        refused=True, predicted=lambda t: full(t, displayName="Fabrikam", userSyncInbound={"isSyncAllowed": True}))),
    ("present partner_policy with api_version beta", spec(
        dict(location=PP, display_name="After", api_version="beta"),
        True, BETA, seeds=(("partner",), ("live",)),
        live_obj=lambda t: existing(t, displayName="After"),
        writes=lambda t: [("PATCH", live_path(t, BETA), 204)])),
    ("absent deleted_items from missing", spec(dict(state="absent"), False, BETA)),
    ("absent deleted_items from existing", spec(
        dict(state="absent"), True, BETA, seeds=(("deleted", DELETED_AT),), writes=lambda t: [("DELETE", item(t), 204)])),
    # beta: a delete of the live policy first reads the copy in deleted items it replaces.
    ("absent partner_policy from missing", spec(dict(state="absent", location=PP), False, BETA, seeds=(("partner",),))),
    ("absent partner_policy from existing", spec(
        dict(state="absent", location=PP), True, BETA, seeds=(("partner",), ("live",)),
        deleted=lambda t: existing(t, deletedDateTime=NOW),
        writes=lambda t: [("DELETE", live_path(t, BETA), 204)])),
    ("restored deleted_items from missing", spec(dict(state="restored"), "nothing to restore", BETA)),
    ("restored deleted_items from existing", spec(
        dict(state="restored"), True, BETA, seeds=(("partner",), ("deleted", DELETED_AT)),
        live_obj=existing,
        writes=lambda t: [("POST", item(t) + "/restore", 200)])),
    ("restored partner_policy from missing", spec(dict(state="restored", location=PP), "nothing to restore", BETA)),
    ("restored partner_policy from existing", spec(
        dict(state="restored", location=PP), False, BETA, seeds=(("partner",), ("live",)), live_obj=existing)),
    ("restored without a partner configuration", spec(
        # The restore is refused (the emulator's assumption) and the module names the missing partner
        # configuration; check mode predicts the restore and warns.
        dict(state="restored"), "entra.graph.crosstenant_access_partner", BETA, seeds=(("deleted", DELETED_AT),),
        deleted=lambda t: existing(t, deletedDateTime=DELETED_AT),
        writes=lambda t: [("POST", item(t) + "/restore", 404)],
        refused=True, predicted=existing)),
    # Beyond the table: one option of the newer property, strings for booleans, a time in another
    # offset, and a restore that also changes an option.
    ("group_sync_inbound only", spec(
        dict(location=PP, group_sync_inbound={"is_sync_allowed": True}),
        True, BETA, seeds=(("partner",), ("live",)),
        live_obj=lambda t: existing(t, groupSyncInbound={"isSyncAllowed": True}),
        writes=lambda t: [("PATCH", live_path(t, BETA), 204)])),
    ("booleans as strings", spec(
        dict(location=PP, user_sync_inbound={"is_sync_allowed": "yes"}, group_sync_inbound={"is_sync_allowed": "no"}),
        True, BETA, seeds=(("partner",),),
        live_obj=lambda t: full(t, userSyncInbound={"isSyncAllowed": True}, groupSyncInbound={"isSyncAllowed": False}),
        writes=lambda t: [("PUT", live_path(t, BETA), 204)])),
    ("deleted_date_time same instant in another offset", spec(
        dict(deleted_date_time="2025-06-18T23:11:01+02:00"), False, BETA, seeds=(("deleted", "2025-06-18T21:11:01Z"),),
        deleted=lambda t: existing(t, deletedDateTime="2025-06-18T21:11:01Z"))),
    ("restored and updated", spec(
        dict(state="restored", display_name="After"), True, BETA, seeds=(("partner",), ("deleted", DELETED_AT)),
        live_obj=lambda t: existing(t, displayName="After"),
        writes=lambda t: [("POST", item(t) + "/restore", 200), ("PATCH", live_path(t, BETA), 204)])),
])

Row = collections.namedtuple("Row", "name tenant_id seeds args changed failure deleted live version writes refused predicted")


def row(name):
    s = ROWS[name]
    t = tid(name)
    changed, failure = (s.outcome, None) if isinstance(s.outcome, bool) else (None, s.outcome)
    return Row(name, t, s.seeds, s.args, changed, failure, s.deleted and s.deleted(t), s.live and s.live(t), s.version,
               s.writes(t), s.refused, s.predicted and s.predicted(t))


def seeded_store():
    store = {"deleted_items": [], "partner_policy": [], "partners": []}
    for name in ROWS:
        r = row(name)
        for seed in r.seeds:
            if seed[0] == "partner":
                store["partners"].append({"tenantId": r.tenant_id})
            elif seed[0] == "live":
                store["partner_policy"].append(existing(r.tenant_id))
            else:
                store["deleted_items"].append(existing(r.tenant_id, deletedDateTime=seed[1]))
    return store


def matrix_tasks():
    return [module_task(name, MODULE, dict(row(name).args, tenant_id=row(name).tenant_id), ignore_errors=True) for name in ROWS]


Run = collections.namedtuple("Run", "playbook objects writes requests")


# The emulator's switches (tests/emulator/README.md, "Switches"): the table runs under the first side of
# every contested rule, and again under the other side of all of them at once, which keeps it to two runs.
# Where Graph takes no app-only token for deleted items, the table signs in as a user (delegated), as the
# modules' message on that 403 advises.
SIDES = collections.OrderedDict([
    ("defaults", {}),
    ("contested", dict(put_over_existing="update", deleted_items_app_only="forbidden", revocation="cp1")),
])


@pytest.fixture(scope="module", params=list(SIDES))
def matrix(request, collection, emulator, connection_options):
    """The table, run with --check --diff, then with --diff, then once more, on one seeded store."""
    emulator.reset()
    emulator.configure(**SIDES[request.param])
    options = connection_options
    if SIDES[request.param].get("deleted_items_app_only") == "forbidden":
        options = dict(auth_method="access_token", graph_endpoint=connection_options["graph_endpoint"],
                       ca_path=connection_options["ca_path"],
                       access_token=emulator.issue_token(scopes=["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]))
    emulator.set_objects(seeded_store())
    seeded = emulator.objects()
    runs = {}
    try:
        for label, run_options in (("check", dict(check=True, diff=True)), ("apply", dict(diff=True)), ("again", {})):
            emulator.clear_requests()
            playbook = run_playbook(collection, matrix_tasks(), module_defaults=options, **run_options)
            requests = emulator.requests()
            runs[label] = Run(playbook, emulator.objects(), of_kind(requests, "graph_write"), of_kind(requests, "graph_read", "graph_write"))
    finally:
        emulator.reset()
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
    """The object the row's task reads first, as its Graph version returns it; {} when there is none."""
    if r.args.get("state") == "restored":
        found = find(seeded, "partner_policy", r.tenant_id) or find(seeded, "deleted_items", r.tenant_id)
    elif r.args.get("location") == PP:
        found = find(seeded, "partner_policy", r.tenant_id)
    else:
        found = find(seeded, "deleted_items", r.tenant_id)
    return as_version(found, r.version) if found else {}


def returned(r):
    """The object the row's task returns."""
    if r.args.get("state") == "absent":
        return {}
    if r.args.get("state") == "restored" or r.args.get("location") == PP:
        return as_version(r.live, r.version)
    return r.deleted


def writes_of(run, r):
    """This row's writes: those naming its partner, and the create POST to the collection if it is the row's."""
    return [(w["method"], w["path"], w["status"]) for w in run.writes
            if r.tenant_id in w["path"] or (w["method"], w["path"], w["status"]) in r.writes]


@pytest.mark.parametrize("name", list(ROWS))
def test_row_converges_with_the_right_writes(matrix, name):
    r = row(name)
    applied = matrix["apply"]
    result = applied.playbook.result(name)
    if r.failure:
        assert applied.playbook.status(name) == "failed"
        assert r.failure in result["msg"] and r.tenant_id in result["msg"], result["msg"]
    else:
        assert applied.playbook.status(name) != "failed", result.get("msg")
        assert result["changed"] is r.changed
        assert result["api_version"] == r.version
    assert matches(find(applied.objects, "deleted_items", r.tenant_id), r.deleted)
    assert matches(find(applied.objects, "partner_policy", r.tenant_id), r.live)
    assert writes_of(applied, r) == r.writes


def test_the_apply_run_makes_only_the_expected_writes(matrix):
    expected = sorted(w for name in ROWS for w in row(name).writes)
    assert sorted((w["method"], w["path"], w["status"]) for w in matrix["apply"].writes) == expected


def test_every_request_of_a_task_goes_to_its_version(matrix):
    """Reads too: each row's requests all go to the version its result names."""
    requests = matrix["apply"].requests
    for name in ROWS:
        r = row(name)
        mine = [entry["path"] for entry in requests if r.tenant_id in entry["path"]]
        assert mine, name
        assert all(path.startswith("/%s/" % r.version) for path in mine), (name, mine)


@pytest.mark.parametrize("name", [name for name in ROWS if row(name).changed is not None])
def test_row_returns_the_object_and_its_diff(matrix, name):
    r = row(name)
    result = matrix["apply"].playbook.result(name)
    assert result["partner"] == returned(r)
    assert result["ansible_facts"]["crosstenant_sync_partner"] == result["partner"]
    assert result["diff"]["before"] == before_of(matrix["seeded"], r)
    assert result["diff"]["after"] == result["partner"]


@pytest.mark.parametrize("name", list(ROWS))
def test_check_mode_predicts_the_row(matrix, name):
    r = row(name)
    check = matrix["check"].playbook
    predicted = check.result(name)
    actual = matrix["apply"].playbook.result(name)
    if r.refused:
        # Only the write can tell that Graph refuses it: check mode predicts the attempt (and warns when
        # the partner configuration is missing as things stand).
        assert check.status(name) == "changed", predicted.get("msg")
        if "without a partner configuration" in name:
            assert "%s has no partner configuration" % r.tenant_id in matrix["check"].playbook.output
        assert predicted["partner"] == as_version(r.predicted, r.version)
        assert predicted["diff"] == dict(before=before_of(matrix["seeded"], r), after=predicted["partner"])
        return
    if r.failure:
        # What the reads can tell, check mode tells: the same failure, naming the same cause.
        assert check.status(name) == "failed", predicted
        assert r.failure in predicted["msg"] and r.tenant_id in predicted["msg"], predicted["msg"]
        return
    assert predicted["changed"] is actual["changed"]
    assert predicted["partner"] == actual["partner"]
    assert predicted["diff"] == actual["diff"]
    assert predicted["changed_properties"] == actual["changed_properties"]
    assert predicted["api_version"] == actual["api_version"]


# What `--check --diff` prints for an update: only the lines of the properties that change.
PRINTED_CHANGES = {
    "present deleted_items from existing": ['-    "displayName": "Before",', '+    "displayName": "After",'],
    "present partner_policy from existing": ['-        "isSyncAllowed": true', '+        "isSyncAllowed": false'],
    "present partner_policy with api_version beta": ['-    "displayName": "Before",', '+    "displayName": "After",'],
    "group_sync_inbound only": ['-        "isSyncAllowed": false', '+        "isSyncAllowed": true'],
    "restored deleted_items from existing": ['-    "deletedDateTime": "2025-01-02T03:04:05Z",', '+    "deletedDateTime": null,'],
    "restored without a partner configuration": ['-    "deletedDateTime": "2025-01-02T03:04:05Z",', '+    "deletedDateTime": null,'],
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
    if not r.changed and not r.refused:
        assert printed == []
    elif name in PRINTED_CHANGES:
        assert printed == PRINTED_CHANGES[name]
    elif r.args.get("state") == "absent":
        assert printed == json_lines(before, "-") + ["+{}"]
    else:
        assert before == {}
        assert printed == ["-{}"] + json_lines(as_version(r.predicted, r.version) if r.refused else returned(r), "+")


def test_check_mode_writes_nothing(matrix):
    assert matrix["check"].writes == []
    assert matrix["check"].objects == matrix["seeded"]


@pytest.mark.parametrize("name", list(ROWS))
def test_second_run_is_unchanged(matrix, name):
    r = row(name)
    again = matrix["again"].playbook
    if r.failure:
        assert again.status(name) == "failed"
    else:
        assert again.status(name) == "ok", again.result(name).get("msg")
        assert again.result(name)["changed"] is False


def test_second_run_writes_nothing(matrix):
    """Only the writes Graph refused are tried again, and refused again."""
    refused = sorted(w for name in ROWS for w in row(name).writes if w[2] >= 400)
    assert sorted((w["method"], w["path"], w["status"]) for w in matrix["again"].writes) == refused
    assert matrix["again"].objects == matrix["apply"].objects


# ---- PUT creates, PATCH updates ---------------------------------------------------------------

def graph_requests(emu):
    return [(entry["method"], entry["path"], entry["status"]) for entry in emu.requests() if entry["kind"].startswith("graph")]


def test_put_answered_409_after_a_concurrent_create_ends_in_a_patch(collection, emu, connection):
    """Someone creates the policy between the module's read and its PUT: Graph answers the PUT with its
    documented 409, and the module reads the policy and PATCHes what still differs."""
    partner = tid("409 concurrent create")
    theirs = full(partner, displayName="Theirs", userSyncInbound={"isSyncAllowed": False}, groupSyncInbound={"isSyncAllowed": True})
    emu.set_objects({"partners": [{"tenantId": partner}], "partner_policy": [theirs]})
    # The module's first read still finds nothing: the other writer's create lands right after it.
    emu.add_fault(method="GET", path="/partners/%s/identitySynchronization$" % partner, count=1, status=404)
    task = module_task("ours", MODULE, dict(tenant_id=partner, location=PP, display_name="Ours", user_sync_inbound={"is_sync_allowed": True}))
    run = run_playbook(collection, [task], module_defaults=connection)

    assert run.rc == 0, run.output
    result = run.result("ours")
    assert result["changed"] is True
    assert result["api_version"] == V1
    assert result["partner"] == as_version(full(partner, displayName="Ours", userSyncInbound={"isSyncAllowed": True}), V1)
    assert graph_requests(emu) == [("GET", live_path(partner), 404), ("PUT", live_path(partner), 409),
                                   ("GET", live_path(partner), 200), ("PATCH", live_path(partner), 204)]
    # What the task did not name (theirs) stays.
    assert emu.objects()["partner_policy"] == [dict(theirs, displayName="Ours", userSyncInbound={"isSyncAllowed": True})]


def test_put_answered_409_with_the_policy_as_asked_is_done_without_a_patch(collection, emu, connection):
    """The PUT is answered 409 (injected after it was applied, as when another run's create of the same
    policy landed first): the policy read back holds what the task asks, so nothing more is written, and
    the task reports what it did itself, which is nothing: Graph refused its PUT."""
    partner = tid("409 landed")
    emu.set_objects({"partners": [{"tenantId": partner}]})
    emu.add_fault(method="PUT", path="/identitySynchronization$", count=1, status=409, apply=True)
    task = module_task("create", MODULE, dict(tenant_id=partner, location=PP, display_name="Ours", user_sync_inbound={"is_sync_allowed": True}))
    run = run_playbook(collection, [task], module_defaults=connection)

    assert run.rc == 0, run.output
    assert run.result("create")["changed"] is False
    assert graph_requests(emu) == [("GET", live_path(partner), 404), ("PUT", live_path(partner), 409), ("GET", live_path(partner), 200)]
    assert emu.objects()["partner_policy"] == [full(partner, displayName="Ours", userSyncInbound={"isSyncAllowed": True})]


def test_put_answered_409_with_nothing_there_fails_clearly(collection, emu, connection):
    partner = tid("409 nothing there")
    emu.set_objects({"partners": [{"tenantId": partner}]})
    emu.add_fault(method="PUT", path="/identitySynchronization$", count=1, status=409)
    task = module_task("create", MODULE, dict(tenant_id=partner, location=PP, display_name="Ours"), ignore_errors=True)
    run = run_playbook(collection, [task], module_defaults=connection)

    assert run.status("create") == "failed"
    msg = run.result("create")["msg"]
    assert "409" in msg and "Request_MultipleObjectsWithSameKeyValue" in msg, msg
    assert graph_requests(emu) == [("GET", live_path(partner), 404), ("PUT", live_path(partner), 409), ("GET", live_path(partner), 404)]
    assert emu.objects()["partner_policy"] == []


def side_connection(emu, connection, side):
    """Switch the emulator to ``side`` and answer the connection options that work there."""
    emu.configure(**SIDES[side])
    if SIDES[side].get("deleted_items_app_only") != "forbidden":
        return connection
    return dict(auth_method="access_token", graph_endpoint=connection["graph_endpoint"], ca_path=connection["ca_path"],
                access_token=emu.issue_token(scopes=["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]))


@pytest.mark.parametrize("side", list(SIDES))
def test_soft_delete_then_restore(collection, emu, connection, side):
    """The live policy deleted goes to deleted items; restored, it is live again, once."""
    connection = side_connection(emu, connection, side)
    partner = tid("soft delete then restore")
    policy = dict(tenant_id=partner, location=PP)
    tasks = [
        module_task("partner configuration", ACCESS, {"tenant_id": partner}),
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
    objects = emu.objects()
    assert (objects["deleted_items"], objects["partner_policy"]) == ([], [expected])
    assert [(w["method"], w["path"]) for w in of_kind(emu.requests(), "graph_write")] == [
        ("POST", partners_path()), ("PUT", live_path(partner)), ("DELETE", live_path(partner, BETA)), ("POST", item(partner) + "/restore")]


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
        ("api_version v1.0 with a beta-only option", ({"tenant_id": partner, "location": PP, "api_version": "v1.0",
                                                       "group_sync_inbound": {"is_sync_allowed": True}}, "group_sync_inbound")),
        ("api_version v1.0 with deleted items", ({"tenant_id": partner, "api_version": "v1.0", "display_name": "Fabrikam"},
                                                 "location=deleted_items")),
        ("api_version v1.0 to restore", ({"tenant_id": partner, "api_version": "v1.0", "state": "restored"}, "state=restored")),
    ])
    tasks = [module_task(name, MODULE, args, ignore_errors=True) for name, (args, dummy) in bad.items()]
    run = run_playbook(collection, tasks, module_defaults=connection)

    for name, (dummy, message) in bad.items():
        assert run.status(name) == "failed", name
        assert message in run.result(name)["msg"], (name, run.result(name)["msg"])
    assert "bool" in run.result("suboption of the wrong type")["msg"]
    assert "Unsupported parameters" in run.result("unknown suboption")["msg"]
    for name in ("api_version v1.0 with a beta-only option", "api_version v1.0 with deleted items", "api_version v1.0 to restore"):
        assert "api_version=v1.0" in run.result(name)["msg"] and "beta" in run.result(name)["msg"], run.result(name)["msg"]
    assert emu.requests() == []
    assert emu.objects() == EMPTY_STORE


# ---- the scenario, against the emulator and in live mode against a real tenant ----------------

@pytest.fixture(params=live.TARGETS)
def target(request, collection):
    yield from live.make_target(request, collection, request.node.name)


def scenario_tasks(partner):
    policy = dict(tenant_id=partner, location=PP)
    allow = dict(policy, display_name="Fabrikam", user_sync_inbound={"is_sync_allowed": True})
    return [
        module_task("sync policy before its partner configuration", MODULE, allow, ignore_errors=True),
        module_task("no sync policy was created", INFO, {"tenant_id": partner, "location": PP}),
        module_task("no partner configuration was created", ACCESS_INFO, {"tenant_id": partner}),
        module_task("partner configuration", ACCESS, {"tenant_id": partner, "automatic_user_consent_settings": {"inbound_allowed": True}}),
        module_task("sync policy", MODULE, allow),
        module_task("sync policy again", MODULE, allow),
        module_task("rename only", MODULE, dict(policy, display_name="Fabrikam Ltd")),
        module_task("read back after the rename", INFO, {"tenant_id": partner, "location": PP, "api_version": "beta"}),
        module_task("preview stopping user sync", MODULE, dict(policy, user_sync_inbound={"is_sync_allowed": False}),
                    check_mode=True, diff=True),
        module_task("read back after the preview", INFO, {"tenant_id": partner, "location": PP}),
        module_task("allow group sync", MODULE, dict(policy, group_sync_inbound={"is_sync_allowed": True})),
        module_task("allow group sync again", MODULE, dict(policy, group_sync_inbound={"is_sync_allowed": True})),
        module_task("partner configuration without force", ACCESS, {"tenant_id": partner, "state": "absent"}, ignore_errors=True),
        module_task("sync policy still there", INFO, {"tenant_id": partner, "location": PP}),
        module_task("delete the sync policy", MODULE, dict(policy, state="absent")),
        module_task("restore it", MODULE, {"tenant_id": partner, "state": "restored"}),
        module_task("teardown with force", ACCESS, {"tenant_id": partner, "state": "absent", "force": True}),
        module_task("no sync policy left", INFO, {"tenant_id": partner, "location": PP}),
        module_task("no partner configuration left", ACCESS_INFO, {"tenant_id": partner}),
    ]


def run_scenario(collection, target):
    """Run the scenario on ``target`` and check what a user sees; returns the run."""
    partner = target.partner
    run = run_playbook(collection, scenario_tasks(partner), module_defaults=target.connection)
    assert run.rc == 0, run.output

    refused = run.result("sync policy before its partner configuration")
    assert run.status("sync policy before its partner configuration") == "failed"
    assert "entra.graph.crosstenant_access_partner" in refused["msg"] and partner in refused["msg"], refused["msg"]
    assert "partner configuration" in refused["msg"], refused["msg"]
    assert run.result("no sync policy was created")["partners"] == []
    assert run.result("no partner configuration was created")["partners"] == []

    created = run.result("partner configuration")
    assert created["changed"] is True and created["api_version"] == V1
    assert created["partner"]["tenantId"] == partner
    assert created["partner"]["automaticUserConsentSettings"]["inboundAllowed"] is True

    policy = run.result("sync policy")
    assert policy["changed"] is True and policy["api_version"] == V1
    assert policy["partner"] == {"tenantId": partner, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": True}}
    assert run.status("sync policy again") == "ok"

    renamed = run.result("rename only")
    assert renamed["changed"] is True and renamed["changed_properties"] == ["displayName"]
    assert renamed["partner"] == dict(policy["partner"], displayName="Fabrikam Ltd")
    [read] = run.result("read back after the rename")["partners"]
    # The rename kept what it did not name, on the server.
    assert (read["displayName"], read["userSyncInbound"]) == ("Fabrikam Ltd", {"isSyncAllowed": True}), read

    preview = run.result("preview stopping user sync")
    assert preview["changed"] is True and preview["changed_properties"] == ["userSyncInbound"]
    assert preview["partner"] == dict(renamed["partner"], userSyncInbound={"isSyncAllowed": False})
    assert preview["diff"] == {"before": renamed["partner"], "after": preview["partner"]}
    assert run.result("read back after the preview")["partners"] == [renamed["partner"]]

    group = run.result("allow group sync")
    assert group["changed"] is True and group["api_version"] == BETA and group["changed_properties"] == ["groupSyncInbound"]
    assert (group["partner"]["displayName"], group["partner"]["userSyncInbound"], group["partner"]["groupSyncInbound"]) == (
        "Fabrikam Ltd", {"isSyncAllowed": True}, {"isSyncAllowed": True})
    assert run.status("allow group sync again") == "ok"

    kept = run.result("partner configuration without force")
    assert run.status("partner configuration without force") == "failed"
    assert "force" in kept["msg"] and "nothing was deleted" in kept["msg"], kept["msg"]
    assert [p["tenantId"] for p in run.result("sync policy still there")["partners"]] == [partner]

    assert run.result("delete the sync policy")["changed"] is True
    restored = run.result("restore it")
    assert restored["changed"] is True and restored["api_version"] == BETA
    assert restored["partner"] == group["partner"]

    teardown = run.result("teardown with force")
    assert teardown["changed"] is True and teardown["partner"] == {}
    assert teardown["deleted_sync_policy"]["tenantId"] == partner
    assert run.result("no sync policy left")["partners"] == []
    assert run.result("no partner configuration left")["partners"] == []
    return run


def test_scenario(collection, target):
    """A target tenant's partner from nothing to teardown; on the emulator, its requests too."""
    run_scenario(collection, target)
    if target.kind != "emulator":
        return
    partner = target.partner
    one, live_v1, live_beta = partners_path() + "/" + partner, live_path(partner), live_path(partner, BETA)
    assert target.graph_requests() == [
        # the sync policy before its partner configuration: the PUT's 404 is explained by a read of the partner
        ("GET", live_v1, 404), ("PUT", live_v1, 404), ("GET", one, 404),
        ("GET", live_v1, 404), ("GET", one, 404),
        # the partner configuration, then the sync policy: PUT creates, v1.0 only
        ("GET", one, 404), ("POST", partners_path(), 201),
        ("GET", live_v1, 404), ("PUT", live_v1, 204),
        ("GET", live_v1, 200),
        # updates are PATCH
        ("GET", live_v1, 200), ("PATCH", live_v1, 204),
        ("GET", live_beta, 200),
        ("GET", live_v1, 200),
        ("GET", live_v1, 200),
        # group_sync_inbound is beta only: every request of those tasks goes to beta
        ("GET", live_beta, 200), ("PATCH", live_beta, 204),
        ("GET", live_beta, 200),
        # absent without force reads the sync policy and deletes nothing
        ("GET", one, 200), ("GET", live_v1, 200),
        ("GET", live_v1, 200),
        # the soft delete goes to beta: it reads the copy in deleted items it would replace (none)
        ("GET", live_beta, 200), ("GET", item(partner), 404), ("DELETE", live_beta, 204),
        ("GET", live_beta, 404), ("GET", item(partner), 200), ("POST", item(partner) + "/restore", 200),
        # force: the sync policy, then the partner configuration
        ("GET", one, 200), ("GET", live_v1, 200), ("DELETE", live_v1, 204), ("DELETE", one, 204),
        ("GET", live_v1, 404), ("GET", one, 404),
    ]


def test_live_mode_code_runs_against_any_graph(collection, emu):
    """The live variant's own steps (spare check, scenario, clean-up) on a Graph reached only through
    its settings, as a real tenant would be: here the emulator, so the live path cannot rot unseen."""
    info = emu.info
    settings = dict(tenant=info["tenant"], client_id=info["client_id"], client_secret=info["client_secret"],
                    partner=live.emulator_partner("live code path"), authority_host=info["authority_host"],
                    graph_endpoint=info["graph_endpoint"])
    target = live.LiveTarget(settings, ca_path=info["ca_path"])
    assert target.graph_requests() is None
    live.ensure_spare(collection, target)
    run_scenario(collection, target)
    # A live test leaves nothing behind, even the sync policy's copy in deleted items.
    cleanup = live.clean_up(collection, target)
    assert cleanup.rc == 0, cleanup.output
    assert live.partner_state(collection, target) == ([], [])
    objects = emu.objects()
    assert (objects["partners"], objects["partner_policy"], objects["deleted_items"]) == ([], [], [])


def test_live_mode_is_off_without_its_variables_and_in_ci():
    complete = {"ENTRA_GRAPH_LIVE_TENANT": "contoso.onmicrosoft.com", "AZURE_CLIENT_ID": "app",
                "AZURE_CLIENT_SECRET": "secret", "ENTRA_GRAPH_LIVE_PARTNER": "9C5D131D-B1C3-4FC4-9E3F-C6557947D551"}
    settings, reason = live.live_settings(complete)
    assert reason is None
    assert settings["partner"] == "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
    assert settings["graph_endpoint"] == "https://graph.microsoft.com"

    settings, reason = live.live_settings(dict(complete, ENTRA_GRAPH_LIVE_PARTNER=""))
    assert settings is None
    for name in live.REQUIRED:
        assert name in reason, reason
    assert "missing: ENTRA_GRAPH_LIVE_PARTNER" in reason, reason
    settings, reason = live.live_settings(dict(complete, CI="true"))
    assert settings is None and "CI" in reason
    settings, reason = live.live_settings(dict(complete, ENTRA_GRAPH_LIVE_PARTNER="fabrikam.com"))
    assert settings is None and "GUID" in reason


# ---- what the emulator assumes about Graph, probed with plain HTTP ------------------------------

# Graph's answers that no Microsoft page documents (CROSS_TENANT_SYNC.md 2.1, 2.2, 1.3) and the ones the
# module relies on, as the emulator gives them. The live variant asks real Graph the same questions: a
# difference means the emulator (tests/emulator/partners.py and its README) must change, and maybe the module.
ASSUMED = collections.OrderedDict([
    ("PUT a sync policy without a partner configuration", (404, "Request_ResourceNotFound")),   # assumption
    ("POST the partner configuration", (201, None)),
    ("PUT the sync policy", (204, None)),
    ("PUT over the existing sync policy", (409, "Request_MultipleObjectsWithSameKeyValue")),   # documented
    ("DELETE the partner configuration that has a sync policy", (400, "Request_BadRequest")),  # assumption
    ("DELETE the sync policy", (204, None)),
    ("PATCH the sync policy in deleted items", (405, "Request_BadRequest")),                   # assumption
    ("DELETE the sync policy in deleted items", (204, None)),
    ("DELETE the partner configuration", (204, None)),
])


def probe_tasks(target):
    partner = target.partner
    partner_url = "%s/v1.0/policies/crossTenantAccessPolicy/partners/%s" % (target.graph, partner)
    sync_url = partner_url + "/identitySynchronization"
    deleted_url = "%s/beta/policies/deletedItems/crossTenantSyncPolicyPartners/%s" % (target.graph, partner)
    probes = collections.OrderedDict([
        ("PUT a sync policy without a partner configuration", ("PUT", sync_url, {"displayName": "entra.graph probe"})),
        ("POST the partner configuration", ("POST", "%s/v1.0/policies/crossTenantAccessPolicy/partners" % target.graph,
                                            {"tenantId": partner})),
        ("PUT the sync policy", ("PUT", sync_url, {"displayName": "entra.graph probe", "userSyncInbound": {"isSyncAllowed": False}})),
        ("PUT over the existing sync policy", ("PUT", sync_url, {"displayName": "entra.graph probe"})),
        ("DELETE the partner configuration that has a sync policy", ("DELETE", partner_url, None)),
        ("DELETE the sync policy", ("DELETE", sync_url, None)),
        ("PATCH the sync policy in deleted items", ("PATCH", deleted_url, {"displayName": "entra.graph probe, renamed"})),
        ("DELETE the sync policy in deleted items", ("DELETE", deleted_url, None)),
        ("DELETE the partner configuration", ("DELETE", partner_url, None)),
    ])
    tls = {"ca_path": target.ca_path} if target.ca_path else {}
    tasks = [{"name": "sign in", "no_log": True, "register": "token", "ansible.builtin.uri": dict(
        tls, url=target.token_url, method="POST", body_format="form-urlencoded",
        body={"grant_type": "client_credentials", "client_id": target.connection["client_id"],
              "client_secret": target.connection["client_secret"], "scope": target.scope})}]
    for number, (name, (method, url, body)) in enumerate(probes.items()):
        args = dict(tls, url=url, method=method, status_code=list(range(200, 600)),
                    headers={"Authorization": "Bearer {{ token.json.access_token }}"})
        if body is not None:
            args.update(body_format="json", body=body)
        # no_log keeps the token out of every result; the answers are read from the registered values.
        tasks.append({"name": name, "no_log": True, "register": "probe%d" % number, "ansible.builtin.uri": args})
    answers = dict((name, "{{ [probe%d.status, (probe%d.json | default({})).get('error', {}).get('code'), "
                          "(probe%d.json | default({})).get('error', {}).get('message')] }}" % (n, n, n))
                   for n, name in enumerate(probes))
    tasks.append({"name": "answers", "ansible.builtin.debug": {"msg": answers}})
    return tasks


def test_graph_answers_as_the_emulator_assumes(collection, target):
    """Plain requests (``uri``), no module: Graph's answer to a PUT without a partner configuration, to
    a DELETE of a partner configuration that has a sync policy, and to a PATCH of a deleted item."""
    run = run_playbook(collection, probe_tasks(target))
    assert run.status("sign in") == "ok", "sign-in to %s failed (rc %d)" % (target.token_url, run.rc)
    answers = run.result("answers")["msg"]
    differences = ["%s: Graph answered %s %s (%s), the emulator assumes %s %s" % (
        name, answers[name][0], answers[name][1], answers[name][2], expected[0], expected[1])
        for name, expected in ASSUMED.items() if (answers[name][0], answers[name][1]) != expected]
    assert differences == [], "\n".join(differences)
