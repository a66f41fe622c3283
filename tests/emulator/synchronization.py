# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A service principal's synchronization (servicePrincipals/{id}/synchronization): templates, jobs
(create, read, list, delete, start, pause, restart), validateCredentials (collection- and job-bound),
secrets (PUT upsert, GET), the job's schema and provisionOnDemand. The job's state machine and the
cross-tenant checks are in sync_cycle.py."""

import copy
import json
import math
import time
import uuid

from .endpoints import Endpoints, requires
from .graph_errors import GraphError, bad_request
from .schema import now_text
from .sync_cycle import RESET_SCOPES, TEMPLATE_ID, Job, PolicyProblem, check_policies, provision_user, synchronized_id, users_in_scope
from .tenants import SyncState
from .users import object_missing
from .wire import ODATA_JSON_TYPE, Response

SYNC_WRITE = ("Synchronization.ReadWrite.All", ("Application.ReadWrite.All", "Directory.ReadWrite.All"))
SYNC_READ = ("Synchronization.Read.All",) + SYNC_WRITE
# The synchronizationSecret enum (CSDL; msgraph-sdk's SynchronizationSecret): key names are case-sensitive.
SECRET_KEYS = (
    "None", "UserName", "Password", "SecretToken", "AppKey", "BaseAddress", "ClientIdentifier", "ClientSecret",
    "SingleSignOnType", "Sandbox", "Url", "Domain", "ConsumerKey", "ConsumerSecret", "TokenKey", "TokenExpiration",
    "Oauth2AccessToken", "Oauth2AccessTokenCreationTime", "Oauth2RefreshToken", "SyncAll", "InstanceName",
    "Oauth2ClientId", "Oauth2ClientSecret", "CompanyId", "UpdateKeyOnSoftDelete", "SynchronizationSchedule",
    "SystemOfRecord", "SandboxName", "EnforceDomain", "SyncNotificationSettings", "SkipOutOfScopeDeletions",
    "Oauth2AuthorizationCode", "Oauth2RedirectUri", "ApplicationTemplateIdentifier", "Oauth2TokenExchangeUri",
    "Oauth2AuthorizationUri", "AuthenticationType", "Server", "PerformInboundEntitlementGrants", "HardDeletesEnabled",
    "SyncAgentCompatibilityKey", "SyncAgentADContainer", "ValidateDomain", "TestReferences", "ConnectionString",
)
# Assumption, to confirm on a live tenant: GET secrets answers "*" for these (credential-like) keys and the
# others (CompanyId, AuthenticationType, SyncAll, SyncNotificationSettings, ...) in clear (SOURCE_TENANT.md 3.3).
MASKED_KEYS = frozenset(("Password", "SecretToken", "AppKey", "ClientSecret", "ConsumerSecret", "TokenKey",
                         "Oauth2AccessToken", "Oauth2RefreshToken", "Oauth2ClientSecret", "Oauth2AuthorizationCode",
                         "ConnectionString"))
# Keys whose value is JSON: "" cannot remove them (msgraph-metadata #347).
JSON_KEYS = frozenset(("SyncNotificationSettings",))
ON_DEMAND_LIMIT = 5
ON_DEMAND_WINDOW = 10.0
STATUS_INFO_KEY = "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"


def _invalid(name, resource="synchronizationSecretKeyStringValuePair"):
    return GraphError(400, "Request_BadRequest", "Invalid value specified for property '%s' of resource '%s'." % (name, resource))


def _sync_fabric_error(status, code, message):
    """Errors relayed from the synchronization service: Graph's envelope with the service's code."""
    return GraphError(status, code, message)


class SynchronizationEndpoints(Endpoints):
    def route_synchronization(self, segments, lower, version, unknown, sp_id):
        """servicePrincipals/{id}/synchronization/..."""
        rest = lower[3:]
        if rest == ["jobs"]:
            return {"GET": self.list_jobs, "POST": self.create_job}, (sp_id,)
        if rest == ["secrets"]:
            return {"GET": self.get_secrets, "PUT": self.put_secrets}, (sp_id,)
        if rest == ["templates"]:
            return {"GET": self.list_sync_templates}, (sp_id,)
        if len(rest) >= 2 and rest[0] == "jobs":
            if rest[1] in ("validatecredentials", "microsoft.graph.validatecredentials") and len(rest) == 2:
                return {"POST": self.validate_credentials}, (sp_id, None)
            job_id = segments[4]
            if len(rest) == 2:
                return {"GET": self.get_job, "DELETE": self.delete_job}, (sp_id, job_id)
            if len(rest) == 3:
                action = rest[2].replace("microsoft.graph.", "")
                actions = {"start": self.start_job, "pause": self.pause_job, "restart": self.restart_job,
                           "validatecredentials": self.validate_credentials, "provisionondemand": self.provision_on_demand}
                if action in actions:
                    return {"POST": actions[action]}, (sp_id, job_id)
                if action == "schema":
                    return {"GET": self.get_schema, "PUT": self.put_schema, "PATCH": self.patch_schema}, (sp_id, job_id)
            raise unknown(6)
        raise unknown(3)

    # ---- lookups -------------------------------------------------------------------------------

    def _sync(self, sp_id):
        sp = self.service_principal(sp_id)
        return sp, self.tenant.objects.sync.setdefault(sp_id, SyncState())

    def _job(self, sp_id, job_id):
        sp, sync = self._sync(sp_id)
        job = sync.jobs.get(job_id)
        if job is None:
            raise object_missing(job_id)
        return sp, sync, job

    def _jobs_path(self, sp_id):
        return "servicePrincipals('%s')/synchronization/jobs" % sp_id

    # ---- templates -----------------------------------------------------------------------------

    @requires(*SYNC_READ)
    def list_sync_templates(self, req, version, sp_id):
        with self.tenants.lock:
            sp, _sync = self._sync(sp_id)
            # Assumption: the Azure2Azure template's fields beyond its id (SOURCE_TENANT.md 2.4).
            items = [{"id": TEMPLATE_ID, "applicationId": sp["appId"], "default": True, "description": None,
                      "discoverable": True, "factoryTag": TEMPLATE_ID, "metadata": []}]
        body = {"@odata.context": self._context(req, version, "servicePrincipals('%s')/synchronization/templates" % sp_id)}
        body["value"] = items
        return Response.json(200, body, ODATA_JSON_TYPE)

    # ---- jobs ----------------------------------------------------------------------------------

    @requires(*SYNC_READ)
    def list_jobs(self, req, version, sp_id):
        with self.tenants.lock:
            _sp, sync = self._sync(sp_id)
            items = [job.render() for job in sync.jobs.values()]
        body = {"@odata.context": self._context(req, version, self._jobs_path(sp_id))}
        body["value"] = items
        return Response.json(200, body, ODATA_JSON_TYPE)

    @requires(*SYNC_WRITE)
    def create_job(self, req, version, sp_id):
        body = self._body(req)
        template_id = body.get("templateId")
        if not isinstance(template_id, str) or not template_id:
            raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'templateId' of resource 'synchronizationJob'.")
        with self.tenants.lock:
            sp, sync = self._sync(sp_id)
            if template_id != TEMPLATE_ID:
                # Assumption: the code and message for a template the service principal does not have.
                raise bad_request("The template '%s' is not a synchronization template of service principal '%s'." % (template_id, sp_id))
            job = Job(sp["appId"])
            sync.jobs[job.id] = job
            answer = {"@odata.context": self._context(req, version, self._jobs_path(sp_id), entity=True)}
            answer.update(job.render())
        location = "%s/servicePrincipals/%s/synchronization/jobs/%s" % (self._root(req, version), sp_id, job.id)
        return Response.json(201, answer, ODATA_JSON_TYPE, headers=[("Location", location)])

    @requires(*SYNC_READ)
    def get_job(self, req, version, sp_id, job_id):
        with self.tenants.lock:
            _sp, _sync, job = self._job(sp_id, job_id)
            answer = {"@odata.context": self._context(req, version, self._jobs_path(sp_id), entity=True)}
            answer.update(job.render())
        return Response.json(200, answer, ODATA_JSON_TYPE)

    @requires(*SYNC_WRITE)
    def delete_job(self, req, version, sp_id, job_id):
        """Stops the job and drops its state; users it synchronized stay as they are (delete page)."""
        with self.tenants.lock:
            _sp, sync, _job = self._job(sp_id, job_id)
            del sync.jobs[job_id]
        return Response.empty(204)

    @requires(*SYNC_WRITE)
    def start_job(self, req, version, sp_id, job_id):
        with self.tenants.lock:
            self._job(sp_id, job_id)[2].start()
        return Response.empty(204)

    @requires(*SYNC_WRITE)
    def pause_job(self, req, version, sp_id, job_id):
        with self.tenants.lock:
            self._job(sp_id, job_id)[2].pause()
        return Response.empty(204)

    @requires(*SYNC_WRITE)
    def restart_job(self, req, version, sp_id, job_id):
        body = self._body(req) if req.body.strip() else {}
        criteria = body.get("criteria") or {}
        if not isinstance(criteria, dict):
            raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'criteria' of resource 'synchronizationJobRestartCriteria'.")
        raw = criteria.get("resetScope") or ""
        if not isinstance(raw, str):
            raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'resetScope' of resource 'synchronizationJobRestartCriteria'.")
        scopes = [item.strip() for item in raw.split(",") if item.strip()]
        for scope in scopes:
            if scope not in RESET_SCOPES:
                raise GraphError(400, "Request_BadRequest", (
                    "The value '%s' is not valid for resetScope; valid values: %s." % (scope, ", ".join(RESET_SCOPES))))
        with self.tenants.lock:
            self._job(sp_id, job_id)[2].restart(scopes)
        return Response.empty(204)

    # ---- validateCredentials -------------------------------------------------------------------

    @requires(*SYNC_WRITE)
    def validate_credentials(self, req, version, sp_id, job_id):
        body = self._body(req)
        with self.tenants.lock:
            if job_id is None:
                _sp, sync = self._sync(sp_id)
            else:
                _sp, sync, _job = self._job(sp_id, job_id)
            if body.get("useSavedCredentials") is True:
                credentials = dict(sync.secrets)
            else:
                credentials = _credentials(body.get("credentials"))
            if credentials.get("AuthenticationType") != "SyncPolicy":
                # Assumption: the answer to credentials without AuthenticationType SyncPolicy.
                raise bad_request("The credentials must include AuthenticationType with the value 'SyncPolicy'.")
            company = credentials.get("CompanyId")
            if not company:
                raise bad_request("The credentials must include CompanyId, the target tenant's id.")
            try:
                check_policies(self.tenants, self.tenant, company.strip().lower())
            except PolicyProblem as problem:
                # Assumption, to confirm on a live tenant: 400 with the synchronization service's code as Graph's
                # error code (SOURCE_TENANT.md 4, 13).
                raise _sync_fabric_error(400, problem.code, problem.message)
        return Response.empty(204)

    # ---- secrets -------------------------------------------------------------------------------

    @requires(*SYNC_READ)
    def get_secrets(self, req, version, sp_id):
        with self.tenants.lock:
            _sp, sync = self._sync(sp_id)
            items = [{"key": key, "value": "*" if key in MASKED_KEYS else value} for key, value in sync.secrets.items()]
        body = {"@odata.context": self._context(req, version, "servicePrincipals('%s')/synchronization/secrets" % sp_id)}
        body["value"] = items
        return Response.json(200, body, ODATA_JSON_TYPE)

    @requires(*SYNC_WRITE)
    def put_secrets(self, req, version, sp_id):
        """An upsert by key; "" removes a plain key (SOURCE_TENANT.md 3.2)."""
        body = self._body(req)
        pairs = body.get("value")
        if not isinstance(pairs, list):
            raise _invalid("value")
        changes = []
        for pair in pairs:
            if not isinstance(pair, dict) or not isinstance(pair.get("key"), str) or not isinstance(pair.get("value", ""), str):
                raise _invalid("value")
            key = pair["key"]
            if key not in SECRET_KEYS:
                # msgraph-beta-sdk-java #372, msgraph-beta-sdk-dotnet #214: a key in another casing.
                raise GraphError(500, "InternalError", "Requested value '%s' was not found." % key)
            value = pair.get("value") or ""
            if value == "" and key in JSON_KEYS:
                inner = {"code": "InvalidNotificationSettings", "message": "The notification settings are invalid.",
                         "target": key}
                raise GraphError(400, "UnknownError", json.dumps({"error": inner}))
            changes.append((key, value))
        with self.tenants.lock:
            _sp, sync = self._sync(sp_id)
            for key, value in changes:
                if value == "":
                    sync.secrets.pop(key, None)
                else:
                    sync.secrets[key] = value
        return Response.empty(204)

    # ---- schema --------------------------------------------------------------------------------

    @requires(*SYNC_READ)
    def get_schema(self, req, version, sp_id, job_id):
        with self.tenants.lock:
            _sp, _sync, job = self._job(sp_id, job_id)
            answer = {"@odata.context": self._context(
                req, version, "servicePrincipals('%s')/synchronization/jobs('%s')/schema" % (sp_id, job_id), entity=True)}
            answer.update(schema_of(job))
        return Response.json(200, answer, ODATA_JSON_TYPE)

    @requires(*SYNC_WRITE)
    def put_schema(self, req, version, sp_id, job_id):
        """PUT replaces the whole schema (schema update page)."""
        body = self._body(req)
        rules = body.get("synchronizationRules")
        if not isinstance(rules, list) or not all(isinstance(rule, dict) and isinstance(rule.get("id"), str) for rule in rules):
            raise _invalid("synchronizationRules", "synchronizationSchema")
        with self.tenants.lock:
            _sp, _sync, job = self._job(sp_id, job_id)
            replaced = {name: value for name, value in body.items() if not name.startswith("@odata.")}
            replaced["id"] = job.id
            job.custom_schema = replaced
        return Response.empty(204)

    @requires(*SYNC_WRITE)
    def patch_schema(self, req, version, sp_id, job_id):
        # The synchronization service has no PATCH for the schema; Graph relays its 404 (SOURCE_TENANT.md 11.6).
        with self.tenants.lock:
            self._job(sp_id, job_id)
        raise GraphError(404, "UnknownError", (
            "{\"Message\":\"No HTTP resource was found that matches the request URI "
            "'https://syncfabric.windowsazure.com/api/servicePrincipals('%s')/synchronization/jobs('%s')/schema?api-version=2.0'.\"}"
            % (sp_id, job_id)))

    # ---- provisionOnDemand ---------------------------------------------------------------------

    def _count_on_demand(self, sp_id):
        """Graph's documented limit: 5 requests per 10 seconds (per service principal here: an assumption)."""
        now = time.monotonic()
        calls = [moment for moment in self.tenant.objects.on_demand_calls.get(sp_id, []) if now - moment < ON_DEMAND_WINDOW]
        if len(calls) >= ON_DEMAND_LIMIT:
            wait = max(1, int(math.ceil(ON_DEMAND_WINDOW - (now - calls[0]))))
            self.tenant.objects.on_demand_calls[sp_id] = calls
            raise GraphError(429, "TooManyRequests", "Too many requests.", headers=[("Retry-After", str(wait))])
        calls.append(now)
        self.tenant.objects.on_demand_calls[sp_id] = calls

    @requires(*SYNC_WRITE)
    def provision_on_demand(self, req, version, sp_id, job_id):
        """One user now. The answer keeps the tutorial's envelope (key StatusInfo, value a JSON array); each item
        carries the fields of the API page's documented value object (action, statusInfo, sourceIdentity,
        targetIdentity ...), and a user already up to date is skipped with SkipReason RedundantExport as that
        page's example shows."""
        body = self._body(req)
        started = now_text()
        with self.tenants.lock:
            _sp, sync, job = self._job(sp_id, job_id)
            self._count_on_demand(sp_id)
            user_id = _on_demand_subject(body, job)
            user = self.tenant.objects.users.get(user_id)
            if user is None:
                raise object_missing(user_id)
            upn = user["userPrincipalName"]
            steps = [_step("EntryImport", "Import", "Success", "Retrieved User '%s' from Microsoft Entra ID." % upn,
                           {"objectId": user_id, "userPrincipalName": upn, "displayName": user["displayName"]})]
            action, status, error_code, target_id = "Other", "Skipped", None, None
            in_scope = user_id in users_in_scope(self.tenant, sp_id, sync.secrets.get("SyncAll", "").lower() == "true")
            if not in_scope:
                steps.append(_step("EntrySynchronizationSkip", "Scoping", "Skipped",
                                   "The user is not assigned to the application and SyncAll is not 'true'.", {"SkipReason": "NotEffectivelyEntitled"}))
                error_code = "NotEffectivelyEntitled"
            else:
                try:
                    target = check_policies(self.tenants, self.tenant, (sync.secrets.get("CompanyId") or "").strip().lower())
                except PolicyProblem as problem:
                    target = None
                    steps.append(_step("EntrySynchronizationScoping", "Scoping", "Success", "The user is in scope."))
                    steps.append(_step("EntryExportAdd", "Export", "Failure", problem.message, {"ErrorCode": problem.code}))
                    status, error_code = "Failure", problem.code
                if target is not None:
                    target_id = synchronized_id(self.tenant, target, user_id)
                    if target_id is not None:
                        steps.append(_step("EntryImport", "Matching", "Success",
                                           "Retrieved '%s' from the target tenant." % upn, {"id": target_id}))
                    steps.append(_step("EntrySynchronizationScoping", "Scoping", "Success", "The user is in scope."))
                    action, target_id = provision_user(self.tenant, target, user_id)
                    if action is None:
                        action = "Other"
                        steps.append(_step("EntrySynchronizationSkip", "Export", "Skipped", (
                            "The state of the user in both the source and target systems already match. No change to the "
                            "User '%s' currently needs to be made." % upn), {"SkipReason": "RedundantExport"}))
                        error_code = "RedundantExport"
                    else:
                        status = "Success"
                        steps.append(_step("EntryExportAdd" if action == "Create" else "EntryExportUpdate", "Export", "Success",
                                           "User '%s' was %s in the target tenant." % (upn, "created" if action == "Create" else "updated"),
                                           {"id": target_id}))
        item = {"provisioningSteps": steps, "action": action, "changeId": str(uuid.uuid4()), "startTime": started,
                "endTime": now_text(), "reportableIdentifier": upn,
                "statusInfo": {"status": status, "errorCode": error_code, "reason": None, "additionalDetails": None,
                               "errorCategory": None, "recommendedAction": None},
                "sourceIdentity": {"id": user_id, "type": "User", "displayName": user["displayName"], "details": None},
                "sourceSystem": {"id": None, "name": "Azure Active Directory", "details": None},
                "targetIdentity": {"id": target_id, "type": "User", "displayName": None, "details": None},
                "targetSystem": {"id": None, "name": "Azure Active Directory (target tenant)", "details": None}}
        answer = {"@odata.context": "%s/$metadata#microsoft.graph.stringKeyStringValuePair" % self._root(req, version),
                  "key": STATUS_INFO_KEY, "value": json.dumps([item])}
        return Response.json(200, answer, ODATA_JSON_TYPE)


def _credentials(items):
    if not isinstance(items, list):
        raise _invalid("credentials")
    found = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise _invalid("credentials")
        if item["key"] not in SECRET_KEYS:
            raise GraphError(500, "InternalError", "Requested value '%s' was not found." % item["key"])
        found[item["key"]] = item.get("value") if isinstance(item.get("value"), str) else ""
    return found


def _on_demand_subject(body, job):
    parameters = body.get("parameters")
    if not isinstance(parameters, list) or len(parameters) != 1 or not isinstance(parameters[0], dict):
        raise bad_request("provisionOnDemand takes one item in 'parameters'.")
    parameter = parameters[0]
    if str(parameter.get("ruleId", "")).lower() not in {rule["id"].lower() for rule in schema_of(job)["synchronizationRules"]}:
        # Assumption: the answer for a rule id that is not one of the job's schema.
        raise bad_request("The ruleId '%s' is not a synchronization rule of job '%s'." % (parameter.get("ruleId"), job.id))
    subjects = parameter.get("subjects")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise bad_request("provisionOnDemand provisions one subject at a time.")
    subject = subjects[0]
    if subject.get("objectTypeName") != "User":
        # Groups on demand are not supported for cross-tenant synchronization (provision on demand page).
        raise bad_request("Only objectTypeName 'User' can be provisioned on demand for this application.")
    if not isinstance(subject.get("objectId"), str):
        raise bad_request("Each subject needs an objectId.")
    return subject["objectId"].strip().lower()


def _step(name, kind, status, description, details=None):
    return {"name": name, "type": kind, "status": status, "description": description, "timestamp": now_text(),
            "details": details or {}}


def schema_of(job):
    """The job's schema: the one PUT last, else the Azure2Azure schema's documented pieces (SOURCE_TENANT.md
    2.4, 8): one rule USER_INBOUND_USER with the user mapping; its id is per job (read it here before
    provisionOnDemand)."""
    if job.custom_schema is not None:
        return copy.deepcopy(job.custom_schema)

    def attribute(source, target, kind="Attribute", matching=0, flow="Always"):
        source_value = {"expression": source if kind != "Attribute" else "[%s]" % source, "name": source,
                        "parameters": [], "type": kind}
        return {"defaultValue": None, "exportMissingReferences": False, "flowBehavior": "FlowWhenChanged",
                "flowType": flow, "matchingPriority": matching, "source": source_value, "targetAttributeName": target}
    mapping = {
        "enabled": True, "flowTypes": "Add, Update, Delete", "metadata": [], "name": "Provision Microsoft Entra ID Users",
        "sourceObjectName": "User", "targetObjectName": "User", "scope": None,
        "attributeMappings": [
            attribute("alternativeSecurityIds", "alternativeSecurityIds", matching=1),
            attribute("displayName", "displayName"), attribute("givenName", "givenName"), attribute("surname", "surname"),
            attribute("mail", "mail"), attribute("accountEnabled", "accountEnabled"),
            attribute("showInAddressList", "showInAddressList"),
            attribute("Member", "userType", kind="Constant", flow="ObjectAddOnly"),
        ],
    }
    rule = {"id": job.rule_id, "name": "USER_INBOUND_USER", "priority": 1, "editable": True, "containerFilter": None,
            "groupFilter": None, "sourceDirectoryName": "Azure Active Directory",
            "targetDirectoryName": "Azure Active Directory (target tenant)",
            "metadata": [{"key": "defaultSourceObjectMappings", "value": "[]"}, {"key": "supportsProvisionOnDemand", "value": "true"}],
            "objectMappings": [mapping]}
    return {"id": job.id, "version": "v1.2", "synchronizationRules": [rule], "directories": []}
