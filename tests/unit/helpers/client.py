# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way tests get a Graph client: built by the collection's own ``GraphModule``, from connection
options checked as a task's are, so the session, transport, retries, sign-in and token cache are exactly
what a module builds.

    client = graph_client(api_version='v1.0', **auth_options)
    client = graph_client(waits=[], max_retries=2, **auth_options)      # retry waits recorded, not slept
    client = graph_client(warnings=[], **auth_options)                  # the task's warnings recorded
    client = task_client(auth_options, cache_path)                      # one task with a token cache file
    errors = at_once(lambda index: client.get(path(index)), range(8))   # threads (or forks) let go together
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.tests.unit.helpers.module import patch_module_args


def graph_module(api_version='beta', check_mode=False, **options):
    """A GraphModule for the connection ``options``, its parameters checked as a task's are."""
    with patch_module_args(dict(options, _ansible_check_mode=check_mode)):
        module = GraphModule(argument_spec={}, supports_check_mode=True)
    module.api_version = api_version
    return module


def graph_client(api_version='beta', waits=None, rand=None, warnings=None, **options):
    """A GraphClient for the connection ``options``, built by the module code itself.

    With ``waits`` (a list), retry waits are appended to it instead of slept; ``rand`` fixes the jitter.
    With ``warnings`` (a list), the warnings the task would show are appended to it.
    """
    module = graph_module(api_version, **options)
    if warnings is not None:
        module.ansible.warn = warnings.append
    client = module.client()
    if waits is not None or rand is not None:
        kwargs = dict(max_retries=client.transport.policy.max_retries)
        if waits is not None:
            kwargs['sleep'] = waits.append
        if rand is not None:
            kwargs['rand'] = rand
        client.transport.policy = RetryPolicy(**kwargs)
    return client


def task_client(auth, cache_path=None, **options):
    """The Graph client of one task signing in with ``auth``; with ``cache_path``, its tokens are kept in that file
    (``token_cache: true``). ``client.warnings`` lists the warnings the task would show."""
    if cache_path is not None:
        options.update(token_cache=True, token_cache_path=cache_path)
    warnings = []
    client = graph_client(warnings=warnings, **dict(auth, **options))
    client.warnings = warnings
    return client


def cached_tokens(cache_path):
    """The access tokens a token cache file holds."""
    with open(cache_path) as handle:
        data = json.load(handle)
    return [entry['secret'] for entry in data.get('AccessToken', {}).values()]


def at_once(call, args):
    """``call(arg)`` for each of ``args``, each in a thread of its own, all let go together as a module's threads
    (or a play's forks) are; the exceptions they raised, for the test to assert there were none."""
    args = list(args)
    barrier = threading.Barrier(len(args))
    errors = []

    def work(arg):
        # Whatever a thread raises is returned to the test, which asserts on it.
        try:
            barrier.wait(10)
            call(arg)
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def create(endpoint, tenant_id, body, after):
    """``endpoint.create`` of a plan that creates ``body`` and predicts ``after``; the object after it."""
    from ansible_collections.entra.graph.plugins.module_utils.resource import Plan

    plan = Plan('create', sorted(body), body=body, before={}, after=after, tenant_id=tenant_id, desired=body)
    return endpoint.create(plan).after
