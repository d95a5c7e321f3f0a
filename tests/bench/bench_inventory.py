"""Inventory plugin cost: `ansible-inventory --list` over a generated cluster.yaml with N compute nodes, against
a static YAML inventory holding the same hosts, groups and variables. Prints a Markdown table row.

    .venv/bin/python tests/bench/bench_inventory.py [--nodes 1000] [--runs 5]
"""

import argparse
import ipaddress
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests'))
from helpers.unsafe import strip_unsafe  # noqa: E402

BIN = pathlib.Path(sys.executable).parent


def generated_config(nodes):
    net = ipaddress.IPv4Network('10.200.0.0/16')
    compute = [
        {'cpu_cores': 2, 'memory_gb': 4, 'disk_gb': 20, 'ip': str(net.network_address + 11 + i)} for i in range(nodes)
    ]
    return {
        'version': '1.0',
        'clusters': {
            'hpc': {
                'network': {'subnet': str(net), 'bridge': 'hsw-bench0'},
                'controller': {
                    'cpu_cores': 2,
                    'memory_gb': 4,
                    'disk_gb': 20,
                    'ip_address': str(net.network_address + 10),
                },
                'compute_nodes': compute,
                'slurm_config': {'partitions': ['batch'], 'default_partition': 'batch'},
            }
        },
    }


def static_inventory(listing):
    """Turn `ansible-inventory --list --export` output into the equivalent YAML inventory."""
    hostvars = listing['_meta']['hostvars']
    groups = {}
    for name, group in listing.items():
        if name == '_meta':
            continue
        entry = {}
        if group.get('hosts'):
            entry['hosts'] = {h: hostvars.get(h, {}) for h in group['hosts']}
        if group.get('vars'):
            entry['vars'] = group['vars']
        if group.get('children'):
            entry['children'] = {c: None for c in group['children'] if c != 'ungrouped'}
        groups[name] = entry
    root = groups.pop('all')
    root.setdefault('children', {})
    for name, entry in groups.items():
        if name in root['children']:
            root['children'][name] = entry
    pending = dict(groups)
    for entry in groups.values():
        for child in entry.get('children') or {}:
            entry['children'][child] = pending.get(child) or {}
    return {'all': root}


def timed(cmd, env, runs):
    samples = []
    for _run in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        samples.append(time.perf_counter() - start)
        if proc.returncode:
            sys.exit(proc.stderr)
    return statistics.median(samples), proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--nodes', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / 'ansible.cfg'),
        ANSIBLE_INVENTORY_ENABLED='hyperscaler.workstation.cluster,ansible.builtin.yaml',
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / 'cluster.yaml').write_text(yaml.safe_dump(generated_config(args.nodes)))
        (tmp / 'bench.cluster.yml').write_text(
            'plugin: hyperscaler.workstation.cluster\ncluster_config: cluster.yaml\n'
        )
        plugin_cmd = [str(BIN / 'ansible-inventory'), '-i', str(tmp / 'bench.cluster.yml'), '--list', '--export']
        plugin_time, out = timed(plugin_cmd, env, args.runs)
        listing = strip_unsafe(json.loads(out))
        static = static_inventory(listing)
        (tmp / 'static.yml').write_text(yaml.safe_dump(static, sort_keys=False))
        static_cmd = [str(BIN / 'ansible-inventory'), '-i', str(tmp / 'static.yml'), '--list', '--export']
        static_time, out2 = timed(static_cmd, env, args.runs)
        assert sorted(strip_unsafe(json.loads(out2))['_meta']['hostvars']) == sorted(listing['_meta']['hostvars'])
    print(
        '| ansible-inventory --list, %d compute nodes | %.2f s | %.2f s | %.2f |'
        % (args.nodes, plugin_time, static_time, plugin_time / static_time)
    )


if __name__ == '__main__':
    main()
