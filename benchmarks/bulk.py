# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark: N live sync policies set with one entra.graph.crosstenant_sync_partners task, with a loop of
entra.graph.crosstenant_sync_partner, and with a hand-written ansible.builtin.uri loop (one token task,
then one PUT per partner); and the bulk task run again on the result (converged: reads only).

    python benchmarks/bulk.py                          # N = 20 and 100, latency 0 and 50 ms, 2 rounds
    python benchmarks/bulk.py --quick                  # N = 5, one round, results in a temporary folder
    python benchmarks/bulk.py --n 100 --latency 50 --rounds 3 --concurrency 4 8
    python benchmarks/bulk.py --from-json docs/benchmarks/bulk-results.json

Starts the emulator as a subprocess, builds and installs the collection from this checkout, and for
every (round, latency, N) seeds N partner configurations (no sync policies), then runs the bulk task,
the bulk task again (the rerun, on what the first one wrote), the module loop and the uri loop, the
order of the three creating playbooks rotating each round. The store and request log are reset and the
module's token cache file deleted before each creating run, so every run signs in once, cold.

The figure is the task time (from the task's start to its result, recorded by
benchmarks/callback_plugins/bench_timer.py; for uri the token task is added), and the requests the
emulator saw. Timings are never asserted anywhere: this is a report, not a test.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import tempfile
import time

import benchlib

CREATORS = ('bulk', 'loop', 'uri')
TASK = {'bulk': 'sync policies with the bulk module', 'rerun': 'sync policies with the bulk module', 'ping': 'ping',
        'loop': 'sync policies with the module loop', 'uri': 'sync policies with uri'}
REQUEST_KINDS = ('discovery', 'token', 'graph_read', 'graph_write')
RESULTS_JSON = os.path.join(benchlib.REPO, 'docs', 'benchmarks', 'bulk-results.json')

# The targets of the issue.
TARGET_BULK_OVER_LOOP = 10.0
TARGET_RERUN_SECONDS = 2.0


def partners(n):
    return [benchlib.tenant_id(7, index) for index in range(n)]


def item(index):
    return {'display_name': 'Partner %d' % index, 'user_sync_inbound': {'is_sync_allowed': True}}


def playbooks(info, cache_path, n, concurrency):
    """The playbooks for N partners, as data (JSON is YAML): the same partners and values for all."""
    defaults = benchlib.connection_defaults(info, cache_path)
    ids = partners(n)
    bulk = [{
        'name': 'bulk', 'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': defaults},
        'tasks': [{'name': TASK['bulk'], 'entra.graph.crosstenant_sync_partners': {
            'location': 'partner_policy', 'max_concurrency': concurrency,
            'config': [dict(item(index), tenant_id=tenant_id) for index, tenant_id in enumerate(ids)]}}],
    }]
    loop = [{
        'name': 'loop', 'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': defaults},
        'vars': {'partners': ids},
        'tasks': [{'name': TASK['loop'], 'loop': '{{ partners }}', 'loop_control': {'index_var': 'index'},
                   'entra.graph.crosstenant_sync_partner': {
                       'tenant_id': '{{ item }}', 'location': 'partner_policy', 'display_name': 'Partner {{ index }}',
                       'user_sync_inbound': {'is_sync_allowed': True}}}],
    }]
    uri = [{
        'name': 'uri', 'hosts': 'localhost', 'gather_facts': False,
        'vars': {'partners': ids},
        'tasks': [
            {'name': 'token', 'register': 'token', 'no_log': True, 'ansible.builtin.uri': {
                'url': info['token_endpoint'], 'method': 'POST', 'body_format': 'form-urlencoded', 'ca_path': info['ca_path'],
                'body': {'grant_type': 'client_credentials', 'client_id': info['client_id'],
                         'client_secret': info['client_secret'], 'scope': info['scope']}}},
            {'name': TASK['uri'], 'loop': '{{ partners }}', 'loop_control': {'index_var': 'index'}, 'ansible.builtin.uri': {
                'url': info['graph_endpoint'] + '/v1.0/policies/crossTenantAccessPolicy/partners/{{ item }}/identitySynchronization',
                'method': 'PUT', 'status_code': 204, 'ca_path': info['ca_path'], 'body_format': 'json',
                'headers': {'Authorization': 'Bearer {{ token.json.access_token }}'},
                'body': {'displayName': 'Partner {{ index }}', 'userSyncInbound': {'isSyncAllowed': True}}}},
        ],
    }]
    # The floor: what Ansible alone costs for the first (and only) task of a playbook run, module start included.
    ping = [{'name': 'floor', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [{'name': TASK['ping'], 'ansible.builtin.ping': {}}]}]
    return {'bulk': bulk, 'rerun': bulk, 'loop': loop, 'uri': uri, 'ping': ping}


def read_timer_log(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def task_seconds(events, task_name):
    start = [e['time'] for e in events if e['event'] == 'task_start' and e['task'] == task_name]
    end = [e['time'] for e in events if e['event'] == 'task_end' and e['task'] == task_name]
    if len(start) != 1 or len(end) != 1:
        raise RuntimeError('task %r: %d starts, %d ends' % (task_name, len(start), len(end)))
    if [e for e in events if e['task'] == task_name and e.get('status') == 'failed']:
        raise RuntimeError('task %r failed' % task_name)
    return end[0] - start[0]


def in_flight(entries):
    """The most Graph requests the emulator served at one moment (each interval trimmed by 2 ms at both ends
    against the log's millisecond rounding)."""
    events = []
    for entry in entries:
        if entry['kind'] not in ('graph_read', 'graph_write'):
            continue
        end = datetime.datetime.strptime(entry['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()
        start = end - entry['duration_ms'] / 1000.0
        events += [(start + 0.002, 1), (end - 0.002, -1)]
    current = highest = 0
    for dummy, step in sorted(events):
        current += step
        highest = max(highest, current)
    return highest


def bounds(entries, kinds):
    """(first start, last end) of the log entries of ``kinds``, in seconds since the epoch; (None, None) if none."""
    chosen = [entry for entry in entries if entry['kind'] in kinds]
    if not chosen:
        return None, None
    ends = [datetime.datetime.strptime(entry['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
            for entry in chosen]
    starts = [end - entry['duration_ms'] / 1000.0 for end, entry in zip(ends, chosen)]
    return min(starts), max(ends)


def span(entries, kinds):
    """Seconds from the first start to the last end of the log entries of ``kinds`` (the emulator's clock)."""
    first, last = bounds(entries, kinds)
    return 0.0 if first is None else last - first


def task_wall(events, task_name):
    """(start, end) of a task on the wall clock, which the emulator's log shares."""
    start = [e['wall'] for e in events if e['event'] == 'task_start' and e['task'] == task_name]
    end = [e['wall'] for e in events if e['event'] == 'task_end' and e['task'] == task_name]
    return start[0], end[0]


def run_one(task, n, latency, book, env, emulator, cache_path, workdir):
    timer_log = os.path.join(workdir, 'timer.jsonl')
    benchlib.remove(timer_log)
    benchlib.remove(cache_path)  # a cold token cache at the start of every run
    if task == 'ping':
        emulator.reset(latency)
    elif task == 'rerun':
        # On what the bulk run before it wrote: the request log alone starts afresh.
        emulator._call('DELETE', '/requests')  # pylint: disable=protected-access
    else:
        emulator.reset(latency)
        emulator.set_objects({'partners': [{'tenantId': tenant_id} for tenant_id in partners(n)]})
    wall, cpu, proc = benchlib.ansible_playbook(book, dict(env, BENCH_TIMER_LOG=timer_log), cwd=workdir)
    events = read_timer_log(timer_log)
    seconds = task_seconds(events, TASK[task])
    if task == 'uri':
        seconds += task_seconds(events, 'token')
    log = emulator.requests()
    counts = emulator.request_counts()
    expected_writes = 0 if task in ('rerun', 'ping') else n
    if counts['graph_write'] != expected_writes:
        raise RuntimeError('%s: the emulator saw %d writes, expected %d\n%s'
                           % (task, counts['graph_write'], expected_writes, proc.stdout[-3000:]))
    return {
        'task': task, 'n': n, 'latency_ms': latency, 'task_s': round(seconds, 4), 'playbook_wall_s': round(wall, 4),
        'playbook_cpu_s': round(cpu, 4), 'requests': counts,
        # The log's times have millisecond precision: without added latency, overlaps cannot be told apart.
        'max_in_flight': in_flight(log) if latency >= 20 else None,
        # Where the task time went: signing in (discovery and token requests), and from the first Graph request
        # to the end of the last; the rest is Ansible, the module's start and its own work.
        'sign_in_s': round(span(log, ('discovery', 'token')), 4),
        'graph_s': round(span(log, ('graph_read', 'graph_write')), 4),
        # From the task's start to its first request (Ansible templates the arguments and ships the module, which
        # starts, imports and validates), and from the last answer to the task's result (the module's result, then Ansible).
        'to_first_request_s': round(bounds(log, REQUEST_KINDS)[0] - task_wall(events, TASK[task])[0], 4) if task in ('bulk', 'rerun') else None,
        'after_last_answer_s': round(task_wall(events, TASK[task])[1] - bounds(log, REQUEST_KINDS)[1], 4) if task in ('bulk', 'rerun') else None,
    }


def summarise(runs, ns, latencies):
    summary = []
    for latency in latencies:
        for n in ns:
            row = {'latency_ms': latency, 'n': n}
            for task in CREATORS + ('rerun', 'ping'):
                mine = [r for r in runs if r['task'] == task and r['n'] == n and r['latency_ms'] == latency]
                if not mine:
                    continue
                row[task] = {
                    'rounds': len(mine),
                    'task_s': round(statistics.median(r['task_s'] for r in mine), 3),
                    'task_s_range': [min(r['task_s'] for r in mine), max(r['task_s'] for r in mine)],
                    'playbook_wall_s': round(statistics.median(r['playbook_wall_s'] for r in mine), 3),
                    'playbook_cpu_s': round(statistics.median(r['playbook_cpu_s'] for r in mine), 3),
                    'requests_per_run': dict((kind, statistics.median(r['requests'][kind] for r in mine)) for kind in benchlib.KINDS),
                    'max_in_flight': max(r['max_in_flight'] for r in mine) if mine[0]['max_in_flight'] is not None else None,
                    'sign_in_s': round(statistics.median(r['sign_in_s'] for r in mine), 3),
                    'graph_s': round(statistics.median(r['graph_s'] for r in mine), 3),
                    'to_first_request_s': round(statistics.median(r['to_first_request_s'] for r in mine), 3) if task in ('bulk', 'rerun') else None,
                    'after_last_answer_s': round(statistics.median(r['after_last_answer_s'] for r in mine), 3) if task in ('bulk', 'rerun') else None,
                }
            if 'bulk' in row and 'loop' in row:
                row['loop_over_bulk'] = round(row['loop']['task_s'] / row['bulk']['task_s'], 2)
            if 'bulk' in row and 'uri' in row:
                row['uri_over_bulk'] = round(row['uri']['task_s'] / row['bulk']['task_s'], 2)
            if 'loop' in row and 'uri' in row:
                row['loop_over_uri'] = round(row['loop']['task_s'] / row['uri']['task_s'], 3)
            summary.append(row)
    return summary


def targets(summary):
    checks = []
    for row in summary:
        where = 'latency %d ms, N=%d' % (row['latency_ms'], row['n'])
        if row['n'] == 100 and 'loop_over_bulk' in row:
            checks.append({'target': 'bulk >= %gx faster than the module loop' % TARGET_BULK_OVER_LOOP, 'where': where,
                           'value': row['loop_over_bulk'], 'met': row['loop_over_bulk'] >= TARGET_BULK_OVER_LOOP})
        if row['n'] == 100 and row['latency_ms'] == 50 and 'rerun' in row:
            checks.append({'target': 'converged rerun of 100 live policies < %g s of task time' % TARGET_RERUN_SECONDS,
                           'where': where, 'value': row['rerun']['task_s'], 'met': row['rerun']['task_s'] < TARGET_RERUN_SECONDS})
        for task in ('bulk', 'rerun'):
            if task in row:
                checks.append({'target': '%s: one token request per run' % task, 'where': where,
                               'value': row[task]['requests_per_run']['token'], 'met': row[task]['requests_per_run']['token'] == 1})
    return checks


def requests_text(row, task):
    r = row[task]['requests_per_run']
    return '/'.join('%g' % r[kind] for kind in benchlib.KINDS)


def print_report(summary, checks):
    print('\ntask seconds (median); requests per run: discovery/token/graph_read/graph_write; in flight: most Graph requests at once')
    print('%8s %5s | %8s %8s %8s %8s %8s | %9s %9s | %-14s %-14s %-14s %-12s | %s' % (
        'latency', 'N', 'bulk', 'rerun', 'loop', 'uri', 'ping', 'loop/bulk', 'uri/bulk', 'bulk reqs', 'rerun reqs', 'loop reqs', 'uri reqs',
        'in flight'))
    for row in summary:
        print('%6dms %5d | %8s %8s %8s %8s %8s | %9s %9s | %-14s %-14s %-14s %-12s | %s' % (
            row['latency_ms'], row['n'],
            *[('%.2f' % row[t]['task_s']) if t in row else '-' for t in ('bulk', 'rerun', 'loop', 'uri', 'ping')],
            row.get('loop_over_bulk', '-'), row.get('uri_over_bulk', '-'),
            *[requests_text(row, t) if t in row else '-' for t in ('bulk', 'rerun', 'loop', 'uri')],
            row['bulk'].get('max_in_flight') if row.get('bulk', {}).get('max_in_flight') is not None else '-'))
    print('\ntargets:')
    for check in checks:
        print('  [%s] %s (%s): %s' % ('met' if check['met'] else 'NOT met', check['target'], check['where'], check['value']))


def markdown(results):
    lines = ['| latency | N | bulk task | bulk rerun (converged) | module loop | uri loop (token task included) | '
             'floor: one ping task | loop / bulk | uri / bulk | loop / uri |', '|---|---|---|---|---|---|---|---|---|---|']
    for row in results['summary']:
        seconds = ['%.2f s' % row[task]['task_s'] if task in row else '-' for task in ('bulk', 'rerun', 'loop', 'uri', 'ping')]
        ratios = [('%.' + digits + 'fx') % row[key] if key in row else '-'
                  for key, digits in (('loop_over_bulk', '1'), ('uri_over_bulk', '1'), ('loop_over_uri', '2'))]
        lines.append('| %d ms | %d | %s |' % (row['latency_ms'], row['n'], ' | '.join(seconds + ratios)))
    lines += ['', '| latency | N | task | discovery | token | graph_read | graph_write | most Graph requests in flight |',
              '|---|---|---|---|---|---|---|---|']
    for row in results['summary']:
        for task in ('bulk', 'rerun', 'loop', 'uri'):
            if task not in row:
                continue
            r = row[task]['requests_per_run']
            flight = row[task]['max_in_flight']
            lines.append('| %d ms | %d | %s | %g | %g | %g | %g | %s |' % (
                row['latency_ms'], row['n'], task, r['discovery'], r['token'], r['graph_read'], r['graph_write'],
                '-' if flight is None else flight))
    lines += ['', '| latency | N | task | task time | task start to first request | sign-in (discovery + token) | '
              'first to last Graph request | last answer to task result |', '|---|---|---|---|---|---|---|---|']
    for row in results['summary']:
        for task in ('bulk', 'rerun'):
            r = row.get(task, {})
            if r.get('to_first_request_s') is not None:
                lines.append('| %d ms | %d | %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s |' % (
                    row['latency_ms'], row['n'], task, r['task_s'], r['to_first_request_s'], r['sign_in_s'], r['graph_s'],
                    r['after_last_answer_s']))
    lines += ['', '| target | where | value | met |', '|---|---|---|---|']
    for check in results['targets']:
        lines.append('| %s | %s | %s | %s |' % (check['target'], check['where'], check['value'], 'yes' if check['met'] else '**no**'))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--n', type=int, nargs='+', default=None, help='partners per run (default: 20 100)')
    parser.add_argument('--latency', type=int, nargs='+', default=None, help='ms the emulator adds per request (default: 0 50)')
    parser.add_argument('--rounds', type=int, default=None, help='interleaved rounds (default: 2)')
    parser.add_argument('--concurrency', type=int, default=4, help="the bulk task's max_concurrency (default: 4, the module's default)")
    parser.add_argument('--bulk-only', action='store_true', help='run only the bulk task and its rerun (e.g. to compare --concurrency)')
    parser.add_argument('--quick', action='store_true', help='a smoke run: N = 5, one round; results go to a temporary folder')
    parser.add_argument('--source', default=benchlib.REPO, help='the collection checkout to build (default: this one)')
    parser.add_argument('--json', default=None, help='where to write the results (default: docs/benchmarks/bulk-results.json)')
    parser.add_argument('--from-json', default=None, help='run nothing: print the report and Markdown tables of this results file')
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as handle:
            results = json.load(handle)
        print_report(results['summary'], results['targets'])
        print()
        print(markdown(results))
        return
    ns = args.n or ([5] if args.quick else [20, 100])
    latencies = args.latency if args.latency is not None else [0, 50]
    rounds = args.rounds or (1 if args.quick else 2)
    workdir = tempfile.mkdtemp(prefix='entra-graph-bulk-bench-')
    out_json = args.json or (os.path.join(workdir, 'bulk-results.json') if args.quick else RESULTS_JSON)

    started = time.time()
    emulator = benchlib.Emulator(os.path.join(workdir, 'emulator'))
    runs = []
    try:
        print('building and installing the collection from %s' % args.source, flush=True)
        collections_path = benchlib.build_and_install(workdir, args.source)
        cache_path = os.path.join(workdir, 'token-cache', 'msal_token_cache.json')
        env = benchlib.playbook_env(collections_path, workdir)
        books = {}
        for n in set(ns + [2]):
            for task, play in playbooks(emulator.info, cache_path, n, args.concurrency).items():
                books[task, n] = os.path.join(workdir, '%s-%d.yml' % (task, n))
                benchlib.write_json(books[task, n], play)
        creators = ('bulk',) if args.bulk_only else CREATORS
        # One unmeasured run of each, so that first-use costs fall on no one.
        for task in creators + ('rerun', 'ping'):
            run_one(task, 2, 0, books[task, 2], env, emulator, cache_path, workdir)
        plan = [(latency, n) for latency in latencies for n in ns]
        total = rounds * len(plan) * (len(creators) + 2)
        done = 0
        for round_number in range(rounds):
            for step, (latency, n) in enumerate(plan):
                shift = (round_number + step) % len(creators)
                order = creators[shift:] + creators[:shift]
                # The rerun runs on what the bulk task wrote, right after it.
                order = [task for creator in order for task in ((creator, 'rerun') if creator == 'bulk' else (creator,))] + ['ping']
                for task in order:
                    result = run_one(task, n, latency, books[task, n], env, emulator, cache_path, workdir)
                    result['round'] = round_number
                    runs.append(result)
                    done += 1
                    print('[%d/%d] round %d latency %3d ms N=%-4d %-5s task %.2f s, requests %s, in flight %s (%.0fs elapsed)' % (
                        done, total, round_number, latency, n, task, result['task_s'],
                        '/'.join(str(result['requests'][k]) for k in benchlib.KINDS), result['max_in_flight'],
                        time.time() - started), flush=True)
    finally:
        emulator.stop()

    summary = summarise(runs, ns, latencies)
    checks = targets(summary)
    results = {
        'generated': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'duration_s': round(time.time() - started, 1),
        'source_commit': benchlib.git_describe(args.source),
        'python': platform.python_version(),
        'machine': {'cpus': os.cpu_count(), 'platform': platform.platform(), 'load_average': list(os.getloadavg())},
        'method': {
            'rounds': rounds, 'n': ns, 'latency_ms': latencies, 'max_concurrency': args.concurrency,
            'scenario': 'N partner configurations exist; each run sets displayName and userSyncInbound of their live sync '
                        'policies (location partner_policy, Graph v1.0); the rerun repeats the bulk task on its result',
            'task_time': 'task start to task result (bench_timer callback); uri: token task + PUT loop',
            'order': 'bulk (then its rerun), loop and uri run back to back per (latency, N); the order rotates each round and step',
            'token_cache': 'token_cache: true for the modules; the cache file is deleted before each run',
        },
        'summary': summary,
        'targets': checks,
        'runs': runs,
    }
    benchlib.write_json(out_json, results)
    print_report(summary, checks)
    print('\nresults: %s' % out_json)
    print('took %.0f s' % (time.time() - started))


if __name__ == '__main__':
    main()
