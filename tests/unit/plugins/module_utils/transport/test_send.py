# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport.send, the one loop that tries a request again, as a module's Graph client uses it: which failures are
retried, how often and after what wait (waits recorded by the client factory, not slept), the hold throttling puts
on every thread, the cap on what a server may ask, and writes that must never happen twice."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import threading
import time

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.errors import AuthenticationError, GraphError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
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
ONE, TWO = '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'


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


def test_throttling_on_one_thread_holds_back_the_others(cloud, secret_auth):
    """Thread A gets a 429 asking for 5 s and sleeps; thread B, sending meanwhile, waits for those 5 s first."""
    cloud.put_deleted(ONE)
    cloud.put_deleted(TWO)
    cloud.inject(kind='graph', path=ONE, status=429, headers={'Retry-After': '5'},
                 body={'error': {'code': 'TooManyRequests', 'message': 'Slow down.'}})
    client = graph_client(**secret_auth)
    client.token_provider.token()
    slept = []
    a_sleeping, release_a = threading.Event(), threading.Event()
    clock = [100.0]

    def sleep(seconds):
        slept.append((threading.current_thread().name, seconds, len(cloud.graph())))
        if threading.current_thread().name == 'A':
            a_sleeping.set()
            release_a.wait(10)
        clock[0] += seconds

    client.transport.policy = RetryPolicy(sleep=sleep, clock=lambda: clock[0])
    a = threading.Thread(target=client.get, args=(COLLECTION + '/' + ONE,), name='A')
    a.start()
    assert a_sleeping.wait(10)
    b = threading.Thread(target=client.get, args=(COLLECTION + '/' + TWO,), name='B')
    b.start()
    b.join(10)
    release_a.set()
    a.join(10)

    # B slept the whole hold before it sent anything: at that moment only A's throttled GET had gone out.
    assert slept == [('A', 5.0, 1), ('B', 5.0, 1)]
    assert [(s.path.rsplit('/', 1)[-1], s.status) for s in cloud.graph()] == [(ONE, 429), (TWO, 200), (ONE, 200)]


# ---------------------------------------------------------------------------------------------
# a write must never happen twice


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


def test_a_retried_delete_that_finds_nothing_was_done_by_the_lost_attempt(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', method='DELETE', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    response = client.request('DELETE', ITEM)

    assert response.lost_answer and response.status == 404
    assert [s.method for s in cloud.graph()] == ['DELETE', 'DELETE'] and cloud.deleted == {}
