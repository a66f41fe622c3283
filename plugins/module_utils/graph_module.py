# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every module of the collection does the same way: the connection options,
building the Graph client, and turning any failure into ``fail_json``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings, connection_argument_spec
from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError, MissingLibraryError
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.plugins.module_utils.values import is_guid, validate_tenant_id


class _Module(AnsibleModule):
    """An AnsibleModule whose argument check names the option given a string it cannot read as sub-options.
    Ansible's own message for that ("dictionary requested, could not parse JSON or key=value") names none: it
    comes from its scan for no_log values, which runs before the option's type is checked."""

    def _load_params(self):
        super(_Module, self)._load_params()
        # As given: the check replaces what it cannot read (a string for a list of dicts becomes []).
        self._given = copy.deepcopy(self.params)

    def fail_json(self, msg=None, **kwargs):
        if not getattr(self, '_checked', False):
            found = _unreadable_string(self.argument_spec, getattr(self, '_given', None) or {}, '')
            if found:
                path, kind, options, value = found
                msg = ('%s is the string %r; it takes %s with the sub-options %s, such as %s (Ansible said: %s)'
                       % (path, value, 'a list of dicts' if kind == 'list' else 'a dict', ', '.join(options),
                          _example(kind, options), msg))
        super(_Module, self).fail_json(msg=msg, **kwargs)


def _unreadable_string(spec, params, prefix):
    """The first option with sub-options given a string Ansible cannot read as them: (path, type, sub-options, value)."""
    if not isinstance(params, dict):
        return None
    for name, opts in spec.items():
        value = params.get(name)
        sub_spec = opts.get('options')
        if sub_spec is None or value is None:
            continue
        path = prefix + name
        # Ansible's check may already have made a list of the string.
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, str):
                if '{{' in item or '{%' in item:
                    # Ansible templates every value before a module runs: a template here means a static check of
                    # the task (ansible-lint's args rule), which knows Ansible's own message and must keep it.
                    continue
                try:
                    check_type_dict(item)
                except TypeError:
                    return path, opts.get('type'), list(sub_spec), item
                continue
            found = _unreadable_string(sub_spec, item, '%s%s.' % (path, '[%d]' % index if isinstance(value, list) else ''))
            if found:
                return found
    return None


def _example(kind, options):
    mapping = '{%s: ...}' % ', '.join(options[:2])
    return '[%s]' % mapping if kind == 'list' else mapping


class GraphModule:
    """An AnsibleModule with the connection options and a lazily built Graph client."""

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self.ansible = _Module(argument_spec=spec, **kwargs)
        self.ansible._checked = True
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = self.ansible._diff
        # The version the task's requests go to, once a module chose it (``client(api_version=...)``).
        self.api_version = 'beta'
        # What the task has already written, said when a later step fails.
        self.done = []
        self._connection = None
        self._clients = {}

    def client(self, api_version=None, pool_size=None):
        """The Graph client of this task for ``api_version`` (default: the task's version).

        The sign-in and the HTTP session are made on the first call and shared by every client handed out after
        it: ``pool_size`` (the number of threads that will send at once) counts only on that first call.
        """
        if api_version:
            self.api_version = api_version
        version = self.api_version
        if version not in self._clients:
            if self._connection is None:
                self._connection = self._connect(pool_size)
            transport, tokens, endpoint = self._connection
            from ansible_collections.entra.graph.plugins.module_utils.graph_client import GraphClient
            self._clients[version] = GraphClient(transport, endpoint, tokens, api_version=version)
        return self._clients[version]

    def tenant_id(self, option='tenant_id'):
        """The tenant ID the option ``option`` gives, as Graph keys it (a GUID, lower case); None when the task leaves
        the option out. Anything else fails before any request, naming the option."""
        value = self.params.get(option)
        return None if value is None else validate_tenant_id(value, option=option)

    def signed_in_tenant(self):
        """The ID of the directory the task signed in to (lower case): the access token's ``tid``, else the ``tenant``
        option when it is a GUID; None when neither says."""
        tenant = self.client().token_provider.tenant_id()
        if tenant is None and is_guid(self.params.get('tenant')):
            tenant = self.params['tenant'].strip().lower()
        return tenant

    def warn(self, text):
        self.ansible.warn(text)

    def add_diff(self, result, before, after):
        """``result`` with Ansible's ``diff`` of ``before`` and ``after`` when diff mode is on."""
        if self.diff_mode:
            result['diff'] = dict(before=before, after=after)
        return result

    def object_result(self, plan, fact):
        """The result of a task on one object, from its plan as done: the object after the task (also as the fact
        ``fact``), what changed, the API version, and the diff."""
        after = plan.after
        result = dict(changed=plan.changed, partner=after, changed_properties=plan.changed_properties,
                      api_version=self.api_version, ansible_facts={fact: after})
        return self.add_diff(result, plan.before, after)

    def record(self, what):
        """Note a write that happened, so that a failure after it still reports ``changed``."""
        self.done.append(what)

    def _connect(self, pool_size):
        # Imported here so a module that fails validation never pays for requests.
        from ansible_collections.entra.graph.plugins.module_utils.auth import TokenProvider
        from ansible_collections.entra.graph.plugins.module_utils.token_cache import token_cache_for
        from ansible_collections.entra.graph.plugins.module_utils.transport import Transport, build_session

        settings = ConnectionSettings(self.params)
        # Secrets read from AZURE_* variables are not parameters: hide them in results as no_log ones are.
        getattr(self.ansible, 'no_log_values', set()).update(settings.secret_values())
        if not settings.validate_certs:
            self.ansible.warn('validate_certs is false: TLS certificates of Microsoft Entra ID and Microsoft Graph are not '
                              'verified, so a machine in the middle could read the access token')
        transport = Transport(build_session(settings, pool_size=pool_size), RetryPolicy(max_retries=settings.max_retries), settings.timeout)
        tokens = TokenProvider(settings, transport, token_cache=token_cache_for(settings, self.ansible.warn))
        return transport, tokens, settings.graph_endpoint

    def run(self, decide):
        """Call ``decide(self)`` and exit with its result dict, or fail with what went wrong."""
        try:
            result = decide(self)
        except MissingLibraryError as exc:
            self.ansible.fail_json(msg=missing_required_lib(exc.library), exception=exc.import_error)
        except EntraGraphError as exc:
            if self.done:
                # Part of the task happened: say what, so that nobody takes the failure for "nothing changed".
                self.ansible.fail_json(msg='%s; then failed: %s' % ('; '.join(self.done), exc.message), changed=True,
                                       **exc.details)
            self.ansible.fail_json(msg=exc.message, **exc.details)
        if result.pop('failed', False):
            # A task that went on after some of its objects failed: its result says what was done, and why it failed.
            self.ansible.fail_json(**result)
        self.ansible.exit_json(**result)
