# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Carrying out a cross-tenant synchronization configuration in the source tenant, step by idempotent step:
find the application by name, create what is missing (application, job), check the credentials before
saving them, save only the secrets that differ, add (and purge) assignments, move the job to its state, and
read back what there is. In check mode every read happens and each write is only named in ``actions``.
Every write is noted with ``module.record``, so a failure after it reports ``changed`` and what was done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, EntraGraphError, GraphError
from ansible_collections.entra.graph.plugins.module_utils.replication import Replication
from ansible_collections.entra.graph.plugins.module_utils.sync_configuration import (
    MASKED,
    access_partner_fix,
    assignment_changes,
    describe,
    job_actions,
    quarantine_warning,
    secrets_to_save,
    validation_failure,
)
from ansible_collections.entra.graph.plugins.module_utils.synchronization import (
    JOB_TEMPLATE_ID,
    TEMPLATE_ID,
    SourceTenant,
    msiam_access_role_id,
)
from ansible_collections.entra.graph.plugins.module_utils.values import validate_tenant_id


def _one_application(tenant, name):
    apps = tenant.applications_named(name)
    if len(apps) > 1:
        raise EntraGraphError('%d applications made from the template %s are named %r (object ids %s); the name must '
                              'identify one configuration: rename or delete the others'
                              % (len(apps), TEMPLATE_ID, name, ', '.join(sorted(a.get('id') or '?' for a in apps))))
    return apps[0] if apps else None


class Current:
    """What the source tenant has for one configuration name."""

    def __init__(self, tenant, name, replication, application=None):
        self.tenant = tenant
        self.name = name
        self.application = application if application is not None else _one_application(tenant, name)
        self.service_principal = self.job = self.role_id = None
        self.secrets, self.assignments = {}, []
        if self.application:
            self.read(replication)

    def read(self, replication):
        app_id = self.application.get('appId')
        if replication is None:
            self.service_principal = self.tenant.service_principal_of(app_id)
            if self.service_principal is None:
                return
        else:
            # An application found by name whose service principal is not readable yet is one created moments ago.
            self.service_principal = replication.until_found(
                lambda: self.tenant.service_principal_of(app_id), 'the service principal of application %s' % app_id)
        sp_id = self.service_principal['id']
        self.role_id = msiam_access_role_id(self.service_principal)
        self.job = next((job for job in self.tenant.jobs(sp_id)
                         if (job.get('templateId') or '').lower() == JOB_TEMPLATE_ID.lower()), None)
        self.secrets = self.tenant.secrets(sp_id)
        self.assignments = self.tenant.assignments(sp_id)

    def describe(self):
        return describe(self.name, self.application, self.service_principal, self.job, self.secrets, self.assignments,
                        self.role_id)


def configuration_options(module):
    """The options checked before any request: (target tenant id or None, wanted assignments)."""
    params = module.params
    if not (params.get('name') or '').strip():
        raise ConfigurationError('name must be the display name of the configuration, got %r' % params.get('name'), option='name')
    target = module.tenant_id('target_tenant_id')
    if params.get('reset_scope') and params.get('job_state') != 'restarted':
        raise ConfigurationError('reset_scope goes with job_state: restarted (it is the restart\'s criteria), got job_state: %s'
                                 % params.get('job_state'), option='reset_scope')
    for option in ('accidental_deletion_threshold', 'wait_timeout'):
        if (params.get(option) or 0) < 0:
            raise ConfigurationError('%s must be 0 or more, got %s' % (option, params[option]), option=option)
    assignments = []
    for index, item in enumerate(params.get('assignments') or []):
        assignments.append(dict(item, principal_id=validate_tenant_id(item['principal_id'], 'assignments[%d].principal_id' % index)))
    return target, assignments


class ConfigurationRun:
    def __init__(self, module, tenant=None, replication=None):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.tenant = tenant or SourceTenant(module.client(api_version='v1.0'))
        self.replication = replication or Replication(self.params['wait_timeout'])
        self.actions = []
        # Whether this task instantiated the application (then a failed credentials check takes it away again).
        self.created = False

    def act(self, what, call, *args):
        """Do a write (or, in check mode, only name it); the answer of the call, or None in check mode."""
        if self.check_mode:
            self.actions.append(what)
            return None
        answer = call(*args)
        self.module.record(what)
        self.actions.append(what)
        return answer

    # -- state: absent -----------------------------------------------------------------------------

    def absent(self, name):
        current = Current(self.tenant, name, self.replication)
        before = current.describe()
        if current.application:
            self.act('delete application %s (appId %s) with its service principal, job and assignments'
                     % (name, current.application.get('appId')), self.tenant.delete_application, current.application['id'])
        return self.result(before, {})

    # -- state: present ----------------------------------------------------------------------------

    def present(self, name):
        target, wanted_assignments = configuration_options(self.module)
        current = Current(self.tenant, name, self.replication)
        before = current.describe()
        saved_target = current.secrets.get('CompanyId')
        if current.application is None and target is None:
            raise ConfigurationError('target_tenant_id is required to create the configuration %r (there is no application '
                                     'of that name made from the template %s)' % (name, TEMPLATE_ID), option='target_tenant_id')
        check_target = target or (saved_target.lower() if saved_target and saved_target != MASKED else None)
        changes = secrets_to_save(current.secrets, target, self.params['scope'], self.params['notification_email'],
                                  self.params['accidental_deletion_threshold'])
        # The credentials are checked whenever something they depend on is about to be saved.
        must_validate = self.params['validate'] and check_target and (
            current.application is None or current.job is None or 'CompanyId' in changes or 'AuthenticationType' in changes)
        if must_validate:
            self.check_source_partner(check_target)

        if current.application is None:
            self.create_application(current, name)
        sp_id = (current.service_principal or {}).get('id')
        if must_validate:
            self.validate(current, check_target)

        if current.job is None:
            created = self.act('create synchronization job (%s)' % JOB_TEMPLATE_ID, self.tenant.create_job, sp_id)
            if created is not None:
                current.job = self.replication.until_found(lambda: self.tenant.job(sp_id, created['id']),
                                                           'synchronization job %s' % created['id'])
            else:
                current.job = {'id': None, 'schedule': {'state': 'Disabled'}, 'status': {'code': 'Paused'}}

        if changes:
            self.act('save secrets %s' % ', '.join(sorted(changes)), self.tenant.save_secrets, sp_id, changes)
            current.secrets = dict(current.secrets, **changes)

        self.converge_assignments(current, wanted_assignments)
        self.converge_job(current)

        if self.actions and not self.check_mode:
            current.read(self.replication)
            current.job = self.tenant.job(sp_id, current.job['id']) or current.job
        after = current.describe()
        warning = quarantine_warning(name, after)
        if warning:
            self.module.ansible.warn(warning)
        return self.result(before, after)

    def check_source_partner(self, target):
        """The source half of the policy check, readable from here: the source tenant's partner configuration for the
        target must allow automatic user consent outbound. Fails before anything is saved."""
        partner = self.tenant.partner(target)
        consent = (partner or {}).get('automaticUserConsentSettings') or {}
        if consent.get('outboundAllowed') is not True:
            raise EntraGraphError(
                'the source tenant does not allow automatic user consent (outbound) for the target tenant %s: its partner '
                'configuration for it %s, so synchronization cannot work and nothing was saved. Fix: %s'
                % (target, 'does not exist' if partner is None else 'has automaticUserConsentSettings.outboundAllowed %s'
                   % consent.get('outboundAllowed'), access_partner_fix('source', target, 'outbound')))

    def create_application(self, current, name):
        made = self.act('create application %s from the template %s' % (name, TEMPLATE_ID), self.tenant.instantiate, name)
        if made is None:
            current.application = {'appId': None, 'id': None, 'displayName': name}
            current.service_principal = {'id': None}
            return
        application, service_principal = made
        self.created = True
        current.application = application
        current.service_principal = self.replication.until_found(
            lambda: self.tenant.service_principal(service_principal['id']), 'service principal %s' % service_principal['id'])
        current.role_id = msiam_access_role_id(current.service_principal)

    def validate(self, current, target):
        sp = current.service_principal or {}
        if sp.get('id') is None:
            # Only check mode gets here (a real run has made the application by now); the check writes nothing, so it
            # is not an action, but the prediction cannot vouch for the target tenant's half.
            self.module.ansible.warn('check mode: the target tenant %s can be validated only once the application exists; '
                                     'the real run checks it before anything else is saved' % target)
            return
        try:
            self.tenant.validate_credentials(sp['id'], target)
        except GraphError as exc:
            if exc.status is None or exc.status == 403 or not 400 <= exc.status < 500:
                raise
            message = validation_failure(exc.error_code, exc.message, sp.get('appOwnerOrganizationId'), target)
            if self.created:
                # The application existed only for the check: take it away again, so that the failed check leaves nothing.
                self.act('delete application %s again' % current.name, self.tenant.delete_application, current.application['id'])
            raise EntraGraphError(message, error_code=exc.error_code, request_id=exc.details.get('request_id'))

    def converge_assignments(self, current, wanted):
        sp_id = (current.service_principal or {}).get('id')
        to_add, to_remove = assignment_changes(wanted, current.assignments, current.role_id, self.params['purge_assignments'])
        kinds = dict((item['principal_id'], item.get('principal_type') or 'user') for item in wanted)
        for principal in to_add:
            made = self.act('assign %s %s' % (kinds[principal], principal), self.tenant.assign, sp_id, principal, current.role_id)
            current.assignments.append(made or {'principalId': principal, 'principalType': kinds[principal].capitalize(),
                                                'appRoleId': current.role_id, 'id': None})
        for assignment in to_remove:
            self.act('remove the assignment of %s %s' % ((assignment.get('principalType') or '').lower() or 'principal',
                                                         assignment.get('principalId')),
                     self.tenant.unassign, sp_id, assignment['id'])
            current.assignments = [a for a in current.assignments if a is not assignment]

    def converge_job(self, current):
        sp_id = (current.service_principal or {}).get('id')
        for action, body in job_actions(current.job, self.params['job_state'], self.params['reset_scope']):
            what = '%s job' % action
            if body:
                what += ' (resetScope %s)' % body['criteria']['resetScope']
            self.act(what, self.tenant.job_action, sp_id, current.job['id'], action, body)
            if self.check_mode:
                predicted = dict(current.job, schedule=dict(current.job.get('schedule') or {}),
                                 status=dict(current.job.get('status') or {}))
                predicted['schedule']['state'] = 'Paused' if action == 'pause' else 'Active'
                if action == 'pause':
                    predicted['status']['code'] = 'Paused'
                elif predicted['status'].get('code') in ('Paused', 'Quarantine', None):
                    predicted['status']['code'] = 'NotRun'
                    predicted['status']['quarantine'] = None
                current.job = predicted

    def result(self, before, after):
        result = dict(changed=bool(self.actions), configuration=after, actions=self.actions,
                      ansible_facts=dict(crosstenant_sync_configuration=after))
        if self.module.diff_mode:
            result['diff'] = dict(before=before, after=after)
        return result


def run_configuration(module):
    name = module.params['name']
    run = ConfigurationRun(module)
    if module.params['state'] == 'absent':
        return run.absent(name)
    return run.present(name)


def list_configurations(module):
    """Every configuration (or the one named), described with its job's full status."""
    tenant = SourceTenant(module.client(api_version='v1.0'))
    name = module.params.get('name')
    if name:
        found = [_one_application(tenant, name)]
    else:
        found = tenant.all_applications()
    configurations = []
    for application in found:
        if application:
            configurations.append(Current(tenant, application.get('displayName'), None, application).describe())
    return dict(changed=False, configurations=configurations)
