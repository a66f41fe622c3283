# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The source tenant's Graph calls for a cross-tenant synchronization configuration (all on v1.0): the
application made from the gallery template and its service principal, the service principal's
synchronization job, secrets, validateCredentials, start/pause/restart, schema and provisionOnDemand, and
who is assigned to it (appRoleAssignedTo). A refusal (403) names the permission the call needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError, GraphError

# The gallery application Microsoft's cross-tenant synchronization tutorial instantiates.
TEMPLATE_ID = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'
JOB_TEMPLATE_ID = 'Azure2Azure'
ROLE_NAME = 'msiam_access'
USER_RULE = 'USER_INBOUND_USER'

# The least privileged application permissions of each kind of call (the Graph permission tables).
APPLICATION_READ = 'Application.Read.All (or Application.ReadWrite.OwnedBy for applications the caller owns)'
APPLICATION_WRITE = 'Application.ReadWrite.OwnedBy (applications the caller owns) or Application.ReadWrite.All'
SYNC_READ = 'Synchronization.Read.All (or Synchronization.ReadWrite.All)'
SYNC_WRITE = 'Synchronization.ReadWrite.All'
ASSIGN = 'AppRoleAssignment.ReadWrite.All together with Application.Read.All'
POLICY_READ = 'Policy.Read.All'


def _odata_string(value):
    # OData doubles a quote inside a string literal.
    return "'%s'" % value.replace("'", "''")


def _filter(expression):
    return '$filter=' + quote(expression, safe="'=()")


class SourceTenant:
    """Graph calls of the source tenant, through a v1.0 ``GraphClient``."""

    def __init__(self, client):
        self.client = client

    # -- permission-aware calls -------------------------------------------------------------------

    def _guard(self, permission, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except GraphError as exc:
            if exc.status != 403:
                raise
            raise GraphError('%s (the app or identity needs the Microsoft Graph permission %s; grant it with admin '
                             'consent, then run the task again)' % (exc.message, permission), status=exc.status,
                             error_code=exc.error_code, request_id=exc.details.get('request_id'),
                             client_request_id=exc.details.get('client_request_id'))

    def _get(self, permission, path, missing_ok=False):
        return self._guard(permission, self.client.get, path, missing_ok=missing_ok)

    def _list(self, permission, path):
        return self._guard(permission, self.client.list, path)

    def _send(self, permission, method, path, body=None):
        return self._guard(permission, self.client.request, method, path, body=body)

    # -- the application and its service principal ---------------------------------------------

    def applications_named(self, name):
        """Applications made from the template with exactly this display name (Graph compares without case)."""
        expression = 'displayName eq %s and applicationTemplateId eq %s' % (_odata_string(name), _odata_string(TEMPLATE_ID))
        found = self._list(APPLICATION_READ, '/applications?' + _filter(expression))
        # Checked again here: a filter the service ignored must not hand over another application.
        return [app for app in found if app.get('displayName') == name
                and (app.get('applicationTemplateId') or '').lower() == TEMPLATE_ID]

    def all_applications(self):
        """Every application made from the template."""
        found = self._list(APPLICATION_READ, '/applications?' + _filter('applicationTemplateId eq %s' % _odata_string(TEMPLATE_ID)))
        return [app for app in found if (app.get('applicationTemplateId') or '').lower() == TEMPLATE_ID]

    def service_principal_of(self, app_id):
        """The service principal of the application ``app_id``, or None while there is none (or it replicates)."""
        found = self._list(APPLICATION_READ, '/servicePrincipals?' + _filter('appId eq %s' % _odata_string(app_id)))
        return found[0] if found else None

    def application(self, object_id):
        return self._get(APPLICATION_READ, '/applications/%s' % object_id, missing_ok=True)

    def service_principal(self, sp_id):
        return self._get(APPLICATION_READ, '/servicePrincipals/%s' % sp_id, missing_ok=True)

    def instantiate(self, name):
        """POST instantiate: ``(application, service principal)`` as the 201 answer carries them."""
        response = self._send(APPLICATION_WRITE, 'POST', '/applicationTemplates/%s/instantiate' % TEMPLATE_ID,
                              {'displayName': name})
        body = response.body or {}
        application, service_principal = body.get('application'), body.get('servicePrincipal')
        if not isinstance(application, dict) or not isinstance(service_principal, dict):
            raise GraphError('POST /applicationTemplates/%s/instantiate answered HTTP %d without the application and '
                             'service principal it created; run the task again to find them by name'
                             % (TEMPLATE_ID, response.status), status=response.status,
                             request_id=response.headers.get('request-id'))
        return application, service_principal

    def delete_application(self, object_id):
        """DELETE the application; its service principal, job and assignments go with it."""
        self._send(APPLICATION_WRITE, 'DELETE', '/applications/%s' % object_id)

    # -- the synchronization job ----------------------------------------------------------------

    def _sync(self, sp_id):
        return '/servicePrincipals/%s/synchronization' % sp_id

    def jobs(self, sp_id):
        return self._list(SYNC_READ, self._sync(sp_id) + '/jobs')

    def job(self, sp_id, job_id):
        return self._get(SYNC_READ, '%s/jobs/%s' % (self._sync(sp_id), job_id), missing_ok=True)

    def create_job(self, sp_id):
        response = self._send(SYNC_WRITE, 'POST', self._sync(sp_id) + '/jobs', {'templateId': JOB_TEMPLATE_ID})
        if not response.body_usable or not response.body.get('id'):
            raise GraphError('POST %s/jobs answered HTTP %d without the job it created; run the task again to find it'
                             % (self._sync(sp_id), response.status), status=response.status,
                             request_id=response.headers.get('request-id'))
        return response.body

    def job_action(self, sp_id, job_id, action, body=None):
        """POST start, pause or restart."""
        self._send(SYNC_WRITE, 'POST', '%s/jobs/%s/%s' % (self._sync(sp_id), job_id, action), body)

    def schema(self, sp_id, job_id):
        return self._get(SYNC_READ, '%s/jobs/%s/schema' % (self._sync(sp_id), job_id))

    def provision_on_demand(self, sp_id, job_id, rule_id, user_id):
        body = {'parameters': [{'ruleId': rule_id, 'subjects': [{'objectId': user_id, 'objectTypeName': 'User'}]}]}
        return self._send(SYNC_WRITE, 'POST', '%s/jobs/%s/provisionOnDemand' % (self._sync(sp_id), job_id), body).body

    # -- credentials ----------------------------------------------------------------------------

    def secrets(self, sp_id):
        """The saved secrets as a dict key -> value (Graph masks credential-like values as "*")."""
        items = self._list(SYNC_READ, self._sync(sp_id) + '/secrets')
        return dict((item.get('key'), item.get('value')) for item in items if isinstance(item, dict))

    def save_secrets(self, sp_id, secrets):
        """PUT the keys given (Graph keeps the keys left out)."""
        pairs = [{'key': key, 'value': value} for key, value in sorted(secrets.items())]
        self._send(SYNC_WRITE, 'PUT', self._sync(sp_id) + '/secrets', {'value': pairs})

    def validate_credentials(self, sp_id, target_tenant_id):
        """POST validateCredentials with the credentials to be saved; raises GraphError when the check fails."""
        body = {'useSavedCredentials': False, 'templateId': JOB_TEMPLATE_ID,
                'credentials': [{'key': 'CompanyId', 'value': target_tenant_id},
                                {'key': 'AuthenticationType', 'value': 'SyncPolicy'}]}
        self._send(SYNC_WRITE, 'POST', self._sync(sp_id) + '/jobs/validateCredentials', body)

    # -- assignments ------------------------------------------------------------------------------

    def assignments(self, sp_id):
        return self._list(APPLICATION_READ, '/servicePrincipals/%s/appRoleAssignedTo' % sp_id)

    def assign(self, sp_id, principal_id, role_id):
        body = {'principalId': principal_id, 'resourceId': sp_id, 'appRoleId': role_id}
        return self._send(ASSIGN, 'POST', '/servicePrincipals/%s/appRoleAssignedTo' % sp_id, body).body or {}

    def unassign(self, sp_id, assignment_id):
        self._send(ASSIGN, 'DELETE', '/servicePrincipals/%s/appRoleAssignedTo/%s' % (sp_id, assignment_id))

    # -- the source tenant's partner configuration ----------------------------------------------

    def partner(self, tenant_id):
        return self._get(POLICY_READ, '/policies/crossTenantAccessPolicy/partners/%s' % tenant_id, missing_ok=True)


def msiam_access_role_id(service_principal):
    """The id of the service principal's msiam_access role (its ``value`` is null, so it is found by name)."""
    for role in service_principal.get('appRoles') or []:
        if role.get('displayName') == ROLE_NAME and role.get('isEnabled', True):
            return role.get('id')
    raise EntraGraphError('the service principal %s has no enabled app role %s, so nobody can be assigned to it; is it '
                          'a cross-tenant synchronization configuration made from the template %s?'
                          % (service_principal.get('id'), ROLE_NAME, TEMPLATE_ID))


def user_rule_id(schema, job_id):
    """The id of the schema's USER_INBOUND_USER rule (provisionOnDemand's ruleId)."""
    for rule in (schema or {}).get('synchronizationRules') or []:
        if rule.get('name') == USER_RULE and rule.get('id'):
            return rule['id']
    raise EntraGraphError('the schema of job %s has no %s rule, so users cannot be provisioned on demand; its rules are: %s'
                          % (job_id, USER_RULE, ', '.join(r.get('name') or '?' for r in (schema or {}).get('synchronizationRules') or []) or 'none'))
