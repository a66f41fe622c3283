# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark: N partner creations with entra.graph.crosstenant_sync_partner, with two
hand-written ansible.builtin.uri tasks (one token fetch, then N POSTs), and a bare
ansible.builtin.ping loop as the floor, against the local emulator.

    python benchmarks/run.py                       # N = 20 and 100, latency 0 and 50 ms, 2 rounds
    python benchmarks/run.py --quick               # a short smoke run (N = 5, 1 round), writes nothing into docs/
    python benchmarks/run.py --n 20 100 --latency 0 50 --rounds 3

Starts the emulator (a subprocess, state in a temporary folder), builds and installs the
collection from this checkout, then runs every (round, latency, N, task) playbook, the three
tasks alternating and their order rotating each round so that the noise of a shared machine
falls on all of them alike. Before each run the emulator's store and request log are reset and
the module's token cache file is deleted (the cache is opt-in; the module runs with it on).

Per-item time comes from the playbook itself: benchmarks/callback_plugins/bench_timer.py records
when the loop task starts and when each item ends; an item's time is the gap to the previous one.
The figure per task is the median over the items of every round. Timings are never asserted
anywhere: this is a report, not a test.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time

import benchlib

TASKS = ('module', 'uri', 'ping')
LOOP_TASK = {'module': 'create with the module', 'uri': 'create with uri', 'ping': 'ping'}
PREFIX = {'module': 1, 'uri': 2, 'ping': 3}
GUID = "{{ '%08x-0000-4000-8000-%012d' | format(prefix | int, item) }}"
LOOP = '{{ range(n | int) | list }}'
RESULTS_JSON = os.path.join(benchlib.REPO, 'docs', 'benchmarks', 'results.json')
CHART = os.path.join(benchlib.REPO, 'docs', 'benchmarks', 'chart.png')

# The targets of issue 7.
TARGET_MODULE_OVER_URI = 1.0
TARGET_MODULE_OVER_PING_AT_0 = 1.3


def playbooks(info, cache_path):
    """The three playbooks, as data (JSON is YAML)."""
    module = [{
        'name': 'entra.graph module', 'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': benchlib.connection_defaults(info, cache_path)},
        'tasks': [{'name': LOOP_TASK['module'], 'entra.graph.crosstenant_sync_partner': {'tenant_id': GUID}, 'loop': LOOP}],
    }]
    uri = [{
        'name': 'hand-written uri', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'token', 'register': 'token', 'no_log': True, 'ansible.builtin.uri': {
                'url': info['token_endpoint'], 'method': 'POST', 'body_format': 'form-urlencoded', 'ca_path': info['ca_path'],
                'body': {'grant_type': 'client_credentials', 'client_id': info['client_id'],
                         'client_secret': info['client_secret'], 'scope': info['scope']}}},
            {'name': LOOP_TASK['uri'], 'loop': LOOP, 'ansible.builtin.uri': {
                'url': info['graph_endpoint'] + '/beta/policies/deletedItems/crossTenantSyncPolicyPartners',
                'method': 'POST', 'status_code': 201, 'ca_path': info['ca_path'], 'body_format': 'json',
                'headers': {'Authorization': 'Bearer {{ token.json.access_token }}'},
                'body': {'@odata.type': '#microsoft.graph.crossTenantIdentitySyncPolicyPartner', 'tenantId': GUID}}},
        ],
    }]
    ping = [{
        'name': 'floor', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [{'name': LOOP_TASK['ping'], 'ansible.builtin.ping': {}, 'loop': LOOP}],
    }]
    return {'module': module, 'uri': uri, 'ping': ping}


def read_timer_log(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def item_times(events, task_name):
    """Seconds per loop item: from the task's start to the first item's end, then item end to item end."""
    start = [e['time'] for e in events if e['event'] == 'task_start' and e['task'] == task_name]
    items = [e for e in events if e['event'] == 'item' and e['task'] == task_name]
    if len(start) != 1:
        raise RuntimeError('task %r started %d times' % (task_name, len(start)))
    failed = [e for e in items if e['status'] == 'failed']
    if failed:
        raise RuntimeError('%d items of %r failed' % (len(failed), task_name))
    previous = start[0]
    durations = []
    for entry in items:
        durations.append(entry['time'] - previous)
        previous = entry['time']
    return durations, items


def task_seconds(events, task_name):
    start = [e['time'] for e in events if e['event'] == 'task_start' and e['task'] == task_name]
    end = [e['time'] for e in events if e['event'] in ('task_end', 'item') and e['task'] == task_name]
    return max(end) - start[0] if start and end else None


def run_one(task, n, latency, book, env, emulator, cache_path, workdir):
    timer_log = os.path.join(workdir, 'timer.jsonl')
    benchlib.remove(timer_log)
    benchlib.remove(cache_path)  # a cold token cache at the start of every run
    emulator.reset(latency)
    run_env = dict(env, BENCH_TIMER_LOG=timer_log)
    wall, cpu, proc = benchlib.ansible_playbook(book, run_env, extra_vars={'n': n, 'prefix': PREFIX[task]}, cwd=workdir)
    events = read_timer_log(timer_log)
    durations, items = item_times(events, LOOP_TASK[task])
    if len(items) != n:
        raise RuntimeError('%s: %d items ended, expected %d\n%s' % (task, len(items), n, proc.stdout[-3000:]))
    counts = emulator.request_counts()
    if task != 'ping' and counts['graph_write'] != n:
        raise RuntimeError('%s: the emulator saw %d writes for %d items' % (task, counts['graph_write'], n))
    if task == 'module' and any(entry['status'] != 'changed' for entry in items):
        raise RuntimeError('module: an item reported no change when creating')
    setup = task_seconds(events, 'token') if task == 'uri' else 0.0
    return {
        'task': task, 'n': n, 'latency_ms': latency, 'playbook_wall_s': round(wall, 4), 'playbook_cpu_s': round(cpu, 4),
        'loop_s': round(sum(durations), 4), 'setup_s': round(setup, 4),
        'item_s': [round(d, 4) for d in durations], 'requests': counts,
    }


def per_kind(values):
    return dict((kind, statistics.median(v[kind] for v in values)) for kind in benchlib.KINDS)


def summarise(runs, ns, latencies):
    summary = []
    for latency in latencies:
        for n in ns:
            row = {'latency_ms': latency, 'n': n}
            for task in TASKS:
                mine = [r for r in runs if r['task'] == task and r['n'] == n and r['latency_ms'] == latency]
                if not mine:
                    continue
                items = [d for r in mine for d in r['item_s']]
                per_run = [r['requests'] for r in mine]
                requests = per_kind(per_run)
                row[task] = {
                    'rounds': len(mine),
                    'median_item_ms': round(statistics.median(items) * 1000, 1),
                    'round_median_item_ms': [round(statistics.median(r['item_s']) * 1000, 1) for r in mine],
                    'amortised_item_ms': round(statistics.median((r['loop_s'] + r['setup_s']) / n for r in mine) * 1000, 1),
                    'playbook_wall_s': round(statistics.median(r['playbook_wall_s'] for r in mine), 2),
                    'playbook_cpu_s': round(statistics.median(r['playbook_cpu_s'] for r in mine), 2),
                    'requests_per_run': requests,
                    'requests_per_item': dict((kind, round(count / float(n), 3)) for kind, count in requests.items()),
                }
            if 'module' in row and 'uri' in row:
                row['module_over_uri'] = round(row['module']['median_item_ms'] / row['uri']['median_item_ms'], 3)
                row['module_over_uri_amortised'] = round(row['module']['amortised_item_ms'] / row['uri']['amortised_item_ms'], 3)
            if 'module' in row and 'ping' in row:
                row['module_over_ping'] = round(row['module']['median_item_ms'] / row['ping']['median_item_ms'], 3)
            summary.append(row)
    return summary


def marginal(summary):
    """Per-item cost with the fixed cost of a playbook run taken out: the slope between the smallest and largest N.

    CPU is that of the whole ansible-playbook process tree (controller, workers, module processes), so it
    is less disturbed by other load on the machine than wall time; the emulator's CPU is not in it."""
    slopes = []
    for latency in sorted(set(row['latency_ms'] for row in summary)):
        rows = sorted((row for row in summary if row['latency_ms'] == latency), key=lambda row: row['n'])
        if len(rows) < 2 or rows[0]['n'] == rows[-1]['n']:
            continue
        low, high = rows[0], rows[-1]
        entry = {'latency_ms': latency, 'between_n': [low['n'], high['n']]}
        for task in TASKS:
            if task in low and task in high:
                items = float(high['n'] - low['n'])
                entry[task] = {
                    'wall_ms_per_item': round((high[task]['playbook_wall_s'] - low[task]['playbook_wall_s']) / items * 1000, 1),
                    'cpu_ms_per_item': round((high[task]['playbook_cpu_s'] - low[task]['playbook_cpu_s']) / items * 1000, 1),
                }
        slopes.append(entry)
    return slopes


def targets(summary):
    checks = []
    for row in summary:
        where = 'latency %d ms, N=%d' % (row['latency_ms'], row['n'])
        if 'module_over_uri' in row:
            checks.append({'target': 'module <= %.1fx uri per task' % TARGET_MODULE_OVER_URI, 'where': where,
                           'value': row['module_over_uri'], 'met': row['module_over_uri'] <= TARGET_MODULE_OVER_URI})
        if 'module_over_ping' in row and row['latency_ms'] == 0:
            checks.append({'target': 'module <= %.1fx ping per task at 0 ms' % TARGET_MODULE_OVER_PING_AT_0, 'where': where,
                           'value': row['module_over_ping'], 'met': row['module_over_ping'] <= TARGET_MODULE_OVER_PING_AT_0})
        if 'module' in row:
            requests = row['module']['requests_per_run']
            checks.append({'target': 'module: one token request per playbook run', 'where': where,
                           'value': requests['token'], 'met': requests['token'] == 1})
            checks.append({'target': 'module: at most one authority discovery per playbook run', 'where': where,
                           'value': requests['discovery'], 'met': requests['discovery'] <= 1})
    return checks


def print_report(summary, checks):
    print('\nper-task median (ms per loop item, all rounds pooled); requests per playbook run: '
          'discovery/token/graph_read/graph_write')
    print('%8s %5s | %9s %9s %9s | %8s %8s | %-13s %-13s' % (
        'latency', 'N', 'module', 'uri', 'ping', 'mod/uri', 'mod/ping', 'module reqs', 'uri reqs'))
    for row in summary:
        def reqs(task):
            if task not in row:
                return '-'
            r = row[task]['requests_per_run']
            return '/'.join('%g' % r[kind] for kind in benchlib.KINDS)
        print('%6dms %5d | %9s %9s %9s | %8s %8s | %-13s %-13s' % (
            row['latency_ms'], row['n'],
            *[('%.1f' % row[t]['median_item_ms']) if t in row else '-' for t in TASKS],
            row.get('module_over_uri', '-'), row.get('module_over_ping', '-'), reqs('module'), reqs('uri')))
    print('\ntargets:')
    for check in checks:
        print('  [%s] %s (%s): %s' % ('met' if check['met'] else 'NOT met', check['target'], check['where'], check['value']))


def markdown(results):
    """The tables docs/performance.md shows, from a results dict."""
    lines = ['| latency | N | module ms/item | uri ms/item | ping ms/item | module/uri | module/ping | '
             'module amortised | uri amortised (token task included) |', '|---|---|---|---|---|---|---|---|---|']
    for row in results['summary']:
        lines.append('| %d ms | %d | %.0f | %.0f | %.0f | %.2fx | %.2fx | %.0f | %.0f |' % (
            row['latency_ms'], row['n'], row['module']['median_item_ms'], row['uri']['median_item_ms'],
            row['ping']['median_item_ms'], row['module_over_uri'], row['module_over_ping'],
            row['module']['amortised_item_ms'], row['uri']['amortised_item_ms']))
    lines += ['', '| latency | N | task | discovery | token | graph_read | graph_write | per item (read + write) |',
              '|---|---|---|---|---|---|---|---|']
    for row in results['summary']:
        for task in ('module', 'uri'):
            r = row[task]['requests_per_run']
            per_item = row[task]['requests_per_item']
            lines.append('| %d ms | %d | %s | %g | %g | %g | %g | %g |' % (
                row['latency_ms'], row['n'], task, r['discovery'], r['token'], r['graph_read'], r['graph_write'],
                per_item['graph_read'] + per_item['graph_write']))
    if results.get('marginal'):
        lines += ['', '| latency | between | module wall / CPU per item | uri wall / CPU per item | ping wall / CPU per item |',
                  '|---|---|---|---|---|']
        for entry in results['marginal']:
            lines.append('| %d ms | N=%d..%d | %s |' % (entry['latency_ms'], entry['between_n'][0], entry['between_n'][1], ' | '.join(
                '%.0f / %.0f ms' % (entry[t]['wall_ms_per_item'], entry[t]['cpu_ms_per_item']) for t in TASKS)))
    lines += ['', '| target | where | value | met |', '|---|---|---|---|']
    for check in results['targets']:
        lines.append('| %s | %s | %s | %s |' % (check['target'], check['where'], check['value'], 'yes' if check['met'] else '**no**'))
    return '\n'.join(lines)


def chart(summary, path):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    latencies = sorted(set(row['latency_ms'] for row in summary))
    colours = {'module': '#1f6fb4', 'uri': '#e08a1e', 'ping': '#8a8a8a'}
    labels = {'module': 'entra.graph module (token cache on)', 'uri': 'uri: 1 token task + POST loop', 'ping': 'ping (floor)'}
    fig, axes = plt.subplots(1, len(latencies), figsize=(5.2 * len(latencies), 4.8), sharey=True, squeeze=False)
    width = 0.26
    for axis, latency in zip(axes[0], latencies):
        rows = [row for row in summary if row['latency_ms'] == latency]
        for offset, task in enumerate(TASKS):
            xs, ys, lows, highs = [], [], [], []
            for index, row in enumerate(rows):
                if task not in row:
                    continue
                value = row[task]['median_item_ms']
                spread = row[task]['round_median_item_ms']
                xs.append(index + (offset - 1) * width)
                ys.append(value)
                lows.append(max(0.0, value - min(spread)))
                highs.append(max(0.0, max(spread) - value))
            axis.bar(xs, ys, width, color=colours[task], label=labels[task], yerr=[lows, highs], capsize=3)
        for index, row in enumerate(rows):
            if 'module_over_uri' in row:
                top = max(max(row[t]['round_median_item_ms'] + [row[t]['median_item_ms']]) for t in TASKS if t in row)
                axis.text(index, top * 1.04, 'module/uri %.2fx\nmodule/ping %.2fx' % (row['module_over_uri'], row.get('module_over_ping', 0)),
                          ha='center', va='bottom', fontsize=8)
        axis.set_xticks(range(len(rows)))
        axis.set_xticklabels(['N = %d' % row['n'] for row in rows])
        axis.set_title('%d ms added per request' % latency)
        axis.grid(axis='y', alpha=0.3)
        axis.set_ylim(0, max(max(row[t]['round_median_item_ms'] + [row[t]['median_item_ms']])
                             for row in summary for t in TASKS if t in row) * 1.25)
    axes[0][0].set_ylabel('median time per loop item (ms)')
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc='lower center', ncol=len(TASKS), fontsize=8, frameon=False)
    fig.suptitle('Creating N crossTenantIdentitySyncPolicyPartner objects: time per task (bars: median; whiskers: range of round medians)',
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ansible_core_version():
    proc = benchlib.run([os.path.join(benchlib.BIN, 'ansible-playbook'), '--version'])
    return proc.stdout.splitlines()[0].strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--n', type=int, nargs='+', default=None, help='loop sizes (default: 20 100)')
    parser.add_argument('--latency', type=int, nargs='+', default=None, help='ms the emulator adds per request (default: 0 50)')
    parser.add_argument('--rounds', type=int, default=None, help='interleaved rounds (default: 2)')
    parser.add_argument('--quick', action='store_true', help='a smoke run: N = 5, one round; results go to a temporary folder')
    parser.add_argument('--source', default=benchlib.REPO, help='the collection checkout to build (default: this one)')
    parser.add_argument('--json', default=None, help='where to write the results (default: docs/benchmarks/results.json)')
    parser.add_argument('--chart', default=None, help='where to draw the chart (default: docs/benchmarks/chart.png)')
    parser.add_argument('--no-chart', action='store_true', help='skip the chart (matplotlib is only needed for it)')
    parser.add_argument('--from-json', default=None, help='run nothing: print the report and Markdown tables of this '
                                                          'results file and redraw the chart (with --chart)')
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as handle:
            results = json.load(handle)
        print_report(results['summary'], results['targets'])
        print()
        print(markdown(results))
        if args.chart:
            chart(results['summary'], args.chart)
        return
    ns = args.n or ([5] if args.quick else [20, 100])
    latencies = args.latency if args.latency is not None else [0, 50]
    rounds = args.rounds or (1 if args.quick else 2)
    workdir = tempfile.mkdtemp(prefix='entra-graph-bench-')
    out_json = args.json or (os.path.join(workdir, 'results.json') if args.quick else RESULTS_JSON)
    out_chart = args.chart or (os.path.join(workdir, 'chart.png') if args.quick else CHART)

    started = time.time()
    emulator = benchlib.Emulator(os.path.join(workdir, 'emulator'))
    runs = []
    try:
        print('building and installing the collection from %s' % args.source, flush=True)
        collections_path = benchlib.build_and_install(workdir, args.source)
        cache_path = os.path.join(workdir, 'token-cache', 'msal_token_cache.json')
        books = {}
        for task, play in playbooks(emulator.info, cache_path).items():
            books[task] = os.path.join(workdir, '%s.yml' % task)
            benchlib.write_json(books[task], play)
        env = benchlib.playbook_env(collections_path, workdir)
        # One unmeasured run of each, so that first-use costs (Python's bytecode caches, the page cache) fall on no one.
        for task in TASKS:
            run_one(task, 2, 0, books[task], env, emulator, cache_path, workdir)
        plan = [(latency, n) for latency in latencies for n in ns]
        total = rounds * len(plan) * len(TASKS)
        done = 0
        for round_number in range(rounds):
            for step, (latency, n) in enumerate(plan):
                shift = (round_number + step) % len(TASKS)
                for task in TASKS[shift:] + TASKS[:shift]:
                    result = run_one(task, n, latency, books[task], env, emulator, cache_path, workdir)
                    result['round'] = round_number
                    runs.append(result)
                    done += 1
                    print('[%d/%d] round %d latency %3d ms N=%-4d %-6s median %.1f ms/item, requests %s (%.0fs elapsed)' % (
                        done, total, round_number, latency, n, task, statistics.median(result['item_s']) * 1000,
                        '/'.join(str(result['requests'][k]) for k in benchlib.KINDS), time.time() - started), flush=True)
    finally:
        emulator.stop()

    summary = summarise(runs, ns, latencies)
    checks = targets(summary)
    results = {
        'generated': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'duration_s': round(time.time() - started, 1),
        'source_commit': benchlib.git_describe(args.source),
        'ansible_core': ansible_core_version(),
        'python': platform.python_version(),
        'machine': {'cpus': os.cpu_count(), 'platform': platform.platform(), 'load_average': list(os.getloadavg())},
        'method': {
            'rounds': rounds, 'n': ns, 'latency_ms': latencies,
            'order': 'every (latency, N) runs module, uri and ping back to back; the order rotates each round and step',
            'item_time': 'gap between consecutive loop-item results, first item measured from the task start '
                         '(callback plugin benchmarks/callback_plugins/bench_timer.py)',
            'per_task_figure': 'median over the loop items of every round',
            'amortised': '(loop time + uri token task time) / N, median over rounds',
            'token_cache': 'module runs with token_cache: true; the cache file is deleted before each run',
            'reset': 'emulator store and request log reset before each run',
        },
        'summary': summary,
        'marginal': marginal(summary),
        'targets': checks,
        'runs': runs,
    }
    benchlib.write_json(out_json, results)
    print_report(summary, checks)
    for entry in results['marginal']:
        print('marginal per item between N=%d and N=%d at %d ms: %s' % (
            entry['between_n'][0], entry['between_n'][1], entry['latency_ms'],
            ', '.join('%s %.0f ms wall / %.0f ms CPU' % (t, entry[t]['wall_ms_per_item'], entry[t]['cpu_ms_per_item'])
                      for t in TASKS if t in entry)))
    print('\nresults: %s' % out_json)
    if not args.no_chart:
        try:
            chart(summary, out_chart)
            print('chart: %s' % out_chart)
        except ImportError:
            print('chart skipped: matplotlib is not installed (pip install matplotlib)', file=sys.stderr)
    print('took %.0f s' % (time.time() - started))


if __name__ == '__main__':
    main()
