# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every Graph endpoint family shares: request bodies, query options, rendering, paging."""

import base64
import copy
import re
import urllib.parse

from . import schema
from .graph_errors import GraphError, bad_request, normalize_tenant_id
from .wire import ODATA_JSON_TYPE, Response

MAX_TOP = 999
UNSUPPORTED_OPTIONS = ("$filter", "$orderby", "$search", "$skip", "$count", "$apply", "$compute")
# OData's system query options: on beta Graph takes them without the '$' too ("Use query parameters").
SYSTEM_OPTIONS = ("$select", "$expand", "$filter", "$top", "$skip", "$count", "$orderby", "$search", "$skiptoken",
                  "$format", "$apply", "$compute")


def dollar_optional(req):
    """On beta the '$' of a system query option is optional: the query as if every one carried it. A name
    given both ways keeps the '$' one."""
    query = {}
    for name, values in req.query.items():
        spelled = "$" + name if not name.startswith("$") and ("$" + name.lower()) in SYSTEM_OPTIONS else name
        if spelled != name and spelled in req.query:
            continue
        query[spelled] = values
    req.query = query


def top_out_of_range(top):
    # The directory's answer to a page size it does not take.
    return GraphError(400, "Request_UnsupportedQuery",
                      "Invalid page size specified: '%s'. Must be between 1 and %d inclusive." % (top, MAX_TOP))


def requires(*alternatives):
    """The application permissions a handler needs: any one alternative, each a role or a tuple of roles
    that are all needed. Handlers without it follow the policy rule (graph.py)."""
    def mark(handler):
        handler.permissions = tuple((needed,) if isinstance(needed, str) else tuple(needed) for needed in alternatives)
        return handler
    return mark


def tenant_key(raw):
    """A router's arguments for a path keyed by tenant id: checked only once the method is known to be
    allowed, so that a 405 comes before a 400 for the key."""
    return lambda: (normalize_tenant_id(raw, "the tenantId key"),)


class Endpoints:
    """Helpers for the endpoint families (mixed into GraphService)."""

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

    def _options(self, req, entity, version, expandable=False, allowed=()):
        """($select as a list of property names or None, $expand of identitySynchronization). `allowed`: the
        options of UNSUPPORTED_OPTIONS the caller handles itself."""
        for name in UNSUPPORTED_OPTIONS:
            if name in req.query and name not in allowed:
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

    def _page(self, req, items, collection_url, count=None):
        """Server-driven paging. $top sets the page size, as Graph's paging guide describes for APIs that support it.
        count: the @odata.count to carry ($count=true), or None."""
        size = self.settings.page_size
        top = req.param("$top")
        if top is not None:
            if not top.isdigit() or not 1 <= int(top) <= MAX_TOP:
                raise top_out_of_range(top)
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
        result = {}
        if count is not None:
            result["@odata.count"] = count
        result["value"] = page
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


FILTER_CLAUSE = re.compile(r"^\s*(?P<name>[A-Za-z]+)\s+eq\s+'(?P<value>(?:[^']|'')*)'\s*$")
# Query options the directory object families do not implement: refused rather than ignored.
UNSUPPORTED_DIRECTORY_OPTIONS = ("$orderby", "$search", "$skip", "$apply", "$compute", "$expand", "$count")


def parse_filter(raw, allowed, type_name):
    """A $filter of `property eq 'value'` clauses joined by `and`: [(property, value)]. allowed: the
    property names that can be filtered on, as Graph spells them."""
    by_lower = {name.lower(): name for name in allowed}
    found = []
    for clause in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = FILTER_CLAUSE.match(clause)
        if match is None:
            raise GraphError(400, "BadRequest", "Invalid filter clause: '%s'." % clause.strip())
        name = by_lower.get(match.group("name").lower())
        if name is None:
            raise GraphError(400, "Request_UnsupportedQuery", (
                "Unsupported or invalid query filter clause specified for property '%s' of resource '%s'."
                % (match.group("name"), type_name)))
        found.append((name, match.group("value").replace("''", "'")))
    return found


def matches_filter(obj, clauses):
    # The directory compares strings in eq clauses without regard to case.
    for name, value in clauses:
        actual = obj.get(name)
        if not isinstance(actual, str) or actual.lower() != value.lower():
            return False
    return True


class DirectoryObjectEndpoints(Endpoints):
    """Lists and reads of directory objects (users, groups, applications, service principals)."""

    def _directory_options(self, req, selectable, type_name):
        for name in UNSUPPORTED_DIRECTORY_OPTIONS:
            if name in req.query:
                raise bad_request("The emulator does not implement the query option '%s' here." % name)
        raw = req.param("$select")
        if raw is None or not raw.strip():
            return None
        by_lower = {name.lower(): name for name in selectable}
        select = []
        for item in raw.split(","):
            item = item.strip()
            if not item:
                continue
            if item.lower() not in by_lower:
                raise bad_request("Could not find a property named '%s' on type 'microsoft.graph.%s'." % (item, type_name))
            select.append(by_lower[item.lower()])
        return select

    def _directory_object(self, req, version, path, obj, defaults, selectable, type_name):
        select = self._directory_options(req, selectable, type_name)
        names = select if select is not None else defaults
        body = {"@odata.context": self._context(req, version, path, select, entity=True)}
        body.update({name: copy.deepcopy(obj.get(name)) for name in names})
        return Response.json(200, body, ODATA_JSON_TYPE)

    def _directory_list(self, req, version, path, objects, defaults, selectable, filterable, type_name):
        select = self._directory_options(req, selectable, type_name)
        raw = req.param("$filter")
        if raw is not None and raw.strip():
            clauses = parse_filter(raw, filterable, type_name)
            objects = [obj for obj in objects if matches_filter(obj, clauses)]
        names = select if select is not None else defaults
        items = [{name: copy.deepcopy(obj.get(name)) for name in names} for obj in objects]
        body = {"@odata.context": self._context(req, version, path, select)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), path)))
        return Response.json(200, body, ODATA_JSON_TYPE)
