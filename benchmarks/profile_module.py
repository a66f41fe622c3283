# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Profile one execution of the module's AnsiballZ payload, next to uri's and ping's.

    python benchmarks/profile_module.py [--source DIR] [--rounds 15] [--latency 0] [--out FILE] [--pyinstrument DIR]

Builds and installs the collection from ``--source`` (default: this checkout; give an older
worktree to measure "before"), runs one playbook with ANSIBLE_KEEP_REMOTE_FILES=1 to get the
payloads Ansible really sends (crosstenant_sync_partner creating one object with the token cache
on, uri POSTing one object with a token, ping), then runs each payload directly, interleaved,
``--rounds`` times: wall time, CPU time and the emulator's requests by kind per execution, and
``python -X importtime`` (median of 5 runs) to find what each payload imports beyond ping's.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--source', default=benchlib.REPO, help='the collection checkout to build (default: this one)')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--latency', type=int, default=0, help='ms the emulator adds to each request')
    parser.add_argument('--auth', default='client_secret', choices=['client_secret', 'client_certificate'],
                        help="the module's sign-in method (uri always uses the client secret)")
    parser.add_argument('--label', default=None)
    parser.add_argument('--out', default=None, help='write the results as JSON here')
    parser.add_argument('--pyinstrument', default=None, help='write pyinstrument text profiles of each payload into this folder')
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix='entra-graph-profile-')
    emulator = benchlib.Emulator(os.path.join(workdir, 'emulator'))
    try:
        collections_path = benchlib.build_and_install(workdir, args.source)
        cache_path = os.path.join(workdir, 'token-cache', 'cache.json')
        remote_tmp = os.path.join(workdir, 'remote-tmp')
        book = os.path.join(workdir, 'payloads.yml')
        benchlib.write_json(book, playbook(emulator.info, cache_path, args.auth))
        env = benchlib.playbook_env(collections_path, workdir, {'ANSIBLE_KEEP_REMOTE_FILES': '1'})
        emulator.reset()
        benchlib.ansible_playbook(book, env, cwd=workdir)
        payloads = find_payloads(remote_tmp)
        run_env = benchlib.base_env()

        cases = (('module_cached_token', 'module', True), ('module_cold_cache', 'module', False), ('uri', 'uri', None),
                 ('ping', 'ping', None))
        samples = dict((name, {'wall': [], 'cpu': [], 'requests': None}) for name, dummy, dummy2 in cases)
        for round_number in range(args.rounds):
            order = cases[round_number % len(cases):] + cases[:round_number % len(cases)]
            for name, payload, warm in order:
                emulator.reset(args.latency)
                if warm is False:
                    benchlib.remove(cache_path)
                elif warm is True and not os.path.exists(cache_path):
                    execute(payloads['module'], run_env)  # fill the cache
                    emulator.reset(args.latency)
                wall, cpu = execute(payloads[payload], run_env)
                samples[name]['wall'].append(wall)
                samples[name]['cpu'].append(cpu)
                samples[name]['requests'] = emulator.request_counts()

        imports = {}
        for name, payload, warm in cases:
            runs = []
            for dummy in range(IMPORT_RUNS):
                emulator.reset(args.latency)
                if warm is False:
                    benchlib.remove(cache_path)
                runs.append(imported(payloads[payload], run_env))
            # per module, the median self time of the runs that imported it
            imports[name] = dict((module, median([r[module] for r in runs if module in r])) for module in runs[0])
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
            for name, payload, warm in cases:
                emulator.reset(args.latency)
                if warm is False:
                    benchlib.remove(cache_path)
                out = os.path.join(args.pyinstrument, '%s%s.txt' % (args.label + '-' if args.label else '', name))
                subprocess.run([sys.executable, '-m', 'pyinstrument', '-r', 'text', '-o', out, payloads[payload]],
                               capture_output=True, check=False, env=run_env)

        sizes = dict((name, os.path.getsize(path)) for name, path in payloads.items())
        results = {
            'label': args.label,
            'source_commit': benchlib.git_describe(args.source),
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
    text = json.dumps(results, indent=1, sort_keys=True)
    if args.out:
        benchlib.write_json(args.out, results)
    print(text)
    print('\n%-22s %10s %10s %12s %12s  %s' % ('payload', 'wall ms', 'cpu ms', 'imports ms', 'requests', 'heavy imports'))
    for name, case in results['cases'].items():
        req = case['requests_per_execution']
        print('%-22s %10.1f %10.1f %12.1f %12s  %s' % (
            name, case['wall_ms_median'], case['cpu_ms_median'], case['imports']['extra_import_ms'],
            '/'.join(str(req[kind]) for kind in benchlib.KINDS), ', '.join(case['imports']['heavy_loaded'])))
    print('(requests: discovery/token/graph_read/graph_write; imports: self time of modules ping does not import)')
    benchlib.remove(workdir)


if __name__ == '__main__':
    main()
