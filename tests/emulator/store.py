# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where a tenant's partner configurations, sync policies and their deleted items live."""

import copy
import threading

from . import schema
from .policy import AccessPolicy
from .graph_errors import bad_request, normalize_tenant_id, now as _now
from .schema import BETA, PARTNER, SYNC_POLICY, SchemaError

DELETED_ITEMS = "deleted_items"
PARTNER_POLICY = "partner_policy"
PARTNERS = "partners"
DELETED_PARTNERS = "deleted_partners"
COLLECTIONS = (PARTNERS, PARTNER_POLICY, DELETED_PARTNERS, DELETED_ITEMS)


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

    def __init__(self, lock=None):
        # Every tenant of one emulator shares one lock: a synchronization cycle writes across tenants.
        self.lock = lock or threading.RLock()
        self.partners = {}
        self.live = {}
        self.deleted_partners = {}
        self.deleted = {}
        # The policy itself and its default configuration: one of each, always there (policy.py).
        self.access_policy = AccessPolicy()

    def clear(self):
        with self.lock:
            self.partners.clear()
            self.live.clear()
            self.deleted_partners.clear()
            self.deleted.clear()
            self.access_policy.clear()

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
