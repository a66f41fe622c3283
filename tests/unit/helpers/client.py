# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way tests get a Graph client: built by the collection's own ``GraphModule``, from connection
options checked as a task's are, so the session, transport, retries, sign-in and token cache are exactly
what a module builds.

    client = graph_client(api_version='v1.0', **auth_options)
    client = graph_client(waits=[], max_retries=2, **auth_options)   # retry waits recorded, not slept
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.graph_module import GraphModule
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.tests.unit.helpers.module import patch_module_args


def graph_module(api_version='beta', check_mode=False, **options):
    """A GraphModule for the connection ``options``, its parameters checked as a task's are."""
    with patch_module_args(dict(options, _ansible_check_mode=check_mode)):
        module = GraphModule(argument_spec={}, supports_check_mode=True)
    module.api_version = api_version
    return module


def graph_client(api_version='beta', waits=None, rand=None, **options):
    """A GraphClient for the connection ``options``, built by the module code itself.

    With ``waits`` (a list), retry waits are appended to it instead of slept; ``rand`` fixes the jitter.
    """
    client = graph_module(api_version, **options).client
    if waits is not None or rand is not None:
        kwargs = dict(max_retries=client.transport.policy.max_retries)
        if waits is not None:
            kwargs['sleep'] = waits.append
        if rand is not None:
            kwargs['rand'] = rand
        client.transport.policy = RetryPolicy(**kwargs)
    return client
