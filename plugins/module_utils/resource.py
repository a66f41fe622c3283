# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Graph resource described once: its properties, which API versions carry them, how module
options map to its JSON and back, how a current object compares with what a task asks for, and
what a write must send. Nothing here speaks HTTP; the stores do that."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.values import normalize_datetime, parse_datetime

API_VERSIONS = ('auto', 'v1.0', 'beta')


class Prop:
    """One property: the module option, the Graph name, its kind and where it exists.

    ``kind`` is ``str``, ``bool``, ``datetime``, ``dict`` (``children`` are its properties) or
    ``list`` (of dicts whose properties are ``children``).
    """

    def __init__(self, option, name, kind='str', children=(), beta_only=False, required=False, choices=None,
                 writable=True, empty=None):
        self.option = option
        self.name = name
        self.kind = kind
        self.children = tuple(children)
        self.beta_only = beta_only
        self.required = required
        self.choices = choices
        self.writable = writable
        # What Graph holds when the value is unset and the type is not nullable (a collection: []).
        self.empty = empty

    def argument_spec(self):
        spec = dict(type='dict' if self.kind == 'dict' else self.kind if self.kind in ('bool', 'list') else 'str')
        if self.required:
            spec['required'] = True
        if self.choices:
            spec['choices'] = list(self.choices)
        if self.kind in ('dict', 'list'):
            spec['options'] = dict((child.option, child.argument_spec()) for child in self.children if child.writable)
        if self.kind == 'list':
            spec['elements'] = 'dict'
        return spec

    def to_graph(self, value):
        """The JSON value for an option value, keeping only what is set; None when nothing is."""
        if value is None:
            return None
        if self.kind == 'datetime':
            return normalize_datetime(value, self.option)
        if self.kind == 'dict':
            mapped = {}
            for child in self.children:
                child_value = child.to_graph(value.get(child.option)) if child.writable else None
                if child_value is not None:
                    mapped[child.name] = child_value
            return mapped or None
        if self.kind == 'list':
            items = []
            for item in value:
                items.append(dict((child.name, child.to_graph(item.get(child.option))) for child in self.children
                                  if item.get(child.option) is not None))
            return items
        return value

    def to_option(self, value):
        """The option value for a JSON value, the reverse of ``to_graph``; None when nothing is set."""
        if value is None:
            return None
        if self.kind == 'dict':
            if not isinstance(value, dict):
                return None
            mapped = {}
            for child in self.children:
                child_value = child.to_option(value.get(child.name))
                if child_value is not None:
                    mapped[child.option] = child_value
            return mapped or None
        if self.kind == 'list':
            if not isinstance(value, list):
                return None
            return [self._child_options(item) for item in value if isinstance(item, dict)]
        return value

    def complete(self, value):
        """``value`` with every member of a complex value present, null when unknown, as Graph returns it."""
        value = strip_annotations(value)
        if value is None and self.empty is not None:
            return copy.deepcopy(self.empty)
        if self.kind != 'dict' or not isinstance(value, dict):
            return value
        completed = dict((child.name, child.complete(value.get(child.name))) for child in self.children)
        completed.update((name, member) for name, member in value.items() if name not in completed)
        return completed

    def known(self, value, path, left_out):
        """``value`` with only the members this property describes; each other member's path is added to
        ``left_out``. Graph answers 400 to a write carrying a member it does not know, and a newer Graph may
        return members no option describes yet."""
        if not self.children:
            return value
        described = dict((child.name, child) for child in self.children)
        if self.kind == 'dict' and isinstance(value, dict):
            return self._known_members(value, described, path, left_out)
        if self.kind == 'list' and isinstance(value, list):
            return [self._known_members(item, described, path + '[]', left_out) if isinstance(item, dict) else item
                    for item in value]
        return value

    @staticmethod
    def _known_members(value, described, path, left_out):
        kept = {}
        for name, member in value.items():
            child = described.get(name)
            if child is None:
                left_out.append('%s.%s' % (path, name))
            else:
                kept[name] = child.known(member, '%s.%s' % (path, name), left_out)
        return kept

    def _child_options(self, item):
        return dict((child.option, child.to_option(item.get(child.name))) for child in self.children
                    if item.get(child.name) is not None)


class ResourceType:
    """A Graph entity type keyed by ``tenantId`` (or, with ``key=None``, a single object such as the default
    configuration), with the properties a module manages."""

    def __init__(self, odata_type, props, read_only=(), created=None, key='tenantId', noun=None):
        self.key = key
        # What messages call one object ("sync policy"): "created the sync policy of tenant ...".
        self.noun = noun
        self.odata_type = odata_type
        self.props = tuple(props)
        # Properties Graph returns that no option sets; they still belong to the object's shape.
        self.read_only = tuple(read_only)
        # What Graph's create answer holds for properties the request leaves out, where its documents show it.
        self.created = dict(created or {})
        self.by_option = dict((prop.option, prop) for prop in self.props)
        self.by_name = dict((prop.name, prop) for prop in self.props)

    # ---- options and JSON ----------------------------------------------------------------------

    def argument_spec(self):
        """The options that describe an object: its key, the partner's ``tenant_id``, and one per property."""
        spec = dict(tenant_id=dict(type='str', required=True)) if self.key else {}
        spec.update((prop.option, prop.argument_spec()) for prop in self.props)
        return spec

    def desired(self, params, options=None):
        """The camelCase properties for the options that are set, and only those. A complex option given with none
        of its members set (``inbound_trust: {}``) is refused: it would change nothing, and reads as "clear it"."""
        desired = {}
        for prop in self.props:
            if options is not None and prop.option not in options:
                continue
            given = params.get(prop.option)
            value = prop.to_graph(given)
            if value is not None:
                desired[prop.name] = value
            elif prop.kind == 'dict' and isinstance(given, dict):
                raise ConfigurationError(
                    '%s sets none of its members (%s), so it would change nothing; set one of them, or leave %s out to keep '
                    'what Graph holds' % (prop.option, ', '.join(child.option for child in prop.children if child.writable),
                                          prop.option), option=prop.option)
        return desired

    def cleared(self, desired, beta_only=True):
        """``desired`` with every writable property it leaves out set to null: what "exactly this" means.
        Without ``beta_only`` the properties only Graph beta has are left as they are: a task that names
        none of them may not have been able to read them (an export through v1.0)."""
        full = dict((prop.name, None) for prop in self.props
                    if prop.writable and prop.kind != 'datetime' and (beta_only or not prop.beta_only))
        full.update(desired)
        return full

    def options(self, obj):
        """The module options that describe ``obj``: snake_case, only what holds a value (an export)."""
        result = {}
        for prop in self.props:
            value = prop.to_option(obj.get(prop.name))
            if value is not None:
                result[prop.option] = value
        return result

    def beta_only(self, desired):
        """The options behind the properties of ``desired`` that only Graph beta has."""
        return [prop.option for prop in self.props if prop.beta_only and prop.name in desired]

    def shape(self, obj, api_version):
        """``obj`` as every answer of the collection presents it: each property of the version, null
        when unknown, and no OData annotations (Graph adds some answers' ``@odata.type``, not others')."""
        names = ([self.key] if self.key else []) + [p.name for p in self.props if api_version == 'beta' or not p.beta_only] + list(self.read_only)
        shaped = dict((name, None) for name in names)
        for name, value in obj.items():
            if not name.startswith('@'):
                prop = self.by_name.get(name)
                shaped[name] = prop.complete(value) if prop else strip_annotations(value)
        return shaped

    # ---- comparison and writes -----------------------------------------------------------------

    def differences(self, current, desired):
        """The properties whose desired value the current object does not hold, sorted."""
        return sorted(name for name, value in desired.items() if not matches(name, current.get(name), value))

    def patch_body(self, current, desired, names, left_out=None):
        """A PATCH body for ``names``: Graph replaces a complex value whole, so each is sent complete,
        its current values overlaid by the desired ones; but only with the members the property describes
        (the paths of the others are added to ``left_out``), since Graph refuses a member it does not know."""
        left_out = [] if left_out is None else left_out
        body = {}
        for name in names:
            value = writable_value(overlay(current.get(name), desired[name]))
            prop = self.by_name.get(name)
            body[name] = prop.known(value, name, left_out) if prop is not None else value
        return body


def strip_annotations(value):
    if isinstance(value, dict):
        return dict((k, strip_annotations(v)) for k, v in value.items() if not k.startswith('@'))
    if isinstance(value, list):
        return [strip_annotations(item) for item in value]
    return value


def writable_value(value):
    """A value as a request may carry it: no annotations, no null members inside complex values."""
    if isinstance(value, dict):
        return dict((k, writable_value(v)) for k, v in value.items() if not k.startswith('@') and v is not None)
    if isinstance(value, list):
        return [writable_value(item) for item in value]
    return value


def overlay(current, desired):
    """``desired`` laid over ``current``: complex values merge member by member, anything else is replaced."""
    if isinstance(desired, dict) and isinstance(current, dict):
        result = copy.deepcopy(strip_annotations(current))
        for key, value in desired.items():
            result[key] = overlay(result.get(key), value)
        return result
    return copy.deepcopy(desired)


def overlay_object(current, body):
    """The object after a write of ``body`` over ``current``."""
    result = copy.deepcopy(current)
    for name, value in body.items():
        result[name] = overlay(result.get(name), value) if value is not None else None
    return result


def matches(name, current, desired):
    """Whether ``current`` holds ``desired``: a complex value matches when every member that is set matches,
    a list when it holds the same items in any order, a date when it names the same instant."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(matches(key, current.get(key), value) for key, value in desired.items())
    if isinstance(desired, list):
        if not isinstance(current, list):
            return False
        return sorted(_canonical(item) for item in desired) == sorted(_canonical(item) for item in current)
    if desired is None:
        return is_null(current)
    if isinstance(desired, bool) or isinstance(current, bool):
        # Python says 1 == True; Graph's booleans are not numbers.
        return isinstance(current, bool) and isinstance(desired, bool) and current is desired
    if name.endswith('DateTime') and isinstance(current, str):
        return parse_datetime(current) == parse_datetime(desired)
    return current == desired


def is_null(value):
    """Whether ``value`` holds nothing: null, an empty collection, or a complex value whose members all hold
    nothing (another client may have written ``{}``, which Graph keeps as ``{"isSyncAllowed": null}``)."""
    if isinstance(value, dict):
        return all(is_null(member) for name, member in value.items() if not name.startswith('@'))
    return value is None or value == []


def _canonical(item):
    return json.dumps(writable_value(item), sort_keys=True)


class Plan:
    """What a task does to the object of ``tenant_id``: ``create``, ``update``, ``delete`` or ``none``, with
    the body to send, the object it expects afterwards, and ``desired``, what the task asked (nulls
    included), to decide again from when Graph answers that things changed since the read. ``noun`` is what
    messages call the object (the resource's)."""

    def __init__(self, action, changed_properties=(), body=None, before=None, after=None, tenant_id=None, desired=None,
                 noun=None, left_out=()):
        self.action = action
        # The members of changed complex values that the body leaves out: Graph returned them, no Prop describes them.
        self.left_out = list(left_out)
        self.changed_properties = list(changed_properties)
        self.body = body
        self.before = before
        self.after = after
        self.tenant_id = tenant_id
        self.desired = desired
        self.noun = noun

    def as_done(self, action=None, before=None, after=None):
        """This plan as carried out: the same object and request, with what really happened."""
        return Plan(action or self.action, self.changed_properties, body=self.body,
                    before=self.before if before is None else before, after=self.after if after is None else after,
                    tenant_id=self.tenant_id, desired=self.desired, noun=self.noun)

    @property
    def changed(self):
        return self.action != 'none'


def plan_present(resource, tenant_id, current, desired, api_version):
    """Create when missing; otherwise update only what differs, or nothing."""
    if current is None:
        body = writable_value(desired)
        after = resource.shape(dict(overlay(resource.created, body), tenantId=tenant_id), api_version)
        return Plan('create', sorted(body), body=body, before={}, after=after, tenant_id=tenant_id, desired=desired,
                    noun=resource.noun)
    names = resource.differences(current, desired)
    if not names:
        return Plan('none', before=current, after=current, tenant_id=tenant_id, desired=desired, noun=resource.noun)
    left_out = []
    body = resource.patch_body(current, desired, names, left_out)
    return Plan('update', names, body=body, before=current, after=resource.shape(overlay_object(current, body), api_version),
                tenant_id=tenant_id, desired=desired, noun=resource.noun, left_out=sorted(set(left_out)))


def left_out_warning(plan):
    """What to tell the user when an update of ``plan`` left members of a complex value out; None when it left none."""
    if not plan.left_out:
        return None
    return ('the update of the %s of tenant %s leaves out %s: Graph returned %s, but no option of this collection describes '
            '%s, and Graph refuses a write carrying a member it does not know. Graph keeps a member a PATCH leaves out when '
            'it merges complex values member by member (OData 4.01), and clears it if it replaces the value whole'
            % (plan.noun, plan.tenant_id, ', '.join(plan.left_out), 'it' if len(plan.left_out) == 1 else 'them',
               'it' if len(plan.left_out) == 1 else 'them'))


def plan_absent(resource, tenant_id, current):
    if current is None:
        return Plan('none', before={}, after={}, tenant_id=tenant_id, noun=resource.noun)
    return Plan('delete', before=current, after={}, tenant_id=tenant_id, noun=resource.noun)


def choose_api_version(requested, beta_reasons, option='api_version'):
    """The one API version every request of a task goes to.

    ``beta_reasons`` names what needs beta (beta-only options, a beta-only collection); ``auto``
    takes v1.0 unless something does, and an explicit v1.0 with such a reason fails before any request.
    """
    if requested == 'beta' or (requested == 'auto' and beta_reasons):
        return 'beta'
    if requested == 'v1.0' and beta_reasons:
        raise ConfigurationError('api_version=v1.0 cannot be used with %s, which only Microsoft Graph beta has; '
                                 'use api_version=beta or auto' % ', '.join(beta_reasons), option=option)
    return 'v1.0'
