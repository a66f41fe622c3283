# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret ever reaches the output: every sign-in method, in success and in failure, at -vvvv
and at -vvvv with ANSIBLE_DEBUG on, and nothing of a client secret, certificate password, private
key, client or federated assertion, access token or managed identity header in stdout, stderr,
the Ansible log or the task results; no error message that echoes an Authorization header or a
token request's form body.

The emulator records every access token it issues and every client assertion it receives
(``emu.record_tokens``), so the tokens searched for are the ones these runs really used."""

import json
import os
import re

from cryptography.hazmat.primitives import serialization

import pytest

from harness import run_playbook

SYNC_PARTNERS = {
    "client secret": "11111111-1111-4111-8111-111111111111",
    "client certificate": "22222222-2222-4222-8222-222222222222",
    "client certificate with password": "33333333-3333-4333-8333-333333333333",
    "federated token file": "44444444-4444-4444-8444-444444444444",
    "managed identity (App Service)": "55555555-5555-4555-8555-555555555555",
    "access token": "66666666-6666-4666-8666-666666666666",
    "managed identity (IMDS)": "77777777-7777-4777-8777-777777777777",
}
# ansible-core's own debug line with a module's arguments as the task gave them, before no_log
# masking: its documentation says debug output "can also include secret information despite
# no_log settings being enabled". The collection has no say in it, so with ANSIBLE_DEBUG on
# (and only then) these lines, one per task, are left out of the search.
CORE_ARGS_ECHO = re.compile(r"^ *\d+ [\d.]+: done with _execute_module \(entra\.graph\.[a-z_]+, \{.*$", re.MULTILINE)
# ansible-core 2.21 shows a task's arguments (the invocation) only when asked: every mode asks, so that
# the tests see them, masked.
MODES = {
    "-vvvv": {"ANSIBLE_INJECT_INVOCATION": "true"},
    "-vvvv and ANSIBLE_DEBUG": {"ANSIBLE_DEBUG": "1", "ANSIBLE_INJECT_INVOCATION": "true"},
}
HEADER_DUMP = re.compile(r"""Authorization['"]?\s*[:=]|Bearer\s+[A-Za-z0-9._~+/-]{8,}""", re.IGNORECASE)
FORM_BODY = re.compile(r"(client_secret|client_assertion|grant_type|assertion)=", re.IGNORECASE)


def _pem_body_lines(pem):
    """The base64 lines of a PEM (each line alone is already too much to show)."""
    text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("-----")]


def _private_key_lines(path, password=None):
    """Every base64 line of the file's private key block, and of the same key unencrypted in PKCS#8 and PKCS#1."""
    with open(path, "rb") as handle:
        data = handle.read()
    start = data.index(b"-----BEGIN")
    end = data.index(b"-----END", start)
    lines = _pem_body_lines(data[start:end])
    key = serialization.load_pem_private_key(data, password=password.encode("utf-8") if password else None)
    for form in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
        lines += _pem_body_lines(key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption()))
    return lines


def _jwt_parts(token):
    """The token, and its claims and signature segments alone."""
    parts = token.split(".")
    assert len(parts) == 3, token
    return [token, parts[1], parts[2]]


def secrets_of(emu, extra=()):
    """(label, value) of every secret the emulator gave out or saw, plus ``extra``."""
    info = emu.info
    found = [
        ("client secret", info["client_secret"]),
        ("read-only client secret", info["readonly_client_secret"]),
        ("no-role client secret", info["norole_client_secret"]),
        ("certificate password", info["cert_password"]),
        ("managed identity header", info["identity_header"]),
    ]
    found += [("private key", line) for line in _private_key_lines(info["cert_path"])]
    found += [("encrypted private key", line) for line in _private_key_lines(info["cert_encrypted_path"], info["cert_password"])]
    with open(info["federated_token_file"]) as handle:
        found += [("federated assertion", part) for part in _jwt_parts(handle.read().strip())]
    recorded = emu.recorded_tokens()
    assert recorded["recording"]
    found += [("access token", part) for token in recorded["access_tokens"] for part in _jwt_parts(token)]
    found += [("client assertion", part) for token in recorded["client_assertions"] for part in _jwt_parts(token)]
    found += list(extra)
    return found


def everything_said(run, log_path, debug, tasks):
    """stdout, stderr, the Ansible log and every task result, as one text; with ANSIBLE_DEBUG, less
    ansible-core's own echo of each task's arguments (see CORE_ARGS_ECHO)."""
    with open(log_path) as handle:
        log = handle.read()
    said = "\n".join([run.stdout, run.stderr, log, json.dumps(run.results)])
    if not debug:
        return said
    # Once per task (in stderr; the log file gets no debug lines).
    assert len(CORE_ARGS_ECHO.findall(said)) == tasks, CORE_ARGS_ECHO.findall(said)
    return CORE_ARGS_ECHO.sub("<ansible-core debug echo of the task arguments>", said)


def assert_no_secret(text, secrets):
    leaks = []
    for label, value in secrets:
        at = text.find(value) if value else -1
        if at != -1:
            # Where it was, with the secret itself blanked out.
            context = text[max(0, at - 600):at + len(value) + 300].replace(value, "<%s>" % label.upper())
            leaks.append("%s: ...%s..." % (label, context))
    assert not leaks, "secrets in the output:\n" + "\n".join(leaks)


def assert_loud(run, text, debug):
    """The run really was at -vvvv (with ANSIBLE_DEBUG on when asked), and the module's arguments were shown."""
    assert "<localhost> EXEC" in run.output, run.output[-2000:]
    assert ("_low_level_execute_command" in text) is debug
    assert '"module_args"' in run.stdout


def partner_task(name, tenant_id, options, ignore_errors=False):
    args = dict(options, tenant_id=tenant_id, display_name=name)
    task = {"name": name, "entra.graph.crosstenant_sync_partner": args}
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def base(info):
    return {"authority_host": info["authority_host"], "graph_endpoint": info["graph_endpoint"], "ca_path": info["ca_path"]}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_no_secret_in_output_for_every_sign_in_method(collection, emu, tmp_path, mode):
    info = emu.info
    debug = "ANSIBLE_DEBUG" in MODES[mode]
    emu.record_tokens(True)
    access_token = emu.issue_token()
    app = dict(base(info), tenant=info["tenant"])
    methods = {
        "client secret": dict(app, auth_method="client_secret", client_id=info["client_id"], client_secret=info["client_secret"]),
        "client certificate": dict(app, auth_method="client_certificate", client_id=info["cert_client_id"],
                                   client_certificate_path=info["cert_path"]),
        "client certificate with password": dict(app, auth_method="client_certificate", client_id=info["cert_encrypted_client_id"],
                                                 client_certificate_path=info["cert_encrypted_path"],
                                                 client_certificate_password=info["cert_password"]),
        "federated token file": dict(app, auth_method="workload_identity", client_id=info["federated_client_id"],
                                     federated_token_file=info["federated_token_file"]),
        "managed identity (App Service)": dict(base(info), auth_method="managed_identity"),
        "access token": dict(base(info), auth_method="access_token", access_token=access_token),
    }
    log_path = str(tmp_path / "ansible.log")
    # The App Service identity endpoint and its header come from the environment, as on App Service.
    env = dict(MODES[mode], ANSIBLE_LOG_PATH=log_path, IDENTITY_ENDPOINT=info["identity_endpoint"], IDENTITY_HEADER=info["identity_header"])
    tasks = [partner_task(name, SYNC_PARTNERS[name], options) for name, options in methods.items()]
    run = run_playbook(collection, tasks, env=env, verbosity=4)
    assert run.rc == 0, run.output[-5000:]
    for name in methods:
        assert run.result(name)["changed"] is True, name

    # IMDS is the managed identity fallback when no App Service endpoint is defined: a run of its own.
    imds_log = str(tmp_path / "ansible-imds.log")
    imds_env = dict(MODES[mode], ANSIBLE_LOG_PATH=imds_log, AZURE_POD_IDENTITY_AUTHORITY_HOST=info["imds_host"])
    imds_name = "managed identity (IMDS)"
    imds = run_playbook(collection, [partner_task(imds_name, SYNC_PARTNERS[imds_name], dict(base(info), auth_method="managed_identity"))],
                        env=imds_env, verbosity=4)
    assert imds.rc == 0, imds.output[-5000:]
    assert imds.result(imds_name)["changed"] is True

    stored = sorted(item["tenantId"] for item in emu.objects()["deleted_items"])
    assert stored == sorted(SYNC_PARTNERS.values())
    mi_paths = [entry["path"] for entry in emu.requests("managed_identity")]
    assert mi_paths == ["/msi/token", "/metadata/identity/oauth2/token"], mi_paths
    recorded = emu.recorded_tokens()
    # One minted here, one per method that signs in; an assertion per certificate and the federated one.
    assert len(recorded["access_tokens"]) == 7, len(recorded["access_tokens"])
    assert len(recorded["client_assertions"]) == 3, len(recorded["client_assertions"])

    secrets = secrets_of(emu)
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    for one_run, path, count in ((run, log_path, len(tasks)), (imds, imds_log, 1)):
        text = everything_said(one_run, path, debug, count)
        assert_loud(one_run, text, debug)
        assert_no_secret(text, secrets)
        assert not HEADER_DUMP.search(text), HEADER_DUMP.search(text).group(0)
        assert not FORM_BODY.search(text), FORM_BODY.search(text).group(0)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_no_secret_in_failures(collection, emu, tmp_path, mode):
    info = emu.info
    debug = "ANSIBLE_DEBUG" in MODES[mode]
    emu.record_tokens(True)
    expired_token = emu.issue_token(lifetime=-600)
    wrong_secret = info["client_secret"][::-1]
    wrong_password = "not-" + info["cert_password"]
    app = dict(base(info), tenant=info["tenant"])
    failures = {
        "wrong client secret": ("11111111-1111-4111-8111-111111111111",
                                dict(app, auth_method="client_secret", client_id=info["client_id"], client_secret=wrong_secret)),
        "wrong certificate password": ("22222222-2222-4222-8222-222222222222",
                                       dict(app, auth_method="client_certificate", client_id=info["cert_client_id"],
                                            client_certificate_path=info["cert_encrypted_path"],
                                            client_certificate_password=wrong_password)),
        "403 from Graph": ("33333333-3333-4333-8333-333333333333",
                           dict(app, auth_method="client_secret", client_id=info["norole_client_id"],
                                client_secret=info["norole_client_secret"])),
        "500 from Graph": ("44444444-4444-4444-8444-444444444444",
                           dict(app, auth_method="client_secret", client_id=info["client_id"], client_secret=info["client_secret"])),
        "expired access token": ("55555555-5555-4555-8555-555555555555",
                                 dict(base(info), auth_method="access_token", access_token=expired_token)),
        "managed identity refused": ("66666666-6666-4666-8666-666666666666", dict(base(info), auth_method="managed_identity")),
    }
    # The App Service endpoint is told a wrong identity header, and says so.
    wrong_header = info["identity_header"][::-1]
    emu.add_fault(method="GET", path=failures["500 from Graph"][0] + "$", count=10, status=500)
    log_path = str(tmp_path / "ansible.log")
    tasks = [partner_task(name, tenant_id, options, ignore_errors=True) for name, (tenant_id, options) in failures.items()]
    env = dict(MODES[mode], ANSIBLE_LOG_PATH=log_path, IDENTITY_ENDPOINT=info["identity_endpoint"], IDENTITY_HEADER=wrong_header)
    run = run_playbook(collection, tasks, env=env, verbosity=4)
    assert run.rc == 0, run.output[-5000:]

    messages = {}
    for name in failures:
        result = run.result(name)
        assert run.status(name) == "failed", (name, result)
        messages[name] = result["msg"]
    assert "AADSTS7000215" in messages["wrong client secret"], messages
    assert "client_certificate_password" in messages["wrong certificate password"], messages
    assert "HTTP 403" in messages["403 from Graph"], messages
    assert "HTTP 500" in messages["500 from Graph"], messages
    assert "HTTP 401" in messages["expired access token"], messages
    assert "managed identity" in messages["managed identity refused"], messages
    assert emu.objects()["deleted_items"] == []
    # The 403 and the 500 came after a successful sign-in: their tokens are among those searched for.
    assert len(emu.recorded_tokens()["access_tokens"]) == 3

    text = everything_said(run, log_path, debug, len(tasks))
    assert_loud(run, text, debug)
    wrong = [("wrong client secret", wrong_secret), ("wrong password", wrong_password), ("wrong identity header", wrong_header)]
    assert_no_secret(text, secrets_of(emu, extra=wrong))
    for name, msg in messages.items():
        assert "\n" not in msg, (name, msg)
        assert not HEADER_DUMP.search(msg) and not FORM_BODY.search(msg), (name, msg)
    assert not HEADER_DUMP.search(text), HEADER_DUMP.search(text).group(0)
    assert not FORM_BODY.search(text), FORM_BODY.search(text).group(0)
    assert "Traceback" not in text
    assert os.path.getsize(log_path) > 0
