# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Graph client as a module builds it, over the real session and transport: retries and their waits,
writes that must not happen twice, what counts as success and as missing, error messages, paging.
Waits are recorded by the client factory instead of slept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import time

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.errors import AuthenticationError, GraphError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.graph_client import GraphResponse
from ansible_collections.entra.graph.plugins.module_utils.transport import USER_AGENT
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client

COLLECTION = '/policies/deletedItems/crossTenantSyncPolicyPartners'
ITEM = COLLECTION + '/' + fake.PARTNER
THROTTLED = {'error': {'code': 'TooManyRequests', 'message': 'Too many requests, retry later.'}}
UNAVAILABLE = {'error': {'code': 'serviceNotAvailable', 'message': 'The service is unavailable.'}}
DROPPED = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
REFUSED = ("HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta "
           "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
           "connection: [Errno 111] Connection refused'))")
BODY = {'tenantId': fake.PARTNER, 'displayName': 'Fabrikam'}


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(cloud, secret_auth, waits):
    return graph_client(waits=waits, rand=lambda: 0.5, **secret_auth)


def create(client):
    """POST a sync policy into deleted items; a lost answer is settled by reading the object."""
    return client.request('POST', COLLECTION, body=BODY, verify_write=lambda: client.get(ITEM, missing_ok=True))


# ---------------------------------------------------------------------------------------------
# retries and waits


def test_throttled_get_waits_for_retry_after_seconds(cloud, client, waits):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.inject(kind='graph', times=2, status=429, headers={'Retry-After': '3'}, body=THROTTLED)

    assert client.get(ITEM)['displayName'] == 'Fabrikam'
    assert waits == [3.0, 3.0]
    assert len(cloud.graph()) == 3


def test_throttled_get_waits_until_an_http_date(cloud, client, waits):
    cloud.put_deleted()
    cloud.inject(kind='graph', status=429, headers={'Retry-After': email.utils.formatdate(time.time() + 10, usegmt=True)}, body=THROTTLED)

    client.get(ITEM)

    [wait] = waits
    assert 8 <= wait <= 10


def test_retry_after_date_in_the_past_waits_the_backoff_not_zero(cloud, client, waits):
    cloud.put_deleted()
    cloud.inject(kind='graph', status=503, headers={'Retry-After': 'Wed, 18 Jun 2025 23:11:01 GMT'}, body=UNAVAILABLE)

    client.get(ITEM)

    assert waits == [0.75] and len(cloud.graph()) == 2


@pytest.mark.parametrize('status', [429, 503, 504])
def test_transient_status_without_retry_after_backs_off_exponentially(cloud, client, waits, status):
    cloud.put_deleted()
    cloud.inject(kind='graph', times=3, status=status, body=UNAVAILABLE)

    client.get(ITEM)

    assert waits == [0.75, 1.5, 3.0]  # min(30, 2**n) * (0.5 + 0.5 / 2)
    assert len(cloud.graph()) == 4


@pytest.mark.parametrize('status', [400, 404, 409, 500, 502])
def test_other_statuses_are_not_retried(cloud, client, waits, status):
    cloud.inject(kind='graph', times=5, status=status, body={'error': {'code': 'Nope', 'message': 'No.'}})

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    assert caught.value.status == status
    assert len(cloud.graph()) == 1 and waits == []


@pytest.mark.parametrize('exc', [
    requests.exceptions.ConnectionError(DROPPED),
    requests.exceptions.ConnectionError(REFUSED),
    requests.exceptions.ReadTimeout('read timed out'),
    requests.exceptions.ConnectTimeout('connect timed out'),
])
def test_connection_failures_on_reads_are_retried(cloud, client, waits, exc):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.inject(kind='graph', times=2, exc=exc)

    assert client.get(ITEM)['displayName'] == 'Fabrikam'
    assert waits == [0.75, 1.5]


@pytest.mark.parametrize('max_retries', [0, 1, 3])
def test_persistent_throttling_makes_max_retries_plus_one_attempts(cloud, secret_auth, max_retries):
    waits = []
    client = graph_client(waits=waits, max_retries=max_retries, **secret_auth)
    cloud.inject(kind='graph', times=100, status=429, headers={'Retry-After': '2', 'request-id': 'req-429'}, body=THROTTLED)

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    assert len(cloud.graph()) == max_retries + 1
    assert waits == [2.0] * max_retries
    message = caught.value.message
    assert 'HTTP 429 TooManyRequests: Too many requests, retry later.' in message
    assert 'request-id: req-429' in message
    assert ('tried %d times' % (max_retries + 1) in message) == (max_retries > 0)
    assert caught.value.status == 429 and caught.value.error_code == 'TooManyRequests'
    assert caught.value.details['request_id'] == 'req-429'


@pytest.mark.parametrize('retry_after, words', [
    ('86400', '86400 seconds (about 24 hours)'),
    ('121', '121 seconds (about 2 minutes)'),
])
def test_a_retry_after_beyond_the_cap_fails_at_once_and_says_how_long(cloud, client, waits, retry_after, words):
    cloud.inject(kind='graph', times=5, status=429, headers={'Retry-After': retry_after, 'request-id': 'req-day'}, body=THROTTLED)

    with pytest.raises(GraphError) as caught:
        client.get(ITEM)

    message = caught.value.message
    assert len(cloud.graph()) == 1 and waits == [], 'nothing is waited for, and nothing sent again'
    assert 'asked to wait %s' % words in message
    assert '120 seconds' in message and 'MAX_WAIT_SECONDS' in message
    assert 'HTTP 429 TooManyRequests' in message and 'req-day' in message


def test_a_retry_after_of_exactly_the_cap_is_waited_for(cloud, client, waits):
    cloud.put_deleted()
    cloud.inject(kind='graph', status=503, headers={'Retry-After': '120'}, body=UNAVAILABLE)

    client.get(ITEM)

    assert waits == [120.0]


def test_sign_in_asked_to_wait_beyond_the_cap_fails_at_once(cloud, client, waits):
    cloud.inject(kind='token', times=5, status=429, headers={'Retry-After': '3600'}, body={'error': 'temporarily_unavailable'})

    with pytest.raises(AuthenticationError) as caught:
        client.get(ITEM)

    assert len(cloud.token_requests()) == 1 and waits == []
    assert 'asked to wait 3600 seconds' in caught.value.message and 'HTTP 429' in caught.value.message
    assert cloud.graph() == []


def test_persistent_connection_failure_names_the_attempts(cloud, secret_auth):
    client = graph_client(waits=[], max_retries=2, **secret_auth)
    cloud.inject(kind='graph', times=100, exc=requests.exceptions.ConnectionError(REFUSED))

    with pytest.raises(TransportError) as caught:
        client.get(ITEM)

    assert len(cloud.graph()) == 3
    assert 'connection refused' in caught.value.message and '(tried 3 times)' in caught.value.message
    assert caught.value.details['error_kind'] == 'connection'


def test_persistent_timeout_names_the_timeout(cloud, secret_auth):
    client = graph_client(waits=[], max_retries=1, timeout=2.5, **secret_auth)
    cloud.inject(kind='graph', times=100, exc=requests.exceptions.ReadTimeout('read timed out'))

    with pytest.raises(TransportError) as caught:
        client.get(ITEM)

    assert 'no answer within the 2.5s timeout (tried 2 times)' in caught.value.message
    assert [s.timeout for s in cloud.graph()] == [2.5, 2.5]


def test_the_token_request_is_retried_too(cloud, client, waits):
    cloud.put_deleted()
    cloud.inject(kind='token', status=503, headers={'Retry-After': '1'}, body={'error': 'temporarily_unavailable'})
    cloud.inject(kind='discovery', exc=requests.exceptions.ConnectionError(DROPPED))

    client.get(ITEM)

    assert len(cloud.token_requests()) == 2
    assert waits == [0.75, 1.0]


# ---------------------------------------------------------------------------------------------
# a create must never happen twice


def test_create_whose_answer_is_lost_is_found_by_a_read_not_posted_again(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    response = create(client)

    assert response.lost_answer and response.body['displayName'] == 'Fabrikam'
    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert list(cloud.deleted) == [fake.PARTNER]


def test_create_that_timed_out_after_landing_is_not_posted_again(cloud, client, waits):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ReadTimeout('read timed out'))

    create(client)

    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert waits == []


def test_create_that_did_not_land_is_posted_again_after_a_look_and_a_wait(cloud, client, waits):
    cloud.inject(kind='graph', method='POST', exc=requests.exceptions.ConnectionError(DROPPED))

    response = create(client)

    assert response.status == 201 and not response.lost_answer
    assert [s.method for s in cloud.graph()] == ['POST', 'GET', 'POST']
    assert waits == [0.75]
    assert list(cloud.deleted) == [fake.PARTNER]


def test_create_behind_a_gateway_timeout_is_looked_for(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, status=504, body='<html>504 Gateway Time-out</html>')

    create(client)

    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert len(cloud.deleted) == 1


def test_create_refused_before_connecting_is_simply_retried(cloud, client):
    cloud.inject(kind='graph', method='POST', exc=requests.exceptions.ConnectionError(REFUSED))

    create(client)

    assert [s.method for s in cloud.graph()] == ['POST', 'POST'], 'a refused connection cannot have created anything'


def test_throttled_create_is_retried_and_creates_once(cloud, client, waits):
    cloud.inject(kind='graph', method='POST', times=2, status=429, headers={'Retry-After': '1'}, body=THROTTLED)

    create(client)

    assert [s.method for s in cloud.graph()] == ['POST', 'POST', 'POST']
    assert waits == [1.0, 1.0] and len(cloud.deleted) == 1


def test_create_that_keeps_dropping_gives_up_after_max_retries_plus_one_posts(cloud, secret_auth):
    client = graph_client(waits=[], max_retries=2, **secret_auth)
    cloud.inject(kind='graph', method='POST', times=100, exc=requests.exceptions.ConnectionError(DROPPED))

    with pytest.raises(TransportError) as caught:
        create(client)

    assert [s.method for s in cloud.graph()] == ['POST', 'GET'] * 3
    assert 'remote end closed connection without response' in caught.value.message
    assert caught.value.details['error_kind'] == 'connection', 'the failure keeps its kind like every other transport failure'
    assert cloud.deleted == {}


def test_a_post_without_a_way_to_look_is_not_sent_again_after_a_drop(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    with pytest.raises(TransportError) as caught:
        client.request('POST', COLLECTION, body=BODY)

    assert [s.method for s in cloud.graph()] == ['POST']
    assert 'the write may have happened' in caught.value.message


def test_put_is_idempotent_and_retried_after_a_drop(cloud, client):
    cloud.put_deleted(displayName='Old')
    cloud.inject(kind='graph', method='PUT', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    client.request('PUT', ITEM, body=dict(BODY, displayName='New'))

    assert [s.method for s in cloud.graph()] == ['PUT', 'PUT']
    assert cloud.deleted[fake.PARTNER]['displayName'] == 'New'


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

    response = client.request(method, COLLECTION if method == 'POST' else ITEM, body=BODY if method != 'DELETE' else None,
                              expected=(201,))

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


def test_a_retried_delete_that_finds_nothing_was_done_by_the_lost_attempt(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', method='DELETE', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    response = client.request('DELETE', ITEM)

    assert response.lost_answer and response.status == 404
    assert [s.method for s in cloud.graph()] == ['DELETE', 'DELETE'] and cloud.deleted == {}


# ---------------------------------------------------------------------------------------------
# requests as sent, errors as read


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


def test_session_verify_is_pinned_against_the_environment(cloud, secret_auth, pki, tmp_path, monkeypatch):
    bundle, other = tmp_path / 'ca.pem', tmp_path / 'other.pem'
    with open(pki.cert_only_path) as handle:
        bundle.write_text(handle.read())
    other.write_text('y')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(other))
    monkeypatch.setenv('CURL_CA_BUNDLE', str(other))
    cloud.put_deleted()
    client = graph_client(ca_path=str(bundle), **secret_auth)

    client.get(ITEM)

    assert set(s.verify for s in cloud.seen) == set([str(bundle)])
