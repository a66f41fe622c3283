# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every sign-in method, through a real playbook, real MSAL and real requests against the emulator.

One playbook signs in once per method (each task creates its own partner, so the emulator's store
shows which ones got through); the other tests cover ``auth_method: auto``, the environment
variables, ``module_defaults`` and the failures a user meets."""

import collections
import uuid

import pytest

from harness import module_task, of_kind, run_playbook

MODULE = "entra.graph.crosstenant_sync_partner"
INFO = "entra.graph.crosstenant_sync_partner_info"
MISSING_FILE = "/nonexistent/entra-graph-e2e/missing"
# Any request that leaves loopback goes to a closed proxy port and fails the task.
LOOPBACK_ONLY = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}

Batch = collections.namedtuple("Batch", "run objects requests")


def partner_for(name):
    """A partner tenant ID of its own for each task, so the store shows which tasks got through."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "entra.graph/e2e/sign-in/" + name))


def endpoints(info):
    return dict(authority_host=info["authority_host"], graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])


def sign_in(name, options, environment=None):
    """Create a partner named after the task, signing in with ``options``; a failure does not stop the play."""
    keywords = {"ignore_errors": True}
    if environment:
        keywords["environment"] = environment
    return module_task(name, MODULE, dict(options, tenant_id=partner_for(name), display_name=name), **keywords)


def method_tasks(info, access_token):
    mi_env = {"IDENTITY_ENDPOINT": info["identity_endpoint"], "IDENTITY_HEADER": info["identity_header"]}
    imds_env = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": info["imds_host"]}
    base = endpoints(info)
    graph_only = dict(graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])
    return [
        sign_in("client_secret", dict(base, auth_method="client_secret", tenant=info["tenant"],
                                      client_id=info["client_id"], client_secret=info["client_secret"])),
        sign_in("client_certificate", dict(base, auth_method="client_certificate", tenant=info["tenant"],
                                           client_id=info["cert_client_id"], client_certificate_path=info["cert_path"])),
        sign_in("client_certificate_encrypted", dict(base, auth_method="client_certificate", tenant=info["tenant"],
                                                     client_id=info["cert_encrypted_client_id"],
                                                     client_certificate_path=info["cert_encrypted_path"],
                                                     client_certificate_password=info["cert_password"])),
        sign_in("workload_identity", dict(base, auth_method="workload_identity", tenant=info["tenant"],
                                          client_id=info["federated_client_id"], federated_token_file=info["federated_token_file"])),
        sign_in("managed_identity_app_service_system", dict(graph_only, auth_method="managed_identity"), mi_env),
        sign_in("managed_identity_app_service_user", dict(graph_only, auth_method="managed_identity",
                                                          client_id=info["mi_user_client_id"]), mi_env),
        sign_in("managed_identity_imds_system", dict(graph_only, auth_method="managed_identity"), imds_env),
        sign_in("managed_identity_imds_user", dict(graph_only, auth_method="managed_identity",
                                                   client_id=info["mi_user_client_id"]), imds_env),
        sign_in("access_token", dict(graph_only, auth_method="access_token", access_token=access_token)),
        sign_in("environment_azure_names", graph_only, {
            "AZURE_TENANT_ID": info["tenant"], "AZURE_CLIENT_ID": info["client_id"],
            "AZURE_CLIENT_SECRET": info["client_secret"], "AZURE_AUTHORITY_HOST": info["authority_host"]}),
        sign_in("environment_awx_names", graph_only, {
            "AZURE_TENANT": info["tenant"], "AZURE_CLIENT_ID": info["client_id"],
            "AZURE_SECRET": info["client_secret"], "AZURE_AUTHORITY_HOST": info["authority_host"]}),
    ]


METHODS = (
    "client_secret", "client_certificate", "client_certificate_encrypted", "workload_identity",
    "managed_identity_app_service_system", "managed_identity_app_service_user",
    "managed_identity_imds_system", "managed_identity_imds_user", "access_token",
    "environment_azure_names", "environment_awx_names",
)


@pytest.fixture(scope="module")
def each_method(collection, emulator):
    """One playbook run: a task per sign-in method, each creating its own partner."""
    emulator.reset()
    info = emulator.info
    tasks = method_tasks(info, emulator.issue_token(client_id=info["client_id"]))
    assert [task["name"] for task in tasks] == list(METHODS)
    run = run_playbook(collection, tasks, env=LOOPBACK_ONLY)
    return Batch(run, emulator.objects(), emulator.requests())


@pytest.mark.parametrize("method", METHODS)
def test_each_method_signs_in_and_creates_the_object(each_method, method):
    result = each_method.run.result(method)
    assert each_method.run.status(method) == "changed", result.get("msg")
    assert result["partner"]["tenantId"] == partner_for(method)
    stored = dict((obj["tenantId"], obj) for obj in each_method.objects["deleted_items"])
    assert stored[partner_for(method)]["displayName"] == method


def test_managed_identity_flavours_ask_their_own_endpoint_for_the_right_identity(each_method, emulator):
    calls = of_kind(each_method.requests, "managed_identity")
    user = "client_id=%s" % emulator.info["mi_user_client_id"]
    app_service = [call for call in calls if call["path"] == "/msi/token"]
    imds = [call for call in calls if call["path"] == "/metadata/identity/oauth2/token"]
    assert len(calls) == 4 and len(app_service) == 2 and len(imds) == 2, calls
    # One system-assigned (no client_id) and one user-assigned request in each flavour, all answered.
    assert sorted(user in call["query"] for call in app_service) == [False, True]
    assert sorted(user in call["query"] for call in imds) == [False, True]
    assert all(call["status"] == 200 for call in calls)


def test_sign_in_stays_on_the_emulator_without_instance_discovery(each_method, emulator):
    """Every request the playbook made was one the emulator served and knew: OpenID discovery of the
    configured tenant, tokens, managed identity and Graph; none went to Microsoft's instance discovery."""
    kinds = collections.Counter(entry["kind"] for entry in each_method.requests)
    assert set(kinds) == {"discovery", "token", "managed_identity", "graph_read", "graph_write"}, kinds
    tenant = emulator.info["tenant"]
    for entry in of_kind(each_method.requests, "discovery"):
        assert entry["path"] == "/%s/v2.0/.well-known/openid-configuration" % tenant, entry
    # secret, certificate, encrypted certificate, federated, and the two environment runs: one token each.
    assert kinds["token"] == 6, of_kind(each_method.requests, "token")
    assert all(entry["status"] == 200 for entry in of_kind(each_method.requests, "discovery", "token"))


def test_auto_picks_the_documented_order(collection, emu):
    """auto: access token, then certificate, then secret, then federated token file, then managed identity.

    In each task the credential auto must skip is unusable, so only the documented choice can succeed."""
    info = emu.info
    base = endpoints(info)
    mi_env = {"IDENTITY_ENDPOINT": info["identity_endpoint"], "IDENTITY_HEADER": info["identity_header"]}
    wrong_mi_env = {"IDENTITY_ENDPOINT": info["identity_endpoint"], "IDENTITY_HEADER": "not-the-header"}
    tasks = [
        sign_in("token_over_certificate", dict(base, tenant=info["tenant"], client_id=info["cert_client_id"],
                                               access_token=emu.issue_token(), client_certificate_path=MISSING_FILE,
                                               client_secret="wrong")),
        # The certificate app has no secret: the write app's secret is wrong for it.
        sign_in("certificate_over_secret", dict(base, tenant=info["tenant"], client_id=info["cert_client_id"],
                                                client_certificate_path=info["cert_path"], client_secret=info["client_secret"])),
        sign_in("secret_with_certificate_app", dict(base, auth_method="client_secret", tenant=info["tenant"],
                                                    client_id=info["cert_client_id"], client_secret=info["client_secret"])),
        sign_in("secret_over_federated", dict(base, tenant=info["tenant"], client_id=info["client_id"],
                                              client_secret=info["client_secret"], federated_token_file=MISSING_FILE)),
        sign_in("federated_over_managed_identity", dict(base, tenant=info["tenant"], client_id=info["federated_client_id"],
                                                        federated_token_file=info["federated_token_file"]), wrong_mi_env),
        sign_in("managed_identity_last", dict(graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"]), mi_env),
    ]
    run = run_playbook(collection, tasks, env=LOOPBACK_ONLY)

    for name in ("token_over_certificate", "certificate_over_secret", "secret_over_federated",
                 "federated_over_managed_identity", "managed_identity_last"):
        assert run.status(name) == "changed", (name, run.result(name).get("msg"))
    # The control: the secret auto skipped is really wrong for the certificate app.
    assert run.status("secret_with_certificate_app") == "failed"
    assert "AADSTS7000215" in run.result("secret_with_certificate_app")["msg"]
    stored = set(obj["tenantId"] for obj in emu.objects()["deleted_items"])
    assert stored == set(partner_for(name) for name in ("token_over_certificate", "certificate_over_secret", "secret_over_federated",
                                                        "federated_over_managed_identity", "managed_identity_last"))
    # certificate, the refused secret, secret, federated: four token requests; the access token needed none.
    assert len(of_kind(emu.requests(), "token")) == 4
    identity_calls = of_kind(emu.requests(), "managed_identity")
    assert len(identity_calls) == 1 and identity_calls[0]["status"] == 200, identity_calls


def test_environment_and_group_defaults_serve_both_modules_and_facts_feed_later_tasks(collection, emu):
    """Secret sign-in from the process environment only; module_defaults of the graph group carry the
    endpoints to the module and to the info module; a later task reads the facts the module set."""
    info = emu.info
    partner = partner_for("group-defaults")
    env = dict(LOOPBACK_ONLY, AZURE_TENANT_ID=info["tenant"], AZURE_CLIENT_ID=info["client_id"],
               AZURE_CLIENT_SECRET=info["client_secret"], AZURE_AUTHORITY_HOST=info["authority_host"])
    tasks = [
        module_task("create", MODULE, {"tenant_id": partner, "display_name": "Fabrikam",
                                       "user_sync_inbound": {"is_sync_allowed": True}}),
        module_task("use the facts", "ansible.builtin.assert", {"that": [
            "ansible_facts.crosstenant_sync_partner.displayName == 'Fabrikam'",
            "ansible_facts.crosstenant_sync_partner.userSyncInbound.isSyncAllowed",
        ]}),
        module_task("show", "ansible.builtin.debug", {"msg": "{{ ansible_facts.crosstenant_sync_partner.displayName }} was created"}),
        module_task("read", INFO, {"tenant_id": partner}, register="found"),
        module_task("compare", "ansible.builtin.assert", {"that": [
            "found.partners | length == 1",
            "found.partners[0] == ansible_facts.crosstenant_sync_partner",
        ]}),
    ]
    run = run_playbook(collection, tasks, env=env,
                       module_defaults=dict(graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"]))

    assert run.rc == 0, run.output
    assert run.status("create") == "changed"
    assert run.result("show")["msg"] == "Fabrikam was created"
    assert run.status("compare") == "ok"
    assert [obj["displayName"] for obj in emu.objects()["deleted_items"]] == ["Fabrikam"]
    assert set(entry["kind"] for entry in emu.requests()) == {"discovery", "token", "graph_read", "graph_write"}
    assert [entry["path"] for entry in of_kind(emu.requests(), "discovery")] == [
        "/%s/v2.0/.well-known/openid-configuration" % info["tenant"]] * 2


def test_failures_name_the_cause(collection, emu, connection):
    """A write without the write role, a wrong secret and an unknown app each fail with what Entra or Graph said."""
    info = emu.info
    tasks = [
        sign_in("readonly_writes", dict(connection, client_id=info["readonly_client_id"],
                                        client_secret=info["readonly_client_secret"])),
        sign_in("wrong_secret", dict(connection, client_secret="not-the-secret")),
        sign_in("unknown_client", dict(connection, client_id=str(uuid.uuid4()))),
    ]
    run = run_playbook(collection, tasks, env=LOOPBACK_ONLY)

    assert [run.status(name) for name in ("readonly_writes", "wrong_secret", "unknown_client")] == ["failed"] * 3
    denied = run.result("readonly_writes")
    assert denied["status"] == 403
    assert denied["error_code"] == "Authorization_RequestDenied"
    assert "Authorization_RequestDenied" in denied["msg"]
    refused = [entry for entry in of_kind(emu.requests(), "graph_write") if entry["status"] == 403]
    assert len(refused) == 1, emu.requests()
    assert refused[0]["request_id"] in denied["msg"]
    assert denied["request_id"] == refused[0]["request_id"]
    assert denied["client_request_id"] == refused[0]["client_request_id"]

    wrong = run.result("wrong_secret")
    assert "AADSTS7000215" in wrong["msg"]
    assert "not-the-secret" not in wrong["msg"]
    unknown = run.result("unknown_client")
    assert "AADSTS700016" in unknown["msg"]

    assert emu.objects() == {"deleted_items": [], "partner_policy": [], "partners": [], "deleted_partners": []}
    # The refused sign-ins never reached Graph: the only Graph calls are the read-only app's GET and POST.
    assert [(entry["method"], entry["status"]) for entry in of_kind(emu.requests(), "graph_read", "graph_write")] == [
        ("GET", 404), ("POST", 403)]
