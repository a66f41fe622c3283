# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Provision on demand through a named configuration: find it, read its schema's USER_INBOUND_USER rule, and
provision each user, paced under Graph's limit."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, EntraGraphError, GraphError
from ansible_collections.entra.graph.plugins.module_utils.provisioning import OnDemand
from ansible_collections.entra.graph.plugins.module_utils.sync_configuration_flow import Current
from ansible_collections.entra.graph.plugins.module_utils.synchronization import SourceTenant, user_rule_id
from ansible_collections.entra.graph.plugins.module_utils.values import validate_tenant_id


def _about_the_user(exc):
    # A user that does not exist, or that Graph will not provision (400), is that user's failure; anything else
    # (a permission, the job gone, Graph unavailable after the transport's retries) stops the task.
    return isinstance(exc, GraphError) and exc.status in (400, 404)


def run_provision(module, pacer=None):
    name = module.params['name']
    users = []
    for index, user in enumerate(module.params['users']):
        user = validate_tenant_id(user, 'users[%d]' % index)
        if user not in users:
            users.append(user)
    if not users:
        raise ConfigurationError('users must list at least one user object id', option='users')
    tenant = SourceTenant(module.client(api_version='v1.0'))
    current = Current(tenant, name, None)
    if current.application is None:
        raise EntraGraphError('there is no cross-tenant synchronization configuration named %r; create it with '
                              'entra.graph.crosstenant_sync_configuration' % name)
    if current.service_principal is None or current.job is None:
        raise EntraGraphError('the configuration %r has no %s; run entra.graph.crosstenant_sync_configuration for it to '
                              'complete it' % (name, 'service principal yet' if current.service_principal is None else 'synchronization job'))
    sp_id, job_id = current.service_principal['id'], current.job['id']
    rule_id = user_rule_id(tenant.schema(sp_id, job_id), job_id)
    on_demand = OnDemand(tenant, sp_id, job_id, rule_id, pacer=pacer, record=module.record)
    results = on_demand.run(users, _about_the_user)
    changed = any(result['exported'] for result in results)
    for result in results:
        del result['exported']
    outcome = dict(changed=changed, results=results, job_id=job_id, rule_id=rule_id)
    failed = [result for result in results if result['status'] == 'failure']
    if failed:
        outcome.update(failed=True, msg='provisioning on demand failed for %d of %d users: %s' % (
            len(failed), len(results), '; '.join('%s: %s' % (r['user_id'], r['message']) for r in failed)))
    return outcome
