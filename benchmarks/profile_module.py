# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Profile one execution of the module's AnsiballZ payload, next to uri's and ping's.

    python benchmarks/profile_module.py [--source LABEL=DIR ...] [--rounds 15] [--latency 0] [--auth client_secret]
                                        [--out FILE] [--pyinstrument DIR]

    # before/after: git worktree add /tmp/before <commit>, then
    python benchmarks/profile_module.py --source before=/tmp/before --source after=.

Builds and installs the collection from each ``--source`` (default: this checkout), runs one
playbook with ANSIBLE_KEEP_REMOTE_FILES=1 to get the payloads Ansible really sends
(crosstenant_sync_partner creating one object with the token cache on, uri POSTing one object
with a token, ping), then runs each payload directly (every source's module payload with a warm
and with a cold token cache, uri's and ping's), interleaved, ``--rounds`` times: wall time, CPU
time and the emulator's requests by kind per execution; and ``python -X importtime`` (median of 5
runs) to find what each payload imports beyond ping's.
"""

import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

HEAVY = ('requests', 'urllib3', 'charset_normalizer', 'idna', 'certifi', 'msal', 'jwt', 'cryptography', 'http.client',
         'http.cookiejar', 'ssl', 'email.utils', 'uuid', 'ansible.module_utils.urls')


def playbook(info, cache_path, auth='client_secret'):
    defaults = benchlib.connection_defaults(info, cache_path)
    if auth == 'client_certificate':
        del defaults['client_secret']
        defaults.update(client_id=info['cert_client_id'], client_certificate_path=info['cert_path'])
    token_body = {'grant_type': 'client_credentials', 'client_id': info['client_id'],
                  'client_secret': info['client_secret'], 'scope': info['scope']}
    return [{
        'name': 'payloads', 'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/entra.graph.graph': defaults},
        'tasks': [
            {'name': 'module', 'entra.graph.crosstenant_sync_partner': {'tenant_id': benchlib.tenant_id(1, 0)}},
            {'name': 'token', 'ansible.builtin.uri': {
                'url': info['token_endpoint'], 'method': 'POST', 'body_format': 'form-urlencoded', 'body': token_body,
                'ca_path': info['ca_path']}, 'register': 'token'},
            {'name': 'uri', 'ansible.builtin.uri': {
                'url': info['graph_endpoint'] + '/beta/policies/deletedItems/crossTenantSyncPolicyPartners', 'method': 'POST',
                'headers': {'Authorization': 'Bearer {{ token.json.access_token }}'}, 'body_format': 'json',
                'body': {'@odata.type': '#microsoft.graph.crossTenantIdentitySyncPolicyPartner', 'tenantId': benchlib.tenant_id(2, 0)},
                'status_code': 201, 'ca_path': info['ca_path']}},
            {'name': 'ping', 'ansible.builtin.ping': {}},
        ],
    }]


def find_payloads(remote_tmp):
    found = {}
    for path in glob.glob(os.path.join(remote_tmp, 'ansible-tmp-*', 'AnsiballZ_*.py')):
        with open(path) as handle:
            text = handle.read()
        name = os.path.basename(path)
        if name == 'AnsiballZ_crosstenant_sync_partner.py':
            found['module'] = path
        elif name == 'AnsiballZ_ping.py':
            found['ping'] = path
        elif name == 'AnsiballZ_uri.py' and '/beta/policies' in text:
            found['uri'] = path
    missing = set(('module', 'uri', 'ping')) - set(found)
    if missing:
        raise RuntimeError('payloads not found for %s under %s' % (sorted(missing), remote_tmp))
    return found


def execute(payload, env):
    cpu = benchlib.children_cpu()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, payload], capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    cpu = benchlib.children_cpu() - cpu
    result = json.loads(proc.stdout) if proc.stdout.strip().startswith('{') else {}
    if proc.returncode != 0 or result.get('failed'):
        raise RuntimeError('%s failed (%d): %s %s' % (payload, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    return wall, cpu


IMPORT_RUNS = 5
_IMPORT_LINE = re.compile(r'^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)')


def imported(payload, env):
    """{module: self microseconds} from ``python -X importtime``."""
    proc = subprocess.run([sys.executable, '-X', 'importtime', payload], capture_output=True, text=True, check=False, env=env)
    modules = {}
    for line in proc.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            modules[match.group(4)] = modules.get(match.group(4), 0) + int(match.group(1))
    return modules


def median(values):
    return statistics.median(values) if values else None


def prepare(source, label, workdir, emulator, auth):
    """Build and install ``source``, run the payload playbook once; its payloads and token cache path."""
    where = os.path.join(workdir, label)
    os.makedirs(where)
    collections_path = benchlib.build_and_install(where, source)
    cache_path = os.path.join(where, 'token-cache', 'cache.json')
    book = os.path.join(where, 'payloads.yml')
    benchlib.write_json(book, playbook(emulator.info, cache_path, auth))
    env = benchlib.playbook_env(collections_path, where, {'ANSIBLE_KEEP_REMOTE_FILES': '1'})
    emulator.reset()
    benchlib.ansible_playbook(book, env, cwd=where)
    return find_payloads(os.path.join(where, 'remote-tmp')), cache_path


def parse_sources(values):
    sources = []
    for value in values or ['current=' + benchlib.REPO]:
        label, sep, path = value.partition('=')
        if not sep:
            label, path = os.path.basename(os.path.abspath(value)), value
        sources.append((label, os.path.abspath(path)))
    return sources


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--source', action='append', metavar='LABEL=DIR',
                        help='a collection checkout to build, e.g. before=/tmp/old-worktree; repeat to compare '
                             '(their executions are interleaved); default: current=this checkout')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--latency', type=int, default=0, help='ms the emulator adds to each request')
    parser.add_argument('--auth', default='client_secret', choices=['client_secret', 'client_certificate'],
                        help="the module's sign-in method (uri always uses the client secret)")
    parser.add_argument('--out', default=None, help='write the results as JSON here')
    parser.add_argument('--pyinstrument', default=None, help='write pyinstrument text profiles of each payload into this folder')
    args = parser.parse_args()
    sources = parse_sources(args.source)

    workdir = tempfile.mkdtemp(prefix='entra-graph-profile-')
    emulator = benchlib.Emulator(os.path.join(workdir, 'emulator'))
    try:
        # (case name, payload path, token cache path, warm): True = cache filled, False = cache deleted first
        cases = []
        sizes = {}
        for index, (label, source) in enumerate(sources):
            payloads, cache_path = prepare(source, label, workdir, emulator, args.auth)
            sizes[label] = os.path.getsize(payloads['module'])
            cases.append(('%s module_cached_token' % label, payloads['module'], cache_path, True))
            cases.append(('%s module_cold_cache' % label, payloads['module'], cache_path, False))
            if index == 0:
                sizes['uri'], sizes['ping'] = os.path.getsize(payloads['uri']), os.path.getsize(payloads['ping'])
                tail = [('uri', payloads['uri'], None, None), ('ping', payloads['ping'], None, None)]
        cases += tail
        run_env = benchlib.base_env()

        def ready(case):
            dummy, payload, cache_path, warm = case
            emulator.reset(args.latency)
            if warm is False:
                benchlib.remove(cache_path)
            elif warm is True and not os.path.exists(cache_path):
                execute(payload, run_env)  # fill the cache
                emulator.reset(args.latency)

        samples = dict((case[0], {'wall': [], 'cpu': [], 'requests': None}) for case in cases)
        for round_number in range(args.rounds):
            shift = round_number % len(cases)
            for case in cases[shift:] + cases[:shift]:
                ready(case)
                wall, cpu = execute(case[1], run_env)
                samples[case[0]]['wall'].append(wall)
                samples[case[0]]['cpu'].append(cpu)
                samples[case[0]]['requests'] = emulator.request_counts()

        runs = dict((case[0], []) for case in cases)
        for dummy in range(IMPORT_RUNS):
            for case in cases:
                ready(case)
                runs[case[0]].append(imported(case[1], run_env))
        # per module, the median self time over the runs
        imports = dict((name, dict((module, median([r.get(module, 0) for r in found])) for module in found[0]))
                       for name, found in runs.items())
        floor = set(imports['ping'])
        import_summary = {}
        for name in imports:
            extra = dict((module, micros) for module, micros in imports[name].items() if module not in floor)
            import_summary[name] = {
                'extra_import_ms': round(sum(extra.values()) / 1000.0, 1),
                'extra_modules': len(extra),
                'heavy_loaded': [module for module in HEAVY if module in imports[name]],
                'top_extra': sorted(((module, round(micros / 1000.0, 1)) for module, micros in extra.items()),
                                    key=lambda item: -item[1])[:12],
            }

        if args.pyinstrument:
            os.makedirs(args.pyinstrument, exist_ok=True)
            for case in cases:
                ready(case)
                out = os.path.join(args.pyinstrument, '%s.txt' % case[0].replace(' ', '-'))
                subprocess.run([sys.executable, '-m', 'pyinstrument', '-r', 'text', '-o', out, case[1]],
                               capture_output=True, check=False, env=run_env)

        results = {
            'sources': dict((label, {'path': path, 'commit': benchlib.git_describe(path)}) for label, path in sources),
            'python': platform.python_version(),
            'latency_ms': args.latency,
            'auth': args.auth,
            'rounds': args.rounds,
            'payload_bytes': sizes,
            'cases': dict((name, {
                'wall_ms_median': round(median(s['wall']) * 1000, 1),
                'cpu_ms_median': round(median(s['cpu']) * 1000, 1),
                'wall_ms_min': round(min(s['wall']) * 1000, 1),
                'requests_per_execution': s['requests'],
                'imports': import_summary[name],
            }) for name, s in samples.items()),
        }
    finally:
        emulator.stop()
    if args.out:
        benchlib.write_json(args.out, results)
    print(json.dumps(results, indent=1, sort_keys=True))
    print('\n%-34s %9s %9s %11s %10s  %s' % ('payload', 'wall ms', 'CPU ms', 'imports ms', 'requests', 'heavy imports'))
    for name, case in results['cases'].items():
        req = case['requests_per_execution']
        print('%-34s %9.1f %9.1f %11.1f %10s  %s' % (
            name, case['wall_ms_median'], case['cpu_ms_median'], case['imports']['extra_import_ms'],
            '/'.join(str(req[kind]) for kind in benchlib.KINDS), ', '.join(case['imports']['heavy_loaded'])))
    print('(medians of %d interleaved executions; requests: discovery/token/graph_read/graph_write; '
          'imports: python -X importtime self time of the modules ping does not import, median of %d)' % (args.rounds, IMPORT_RUNS))
    benchlib.remove(workdir)


if __name__ == '__main__':
    main()
