# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Users and groups of a tenant (reads): the seeded ones, and in a target tenant the users that
cross-tenant synchronization created."""

from .endpoints import DirectoryObjectEndpoints, requires
from .graph_errors import GraphError
from .wire import ODATA_JSON_TYPE, Response

# v1.0 user: the properties a GET returns without $select (Graph's documented default set), and the others
# a $select can ask for.
USER_DEFAULT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
                "preferredLanguage", "surname", "userPrincipalName", "id")
USER_SELECTABLE = USER_DEFAULT + ("accountEnabled", "userType", "creationType", "externalUserState",
                                  "showInAddressList", "createdDateTime", "deletedDateTime")
USER_FILTERABLE = ("userPrincipalName", "displayName", "mail", "userType", "id")
GROUP_DEFAULT = ("id", "displayName", "description", "mailEnabled", "mailNickname", "securityEnabled",
                 "createdDateTime", "deletedDateTime")
GROUP_FILTERABLE = ("displayName", "mailNickname", "id")
USER_READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
GROUP_READ = ("Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
MEMBER_READ = ("GroupMember.Read.All",) + GROUP_READ


def object_missing(key):
    return GraphError(404, "Request_ResourceNotFound", (
        "Resource '%s' does not exist or one of its queried reference-property objects are not present." % key))


class UserEndpoints(DirectoryObjectEndpoints):
    def route_users(self, segments, lower, version, unknown):
        if len(lower) == 1:
            return {"GET": self.list_users}, ()
        if len(lower) == 2:
            return {"GET": self.get_user}, (segments[1],)
        raise unknown(2)

    def route_groups(self, segments, lower, version, unknown):
        if len(lower) == 1:
            return {"GET": self.list_groups}, ()
        if len(lower) == 2:
            return {"GET": self.get_group}, (segments[1],)
        if len(lower) == 3 and lower[2] == "members":
            return {"GET": self.list_members}, (segments[1],)
        raise unknown(2 if len(lower) == 3 else 3)

    # ---- users ---------------------------------------------------------------------------------

    def _find_user(self, key):
        """By id or userPrincipalName (both are keys of /users/{key})."""
        users = self.tenant.objects.users
        if key.lower() in users:
            return users[key.lower()]
        for user in users.values():
            if user["userPrincipalName"].lower() == key.lower():
                return user
        raise object_missing(key)

    @requires(*USER_READ)
    def list_users(self, req, version):
        with self.tenants.lock:
            users = list(self.tenant.objects.users.values())
            return self._directory_list(req, version, "users", users, USER_DEFAULT, USER_SELECTABLE, USER_FILTERABLE, "user")

    @requires(*USER_READ)
    def get_user(self, req, version, key):
        with self.tenants.lock:
            user = self._find_user(key)
            return self._directory_object(req, version, "users", user, USER_DEFAULT, USER_SELECTABLE, "user")

    # ---- groups --------------------------------------------------------------------------------

    def _find_group(self, key):
        group = self.tenant.objects.groups.get(key.lower())
        if group is None:
            raise object_missing(key)
        return group

    @requires(*GROUP_READ)
    def list_groups(self, req, version):
        with self.tenants.lock:
            groups = list(self.tenant.objects.groups.values())
            return self._directory_list(req, version, "groups", groups, GROUP_DEFAULT, GROUP_DEFAULT, GROUP_FILTERABLE, "group")

    @requires(*GROUP_READ)
    def get_group(self, req, version, key):
        with self.tenants.lock:
            group = self._find_group(key)
            return self._directory_object(req, version, "groups", group, GROUP_DEFAULT, GROUP_DEFAULT, "group")

    @requires(*MEMBER_READ)
    def list_members(self, req, version, key):
        with self.tenants.lock:
            group = self._find_group(key)
            users = self.tenant.objects.users
            members = []
            for member_id in group["members"]:
                user = users.get(member_id)
                if user is not None:
                    item = {"@odata.type": "#microsoft.graph.user"}
                    item.update({name: user.get(name) for name in USER_DEFAULT})
                    members.append(item)
        body = {"@odata.context": "%s/$metadata#directoryObjects" % self._root(req, version)}
        body.update(self._page(req, members, "%s/groups/%s/members" % (self._root(req, version), group["id"])))
        return Response.json(200, body, ODATA_JSON_TYPE)
