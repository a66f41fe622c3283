# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GraphClient: every request as sent (bearer, correlation ids, user agent), and errors as read: Graph's format or
not, cut short, and never quoting a token or secret the task holds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.access_partner import AccessPartners
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.sync_policy import SYNC_POLICY, DeletedPolicies, LivePolicies
from ansible_collections.entra.graph.plugins.module_utils.transport import USER_AGENT
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake

ITEM = '/policies/deletedItems/crossTenantSyncPolicyPartners/' + fake.PARTNER


# ---------------------------------------------------------------------------------------------
# requests as sent


def test_every_graph_request_carries_bearer_ids_and_user_agent(cloud, client):
    cloud.put_deleted()

    client.get(ITEM)
    client.get(ITEM)

    first, second = cloud.graph()
    for request in (first, second):
        assert request.headers['Authorization'] == 'Bearer ' + cloud.issued()[0]
        assert request.headers['Accept'] == 'application/json'
        assert request.headers['return-client-request-id'] == 'true'
        assert request.headers['User-Agent'] == USER_AGENT
        assert request.url.startswith('https://graph.microsoft.com/beta/')
    assert first.headers['client-request-id'] != second.headers['client-request-id']
    assert len(cloud.token_requests()) == 1, 'one token per task'


# ---------------------------------------------------------------------------------------------
# errors as read


def test_error_without_graph_format_uses_the_reason(cloud, client):
    cloud.inject(kind='graph', status=500, body=b'')

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    assert 'HTTP 500: Internal Server Error' in caught.value.message


def test_long_html_error_is_cut_short(cloud, client):
    cloud.inject(kind='graph', status=500, headers={'Content-Type': 'text/html'}, body='<p>' + 'x' * 5000 + '</p>')

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    assert len(caught.value.message) < 600 and caught.value.message.count('...') == 1


# ---------------------------------------------------------------------------------------------
# no token or secret in a message


def test_error_page_echoing_the_authorization_header_does_not_leak_the_token(cloud, client):
    cloud.inject(kind='graph', status=502, headers={'Content-Type': 'text/plain'},
                 body='Bad gateway; request was: GET / Authorization: Bearer eyJ0eXAi.eyJhdWQi.c2lnbmF0dXJl')

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    assert 'eyJ0eXAi' not in caught.value.message
    assert 'Bearer <redacted>' in caught.value.message


def test_a_graph_error_quoting_the_tokens_and_secret_the_task_holds_is_redacted(cloud, client, secret_auth):
    token = client.token_provider.token()
    # A gateway that puts what it saw into Graph's own error format: the header, the raw token, the secret.
    message = 'Denied. Authorization: Bearer %s; token=%s; form had client_secret=%s' % (token, token, fake.CLIENT_SECRET)
    cloud.inject(kind='graph', status=403, body={'error': {'code': 'Authorization_RequestDenied', 'message': message}})

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    text = caught.value.message + repr(caught.value.details)
    assert token not in text and fake.CLIENT_SECRET not in text
    assert token[:20] not in text, 'no piece of the token either'
    assert text.count('<redacted>') >= 3 and 'Authorization_RequestDenied' in text


def test_a_transport_error_quoting_the_token_is_redacted(cloud, client):
    token = client.token_provider.token()
    cloud.inject(kind='graph', exc=requests.exceptions.InvalidHeader('Invalid header value %s' % token))

    with pytest.raises(TransportError) as caught:
        client.get(ITEM)

    assert token not in caught.value.message and '<redacted>' in caught.value.message


# ---------------------------------------------------------------------------------------------
# a 403 on deleted items: Graph documents no application permission there


def test_a_403_on_deleted_items_says_what_to_do_instead_of_an_app_only_sign_in(cloud, client):
    cloud.put_deleted()
    cloud.emulator.configure(deleted_items_app_only='forbidden')

    with pytest.raises(GraphError) as caught:
        DeletedPolicies(client, SYNC_POLICY, LivePolicies(client, SYNC_POLICY)).get(fake.PARTNER)

    message = caught.value.message
    assert caught.value.status == 403 and caught.value.error_code == 'Authorization_RequestDenied'
    assert 'Graph documents no application permission for deleted items' in message
    assert 'auth_method=access_token' in message and 'location=partner_policy' in message
    assert 'request-id: ' in message and 'Policy.Read.All to read' not in message


def test_a_403_elsewhere_names_the_permissions(cloud, client, secret_auth):
    cloud.emulator.set_app_roles(fake.CLIENT_ID, [])

    with pytest.raises(GraphError) as caught:
        AccessPartners(client).get(fake.PARTNER)

    assert 'Policy.ReadWrite.CrossTenantAccess to write, Policy.Read.All to read' in caught.value.message
    assert 'deleted items' not in caught.value.message
