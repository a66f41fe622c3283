# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Is every body a module sent one Graph takes? Checked two ways, by two sources that do not share code:

- the emulator's types (``tests/emulator/schema.py``), per API version: what a v1.0 request may carry,
  and the partner configuration (``crossTenantAccessPolicyConfigurationPartner``);
- Graph's OpenAPI description of the sync policy, reconstructed from Microsoft's SDK and metadata, in
  ``../shared/graph/openapi_fragment.json`` next to the repository (or wherever ``ENTRA_GRAPH_OPENAPI``
  points), with the small JSON-schema subset it uses. A staged copy of the collection outside that
  folder has no fragment; the emulator's check still runs, and ``DESCRIPTIONS`` says which ran.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible_collections.entra.graph.tests.emulator import schema as graph_schema

ENV_VAR = 'ENTRA_GRAPH_OPENAPI'
SYNC_POLICY_TYPE = '#microsoft.graph.crossTenantIdentitySyncPolicyPartner'
USER_SYNC_REF = '#/components/schemas/microsoft.graph.crossTenantUserSyncInbound'
GROUP_SYNC_REF = '#/components/schemas/microsoft.graph.crossTenantGroupSyncInbound'
# Properties newer than the fragment: the emulator's types check them.
BEYOND_FRAGMENT = {'roleEnabledGroupSyncInbound': 'msgraph-beta-sdk 1.66 beta metadata (DESIGN.md)'}

_SYNC_POLICY_PATHS = re.compile(r'^/(v1\.0|beta)/policies/(deletedItems/crossTenantSyncPolicyPartners(/[^/]+)?|'
                                r'crossTenantAccessPolicy/partners/[^/]+/identitySynchronization)$')
_PARTNER_PATHS = re.compile(r'^/(v1\.0|beta)/policies/(deletedItems/crossTenantPartners|crossTenantAccessPolicy/partners)(/[^/]+)?$')


def graph_writes(seen):
    return [s for s in seen if s.kind == 'graph' and s.method != 'GET']


# ---------------------------------------------------------------------------------------------
# the emulator's types


class EmulatorTypes:
    """Bodies against the emulator's types, for the version each request went to."""

    name = 'emulator types (tests/emulator/schema.py)'

    def problems(self, seen):
        problems = []
        for request in graph_writes(seen):
            where = '%s %s' % (request.method, request.path)
            if request.method == 'DELETE' or request.path.endswith('/restore'):
                if request.body:
                    problems.append('%s must have no body' % where)
                continue
            if _SYNC_POLICY_PATHS.match(request.path):
                entity = graph_schema.SYNC_POLICY
            elif _PARTNER_PATHS.match(request.path):
                entity = graph_schema.PARTNER
            else:
                problems.append('%s is not a path of the collection\'s resources' % where)
                continue
            if not isinstance(request.json, dict):
                problems.append('%s: the body is not a JSON object' % where)
                continue
            try:
                if request.method == 'PATCH':
                    graph_schema.parse_patch(entity, request.json, request.version)
                else:
                    entity.parse(request.json, request.version, partial=True)
            except graph_schema.SchemaError as exc:
                problems.append('%s: %s' % (where, exc.message))
            if request.method == 'POST' and 'tenantId' not in request.json:
                problems.append('%s: a create names the key, tenantId' % where)
            if request.method in ('PUT', 'PATCH') and 'tenantId' in request.json:
                problems.append('%s: tenantId is the key in the URL, not a property to write' % where)
            if request.method == 'POST' and entity is graph_schema.SYNC_POLICY and request.json.get('@odata.type') != SYNC_POLICY_TYPE:
                problems.append('%s: without the documented @odata.type' % where)
        return problems


# ---------------------------------------------------------------------------------------------
# the OpenAPI fragment


def candidate_paths():
    """``$ENTRA_GRAPH_OPENAPI``, then ``../shared/graph/openapi_fragment.json`` beside each folder above this file.

    The tests may run from the repository, through a symlink to it, or from a copy staged inside it
    (``build/ansible_collections/entra/graph``), so each folder above this file is tried as the root.
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
    """The fragment's document and where it was found, or (None, None)."""
    for path in candidate_paths():
        if os.path.isfile(path):
            with open(path) as handle:
                return json.load(handle), path
    return None, None


class OpenApi:
    """An OpenAPI document and the JSON-schema subset Graph's description uses."""

    def __init__(self, document, name='OpenAPI'):
        self.document = document
        self.name = name

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
        """The JSON request body schema of ``method path`` (path after the version), or None if undescribed."""
        for template, item in self.document['paths'].items():
            pattern = '^' + re.sub(r'\\\{[^}]*\\\}', '[^/]+', re.escape(template)) + '$'
            if re.match(pattern, path):
                operation = item.get(method.lower())
                body = (operation or {}).get('requestBody')
                return None if body is None else body['content']['application/json']['schema']
        return None

    def type_schema(self, path):
        """The body schema of any write the description has for ``path``: the type a write there carries."""
        for method in ('PATCH', 'PUT', 'POST'):
            schema = self.request_schema(method, path)
            if schema is not None:
                return schema
        return None

    def errors(self, instance, schema, where='body', forbid_read_only=False):
        """Every way ``instance`` breaks ``schema``, as readable strings."""
        schema = self.resolve(schema)
        problems = []
        if instance is None:
            if not self._nullable(schema):
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

    def _nullable(self, schema):
        schema = self.resolve(schema)
        if schema.get('nullable'):
            return True
        return any(self._nullable(sub) for sub in schema.get('anyOf', []) + schema.get('oneOf', []))

    def problems(self, seen):
        """Why a sync policy body a module sent breaks the description (other resources: not described)."""
        problems = []
        for request in graph_writes(seen):
            if not _SYNC_POLICY_PATHS.match(request.path) or not request.body or not isinstance(request.json, dict):
                continue
            path = request.path.split('/', 2)[2]
            path = '/' + path
            schema = self.request_schema(request.method, path) or self.type_schema(path)
            where = '%s %s' % (request.method, request.path)
            if schema is None:
                problems.append('%s: no write on this path in the description' % where)
                continue
            body = dict((k, v) for k, v in request.json.items() if k not in BEYOND_FRAGMENT)
            # tenantId is the key: a create names it, a write to an object takes it from the URL.
            read_only = request.method != 'POST'
            problems.extend('%s: %s' % (where, p) for p in self.errors(body, schema, forbid_read_only=read_only))
            problems.extend('%s: %s' % (where, p) for p in self.unknown_properties(body, schema))
            # The description also lets these be any object; what the module sends must be the typed one.
            for prop, ref in (('userSyncInbound', USER_SYNC_REF), ('groupSyncInbound', GROUP_SYNC_REF)):
                if body.get(prop) is not None:
                    problems.extend('%s: %s' % (where, p) for p in self.errors(body[prop], {'$ref': ref}, 'body.' + prop))
                    problems.extend('%s: %s' % (where, p) for p in self.unknown_properties(body[prop], {'$ref': ref}, 'body.' + prop))
        return problems


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


def descriptions():
    """The checks that run: the emulator's types always, the OpenAPI fragment when it is found."""
    document, path = load_openapi()
    checks = [EmulatorTypes()]
    if document is not None:
        checks.append(OpenApi(document, 'OpenAPI fragment %s' % path))
    return checks


DESCRIPTIONS = descriptions()


def body_problems(seen):
    """Why a write among ``seen`` is not a valid Graph request, per each description."""
    return ['%s (%s)' % (problem, check.name) for check in DESCRIPTIONS for problem in check.problems(seen)]
