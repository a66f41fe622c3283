# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GraphClient.list: every @odata.nextLink page is followed, the token never goes to another host, and a link
Graph repeats stops paging at once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake

COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
BODY = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'}


def test_list_follows_every_page(cloud, client):
    cloud.page_size = 3
    for index in range(10):
        cloud.put_deleted('00000000-0000-4000-8000-%012d' % index)

    found = client.list(COLLECTION)

    assert len(found) == 10 and len(cloud.graph()) == 4


def test_list_refuses_to_send_the_token_to_another_host(cloud, client):
    cloud.inject(kind='graph', method='GET', status=200, body={
        'value': [BODY], '@odata.nextLink': 'https://graph.microsoft.com:8443/beta' + COLLECTION + '?$skiptoken=1'})

    with pytest.raises(GraphError) as caught:
        client.list(COLLECTION)

    assert 'points outside https://graph.microsoft.com' in caught.value.message
    assert len(cloud.graph()) == 1


def test_list_stops_at_once_when_graph_repeats_a_next_link(cloud, client):
    link = 'https://graph.microsoft.com/beta' + COLLECTION + '?$skiptoken=page2'
    cloud.inject(kind='graph', method='GET', times=100, status=200, headers={'request-id': 'req-loop'},
                 body={'value': [BODY], '@odata.nextLink': link})

    with pytest.raises(GraphError) as caught:
        client.list(COLLECTION)

    assert len(cloud.graph()) == 2, 'the second page gives the link it came from: stop there'
    assert 'already given' in caught.value.message and 'req-loop' in caught.value.message
