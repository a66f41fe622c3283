# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How long to wait before trying again: Retry-After parsing, the jittered backoff schedule, the cap on what
a server may ask, and the hold that throttling puts on every request of a task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.entra.graph.plugins.module_utils.retry import MAX_WAIT_SECONDS, RetryPolicy, describe_wait, parse_retry_after

NOW = 1750288261.0  # 2025-06-18T23:11:01Z


def http_date(timestamp):
    return email.utils.formatdate(timestamp, usegmt=True)


@pytest.mark.parametrize('value, seconds', [
    ('5', 5.0),
    ('0', 0.0),
    (' 7 ', 7.0),
    ('1.5', 1.5),
    ('0.25', 0.25),
    (3, 3.0),
    ('120', 120.0),
    ('121', 121.0),
    ('86400', 86400.0),
])
def test_delay_seconds(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize('offset, seconds', [(30, 30.0), (1, 1.0), (3600, 3600.0)])
def test_http_date(offset, seconds):
    assert parse_retry_after(http_date(NOW + offset), now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize('offset', [0, -30, -86400])
def test_http_date_that_has_passed_gives_no_wait_so_the_backoff_applies(offset):
    assert parse_retry_after(http_date(NOW + offset), now=NOW) is None
    policy = RetryPolicy(rand=lambda: 0.5)
    assert policy.delay(0, http_date(NOW + offset)) == policy.backoff(0) == 0.75


def test_http_date_in_another_zone_notation():
    assert parse_retry_after('Wed, 18 Jun 2025 23:11:31 +0000', now=NOW) == pytest.approx(30.0)
    assert parse_retry_after('Thu, 19 Jun 2025 01:11:31 +0200', now=NOW) == pytest.approx(30.0)


@pytest.mark.parametrize('value', [None, '', '   ', 'soon', '-1', '-0.5', 'nan', '1e', '5 seconds', '2025-06-18T23:11:31Z',
                                   'Wed, 18 Jun 2025 23:11:31', 'Wed, 32 Jun 2025 23:11:31 GMT', 'Wed, 18 Foo 2025 23:11:31 GMT'])
def test_garbage_is_ignored(value):
    assert parse_retry_after(value, now=NOW) is None


def test_http_date_uses_the_clock_when_no_time_is_given():
    import time
    assert 25 <= parse_retry_after(http_date(time.time() + 30)) <= 30


@given(st.floats(min_value=0, max_value=10 ** 6, allow_nan=False))
def test_any_non_negative_number_is_read_as_it_is(seconds):
    assert parse_retry_after(repr(seconds), now=NOW) == seconds
    assert RetryPolicy().too_long(seconds) == (seconds > MAX_WAIT_SECONDS)


@given(st.text(max_size=40))
def test_any_text_gives_a_usable_wait_or_none(value):
    waited = parse_retry_after(value, now=NOW)
    assert waited is None or waited >= 0


# ---------------------------------------------------------------------------------------------
# backoff


@pytest.mark.parametrize('retry_number, low, high', [
    (0, 0.5, 1.0), (1, 1.0, 2.0), (2, 2.0, 4.0), (3, 4.0, 8.0), (4, 8.0, 16.0), (5, 15.0, 30.0), (12, 15.0, 30.0),
])
def test_backoff_doubles_within_jitter_bounds_up_to_the_cap(retry_number, low, high):
    lowest = RetryPolicy(base=1.0, cap=30.0, rand=lambda: 0.0).backoff(retry_number)
    highest = RetryPolicy(base=1.0, cap=30.0, rand=lambda: 0.9999999).backoff(retry_number)

    assert lowest == pytest.approx(low)
    assert highest == pytest.approx(high, rel=1e-6)


@given(retry_number=st.integers(min_value=0, max_value=60), rand=st.floats(min_value=0, max_value=1, exclude_max=True),
       base=st.floats(min_value=0.01, max_value=5), cap=st.floats(min_value=0.1, max_value=120))
def test_backoff_is_always_between_half_and_all_of_the_capped_ceiling(retry_number, rand, base, cap):
    ceiling = min(cap, base * 2 ** retry_number)
    wait = RetryPolicy(base=base, cap=cap, rand=lambda: rand).backoff(retry_number)

    assert ceiling / 2 <= wait <= ceiling


def test_jitter_spreads_parallel_clients():
    waits = set(RetryPolicy().backoff(3) for dummy in range(20))

    assert len(waits) > 10 and all(4.0 <= w <= 8.0 for w in waits)


def test_retry_after_wins_over_backoff():
    policy = RetryPolicy(rand=lambda: 0.5)

    assert policy.delay(4, '2') == 2.0
    assert policy.delay(4, http_date(__import__('time').time() + 60)) == pytest.approx(60, abs=2)
    assert policy.delay(4, 'garbage') == policy.backoff(4) == 12.0
    assert policy.delay(0) == 0.75


def test_pause_sleeps_for_the_delay_and_not_at_all_for_zero():
    slept = []
    policy = RetryPolicy(sleep=slept.append, rand=lambda: 0.0)

    policy.pause(policy.delay(2))
    policy.pause(policy.delay(0, '0'))
    policy.pause(policy.delay(0, '3'))

    assert slept == [2.0, 3.0]


def test_the_cap_is_two_minutes_and_documented_as_max_wait_seconds():
    policy = RetryPolicy()
    assert MAX_WAIT_SECONDS == 120.0
    assert not policy.too_long(120) and policy.too_long(120.5) and not policy.too_long(None)


@pytest.mark.parametrize('seconds, text', [(5, '5 seconds'), (150, '150 seconds (about 2 minutes)'),
                                           (86400, '86400 seconds (about 24 hours)')])
def test_a_wait_is_said_in_words(seconds, text):
    assert describe_wait(seconds) == text


# ---------------------------------------------------------------------------------------------
# the hold: throttling on any request makes every request of the task wait


def test_a_hold_makes_the_next_send_wait_for_what_is_left_of_it():
    slept = []
    policy = RetryPolicy(sleep=slept.append)

    policy.wait_turn()
    policy.hold(5)
    policy.wait_turn()
    policy.wait_turn()

    assert slept == [5.0], 'nothing to wait before the hold; the hold once; nothing after it has passed'


def test_a_shorter_hold_does_not_cut_a_longer_one_short():
    slept = []
    policy = RetryPolicy(sleep=slept.append)

    policy.hold(10)
    policy.hold(2)
    policy.wait_turn()

    assert slept == [10.0]


def test_every_thread_waits_out_a_hold_another_thread_placed():
    """Thread A is throttled and sleeps; B, sending meanwhile, waits for the same hold rather than going ahead."""
    slept = []
    a_sleeping, release_a = threading.Event(), threading.Event()
    clock = [0.0]

    def sleep(seconds):
        slept.append((threading.current_thread().name, seconds))
        if threading.current_thread().name == 'A':
            a_sleeping.set()
            release_a.wait(10)
        clock[0] += seconds

    policy = RetryPolicy(sleep=sleep, clock=lambda: clock[0])
    policy.hold(3)
    a = threading.Thread(target=policy.wait_turn, name='A')
    a.start()
    assert a_sleeping.wait(10)
    b = threading.Thread(target=policy.wait_turn, name='B')
    b.start()
    b.join(10)
    release_a.set()
    a.join(10)

    assert slept == [('A', 3.0), ('B', 3.0)]
