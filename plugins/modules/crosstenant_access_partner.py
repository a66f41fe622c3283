#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_access_partner
short_description: Manage a partner configuration of the cross-tenant access policy in Microsoft Entra ID
version_added: 0.2.0
description:
  - Creates, updates, deletes and restores the Microsoft Graph object C(crossTenantAccessPolicyConfigurationPartner)
    at C(/policies/crossTenantAccessPolicy/partners/{tenantId}), the settings your tenant applies to one partner
    tenant, such as inbound automatic user consent, trust and B2B settings.
  - A partner's cross-tenant sync policy (M(entra.graph.crosstenant_sync_partner) with O(entra.graph.crosstenant_sync_partner#module:location=partner_policy))
    belongs to this configuration, which must exist first.
  - The object is read first, and written only when it differs from the options that are set;
    options (and sub-options) left out keep the object's current value. A property that is null inherits the
    tenant's default cross-tenant access settings.
author:
  - entra.graph maintainers (@entra-graph)
options:
  tenant_id:
    description:
      - The partner tenant's ID, a GUID. It is the object's key.
    type: str
    required: true
  state:
    description:
      - V(present) creates the partner configuration when it is missing (C(POST)) and updates it when it differs (C(PATCH)).
      - V(absent) deletes it. Graph keeps a deleted partner configuration in deleted items, from where it can be restored
        for 30 days. Graph requires the partner's sync policy to be deleted first; without O(force) a partner that has
        one fails and nothing is deleted. Options that describe the object are ignored, with a warning.
      - V(restored) restores it from deleted items (Graph beta only), then applies any options that are set.
        Nothing is restored when it is already live; the task fails when it is in neither place.
    type: str
    choices: [present, absent, restored]
    default: present
  force:
    description:
      - With O(state=absent), delete the partner's cross-tenant sync policy first (into deleted items), then the
        partner configuration, in the order Graph requires.
    type: bool
    default: false
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0), and V(beta) for O(state=restored), which only beta has.
      - An explicit V(v1.0) with O(state=restored) fails before any request.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
extends_documentation_fragment:
  - entra.graph.access_partner
  - entra.graph.access_settings
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Every read happens and no write; the result says what would change.
    support: full
  diff_mode:
    description: Returns the object before and after the change.
    support: full
notes:
  - Updates are C(PATCH) requests with only the properties that differ. Graph replaces a complex value such as
    C(inboundTrust) whole, so each one is sent complete, its current values overlaid by the sub-options set.
  - Graph refuses a write that carries a member of a complex value it does not know. When Graph returns a member
    that no option describes inside a value the task changes, the update leaves it out and warns, naming it. Graph
    keeps such a member when it merges complex values member by member, as OData 4.01 says, and clears it if it
    replaces the value whole.
  - Property names are sent in Graph's exact casing (C(b2bCollaborationInbound)); Graph refuses other casings with
    C(400 Request_BadRequest).
  - A task that wrote something and then failed (the sync policy deleted with O(force), then the partner delete
    refused) reports C(changed=true) and says in its message what was done before the failure.
  - Permissions (application or delegated) - C(Policy.Read.All) to read, C(Policy.ReadWrite.CrossTenantAccess) to write.
'''

EXAMPLES = r'''
- name: Target tenant - accept the source tenant and redeem its users' invitations automatically
  entra.graph.crosstenant_access_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    automatic_user_consent_settings:
      inbound_allowed: true

- name: Then allow user synchronization from it
  entra.graph.crosstenant_sync_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    location: partner_policy
    display_name: Fabrikam
    user_sync_inbound:
      is_sync_allowed: true

- name: Source tenant - redeem invitations to the target tenant without a consent prompt
  entra.graph.crosstenant_access_partner:
    tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
    automatic_user_consent_settings:
      outbound_allowed: true

- name: Trust the partner's MFA; the other trust settings keep their values
  entra.graph.crosstenant_access_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    inbound_trust:
      is_mfa_accepted: true

- name: Allow inbound B2B collaboration for one group only
  entra.graph.crosstenant_access_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    b2b_collaboration_inbound:
      users_and_groups:
        access_type: allowed
        targets:
          - target: 6d1a2d83-5a4e-4e4d-9f4b-1b0c5a0f8e21
            target_type: group
      applications:
        access_type: allowed
        targets:
          - target: AllApplications
            target_type: application

- name: Remove the partner and its sync policy, in the order Graph requires
  entra.graph.crosstenant_access_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    state: absent
    force: true

- name: Bring it back within 30 days (Graph beta)
  entra.graph.crosstenant_access_partner:
    tenant_id: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    state: restored
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version every request of the task went to.
  returned: always
  type: str
  sample: v1.0
partner:
  description:
    - The partner configuration after the task, as Graph returns it (camelCase keys), with every managed property
      (null when unset, which means the tenant's default applies) and no OData annotations.
    - An empty dict when it does not exist after the task.
  returned: always
  type: dict
  sample:
    tenantId: 3d0f5dd9-0f52-4c4e-9d4b-5c8a0e6a2f11
    isServiceProvider: null
    isInMultiTenantOrganization: false
    automaticUserConsentSettings:
      inboundAllowed: true
      outboundAllowed: false
    inboundTrust: null
    b2bCollaborationInbound: null
    b2bCollaborationOutbound: null
    b2bDirectConnectInbound: null
    b2bDirectConnectOutbound: null
    tenantRestrictions: null
changed_properties:
  description: The properties that were (or in check mode would be) written because they differed.
  returned: always
  type: list
  elements: str
  sample: [automaticUserConsentSettings]
deleted_sync_policy:
  description:
    - With O(state=absent) and O(force=true), the partner's sync policy that was (or in check mode would be) deleted
      first; an empty dict when there was none.
  returned: when O(state=absent)
  type: dict
  sample: {}
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: dict
  contains:
    crosstenant_access_partner:
      description: The same object as RV(partner).
      returned: always
      type: dict
diff:
  description: The object before and after the task, in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description:
        - The object before the task; empty when it did not exist.
        - When O(force=true) deletes the sync policy first, it holds it as C(identitySynchronization), where Graph's
          C($expand) puts it, so that the diff shows both deletions.
      type: dict
      returned: when diff mode is on
    after:
      description: The object after the task; empty when it does not exist after it.
      type: dict
      returned: when diff mode is on
'''

from ansible_collections.entra.graph.plugins.module_utils.access_partner import (
    ACCESS_PARTNER,
    AccessPartners,
    DeletedAccessPartners,
    access_partner_argument_spec,
)
from ansible_collections.entra.graph.plugins.module_utils.access_settings import validate_targets
from ansible_collections.entra.graph.plugins.module_utils.decisions import carry_out, present, restore_then_update
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS, choose_api_version, plan_absent


def ensure_absent(module, partners, tenant_id, current):
    """Delete the partner; its sync policy goes first, and only when ``force`` says so."""
    first = partners.before_delete(tenant_id, module.params['force']) if current is not None else []
    for dummy, live_policies, plan in first:
        carry_out(module, live_policies, plan)
    return carry_out(module, partners, plan_absent(ACCESS_PARTNER, tenant_id, current)), first[0][2].before if first else {}


def decide(module):
    params = module.params
    tenant_id = module.tenant_id()
    validate_targets(params)
    state = params['state']
    if params['force'] and state != 'absent':
        raise ConfigurationError('force applies only to state=absent, where it deletes the sync policy first', option='force')
    desired = ACCESS_PARTNER.desired(params)
    if state == 'absent' and desired:
        module.warn('state=absent deletes the partner configuration whatever it holds; ignored: %s'
                    % ', '.join(ACCESS_PARTNER.options(desired)))
    module.api_version = choose_api_version(params['api_version'], ['state=restored'] if state == 'restored' else [])

    partners = AccessPartners(module.client())
    current = partners.get(tenant_id)
    result = {}
    if state == 'absent':
        plan, result['deleted_sync_policy'] = ensure_absent(module, partners, tenant_id, current)
    elif state == 'restored' and current is None:
        plan = restore_then_update(module, DeletedAccessPartners(module.client(), partners), tenant_id, desired)
    else:
        plan = present(module, partners, tenant_id, current, desired)
    result.update(module.object_result(plan, 'crosstenant_access_partner'))
    if result.get('deleted_sync_policy') and 'diff' in result:
        # The sync policy goes too: shown where Graph's $expand puts it, inside the partner configuration.
        result['diff']['before'] = dict(result['diff']['before'], identitySynchronization=result['deleted_sync_policy'])
    return result


def main():
    argument_spec = access_partner_argument_spec()
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent', 'restored']),
        force=dict(type='bool', default=False),
        api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
    )
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
