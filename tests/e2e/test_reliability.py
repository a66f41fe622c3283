# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unattended runs meet throttling, transient faults, hung servers, lost answers, TLS trouble,
bad answers and bad input: ride through what is transient, never write twice, and fail fast
with one readable line on everything else. Faults come from the emulator's fault injection."""

import datetime
import json

from harness import run_playbook

PARTNER = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
COLLECTION_PATH = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def item_path(tenant_id):
    return "^%s/%s$" % (COLLECTION_PATH, tenant_id)


def collection_path():
    return "^%s$" % COLLECTION_PATH


def partner_task(name, tenant_id=PARTNER, ignore_errors=False, **options):
    args = {"tenant_id": tenant_id, "display_name": "Fabrikam"}
    args.update(options)
    task = {"name": name, "entra.graph.crosstenant_sync_partner": args}
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def info_task(name, tenant_id=PARTNER, **options):
    args = {"tenant_id": tenant_id}
    args.update(options)
    return {"name": name, "entra.graph.crosstenant_sync_partner_info": args, "ignore_errors": True}


def when(entry):
    return datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))


def graph_log(emu, method=None):
    return [entry for entry in emu.requests() if entry["kind"].startswith("graph")
            and (method is None or entry["method"] == method)]


def sequence(emu):
    """(method, status, fault) of every Graph request, in order."""
    return [(entry["method"], entry["status"], entry["fault"]) for entry in graph_log(emu)]


def assert_clean_failure(run, task):
    """The task failed and says what went wrong in one line, without a traceback; returns its msg."""
    result = run.result(task)
    assert run.status(task) == "failed", json.dumps(result, indent=1)
    msg = result.get("msg")
    assert isinstance(msg, str) and msg.strip(), result
    assert "\n" not in msg and "\r" not in msg, msg
    assert "Traceback" not in run.stdout and "Traceback" not in run.stderr, run.output
    # ansible-core 2.19 puts a placeholder under "exception" when no traceback was captured.
    assert "Traceback" not in str(result.get("exception", "")) and "module_stderr" not in result, result
    return msg


def stored_ids(emu):
    return [item["tenantId"] for item in emu.objects()["deleted_items"]]


# ---- throttling and transient faults ----------------------------------------------------------

def test_throttled_create_waits_for_retry_after_and_creates_once(collection, emu, connection):
    emu.add_fault(method="POST", path=collection_path(), count=2, status=429, retry_after="1")
    run = run_playbook(collection, [partner_task("create")], module_defaults=connection)
    assert run.rc == 0, run.output
    result = run.result("create")
    assert result["changed"] is True
    assert result["partner"]["tenantId"] == PARTNER
    assert stored_ids(emu) == [PARTNER]

    posts = graph_log(emu, "POST")
    assert [(p["status"], p["fault"]) for p in posts] == [(429, "status"), (429, "status"), (201, None)], posts
    # Retry-After: 1 was honoured before each retry (the log times are when each answer was ready).
    for earlier, later in zip(posts, posts[1:]):
        assert (when(later) - when(earlier)).total_seconds() >= 0.9, posts


def test_service_unavailable_once_on_read_is_retried(collection, emu, connection):
    emu.add_fault(method="GET", path=item_path(PARTNER), count=1, status=503, retry_after="0")
    run = run_playbook(collection, [partner_task("create")], module_defaults=connection)
    assert run.rc == 0, run.output
    assert run.result("create")["changed"] is True
    assert sequence(emu) == [("GET", 503, "status"), ("GET", 404, None), ("POST", 201, None)]
    assert stored_ids(emu) == [PARTNER]


def test_persistent_throttling_fails_after_max_retries_plus_one_attempts(collection, emu, connection):
    emu.add_fault(method="POST", path=collection_path(), count=10, status=429, retry_after="0")
    run = run_playbook(collection, [partner_task("create", max_retries=2, ignore_errors=True)], module_defaults=connection)
    result = run.result("create")
    msg = assert_clean_failure(run, "create")

    posts = graph_log(emu, "POST")
    assert len(posts) == 3, posts
    assert all(p["status"] == 429 for p in posts), posts
    last_request_id = posts[-1]["request_id"]
    assert "429" in msg and "TooManyRequests" in msg and last_request_id in msg, msg
    assert "tried 3 times" in msg, msg
    assert result["status"] == 429 and result["error_code"] == "TooManyRequests"
    assert result["request_id"] == last_request_id
    assert stored_ids(emu) == []


def test_hung_server_times_out_after_max_retries_plus_one_attempts(collection, emu, connection):
    emu.add_fault(method="GET", path=item_path(PARTNER), count=5, kind="hang", seconds=6)
    task = partner_task("create", timeout=2, max_retries=1, ignore_errors=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    run = run_playbook(collection, [task], module_defaults=connection, timeout=120)
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    msg = assert_clean_failure(run, "create")

    assert "timeout" in msg and "2s" in msg, msg
    assert "tried 2 times" in msg, msg
    attempts = graph_log(emu)
    assert [(a["method"], a["status"], a["fault"]) for a in attempts] == [("GET", None, "hang")] * 2, attempts
    assert elapsed < 60, elapsed
    assert stored_ids(emu) == []


def test_sign_in_endpoints_retry_throttling_and_unavailability(collection, emu, connection):
    info = emu.info
    # The token request meets a 429 and then a 503; the managed identity endpoint a 503.
    emu.add_fault(method="POST", path=r"/oauth2/v2\.0/token$", count=1, status=429, retry_after="0")
    emu.add_fault(method="POST", path=r"/oauth2/v2\.0/token$", count=1, status=503, retry_after="0")
    emu.add_fault(method="GET", path=r"^/msi/token$", count=1, status=503, retry_after="0")
    managed_identity = {"auth_method": "managed_identity", "graph_endpoint": info["graph_endpoint"], "ca_path": info["ca_path"]}
    tasks = [info_task("client secret after a 429 and a 503", **connection),
             info_task("managed identity after a 503", **managed_identity)]
    env = {"IDENTITY_ENDPOINT": info["identity_endpoint"], "IDENTITY_HEADER": info["identity_header"]}
    run = run_playbook(collection, tasks, env=env)
    assert run.rc == 0, run.output
    assert run.result("client secret after a 429 and a 503")["partners"] == []
    assert run.result("managed identity after a 503")["partners"] == []
    assert [(e["status"], e["fault"]) for e in emu.requests("token")] == [(429, "status"), (503, "status"), (200, None)]
    assert [(e["status"], e["fault"]) for e in emu.requests("managed_identity")] == [(503, "status"), (200, None)]
    assert [e["status"] for e in graph_log(emu)] == [404, 404]


# ---- a lost answer to a write -------------------------------------------------------------------

def test_dropped_create_that_landed_is_not_posted_again(collection, emu, connection):
    emu.add_fault(method="POST", path=collection_path(), count=1, kind="drop", apply=True)
    run = run_playbook(collection, [partner_task("create")], module_defaults=connection)
    assert run.rc == 0, run.output
    result = run.result("create")
    assert result["changed"] is True
    assert result["partner"]["tenantId"] == PARTNER
    assert result["partner"]["displayName"] == "Fabrikam"
    # The module looked before writing again and found its object.
    assert sequence(emu) == [("GET", 404, None), ("POST", None, "drop"), ("GET", 200, None)]
    assert stored_ids(emu) == [PARTNER]


def test_dropped_create_that_did_not_land_is_posted_once_more(collection, emu, connection):
    emu.add_fault(method="POST", path=collection_path(), count=1, kind="drop", apply=False)
    run = run_playbook(collection, [partner_task("create")], module_defaults=connection)
    assert run.rc == 0, run.output
    assert run.result("create")["changed"] is True
    assert sequence(emu) == [("GET", 404, None), ("POST", None, "drop"), ("GET", 404, None), ("POST", 201, None)]
    assert stored_ids(emu) == [PARTNER]


def test_timed_out_or_gateway_timed_out_create_that_landed_is_not_posted_again(collection, emu, connection):
    timed_out, gateway = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    # Both writes happen; the first answer never comes, the second is a 504 from a gateway.
    emu.add_fault(method="POST", path=collection_path(), count=1, kind="hang", seconds=5, apply=True)
    emu.add_fault(method="POST", path=collection_path(), count=1, status=504, apply=True)
    tasks = [partner_task("timed out", tenant_id=timed_out, timeout=2), partner_task("504", tenant_id=gateway)]
    run = run_playbook(collection, tasks, module_defaults=connection)
    assert run.rc == 0, run.output
    for name, tenant in (("timed out", timed_out), ("504", gateway)):
        result = run.result(name)
        assert result["changed"] is True, result
        assert result["partner"]["tenantId"] == tenant
    assert sequence(emu) == [("GET", 404, None), ("POST", None, "hang"), ("GET", 200, None),
                             ("GET", 404, None), ("POST", 504, "status"), ("GET", 200, None)]
    assert sorted(stored_ids(emu)) == [timed_out, gateway]


def test_delete_whose_answer_was_lost_is_done_not_failed(collection, emu, connection):
    deleted, live = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    emu.set_objects({"deleted_items": [{"tenantId": deleted, "displayName": "Contoso"}],
                     "partner_policy": [{"tenantId": live, "displayName": "Fabrikam"}]})
    # Both deletes happen; one answer is lost with the connection, the other is a 504 from a gateway.
    emu.add_fault(method="DELETE", path=item_path(deleted), count=1, kind="drop", apply=True)
    emu.add_fault(method="DELETE", path="/partners/%s/identitySynchronization$" % live, count=1, status=504, apply=True)
    tasks = [partner_task("permanent delete", tenant_id=deleted, state="absent"),
             partner_task("soft delete", tenant_id=live, state="absent", location="partner_policy")]
    run = run_playbook(collection, tasks, module_defaults=connection)
    assert run.rc == 0, run.output
    for name in ("permanent delete", "soft delete"):
        result = run.result(name)
        assert result["changed"] is True, result
        assert result["partner"] == {}, result
    # The retried DELETE found nothing left to delete: that is the outcome asked for.
    # The soft delete reads the copy in deleted items it would replace first (there is none).
    assert sequence(emu) == [("GET", 200, None), ("DELETE", None, "drop"), ("DELETE", 404, None),
                             ("GET", 200, None), ("GET", 404, None), ("DELETE", 504, "status"), ("DELETE", 404, None)]
    objects = emu.objects()
    assert objects["partner_policy"] == []
    assert [item["tenantId"] for item in objects["deleted_items"]] == [live]


def test_restore_whose_answer_was_lost_is_read_back_not_failed(collection, emu, connection):
    landed, lost = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    # A sync policy is restored into its partner configuration, which must be there.
    emu.set_objects({"deleted_items": [{"tenantId": tenant, "displayName": "Contoso", "deletedDateTime": "2025-06-18T23:11:01Z"}
                                       for tenant in (landed, lost)],
                     "partners": [{"tenantId": tenant} for tenant in (landed, lost)]})
    # The first restore happens and its answer is lost; the second is lost before it happens.
    emu.add_fault(method="POST", path="/%s/restore$" % landed, count=1, kind="drop", apply=True)
    emu.add_fault(method="POST", path="/%s/restore$" % lost, count=1, kind="drop", apply=False)
    tasks = [{"name": name, "entra.graph.crosstenant_sync_partner": {"tenant_id": tenant, "state": "restored"}}
             for name, tenant in (("restore landed", landed), ("restore lost", lost))]
    run = run_playbook(collection, tasks, module_defaults=connection)
    assert run.rc == 0, run.output
    for name, tenant in (("restore landed", landed), ("restore lost", lost)):
        result = run.result(name)
        assert result["changed"] is True, result
        assert result["partner"]["tenantId"] == tenant and result["partner"]["displayName"] == "Contoso", result
    restores = [(e["path"].split("/")[-2], e["status"], e["fault"]) for e in graph_log(emu, "POST")]
    assert restores == [(landed, None, "drop"), (lost, None, "drop"), (lost, 200, None)], restores
    objects = emu.objects()
    assert objects["deleted_items"] == []
    assert sorted(item["tenantId"] for item in objects["partner_policy"]) == [landed, lost]


# ---- TLS ------------------------------------------------------------------------------------------

def test_tls_verification_validate_certs_and_ca_path(collection, emu, connection, tmp_path):
    from tests.emulator import pki

    # A bundle of some other CA, standing for a wrong corporate bundle in the environment.
    other_ca = pki.make_ca()[1]
    wrong_bundle = str(tmp_path / "other-ca.pem")
    pki.write_file(wrong_bundle, pki.cert_pem(other_ca))
    wrong_env = {"REQUESTS_CA_BUNDLE": wrong_bundle, "CURL_CA_BUNDLE": wrong_bundle}

    without_ca = dict(connection)
    del without_ca["ca_path"]
    tasks = [
        info_task("system trust only"),
        info_task("validate_certs false", validate_certs=False),
        dict(info_task("ca_path over a wrong bundle", ca_path=connection["ca_path"]), environment=wrong_env),
        dict(info_task("wrong bundle only"), environment=wrong_env),
    ]
    # As on this machine: the environment points requests at the system bundle.
    env = {"REQUESTS_CA_BUNDLE": SYSTEM_BUNDLE, "CURL_CA_BUNDLE": SYSTEM_BUNDLE}
    run = run_playbook(collection, tasks, module_defaults=without_ca, env=env)

    for name in ("system trust only", "wrong bundle only"):
        msg = assert_clean_failure(run, name)
        assert "TLS certificate verification failed" in msg, msg
        assert "ca_path" in msg, msg

    insecure = run.result("validate_certs false")
    assert not insecure.get("failed"), insecure
    assert insecure["partners"] == []
    assert any("validate_certs" in warning for warning in insecure.get("warnings", [])), insecure

    pinned = run.result("ca_path over a wrong bundle")
    assert not pinned.get("failed"), pinned
    assert pinned["partners"] == []
    assert not pinned.get("warnings"), pinned

    # Only the two tasks that trusted the emulator got as far as a token and Graph.
    assert len(emu.requests("token")) == 2
    assert len(graph_log(emu)) == 2


# ---- bad answers from Graph ---------------------------------------------------------------------

def test_bad_answers_from_graph_fail_clearly(collection, emu, connection):
    tenants = {
        "not json": "11111111-1111-4111-8111-111111111111",
        "html error page": "22222222-2222-4222-8222-222222222222",
        "empty 201": "33333333-3333-4333-8333-333333333333",
        "unexpected status": "44444444-4444-4444-8444-444444444444",
    }
    emu.add_fault(method="GET", path=item_path(tenants["not json"]), status=200, body="<<this is not JSON>>")
    emu.add_fault(method="GET", path=item_path(tenants["html error page"]), status=502, content_type="text/html",
                  body="<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body>\n</html>\n")
    emu.add_fault(method="POST", path=collection_path(), status=201, body="")
    emu.add_fault(method="GET", path=item_path(tenants["unexpected status"]), status=418)
    tasks = [partner_task(name, tenant_id=tenant, ignore_errors=True) for name, tenant in tenants.items()]
    run = run_playbook(collection, tasks, module_defaults=connection)
    log = graph_log(emu)

    msg = assert_clean_failure(run, "not json")
    assert "not JSON" in msg and "HTTP 200" in msg, msg

    msg = assert_clean_failure(run, "html error page")
    assert "HTTP 502" in msg and "502 Bad Gateway" in msg, msg
    html_request = [e for e in log if tenants["html error page"] in e["path"]][0]
    assert html_request["request_id"] in msg, msg

    # A 201 without the object: the module reads it back, and finding nothing yet, says that the create
    # landed and could not be confirmed (a 2xx is a change, even when the read lags behind it).
    msg = assert_clean_failure(run, "empty 201")
    assert "201" in msg and "empty" in msg, msg
    assert [(e["method"], e["status"]) for e in log if tenants["empty 201"] in e["path"] or e["method"] == "POST"] == [
        ("GET", 404), ("POST", 201), ("GET", 404)], log

    result = run.result("unexpected status")
    msg = assert_clean_failure(run, "unexpected status")
    assert "HTTP 418" in msg, msg
    assert result["status"] == 418
    # Each failure is final: no retries of answers that are not transient, and no second write.
    assert len(log) == 6, log
    assert stored_ids(emu) == []


def test_bad_answers_from_sign_in_fail_clearly(collection, emu, connection):
    page = "<html><head><title>Proxy</title></head><body>Please sign in to the proxy</body></html>"
    # Faults are taken in order: the first task meets the discovery fault, the next two the token faults.
    emu.add_fault(method="GET", path=r"/openid-configuration$", status=502, content_type="text/html", body=page)
    emu.add_fault(method="POST", path=r"/oauth2/v2\.0/token$", status=200, content_type="text/html", body=page)
    emu.add_fault(method="POST", path=r"/oauth2/v2\.0/token$", status=502, content_type="text/html", body=page)
    names = ("discovery answers a 502 page", "token endpoint answers a 200 page", "token endpoint answers a 502 page")
    run = run_playbook(collection, [info_task(name) for name in names], module_defaults=connection)

    for name, (method, status) in zip(names, (("GET", 502), ("POST", 200), ("POST", 502))):
        msg = assert_clean_failure(run, name)
        assert msg.startswith("Sign-in with auth_method=client_secret"), msg
        assert "%s https://" % method in msg and "HTTP %d (text/html)" % status in msg, msg
        # The page itself is left out: a proxy's page could echo the form it was sent.
        assert "Please sign in to the proxy" not in msg, msg
        assert run.result(name)["status"] == status
    assert [(e["method"], e["status"]) for e in emu.requests("discovery") + emu.requests("token")] == [
        ("GET", 502), ("GET", 200), ("GET", 200), ("POST", 200), ("POST", 502)]
    assert graph_log(emu) == []


# ---- bad input: failures before any request -------------------------------------------------------

def test_bad_connection_input_fails_before_any_request(collection, emu, connection, tmp_path):
    info = emu.info
    malformed = tmp_path / "federated_token"
    malformed.write_text("this is not a JWT\n")
    not_pem = tmp_path / "not-a-certificate.pem"
    not_pem.write_text("just some text, no PEM blocks\n")
    http_graph = dict(connection, graph_endpoint=info["graph_endpoint"].replace("https://", "http://"))
    http_authority = dict(connection, authority_host=info["authority_host"].replace("https://", "http://"))
    no_secret = dict(connection)
    del no_secret["client_secret"]
    cert_base = dict(connection, auth_method="client_certificate", client_id=info["cert_client_id"])
    del cert_base["client_secret"]
    workload = dict(connection, auth_method="workload_identity", client_id=info["federated_client_id"],
                    federated_token_file=str(malformed))
    del workload["client_secret"]
    cases = {
        "http graph_endpoint": (http_graph, "graph_endpoint"),
        "http authority_host": (http_authority, "authority_host"),
        "missing client secret": (no_secret, "client_secret"),
        "missing certificate path": (cert_base, "client_certificate_path"),
        "certificate path missing": (dict(cert_base, client_certificate_path=str(tmp_path / "absent.pem")), "client_certificate_path"),
        "certificate path a folder": (dict(cert_base, client_certificate_path=str(tmp_path)), "client_certificate_path"),
        "certificate file not PEM": (dict(cert_base, client_certificate_path=str(not_pem)), "client_certificate_path"),
        "malformed federated token file": (workload, "federated_token_file"),
    }
    tasks = [partner_task(name, ignore_errors=True, **options) for name, (options, dummy) in cases.items()]
    run = run_playbook(collection, tasks)

    for name, (dummy, option) in cases.items():
        result = run.result(name)
        msg = assert_clean_failure(run, name)
        assert option in msg, (name, msg)
        assert result.get("option") == option, (name, result)
    assert "AZURE_CLIENT_SECRET" in run.result("missing client secret")["msg"]
    assert "AZURE_CLIENT_CERTIFICATE_PATH" in run.result("missing certificate path")["msg"]
    assert "https" in run.result("http graph_endpoint")["msg"]
    assert "https" in run.result("http authority_host")["msg"]
    assert "JWT" in run.result("malformed federated token file")["msg"]
    assert "PEM" in run.result("certificate file not PEM")["msg"]
    # Not even discovery or a token request: every one of these failed before the network.
    assert emu.requests() == []
