#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_configuration_info
short_description: Read cross-tenant synchronization configurations and their job status in the source tenant
version_added: 0.3.0
description:
  - Reads the configurations M(entra.graph.crosstenant_sync_configuration) manages - applications made from the
    gallery template C(518e5f48-1fc8-4c48-9387-9fdf28b0dfe7), their service principal, job, secrets and assignments -
    one by O(name) or all of them, on Microsoft Graph v1.0.
  - Each carries its job's status in full (code, schedule, quarantine with its reason and times, the last execution's
    counts and error, steady-state times, entry counts), so that a task can wait with C(until) for a first cycle or
    alert on quarantine.
  - Never changes anything.
author:
  - entra.graph maintainers (@entra-graph)
options:
  name:
    description:
      - The configuration's display name. Without it, every configuration is returned. When several applications made
        from the template have this name, the task fails and lists their ids.
    type: str
extends_documentation_fragment:
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: The module only reads, in check mode as otherwise.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: none
notes:
  - Permissions (application) - C(Application.Read.All), C(Synchronization.Read.All).
seealso:
  - module: entra.graph.crosstenant_sync_configuration
'''

EXAMPLES = r'''
- name: Wait for the first synchronization cycle to finish
  entra.graph.crosstenant_sync_configuration_info:
    name: Fabrikam
  register: found
  until: >-
    found.configurations | length == 1
    and found.configurations[0].job.steady_state_last_achieved is not none
  retries: 30
  delay: 120

- name: Alert when a configuration is in quarantine
  ansible.builtin.fail:
    msg: >-
      {{ item.name }} is in quarantine ({{ item.job.quarantine.reason }}:
      {{ item.job.quarantine.error.message | default('no message') }})
  loop: "{{ found.configurations }}"
  loop_control:
    label: "{{ item.name }}"
  when: item.job.status_code == 'Quarantine'
'''

RETURN = r'''
configurations:
  description:
    - The configurations, in the shape of RV(entra.graph.crosstenant_sync_configuration#module:configuration).
    - With O(name), one item, or none when there is no configuration of that name.
  returned: always
  type: list
  elements: dict
  sample:
    - name: Fabrikam
      application_id: 9c8934a1-658d-4bab-b7a1-a1a11593a203
      application_object_id: 1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b
      service_principal_id: 7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
      job_id: Azure2Azure.0c0e35dc188a4eb3b8ba61752154b407.9c8934a1-658d-4bab-b7a1-a1a11593a203
      target_tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
      scope: assigned
      notification_email: null
      accidental_deletion_threshold: null
      assignments:
        - principal_id: 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
          principal_type: group
          assignment_id: LsNOTp1tKkuYHWWpLm0VkdoGQdRYT3dGuXl1shbjR3Y
      job:
        status_code: Quarantine
        schedule_state: Active
        interval: PT40M
        quarantine:
          reason: EncounteredQuarantineException
          current_began: '2026-12-03T07:00:00Z'
          next_attempt: '2026-12-03T13:00:00Z'
          series_began: '2026-12-03T07:00:00Z'
          series_count: 1
          error:
            code: AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure
            message: The target tenant has not enabled inbound synchronization for the source tenant.
        last_execution:
          state: Failed
          time_began: '2026-12-03T07:00:00Z'
          time_ended: '2026-12-03T07:00:01Z'
          count_entitled: 0
          count_exported: 0
          count_imported: 0
          count_escrowed: 0
          error:
            code: AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure
            message: The target tenant has not enabled inbound synchronization for the source tenant.
        last_successful_execution: null
        steady_state_first_achieved: null
        steady_state_last_achieved: null
        count_successive_complete_failures: 1
        entry_counts: {}
        troubleshooting_url: null
'''

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.sync_configuration_flow import list_configurations


def main():
    module = GraphModule(argument_spec=dict(name=dict(type='str')), supports_check_mode=True)
    module.run(list_configurations)


if __name__ == '__main__':
    main()
