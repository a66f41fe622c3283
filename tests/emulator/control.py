# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The control API (under /_emulator, loopback clients only) and the same operations as Python methods:
faults, latency, settings, the request log, the store, apps and their roles, tokens."""

from .faults import Fault, positive_int, seconds_value
from .graph_errors import GraphError
from .request_log import KINDS
from .rules import DEFAULTS as SWITCH_DEFAULTS
from .rules import scale_value, switch_value
from .sync_cycle import run_cycles
from .wire import Response

CONTROL_PREFIX = "/_emulator"


class ControlAPI:
    """Mixed into EmulatorCore."""

    def add_fault(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                  seconds=None, body=None, apply=False, content_type=None, echo_authorization=False, body_update=None):
        """Make the next `count` requests matching method and path (a regex searched in the path
        without query) fail or answer oddly. kinds: status (that status; an error body for 4xx/5xx),
        delay (sleep, then answer), drop (close without answering), hang (say nothing for `seconds`, then close).
        With apply=True a write is carried out before the fault shapes or hides its response; a 2xx
        status then keeps the real body (dropped for 204). A `body` replaces the body (a string is sent as is,
        as `content_type`, default text/plain). `body_update` (2xx only) is merged into the real JSON answer.
        `echo_authorization` ('header' or True, or 'token') quotes the request's Authorization header (or
        its bare token) in the error message, and fills {authorization} / {token} in a `body`."""
        return self.faults_set.add(Fault(method, path, count, kind, status, retry_after, seconds, body, apply,
                                         content_type, echo_authorization, body_update)).as_dict()

    def clear_faults(self):
        self.faults_set.clear()

    def faults(self):
        return self.faults_set.list()

    def set_latency(self, ms):
        self.settings.latency_ms = positive_int(ms, "ms", 0)

    def configure(self, page_size=None, latency_ms=None, token_lifetime=None, throttle_scale=None, **switches):
        """Settings, and the switches of contested rules (README.md, "Switches"): put_over_existing,
        deleted_items_app_only, revocation, throttle. reset() restores those of start-up."""
        for name, value in switches.items():
            if name not in SWITCH_DEFAULTS:
                raise ValueError("unknown setting %s" % name)
            switch_value(name, value)
        if throttle_scale is not None:
            self.settings.throttle_scale = scale_value(throttle_scale)
        for name, value in switches.items():
            setattr(self.settings, name, value)
        if switches.get("throttle") is not None or throttle_scale is not None:
            self.throttle.clear()
        if page_size is not None:
            self.settings.page_size = positive_int(page_size, "page_size")
        if latency_ms is not None:
            self.set_latency(latency_ms)
        if token_lifetime is not None:
            self.settings.token_lifetime = positive_int(token_lifetime, "token_lifetime")
            for directory in self._directories():
                directory.token_lifetime = self.settings.token_lifetime
        return self.settings.as_dict()

    def requests(self, kind=None):
        return self.log.list(kind)

    def clear_requests(self):
        self.log.clear()

    def reset(self):
        """In every tenant: empty policy store, the users and groups of start-up and no applications,
        service principals or jobs, the apps (with their roles) of start-up, no revoked tokens, token
        recording off. No faults, empty log, the settings and replication delay of start-up."""
        self.faults_set.clear()
        self.log.clear()
        self.configure(**self._defaults.as_dict())
        self.throttle.clear()
        if self.tenants is not None:
            with self.tenants.lock:
                for tenant in self.tenants:
                    tenant.store.clear()
                    tenant.objects.clear()
                    tenant.directory.reset()
                self.tenants.replication_delay = self._default_replication_delay

    # ---- tenants ------------------------------------------------------------------------------

    def _directories(self):
        return [tenant.directory for tenant in self.tenants] if self.tenants is not None else []

    def _tenant(self, tenant_id=None):
        if tenant_id is None:
            return self.tenants.home
        tenant = self.tenants.get(tenant_id) if isinstance(tenant_id, str) else None
        if tenant is None:
            raise ValueError("unknown tenant %s" % tenant_id)
        return tenant

    def _directory_of(self, client_id):
        """The directory that registers client_id (the home tenant's first), or None."""
        for directory in self._directories():
            if directory.find(client_id) is not None:
                return directory
        return None

    def set_replication_delay(self, seconds):
        """From now on, an application and service principal created by instantiate answer 404 (to reads, job
        creation and synchronization calls) for `seconds` after their creation. 0 turns it off."""
        self.tenants.replication_delay = seconds_value(seconds, "seconds")
        return {"seconds": self.tenants.replication_delay}

    def run_sync_cycle(self, tenant=None, job_id=None):
        """One synchronization cycle of every started job (of that source tenant / that job id):
        {"jobs": [{tenant, service_principal_id, job_id, status_code, exported, deleted, errors}]}."""
        if tenant is not None:
            self._tenant(tenant)
        if job_id is not None and not isinstance(job_id, str):
            raise ValueError("job_id must be a string")
        return run_cycles(self.tenants, tenant, job_id)

    # ---- store and apps -------------------------------------------------------------------------

    def objects(self, tenant=None):
        """{"partners", "partner_policy", "deleted_partners", "deleted_items"}: every object in stored
        (beta) form, of the home tenant or of `tenant`."""
        return self._tenant(tenant).store.snapshot()

    def set_objects(self, data, tenant=None):
        """Replace the store (of the home tenant or of `tenant`). Keys: partners, partner_policy,
        deleted_partners, deleted_items (a missing key empties that collection). A partner_policy item whose
        tenant has no partner gets a minimal one."""
        store = self._tenant(tenant).store
        try:
            store.load(data)
        except GraphError as exc:
            raise ValueError(exc.message)

    def issue_token(self, client_id=None, audience=None, lifetime=None, roles=None, scopes=None, capabilities=None):
        """An access token as the token endpoint would issue it (by the tenant that registers client_id);
        lifetime may be negative (expired). roles: the roles claim (default: the app's roles now).
        scopes: a delegated token instead (a user signed in to the app): its scp claim, no roles.
        capabilities: the client capabilities it declares (xms_cc), e.g. ["cp1"]."""
        client_id = client_id or self.directory.write_app.client_id
        directory = self._directory_of(client_id)
        if directory is None:
            raise ValueError("unknown client_id %s" % client_id)
        if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int)):
            raise ValueError("lifetime must be an integer number of seconds")
        if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles must be a list of strings")
        if scopes is not None and not (isinstance(scopes, list) and scopes and all(isinstance(s, str) for s in scopes)):
            raise ValueError("scopes must be a non-empty list of strings")
        if capabilities is not None and not (isinstance(capabilities, list) and all(isinstance(c, str) for c in capabilities)):
            raise ValueError("capabilities must be a list of strings")
        return directory.issue_token(directory.find(client_id), audience or self.base_url, lifetime, roles=roles,
                                     scopes=scopes, capabilities=capabilities)[0]

    def revoke_tokens(self, client_id=None):
        """Graph refuses (401 InvalidAuthenticationToken) every access token issued before now, to
        client_id or to any app and managed identity. Returns how many were revoked."""
        if client_id is None:
            return sum(directory.revoke_tokens() for directory in self._directories())
        directory = self._directory_of(client_id)
        if directory is None:
            raise ValueError("unknown client_id %s" % client_id)
        return directory.revoke_tokens(client_id)

    def apps(self):
        """Every app registration and managed identity of every tenant: client_id, name, roles, managed,
        tenant (and client_secret)."""
        found = []
        for directory in self._directories():
            for principal in directory.principals.values():
                summary = directory.app_summary(principal)
                summary["tenant"] = directory.tenant_id
                found.append(summary)
        return found

    def add_app(self, client_id=None, client_secret=None, roles=None, certificate=None, name=None, tenant=None):
        """Register an app (until reset) in the home tenant or in `tenant`. roles default to both policy
        roles; without client_secret or certificate (a PEM certificate) a secret is generated. Returns its
        summary, with client_secret."""
        directory = self._tenant(tenant).directory
        if client_id is not None and isinstance(client_id, str) and self._directory_of(client_id) is not None:
            raise ValueError("an app with client_id %s exists" % client_id)
        return directory.add_app(client_id, client_secret, roles, certificate, name)

    def set_app_roles(self, client_id, roles):
        """Grant or withdraw application permissions ("admin consent"). Tokens issued before keep the
        roles they were issued with, so a token minted before a grant still gets 403."""
        directory = self._directory_of(client_id)
        if directory is None:
            raise ValueError("unknown client_id %s" % client_id)
        return directory.set_roles(client_id, roles)

    def app_roles(self, client_id):
        directory = self._directory_of(client_id)
        if directory is None:
            raise ValueError("unknown client_id %s" % client_id)
        return list(directory.find(client_id).roles)

    def record_tokens(self, on=True):
        """Opt-in: keep every access token issued and client assertion received from now on (off after reset)."""
        if not isinstance(on, bool):
            raise ValueError("on must be a boolean")
        for directory in self._directories():
            directory.record_tokens(on)

    def recorded_tokens(self):
        """{"recording": bool, "access_tokens": [...], "client_assertions": [...]} since record_tokens(True),
        of every tenant."""
        recorded = [directory.recorded for directory in self._directories() if directory.recorded is not None]
        if not recorded:
            return {"recording": False, "access_tokens": [], "client_assertions": []}
        return {"recording": True, "access_tokens": [token for r in recorded for token in r["access_tokens"]],
                "client_assertions": [a for r in recorded for a in r["client_assertions"]]}

    def federated_assertion(self, subject=None, issuer=None, audience=None, lifetime=3600):
        """A token from the emulator's external OIDC issuer, for workload identity tests."""
        if isinstance(lifetime, bool) or not isinstance(lifetime, int):
            raise ValueError("lifetime must be an integer number of seconds")
        return self.directory.make_federated_assertion(subject, issuer, audience or "api://AzureADTokenExchange", lifetime)

    def _control(self, req):
        def ok(payload, status=200):
            return Response.json(status, payload)

        def fail(status, message):
            return Response.json(status, {"error": message})

        if req.client_address[0] not in ("127.0.0.1", "::1"):
            return fail(403, "the control API only answers loopback clients")
        name = req.path[len(CONTROL_PREFIX):].strip("/")
        try:
            payload = req.json() if req.body.strip() else None
        except ValueError:
            return fail(400, "the body is not JSON")
        method = req.method
        parts = name.split("/")
        try:
            if name == "" and method == "GET":
                return ok(self.info)
            if name == "faults":
                if method == "GET":
                    return ok(self.faults())
                if method == "POST":
                    specs = payload if isinstance(payload, list) else [payload]
                    added = [self.faults_set.add(Fault.from_spec(spec)).as_dict() for spec in specs]
                    return ok(added if isinstance(payload, list) else added[0], 201)
                if method == "DELETE":
                    self.clear_faults()
                    return Response.empty(204)
            elif name == "latency":
                if method == "GET":
                    return ok({"ms": self.settings.latency_ms})
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"ms"}:
                        return fail(400, 'expected {"ms": N}')
                    self.set_latency(payload["ms"])
                    return ok({"ms": self.settings.latency_ms})
            elif name == "requests":
                if method == "GET":
                    kind = req.param("kind")
                    if kind is not None and kind not in KINDS:
                        return fail(400, "kind must be one of %s" % ", ".join(KINDS))
                    return ok(self.requests(kind))
                if method == "DELETE":
                    self.clear_requests()
                    return Response.empty(204)
            elif name == "release-waits" and method == "POST":
                self.release_waits()
                return Response.empty(204)
            elif name == "reset" and method == "POST":
                self.reset()
                return Response.empty(204)
            elif name == "objects":
                tenant = req.param("tenant")
                if method == "GET":
                    return ok(self.objects(tenant))
                if method == "PUT":
                    self.set_objects(payload, tenant)
                    return ok(self.objects(tenant))
            elif name == "tenants" and method == "GET":
                return ok(self.tenants_info())
            elif name == "replication-delay":
                if method == "GET":
                    return ok({"seconds": self.tenants.replication_delay})
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"seconds"}:
                        return fail(400, 'expected {"seconds": N}')
                    self.set_replication_delay(payload["seconds"])
                    return Response.empty(204)
            elif name == "synchronization/cycle" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"tenant", "job_id"}:
                    return fail(400, "expected no body or an object with tenant and/or job_id")
                return ok(self.run_sync_cycle(**spec))
            elif name == "config":
                if method == "GET":
                    return ok(self.settings.as_dict())
                if method in ("PUT", "PATCH"):
                    known = {"page_size", "latency_ms", "token_lifetime", "throttle_scale"} | set(SWITCH_DEFAULTS)
                    if not isinstance(payload, dict) or set(payload) - known:
                        return fail(400, "expected an object with %s" % ", ".join(sorted(known)))
                    return ok(self.configure(**payload))
            elif name == "tokens" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"client_id", "audience", "lifetime", "roles", "scopes", "capabilities"}:
                    return fail(400, "expected an object with client_id, audience, lifetime, roles, scopes and/or capabilities")
                return ok({"access_token": self.issue_token(**spec)}, 201)
            elif name == "revoke-tokens" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"client_id"}:
                    return fail(400, "expected no body or an object with client_id")
                return ok({"revoked": self.revoke_tokens(**spec)})
            elif name == "apps":
                if method == "GET":
                    return ok(self.apps())
                if method == "POST":
                    spec = payload or {}
                    if not isinstance(spec, dict) or set(spec) - {"client_id", "client_secret", "roles", "certificate", "name", "tenant"}:
                        return fail(400, "expected an object with client_id, client_secret, roles, certificate, name and/or tenant")
                    return ok(self.add_app(**spec), 201)
            elif len(parts) == 3 and parts[0] == "apps" and parts[2] == "roles":
                if method == "GET":
                    return ok({"roles": self.app_roles(parts[1])})
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"roles"}:
                        return fail(400, 'expected {"roles": [...]}')
                    return ok(self.set_app_roles(parts[1], payload["roles"]))
            elif name == "recorded-tokens":
                if method == "GET":
                    return ok(self.recorded_tokens())
                if method == "PUT":
                    if not isinstance(payload, dict) or set(payload) != {"on"}:
                        return fail(400, 'expected {"on": true|false}')
                    self.record_tokens(payload["on"])
                    return ok(self.recorded_tokens())
            elif name == "assertions" and method == "POST":
                spec = payload or {}
                if not isinstance(spec, dict) or set(spec) - {"subject", "issuer", "audience", "lifetime"}:
                    return fail(400, "expected an object with subject, issuer, audience and/or lifetime")
                return ok({"assertion": self.federated_assertion(**spec)}, 201)
            else:
                return fail(404, "no control endpoint %s" % req.path)
        except (ValueError, TypeError) as exc:
            return fail(400, str(exc))
        return fail(405, "%s is not allowed on %s" % (method, req.path))
