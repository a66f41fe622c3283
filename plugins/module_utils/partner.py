# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The crossTenantIdentitySyncPolicyPartner resource: module options to Graph JSON,
value comparison and merging, and the two collections the object can live in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import re

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, GraphError

ODATA_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'

# Every property of the type, in the order Graph's documentation lists them.
PROPERTIES = ('tenantId', 'displayName', 'deletedDateTime', 'externalCloudAuthorizedApplicationId',
              'userSyncInbound', 'groupSyncInbound')

SCALAR_OPTIONS = (
    ('display_name', 'displayName'),
    ('external_cloud_authorized_application_id', 'externalCloudAuthorizedApplicationId'),
    ('deleted_date_time', 'deletedDateTime'),
)
NESTED_OPTIONS = (
    ('user_sync_inbound', 'userSyncInbound'),
    ('group_sync_inbound', 'groupSyncInbound'),
)
NESTED_SUBOPTIONS = (('is_sync_allowed', 'isSyncAllowed'),)

LOCATIONS = ('deleted_items', 'partner_policy')

_GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_ISO_8601 = re.compile(
    r'^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?'
    r'(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?$')


def partner_argument_spec():
    """Options that describe the object, shared by the module and its tests."""
    sync_suboptions = dict(is_sync_allowed=dict(type='bool', required=True))
    return dict(
        tenant_id=dict(type='str', required=True),
        display_name=dict(type='str'),
        external_cloud_authorized_application_id=dict(type='str'),
        user_sync_inbound=dict(type='dict', options=copy.deepcopy(sync_suboptions)),
        group_sync_inbound=dict(type='dict', options=copy.deepcopy(sync_suboptions)),
        deleted_date_time=dict(type='str'),
        location=dict(type='str', default='deleted_items', choices=list(LOCATIONS)),
    )


def validate_tenant_id(value, option='tenant_id'):
    """The partner tenant ID as Graph keys it: a GUID, lower case."""
    text = (value or '').strip()
    if not _GUID.match(text):
        raise ConfigurationError('%s must be a GUID such as 9c5d131d-b1c3-4fc4-9e3f-c6557947d551, got %r' % (option, value),
                                 option=option)
    return text.lower()


def parse_datetime(value):
    """An aware UTC datetime from ISO 8601 text; a missing offset means UTC. None if unparsable."""
    match = _ISO_8601.match((value or '').strip())
    if not match:
        return None
    try:
        date = datetime.datetime.strptime(match.group('date'), '%Y-%m-%d')
        fraction = (match.group('fraction') or '0')[:6].ljust(6, '0')
        moment = date.replace(hour=int(match.group('hour')), minute=int(match.group('minute')),
                              second=int(match.group('second') or 0), microsecond=int(fraction))
    except ValueError:
        return None
    offset = match.group('offset')
    if offset and offset not in ('Z', 'z'):
        digits = offset[1:].replace(':', '')
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if int(digits[2:]) > 59 or minutes > 18 * 60:
            return None
        delta = datetime.timedelta(minutes=minutes)
        try:
            moment = moment - delta if offset[0] == '+' else moment + delta
        except OverflowError:
            return None  # shifted to UTC, the moment falls before year 1 or after year 9999
    return moment.replace(tzinfo=datetime.timezone.utc)


def format_datetime(moment):
    """Graph's DateTimeOffset form: UTC with a Z, fractional seconds only when present."""
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    if moment.microsecond:
        text += ('.%06d' % moment.microsecond).rstrip('0')
    return text + 'Z'


def normalize_datetime(value, option='deleted_date_time'):
    moment = parse_datetime(value)
    if moment is None:
        raise ConfigurationError('%s must be an ISO 8601 date and time such as 2025-06-18T23:11:01Z, got %r' % (option, value),
                                 option=option)
    return format_datetime(moment)


def desired_properties(params):
    """The camelCase properties for the options the user set, and only those."""
    desired = {}
    for option, prop in SCALAR_OPTIONS:
        if params.get(option) is not None:
            desired[prop] = params[option]
    if 'deletedDateTime' in desired:
        desired['deletedDateTime'] = normalize_datetime(desired['deletedDateTime'])
    for option, prop in NESTED_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        nested = dict((sub_prop, value[sub]) for sub, sub_prop in NESTED_SUBOPTIONS if value.get(sub) is not None)
        if nested:
            desired[prop] = nested
    return desired


def create_body(tenant_id, desired):
    """The POST body for deleted items: the type, the key and what the user set."""
    body = {'@odata.type': ODATA_TYPE, 'tenantId': tenant_id}
    body.update(desired)
    return body


def clean(obj):
    """The object as Graph returned it, less the response's ``@odata.context``."""
    if not isinstance(obj, dict):
        return {}
    return dict((k, v) for k, v in obj.items() if k != '@odata.context')


def complete(obj):
    """``obj`` with every property of the type present, null where unknown, as Graph returns objects."""
    full = dict((prop, None) for prop in PROPERTIES)
    full.update(obj)
    return full


def values_equal(prop, current, desired):
    """Compare by value: a nested object matches when every key the user set matches."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(values_equal(key, current.get(key), value) for key, value in desired.items())
    if prop == 'deletedDateTime' and isinstance(current, str):
        return parse_datetime(current) == parse_datetime(desired)
    if isinstance(desired, bool) or isinstance(current, bool):
        return isinstance(current, bool) and isinstance(desired, bool) and current is desired
    return current == desired


def differences(current, desired):
    """The properties whose desired value the current object does not hold, sorted."""
    return sorted(prop for prop, value in desired.items() if not values_equal(prop, current.get(prop), value))


def merged(current, desired):
    """The object after the change: current values, overlaid by what the user set."""
    result = copy.deepcopy(clean(current))
    for prop, value in desired.items():
        if isinstance(value, dict) and isinstance(result.get(prop), dict):
            result[prop] = dict(result[prop], **value)
        else:
            result[prop] = copy.deepcopy(value)
    return result


def replacement_body(obj, writable):
    """A full-object body for PUT: the writable properties that hold a value, OData annotations dropped."""
    body = {}
    for prop in writable:
        value = obj.get(prop)
        if value is None:
            continue
        if isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if not k.startswith('@odata.') and v is not None)
        body[prop] = value
    return body


class _Store:
    """What both collections do alike: read one object by its key, delete it."""

    def __init__(self, client):
        self.client = client

    def item(self, tenant_id):
        raise NotImplementedError

    def get(self, tenant_id):
        found = self.client.get(self.item(tenant_id), missing_ok=True)
        return None if found is None else clean(found)

    def replace(self, tenant_id, obj):
        """PUT the whole object: the method replaces, so what the user left out is sent as it is now."""
        self.client.request('PUT', self.item(tenant_id), body=replacement_body(obj, self.writable), expected=self.put_answers)

    def delete(self, tenant_id):
        """Permanent in deleted items; for the live policy, Graph moves it into deleted items (restorable for 30 days)."""
        self.client.request('DELETE', self.item(tenant_id), expected=(204, 200))


class DeletedItems(_Store):
    """``/policies/deletedItems/crossTenantSyncPolicyPartners``: the seed's endpoint."""

    collection = '/policies/deletedItems/crossTenantSyncPolicyPartners'
    writable = PROPERTIES
    put_answers = (200, 204)

    def item(self, tenant_id):
        return '%s/%s' % (self.collection, tenant_id)

    def list(self):
        return [clean(item) for item in self.client.list(self.collection)]

    def create(self, tenant_id, desired):
        """POST the object; after a lost answer, the object found by a read counts as created."""
        response = self.client.request('POST', self.collection, body=create_body(tenant_id, desired), expected=(201,),
                                       verify_write=lambda: self.get(tenant_id))
        if not isinstance(response.body, dict) or not response.body:
            raise GraphError('POST %s answered 201 Created with an empty or non-object body; the object may have been created, '
                             'run the task again to read it' % self.collection, status=response.status,
                             request_id=response.headers.get('request-id'))
        return clean(response.body)

    def restore(self, tenant_id):
        """POST .../restore; after a lost answer, the policy found live by a read counts as restored."""
        live = PartnerPolicy(self.client)
        response = self.client.request('POST', self.item(tenant_id) + '/restore', expected=(200, 201, 204),
                                       verify_write=lambda: live.get(tenant_id))
        return clean(response.body) if isinstance(response.body, dict) else None


class PartnerPolicy(_Store):
    """``/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization``: the live policy."""

    partners = '/policies/crossTenantAccessPolicy/partners'
    # tenantId is the key, taken from the URL; deletedDateTime belongs to deleted items.
    writable = ('displayName', 'externalCloudAuthorizedApplicationId', 'userSyncInbound', 'groupSyncInbound')
    # PUT both creates and replaces the live policy; Graph documents 204.
    put_answers = (200, 201, 204)

    def item(self, tenant_id):
        return '%s/%s/identitySynchronization' % (self.partners, tenant_id)

    def list(self):
        """Each partner configuration's sync policy; partners without one are skipped."""
        found = []
        for partner in self.client.list(self.partners + '?$select=tenantId'):
            tenant_id = partner.get('tenantId') if isinstance(partner, dict) else None
            if tenant_id:
                policy = self.get(tenant_id)
                if policy is not None:
                    found.append(policy)
        return found

    def create(self, tenant_id, desired):
        """PUT creates the live policy; Graph answers without a body, so there is no object to return."""
        self.replace(tenant_id, desired)
        return None


def store_for(location, client):
    return DeletedItems(client) if location == 'deleted_items' else PartnerPolicy(client)
