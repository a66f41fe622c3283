# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cross-tenant synchronization itself: a job's state machine, the policy check both tenants must pass,
and a cycle that provisions the users in scope into the target tenant (run on a control request, so tests
are deterministic). Documented anchors are in SOURCE_TENANT.md 2, 5, 6, 7, 12 and 13; README.md's rules
table lists them and the assumptions."""

import copy
import datetime
import uuid

from .schema import now_text
from .tenants import blank_user

TEMPLATE_ID = "Azure2Azure"
ZERO_TIME = "0001-01-01T00:00:00Z"
POLICY_CHECK_FAILURE = "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure"
TENANT_NOT_FOUND = "ExternalTenantNotFound"
# restart's criteria.resetScope: a flags enum written as comma-separated member names (CSDL).
RESET_SCOPES = ("None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes")
TROUBLESHOOTING = "https://aka.ms/TroubleshootingCrossTenantSyncPolicyCheck"


class PolicyProblem(Exception):
    """Why the source may not synchronize into the target: a SyncFabric code and a message naming the side."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _allowed(value):
    return value is True


def check_policies(tenants, source, target_id):
    """Raise PolicyProblem unless the target is a tenant of this emulator, the source's partner configuration
    for it allows automatic user consent outbound, and the target's partner configuration for the source
    allows it inbound with a sync policy allowing user synchronization."""
    target = tenants.get(target_id) if isinstance(target_id, str) else None
    if target is None:
        raise PolicyProblem(TENANT_NOT_FOUND, (
            "The target tenant '%s' was not found in the current cloud. Check the CompanyId credential." % target_id))
    source_id = source.tenant_id
    partner = source.store.partners.get(target.tenant_id)
    consent = (partner or {}).get("automaticUserConsentSettings") or {}
    if not _allowed(consent.get("outboundAllowed")):
        raise PolicyProblem(POLICY_CHECK_FAILURE, (
            "The source tenant '%s' has not enabled automatic user consent (outbound) for the target tenant '%s': "
            "its partner configuration for '%s' %s. See %s" % (
                source_id, target.tenant_id, target.tenant_id,
                "does not exist" if partner is None else "has automaticUserConsentSettings.outboundAllowed not set to true",
                TROUBLESHOOTING)))
    partner = target.store.partners.get(source_id)
    consent = (partner or {}).get("automaticUserConsentSettings") or {}
    if not _allowed(consent.get("inboundAllowed")):
        raise PolicyProblem(POLICY_CHECK_FAILURE, (
            "The target tenant '%s' has not enabled automatic user consent (inbound) for the source tenant '%s': "
            "its partner configuration for '%s' %s. See %s" % (
                target.tenant_id, source_id, source_id,
                "does not exist" if partner is None else "has automaticUserConsentSettings.inboundAllowed not set to true",
                TROUBLESHOOTING)))
    policy = target.store.live.get(source_id)
    if policy is None or not _allowed((policy.get("userSyncInbound") or {}).get("isSyncAllowed")):
        raise PolicyProblem(POLICY_CHECK_FAILURE, (
            "The target tenant '%s' has not enabled inbound synchronization for the source tenant '%s': %s. See %s" % (
                target.tenant_id, source_id,
                "it has no identity synchronization policy for it" if policy is None
                else "its identity synchronization policy has userSyncInbound.isSyncAllowed not set to true",
                TROUBLESHOOTING)))
    return target


def _later(seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def placeholder_execution():
    """What a started job shows before its first cycle ends (tutorial step 12's answer)."""
    return {"activityIdentifier": None, "countEntitled": 0, "countEntitledForProvisioning": 0, "countEscrowed": 0,
            "countEscrowedRaw": 0, "countExported": 0, "countExports": 0, "countImported": 0, "countImportedDeltas": 0,
            "countImportedReferenceDeltas": 0, "error": {"code": "None", "message": "", "tenantActionable": False},
            "state": "Failed", "timeBegan": ZERO_TIME, "timeEnded": ZERO_TIME}


class Job:
    """A synchronization job of a service principal. `render()` is Graph's synchronizationJob."""

    def __init__(self, app_id):
        # Observed id form: {templateId}.{32 hex}.{appId} (SOURCE_TENANT.md 2.2); the middle part is random here.
        self.id = "%s.%s.%s" % (TEMPLATE_ID, uuid.uuid4().hex, app_id)
        self.rule_id = str(uuid.uuid4())
        # The schema last PUT (a whole synchronizationSchema), or None for the template's.
        self.custom_schema = None
        self.schedule_state = "Disabled"
        self.status = {
            "code": "Paused", "countSuccessiveCompleteFailures": 0, "escrowsPruned": False, "lastExecution": None,
            "lastSuccessfulExecution": None, "lastSuccessfulExecutionWithExports": None, "quarantine": None,
            "steadyStateFirstAchievedTime": ZERO_TIME, "steadyStateLastAchievedTime": ZERO_TIME,
            "troubleshootingUrl": None, "progress": [], "synchronizedEntryCountByType": [],
        }
        self.has_run = False

    def render(self):
        return {
            "id": self.id, "templateId": TEMPLATE_ID,
            "schedule": {"expiration": None, "interval": "PT40M", "state": self.schedule_state},
            "status": copy.deepcopy(self.status),
            "synchronizationJobSettings": [{"name": "AzureIngestionAttributeOptimization", "value": "False"},
                                           {"name": "LookaheadQueryEnabled", "value": "False"}],
        }

    def start(self):
        """Active schedule; a quarantine is lifted (start page); NotRun until a cycle has succeeded."""
        self.schedule_state = "Active"
        self.status["quarantine"] = None
        self.status["code"] = "Active" if self.has_run else "NotRun"
        if self.status["lastExecution"] is None:
            self.status["lastExecution"] = placeholder_execution()
        if self.status["troubleshootingUrl"] is None:
            self.status["troubleshootingUrl"] = ""

    def pause(self):
        # Assumption, to confirm on a live tenant: schedule.state after a pause (Paused, not Disabled).
        self.schedule_state = "Paused"
        self.status["code"] = "Paused"

    def restart(self, scopes):
        """Restart with criteria.resetScope (already checked); an empty scope is the portal's full restart."""
        if not scopes or {"QuarantineState", "Full"} & set(scopes):
            self.status["quarantine"] = None
        if not scopes or {"Watermark", "Full"} & set(scopes):
            self.has_run = False
        self.start()

    def quarantine(self, problem):
        now = now_text()
        previous = self.status["quarantine"]
        self.status["code"] = "Quarantine"
        self.status["countSuccessiveCompleteFailures"] += 1
        error = {"code": problem.code, "message": problem.message, "tenantActionable": False}
        self.status["quarantine"] = {
            "currentBegan": now, "nextAttempt": _later(6 * 3600), "reason": "EncounteredQuarantineException",
            "seriesBegan": previous["seriesBegan"] if previous else now,
            "seriesCount": (previous["seriesCount"] + 1) if previous else 1, "error": error,
        }
        execution = placeholder_execution()
        execution.update({"activityIdentifier": str(uuid.uuid4()), "error": dict(error), "timeBegan": now, "timeEnded": now_text()})
        self.status["lastExecution"] = execution

    def succeeded(self, began, entitled, exported):
        ended = now_text()
        execution = {"activityIdentifier": str(uuid.uuid4()), "countEntitled": entitled, "countEntitledForProvisioning": entitled,
                     "countEscrowed": 0, "countEscrowedRaw": 0, "countExported": exported, "countExports": exported,
                     "countImported": entitled, "countImportedDeltas": entitled, "countImportedReferenceDeltas": 0,
                     "error": None, "state": "Succeeded", "timeBegan": began, "timeEnded": ended}
        self.status.update({"code": "Active", "quarantine": None, "countSuccessiveCompleteFailures": 0,
                            "lastExecution": execution, "lastSuccessfulExecution": copy.deepcopy(execution),
                            "steadyStateLastAchievedTime": ended, "troubleshootingUrl": ""})
        if exported:
            self.status["lastSuccessfulExecutionWithExports"] = copy.deepcopy(execution)
        if self.status["steadyStateFirstAchievedTime"] == ZERO_TIME:
            self.status["steadyStateFirstAchievedTime"] = ended
        self.has_run = True


def users_in_scope(source, sp_id, sync_all):
    """Ids of the source users the job provisions: every internal member with SyncAll "true"; otherwise those
    assigned to the service principal directly or as direct members of an assigned group (no nesting)."""
    objects = source.objects
    members = [uid for uid, user in objects.users.items() if user["userType"] == "Member" and user["creationType"] is None]
    if sync_all:
        return members
    wanted = set()
    for assignment in objects.assignments.values():
        if assignment["resourceId"] != sp_id:
            continue
        if assignment["principalType"] == "User":
            wanted.add(assignment["principalId"])
        elif assignment["principalType"] == "Group":
            group = objects.groups.get(assignment["principalId"])
            wanted.update(group["members"] if group else [])
    return [uid for uid in members if uid in wanted]


def target_upn(source_upn, target_domain):
    # Assumption: the external member's UPN takes the B2B form {upn with '@' as '_'}#EXT#@{target domain}.
    return "%s#EXT#@%s" % (source_upn.replace("@", "_"), target_domain)


def provision(source, target, user_id):
    """Create or update the target's user for one source user; True when something changed."""
    return provision_user(source, target, user_id)[0] is not None


def provision_user(source, target, user_id):
    """``(action, target user id)``: action ``Create``, ``Update``, or None when the target's user already matched."""
    user = source.objects.users[user_id]
    key = (source.tenant_id, user_id)
    wanted = {"displayName": user["displayName"], "givenName": user["givenName"], "surname": user["surname"],
              "mail": user["mail"], "accountEnabled": user["accountEnabled"]}
    existing_id = target.objects.synchronized.get(key)
    existing = target.objects.users.get(existing_id) if existing_id else None
    if existing is not None:
        changed = {name: value for name, value in wanted.items() if existing.get(name) != value}
        existing.update(changed)
        return ("Update" if changed else None), existing_id
    created = blank_user(str(uuid.uuid4()), target_upn(user["userPrincipalName"], target.objects.domain),
                         user["displayName"], user["givenName"], user["surname"], user["mail"])
    # Documented defaults of the Azure2Azure mappings: userType is the constant Member, showInAddressList flows true.
    created.update({"userType": "Member", "showInAddressList": True, "accountEnabled": user["accountEnabled"],
                    "creationType": "Invitation", "externalUserState": "Accepted"})
    target.objects.users[created["id"]] = created
    target.objects.synchronized[key] = created["id"]
    return "Create", created["id"]


def synchronized_id(source, target, user_id):
    """The target's user for a source user, when a cycle or provisioning on demand made one."""
    found = target.objects.synchronized.get((source.tenant_id, user_id))
    return found if found in target.objects.users else None


def soft_delete(source, target, user_id):
    """A source user out of scope: its target user is soft-deleted (S3); a later assignment creates a new one."""
    target_id = target.objects.synchronized.pop((source.tenant_id, user_id), None)
    user = target.objects.users.pop(target_id, None) if target_id else None
    if user is None:
        return False
    user["deletedDateTime"] = now_text()
    target.objects.deleted_users[target_id] = user
    return True


def run_job(tenants, source, sp_id, job):
    """One cycle of one job; the control answer's item."""
    sync = source.objects.sync[sp_id]
    result = {"tenant": source.tenant_id, "service_principal_id": sp_id, "job_id": job.id, "exported": 0, "deleted": 0, "errors": []}
    began = now_text()
    try:
        if sync.secrets.get("AuthenticationType") != "SyncPolicy" or not sync.secrets.get("CompanyId"):
            # Assumption: a job without its saved credentials is quarantined like one failing the policy check.
            raise PolicyProblem("CredentialsMissing", "The saved credentials need CompanyId and AuthenticationType 'SyncPolicy'.")
        target = check_policies(tenants, source, sync.secrets["CompanyId"].strip().lower())
    except PolicyProblem as problem:
        job.quarantine(problem)
        result["errors"].append("%s: %s" % (problem.code, problem.message))
        result["status_code"] = job.status["code"]
        return result
    scope = users_in_scope(source, sp_id, sync.secrets.get("SyncAll", "").lower() == "true")
    for user_id in scope:
        if provision(source, target, user_id):
            result["exported"] += 1
    for (source_tenant, user_id) in list(target.objects.synchronized):
        if source_tenant == source.tenant_id and user_id not in scope and soft_delete(source, target, user_id):
            result["deleted"] += 1
    job.succeeded(began, len(scope), result["exported"] + result["deleted"])
    result["status_code"] = job.status["code"]
    return result


def run_cycles(tenants, tenant_id=None, job_id=None):
    """A cycle of every started job (schedule Active, quarantined ones included: quarantine retries),
    of one source tenant and/or one job."""
    jobs = []
    with tenants.lock:
        for source in tenants:
            if tenant_id is not None and source.tenant_id != tenant_id.strip().lower():
                continue
            for sp_id, sync in list(source.objects.sync.items()):
                for job in list(sync.jobs.values()):
                    if (job_id is None or job.id == job_id) and job.schedule_state == "Active":
                        jobs.append(run_job(tenants, source, sp_id, job))
    return {"jobs": jobs}
