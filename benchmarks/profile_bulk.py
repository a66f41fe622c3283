# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the time of one converged crosstenant_sync_partners run goes: N live policies already as asked,
so the task reads N policies and writes nothing.

    python benchmarks/profile_bulk.py [--n 100] [--latency 50] [--rounds 7] [--concurrency 4] [--out FILE]

Builds and installs the collection, runs the bulk task once with ANSIBLE_KEEP_REMOTE_FILES=1 to get the
AnsiballZ payload Ansible really sends, then runs that payload directly, ``--rounds`` times with a cold
token cache and as many with a warm one, interleaved. For each execution: wall and CPU time of the
process, and from the emulator's request log (on the same clock) the time from the process start to
its first request, the sign-in (discovery and token requests), the span from the first to the last Graph
request, and the time from the last answer to the process end. Then one execution under cProfile (the
main thread: imports, argument validation, sign-in, waiting for the workers, the result).
"""

import argparse
import datetime
import glob
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

TASK = 'converged bulk task'


def playbook(info, cache_path, n, concurrency):
    return [{
        'name': 'bulk', 'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': benchlib.connection_defaults(info, cache_path)},
        'tasks': [{'name': TASK, 'entra.graph.crosstenant_sync_partners': {
            'location': 'partner_policy', 'max_concurrency': concurrency,
            'config': [{'tenant_id': benchlib.tenant_id(7, index), 'display_name': 'Partner %d' % index,
                        'user_sync_inbound': {'is_sync_allowed': True}} for index in range(n)]}}],
    }]


def seed(emulator, n, latency):
    emulator.reset(latency)
    emulator.set_objects({'partner_policy': [{'tenantId': benchlib.tenant_id(7, index), 'displayName': 'Partner %d' % index,
                                              'userSyncInbound': {'isSyncAllowed': True}} for index in range(n)]})


def moments(entries, kinds):
    chosen = [entry for entry in entries if entry['kind'] in kinds]
    ends = [datetime.datetime.strptime(entry['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
            for entry in chosen]
    starts = [end - entry['duration_ms'] / 1000.0 for end, entry in zip(ends, chosen)]
    return (min(starts), max(ends)) if chosen else (None, None)


def execute(payload, env, emulator):
    cpu = benchlib.children_cpu()
    began = time.time()
    proc = subprocess.run([sys.executable, payload], capture_output=True, text=True, check=False, env=env)
    ended = time.time()
    cpu = benchlib.children_cpu() - cpu
    result = json.loads(proc.stdout) if proc.stdout.strip().startswith('{') else {}
    if proc.returncode != 0 or result.get('failed') or result.get('changed'):
        raise RuntimeError('%s: %s %s' % (payload, proc.stdout[-2000:], proc.stderr[-2000:]))
    log = emulator.requests()
    first, dummy = moments(log, ('discovery', 'token', 'graph_read', 'graph_write'))
    sign_in = moments(log, ('discovery', 'token'))
    graph_first, graph_last = moments(log, ('graph_read', 'graph_write'))
    return {
        'wall_s': ended - began, 'cpu_s': cpu, 'to_first_request_s': first - began,
        'sign_in_s': (sign_in[1] - sign_in[0]) if sign_in[0] is not None else 0.0,
        'graph_s': graph_last - graph_first, 'after_last_answer_s': ended - graph_last,
        'requests': emulator.request_counts(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--n', type=int, default=100)
    parser.add_argument('--latency', type=int, default=50)
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--concurrency', type=int, default=4)
    parser.add_argument('--out', default=None, help='write the results as JSON here')
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix='entra-graph-profile-bulk-')
    emulator = benchlib.Emulator(os.path.join(workdir, 'emulator'))
    try:
        collections_path = benchlib.build_and_install(workdir, benchlib.REPO)
        cache_path = os.path.join(workdir, 'token-cache', 'cache.json')
        book = os.path.join(workdir, 'bulk.yml')
        benchlib.write_json(book, playbook(emulator.info, cache_path, args.n, args.concurrency))
        seed(emulator, args.n, args.latency)
        env = benchlib.playbook_env(collections_path, workdir, {'ANSIBLE_KEEP_REMOTE_FILES': '1'})
        benchlib.ansible_playbook(book, env, cwd=workdir)
        payload = glob.glob(os.path.join(workdir, 'remote-tmp', 'ansible-tmp-*', 'AnsiballZ_crosstenant_sync_partners.py'))[0]
        run_env = benchlib.base_env()

        samples = {'cold': [], 'warm': []}
        for round_number in range(args.rounds):
            for case in (('cold', 'warm') if round_number % 2 == 0 else ('warm', 'cold')):
                if case == 'cold':
                    benchlib.remove(cache_path)
                seed(emulator, args.n, args.latency)
                samples[case].append(execute(payload, run_env, emulator))

        # cProfile of the main thread, in this process: the payload runs the module with runpy.
        seed(emulator, args.n, args.latency)
        benchlib.remove(cache_path)
        script = 'import runpy, sys; sys.argv = [%r]; runpy.run_path(%r, run_name="__main__")' % (payload, payload)
        child = subprocess.run([sys.executable, '-c', 'import cProfile, sys; cProfile.run(%r, sys.argv[1])' % script,
                                os.path.join(workdir, 'profile.out')], capture_output=True, text=True, check=False, env=run_env)
        text = io.StringIO()
        stats = pstats.Stats(os.path.join(workdir, 'profile.out'), stream=text)
        stats.sort_stats('cumulative').print_stats(30)
        profile_text = text.getvalue()
        if child.returncode != 0:
            profile_text += '\n(the profiled execution ended with %d: %s)' % (child.returncode, child.stderr[-500:])
    finally:
        emulator.stop()

    def med(case, key):
        return round(statistics.median(sample[key] for sample in samples[case]), 3)

    results = {
        'n': args.n, 'latency_ms': args.latency, 'rounds': args.rounds, 'max_concurrency': args.concurrency,
        'source_commit': benchlib.git_describe(), 'machine': {'cpus': os.cpu_count(), 'load_average': list(os.getloadavg())},
        'cases': dict((case, dict((key, med(case, key)) for key in
                                  ('wall_s', 'cpu_s', 'to_first_request_s', 'sign_in_s', 'graph_s', 'after_last_answer_s')))
                      for case in samples),
        'requests': dict((case, samples[case][-1]['requests']) for case in samples),
        'profile_main_thread': profile_text,
    }
    if args.out:
        benchlib.write_json(args.out, results)
    print(profile_text)
    print('payload executions (median of %d), N=%d, latency %d ms, max_concurrency %d:' % (
        args.rounds, args.n, args.latency, args.concurrency))
    print('%-6s %8s %8s %18s %10s %10s %18s  %s' % ('cache', 'wall s', 'CPU s', 'start->1st request', 'sign-in', 'Graph span',
                                                    'last answer->exit', 'requests'))
    for case, row in results['cases'].items():
        req = results['requests'][case]
        print('%-6s %8.3f %8.3f %18.3f %10.3f %10.3f %18.3f  %s' % (
            case, row['wall_s'], row['cpu_s'], row['to_first_request_s'], row['sign_in_s'], row['graph_s'],
            row['after_last_answer_s'], '/'.join(str(req[kind]) for kind in benchlib.KINDS)))
    benchlib.remove(workdir)


if __name__ == '__main__':
    main()
