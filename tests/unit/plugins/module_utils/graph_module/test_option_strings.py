# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A string given where sub-options are expected fails naming the option; a Jinja template there (only a static
check of the task sees one) keeps Ansible's own message, which such checks recognize."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.modules import crosstenant_access_partner
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.module import assert_failed_before_any_request, run_module


def targets(value):
    return dict(tenant_id=fake.PARTNER, b2b_collaboration_inbound=dict(users_and_groups=dict(access_type='allowed', targets=value)))


def test_a_string_for_a_list_of_dicts_names_the_option_and_what_it_takes(cloud, secret_auth):
    result = run_module(crosstenant_access_partner.main, dict(secret_auth, **targets('AllUsers')))

    assert_failed_before_any_request(result, cloud, "b2b_collaboration_inbound.users_and_groups.targets is the string 'AllUsers'",
                                     'a list of dicts', 'target_type')


def test_a_template_keeps_ansibles_own_message(cloud, secret_auth):
    result = run_module(crosstenant_access_partner.main, dict(secret_auth, **targets('{{ partner_targets }}')))

    assert result['failed'] and 'is the string' not in result['msg'], result['msg']
    assert cloud.graph() == []
