# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The beta deleted items of partner configurations and sync policies (policies/deletedItems)."""

import copy

from . import schema
from .endpoints import Endpoints, tenant_key
from .graph_errors import CONFLICT_CODE, GraphError, normalize_tenant_id
from .graph_errors import duplicate as _duplicate
from .graph_errors import not_found as _not_found
from .graph_errors import now as _now
from .schema import PARTNER, SYNC_POLICY, V1
from .wire import ODATA_JSON_TYPE, Response


class DeletedItemsEndpoints(Endpoints):
    def route_deleted_items(self, segments, lower, version, unknown):
        """beta: policies/deletedItems/crossTenantSyncPolicyPartners[...] and crossTenantPartners[...]"""
        if version == V1:
            # v1.0's policyRoot has no deletedItems navigation (v1.0 CSDL, CROSS_TENANT_SYNC.md 4).
            raise unknown(1)
        if len(lower) < 3:
            raise unknown(1)
        rest = lower[3:]
        restore = len(rest) == 2 and rest[1] in ("restore", "microsoft.graph.restore")
        if lower[2] == "crosstenantsyncpolicypartners":
            if not rest:
                return {"GET": self.list_deleted, "POST": self.create_deleted}, ()
            if rest == ["$count"]:
                return {"GET": self.count_deleted}, ()
            tenant = tenant_key(segments[3])
            if len(rest) == 1:
                return {"GET": self.get_deleted, "PUT": self.replace_deleted, "DELETE": self.delete_deleted}, tenant
            if restore:
                return {"POST": self.restore_deleted}, tenant
            raise unknown(5 if rest[1] in ("restore", "microsoft.graph.restore") else 4)
        if lower[2] == "crosstenantpartners":
            if not rest:
                return {"GET": self.list_deleted_partners}, ()
            tenant = tenant_key(segments[3])
            if len(rest) == 1:
                return {"GET": self.get_deleted_partner, "DELETE": self.delete_deleted_partner}, tenant
            if restore:
                return {"POST": self.restore_deleted_partner}, tenant
            raise unknown(5 if rest[1] in ("restore", "microsoft.graph.restore") else 4)
        raise unknown(2)

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
