# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The tenants one emulator holds. Each has its own directory (apps, signing key, tokens), its own policy
store, and its own directory objects: users and groups (seeded at start), and the applications, service
principals, role assignments and synchronization state that the source tenant's API creates.

Graph acts on the tenant named by the access token's `tid` (as Microsoft Graph does): an object of another
tenant is simply not there (404), and an app of one tenant cannot sign in to another (AADSTS700016)."""

import copy
import threading
import time
import uuid

from .schema import now_text

# (given name, surname) of the users every tenant starts with, and its groups with their members (by index).
SEED_USERS = (("Adele", "Vance"), ("Alex", "Wilber"), ("Megan", "Bowen"), ("Lee", "Gu"))
SEED_GROUPS = (("Sales", (0, 1)), ("Marketing", (2,)))
# The domain of tenants[i]'s users; past these, tenant<i>.
DOMAIN_LABELS = ("contoso", "fabrikam", "northwind", "tailspin")


def blank_user(user_id, upn, display_name, given=None, surname=None, mail=None):
    """A user as stored: every property the emulator serves (see users.py)."""
    return {
        "id": user_id, "displayName": display_name, "givenName": given, "surname": surname,
        "userPrincipalName": upn, "mail": mail, "businessPhones": [], "jobTitle": None, "mobilePhone": None,
        "officeLocation": None, "preferredLanguage": None, "accountEnabled": True, "userType": "Member",
        "creationType": None, "externalUserState": None, "showInAddressList": None, "createdDateTime": now_text(),
        "deletedDateTime": None,
    }


class SyncState:
    """A service principal's synchronization: its secrets (key -> value, in the order first saved) and jobs."""

    def __init__(self):
        self.secrets = {}
        self.jobs = {}


class TenantObjects:
    """Users, groups, applications, service principals, role assignments and synchronization of one tenant.
    Guarded by the emulator-wide lock (a synchronization cycle reads one tenant and writes another)."""

    def __init__(self, tenant_id, domain):
        self.tenant_id = tenant_id
        self.domain = domain
        self._seed_users = {}
        self._seed_groups = {}
        for given, surname in SEED_USERS:
            user_id = str(uuid.uuid4())
            alias = given.lower()
            upn = "%s@%s" % (alias, domain)
            self._seed_users[user_id] = blank_user(user_id, upn, "%s %s" % (given, surname), given, surname, upn)
        ids = list(self._seed_users)
        for name, members in SEED_GROUPS:
            group_id = str(uuid.uuid4())
            self._seed_groups[group_id] = {"id": group_id, "displayName": name, "description": None,
                                           "mailEnabled": False, "securityEnabled": True,
                                           "mailNickname": name.lower(), "createdDateTime": now_text(),
                                           "deletedDateTime": None, "members": [ids[i] for i in members]}
        self.clear()

    def clear(self):
        """Back to the objects of start-up: the seeded users and groups, nothing else."""
        self.users = copy.deepcopy(self._seed_users)
        self.deleted_users = {}
        self.groups = copy.deepcopy(self._seed_groups)
        self.applications = {}
        self.service_principals = {}
        # assignment id -> appRoleAssignment (its resourceId is the service principal it grants access to)
        self.assignments = {}
        # service principal id -> SyncState
        self.sync = {}
        # object id -> monotonic time before which it answers 404 (replication delay)
        self.hidden_until = {}
        # service principal id -> monotonic times of its recent provisionOnDemand calls
        self.on_demand_calls = {}
        # (source tenant id, source user id) -> id of the user synchronized into this tenant
        self.synchronized = {}

    def visible(self, object_id):
        until = self.hidden_until.get(object_id)
        return until is None or time.monotonic() >= until

    def summary(self):
        return {
            "users": [{"id": u["id"], "userPrincipalName": u["userPrincipalName"], "displayName": u["displayName"],
                       "mail": u["mail"]} for u in self._seed_users.values()],
            "groups": [{"id": g["id"], "displayName": g["displayName"]} for g in self._seed_groups.values()],
        }


class Tenant:
    def __init__(self, directory, store, objects):
        self.directory = directory
        self.store = store
        self.objects = objects
        self.graph = None

    @property
    def tenant_id(self):
        return self.directory.tenant_id

    def summary(self):
        data = {"tenant": self.tenant_id, "client_id": self.directory.admin_app.client_id,
                "client_secret": self.directory.admin_secret, "domain": self.objects.domain}
        data.update(self.objects.summary())
        return data


class Tenants:
    """Every tenant, home (the first) first, and what applies across them: one lock and the replication delay."""

    def __init__(self, lock, replication_delay=0.0):
        self.lock = lock
        self._by_id = {}
        self.replication_delay = replication_delay

    def add(self, tenant):
        self._by_id[tenant.tenant_id] = tenant
        return tenant

    @property
    def home(self):
        return next(iter(self._by_id.values()))

    def __iter__(self):
        return iter(list(self._by_id.values()))

    def __len__(self):
        return len(self._by_id)

    def get(self, tenant_id):
        return self._by_id.get((tenant_id or "").strip().lower())

    def for_sign_in(self, name):
        """The tenant a sign-in URL names (tenant id or verified domain), or None."""
        for tenant in self:
            if tenant.directory.known_tenant(name):
                return tenant
        return None


def new_lock():
    return threading.RLock()
