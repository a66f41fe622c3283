#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_configuration
short_description: Manage a cross-tenant synchronization configuration in the source tenant
version_added: 0.3.0
description:
  - In the source tenant of cross-tenant synchronization, one configuration is an application instantiated from the
    gallery template C(518e5f48-1fc8-4c48-9387-9fdf28b0dfe7), its service principal, the service principal's
    provisioning job (template C(Azure2Azure)), the job's secrets (C(CompanyId) the target tenant,
    C(AuthenticationType) C(SyncPolicy), C(SyncAll), C(SyncNotificationSettings)) and the users and groups assigned to
    it with the app role C(msiam_access). This module creates, updates and deletes all of it, on Microsoft Graph v1.0.
  - The configuration is found by O(name) among the applications made from the template. Every step is idempotent and
    is taken only when needed, so a rerun after a partial failure completes the rest (an application found without
    its job gets one).
  - The target tenant must allow the synchronization first. Use M(entra.graph.crosstenant_access_partner) with
    O(entra.graph.crosstenant_access_partner#module:automatic_user_consent_settings) (C(inbound_allowed) in the target
    tenant, C(outbound_allowed) in the source tenant) and M(entra.graph.crosstenant_sync_partner) with
    O(entra.graph.crosstenant_sync_partner#module:user_sync_inbound) in the target tenant.
author:
  - entra.graph maintainers (@entra-graph)
options:
  name:
    description:
      - The configuration's display name, that of its application and service principal. It is the key - the one
        application with this name made from the template. When several have it, the task fails and lists their ids.
    type: str
    required: true
  target_tenant_id:
    description:
      - The tenant users are synchronized to, a GUID, saved as the secret C(CompanyId).
      - Required to create a configuration; left out, the saved one is kept.
    type: str
  scope:
    description:
      - V(assigned) synchronizes the users and groups assigned to the configuration (secret C(SyncAll) V(false)),
        V(all) every internal member of the source tenant (C(SyncAll) V(true)).
      - Left out, the saved value is kept; a new configuration gets V(assigned).
    type: str
    choices: [assigned, all]
  notification_email:
    description:
      - Where Microsoft Entra ID sends e-mails about quarantine and failures (C(SyncNotificationSettings) C(Recipients),
        with C(Enabled) true). An empty string turns the e-mails off.
      - Left out, the saved setting is kept.
    type: str
  accidental_deletion_threshold:
    description:
      - How many deletions one cycle may make before the job stops and waits for an administrator
        (C(SyncNotificationSettings) C(DeleteThresholdEnabled) and C(DeleteThresholdValue)). V(0) turns the threshold off.
      - Left out, the saved setting is kept.
    type: int
  assignments:
    description:
      - Users and groups to assign to the configuration with its C(msiam_access) app role (the role's id is read from
        the service principal). Missing ones are added; with O(scope=assigned) they are who is synchronized (groups -
        their direct members).
    type: list
    elements: dict
    suboptions:
      principal_id:
        description:
          - The object id of the user or group, a GUID.
        type: str
        required: true
      principal_type:
        description:
          - What the principal is. Graph finds that out from the id; this names it in RV(actions).
        type: str
        choices: [user, group]
        default: user
  purge_assignments:
    description:
      - Remove the C(msiam_access) assignments of users and groups not listed in O(assignments).
      - Those users leave the synchronization's scope, and the next cycle soft-deletes them in the target tenant.
    type: bool
    default: false
  job_state:
    description:
      - V(started) starts the job when it is not active (its schedule is not C(Active)); an active job is left alone,
        as Microsoft asks (starting a running job repeatedly can stop it).
      - V(paused) pauses an active job; its state is kept.
      - V(restarted) restarts the job, always (it always changes, as the C(restarted) state of a service does), with
        O(reset_scope) as the restart's criteria.
      - Left out, the job's state is kept; a new job is paused until started.
    type: str
    choices: [started, paused, restarted]
  reset_scope:
    description:
      - With O(job_state=restarted), what the restart resets (C(criteria.resetScope)) - V(quarantine_state) lifts a
        quarantine, V(watermark) re-evaluates every object, V(escrows) stops retrying failed objects,
        V(force_deletes) carries out deletions held back by the accidental deletion threshold, V(full) all of these.
      - Left out, Graph's restart is the portal's "Restart provisioning".
    type: list
    elements: str
    choices: [quarantine_state, watermark, escrows, force_deletes, full]
  validate:
    description:
      - Check the credentials (C(validateCredentials) with the target tenant and C(SyncPolicy)) before they are saved -
        when the configuration or its job is created, or O(target_tenant_id) changes - in check mode too, where it
        changes nothing.
      - First the source tenant's partner configuration for the target is read; it must allow automatic user consent
        outbound. Then Graph checks the target tenant's side.
      - A failed check saves nothing. The message says which tenant lacks what, and which module sets it. An
        application the task created for the check is deleted again.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for a new application, service principal or job to replicate, that is, while Graph
        answers reads of an object just created with 404. The reads are repeated with a growing pause, never longer.
    type: int
    default: 300
  state:
    description:
      - V(present) creates or updates the configuration.
      - V(absent) deletes the application; its service principal, job and assignments go with it. Users already
        synchronized stay in the target tenant.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Every read happens, and the credentials check (which changes nothing); no write. RV(actions) says what
      would be done.
    support: full
  diff_mode:
    description: Returns RV(configuration) before and after.
    support: full
notes:
  - Secrets are saved only when they differ from the saved ones, and only the keys that differ (Graph keeps the others).
    A value Graph answers masked (C(*)) cannot be compared; the module takes it as equal and does not write it again.
  - A task that wrote something and then failed reports C(changed=true) and says in its message what was done; running
    it again completes the rest.
  - A quarantined job is reported with a warning naming its reason and the fix (O(job_state=restarted) with
    O(reset_scope=[quarantine_state]) after removing the cause).
  - Permissions (application) - C(Application.ReadWrite.OwnedBy) (applications the caller owns) or
    C(Application.ReadWrite.All), C(Synchronization.ReadWrite.All), C(AppRoleAssignment.ReadWrite.All),
    C(Policy.Read.All) (the source partner configuration check). A call Graph refuses with 403 fails naming the
    permission it needs.
seealso:
  - module: entra.graph.crosstenant_sync_configuration_info
  - module: entra.graph.crosstenant_sync_provision
  - module: entra.graph.crosstenant_access_partner
  - module: entra.graph.crosstenant_sync_partner
'''

EXAMPLES = r'''
- name: Source tenant - synchronize the Sales group to Fabrikam, and start
  entra.graph.crosstenant_sync_configuration:
    name: Fabrikam
    target_tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    scope: assigned
    notification_email: identity-team@contoso.com
    accidental_deletion_threshold: 50
    assignments:
      - principal_id: 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
        principal_type: group
    job_state: started
  register: sync

- name: Show the job's state
  ansible.builtin.debug:
    msg: "{{ sync.configuration.job.status_code }} ({{ sync.actions | join('; ') }})"

- name: Lift a quarantine after fixing its cause
  entra.graph.crosstenant_sync_configuration:
    name: Fabrikam
    job_state: restarted
    reset_scope: [quarantine_state]

- name: Remove the configuration
  entra.graph.crosstenant_sync_configuration:
    name: Fabrikam
    state: absent
'''

RETURN = r'''
configuration:
  description:
    - The configuration after the task (predicted in check mode); C({}) when there is none.
  returned: always
  type: dict
  contains:
    name:
      description: The display name.
      type: str
      sample: Fabrikam
    application_id:
      description: The application's C(appId).
      type: str
    application_object_id:
      description: The application's object id.
      type: str
    service_principal_id:
      description: The service principal's object id.
      type: str
    job_id:
      description: The synchronization job's id.
      type: str
      sample: Azure2Azure.0c0e35dc188a4eb3b8ba61752154b407.9c8934a1-658d-4bab-b7a1-a1a11593a203
    target_tenant_id:
      description: The saved C(CompanyId).
      type: str
    scope:
      description: V(assigned) or V(all), from the saved C(SyncAll).
      type: str
    notification_email:
      description: Where quarantine and failure e-mails go; null when they are off.
      type: str
    accidental_deletion_threshold:
      description: The accidental deletion threshold; V(0) when off, null when never set.
      type: int
    assignments:
      description: Who is assigned the C(msiam_access) role.
      type: list
      elements: dict
      contains:
        principal_id:
          description: The user's or group's object id.
          type: str
        principal_type:
          description: V(user) or V(group).
          type: str
        assignment_id:
          description: The C(appRoleAssignment)'s id (null in check mode for one not yet made).
          type: str
    job:
      description:
        - The job's status; the same shape as in M(entra.graph.crosstenant_sync_configuration_info).
        - Keys - C(status_code) (C(NotConfigured), C(NotRun), C(Active), C(Paused), C(Quarantine)), C(schedule_state),
          C(interval), C(quarantine) (C(reason), C(current_began), C(next_attempt), C(series_began), C(series_count),
          C(error)), C(last_execution) and C(last_successful_execution) (C(state), C(time_began), C(time_ended), counts,
          C(error)), C(steady_state_first_achieved), C(steady_state_last_achieved), C(count_successive_complete_failures),
          C(entry_counts), C(troubleshooting_url).
      type: dict
  sample:
    name: Fabrikam
    application_id: 9c8934a1-658d-4bab-b7a1-a1a11593a203
    application_object_id: 1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b
    service_principal_id: 7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
    job_id: Azure2Azure.0c0e35dc188a4eb3b8ba61752154b407.9c8934a1-658d-4bab-b7a1-a1a11593a203
    target_tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    scope: assigned
    notification_email: identity-team@contoso.com
    accidental_deletion_threshold: 50
    assignments:
      - principal_id: 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
        principal_type: group
        assignment_id: LsNOTp1tKkuYHWWpLm0VkdoGQdRYT3dGuXl1shbjR3Y
    job:
      status_code: NotRun
      schedule_state: Active
      quarantine: null
      last_execution: null
      steady_state_last_achieved: null
actions:
  description: What the task did, in order, or would do in check mode.
  returned: always
  type: list
  elements: str
  sample:
    - create application Fabrikam from the template 518e5f48-1fc8-4c48-9387-9fdf28b0dfe7
    - create synchronization job (Azure2Azure)
    - save secrets AuthenticationType, CompanyId, SyncAll, SyncNotificationSettings
    - assign group 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
    - start job
ansible_facts:
  description: The same configuration as a fact.
  returned: always
  type: dict
  contains:
    crosstenant_sync_configuration:
      description: The same as RV(configuration).
      type: dict
'''

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.sync_configuration import RESET_SCOPES
from ansible_collections.entra.graph.plugins.module_utils.sync_configuration_flow import run_configuration


def main():
    module = GraphModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            target_tenant_id=dict(type='str'),
            scope=dict(type='str', choices=['assigned', 'all']),
            notification_email=dict(type='str'),
            accidental_deletion_threshold=dict(type='int'),
            assignments=dict(type='list', elements='dict', options=dict(
                principal_id=dict(type='str', required=True),
                principal_type=dict(type='str', choices=['user', 'group'], default='user'),
            )),
            purge_assignments=dict(type='bool', default=False),
            job_state=dict(type='str', choices=['started', 'paused', 'restarted']),
            reset_scope=dict(type='list', elements='str', choices=list(RESET_SCOPES)),
            validate=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=300),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.run(run_configuration)


if __name__ == '__main__':
    main()
