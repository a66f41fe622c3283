# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Graph beta side of the emulator: crossTenantIdentitySyncPolicyPartner in
deleted items and under the partner policy, with Graph's status codes and error bodies.

Where the sources in ../shared/graph disagree, the choice made is noted next to the code."""

import base64
import copy
import datetime
import re
import threading

from .identity import READ_ROLE, WRITE_ROLE, TokenRejected
from .wire import ODATA_JSON_TYPE, JSON_TYPE, Response, graph_time, utcnow, utcnow_seconds

ENTITY_TYPE = "microsoft.graph.crossTenantIdentitySyncPolicyPartner"
USER_SYNC_TYPE = "microsoft.graph.crossTenantUserSyncInbound"
GROUP_SYNC_TYPE = "microsoft.graph.crossTenantGroupSyncInbound"
PROPERTIES = (
    "tenantId", "displayName", "deletedDateTime", "externalCloudAuthorizedApplicationId",
    "userSyncInbound", "groupSyncInbound",
)
DELETED_ITEMS = "deleted_items"
PARTNER_POLICY = "partner_policy"
MAX_TOP = 999
# 409 code for a tenantId that already exists: Entra's directory code for a duplicate key value.
CONFLICT_CODE = "Request_MultipleObjectsWithSameKeyValue"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Edm.DateTimeOffset as Graph's OpenAPI constrains it: an offset or 'Z' is required.
DATETIME_RE = re.compile(
    r"^(?P<date>[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01]))T(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9])"
    r"(?:[.](?P<frac>[0-9]{1,12}))?(?P<tz>Z|[+-][0-9][0-9]:[0-9][0-9])$"
)
KEY_SEGMENT_RE = re.compile(r"^(?P<name>[^(]+)\((?:tenantId=)?'?(?P<key>[^')]*)'?\)$", re.IGNORECASE)
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
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or []


def bad_request(message):
    return GraphError(400, "BadRequest", message)


def graph_error_response(req, status, code=None, message=None, headers=None):
    body = {
        "error": {
            "code": code or STATUS_CODES.get(status, "UnknownError"),
            "message": message or STATUS_MESSAGES.get(status, "The request failed."),
            "innerError": {
                # Graph's innerError date has no offset.
                "date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": req.request_id,
                "client-request-id": req.client_request_id,
            },
        }
    }
    return Response.json(status, body, JSON_TYPE, headers)


# ---- the type --------------------------------------------------------------------------------

def normalize_tenant_id(value, what="tenantId"):
    if not isinstance(value, str) or not GUID_RE.match(value.strip()):
        raise bad_request("Invalid value '%s' for %s: a tenant ID is a GUID." % (value, what))
    return value.strip().lower()


def parse_datetime(value, name="deletedDateTime"):
    """Validate an ISO 8601 DateTimeOffset and return Graph's UTC serialisation of it."""
    if not isinstance(value, str):
        raise bad_request("Cannot convert a primitive value to the expected type 'Edm.DateTimeOffset' for property '%s'." % name)
    match = DATETIME_RE.match(value)
    if not match:
        raise bad_request("The value '%s' of property '%s' is not a valid Edm.DateTimeOffset (ISO 8601 with an offset)." % (value, name))
    frac = (match.group("frac") or "")[:6].ljust(6, "0")
    tz = match.group("tz")
    try:
        offset = datetime.timezone.utc if tz == "Z" else datetime.timezone(
            (1 if tz[0] == "+" else -1) * datetime.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
        moment = datetime.datetime.strptime(
            "%sT%s:%s:%s" % (match.group("date"), match.group("h"), match.group("m"), match.group("s")), "%Y-%m-%dT%H:%M:%S"
        ).replace(microsecond=int(frac), tzinfo=offset)
    except ValueError:
        raise bad_request("The value '%s' of property '%s' is not a valid Edm.DateTimeOffset." % (value, name))
    return graph_time(moment)


def _check_odata_type(value, expected, where):
    if not isinstance(value, str) or value.lstrip("#").lower() != expected.lower():
        raise bad_request(
            "A resource of type '%s' was found at '%s', but a resource of type '%s' was expected." % (value, where, expected))


def _check_complex(name, value, type_name, nullable_flag):
    """A crossTenant*SyncInbound value; returns the properties it carries, or None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(
            "Cannot convert a primitive value to the expected type '%s' for property '%s'." % (type_name, name))
    given = {}
    for key, item in value.items():
        if key == "@odata.type":
            # The documented create example writes this without the leading '#'; OData wants it. Accept both.
            _check_odata_type(item, type_name, name)
        elif "@" in key:
            continue
        elif key == "isSyncAllowed":
            if item is None and not nullable_flag:
                raise bad_request("Property '%s.isSyncAllowed' is not nullable." % name)
            if item is not None and not isinstance(item, bool):
                raise bad_request(
                    "Cannot convert the literal '%s' to the expected type 'Edm.Boolean' for property '%s.isSyncAllowed'." % (item, name))
            given["isSyncAllowed"] = item
        else:
            raise bad_request(
                "Invalid property '%s.%s': the property '%s' does not exist on type '%s'. Make sure to only use property "
                "names that are defined by the type." % (name, key, key, type_name))
    return given


def check_partner(body, path_tenant_id=None, require_tenant_id=False):
    """Validate a request body against crossTenantIdentitySyncPolicyPartner.

    Returns only the properties the body carries, in stored form. Instance annotations (keys
    with '@', e.g. an echoed '@odata.context') are accepted and ignored as OData allows."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object of type '%s'." % ENTITY_TYPE)
    given = {}
    for key, value in body.items():
        if key == "@odata.type":
            _check_odata_type(value, ENTITY_TYPE, "@odata.type")
        elif "@" in key:
            continue
        elif key == "tenantId":
            if value is None:
                raise bad_request("Property 'tenantId' is not nullable.")
            given["tenantId"] = normalize_tenant_id(value)
        elif key in ("displayName", "externalCloudAuthorizedApplicationId"):
            if value is not None and not isinstance(value, str):
                raise bad_request("Cannot convert a primitive value to the expected type 'Edm.String' for property '%s'." % key)
            given[key] = value
        elif key == "deletedDateTime":
            given[key] = None if value is None else parse_datetime(value)
        elif key == "userSyncInbound":
            given[key] = _check_complex(key, value, USER_SYNC_TYPE, True)
        elif key == "groupSyncInbound":
            # CSDL: crossTenantGroupSyncInbound.isSyncAllowed is Nullable="false".
            given[key] = _check_complex(key, value, GROUP_SYNC_TYPE, False)
        else:
            raise bad_request(
                "Invalid property '%s': the property '%s' does not exist on type '%s'. Make sure to only use property "
                "names that are defined by the type." % (key, key, ENTITY_TYPE))
    if require_tenant_id and "tenantId" not in given:
        raise bad_request("Property 'tenantId' is required when creating a %s." % ENTITY_TYPE)
    if path_tenant_id is not None and given.get("tenantId", path_tenant_id) != path_tenant_id:
        raise bad_request("The tenantId '%s' in the request body does not match the tenantId '%s' in the request URL." % (
            given["tenantId"], path_tenant_id))
    return given


def blank(tenant_id):
    obj = dict.fromkeys(PROPERTIES)
    obj["tenantId"] = tenant_id
    return obj


def complete(obj):
    """Fill complex values' missing properties: null, except a non-nullable Edm.Boolean, which
    deserialises to its default (false)."""
    for key, default in (("userSyncInbound", None), ("groupSyncInbound", False)):
        if isinstance(obj.get(key), dict):
            obj[key].setdefault("isSyncAllowed", default)
    return obj


def merge(current, update):
    """PATCH: top-level properties replace; complex values merge (OData 4.01 update semantics)."""
    result = copy.deepcopy(current)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key].update(value)
        else:
            result[key] = copy.deepcopy(value)
    return complete(result)


# ---- the store ----------------------------------------------------------------------------

class Store:
    """Both Graph collections, keyed by lower-case tenantId, in insertion order."""

    def __init__(self):
        self.lock = threading.RLock()
        self.deleted = {}
        self.live = {}

    def clear(self):
        with self.lock:
            self.deleted.clear()
            self.live.clear()

    def snapshot(self):
        with self.lock:
            return {
                DELETED_ITEMS: [copy.deepcopy(obj) for obj in self.deleted.values()],
                PARTNER_POLICY: [copy.deepcopy(obj) for obj in self.live.values()],
            }

    def load(self, data):
        """Replace both collections; a collection left out of data ends up empty."""
        if not isinstance(data, dict) or set(data) - {DELETED_ITEMS, PARTNER_POLICY}:
            raise bad_request("Expected an object with the keys '%s' and/or '%s'." % (DELETED_ITEMS, PARTNER_POLICY))
        parsed = {}
        for name in (DELETED_ITEMS, PARTNER_POLICY):
            items = data.get(name) or []
            if isinstance(items, dict):
                items = list(items.values())
            if not isinstance(items, list):
                raise bad_request("'%s' must be a list of objects." % name)
            table = {}
            for item in items:
                obj = blank(None)
                obj.update(check_partner(item, require_tenant_id=True))
                complete(obj)
                if name == PARTNER_POLICY:
                    obj["deletedDateTime"] = None
                elif obj["deletedDateTime"] is None:
                    # As on create: an item in deleted items records when it was deleted.
                    obj["deletedDateTime"] = graph_time(utcnow_seconds())
                table[obj["tenantId"]] = obj
            parsed[name] = table
        with self.lock:
            self.deleted = parsed[DELETED_ITEMS]
            self.live = parsed[PARTNER_POLICY]


# ---- the service --------------------------------------------------------------------------

class GraphService:
    def __init__(self, base_url, directory, store, settings):
        self.base_url = base_url
        self.directory = directory
        self.store = store
        self.settings = settings
        self.metadata = base_url + "/beta/$metadata"

    def handle(self, req):
        try:
            claims = self._authenticate(req)
            route, tenant_id = self._route(req)
            self._authorize(req, claims)
            return route(req, tenant_id)
        except GraphError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message, exc.headers)

    # ---- auth -------------------------------------------------------------------------------

    def _authenticate(self, req):
        header = req.header("authorization") or ""
        scheme, _sep, token = header.strip().partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise TokenRejected("Access token is empty.")
            return self.directory.validate_access_token(token.strip(), self.base_url)
        except TokenRejected as exc:
            raise GraphError(401, "InvalidAuthenticationToken", str(exc), headers=[(
                "WWW-Authenticate",
                'Bearer realm="", authorization_uri="%s/%s/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
                % (self.base_url, self.directory.tenant_id),
            )])

    @staticmethod
    def _authorize(req, claims):
        roles = set(claims.get("roles") or [])
        # Reads: Policy.Read.All (least privileged) or Policy.ReadWrite.CrossTenantAccess; writes: the latter only.
        needed = {READ_ROLE, WRITE_ROLE} if req.method == "GET" else {WRITE_ROLE}
        if not roles & needed:
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    # ---- routing ----------------------------------------------------------------------------

    def _route(self, req):
        segments = []
        for raw in req.path.split("/")[2:]:
            if not raw:
                continue
            match = KEY_SEGMENT_RE.match(raw)
            if match:
                segments.extend([match.group("name"), match.group("key")])
            else:
                segments.append(raw)
        lower = [s.lower() for s in segments]

        deleted = ["policies", "deleteditems", "crosstenantsyncpolicypartners"]
        partners = ["policies", "crosstenantaccesspolicy", "partners"]
        handlers = None
        tenant = None
        if lower[:3] == deleted:
            rest = lower[3:]
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
        elif lower[:3] == partners:
            rest = lower[3:]
            if not rest:
                handlers = {"GET": self.list_partners}
            elif len(rest) == 1:
                tenant = segments[3]
                handlers = {"GET": self.get_partner}
            elif len(rest) == 2 and rest[1] == "identitysynchronization":
                tenant = segments[3]
                # Docs document PATCH for update; the CSDL (UpdateMethod=PUT) and every generated
                # client use PUT. Both are served: PUT replaces, PATCH merges.
                handlers = {"GET": self.get_live, "PUT": self.put_live, "PATCH": self.patch_live, "DELETE": self.delete_live}
        if handlers is None:
            matched = 0
            for expected in (deleted, partners):
                count = 0
                while count < min(len(expected), len(lower)) and lower[count] == expected[count]:
                    count += 1
                matched = max(matched, count)
            # Past a collection segment the key is fine; the segment after it is the unknown one.
            index = matched if matched < 3 else 4
            bad = segments[min(index, len(segments) - 1)] if segments else ""
            raise bad_request("Resource not found for the segment '%s'." % bad)
        handler = handlers.get(req.method)
        if handler is None:
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.",
                             headers=[("Allow", ", ".join(sorted(handlers)))])
        if tenant is not None:
            tenant = normalize_tenant_id(tenant, "the tenantId key")
        return handler, tenant

    # ---- helpers ----------------------------------------------------------------------------

    def _body(self, req):
        if not req.body.strip():
            raise bad_request("Empty Payload. JSON content expected.")
        try:
            return req.json()
        except ValueError:
            raise bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")

    def _entity(self, obj, context):
        out = {"@odata.context": context}
        out.update((key, copy.deepcopy(obj.get(key))) for key in PROPERTIES)
        return out

    @staticmethod
    def _not_found(tenant_id):
        return GraphError(404, "Request_ResourceNotFound", (
            "Resource '%s' does not exist or one of its queried reference-property objects are not present." % tenant_id))

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
            query = ("$top=%d&" % size if top is not None else "") + "$skiptoken=" + skiptoken
            result["@odata.nextLink"] = "%s?%s" % (collection_url, query)
        return result

    # ---- deleted items ----------------------------------------------------------------------

    def _deleted_url(self):
        return self.base_url + "/beta/policies/deletedItems/crossTenantSyncPolicyPartners"

    def list_deleted(self, req, tenant_id):
        with self.store.lock:
            items = [{key: copy.deepcopy(obj[key]) for key in PROPERTIES} for obj in self.store.deleted.values()]
        page = self._page(req, items, self._deleted_url())
        body = {"@odata.context": self.metadata + "#policies/deletedItems/crossTenantSyncPolicyPartners"}
        body.update(page)
        return Response.json(200, body, ODATA_JSON_TYPE)

    def count_deleted(self, req, tenant_id):
        with self.store.lock:
            count = len(self.store.deleted)
        return Response(200, str(count).encode("ascii"), "text/plain")

    def create_deleted(self, req, tenant_id):
        given = check_partner(self._body(req), require_tenant_id=True)
        with self.store.lock:
            if given["tenantId"] in self.store.deleted:
                raise GraphError(409, CONFLICT_CODE,
                                 "Another object with the same value for property tenantId already exists.")
            obj = blank(given["tenantId"])
            obj.update(given)
            complete(obj)
            # The POST page is a stub; an item in deleted items with no deletion time would be odd,
            # so a body without deletedDateTime gets the time of the request.
            if obj["deletedDateTime"] is None:
                obj["deletedDateTime"] = graph_time(utcnow_seconds())
            self.store.deleted[obj["tenantId"]] = obj
            entity = self._entity(obj, self.metadata + "#policies/deletedItems/crossTenantSyncPolicyPartners/$entity")
        location = "%s/%s" % (self._deleted_url(), obj["tenantId"])
        return Response.json(201, entity, ODATA_JSON_TYPE, headers=[("Location", location)])

    def get_deleted(self, req, tenant_id):
        with self.store.lock:
            obj = self.store.deleted.get(tenant_id)
            if obj is None:
                raise self._not_found(tenant_id)
            entity = self._entity(obj, self.metadata + "#policies/deletedItems/crossTenantSyncPolicyPartners/$entity")
        return Response.json(200, entity, ODATA_JSON_TYPE)

    def replace_deleted(self, req, tenant_id):
        """PUT is undocumented here but present in the generated clients. It replaces every property;
        deletedDateTime keeps its value when the body leaves it out, because it records the deletion."""
        given = check_partner(self._body(req), path_tenant_id=tenant_id)
        with self.store.lock:
            current = self.store.deleted.get(tenant_id)
            if current is None:
                raise self._not_found(tenant_id)
            obj = blank(tenant_id)
            obj.update(given)
            complete(obj)
            if "deletedDateTime" not in given or given["deletedDateTime"] is None:
                obj["deletedDateTime"] = current["deletedDateTime"]
            self.store.deleted[tenant_id] = obj
        return Response.empty(204)

    def delete_deleted(self, req, tenant_id):
        with self.store.lock:
            if self.store.deleted.pop(tenant_id, None) is None:
                raise self._not_found(tenant_id)
        return Response.empty(204)

    def restore_deleted(self, req, tenant_id):
        """The docs say to send no body; one that is sent anyway is ignored."""
        with self.store.lock:
            obj = self.store.deleted.get(tenant_id)
            if obj is None:
                raise self._not_found(tenant_id)
            if tenant_id in self.store.live:
                raise GraphError(409, CONFLICT_CODE, (
                    "A cross-tenant identity synchronization policy for tenant '%s' already exists in the partner "
                    "policy; delete it before restoring." % tenant_id))
            del self.store.deleted[tenant_id]
            live = copy.deepcopy(obj)
            live["deletedDateTime"] = None
            self.store.live[tenant_id] = live
            # The documented restore response carries deletedDateTime set to the time of the restore;
            # the live object itself, read afterwards, has it null.
            entity = self._entity(live, self.metadata + "#" + ENTITY_TYPE)
            entity["deletedDateTime"] = graph_time(utcnow_seconds())
        return Response.json(200, entity, ODATA_JSON_TYPE)

    # ---- partner policy ---------------------------------------------------------------------

    def _live_context(self, tenant_id):
        return self.metadata + "#policies/crossTenantAccessPolicy/partners('%s')/identitySynchronization/$entity" % tenant_id

    def get_live(self, req, tenant_id):
        with self.store.lock:
            obj = self.store.live.get(tenant_id)
            if obj is None:
                raise self._not_found(tenant_id)
            entity = self._entity(obj, self._live_context(tenant_id))
        return Response.json(200, entity, ODATA_JSON_TYPE)

    def put_live(self, req, tenant_id):
        """Create or replace. A live object never has a deletion time, so deletedDateTime in the body
        is validated and then ignored: clients that send back the object they read stay harmless."""
        given = check_partner(self._body(req), path_tenant_id=tenant_id)
        obj = blank(tenant_id)
        obj.update(given)
        complete(obj)
        obj["deletedDateTime"] = None
        with self.store.lock:
            self.store.live[tenant_id] = obj
        return Response.empty(204)

    def patch_live(self, req, tenant_id):
        given = check_partner(self._body(req), path_tenant_id=tenant_id)
        with self.store.lock:
            current = self.store.live.get(tenant_id)
            if current is None:
                raise self._not_found(tenant_id)
            obj = merge(current, given)
            obj["tenantId"] = tenant_id
            obj["deletedDateTime"] = None
            self.store.live[tenant_id] = obj
        return Response.empty(204)

    def delete_live(self, req, tenant_id):
        """Soft delete: the object moves to deleted items, replacing an older deleted copy."""
        with self.store.lock:
            obj = self.store.live.pop(tenant_id, None)
            if obj is None:
                raise self._not_found(tenant_id)
            obj["deletedDateTime"] = graph_time(utcnow_seconds())
            self.store.deleted.pop(tenant_id, None)
            self.store.deleted[tenant_id] = obj
        return Response.empty(204)

    # ---- partner configurations (read-only view) ------------------------------------------

    def _partner(self, obj, expand):
        """A crossTenantAccessPolicyConfigurationPartner. The emulator keeps no partner settings of its own:
        a partner exists exactly when it has a live identity synchronization policy."""
        partner = {
            "tenantId": obj["tenantId"],
            "isServiceProvider": None,
            "isInMultiTenantOrganization": False,
            "inboundTrust": None,
            "b2bCollaborationOutbound": None,
            "b2bCollaborationInbound": None,
            "b2bDirectConnectOutbound": None,
            "b2bDirectConnectInbound": None,
            "tenantRestrictions": None,
            "automaticUserConsentSettings": {"inboundAllowed": None, "outboundAllowed": None},
        }
        if expand:
            partner["identitySynchronization"] = {key: copy.deepcopy(obj[key]) for key in PROPERTIES}
        return partner

    @staticmethod
    def _expand(req):
        value = (req.param("$expand") or "").replace(" ", "").lower()
        if value and value not in ("identitysynchronization", "*"):
            raise bad_request("Could not find a property named '%s' on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'." % value)
        return bool(value)

    def list_partners(self, req, tenant_id):
        expand = self._expand(req)
        with self.store.lock:
            items = [self._partner(obj, expand) for obj in self.store.live.values()]
        page = self._page(req, items, self.base_url + "/beta/policies/crossTenantAccessPolicy/partners")
        if expand and "@odata.nextLink" in page:
            page["@odata.nextLink"] += "&$expand=identitySynchronization"
        body = {"@odata.context": self.metadata + "#policies/crossTenantAccessPolicy/partners"}
        body.update(page)
        return Response.json(200, body, ODATA_JSON_TYPE)

    def get_partner(self, req, tenant_id):
        expand = self._expand(req)
        with self.store.lock:
            obj = self.store.live.get(tenant_id)
            if obj is None:
                raise self._not_found(tenant_id)
            body = {"@odata.context": self.metadata + "#policies/crossTenantAccessPolicy/partners/$entity"}
            body.update(self._partner(obj, expand))
        return Response.json(200, body, ODATA_JSON_TYPE)
