# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""replication: reads of a new object tried again with a growing pause until found, never past wait_timeout."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.plugins.module_utils.replication import Replication, ReplicationTimeout
from ansible_collections.entra.graph.tests.unit.helpers.clock import Clock


def test_found_after_a_few_404s_with_growing_pauses():
    clock = Clock()
    answers = iter([None, None, None, {'id': 'x'}])
    replication = Replication(300, clock=clock, sleep=clock.sleep)
    assert replication.until_found(lambda: next(answers), 'job x') == {'id': 'x'}
    assert clock.slept == [1.0, 2.0, 4.0] and replication.reads == 4


def test_gives_up_at_the_timeout_and_says_how_to_go_on():
    clock = Clock()
    replication = Replication(10, clock=clock, sleep=clock.sleep)
    with pytest.raises(ReplicationTimeout) as caught:
        replication.until_found(lambda: None, 'service principal sp1')
    assert clock.now == 10 and clock.slept == [1.0, 2.0, 4.0, 3.0]
    assert 'service principal sp1 was created but Graph still answers 404 after 10 seconds (wait_timeout)' in caught.value.message
    assert 'run the task again later' in caught.value.message


def test_no_timeout_reads_once():
    clock = Clock()
    with pytest.raises(ReplicationTimeout):
        Replication(0, clock=clock, sleep=clock.sleep).until_found(lambda: None, 'x')
    assert clock.slept == []
