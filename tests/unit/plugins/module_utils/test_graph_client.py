# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Graph client over the real session and transport: retries and their waits, writes that must
not happen twice, error messages, paging. Waits go to a recording ``sleep`` given to RetryPolicy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import time

import pytest
import requests

from ansible_collections.entra.graph.plugins.module_utils.auth import TokenProvider
from ansible_collections.entra.graph.plugins.module_utils.connection import ConnectionSettings
from ansible_collections.entra.graph.plugins.module_utils.errors import GraphError, TransportError
from ansible_collections.entra.graph.plugins.module_utils.graph_client import GraphClient
from ansible_collections.entra.graph.plugins.module_utils.partner import DeletedItems, PartnerPolicy
from ansible_collections.entra.graph.plugins.module_utils.retry import RetryPolicy
from ansible_collections.entra.graph.plugins.module_utils.transport import USER_AGENT, Transport, build_session
from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake

ITEM = '/policies/deletedItems/crossTenantSyncPolicyPartners/' + fake.PARTNER
THROTTLED = {'error': {'code': 'TooManyRequests', 'message': 'Too many requests, retry later.'}}
UNAVAILABLE = {'error': {'code': 'serviceNotAvailable', 'message': 'The service is unavailable.'}}
DROPPED = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
REFUSED = ("HTTPSConnectionPool(host='graph.microsoft.com', port=443): Max retries exceeded with url: /beta "
           "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
           "connection: [Errno 111] Connection refused'))")


class Client:
    """A GraphClient as a module builds it, with its waits recorded instead of slept."""

    def __init__(self, max_retries=4, **options):
        self.slept = []
        params = dict(dict(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID,
                           client_secret=fake.CLIENT_SECRET, timeout=30, max_retries=max_retries), **options)
        self.settings = ConnectionSettings(params)
        policy = RetryPolicy(max_retries=self.settings.max_retries, sleep=self.slept.append, rand=lambda: 0.5)
        self.transport = Transport(build_session(self.settings), policy, self.settings.timeout)
        self.graph = GraphClient(self.transport, self.settings.graph_endpoint, TokenProvider(self.settings, self.transport))


@pytest.fixture
def client(cloud):
    return Client()


# ---------------------------------------------------------------------------------------------
# retries and waits


def test_throttled_get_waits_for_retry_after_seconds(cloud, client):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.inject(kind='graph', times=2, status=429, headers={'Retry-After': '3'}, body=THROTTLED)

    assert client.graph.get(ITEM)['displayName'] == 'Fabrikam'
    assert client.slept == [3.0, 3.0]
    assert len(cloud.graph()) == 3


def test_throttled_get_waits_until_an_http_date(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', status=429, headers={'Retry-After': email.utils.formatdate(time.time() + 10, usegmt=True)}, body=THROTTLED)

    client.graph.get(ITEM)

    [wait] = client.slept
    assert 8 <= wait <= 10


def test_retry_after_in_the_past_retries_at_once(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', status=503, headers={'Retry-After': 'Wed, 18 Jun 2025 23:11:01 GMT'}, body=UNAVAILABLE)

    client.graph.get(ITEM)

    assert client.slept == [] and len(cloud.graph()) == 2


@pytest.mark.parametrize('status', [429, 503, 504])
def test_transient_status_without_retry_after_backs_off_exponentially(cloud, client, status):
    cloud.put_deleted()
    cloud.inject(kind='graph', times=3, status=status, body=UNAVAILABLE)

    client.graph.get(ITEM)

    assert client.slept == [0.75, 1.5, 3.0]  # min(30, 2**n) * (0.5 + 0.5 / 2)
    assert len(cloud.graph()) == 4


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 500, 502])
def test_other_statuses_are_not_retried(cloud, client, status):
    cloud.inject(kind='graph', times=5, status=status, body={'error': {'code': 'Nope', 'message': 'No.'}})

    with pytest.raises(GraphError) as caught:
        client.graph.get(ITEM)

    assert caught.value.status == status
    assert len(cloud.graph()) == 1 and client.slept == []


@pytest.mark.parametrize('exc', [
    requests.exceptions.ConnectionError(DROPPED),
    requests.exceptions.ConnectionError(REFUSED),
    requests.exceptions.ReadTimeout('read timed out'),
    requests.exceptions.ConnectTimeout('connect timed out'),
])
def test_connection_failures_on_reads_are_retried(cloud, client, exc):
    cloud.put_deleted(displayName='Fabrikam')
    cloud.inject(kind='graph', times=2, exc=exc)

    assert client.graph.get(ITEM)['displayName'] == 'Fabrikam'
    assert client.slept == [0.75, 1.5]


@pytest.mark.parametrize('max_retries', [0, 1, 3])
def test_persistent_throttling_makes_max_retries_plus_one_attempts(cloud, max_retries):
    client = Client(max_retries=max_retries)
    cloud.inject(kind='graph', times=100, status=429, headers={'Retry-After': '2', 'request-id': 'req-429'}, body=THROTTLED)

    with pytest.raises(GraphError) as caught:
        client.graph.get(ITEM)

    assert len(cloud.graph()) == max_retries + 1
    assert client.slept == [2.0] * max_retries
    message = caught.value.message
    assert 'HTTP 429 TooManyRequests: Too many requests, retry later.' in message
    assert 'request-id: req-429' in message
    assert ('tried %d times' % (max_retries + 1) in message) == (max_retries > 0)
    assert caught.value.status == 429 and caught.value.error_code == 'TooManyRequests'
    assert caught.value.details['request_id'] == 'req-429'


def test_persistent_connection_failure_names_the_attempts(cloud):
    client = Client(max_retries=2)
    cloud.inject(kind='graph', times=100, exc=requests.exceptions.ConnectionError(REFUSED))

    with pytest.raises(TransportError) as caught:
        client.graph.get(ITEM)

    assert len(cloud.graph()) == 3
    assert 'connection refused' in caught.value.message and '(tried 3 times)' in caught.value.message
    assert caught.value.details['error_kind'] == 'connection'


def test_persistent_timeout_names_the_timeout(cloud):
    client = Client(max_retries=1, timeout=2.5)
    cloud.inject(kind='graph', times=100, exc=requests.exceptions.ReadTimeout('read timed out'))

    with pytest.raises(TransportError) as caught:
        client.graph.get(ITEM)

    assert 'no answer within the 2.5s timeout (tried 2 times)' in caught.value.message
    assert [s.timeout for s in cloud.graph()] == [2.5, 2.5]


def test_the_token_request_is_retried_too(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='token', status=503, headers={'Retry-After': '1'}, body={'error': 'temporarily_unavailable'})
    cloud.inject(kind='discovery', exc=requests.exceptions.ConnectionError(DROPPED))

    client.graph.get(ITEM)

    assert len(cloud.token_requests()) == 2 and len(cloud.requests('discovery')) == 2
    assert client.slept == [0.75, 1.0]


# ---------------------------------------------------------------------------------------------
# a create must never happen twice


def test_create_whose_answer_is_lost_is_found_by_a_read_not_posted_again(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    created = DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert created['displayName'] == 'Fabrikam'
    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert list(cloud.deleted) == [fake.PARTNER]


def test_create_that_timed_out_after_landing_is_not_posted_again(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, exc=requests.exceptions.ReadTimeout('read timed out'))

    DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert client.slept == []


def test_create_that_did_not_land_is_posted_again_after_a_look_and_a_wait(cloud, client):
    cloud.inject(kind='graph', method='POST', exc=requests.exceptions.ConnectionError(DROPPED))

    created = DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert created['displayName'] == 'Fabrikam'
    assert [s.method for s in cloud.graph()] == ['POST', 'GET', 'POST']
    assert client.slept == [0.75]
    assert list(cloud.deleted) == [fake.PARTNER]


def test_create_behind_a_gateway_timeout_is_looked_for(cloud, client):
    cloud.inject(kind='graph', method='POST', after=True, status=504, body='<html>504 Gateway Time-out</html>')

    DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert [s.method for s in cloud.graph()] == ['POST', 'GET']
    assert len(cloud.deleted) == 1


def test_create_refused_before_connecting_is_simply_retried(cloud, client):
    cloud.inject(kind='graph', method='POST', exc=requests.exceptions.ConnectionError(REFUSED))

    DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert [s.method for s in cloud.graph()] == ['POST', 'POST'], 'a refused connection cannot have created anything'


def test_throttled_create_is_retried_and_creates_once(cloud, client):
    cloud.inject(kind='graph', method='POST', times=2, status=429, headers={'Retry-After': '1'}, body=THROTTLED)

    DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert [s.method for s in cloud.graph()] == ['POST', 'POST', 'POST']
    assert client.slept == [1.0, 1.0] and len(cloud.deleted) == 1


def test_create_that_keeps_dropping_gives_up_after_max_retries_plus_one_posts(cloud):
    client = Client(max_retries=2)
    cloud.inject(kind='graph', method='POST', times=100, exc=requests.exceptions.ConnectionError(DROPPED))

    with pytest.raises(TransportError) as caught:
        DeletedItems(client.graph).create(fake.PARTNER, {'displayName': 'Fabrikam'})

    assert [s.method for s in cloud.graph()] == ['POST', 'GET'] * 3
    assert 'remote end closed connection without response' in caught.value.message
    assert caught.value.details['error_kind'] == 'connection', 'the failure keeps its kind like every other transport failure'
    assert cloud.deleted == {}


def test_put_is_idempotent_and_retried_after_a_drop(cloud, client):
    cloud.put_live(displayName='Old')
    cloud.inject(kind='graph', method='PUT', after=True, exc=requests.exceptions.ConnectionError(DROPPED))

    PartnerPolicy(client.graph).replace(fake.PARTNER, {'displayName': 'New'})

    assert [s.method for s in cloud.graph()] == ['PUT', 'PUT']
    assert cloud.live[fake.PARTNER]['displayName'] == 'New'


# ---------------------------------------------------------------------------------------------
# requests as sent, answers as read


def test_every_graph_request_carries_bearer_ids_and_user_agent(cloud, client):
    cloud.put_deleted()

    client.graph.get(ITEM)
    client.graph.get(ITEM)

    first, second = cloud.graph()
    for request in (first, second):
        assert request.headers['Authorization'] == 'Bearer ' + cloud.issued[0]['token']
        assert request.headers['Accept'] == 'application/json'
        assert request.headers['return-client-request-id'] == 'true'
        assert request.headers['User-Agent'] == USER_AGENT
        assert request.url.startswith('https://graph.microsoft.com/beta/')
    assert first.headers['client-request-id'] != second.headers['client-request-id']
    assert len(cloud.token_requests()) == 1, 'one token per task'


def test_missing_object_is_none_not_an_error(cloud, client):
    assert DeletedItems(client.graph).get(fake.PARTNER) is None
    assert PartnerPolicy(client.graph).get(fake.PARTNER) is None


def test_error_without_graph_format_uses_the_reason(cloud, client):
    cloud.inject(kind='graph', status=500, body=b'')

    with pytest.raises(GraphError) as caught:
        client.graph.get(ITEM)

    assert 'HTTP 500: Internal Server Error' in caught.value.message


def test_long_html_error_is_cut_short(cloud, client):
    cloud.inject(kind='graph', status=500, headers={'Content-Type': 'text/html'}, body='<p>' + 'x' * 5000 + '</p>')

    with pytest.raises(GraphError) as caught:
        client.graph.get(ITEM)

    assert len(caught.value.message) < 600 and caught.value.message.count('...') == 1


def test_error_page_echoing_the_authorization_header_does_not_leak_the_token(cloud, client):
    # A proxy's error page may echo the request's headers back.
    cloud.inject(kind='graph', status=502, headers={'Content-Type': 'text/plain'},
                 body='Bad gateway; request was: GET / Authorization: Bearer eyJ0eXAi.eyJhdWQi.c2lnbmF0dXJl')

    with pytest.raises(GraphError) as caught:
        client.graph.get(ITEM)

    assert 'eyJ0eXAi' not in caught.value.message
    assert 'Bearer <redacted>' in caught.value.message


def test_restore_answer_without_a_body_still_counts(cloud, client):
    cloud.put_deleted()
    cloud.inject(kind='graph', method='POST', after=True, status=204, body=b'')

    assert DeletedItems(client.graph).restore(fake.PARTNER) is None
    assert fake.PARTNER in cloud.live


def test_list_follows_every_page(cloud, client):
    cloud.page_size = 3
    for index in range(10):
        cloud.put_deleted('00000000-0000-0000-0000-%012d' % index)

    found = DeletedItems(client.graph).list()

    assert len(found) == 10 and len(cloud.graph()) == 4
    assert all('@odata.context' not in item for item in found)


def test_list_refuses_to_send_the_token_to_another_host(cloud, client):
    cloud.page_size = 1
    cloud.next_link_host = 'graph.microsoft.com:8443'
    cloud.put_deleted(fake.PARTNER)
    cloud.put_deleted(fake.OTHER_PARTNER)

    with pytest.raises(GraphError) as caught:
        DeletedItems(client.graph).list()

    assert 'points outside https://graph.microsoft.com' in caught.value.message
    assert len(cloud.graph()) == 1


def test_session_verify_is_pinned_against_the_environment(cloud, tmp_path, monkeypatch):
    bundle, other = tmp_path / 'ca.pem', tmp_path / 'other.pem'
    bundle.write_text('x')
    other.write_text('y')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(other))
    monkeypatch.setenv('CURL_CA_BUNDLE', str(other))
    cloud.put_deleted()
    client = Client(ca_path=str(bundle))

    client.graph.get(ITEM)

    assert [s.verify for s in cloud.seen] == [str(bundle)] * 3


def test_nothing_leaves_the_machine(cloud):
    """The fake refuses every URL it does not own, so a test cannot reach a real host by mistake."""
    for url in ('https://example.com/', 'http://graph.microsoft.com/beta/', 'https://169.254.169.254/metadata/identity/oauth2/token'):
        with pytest.raises(fake.UnexpectedRequest):
            requests.get(url, timeout=1)
    assert len(cloud.unexpected) == 3
    del cloud.unexpected[:]
