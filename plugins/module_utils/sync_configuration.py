# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A cross-tenant synchronization configuration described the way the modules speak of it: the options
mapped onto the job's secrets, what differs between the wanted and the current configuration (secrets,
assignments, the job's state), the returned ``configuration`` shape, and messages that say how to fix a
failed credential check or a quarantine. No Graph calls here (those are in ``synchronization.py``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# The scope option and the SyncAll secret ("true"/"false" strings, not booleans).
SCOPES = {'assigned': 'false', 'all': 'true'}
# restart's criteria.resetScope: option values and the flag names Graph takes, comma-separated.
RESET_SCOPES = {'quarantine_state': 'QuarantineState', 'watermark': 'Watermark', 'escrows': 'Escrows',
                'force_deletes': 'ForceDeletes', 'full': 'Full'}
# What GET secrets answers in place of a value it does not show.
MASKED = '*'
# What a configuration has before any cycle: Graph's "never" for the steady-state times.
NEVER = '0001-01-01T00:00:00Z'
# The notification settings Microsoft's tutorial saves with a new configuration.
DEFAULT_NOTIFICATIONS = {'Enabled': False, 'DeleteThresholdEnabled': False, 'HumanResourcesLookaheadQueryEnabled': False}
QUARANTINE_FIX = ('remove the cause, then run entra.graph.crosstenant_sync_configuration with job_state: restarted and '
                  'reset_scope: [quarantine_state]')


def _same(current, wanted):
    """A saved secret equals the wanted value; a masked one is taken as equal (it cannot be compared)."""
    if current == MASKED:
        return True
    return isinstance(current, str) and current.strip().lower() == wanted.strip().lower()


def parse_notifications(text):
    """SyncNotificationSettings as a dict; {} when it is missing, masked or not a JSON object."""
    if not isinstance(text, str) or text == MASKED:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def wanted_notifications(current_text, notification_email, threshold, creating):
    """The SyncNotificationSettings JSON to save, or None when the saved one already says what the options say."""
    if notification_email is None and threshold is None and not (creating and current_text is None):
        return None
    current = parse_notifications(current_text)
    wanted = dict(DEFAULT_NOTIFICATIONS) if current_text is None else dict(current)
    if notification_email is not None:
        wanted['Recipients'] = notification_email
        wanted['Enabled'] = bool(notification_email)
    if threshold is not None:
        wanted['DeleteThresholdEnabled'] = threshold > 0
        if threshold > 0:
            wanted['DeleteThresholdValue'] = threshold
    if current_text is not None and (current_text == MASKED or all(current.get(k) == v for k, v in wanted.items())):
        return None
    return json.dumps(wanted, separators=(',', ':'), sort_keys=True)


def secrets_to_save(current, target_tenant_id, scope, notification_email, threshold):
    """The secrets that differ from ``current`` (GET secrets as a dict), as a dict key -> value to PUT.

    ``target_tenant_id`` None keeps the saved CompanyId; ``scope`` None keeps SyncAll (``assigned`` on a new job).
    """
    creating = 'CompanyId' not in current
    wanted = {'AuthenticationType': 'SyncPolicy'}
    if target_tenant_id is not None:
        wanted['CompanyId'] = target_tenant_id
    if scope is not None:
        wanted['SyncAll'] = SCOPES[scope]
    elif 'SyncAll' not in current:
        wanted['SyncAll'] = SCOPES['assigned']
    changes = dict((key, value) for key, value in wanted.items() if not _same(current.get(key), value))
    notifications = wanted_notifications(current.get('SyncNotificationSettings'), notification_email, threshold, creating)
    if notifications is not None:
        changes['SyncNotificationSettings'] = notifications
    return changes


def assignment_changes(wanted, current, role_id, purge):
    """``(to_add, to_remove)``: principal ids not yet assigned the role, and (with ``purge``) assignments of the role
    to principals not wanted. ``wanted`` is a list of dicts ``principal_id``; ``current`` appRoleAssignedTo's items."""
    mine = [a for a in current if (a.get('appRoleId') or '').lower() == (role_id or '').lower()]
    have = set((a.get('principalId') or '').lower() for a in mine)
    want = []
    for item in wanted or []:
        principal = item['principal_id'].strip().lower()
        if principal not in want:
            want.append(principal)
    to_add = [principal for principal in want if principal not in have]
    to_remove = [a for a in mine if (a.get('principalId') or '').lower() not in want] if purge else []
    return to_add, to_remove


def is_active(job):
    return ((job or {}).get('schedule') or {}).get('state') == 'Active'


def job_actions(job, job_state, reset_scope):
    """``[(action, body)]`` to bring the job to ``job_state``: start only a job that is not active, pause only an
    active one, restart always (with ``criteria.resetScope`` when ``reset_scope`` is given)."""
    if job_state == 'started' and not is_active(job):
        return [('start', None)]
    if job_state == 'paused' and is_active(job):
        return [('pause', None)]
    if job_state == 'restarted':
        if reset_scope is None:
            return [('restart', None)]
        return [('restart', {'criteria': {'resetScope': ', '.join(RESET_SCOPES[s] for s in reset_scope)}})]
    return []


def _time(value):
    return None if value in (None, '', NEVER) else value


def _execution(execution):
    if not isinstance(execution, dict):
        return None
    error = execution.get('error') if isinstance(execution.get('error'), dict) else None
    if error is not None and error.get('code') in (None, '', 'None'):
        error = None
    return {
        'state': execution.get('state'), 'time_began': _time(execution.get('timeBegan')),
        'time_ended': _time(execution.get('timeEnded')), 'count_entitled': execution.get('countEntitled'),
        'count_exported': execution.get('countExported'), 'count_imported': execution.get('countImported'),
        'count_escrowed': execution.get('countEscrowed'),
        'error': None if error is None else {'code': error.get('code'), 'message': error.get('message')},
    }


def _quarantine(quarantine):
    if not isinstance(quarantine, dict):
        return None
    error = quarantine.get('error') if isinstance(quarantine.get('error'), dict) else {}
    return {'reason': quarantine.get('reason'), 'current_began': quarantine.get('currentBegan'),
            'next_attempt': quarantine.get('nextAttempt'), 'series_began': quarantine.get('seriesBegan'),
            'series_count': quarantine.get('seriesCount'),
            'error': {'code': error.get('code'), 'message': error.get('message')} if error else None}


def job_status(job):
    """The job's status in the modules' shape (snake_case; Graph's 0001-01-01 "never" as null)."""
    if not job:
        return {}
    status = job.get('status') or {}
    schedule = job.get('schedule') or {}
    counts = status.get('synchronizedEntryCountByType') or []
    return {
        'status_code': status.get('code'), 'schedule_state': schedule.get('state'), 'interval': schedule.get('interval'),
        'quarantine': _quarantine(status.get('quarantine')),
        'last_execution': _execution(status.get('lastExecution')),
        'last_successful_execution': _execution(status.get('lastSuccessfulExecution')),
        'steady_state_first_achieved': _time(status.get('steadyStateFirstAchievedTime')),
        'steady_state_last_achieved': _time(status.get('steadyStateLastAchievedTime')),
        'count_successive_complete_failures': status.get('countSuccessiveCompleteFailures'),
        'entry_counts': dict((c.get('key'), c.get('value')) for c in counts if isinstance(c, dict)),
        'troubleshooting_url': status.get('troubleshootingUrl') or None,
    }


def describe(name, application=None, service_principal=None, job=None, secrets=None, assignments=None, role_id=None):
    """The ``configuration`` a module returns; {} when there is no application."""
    if not application:
        return {}
    secrets = secrets or {}
    notifications = parse_notifications(secrets.get('SyncNotificationSettings'))
    sync_all = (secrets.get('SyncAll') or '').lower()
    company = secrets.get('CompanyId')
    mine = [a for a in assignments or [] if role_id is None or (a.get('appRoleId') or '').lower() == role_id.lower()]
    threshold = None
    if notifications:
        threshold = notifications.get('DeleteThresholdValue', 0) if notifications.get('DeleteThresholdEnabled') else 0
    return {
        'name': name,
        'application_id': application.get('appId'),
        'application_object_id': application.get('id'),
        'service_principal_id': (service_principal or {}).get('id'),
        'job_id': (job or {}).get('id'),
        'target_tenant_id': company.lower() if isinstance(company, str) and company != MASKED else company,
        'scope': {'true': 'all', 'false': 'assigned'}.get(sync_all),
        'notification_email': (notifications.get('Recipients') or None) if notifications.get('Enabled') else None,
        'accidental_deletion_threshold': threshold,
        'assignments': sorted(({'principal_id': (a.get('principalId') or '').lower(),
                                'principal_type': (a.get('principalType') or '').lower() or None,
                                'assignment_id': a.get('id')} for a in mine), key=lambda a: a['principal_id']),
        'job': job_status(job),
    }


def quarantine_warning(name, configuration):
    """A warning for a quarantined job: why, and what to do; None when it is not quarantined."""
    job = configuration.get('job') or {}
    if job.get('status_code') != 'Quarantine':
        return None
    quarantine = job.get('quarantine') or {}
    error = quarantine.get('error') or {}
    return ('the synchronization job of %s is in quarantine (reason %s%s%s): Microsoft Entra ID retries it less and less '
            'often until it is fixed; %s' % (
                name, quarantine.get('reason') or 'unknown', ', error ' + error['code'] if error.get('code') else '',
                ': ' + error['message'] if error.get('message') else '', QUARANTINE_FIX))


def access_partner_fix(tenant, partner, direction):
    return ('in the %s tenant, entra.graph.crosstenant_access_partner with tenant_id: %s and '
            'automatic_user_consent_settings: {%s_allowed: true}' % (tenant, partner, direction))


def validation_failure(error_code, message, source_id, target_id):
    """The task's message for a failed validateCredentials: which tenant lacks what, and which module fixes it."""
    text = (message or '').lower()
    code = (error_code or '').lower()
    fixes = []
    if code == 'externaltenantnotfound':
        fixes.append('target_tenant_id %s is not a tenant of this cloud: check it' % target_id)
    elif 'outbound' in text:
        fixes.append(access_partner_fix('source', target_id, 'outbound'))
    else:
        source = source_id or '<the source tenant id>'
        sync_fix = ('in the target tenant, entra.graph.crosstenant_sync_partner with tenant_id: %s, location: '
                    'partner_policy and user_sync_inbound: {is_sync_allowed: true}' % source)
        if 'consent' in text or 'redemption' in text:
            fixes.append(access_partner_fix('target', source, 'inbound'))
        elif 'synchroni' in text:
            fixes.append(sync_fix)
        else:
            fixes.extend([access_partner_fix('target', source, 'inbound'), sync_fix])
    return 'the credentials check (validateCredentials) failed, so nothing was saved: %s. Fix: %s' % (message, '; and '.join(fixes))
