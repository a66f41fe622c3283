# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Probes of the emulator over TLS, with plain requests: Graph as it really answers. Properties no module
manages, query options as Graph documents them, the switches of the contested rules (both sides, set at
start, over the control API and from Python), throttling by the identity and access limits, and targets."""

import json
import math
import os
import subprocess
import sys
import time
import uuid

import pytest

from test_emulator import PARTNERS, PARTNERS_V1, Graph, assert_graph_error, live, new_tid, partner

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DELETED = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
DELEGATED = ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"]
# What the metadata has and no module manages, and what only Graph's answers show.
METADATA_EXTRAS = {"appServiceConnectInbound": {"applications": {"accessType": "allowed", "targets": []}},
                   "m365CollaborationInbound": {"users": {"accessType": "blocked", "targets": []}},
                   "m365CollaborationOutbound": {"usersAndGroups": None}}
ANSWER_EXTRAS = {"crossCloudMeetingConfiguration": {"inboundAllowed": True, "outboundAllowed": False},
                 "protectedContentSharing": {"inboundAllowed": False, "outboundAllowed": True}}
BETA_ANSWER_EXTRAS = {"invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory"]}}


@pytest.fixture
def graph(emu, emu_http):
    return Graph(emu, emu_http, emu.issue_token())


def seed_partners(emu, count, **props):
    ids = sorted(str(uuid.UUID(int=n + 1)) for n in range(count))
    emu.set_objects({"partners": [dict(props, tenantId=t) for t in ids]})
    return ids


# ---- properties no module manages -----------------------------------------------------------

def test_partners_carry_the_metadatas_newer_properties_and_those_of_live_answers(graph, emu):
    tid = new_tid()
    emu.set_objects({"partners": [dict(METADATA_EXTRAS, tenantId=tid, **dict(ANSWER_EXTRAS, **BETA_ANSWER_EXTRAS))]})
    beta = graph.get(partner(tid)).json()
    v1 = graph.get(partner(tid, "v1.0")).json()
    for name, value in dict(METADATA_EXTRAS, **ANSWER_EXTRAS).items():
        assert beta[name] == value and v1[name] == value, name
    assert beta["invitationRedemptionIdentityProviderConfiguration"] == BETA_ANSWER_EXTRAS["invitationRedemptionIdentityProviderConfiguration"]
    assert "invitationRedemptionIdentityProviderConfiguration" not in v1
    [listed] = graph.get(PARTNERS_V1).json()["value"]
    assert listed["crossCloudMeetingConfiguration"] == ANSWER_EXTRAS["crossCloudMeetingConfiguration"]


def test_a_new_partner_has_the_metadatas_properties_null_and_no_answer_only_ones(graph):
    tid = new_tid()
    created = graph.post(PARTNERS_V1, {"tenantId": tid}).json()
    assert all(created[name] is None for name in METADATA_EXTRAS)
    assert not set(ANSWER_EXTRAS) & set(created)


def test_writes_take_the_metadatas_properties_and_refuse_answer_only_ones(graph, emu):
    tid = new_tid()
    assert graph.post(PARTNERS_V1, dict(METADATA_EXTRAS, tenantId=tid)).status_code == 201
    assert graph.patch(partner(tid, "v1.0"), {"m365CollaborationOutbound": {"usersAndGroups": {"accessType": "allowed"}}}).status_code == 204
    assert graph.get(partner(tid)).json()["m365CollaborationOutbound"] == {"usersAndGroups": {"accessType": "allowed"}}
    for name, value in dict(ANSWER_EXTRAS, **BETA_ANSWER_EXTRAS).items():
        error = assert_graph_error(graph.patch(partner(tid), {name: value}), 400, "Request_BadRequest")
        assert error["message"] == "Invalid property '%s'." % name
    assert_graph_error(graph.patch(partner(tid), {"appServiceConnectInbound": "yes"}), 400, "Request_BadRequest")


def test_the_request_log_names_the_properties_a_write_sent_never_their_values(graph, emu):
    tid = new_tid()
    graph.post(PARTNERS_V1, {"tenantId": tid, "isServiceProvider": True})
    [entry] = emu.requests("graph_write")
    assert entry["properties"] == ["isServiceProvider", "tenantId"]
    graph.get(partner(tid))
    assert emu.requests("graph_read")[0]["properties"] is None


# ---- query options ----------------------------------------------------------------------------

@pytest.mark.parametrize("dollar", ["$", ""])
def test_beta_takes_query_options_with_or_without_the_dollar(graph, emu, dollar):
    ids = seed_partners(emu, 3)
    emu.set_objects({"partners": [{"tenantId": ids[0], "isServiceProvider": True}, {"tenantId": ids[1]}, {"tenantId": ids[2]}]})
    page = graph.get(PARTNERS + "?%stop=1&%sselect=tenantId&%scount=true" % (dollar, dollar, dollar)).json()
    assert page["value"] == [{"tenantId": ids[0]}] and page["@odata.count"] == 3
    assert "$skiptoken=" in page["@odata.nextLink"] and "$top=1" in page["@odata.nextLink"]
    second = graph.get(page["@odata.nextLink"]).json()
    assert second["value"] == [{"tenantId": ids[1]}]
    filtered = graph.get(PARTNERS + "?%sfilter=isServiceProvider eq true&%sselect=tenantId" % (dollar, dollar)).json()
    assert filtered["value"] == [{"tenantId": ids[0]}]
    skipped = graph.get(PARTNERS + "?%sskip=2&%sselect=tenantId" % (dollar, dollar)).json()
    assert skipped["value"] == [{"tenantId": ids[2]}]


def test_v1_needs_the_dollar(graph, emu):
    # Graph documents the '$' as optional on beta only: on v1.0 `top` is no query option.
    seed_partners(emu, 3)
    assert len(graph.get(PARTNERS_V1 + "?top=1").json()["value"]) == 3
    assert len(graph.get(PARTNERS_V1 + "?$top=1").json()["value"]) == 1


def test_filter_on_partners(graph, emu):
    ids = seed_partners(emu, 3)
    found = graph.get(PARTNERS_V1 + "?$filter=tenantId eq '%s'&$select=tenantId" % ids[1].upper()).json()["value"]
    assert found == [{"tenantId": ids[1]}]
    assert graph.get(PARTNERS_V1 + "?$filter=isServiceProvider eq true").json()["value"] == []
    error = assert_graph_error(graph.get(PARTNERS_V1 + "?$filter=inboundTrust eq 'x'"), 400, "Request_UnsupportedQuery")
    assert "inboundTrust" in error["message"]
    assert_graph_error(graph.get(PARTNERS_V1 + "?$filter=tenantId ne 'x'"), 400, "BadRequest")
    # blockServiceProviderOutboundAccess is a beta property.
    assert graph.get(PARTNERS + "?$filter=blockServiceProviderOutboundAccess eq false").status_code == 200
    assert_graph_error(graph.get(PARTNERS_V1 + "?$filter=blockServiceProviderOutboundAccess eq false"), 400, "Request_UnsupportedQuery")


def test_count_and_the_count_segment(graph, emu):
    ids = seed_partners(emu, 4)
    for version_path in (PARTNERS, PARTNERS_V1):
        resp = graph.get(version_path + "/$count")
        assert resp.status_code == 200 and resp.text == "4" and resp.headers["Content-Type"].startswith("text/plain")
    assert graph.get(PARTNERS_V1 + "/$count?$filter=tenantId eq '%s'" % ids[0]).text == "1"
    assert graph.get(PARTNERS + "/$count?filter=tenantId eq '%s'" % ids[0]).text == "1"
    page = graph.get(PARTNERS_V1 + "?$count=true&$top=1").json()
    assert page["@odata.count"] == 4 and len(page["value"]) == 1
    assert "@odata.count" not in graph.get(PARTNERS_V1 + "?$count=false").json()
    assert_graph_error(graph.get(PARTNERS_V1 + "?$count=maybe"), 400, "BadRequest")
    assert graph.call("POST", PARTNERS_V1 + "/$count").status_code == 405


@pytest.mark.parametrize("top", ["0", "1000", "-1", "many"])
def test_a_bad_top_is_the_directorys_unsupported_query(graph, top):
    error = assert_graph_error(graph.get(PARTNERS_V1 + "?$top=" + top), 400, "Request_UnsupportedQuery")
    assert "Invalid page size specified" in error["message"]


def test_a_method_not_allowed_names_the_request_target(graph):
    resp = graph.call("POST", live(new_tid()), {"displayName": "x"})
    error = assert_graph_error(resp, 405, "Request_BadRequest")
    assert error["message"] == "Specified HTTP method is not allowed for the request target."


# ---- switches -----------------------------------------------------------------------------------

def test_switches_are_read_and_set_over_the_control_api_and_reset_restores_them(emu, emu_http):
    url = emu.info["control_url"] + "/config"
    config = emu_http.get(url).json()
    assert {k: config[k] for k in ("put_over_existing", "deleted_items_app_only", "revocation", "throttle")} == {
        "put_over_existing": "conflict", "deleted_items_app_only": "allowed", "revocation": "all", "throttle": "off"}
    changed = emu_http.put(url, json={"put_over_existing": "update", "revocation": "cp1"}).json()
    assert (changed["put_over_existing"], changed["revocation"]) == ("update", "cp1")
    assert emu_http.put(url, json={"revocation": "some"}).status_code == 400
    assert emu_http.put(url, json={"unknown": 1}).status_code == 400
    emu.reset()
    assert emu.configure()["put_over_existing"] == "conflict"


def test_switches_set_at_start_on_the_command_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--port", "0", "--state-dir", str(tmp_path),
                             "--put-over-existing", "update", "--deleted-items-app-only", "forbidden", "--revocation", "cp1",
                             "--throttle", "on", "--throttle-scale", "0.5"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        import requests

        session = requests.Session()
        session.trust_env = False
        config = session.get(info["control_url"] + "/config", verify=info["ca_path"], timeout=10).json()
        assert (config["put_over_existing"], config["deleted_items_app_only"], config["revocation"], config["throttle"],
                config["throttle_scale"]) == ("update", "forbidden", "cp1", "on", 0.5)
        # reset goes back to the settings of start-up, not to the defaults.
        session.post(info["control_url"] + "/reset", verify=info["ca_path"], timeout=10)
        assert session.get(info["control_url"] + "/config", verify=info["ca_path"], timeout=10).json()["revocation"] == "cp1"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("side, status", [("conflict", 409), ("update", 204)])
def test_put_over_an_existing_sync_policy(graph, emu, side, status):
    tid = new_tid()
    emu.set_objects({"partners": [{"tenantId": tid}], "partner_policy": [
        {"tenantId": tid, "displayName": "Before", "userSyncInbound": {"isSyncAllowed": True}}]})
    emu.configure(put_over_existing=side)
    resp = graph.put(live(tid), {"displayName": "After"})
    assert resp.status_code == status, resp.text
    held = emu.objects()["partner_policy"][0]
    if side == "conflict":
        assert resp.json()["error"]["code"] == "Request_MultipleObjectsWithSameKeyValue"
        assert held["displayName"] == "Before"
    else:
        # A PUT replaces: what it leaves out is reset.
        assert (held["displayName"], held["userSyncInbound"]) == ("After", None)


@pytest.mark.parametrize("side", ["allowed", "forbidden"])
def test_deleted_items_with_an_app_only_token(emu, emu_http, side):
    emu.configure(deleted_items_app_only=side)
    app_only = Graph(emu, emu_http, emu.issue_token())
    delegated = Graph(emu, emu_http, emu.issue_token(scopes=DELEGATED))
    for path in (DELETED, DELETED + "/$count", "/beta/policies/deletedItems/crossTenantPartners"):
        resp = app_only.get(path)
        if side == "allowed":
            assert resp.status_code == 200, resp.text
        else:
            error = assert_graph_error(resp, 403, "Authorization_RequestDenied")
            assert error["message"] == "Insufficient privileges to complete the operation."
        assert delegated.get(path).status_code == 200
    # The live policies take app-only tokens either way.
    assert app_only.get(PARTNERS).status_code == 200
    # A delegated token carries its permissions as scopes: without the write scope, no write.
    reader = Graph(emu, emu_http, emu.issue_token(scopes=["Policy.Read.All"]))
    assert_graph_error(reader.post(PARTNERS, {"tenantId": new_tid()}), 403, "Authorization_RequestDenied")


@pytest.mark.parametrize("side", ["all", "cp1"])
def test_revocation(emu, emu_http, side):
    emu.configure(revocation=side)
    mi = emu.info["mi_system_principal"]["client_id"]
    tokens = {"plain": emu.issue_token(), "cp1": emu.issue_token(capabilities=["cp1"]),
              "managed identity": emu.issue_token(client_id=mi, capabilities=["cp1"])}
    emu.revoke_tokens()
    refused = {name for name, access_token in tokens.items() if Graph(emu, emu_http, access_token).get(PARTNERS).status_code == 401}
    # cp1: continuous access evaluation reaches only clients that declared cp1, and not managed identities.
    assert refused == ({"plain", "cp1", "managed identity"} if side == "all" else {"cp1"})


# ---- throttling --------------------------------------------------------------------------------

def test_throttle_answers_429_with_retry_after_once_a_client_is_over_its_rate(emu, emu_http):
    graph = Graph(emu, emu_http, emu.issue_token())
    other = Graph(emu, emu_http, emu.issue_token(client_id=emu.info["readonly_client_id"]))
    for dummy in range(30):
        assert graph.get(PARTNERS).status_code == 200  # off by default
    # 3,500 resource units per 10 s per app and tenant, scaled: a bucket of 5 units, 0.5 per second.
    emu.configure(throttle="on", throttle_scale=5 / 3500.0)
    answers = [graph.get(PARTNERS) for dummy in range(6)]
    assert [resp.status_code for resp in answers[:5]] == [200] * 5
    throttled = answers[5]
    assert_graph_error(throttled, 429, "TooManyRequests")
    wait = int(throttled.headers["Retry-After"])
    assert 1 <= wait <= math.ceil(1 / 0.5)
    assert throttled.headers["x-ms-throttle-scope"].startswith("Tenant_Application/")
    # Another app has its own bucket.
    assert other.get(PARTNERS).status_code == 200
    assert [entry["fault"] for entry in emu.requests()][-2:] == ["throttle", None]
    time.sleep(wait)
    assert graph.get(PARTNERS).status_code == 200


def test_a_throttled_write_is_not_carried_out(emu, emu_http):
    graph = Graph(emu, emu_http, emu.issue_token())
    emu.configure(throttle="on", throttle_scale=2 / 3500.0)
    tid = new_tid()
    assert graph.get(PARTNERS).status_code == 200 and graph.get(PARTNERS).status_code == 200
    assert graph.post(PARTNERS, {"tenantId": tid}).status_code == 429
    assert emu.objects()["partners"] == []


# ---- targets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, kind", [("AllUsers", "user"), ("AllUsers", "group"), ("AllApplications", "application"),
                                          ("AllMicrosoftApps", "application"), ("Office365", "application"),
                                          ("6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21", "group")])
def test_documented_targets_are_taken(graph, target, kind):
    setting = {"usersAndGroups" if kind != "application" else "applications": {"accessType": "allowed", "targets": [
        {"target": target, "targetType": kind}]}}
    assert graph.post(PARTNERS, {"tenantId": new_tid(), "b2bCollaborationInbound": setting}).status_code == 201


@pytest.mark.parametrize("target, kind", [("NotARealTarget", "user"), ("AllApplications", "user"), ("AllUsers", "application"),
                                          ("allusers", "user")])
def test_other_targets_are_graphs_found_invalid_target(graph, target, kind):
    tid = new_tid()
    graph.post(PARTNERS, {"tenantId": tid})
    body = {"b2bDirectConnectOutbound": {"usersAndGroups": {"accessType": "blocked", "targets": [{"target": target, "targetType": kind}]}}}
    error = assert_graph_error(graph.patch(partner(tid), body), 400, "Request_BadRequest")
    assert error["message"].startswith("Found invalid target '%s'" % target)
