# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TokenProvider over real MSAL and the fake Entra ID: when it signs in, and with what."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.auth import TokenProvider
from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.plugins.module_utils.transport import Transport, build_session
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake


def provider(**params):
    settings = ConnectionSettings(params)
    transport = Transport(build_session(settings), RetryPolicy(max_retries=0), settings.timeout)
    return TokenProvider(settings, transport)


def test_nothing_is_requested_until_a_token_is_needed(cloud):
    tokens = provider(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, client_secret=fake.CLIENT_SECRET)

    assert cloud.seen == []
    first, second = tokens.token(), tokens.token()

    assert first == second == cloud.issued[0]['token']
    assert len(cloud.token_requests()) == 1


def test_federated_token_file_is_read_again_when_signing_in(cloud, tmp_path):
    path = tmp_path / 'token'
    path.write_text('old.federated.token')
    cloud.apps[fake.CLIENT_ID].federated_token = 'rotated.federated.token'
    tokens = provider(auth_method='workload_identity', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                      federated_token_file=str(path))
    path.write_text('rotated.federated.token\n')  # the platform rotates the file after the task started

    tokens.token()

    assert cloud.token_requests()[0].form['client_assertion'] == 'rotated.federated.token'
    assert cloud.issued[0]['method'] == 'workload_identity'


def test_ready_access_token_needs_no_request(cloud):
    assert provider(access_token=fake.READY_TOKEN).token() == fake.READY_TOKEN
    assert cloud.seen == []
