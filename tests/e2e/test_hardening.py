# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Odd inputs, environments and server answers, seen from a playbook: endpoints with a path, a day-long
Retry-After, servers that quote the token back, a CA bundle variable naming nothing, an EC key, a token
cache with odd entries, AWX's environment next to a task's own secret. Each ends in a clear result."""

import json

from harness import run_playbook

PARTNER = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
COLLECTION = "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"


def info_task(name, **options):
    args = {"tenant_id": PARTNER, "location": "deleted_items"}
    args.update(options)
    return {"name": name, "entra.graph.crosstenant_sync_partner_info": args, "ignore_errors": True}


def create_task(name, **options):
    args = {"tenant_id": PARTNER, "display_name": "Fabrikam"}
    args.update(options)
    return {"name": name, "entra.graph.crosstenant_sync_partner": args, "ignore_errors": True}


def failure(run, task):
    """The failed task's result; its msg is one line and nothing printed a traceback."""
    result = run.result(task)
    assert run.status(task) == "failed", json.dumps(result, indent=1)
    assert "\n" not in result["msg"], result["msg"]
    assert "Traceback" not in run.output and "module_stderr" not in result, run.output
    return result


def graph_requests(emu):
    return [entry for entry in emu.requests() if entry["kind"].startswith("graph")]


def test_graph_endpoint_with_a_path_fails_before_any_request(collection, emu, connection):
    options = dict(connection, graph_endpoint=connection["graph_endpoint"] + "/v1.0")
    run = run_playbook(collection, [info_task("read")], module_defaults=options)

    result = failure(run, "read")
    assert result["option"] == "graph_endpoint" and "without a path" in result["msg"]
    assert emu.requests() == []


def test_endpoint_with_credentials_is_refused_and_never_echoed(collection, emu, connection):
    host = connection["authority_host"].split("://", 1)[1]
    options = dict(connection, authority_host="https://admin:S3cr3t-in-url@%s" % host)
    run = run_playbook(collection, [info_task("read")], module_defaults=options)

    result = failure(run, "read")
    assert result["option"] == "authority_host" and "user name or password" in result["msg"]
    # (At -vvv ansible-playbook itself prints the task's arguments, this one among them.)
    assert "S3cr3t-in-url" not in result["msg"] and "S3cr3t-in-url" not in run.output
    assert emu.requests() == []


def test_a_404_that_graph_does_not_call_missing_is_an_error(collection, emu, connection):
    emu.add_fault(method="GET", path="^%s/" % COLLECTION, status=404, body="<html><body>404 - route not found</body></html>",
                  content_type="text/html")
    run = run_playbook(collection, [create_task("create")], module_defaults=connection)

    result = failure(run, "create")
    assert "the URL may be wrong" in result["msg"] and result["status"] == 404
    assert [e["method"] for e in graph_requests(emu)] == ["GET"], "nothing is created on the strength of a 404 page"
    assert emu.objects()["deleted_items"] == []


def test_a_day_long_retry_after_fails_at_once_and_says_how_long(collection, emu, connection):
    emu.add_fault(method="GET", path="^%s/" % COLLECTION, count=5, status=429, retry_after="86400")
    run = run_playbook(collection, [info_task("read")], module_defaults=connection)

    result = failure(run, "read")
    assert "86400 seconds (about 24 hours)" in result["msg"] and "MAX_WAIT_SECONDS" in result["msg"], result["msg"]
    assert result["status"] == 429
    assert len(graph_requests(emu)) == 1


def test_a_server_quoting_the_token_back_does_not_leak_it(collection, emu, connection):
    emu.record_tokens(True)
    emu.add_fault(method="GET", path="^%s/" % COLLECTION, status=502, echo_authorization="header")
    emu.add_fault(method="GET", path="^%s/" % COLLECTION, status=400, echo_authorization="token")
    run = run_playbook(collection, [info_task("header echoed", max_retries=0), info_task("token echoed", max_retries=0)],
                       module_defaults=connection, verbosity=4)

    for task in ("header echoed", "token echoed"):
        assert "<redacted>" in failure(run, task)["msg"]
    tokens = emu.recorded_tokens()["access_tokens"]
    assert tokens and not any(token in run.output for token in tokens)


def test_a_ca_bundle_variable_naming_nothing_is_a_tls_configuration_error(collection, emu, connection, tmp_path):
    options = dict((k, v) for k, v in connection.items() if k != "ca_path")
    missing = str(tmp_path / "no-such-ca.pem")
    run = run_playbook(collection, [info_task("read")], module_defaults=options, env={"REQUESTS_CA_BUNDLE": missing})

    result = failure(run, "read")
    assert "REQUESTS_CA_BUNDLE" in result["msg"] and missing in result["msg"] and result["option"] == "ca_path"
    assert emu.requests() == []


def test_an_ec_key_fails_with_the_option_and_the_reason(collection, emu, connection, tmp_path):
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ec-app")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    path = tmp_path / "ec.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    options = dict(connection, auth_method="client_certificate", client_id=emu.info["cert_client_id"], client_certificate_path=str(path))
    options.pop("client_secret")
    run = run_playbook(collection, [info_task("read")], module_defaults=options)

    result = failure(run, "read")
    assert result["option"] == "client_certificate_path" and "RSA" in result["msg"]
    assert [e for e in emu.requests() if e["kind"] == "token"] == []


def test_a_cache_with_an_odd_entry_is_rewritten_with_a_warning(collection, emu, connection, tmp_path):
    path = tmp_path / "tokens.json"
    options = dict(connection, token_cache=True, token_cache_path=str(path))
    assert run_playbook(collection, [info_task("fill")], module_defaults=options).rc == 0
    data = json.loads(path.read_text())
    for entry in data["AccessToken"].values():
        entry["expires_on"] = None
    path.write_text(json.dumps(data))

    run = run_playbook(collection, [info_task("read"), info_task("read again")], module_defaults=options)

    assert run.status("read") == "ok" and run.status("read again") == "ok", run.output
    assert "was discarded and will be rewritten" in run.output and "proxy" not in run.output
    entries = json.loads(path.read_text())["AccessToken"].values()
    assert all(str(entry["expires_on"]).isdigit() for entry in entries)
    assert len([e for e in emu.requests() if e["kind"] == "token"]) == 2


def test_the_tasks_secret_wins_over_a_stale_certificate_path_in_the_environment(collection, emu, connection, tmp_path):
    options = dict(connection)
    options.pop("auth_method")
    env = {"AZURE_CLIENT_CERTIFICATE_PATH": str(tmp_path / "long-gone.pem"), "AZURE_CLIENT_ID": emu.info["cert_client_id"]}
    run = run_playbook(collection, [info_task("read")], module_defaults=options, env=env)

    assert run.status("read") == "ok", run.output
    [sign_in] = [e for e in emu.requests() if e["kind"] == "token"]
    assert sign_in["status"] == 200
