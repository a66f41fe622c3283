#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_provision
short_description: Provision users on demand through a cross-tenant synchronization configuration
version_added: 0.3.0
description:
  - Provisions the listed source-tenant users into the target tenant now, without waiting for the next 40-minute
    cycle, through the configuration O(name) that M(entra.graph.crosstenant_sync_configuration) manages
    (Microsoft Graph C(provisionOnDemand), v1.0). It works before the job is started.
  - Reads the job's schema for the C(USER_INBOUND_USER) rule, then posts one request per user. Graph allows 5 such
    requests per 10 seconds; the module paces itself under that, so ten users take about ten seconds.
  - Each user's result is read from Graph's answer - C(success), C(skipped) (out of scope, or already up to date in the
    target tenant) or C(failure). The task is C(changed) when a user was exported to the target tenant, and fails
    when any user failed, after trying all of them.
author:
  - entra.graph maintainers (@entra-graph)
options:
  name:
    description:
      - The configuration's display name.
    type: str
    required: true
  users:
    description:
      - The object ids (GUIDs) of the source-tenant users to provision. Only users in the configuration's scope are
        provisioned; the others are reported as skipped.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Not run in check mode - Graph has no way to predict what provisioning a user does without doing it,
      so Ansible skips the task.
    support: none
  diff_mode:
    description: There is no diff; RV(results) say what happened to each user.
    support: none
notes:
  - Microsoft notes that a user assigned moments ago may be reported as not assigned for a few minutes.
  - Permissions (application) - C(Synchronization.ReadWrite.All), C(Application.Read.All).
seealso:
  - module: entra.graph.crosstenant_sync_configuration
'''

EXAMPLES = r'''
- name: Provision two users now
  entra.graph.crosstenant_sync_provision:
    name: Fabrikam
    users:
      - 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
      - 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
  register: provisioned

- name: Where they are in the target tenant
  ansible.builtin.debug:
    msg: "{{ provisioned.results | map(attribute='target_user_id') | list }}"
'''

RETURN = r'''
results:
  description: One result per user, in the order of O(users).
  returned: always
  type: list
  elements: dict
  contains:
    user_id:
      description: The source user's object id.
      type: str
    status:
      description: V(success), V(skipped) or V(failure).
      type: str
    action:
      description: What Graph did, such as C(Create), C(Update) or C(Other), or the export step's name when Graph did not say.
      type: str
    target_user_id:
      description: The user's object id in the target tenant, when Graph reports it.
      type: str
    message:
      description: The telling step's description, with Graph's error code for a failure or skip.
      type: str
    steps:
      description: Graph's provisioning steps as it sent them (C(name), C(type), C(status), C(description),
        C(timestamp), C(details)).
      type: list
      elements: dict
  sample:
    - user_id: 6f1b8c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b
      status: success
      action: Create
      target_user_id: 2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e
      message: The user was created in the target tenant.
      steps:
        - name: EntryImport
          type: Import
          status: Success
          description: Retrieved adele@contoso.onmicrosoft.com from Microsoft Entra ID.
          timestamp: '2026-12-03T07:00:00Z'
          details: {}
job_id:
  description: The job the users were provisioned through.
  returned: always
  type: str
rule_id:
  description: The id of the schema's C(USER_INBOUND_USER) rule.
  returned: always
  type: str
'''

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.sync_provision_flow import run_provision


def main():
    module = GraphModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            users=dict(type='list', elements='str', required=True),
        ),
        supports_check_mode=False,
    )
    module.run(run_provision)


if __name__ == '__main__':
    main()
