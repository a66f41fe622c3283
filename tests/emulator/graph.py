# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Graph side of the emulator, under /v1.0 and /beta: partner configurations
(crossTenantAccessPolicyConfigurationPartner), their identity synchronization policies
(crossTenantIdentitySyncPolicyPartner), and the beta deleted items of both, with Graph's status codes
and error bodies.

Every rule carries its source in README.md ("Rules"); choices the documents leave open are marked
there as assumptions, and next to the code."""

import base64
import copy
import re
import threading
import urllib.parse

from . import schema
from .identity import READ_ROLE, WRITE_ROLE, TokenRejected
from .schema import BETA, PARTNER, SYNC_POLICY, V1, SchemaError
from .wire import JSON_TYPE, ODATA_JSON_TYPE, Response, utcnow

DELETED_ITEMS = "deleted_items"
PARTNER_POLICY = "partner_policy"
PARTNERS = "partners"
DELETED_PARTNERS = "deleted_partners"
COLLECTIONS = (PARTNERS, PARTNER_POLICY, DELETED_PARTNERS, DELETED_ITEMS)
MAX_TOP = 999
CONFLICT_CODE = "Request_MultipleObjectsWithSameKeyValue"
DUPLICATE_MESSAGE = "Another object with the same value for property tenantId already exists."
CONFLICTING_MESSAGE = "A conflicting object with one or more of the specified property values is present in the directory."
KEY_SEGMENT = re.compile(r"^(?P<name>[^(]+)\((?:tenantId=)?'?(?P<key>[^')]*)'?\)$", re.IGNORECASE)
UNSUPPORTED_OPTIONS = ("$filter", "$orderby", "$search", "$skip", "$apply", "$compute")
STATUS_CODES = {
    400: "BadRequest", 401: "InvalidAuthenticationToken", 403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound", 405: "Request_BadRequest", 409: CONFLICT_CODE, 412: "PreconditionFailed",
    413: "RequestEntityTooLarge", 429: "TooManyRequests", 500: "generalException", 501: "NotImplemented",
    502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
}
STATUS_MESSAGES = {
    429: "Too many requests.", 500: "General exception while processing.", 502: "Bad gateway.",
    503: "The service is temporarily unavailable. Please retry later.", 504: "The gateway timed out.",
}


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or []
        self.details = details


def bad_request(message):
    return GraphError(400, "BadRequest", message)


def graph_error_body(req, status, code=None, message=None, details=None):
    error = {
        "code": code or STATUS_CODES.get(status, "UnknownError"),
        "message": message or STATUS_MESSAGES.get(status, "The request failed."),
    }
    if details:
        error["details"] = details
    error["innerError"] = {
        # Graph's innerError date has no offset.
        "date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": req.request_id,
        "client-request-id": req.client_request_id,
    }
    return {"error": error}


def graph_error_response(req, status, code=None, message=None, headers=None, details=None):
    return Response.json(status, graph_error_body(req, status, code, message, details), JSON_TYPE, headers)


def normalize_tenant_id(value, what="tenantId", owner=None):
    if not isinstance(value, str) or not schema.GUID_RE.match(value.strip()):
        if owner is not None:
            raise schema.invalid_value(what, owner)
        raise bad_request("Invalid value '%s' for %s: a tenant ID is a GUID." % (value, what))
    return value.strip().lower()


def _not_found(tenant_id):
    return GraphError(404, "Request_ResourceNotFound", (
        "Resource '%s' does not exist or one of its queried reference-property objects are not present." % tenant_id))


def _patch_target_missing():
    # Tutorial troubleshooting table (CROSS_TENANT_SYNC.md 1.3): PATCH of an object that does not exist.
    # The status is not documented: 404 is an assumption.
    return GraphError(404, "Directory_ObjectNotFound", "Unable to read the company information from the directory.")


def _duplicate():
    return GraphError(409, CONFLICT_CODE, DUPLICATE_MESSAGE)


def _now():
    return schema.now_text()


# ---- the store ----------------------------------------------------------------------------

def _load_items(data, name, entity, deleted):
    items = data.get(name) or []
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        raise bad_request("'%s' must be a list of objects." % name)
    table = {}
    for item in items:
        if not isinstance(item, dict):
            raise bad_request("'%s' must be a list of objects." % name)
        given = entity.parse(item, BETA, partial=True)
        if "tenantId" not in given:
            raise bad_request("Every object in '%s' needs a tenantId." % name)
        given["tenantId"] = normalize_tenant_id(given["tenantId"])
        obj = schema.blank_partner(given["tenantId"]) if entity is PARTNER else entity.blank(given["tenantId"])
        obj.update(given)
        if not deleted:
            obj["deletedDateTime"] = None
        elif obj["deletedDateTime"] is None:
            # As on a delete: an object in deleted items records when it was deleted.
            obj["deletedDateTime"] = _now()
        table[obj["tenantId"]] = obj
    return table


class Store:
    """Partner configurations, their sync policies and the deleted items of both, keyed by lower-case
    tenantId in insertion order. One lock guards them all: every read-modify-write holds it."""

    def __init__(self):
        self.lock = threading.RLock()
        self.partners = {}
        self.live = {}
        self.deleted_partners = {}
        self.deleted = {}

    def clear(self):
        with self.lock:
            self.partners.clear()
            self.live.clear()
            self.deleted_partners.clear()
            self.deleted.clear()

    def snapshot(self):
        with self.lock:
            return {
                DELETED_ITEMS: [copy.deepcopy(obj) for obj in self.deleted.values()],
                PARTNER_POLICY: [copy.deepcopy(obj) for obj in self.live.values()],
                PARTNERS: [copy.deepcopy(obj) for obj in self.partners.values()],
                DELETED_PARTNERS: [copy.deepcopy(obj) for obj in self.deleted_partners.values()],
            }

    def load(self, data):
        """Replace every collection; one left out of data ends up empty. A sync policy in 'partner_policy'
        whose tenant has no partner in 'partners' gets a minimal partner configuration, created here."""
        if not isinstance(data, dict) or set(data) - set(COLLECTIONS):
            raise bad_request("Expected an object with the keys %s." % ", ".join("'%s'" % name for name in COLLECTIONS))
        try:
            deleted = _load_items(data, DELETED_ITEMS, SYNC_POLICY, True)
            live = _load_items(data, PARTNER_POLICY, SYNC_POLICY, False)
            partners = _load_items(data, PARTNERS, PARTNER, False)
            deleted_partners = _load_items(data, DELETED_PARTNERS, PARTNER, True)
        except SchemaError as exc:
            raise bad_request(exc.message)
        for tenant_id in live:
            if tenant_id not in partners:
                partners[tenant_id] = schema.blank_partner(tenant_id)
        with self.lock:
            self.deleted = deleted
            self.live = live
            self.partners = partners
            self.deleted_partners = deleted_partners


# ---- the service --------------------------------------------------------------------------

class GraphService:
    def __init__(self, directory, store, settings):
        self.directory = directory
        self.store = store
        self.settings = settings

    def handle(self, req, version):
        try:
            claims = self._authenticate(req)
            handler, args = self._route(req, version)
            self._authorize(req, claims)
            return handler(req, version, *args)
        except GraphError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message, exc.headers, exc.details)
        except SchemaError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message)

    # ---- auth -------------------------------------------------------------------------------

    def _authenticate(self, req):
        header = req.header("authorization") or ""
        scheme, _sep, token = header.strip().partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise TokenRejected("Access token is empty.")
            return self.directory.validate_access_token(token.strip(), req.base_url)
        except TokenRejected as exc:
            challenge = ('Bearer realm="", authorization_uri="%s/%s/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
                         % (req.base_url, self.directory.tenant_id))
            if exc.claims:
                # The claims challenge (Entra: "Claims challenges, claims requests and client capabilities").
                challenge += ', error="insufficient_claims", claims="%s"' % exc.claims
            raise GraphError(401, "InvalidAuthenticationToken", str(exc), headers=[("WWW-Authenticate", challenge)])

    @staticmethod
    def _authorize(req, claims):
        roles = set(claims.get("roles") or [])
        # Reads: Policy.Read.All (least privileged) or Policy.ReadWrite.CrossTenantAccess; writes: the latter only.
        needed = {READ_ROLE, WRITE_ROLE} if req.method in ("GET", "HEAD") else {WRITE_ROLE}
        if not roles & needed:
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    # ---- routing ----------------------------------------------------------------------------

    def _route(self, req, version):
        segments = []
        for raw in req.path.split("/")[2:]:
            if not raw:
                continue
            match = KEY_SEGMENT.match(raw)
            if match:
                segments.extend([match.group("name"), match.group("key")])
            else:
                segments.append(raw)
        lower = [s.lower() for s in segments]

        def unknown(index):
            name = segments[min(index, len(segments) - 1)] if segments else ""
            return bad_request("Resource not found for the segment '%s'." % name)

        if not lower or lower[0] != "policies" or len(lower) < 2:
            raise unknown(0 if not lower or lower[0] != "policies" else 1)
        handlers, tenant = None, None
        if lower[1] == "crosstenantaccesspolicy":
            if len(lower) < 3 or lower[2] != "partners":
                raise unknown(2)
            rest = lower[3:]
            if not rest:
                handlers = {"GET": self.list_partners, "POST": self.create_partner}
            else:
                tenant = segments[3]
                if len(rest) == 1:
                    handlers = {"GET": self.get_partner, "PATCH": self.patch_partner, "DELETE": self.delete_partner}
                elif len(rest) == 2 and rest[1] == "identitysynchronization":
                    # PUT creates (docs, CSDL UpdateMethod and msgraph-metadata #402); PATCH updates (docs).
                    # POST answers 405 (microsoft/terraform-provider-msgraph #108).
                    handlers = {"GET": self.get_live, "PUT": self.put_live, "PATCH": self.patch_live, "DELETE": self.delete_live}
                else:
                    raise unknown(5 if rest[1] == "identitysynchronization" else 4)
        elif lower[1] == "deleteditems":
            if version == V1:
                # v1.0's policyRoot has no deletedItems navigation (v1.0 CSDL, CROSS_TENANT_SYNC.md 4).
                raise unknown(1)
            if len(lower) < 3:
                raise unknown(1)
            rest = lower[3:]
            if lower[2] == "crosstenantsyncpolicypartners":
                if not rest:
                    handlers = {"GET": self.list_deleted, "POST": self.create_deleted}
                elif rest == ["$count"]:
                    handlers = {"GET": self.count_deleted}
                elif len(rest) == 1:
                    tenant = segments[3]
                    handlers = {"GET": self.get_deleted, "PUT": self.replace_deleted, "DELETE": self.delete_deleted}
                elif len(rest) == 2 and rest[1] in ("restore", "microsoft.graph.restore"):
                    tenant = segments[3]
                    handlers = {"POST": self.restore_deleted}
                else:
                    raise unknown(5 if rest[1] in ("restore", "microsoft.graph.restore") else 4)
            elif lower[2] == "crosstenantpartners":
                if not rest:
                    handlers = {"GET": self.list_deleted_partners}
                elif len(rest) == 1:
                    tenant = segments[3]
                    handlers = {"GET": self.get_deleted_partner, "DELETE": self.delete_deleted_partner}
                elif len(rest) == 2 and rest[1] in ("restore", "microsoft.graph.restore"):
                    tenant = segments[3]
                    handlers = {"POST": self.restore_deleted_partner}
                else:
                    raise unknown(5 if rest[1] in ("restore", "microsoft.graph.restore") else 4)
            else:
                raise unknown(2)
        else:
            raise unknown(1)
        handler = handlers.get(req.method)
        if handler is None:
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.",
                             headers=[("Allow", ", ".join(sorted(handlers)))])
        if tenant is None:
            return handler, ()
        return handler, (normalize_tenant_id(tenant, "the tenantId key"),)

    # ---- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _root(req, version):
        return "%s/%s" % (req.base_url, version)

    def _context(self, req, version, path, select=None, expand=False, entity=False):
        parts = list(select or [])
        if expand:
            parts.append("identitySynchronization()")
        text = "%s/$metadata#%s" % (self._root(req, version), path)
        if parts:
            text += "(%s)" % ",".join(parts)
        return text + ("/$entity" if entity else "")

    @staticmethod
    def _body(req):
        if not req.body.strip():
            raise bad_request("Empty Payload. JSON content expected.")
        try:
            body = req.json()
        except ValueError:
            raise bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    @staticmethod
    def _check_key(given, tenant_id, owner):
        if "tenantId" in given:
            if given["tenantId"] is None:
                raise schema.invalid_value("tenantId", owner)
            if normalize_tenant_id(given["tenantId"], "tenantId", owner) != tenant_id:
                raise GraphError(400, "Request_BadRequest", (
                    "The tenantId '%s' in the request body does not match the tenantId '%s' in the request URL."
                    % (given["tenantId"], tenant_id)))
        given.pop("tenantId", None)

    @staticmethod
    def _drop_computed(entity, given):
        # Computed properties are ignored on writes (OData 4.01 Part 1, 11.4.2 / 11.4.3); a live object has no
        # deletion time, so deletedDateTime in a write to a live object is ignored too.
        for name, prop in entity.props.items():
            if prop.computed or name == "deletedDateTime":
                given.pop(name, None)

    def _options(self, req, entity, version, expandable=False):
        """($select as a list of property names or None, $expand of identitySynchronization)."""
        for name in UNSUPPORTED_OPTIONS:
            if name in req.query:
                raise bad_request("The emulator does not implement the query option '%s'." % name)
        names = entity.property_names(version)
        select = None
        raw = req.param("$select")
        if raw is not None:
            select = []
            by_lower = {name.lower(): name for name in names}
            for item in raw.split(","):
                item = item.strip()
                if not item:
                    continue
                if item == "*":
                    select = None
                    break
                if item.lower() not in by_lower:
                    raise bad_request("Could not find a property named '%s' on type 'microsoft.graph.%s'." % (item, entity.name))
                if by_lower[item.lower()] not in select:
                    select.append(by_lower[item.lower()])
            select = [name for name in names if name in select] if select is not None else None
        expand = False
        raw = req.param("$expand")
        if raw is not None and raw.strip():
            for item in raw.split(","):
                item = item.strip()
                if not expandable or item.lower() not in ("identitysynchronization", "*"):
                    raise bad_request("Could not find a property named '%s' on type 'microsoft.graph.%s'." % (item, entity.name))
            expand = True
        return select, expand

    @staticmethod
    def _render(entity, obj, version, select=None):
        full = entity.render(obj, version)
        if select is None:
            return full
        return {name: full[name] for name in select}

    def _partner_out(self, obj, version, select, expand):
        out = self._render(PARTNER, obj, version, select)
        if expand:
            policy = self.store.live.get(obj["tenantId"])
            out["identitySynchronization"] = None if policy is None else SYNC_POLICY.render(policy, version)
        return out

    def _page(self, req, items, collection_url):
        """Server-driven paging. $top sets the page size, as Graph's paging guide describes for APIs that support it."""
        size = self.settings.page_size
        top = req.param("$top")
        if top is not None:
            if not top.isdigit() or not 1 <= int(top) <= MAX_TOP:
                raise bad_request("Invalid page size specified: '%s'. Must be between 1 and %d inclusive." % (top, MAX_TOP))
            size = int(top)
        offset = 0
        token = req.param("$skiptoken")
        if token is not None:
            try:
                prefix, value = base64.urlsafe_b64decode(token.encode("ascii") + b"==").decode("ascii").split(":", 1)
                offset = int(value)
                if prefix != "offset" or offset < 0:
                    raise ValueError(token)
            except (ValueError, UnicodeError):
                raise bad_request("Invalid $skiptoken value '%s'." % token)
        page = items[offset:offset + size]
        result = {"value": page}
        if offset + size < len(items):
            skiptoken = base64.urlsafe_b64encode(("offset:%d" % (offset + size)).encode("ascii")).decode("ascii").rstrip("=")
            kept = [(name, values[0]) for name, values in req.query.items() if name != "$skiptoken"]
            kept.append(("$skiptoken", skiptoken))
            query = "&".join("%s=%s" % (name, urllib.parse.quote(value, safe="$,()'*")) for name, value in kept)
            result["@odata.nextLink"] = "%s?%s" % (collection_url, query)
        return result

    def _list(self, req, version, path, items):
        body = {"@odata.context": self._context(req, version, path)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), path)))
        return Response.json(200, body, ODATA_JSON_TYPE)

    # ---- partner configurations -------------------------------------------------------------

    PARTNERS_PATH = "policies/crossTenantAccessPolicy/partners"

    def list_partners(self, req, version):
        select, expand = self._options(req, PARTNER, version, expandable=True)
        with self.store.lock:
            items = [self._partner_out(obj, version, select, expand) for obj in self.store.partners.values()]
        body = {"@odata.context": self._context(req, version, self.PARTNERS_PATH, select, expand)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), self.PARTNERS_PATH)))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def create_partner(self, req, version):
        given = PARTNER.parse(self._body(req), version, partial=True)
        if given.get("tenantId") is None:
            raise schema.invalid_value("tenantId", PARTNER.name)
        tenant_id = normalize_tenant_id(given.pop("tenantId"), "tenantId", PARTNER.name)
        self._drop_computed(PARTNER, given)
        with self.store.lock:
            if tenant_id in self.store.partners:
                # Tutorial troubleshooting table: code and message documented; 409 as for the other duplicate key.
                raise _duplicate()
            obj = schema.blank_partner(tenant_id)
            obj.update(given)
            self.store.partners[tenant_id] = obj
            body = {"@odata.context": self._context(req, version, self.PARTNERS_PATH, entity=True)}
            body.update(self._render(PARTNER, obj, version))
        location = "%s/%s/%s" % (self._root(req, version), self.PARTNERS_PATH, tenant_id)
        return Response.json(201, body, ODATA_JSON_TYPE, headers=[("Location", location)])

    def get_partner(self, req, version, tenant_id):
        select, expand = self._options(req, PARTNER, version, expandable=True)
        with self.store.lock:
            obj = self.store.partners.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            body = {"@odata.context": self._context(req, version, self.PARTNERS_PATH, select, expand, entity=True)}
            body.update(self._partner_out(obj, version, select, expand))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def patch_partner(self, req, version, tenant_id):
        given = schema.parse_patch(PARTNER, self._body(req), version)
        self._check_key(given, tenant_id, PARTNER.name)
        self._drop_computed(PARTNER, given)
        with self.store.lock:
            current = self.store.partners.get(tenant_id)
            if current is None:
                raise _patch_target_missing()
            self.store.partners[tenant_id] = schema.merge(PARTNER, current, given)
        return Response.empty(204)

    def delete_partner(self, req, version, tenant_id):
        with self.store.lock:
            obj = self.store.partners.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            if tenant_id in self.store.live:
                # Documented rule (partner DELETE page): the sync policy must be deleted first. Graph's answer
                # is undocumented: 400 Request_BadRequest is an assumption, to confirm on a live tenant.
                raise GraphError(400, "Request_BadRequest", (
                    "The partner configuration for tenant '%s' includes a cross-tenant identity synchronization policy. "
                    "Delete the identity synchronization policy before you delete the partner configuration." % tenant_id))
            del self.store.partners[tenant_id]
            obj["deletedDateTime"] = _now()
            self.store.deleted_partners.pop(tenant_id, None)
            self.store.deleted_partners[tenant_id] = obj
        return Response.empty(204)

    # ---- deleted partner configurations (beta) -----------------------------------------------

    DELETED_PARTNERS_PATH = "policies/deletedItems/crossTenantPartners"

    def list_deleted_partners(self, req, version):
        select, _expand = self._options(req, PARTNER, version)
        with self.store.lock:
            items = [self._render(PARTNER, obj, version, select) for obj in self.store.deleted_partners.values()]
        body = {"@odata.context": self._context(req, version, self.DELETED_PARTNERS_PATH, select)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), self.DELETED_PARTNERS_PATH)))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def get_deleted_partner(self, req, version, tenant_id):
        select, _expand = self._options(req, PARTNER, version)
        with self.store.lock:
            obj = self.store.deleted_partners.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            body = {"@odata.context": self._context(req, version, self.DELETED_PARTNERS_PATH, select, entity=True)}
            body.update(self._render(PARTNER, obj, version, select))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def delete_deleted_partner(self, req, version, tenant_id):
        with self.store.lock:
            if self.store.deleted_partners.pop(tenant_id, None) is None:
                raise _not_found(tenant_id)
        return Response.empty(204)

    def restore_deleted_partner(self, req, version, tenant_id):
        """The docs say to send no body; one sent anyway is ignored."""
        with self.store.lock:
            obj = self.store.deleted_partners.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            if tenant_id in self.store.partners:
                raise _duplicate()
            del self.store.deleted_partners[tenant_id]
            live = copy.deepcopy(obj)
            live["deletedDateTime"] = None
            self.store.partners[tenant_id] = live
            # As the documented restore response shows: deletedDateTime carries a time; read later, it is null.
            body = {"@odata.context": "%s/$metadata#microsoft.graph.%s" % (self._root(req, version), PARTNER.name)}
            body.update(self._render(PARTNER, live, version))
            body["deletedDateTime"] = _now()
        return Response.json(200, body, ODATA_JSON_TYPE)

    # ---- live sync policy -------------------------------------------------------------------

    def _live_path(self, tenant_id):
        return "policies/crossTenantAccessPolicy/partners('%s')/identitySynchronization" % tenant_id

    def get_live(self, req, version, tenant_id):
        select, _expand = self._options(req, SYNC_POLICY, version)
        with self.store.lock:
            obj = self.store.live.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            body = {"@odata.context": self._context(req, version, self._live_path(tenant_id), select, entity=True)}
            body.update(self._render(SYNC_POLICY, obj, version, select))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def put_live(self, req, version, tenant_id):
        """PUT creates. Over an existing policy it is the documented 409 (tutorial troubleshooting table)."""
        given = SYNC_POLICY.parse(self._body(req), version, partial=True)
        self._check_key(given, tenant_id, SYNC_POLICY.name)
        self._drop_computed(SYNC_POLICY, given)
        with self.store.lock:
            if tenant_id not in self.store.partners:
                # Assumption (CROSS_TENANT_SYNC.md 2.1: undocumented): the contained policy needs its partner.
                raise _not_found(tenant_id)
            if tenant_id in self.store.live:
                raise GraphError(409, CONFLICT_CODE, CONFLICTING_MESSAGE, details=[
                    {"code": "ConflictingObjects", "message": CONFLICTING_MESSAGE, "target": "tenantId"}])
            obj = SYNC_POLICY.blank(tenant_id)
            obj.update(given)
            self.store.live[tenant_id] = obj
        return Response.empty(204)

    def patch_live(self, req, version, tenant_id):
        given = schema.parse_patch(SYNC_POLICY, self._body(req), version)
        self._check_key(given, tenant_id, SYNC_POLICY.name)
        self._drop_computed(SYNC_POLICY, given)
        with self.store.lock:
            current = self.store.live.get(tenant_id)
            if current is None:
                raise _patch_target_missing()
            self.store.live[tenant_id] = schema.merge(SYNC_POLICY, current, given)
        return Response.empty(204)

    def delete_live(self, req, version, tenant_id):
        """Soft delete: the object moves to deleted items, replacing an older deleted copy."""
        with self.store.lock:
            obj = self.store.live.pop(tenant_id, None)
            if obj is None:
                raise _not_found(tenant_id)
            obj["deletedDateTime"] = _now()
            self.store.deleted.pop(tenant_id, None)
            self.store.deleted[tenant_id] = obj
        return Response.empty(204)

    # ---- deleted sync policies (beta) ---------------------------------------------------------

    DELETED_PATH = "policies/deletedItems/crossTenantSyncPolicyPartners"

    def list_deleted(self, req, version):
        select, _expand = self._options(req, SYNC_POLICY, version)
        with self.store.lock:
            items = [self._render(SYNC_POLICY, obj, version, select) for obj in self.store.deleted.values()]
        body = {"@odata.context": self._context(req, version, self.DELETED_PATH, select)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), self.DELETED_PATH)))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def count_deleted(self, req, version):
        with self.store.lock:
            count = len(self.store.deleted)
        return Response(200, str(count).encode("ascii"), "text/plain")

    def create_deleted(self, req, version):
        given = SYNC_POLICY.parse(self._body(req), version, partial=True)
        if given.get("tenantId") is None:
            raise schema.invalid_value("tenantId", SYNC_POLICY.name)
        tenant_id = normalize_tenant_id(given.pop("tenantId"), "tenantId", SYNC_POLICY.name)
        with self.store.lock:
            if tenant_id in self.store.deleted:
                raise _duplicate()
            obj = SYNC_POLICY.blank(tenant_id)
            obj.update(given)
            # The POST page is a stub; an item in deleted items with no deletion time would be odd,
            # so a body without deletedDateTime gets the time of the request.
            if obj["deletedDateTime"] is None:
                obj["deletedDateTime"] = _now()
            self.store.deleted[tenant_id] = obj
            # The documented 201 body carries @odata.type; the context is Graph's usual one for an entity.
            body = {"@odata.context": self._context(req, version, self.DELETED_PATH, entity=True),
                    "@odata.type": "#microsoft.graph." + SYNC_POLICY.name}
            body.update(self._render(SYNC_POLICY, obj, version))
        location = "%s/%s/%s" % (self._root(req, version), self.DELETED_PATH, tenant_id)
        return Response.json(201, body, ODATA_JSON_TYPE, headers=[("Location", location)])

    def get_deleted(self, req, version, tenant_id):
        select, _expand = self._options(req, SYNC_POLICY, version)
        with self.store.lock:
            obj = self.store.deleted.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            body = {"@odata.context": self._context(req, version, self.DELETED_PATH, select, entity=True)}
            body.update(self._render(SYNC_POLICY, obj, version, select))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def replace_deleted(self, req, version, tenant_id):
        """PUT is undocumented here but present in the generated clients. It replaces every property;
        deletedDateTime keeps its value when the body leaves it out, because it records the deletion."""
        given = SYNC_POLICY.parse(self._body(req), version, partial=True)
        self._check_key(given, tenant_id, SYNC_POLICY.name)
        with self.store.lock:
            current = self.store.deleted.get(tenant_id)
            if current is None:
                raise _not_found(tenant_id)
            obj = SYNC_POLICY.blank(tenant_id)
            obj.update(given)
            if obj["deletedDateTime"] is None:
                obj["deletedDateTime"] = current["deletedDateTime"]
            self.store.deleted[tenant_id] = obj
        return Response.empty(204)

    def delete_deleted(self, req, version, tenant_id):
        with self.store.lock:
            if self.store.deleted.pop(tenant_id, None) is None:
                raise _not_found(tenant_id)
        return Response.empty(204)

    def restore_deleted(self, req, version, tenant_id):
        """The docs say to send no body; one that is sent anyway is ignored."""
        with self.store.lock:
            obj = self.store.deleted.get(tenant_id)
            if obj is None:
                raise _not_found(tenant_id)
            if tenant_id in self.store.live:
                raise GraphError(409, CONFLICT_CODE, (
                    "A cross-tenant identity synchronization policy for tenant '%s' already exists in the partner "
                    "policy; delete it before restoring." % tenant_id))
            if tenant_id not in self.store.partners:
                # Assumption, as for PUT: a sync policy lives inside its partner configuration.
                raise GraphError(404, "Request_ResourceNotFound", (
                    "Resource '%s' does not exist or one of its queried reference-property objects are not present. "
                    "The partner configuration for this tenant is not live; restore or create it first." % tenant_id))
            del self.store.deleted[tenant_id]
            live = copy.deepcopy(obj)
            live["deletedDateTime"] = None
            self.store.live[tenant_id] = live
            # The documented restore response carries deletedDateTime set to the time of the restore;
            # the live object itself, read afterwards, has it null.
            body = {"@odata.context": "%s/$metadata#microsoft.graph.%s" % (self._root(req, version), SYNC_POLICY.name)}
            body.update(self._render(SYNC_POLICY, live, version))
            body["deletedDateTime"] = _now()
        return Response.json(200, body, ODATA_JSON_TYPE)
