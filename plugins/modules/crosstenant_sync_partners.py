#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: crosstenant_sync_partners
short_description: Manage many partners' cross-tenant identity synchronization policies in one task
version_added: 0.2.0
description:
  - Creates, updates, replaces, deletes and exports the Microsoft Graph objects C(crossTenantIdentitySyncPolicyPartner)
    of many partner tenants in one task, with the states of Ansible's resource modules.
  - Each partner gets the same decision as with M(entra.graph.crosstenant_sync_partner) - the object is read, and
    written only when it differs - but the task signs in once, reads in bulk and writes up to
    O(max_concurrency) partners at a time over one keep-alive connection pool.
  - In V(deleted_items) the current objects come from one paged list. In V(partner_policy) each partner's
    policy is one C(GET); for O(state=overridden), O(state=gathered) and O(state=deleted) without O(config), the
    partner configurations are listed first to find every policy.
  - Every input error (a C(tenant_id) that is not a GUID, the same C(tenant_id) twice, an option the state does not
    take) fails the task before any request, naming the item's index and tenant ID.
  - A partner that fails does not stop the others. The task then fails, names every partner that failed with
    Graph's error, and returns what was written (RV(changed_partners)); it reports C(changed=true) when anything was.
author:
  - entra.graph maintainers (@entra-graph)
options:
  config:
    description:
      - The partners, one item each, with the options of M(entra.graph.crosstenant_sync_partner) that describe
        the object.
      - Required for O(state=merged), O(state=replaced) and O(state=overridden). For O(state=deleted) the items
        need only O(config[].tenant_id), and no O(config) means every partner. O(state=gathered) takes none.
      - RV(gathered) has this shape, so the result of O(state=gathered) can be fed back in as it is.
    type: list
    elements: dict
    suboptions:
      tenant_id:
        description:
          - The partner tenant's ID, a GUID. It is the object's key and may appear once in the list.
        type: str
        required: true
      display_name:
        description:
          - Display name of the policy.
        type: str
      external_cloud_authorized_application_id:
        description:
          - The C(externalCloudAuthorizedApplicationId) property, sent as given.
          - Graph beta only.
        type: str
      user_sync_inbound:
        description:
          - Whether users may be synchronized from the partner tenant.
        type: dict
        suboptions:
          is_sync_allowed:
            description: Allow user synchronization from the partner tenant.
            type: bool
            required: true
      group_sync_inbound:
        description:
          - Whether groups may be synchronized from the partner tenant.
          - Graph beta only.
        type: dict
        suboptions:
          is_sync_allowed:
            description: Allow group synchronization from the partner tenant.
            type: bool
            required: true
      role_enabled_group_sync_inbound:
        description:
          - Whether role-assignable groups may be synchronized from the partner tenant
            (C(roleEnabledGroupSyncInbound)).
          - Graph beta only. The property is in Graph's beta metadata but not yet described on its reference pages.
        type: dict
        suboptions:
          is_sync_allowed:
            description: Allow synchronization of role-assignable groups from the partner tenant.
            type: bool
            required: true
      deleted_date_time:
        description:
          - When the policy was deleted, as an ISO 8601 date and time such as V(2025-06-18T23:11:01Z).
          - A time without an offset is taken as UTC; the value is sent in UTC, as Graph returns it.
          - Only for O(location=deleted_items), and not with O(state=deleted).
        type: str
  state:
    description:
      - V(merged) creates each listed partner's object when it is missing and updates the properties that differ;
        options left out keep their current values. Partners not listed are not touched.
      - V(replaced) makes each listed partner's object match its item exactly. Properties the item leaves out are
        cleared (set to null) - C(displayName), C(externalCloudAuthorizedApplicationId), C(userSyncInbound),
        C(groupSyncInbound) and C(roleEnabledGroupSyncInbound) - as far as the API version in use has them
        (under V(v1.0) only the first and the third).
        C(tenantId) is the key and C(deletedDateTime) is set by Graph, so neither is cleared. Partners not listed
        are not touched.
      - V(overridden) does what V(replaced) does, and also deletes the object of every partner in O(location) that
        is not listed. In V(deleted_items) that delete is B(permanent); it cannot be undone. In V(partner_policy)
        Graph moves the policies into deleted items, from where they can be restored for 30 days; the partner
        configurations themselves stay. Run it with C(--check --diff) first to see the list.
      - V(deleted) deletes the listed partners' objects, or every object in O(location) when there is no O(config).
        In V(deleted_items) that is a permanent delete, in V(partner_policy) a soft delete as above.
      - V(gathered) changes nothing and returns RV(gathered), every object in O(location) in the shape of O(config).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  location:
    description:
      - Which Graph collection holds the objects.
      - V(deleted_items) is C(/policies/deletedItems/crossTenantSyncPolicyPartners).
      - V(partner_policy) is C(/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization),
        the policies in force. Each belongs to the partner configuration of the same tenant, which must exist
        first (M(entra.graph.crosstenant_access_partner) creates it).
    type: str
    choices: [deleted_items, partner_policy]
    default: deleted_items
  api_version:
    description:
      - The Microsoft Graph version every request of the task goes to.
      - V(auto) uses V(v1.0) for the live policies unless an item of O(config) sets a beta-only option
        (O(config[].group_sync_inbound), O(config[].role_enabled_group_sync_inbound),
        O(config[].external_cloud_authorized_application_id)), and V(beta) for O(location=deleted_items),
        which only beta has.
      - V(v1.0) returns only C(tenantId), C(displayName) and C(userSyncInbound); use V(beta) with
        O(state=gathered) to export the beta-only properties too.
      - An explicit V(v1.0) with a beta-only option or with O(location=deleted_items) fails before any request.
    type: str
    choices: [auto, v1.0, beta]
    default: auto
  max_concurrency:
    description:
      - How many requests may be in flight at once. Reads and writes of different partners overlap up to this
        number; the connection pool is sized to match.
      - When Graph throttles a request (HTTP 429), the module waits as long as Graph's C(Retry-After) asks.
      - V(1) handles one partner after another.
    type: int
    default: 4
extends_documentation_fragment:
  - entra.graph.connection
  - entra.graph.connection.attributes
attributes:
  check_mode:
    description: Every read happens and no write; RV(changed_partners) and RV(after) say what would change.
    support: full
  diff_mode:
    description: Returns the objects before and after the task, keyed by tenant ID.
    support: full
notes:
  - Each partner is decided as M(entra.graph.crosstenant_sync_partner) decides it, with the same requests, retries
    and rules for a write whose answer was lost.
  - Graph documents no update of an object in deleted items; a partner there that differs from its item fails with
    a message that says so, and the others go on.
  - Graph answers the writes of live policies with C(204 No Content), so RV(after) holds the objects that were
    read, with the changes that were sent.
  - Graph's JSON batching (C($batch)) is not used; Graph documents no support for it on these endpoints.
  - A task with failed partners returns C(failed_partners) (each C(tenant_id), C(action), C(msg) and, when Graph
    answered, C(status), C(error_code), C(request_id) and C(client_request_id)) instead of those keys at the top.
  - Permissions (application or delegated) - C(Policy.Read.All) to read,
    C(Policy.ReadWrite.CrossTenantAccess) to write.
seealso:
  - module: entra.graph.crosstenant_sync_partner
  - module: entra.graph.crosstenant_sync_partner_info
'''

EXAMPLES = r'''
- name: Make sure these partners may sync users into this tenant; other partners are left alone
  entra.graph.crosstenant_sync_partners:
    location: partner_policy
    config:
      - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
        display_name: Fabrikam
        user_sync_inbound:
          is_sync_allowed: true
      - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
        display_name: Woodgrove
        user_sync_inbound:
          is_sync_allowed: true

- name: Export every live policy (with the beta-only properties) into a vars file
  block:
    - name: Read them
      entra.graph.crosstenant_sync_partners:
        location: partner_policy
        api_version: beta
        state: gathered
      register: current

    - name: Write the vars file
      ansible.builtin.copy:
        dest: vars/sync_partners.yml
        content: "{{ {'sync_partners': current.gathered} | to_nice_yaml(indent=2) }}"
        mode: "0644"

- name: Preview making the live policies exactly the ones in the vars file, deleting the others
  entra.graph.crosstenant_sync_partners:
    location: partner_policy
    api_version: beta
    state: overridden
    config: "{{ sync_partners }}"
  check_mode: true
  diff: true
  register: preview

- name: List what would be deleted
  ansible.builtin.debug:
    msg: "{{ preview.changed_partners | selectattr('action', 'equalto', 'delete') | map(attribute='tenant_id') | list }}"

- name: Permanently delete two objects from deleted items, eight requests at a time
  entra.graph.crosstenant_sync_partners:
    state: deleted
    max_concurrency: 8
    config:
      - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
'''

RETURN = r'''
api_version:
  description: The Microsoft Graph version every request of the task went to.
  returned: always
  type: str
  sample: v1.0
before:
  description:
    - The objects before the task, in the shape of RV(entra.graph.crosstenant_sync_partner#module:partner) (camelCase
      keys, every property of the version, no OData annotations).
    - The listed partners that had an object, in the order of O(config); for O(state=overridden),
      O(state=gathered) and O(state=deleted) without O(config), then every other object in O(location).
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      displayName: Fabrikam
      userSyncInbound:
        isSyncAllowed: false
after:
  description:
    - The same objects after the task (in check mode, as they would be), without the ones that were deleted and
      with the ones that were created.
    - A partner that failed appears as it was read.
  returned: always
  type: list
  elements: dict
  sample:
    - tenantId: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      displayName: Fabrikam
      userSyncInbound:
        isSyncAllowed: true
changed_partners:
  description:
    - The partners that were (in check mode, would be) written, in the order of RV(before).
    - C(action) is V(create), V(update) or V(delete); C(changed_properties) lists the Graph properties written.
    - When the task fails, only the partners whose write succeeded.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      action: update
      changed_properties: [userSyncInbound]
  contains:
    tenant_id:
      description: The partner tenant's ID.
      type: str
      returned: always
    action:
      description: What was written.
      type: str
      returned: always
    changed_properties:
      description: The properties written; empty for a delete.
      type: list
      elements: str
      returned: always
gathered:
  description:
    - With O(state=gathered), every object in O(location) in the shape of O(config) (snake_case options, only
      those that hold a value), so that O(config) set to C({{ result.gathered }}) converges with no change.
    - An empty list otherwise.
  returned: always
  type: list
  elements: dict
  sample:
    - tenant_id: 9c5d131d-b1c3-4fc4-9e3f-c6557947d551
      display_name: Fabrikam
      user_sync_inbound:
        is_sync_allowed: true
failed_partners:
  description: When the task fails because of some partners, each of them with Graph's error.
  returned: when one or more partners failed
  type: list
  elements: dict
  sample:
    - tenant_id: 3d0f5dd3-cb2b-4f8d-9e1c-25a8a5d3e0b7
      action: update
      msg: "PATCH https://graph.microsoft.com/v1.0/policies/... failed: HTTP 403 Authorization_RequestDenied: ..."
      status: 403
      error_code: Authorization_RequestDenied
diff:
  description:
    - The objects before and after the task, in diff mode, each keyed by its C(tenantId) (Ansible shows a diff
      of mappings one partner after another; it cannot show one of lists).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The objects of RV(before), keyed by C(tenantId).
      type: dict
      returned: when diff mode is on
    after:
      description: The objects of RV(after), keyed by C(tenantId).
      type: dict
      returned: when diff mode is on
'''

import concurrent.futures

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, EntraGraphError
from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.resource import API_VERSIONS, Plan, choose_api_version, plan_absent, plan_present
from ansible_collections.entra.graph.plugins.module_utils.store import carry_out_or_predict
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import LOCATIONS, SYNC_POLICY, collection_for, sync_policy_argument_spec
from ansible_collections.entra.graph.plugins.module_utils.values import validate_tenant_id

STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered')
# The states that need the whole collection, not only the listed partners.
WHOLE_COLLECTION = ('overridden', 'gathered')
OBJECT_OPTIONS = [option for option in sync_policy_argument_spec() if option != 'tenant_id']
WRITTEN = dict(create='created', update='updated', delete='deleted')
# How many items of a list a message names before it says "and N more".
NAMED = 5


class Job:
    """One partner: what the task wants of it (``desired``: the properties, ``DELETE`` or ``READ``) and its
    current object (``UNREAD`` until it is read, None when there is none)."""

    UNREAD = object()
    DELETE = 'delete'
    READ = 'read'

    def __init__(self, tenant_id, desired, current=UNREAD):
        self.tenant_id = tenant_id
        self.desired = desired
        self.current = current
        self.plan = None
        self.after = None
        self.written = False
        self.error = None
        self.failed_action = None

    @property
    def before(self):
        return None if self.current is Job.UNREAD else self.current

    @property
    def result(self):
        """The object after the task; for a partner that failed, the one that was read."""
        return self.after if self.error is None else self.before


def read_config(params):
    """The listed partners as (index, tenant_id, desired); every input error at once, before any request."""
    state, location, config = params['state'], params['location'], params['config']
    errors = []
    if state == 'gathered' and config:
        errors.append('state=gathered reads every partner and takes no config; remove config')
    if state in ('merged', 'replaced', 'overridden') and config is None:
        errors.append('state=%s needs config, the list of partners%s' % (
            state, ' (an empty list deletes every partner in the location)' if state == 'overridden' else ''))
    items = []
    seen = {}
    for index, entry in enumerate(config or []):
        try:
            tenant_id = validate_tenant_id(entry.get('tenant_id'), option='config[%d].tenant_id' % index)
        except ConfigurationError as exc:
            errors.append(exc.message)
            continue
        where = 'config[%d] (tenant_id %s)' % (index, tenant_id)
        if tenant_id in seen:
            errors.append('%s: the same tenant_id as config[%d]; list each partner once' % (where, seen[tenant_id]))
            continue
        seen[tenant_id] = index
        given = [option for option in OBJECT_OPTIONS if entry.get(option) is not None]
        if state == 'deleted' and given:
            errors.append('%s: state=deleted takes only tenant_id in each item, and deletes the object whatever it holds; '
                          'remove %s' % (where, ', '.join(given)))
            continue
        if entry.get('deleted_date_time') is not None and location != 'deleted_items':
            errors.append('%s: deleted_date_time applies only to location=deleted_items; a live policy has no deletion time'
                          % where)
            continue
        try:
            desired = SYNC_POLICY.desired(entry)
        except ConfigurationError as exc:
            errors.append('%s: %s' % (where, exc.message))
            continue
        items.append((index, tenant_id, desired))
    if errors:
        raise ConfigurationError('; '.join(errors), option='config')
    return items


def beta_reasons(location, items):
    reasons = ['location=deleted_items'] if location == 'deleted_items' else []
    used = [(option, index, tenant_id) for index, tenant_id, desired in items for option in SYNC_POLICY.beta_only(desired)]
    for option, index, tenant_id in used[:NAMED]:
        reasons.append('option %s (config[%d], tenant_id %s)' % (option, index, tenant_id))
    if len(used) > NAMED:
        reasons.append('%d more such options' % (len(used) - NAMED))
    return reasons


def plan_for(state, job, current, api_version):
    """The single module's decision for one partner: ``plan_absent`` or ``plan_present``; for "exactly this"
    (replaced, overridden) an existing object is compared with every writable property the item leaves out cleared."""
    if job.desired == Job.READ:
        return Plan('none', before=current or {}, after=current or {})
    if job.desired == Job.DELETE:
        return plan_absent(current)
    desired = job.desired
    if state in ('replaced', 'overridden') and current is not None:
        desired = SYNC_POLICY.cleared(desired)
    return plan_present(SYNC_POLICY, job.tenant_id, current, desired, api_version)


def converge(module, collection, state, job):
    """Read (unless listed), decide and write one partner; a failure is kept on the job, never raised."""
    action = 'read'
    try:
        current = collection.get(job.tenant_id) if job.current is Job.UNREAD else job.current
        job.current = current
        job.plan = plan_for(state, job, current, module.api_version)
        action = job.plan.action
        job.after, job.written = carry_out_or_predict(collection, job.tenant_id, job.plan, module.check_mode, module.ansible.warn)
    except EntraGraphError as exc:
        job.error = exc
        job.failed_action = action
    return job


def jobs_for(module, collection, state, items):
    """Every partner the task looks at: the listed ones in config order, then, when the state concerns the whole
    location, every other one in the order Graph lists them."""
    location = module.params['location']
    whole = state in WHOLE_COLLECTION or (state == 'deleted' and module.params['config'] is None)
    unlisted = Job.READ if state == 'gathered' else Job.DELETE
    jobs = [Job(tenant_id, Job.DELETE if state == 'deleted' else desired) for dummy, tenant_id, desired in items]
    if location == 'deleted_items':
        # One paged list holds every object: nothing is read per partner.
        found = dict((obj['tenantId'].lower(), obj) for obj in collection.list() if isinstance(obj.get('tenantId'), str))
        for job in jobs:
            job.current = found.pop(job.tenant_id, None)
        if whole:
            jobs.extend(Job(tenant_id, unlisted, obj) for tenant_id, obj in found.items())
    elif whole:
        # Graph lists live policies only through their partner configurations: each one's policy is then read.
        listed = set(job.tenant_id for job in jobs)
        jobs.extend(Job(tenant_id, unlisted) for tenant_id in collection.tenant_ids() if tenant_id not in listed)
    return jobs


def run_jobs(module, collection, state, jobs):
    workers = min(module.params['max_concurrency'], len(jobs))
    if workers <= 1:
        return [converge(module, collection, state, job) for job in jobs]
    # Sign in once, here, before any worker needs the token.
    module.client.token_provider.token()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: converge(module, collection, state, job), jobs))


def failure(jobs, failed):
    """The message of a task some of whose partners failed: every one of them, and what was written."""
    parts = ['tenant_id %s (%s): %s' % (job.tenant_id, job.failed_action, job.error.message) for job in failed]
    text = '%d of %d partners failed: %s' % (len(failed), len(jobs), '; '.join(parts))
    counts = {}
    for job in jobs:
        if job.written:
            counts[job.plan.action] = counts.get(job.plan.action, 0) + 1
    if not counts:
        return text + '. Nothing was written'
    return text + '. The other partners were done: %s (see changed_partners)' % ', '.join(
        '%s %d' % (WRITTEN[action], counts[action]) for action in ('create', 'update', 'delete') if action in counts)


def failed_entry(job):
    entry = dict(tenant_id=job.tenant_id, action=job.failed_action, msg=job.error.message)
    entry.update(job.error.details)
    return entry


def decide(module):
    params = module.params
    state, location = params['state'], params['location']
    if params['max_concurrency'] < 1:
        raise ConfigurationError('max_concurrency must be 1 or more, got %d' % params['max_concurrency'], option='max_concurrency')
    items = read_config(params)
    module.api_version = choose_api_version(params['api_version'], beta_reasons(location, items))
    module.pool_size = params['max_concurrency']
    collection = collection_for(location, module.client)

    jobs = run_jobs(module, collection, state, jobs_for(module, collection, state, items))

    before = [job.before for job in jobs if job.before]
    after = [job.result for job in jobs if job.result]
    changed_partners = [dict(tenant_id=job.tenant_id, action=job.plan.action, changed_properties=job.plan.changed_properties)
                        for job in jobs if job.error is None and job.plan.changed]
    result = dict(changed=bool(changed_partners), before=before, after=after, changed_partners=changed_partners,
                  gathered=[], api_version=module.api_version)
    if state == 'gathered':
        result['gathered'] = [gathered(obj) for obj in before]
    if module.diff_mode:
        # Keyed by tenant ID: Ansible renders a diff of mappings (one block per partner), not of lists.
        result['diff'] = dict(before=by_tenant(before), after=by_tenant(after))
    failed = [job for job in jobs if job.error is not None]
    if failed:
        result['changed'] = any(job.written for job in jobs)
        module.ansible.fail_json(msg=failure(jobs, failed), failed_partners=[failed_entry(job) for job in failed], **result)
    return result


def by_tenant(objects):
    return dict((obj['tenantId'], obj) for obj in objects)


def gathered(obj):
    """An object as an item of ``config``: its tenant ID and the options that hold a value."""
    item = dict(tenant_id=obj['tenantId'])
    item.update(SYNC_POLICY.options(obj))
    return item


def main():
    argument_spec = dict(
        config=dict(type='list', elements='dict', options=sync_policy_argument_spec()),
        state=dict(type='str', default='merged', choices=list(STATES)),
        location=dict(type='str', default='deleted_items', choices=list(LOCATIONS)),
        api_version=dict(type='str', default='auto', choices=list(API_VERSIONS)),
        max_concurrency=dict(type='int', default=4),
    )
    module = GraphModule(argument_spec=argument_spec, supports_check_mode=True)
    module.run(decide)


if __name__ == '__main__':
    main()
