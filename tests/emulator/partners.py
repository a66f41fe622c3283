# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Partner configurations (crossTenantAccessPolicyConfigurationPartner) and their identity
synchronization policies (crossTenantIdentitySyncPolicyPartner), v1.0 and beta."""

import re

from . import schema
from .endpoints import Endpoints, tenant_key
from .graph_errors import CONFLICT_CODE, CONFLICTING_MESSAGE, GraphError, bad_request, normalize_tenant_id
from .graph_errors import duplicate as _duplicate
from .graph_errors import not_found as _not_found
from .graph_errors import now as _now
from .graph_errors import patch_target_missing as _patch_target_missing
from .schema import PARTNER, SYNC_POLICY
from .wire import ODATA_JSON_TYPE, Response


FILTER_CLAUSE = re.compile(
    r"^\s*(?P<name>[A-Za-z]+)\s+eq\s+(?:'(?P<text>(?:[^']|'')*)'|(?P<flag>true|false))\s*$", re.IGNORECASE)
# The metadata marks the type filterable without naming properties; eq on the key and the booleans is what is
# modelled (assumption). Any other property is the directory's Request_UnsupportedQuery.
FILTERABLE = {"tenantId": str, "isServiceProvider": bool, "isInMultiTenantOrganization": bool,
              "blockServiceProviderOutboundAccess": bool}


def partner_filter(raw, version):
    """A $filter of `name eq 'text'` / `name eq true|false` clauses joined by `and`: a predicate on a stored partner."""
    clauses = []
    by_lower = {name.lower(): name for name in FILTERABLE if name in PARTNER.property_names(version)}
    for clause in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = FILTER_CLAUSE.match(clause)
        if match is None:
            raise bad_request("Invalid filter clause: '%s'." % clause.strip())
        name = by_lower.get(match.group("name").lower())
        kind = FILTERABLE.get(name)
        if name is None or (kind is bool) != (match.group("flag") is not None):
            raise GraphError(400, "Request_UnsupportedQuery", (
                "Unsupported or invalid query filter clause specified for property '%s' of resource '%s'."
                % (match.group("name"), PARTNER.name)))
        value = match.group("flag").lower() == "true" if kind is bool else match.group("text").replace("''", "'").lower()
        clauses.append((name, value))

    def keep(obj):
        for name, value in clauses:
            actual = obj.get(name)
            if isinstance(value, bool):
                if actual is not value:
                    return False
            elif not isinstance(actual, str) or actual.lower() != value:
                return False
        return True
    return keep


def count_option(req):
    raw = req.param("$count")
    if raw is None:
        return False
    if raw.lower() not in ("true", "false"):
        raise bad_request("Invalid value '%s' for the query option '$count': expected true or false." % raw)
    return raw.lower() == "true"


class PartnerEndpoints(Endpoints):
    def route_partners(self, segments, lower, version, unknown):
        """policies/crossTenantAccessPolicy/partners[/{tenantId}[/identitySynchronization]]"""
        if len(lower) < 3 or lower[2] != "partners":
            raise unknown(2)
        rest = lower[3:]
        if not rest:
            return {"GET": self.list_partners, "POST": self.create_partner}, ()
        if rest == ["$count"]:
            return {"GET": self.count_partners}, ()
        tenant = tenant_key(segments[3])
        if len(rest) == 1:
            return {"GET": self.get_partner, "PATCH": self.patch_partner, "DELETE": self.delete_partner}, tenant
        if len(rest) == 2 and rest[1] == "identitysynchronization":
            # PUT creates (docs, CSDL UpdateMethod and msgraph-metadata #402); PATCH updates (docs).
            # POST answers 405 (microsoft/terraform-provider-msgraph #108).
            return {"GET": self.get_live, "PUT": self.put_live, "PATCH": self.patch_live, "DELETE": self.delete_live}, tenant
        raise unknown(5 if rest[1] == "identitysynchronization" else 4)

    def _partner_out(self, obj, version, select, expand):
        out = self._render(PARTNER, obj, version, select)
        if expand:
            policy = self.store.live.get(obj["tenantId"])
            out["identitySynchronization"] = None if policy is None else SYNC_POLICY.render(policy, version)
        return out

    # ---- partner configurations -------------------------------------------------------------

    PARTNERS_PATH = "policies/crossTenantAccessPolicy/partners"

    def _chosen_partners(self, req, version):
        """The stored partners $filter keeps, then $skip (the v1.0 metadata's FilterRestrictions and SkipSupported)."""
        raw = req.param("$filter")
        keep = partner_filter(raw, version) if raw is not None and raw.strip() else (lambda obj: True)
        skip = req.param("$skip")
        if skip is not None and not skip.isdigit():
            raise bad_request("Invalid value '%s' for the query option '$skip': expected a non-negative integer." % skip)
        chosen = [obj for obj in self.store.partners.values() if keep(obj)]
        return chosen[int(skip or 0):]

    def list_partners(self, req, version):
        select, expand = self._options(req, PARTNER, version, expandable=True, allowed=("$filter", "$skip", "$count"))
        counted = count_option(req)
        with self.store.lock:
            items = [self._partner_out(obj, version, select, expand) for obj in self._chosen_partners(req, version)]
        body = {"@odata.context": self._context(req, version, self.PARTNERS_PATH, select, expand)}
        body.update(self._page(req, items, "%s/%s" % (self._root(req, version), self.PARTNERS_PATH),
                               count=len(items) if counted else None))
        return Response.json(200, body, ODATA_JSON_TYPE)

    def count_partners(self, req, version):
        """/partners/$count: the number as text/plain (OData 4.01 Part 2, 4.8), after $filter."""
        for name in req.query:
            if name not in ("$filter", "$search") and name.startswith("$"):
                raise bad_request("The query option '%s' is not allowed on $count." % name)
        if "$search" in req.query:
            raise bad_request("The emulator does not implement the query option '$search'.")
        with self.store.lock:
            count = len(self._chosen_partners(req, version))
        return Response(200, str(count).encode("ascii"), "text/plain")

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
        """PUT creates. Over an existing policy it is the documented 409 (tutorial troubleshooting table), or
        with the switch put_over_existing=update, a replace (the metadata's UpdateMethod=PUT)."""
        given = SYNC_POLICY.parse(self._body(req), version, partial=True)
        self._check_key(given, tenant_id, SYNC_POLICY.name)
        self._drop_computed(SYNC_POLICY, given)
        with self.store.lock:
            if tenant_id not in self.store.partners:
                # Assumption (CROSS_TENANT_SYNC.md 2.1: undocumented): the contained policy needs its partner.
                raise _not_found(tenant_id)
            if tenant_id in self.store.live and self.settings.put_over_existing == "conflict":
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
