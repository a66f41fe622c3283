# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Request bodies against Graph's OpenAPI description, with the small JSON-schema subset it uses.

The reconstructed fragment lives outside the collection, in
``../shared/graph/openapi_fragment.json`` next to the repository (or wherever
``ENTRA_GRAPH_OPENAPI`` points). Where it is not available (a staged copy of
the collection), an equivalent description built from the collection's own
property list is used, so the check still runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible_collections.entra.graph.plugins.module_utils.partner import PROPERTIES

ENV_VAR = 'ENTRA_GRAPH_OPENAPI'
TYPE_REF = '#/components/schemas/microsoft.graph.crossTenantIdentitySyncPolicyPartner'

_DATE_TIME = (r'^[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,12})?'
              r'(Z|[+-][0-9][0-9]:[0-9][0-9])$')
USER_SYNC_REF = '#/components/schemas/microsoft.graph.crossTenantUserSyncInbound'
GROUP_SYNC_REF = '#/components/schemas/microsoft.graph.crossTenantGroupSyncInbound'
_SYNC = {'type': 'object', 'properties': {'isSyncAllowed': {'type': 'boolean', 'nullable': True}, '@odata.type': {'type': 'string'}}}
# The fallback's types, keyed by the collection's own property list (checked to match it below).
_FALLBACK_TYPES = {
    'tenantId': {'type': 'string', 'readOnly': True},
    'displayName': {'type': 'string', 'nullable': True},
    'deletedDateTime': {'type': 'string', 'nullable': True, 'pattern': _DATE_TIME},
    'externalCloudAuthorizedApplicationId': {'type': 'string', 'nullable': True},
    'userSyncInbound': {'anyOf': [{'$ref': USER_SYNC_REF}, {'type': 'object', 'nullable': True}]},
    'groupSyncInbound': {'anyOf': [{'$ref': GROUP_SYNC_REF}, {'type': 'object', 'nullable': True}]},
}


def candidate_paths():
    """``$ENTRA_GRAPH_OPENAPI``, then ``../shared/graph/openapi_fragment.json`` beside the repository root.

    The tests may run from the repository, through a symlink to it, or from a copy staged
    inside it (``build/ansible_collections/entra/graph``), so each folder above this file is
    tried as the root.
    """
    paths = []
    if os.environ.get(ENV_VAR):
        paths.append(os.environ[ENV_VAR])
    here = os.path.dirname(os.path.abspath(__file__))
    for start in (here, os.path.realpath(here)):
        folder = start
        while True:
            path = os.path.join(os.path.dirname(folder), 'shared', 'graph', 'openapi_fragment.json')
            if path not in paths:
                paths.append(path)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return paths


def load_openapi():
    """(document, source): the fragment when one of the candidate paths holds it, else the fallback."""
    for path in candidate_paths():
        if os.path.isfile(path):
            with open(path) as handle:
                return json.load(handle), path
    return fallback_document(), 'the collection property list (no OpenAPI fragment found)'


def fallback_document():
    if set(_FALLBACK_TYPES) != set(PROPERTIES):
        raise AssertionError('the fallback schema must describe exactly the collection properties %s' % (PROPERTIES,))
    body = {'$ref': TYPE_REF}
    schema = {'type': 'object', 'properties': dict(_FALLBACK_TYPES, **{'@odata.type': {'type': 'string'}})}
    operation = {'requestBody': {'content': {'application/json': {'schema': body}}}}
    return {
        'paths': {
            '/policies/deletedItems/crossTenantSyncPolicyPartners': {'post': operation},
            '/policies/deletedItems/crossTenantSyncPolicyPartners/{crossTenantIdentitySyncPolicyPartner-tenantId}': {'put': operation},
            '/policies/crossTenantAccessPolicy/partners/{crossTenantAccessPolicyConfigurationPartner-tenantId}/identitySynchronization':
                {'put': operation, 'patch': operation},
        },
        'components': {'schemas': {
            'microsoft.graph.crossTenantIdentitySyncPolicyPartner': schema,
            'microsoft.graph.crossTenantUserSyncInbound': _SYNC,
            'microsoft.graph.crossTenantGroupSyncInbound': _SYNC,
        }},
    }


class OpenApi:
    def __init__(self, document):
        self.document = document

    def resolve(self, schema):
        while isinstance(schema, dict) and '$ref' in schema:
            ref = schema['$ref']
            if not ref.startswith('#/'):
                raise AssertionError('only local $ref is supported: %s' % ref)
            node = self.document
            for part in ref[2:].split('/'):
                node = node[part]
            schema = node
        return schema

    def request_schema(self, method, path):
        """The JSON request body schema of ``method path`` (path after ``/beta``), or None if undescribed."""
        for template, item in self.document['paths'].items():
            pattern = '^' + re.sub(r'\\\{[^}]*\\\}', '[^/]+', re.escape(template)) + '$'
            if re.match(pattern, path):
                operation = item.get(method.lower())
                if operation is None:
                    return None
                body = operation.get('requestBody')
                if body is None:
                    return None
                return body['content']['application/json']['schema']
        return None

    def errors(self, instance, schema, where='body', forbid_read_only=False):
        """Every way ``instance`` breaks ``schema``, as readable strings."""
        schema = self.resolve(schema)
        problems = []
        if instance is None:
            if not _nullable(self, schema):
                problems.append('%s: null is not allowed' % where)
            return problems
        for sub in schema.get('allOf', []):
            problems.extend(self.errors(instance, sub, where, forbid_read_only))
        for key in ('anyOf', 'oneOf'):
            if key in schema:
                branches = [self.errors(instance, sub, where, forbid_read_only) for sub in schema[key]]
                if all(branches):
                    problems.append('%s: matches no branch of %s: %s' % (where, key, '; '.join(b[0] for b in branches)))
        expected = schema.get('type')
        if expected and not _has_type(instance, expected):
            problems.append('%s: %r is not of type %s' % (where, instance, expected))
            return problems
        if 'enum' in schema and instance not in schema['enum']:
            problems.append('%s: %r is not one of %r' % (where, instance, schema['enum']))
        if isinstance(instance, str) and 'pattern' in schema and not re.search(schema['pattern'], instance):
            problems.append('%s: %r does not match %s' % (where, instance, schema['pattern']))
        if isinstance(instance, dict):
            for name in schema.get('required', []):
                if name not in instance:
                    problems.append('%s: %s is required' % (where, name))
            props = schema.get('properties', {})
            for name, value in instance.items():
                if name in props:
                    sub = self.resolve(props[name])
                    if forbid_read_only and sub.get('readOnly'):
                        problems.append('%s.%s is read-only' % (where, name))
                    problems.extend(self.errors(value, sub, '%s.%s' % (where, name), forbid_read_only))
                elif schema.get('additionalProperties') is False:
                    problems.append('%s.%s is not allowed' % (where, name))
        if isinstance(instance, list) and 'items' in schema:
            for index, value in enumerate(instance):
                problems.extend(self.errors(value, schema['items'], '%s[%d]' % (where, index), forbid_read_only))
        return problems

    def known_properties(self, schema):
        """Property name -> schema, through $ref, allOf and anyOf/oneOf (union)."""
        schema = self.resolve(schema)
        found = {}
        for key in ('allOf', 'anyOf', 'oneOf'):
            for sub in schema.get(key, []):
                found.update(self.known_properties(sub))
        found.update(schema.get('properties', {}))
        return found

    def unknown_properties(self, instance, schema, where='body'):
        """Keys the description does not know, at any depth (Graph rejects unknown properties)."""
        known = self.known_properties(schema)
        problems = []
        if not isinstance(instance, dict) or not known:
            return problems
        for name, value in instance.items():
            if name not in known:
                problems.append('%s.%s is not a property of the type' % (where, name))
            elif isinstance(value, dict):
                problems.extend(self.unknown_properties(value, known[name], '%s.%s' % (where, name)))
        return problems


def _nullable(api, schema):
    schema = api.resolve(schema)
    if schema.get('nullable'):
        return True
    return any(_nullable(api, sub) for sub in schema.get('anyOf', []) + schema.get('oneOf', []))


def _has_type(instance, expected):
    if expected == 'object':
        return isinstance(instance, dict)
    if expected == 'array':
        return isinstance(instance, list)
    if expected == 'string':
        return isinstance(instance, str)
    if expected == 'boolean':
        return isinstance(instance, bool)
    if expected == 'integer':
        return isinstance(instance, int) and not isinstance(instance, bool)
    if expected == 'number':
        return isinstance(instance, (int, float)) and not isinstance(instance, bool)
    return True
