# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of the emulator's multi-tenant and source-tenant probes: a tenant signed in with MSAL, and the
steps of a cross-tenant synchronization setup."""

import msal

CTS_TEMPLATE = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"
PARTNERS = "/policies/crossTenantAccessPolicy/partners"


class Tenant:
    """tenants[index] of the emulator, signed in as its app (or as `client_id`/`secret` of that tenant)."""

    def __init__(self, emu, session, index, client_id=None, secret=None):
        entry = emu.info["tenants"][index]
        self.info = emu.info
        self.id = entry["tenant"]
        self.users = entry["users"]
        self.groups = entry["groups"]
        self.domain = entry["domain"]
        self.session = session
        app = msal.ConfidentialClientApplication(
            client_id or entry["client_id"], client_credential=secret or entry["client_secret"],
            authority="%s/%s" % (emu.info["authority_host"], self.id), instance_discovery=False, http_client=session)
        result = app.acquire_token_for_client(scopes=[emu.info["scope"]])
        assert "access_token" in result, result
        self.token = result["access_token"]

    def call(self, method, path, body=None, version="v1.0", **kwargs):
        url = "%s/%s%s" % (self.info["graph_endpoint"], version, path)
        return self.session.request(method, url, json=body, headers={"Authorization": "Bearer " + self.token}, timeout=30, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)


def error_of(resp):
    return resp.json()["error"]


def allow_inbound(target, source_id, sync_allowed=True, inbound=True):
    """The target's half: a partner configuration for the source (consent inbound) and a sync policy."""
    assert target.call("POST", PARTNERS, {"tenantId": source_id}).status_code == 201
    assert target.call("PUT", "%s/%s/identitySynchronization" % (PARTNERS, source_id),
                       {"displayName": "probe", "userSyncInbound": {"isSyncAllowed": sync_allowed}}).status_code == 204
    assert target.call("PATCH", "%s/%s" % (PARTNERS, source_id),
                       {"automaticUserConsentSettings": {"inboundAllowed": inbound}}).status_code == 204


def allow_outbound(source, target_id, outbound=True):
    assert source.call("POST", PARTNERS, {"tenantId": target_id}).status_code == 201
    assert source.call("PATCH", "%s/%s" % (PARTNERS, target_id),
                       {"automaticUserConsentSettings": {"outboundAllowed": outbound}}).status_code == 204


def instantiate(source, name="Probe configuration"):
    resp = source.call("POST", "/applicationTemplates/%s/instantiate" % CTS_TEMPLATE, {"displayName": name})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return body["application"], body["servicePrincipal"]


def role_id(sp):
    return next(role["id"] for role in sp["appRoles"] if role["displayName"] == "msiam_access")


def credentials(target_id):
    return [{"key": "CompanyId", "value": target_id}, {"key": "AuthenticationType", "value": "SyncPolicy"}]


def configured(source, target, sync_all="false"):
    """Both halves allowed, an instance, its job and saved secrets: (sp, job, sync path)."""
    allow_inbound(target, source.id)
    allow_outbound(source, target.id)
    _app, sp = instantiate(source)
    sync = "/servicePrincipals/%s/synchronization" % sp["id"]
    job = source.call("POST", sync + "/jobs", {"templateId": "Azure2Azure"}).json()
    assert source.call("PUT", sync + "/secrets",
                       {"value": credentials(target.id) + [{"key": "SyncAll", "value": sync_all}]}).status_code == 204
    return sp, job, sync


def assign(source, sp, principal_id):
    resp = source.call("POST", "/servicePrincipals/%s/appRoleAssignedTo" % sp["id"],
                       {"principalId": principal_id, "resourceId": sp["id"], "appRoleId": role_id(sp)})
    assert resp.status_code == 201, resp.text
    return resp.json()


def cycle(emu, session, **spec):
    resp = session.post(emu.info["control_url"] + "/synchronization/cycle", json=spec, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["jobs"]


def target_user(target, source_user):
    mail = source_user["mail"].replace("'", "''")
    found = target.get("/users?$filter=mail eq '%s'&$select=id,displayName,userPrincipalName,userType,mail,"
                       "accountEnabled,showInAddressList" % mail)
    assert found.status_code == 200, found.text
    return found.json()["value"]
