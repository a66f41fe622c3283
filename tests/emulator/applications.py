# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The source tenant's configuration objects: the cross-tenant synchronization application template and
its instantiate action, applications, service principals and who is assigned to them (appRoleAssignedTo).
Shapes follow the tutorial's documented answers (SOURCE_TENANT.md 1, 5); README.md's rules table says
what is an assumption."""

import base64
import copy
import time
import uuid

from .endpoints import DirectoryObjectEndpoints, requires
from .graph_errors import GraphError, bad_request
from .schema import now_text
from .users import object_missing
from .wire import ODATA_JSON_TYPE, Response

CTS_TEMPLATE_ID = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"
# Assumption: no stored source prints the template's displayName (SOURCE_TENANT.md 15.1).
CTS_TEMPLATE_NAME = "Cross-tenant synchronization"
HOMEPAGE = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z"
APP_WRITE = ("Application.ReadWrite.All", "Directory.ReadWrite.All")
APP_READ = ("Application.Read.All", "Directory.Read.All") + APP_WRITE
ASSIGN = "AppRoleAssignment.ReadWrite.All"
APPLICATION_FILTERABLE = ("displayName", "applicationTemplateId", "appId", "id")
# Assumption: whether applicationTemplateId is filterable on servicePrincipals is unconfirmed (SOURCE_TENANT.md 15.3);
# the emulator refuses it, so that clients take the documented route (filter applications, then appId).
SERVICE_PRINCIPAL_FILTERABLE = ("appId", "displayName", "id")
ASSIGNMENT_FIELDS = ("id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId",
                     "principalType", "resourceDisplayName", "resourceId")


def template():
    return {
        "id": CTS_TEMPLATE_ID, "displayName": CTS_TEMPLATE_NAME, "homePageUrl": HOMEPAGE, "supportedSingleSignOnModes": [],
        "supportedProvisioningTypes": ["sync"], "logoUrl": None, "categories": [], "publisher": "Microsoft Corporation",
        "description": None,
    }


def msiam_access_role():
    # The documented CTS instance has exactly this role; its id is per instance (read it from the service principal).
    return {"allowedMemberTypes": ["User"], "description": "msiam_access", "displayName": "msiam_access",
            "id": str(uuid.uuid4()), "isEnabled": True, "origin": "Application", "value": None}


def new_instance(display_name, tenant_id, domain, service_management_reference=None):
    """The application and service principal instantiate creates (tutorial step 6's 201 body)."""
    app_id = str(uuid.uuid4())
    role = msiam_access_role()
    scope = {"adminConsentDescription": "Allow the application to access %s on behalf of the signed-in user." % display_name,
             "adminConsentDisplayName": "Access %s" % display_name, "id": str(uuid.uuid4()), "isEnabled": True,
             "type": "User", "userConsentDescription": "Allow the application to access %s on your behalf." % display_name,
             "userConsentDisplayName": "Access %s" % display_name, "value": "user_impersonation"}
    created = now_text()
    application = {
        "id": str(uuid.uuid4()), "appId": app_id, "applicationTemplateId": CTS_TEMPLATE_ID, "createdDateTime": created,
        "deletedDateTime": None, "displayName": display_name, "description": None, "identifierUris": [],
        "publisherDomain": domain, "serviceManagementReference": service_management_reference,
        "signInAudience": "AzureADMyOrg", "tags": [], "appRoles": [role],
        "api": {"acceptMappedClaims": None, "knownClientApplications": [], "oauth2PermissionScopes": [scope],
                "preAuthorizedApplications": [], "requestedAccessTokenVersion": None},
        "web": {"homePageUrl": HOMEPAGE, "logoutUrl": None, "redirectUris": [],
                "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
        "requiredResourceAccess": [], "keyCredentials": [], "passwordCredentials": [],
    }
    service_principal = {
        "id": str(uuid.uuid4()), "accountEnabled": True, "appDisplayName": display_name, "appId": app_id,
        "applicationTemplateId": CTS_TEMPLATE_ID, "appOwnerOrganizationId": tenant_id, "appRoleAssignmentRequired": True,
        "deletedDateTime": None, "displayName": display_name, "homepage": HOMEPAGE, "loginUrl": None, "logoutUrl": None,
        "notificationEmailAddresses": [], "preferredSingleSignOnMode": None, "replyUrls": [],
        "servicePrincipalNames": [app_id], "servicePrincipalType": "Application",
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"], "appRoles": [copy.deepcopy(role)],
        "oauth2PermissionScopes": [copy.deepcopy(scope)], "keyCredentials": [], "passwordCredentials": [],
    }
    return application, service_principal


# Every property of the two types that the emulator serves (all of them in a GET without $select).
APPLICATION_PROPERTIES, SERVICE_PRINCIPAL_PROPERTIES = (tuple(obj) for obj in new_instance("", "", ""))


def assignment_id():
    # Documented ids are opaque base64url strings of 43 characters.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes[:16]).decode("ascii").rstrip("=")[:43]


class ApplicationEndpoints(DirectoryObjectEndpoints):
    # ---- routing -------------------------------------------------------------------------------

    def route_application_templates(self, segments, lower, version, unknown):
        if len(lower) == 1:
            return {"GET": self.list_templates}, ()
        if len(lower) == 2:
            return {"GET": self.get_template}, (segments[1],)
        if len(lower) == 3 and lower[2] in ("instantiate", "microsoft.graph.instantiate"):
            return {"POST": self.instantiate}, (segments[1],)
        raise unknown(2)

    def route_applications(self, segments, lower, version, unknown):
        if len(lower) == 1:
            return {"GET": self.list_applications}, ()
        if len(lower) == 2:
            return {"GET": self.get_application, "DELETE": self.delete_application}, (segments[1].lower(),)
        raise unknown(2)

    def route_service_principals(self, segments, lower, version, unknown):
        if len(lower) == 1:
            return {"GET": self.list_service_principals}, ()
        sp_id = self._service_principal_key(segments[1])
        if len(lower) == 2:
            return {"GET": self.get_service_principal, "DELETE": self.delete_service_principal}, (sp_id,)
        if lower[2] == "approleassignedto":
            if len(lower) == 3:
                return {"GET": self.list_assignments, "POST": self.create_assignment}, (sp_id,)
            if len(lower) == 4:
                return {"DELETE": self.delete_assignment, "GET": self.get_assignment}, (sp_id, segments[3])
            raise unknown(4)
        if lower[2] == "synchronization":
            return self.route_synchronization(segments, lower, version, unknown, sp_id)
        raise unknown(2)

    def _service_principal_key(self, raw):
        """A service principal's id, also when the path names it by its alternate key appId (documented on the
        appRoleAssignedTo pages); an unknown appId stays as given and ends in 404."""
        if not raw.lower().startswith("appid="):
            return raw.lower()
        app_id = raw.split("=", 1)[1].lower()
        with self.tenants.lock:
            for sp_id, sp in self.tenant.objects.service_principals.items():
                if sp["appId"] == app_id:
                    return sp_id
        return raw

    # ---- lookups -------------------------------------------------------------------------------

    def _application(self, object_id):
        app = self.tenant.objects.applications.get(object_id)
        if app is None or not self.tenant.objects.visible(object_id):
            raise object_missing(object_id)
        return app

    def service_principal(self, sp_id):
        """The service principal, or the directory's 404 (also while replication hides a new one)."""
        sp = self.tenant.objects.service_principals.get(sp_id)
        if sp is None or not self.tenant.objects.visible(sp_id):
            raise object_missing(sp_id)
        return sp

    def _visible(self, table):
        return [obj for key, obj in table.items() if self.tenant.objects.visible(key)]

    # ---- templates and instantiate ---------------------------------------------------------------

    @requires()
    def list_templates(self, req, version):
        body = {"@odata.context": self._context(req, version, "applicationTemplates")}
        body.update(self._page(req, [template()], "%s/applicationTemplates" % self._root(req, version)))
        return Response.json(200, body, ODATA_JSON_TYPE)

    @requires()
    def get_template(self, req, version, template_id):
        if template_id.lower() != CTS_TEMPLATE_ID:
            raise object_missing(template_id)
        body = {"@odata.context": self._context(req, version, "applicationTemplates", entity=True)}
        body.update(template())
        return Response.json(200, body, ODATA_JSON_TYPE)

    @requires(*APP_WRITE)
    def instantiate(self, req, version, template_id):
        if template_id.lower() != CTS_TEMPLATE_ID:
            raise object_missing(template_id)
        body = self._body(req)
        unknown = set(body) - {"displayName", "serviceManagementReference"}
        if unknown:
            raise bad_request("Property '%s' does not exist as a declared property or extension property." % sorted(unknown)[0])
        name = body.get("displayName")
        if not isinstance(name, str) or not name.strip():
            raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'displayName' of resource 'Application'.")
        objects = self.tenant.objects
        application, service_principal = new_instance(name, self.tenant.tenant_id, objects.domain, body.get("serviceManagementReference"))
        with self.tenants.lock:
            objects.applications[application["id"]] = application
            objects.service_principals[service_principal["id"]] = service_principal
            if self.tenants.replication_delay > 0:
                until = time.monotonic() + self.tenants.replication_delay
                objects.hidden_until[application["id"]] = until
                objects.hidden_until[service_principal["id"]] = until
            answer = {"@odata.context": "%s/$metadata#microsoft.graph.applicationServicePrincipal" % self._root(req, version),
                      "application": copy.deepcopy(application), "servicePrincipal": copy.deepcopy(service_principal)}
        return Response.json(201, answer, ODATA_JSON_TYPE)

    # ---- applications --------------------------------------------------------------------------

    @requires(*APP_READ)
    def list_applications(self, req, version):
        with self.tenants.lock:
            apps = self._visible(self.tenant.objects.applications)
            return self._directory_list(req, version, "applications", apps, APPLICATION_PROPERTIES, APPLICATION_PROPERTIES,
                                        APPLICATION_FILTERABLE, "application")

    @requires(*APP_READ)
    def get_application(self, req, version, object_id):
        with self.tenants.lock:
            app = self._application(object_id)
            return self._directory_object(req, version, "applications", app, APPLICATION_PROPERTIES, APPLICATION_PROPERTIES,
                                          "application")

    @requires(*APP_WRITE)
    def delete_application(self, req, version, object_id):
        """The application takes its service principal with it, and with that the synchronization jobs and
        assignments (Terraform deletes only the application; SOURCE_TENANT.md 1.5)."""
        with self.tenants.lock:
            app = self._application(object_id)
            objects = self.tenant.objects
            del objects.applications[object_id]
            for sp_id, sp in list(objects.service_principals.items()):
                if sp["appId"] == app["appId"]:
                    self._drop_service_principal(sp_id)
        return Response.empty(204)

    def _drop_service_principal(self, sp_id):
        objects = self.tenant.objects
        objects.service_principals.pop(sp_id, None)
        objects.sync.pop(sp_id, None)
        objects.on_demand_calls.pop(sp_id, None)
        for key, assignment in list(objects.assignments.items()):
            if assignment["resourceId"] == sp_id or assignment["principalId"] == sp_id:
                del objects.assignments[key]

    # ---- service principals --------------------------------------------------------------------

    @requires(*APP_READ)
    def list_service_principals(self, req, version):
        with self.tenants.lock:
            sps = self._visible(self.tenant.objects.service_principals)
            return self._directory_list(req, version, "servicePrincipals", sps, SERVICE_PRINCIPAL_PROPERTIES,
                                        SERVICE_PRINCIPAL_PROPERTIES, SERVICE_PRINCIPAL_FILTERABLE, "servicePrincipal")

    @requires(*APP_READ)
    def get_service_principal(self, req, version, sp_id):
        with self.tenants.lock:
            sp = self.service_principal(sp_id)
            return self._directory_object(req, version, "servicePrincipals", sp, SERVICE_PRINCIPAL_PROPERTIES,
                                          SERVICE_PRINCIPAL_PROPERTIES, "servicePrincipal")

    @requires(*APP_WRITE)
    def delete_service_principal(self, req, version, sp_id):
        with self.tenants.lock:
            self.service_principal(sp_id)
            self._drop_service_principal(sp_id)
        return Response.empty(204)

    # ---- appRoleAssignedTo ---------------------------------------------------------------------

    def _assignments_path(self, sp_id):
        return "servicePrincipals('%s')/appRoleAssignedTo" % sp_id

    def _assignments_of(self, sp_id):
        return [a for a in self.tenant.objects.assignments.values() if a["resourceId"] == sp_id]

    @requires(*APP_READ)
    def list_assignments(self, req, version, sp_id):
        with self.tenants.lock:
            self.service_principal(sp_id)
            items = self._assignments_of(sp_id)
            return self._directory_list(req, version, self._assignments_path(sp_id), items, ASSIGNMENT_FIELDS,
                                        ASSIGNMENT_FIELDS, ("principalId", "appRoleId", "principalType"), "appRoleAssignment")

    @requires(*APP_READ)
    def get_assignment(self, req, version, sp_id, assignment_key):
        with self.tenants.lock:
            self.service_principal(sp_id)
            found = self.tenant.objects.assignments.get(assignment_key)
            if found is None or found["resourceId"] != sp_id:
                raise object_missing(assignment_key)
            return self._directory_object(req, version, self._assignments_path(sp_id), found, ASSIGNMENT_FIELDS,
                                          ASSIGNMENT_FIELDS, "appRoleAssignment")

    # Least privileged: AppRoleAssignment.ReadWrite.All together with Application.Read.All (permissions page).
    @requires(*[(ASSIGN, read) for read in APP_READ])
    def create_assignment(self, req, version, sp_id):
        body = self._body(req)
        for name in ("principalId", "resourceId", "appRoleId"):
            if not isinstance(body.get(name), str) or not body[name].strip():
                raise GraphError(400, "Request_BadRequest", "Invalid value specified for property '%s' of resource 'AppRoleAssignment'." % name)
        principal_id, resource_id, role_id = (body[name].strip().lower() for name in ("principalId", "resourceId", "appRoleId"))
        with self.tenants.lock:
            sp = self.service_principal(sp_id)
            if resource_id != sp_id:
                raise GraphError(400, "Request_BadRequest", "The resourceId in the body must be the id of the service principal in the URL.")
            if role_id not in {role["id"] for role in sp["appRoles"]}:
                raise GraphError(400, "Request_BadRequest", "Permission being assigned was not found on application '%s'." % sp["appId"])
            objects = self.tenant.objects
            principal = objects.users.get(principal_id)
            principal_type = "User"
            if principal is None:
                principal, principal_type = objects.groups.get(principal_id), "Group"
            if principal is None:
                raise object_missing(principal_id)
            for existing in self._assignments_of(sp_id):
                if existing["principalId"] == principal_id and existing["appRoleId"] == role_id:
                    # Assumption, to confirm on a live tenant: the duplicate's code and message (SOURCE_TENANT.md 15.12).
                    raise GraphError(400, "Request_BadRequest", "Permission being assigned already exists on the object.")
            created = {"id": assignment_id(), "deletedDateTime": None, "appRoleId": role_id, "createdDateTime": now_text(),
                       "principalDisplayName": principal["displayName"], "principalId": principal_id,
                       "principalType": principal_type, "resourceDisplayName": sp["displayName"], "resourceId": sp_id}
            objects.assignments[created["id"]] = created
            answer = {"@odata.context": self._context(req, version, self._assignments_path(sp_id), entity=True)}
            answer.update(copy.deepcopy(created))
        location = "%s/servicePrincipals/%s/appRoleAssignedTo/%s" % (self._root(req, version), sp_id, created["id"])
        return Response.json(201, answer, ODATA_JSON_TYPE, headers=[("Location", location)])

    @requires(ASSIGN)
    def delete_assignment(self, req, version, sp_id, assignment_key):
        with self.tenants.lock:
            self.service_principal(sp_id)
            found = self.tenant.objects.assignments.get(assignment_key)
            if found is None or found["resourceId"] != sp_id:
                raise object_missing(assignment_key)
            del self.tenant.objects.assignments[assignment_key]
        return Response.empty(204)
