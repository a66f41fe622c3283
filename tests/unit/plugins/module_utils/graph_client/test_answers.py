# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GraphClient: any 2xx answer is success, a read without JSON is an error, and only a 404 whose Graph error code
says so counts as a missing object."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError
from ansible_collections.entra.graph.plugins.module_utils.graph_client import GraphResponse
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake

COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
ITEM = COLLECTION + '/' + fake.PARTNER
BODY = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'}


# ---------------------------------------------------------------------------------------------
# any 2xx is success


@pytest.mark.parametrize('method, status, body, usable', [
    ('POST', 200, BODY, True),
    ('POST', 204, b'', False),
    ('POST', 201, b'', False),
    ('POST', 201, 'created, see Location', False),
    ('POST', 201, '[1, 2]', False),
    ('POST', 201, {}, False),
    ('PUT', 201, b'', False),
    ('PATCH', 200, BODY, True),
    ('DELETE', 202, b'', False),
    ('DELETE', 200, 'null', False),
])
def test_any_2xx_answer_to_a_write_is_success(cloud, client, method, status, body, usable):
    cloud.put_deleted()
    cloud.inject(kind='graph', method=method, status=status, body=body)

    response = client.request(method, COLLECTION if method == 'POST' else ITEM, body=BODY if method != 'DELETE' else None)

    assert isinstance(response, GraphResponse)
    assert response.status == status
    assert response.body_usable is usable
    assert (response.body == BODY) if usable else (response.body is None)


def test_a_read_without_json_is_an_error_not_a_missing_object(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', method='GET', status=200, headers={'Content-Type': 'text/html'}, body='<html>Sign in</html>')

    with pytest.raises(GraphError) as caught:
        client.get(ITEM, missing_ok=True)

    assert 'without JSON' in caught.value.message and 'text/html' in caught.value.message


@pytest.mark.parametrize('answer', [{}, [], 'a string'])
def test_a_read_returns_json_that_is_not_the_object_for_the_caller_to_judge(cloud, client, answer):
    cloud.inject(kind='graph', method='GET', status=200, body=answer if answer != 'a string' else '"a string"')

    assert client.get(ITEM, missing_ok=True) == answer


# ---------------------------------------------------------------------------------------------
# what counts as missing


@pytest.mark.parametrize('code', ['Request_ResourceNotFound', 'ResourceNotFound', 'itemNotFound', 'Directory_ObjectNotFound',
                                  'request_resourcenotfound'])
def test_a_404_with_a_not_found_code_is_missing(cloud, client, code):
    cloud.inject(kind='graph', status=404, body={'error': {'code': code, 'message': 'Not there.'}})

    assert client.get(ITEM, missing_ok=True) is None


def test_a_missing_object_of_the_emulator_is_missing(cloud, client):
    assert client.get(ITEM, missing_ok=True) is None


@pytest.mark.parametrize('headers, body, words', [
    ({'Content-Type': 'text/html'}, '<html><h1>404 Not Found</h1>nginx</html>', '404 Not Found'),
    ({}, {'error': {'code': 'NotFound', 'message': 'No such endpoint.'}}, 'HTTP 404 NotFound'),
    ({}, {'error': {'code': 'BadRequest', 'message': 'Resource not found for the segment.'}}, 'HTTP 404 BadRequest'),
    ({}, b'', 'HTTP 404: Not Found'),
])
def test_any_other_404_is_an_error_that_says_the_url_may_be_wrong(cloud, client, headers, body, words):
    cloud.inject(kind='graph', status=404, headers=headers, body=body)

    with pytest.raises(GraphError) as caught:
        client.get(ITEM, missing_ok=True)

    assert words in caught.value.message
    assert 'the URL may be wrong' in caught.value.message and 'graph_endpoint' in caught.value.message
    assert caught.value.status == 404
