"""Benchmark the provisioning layer on the default cluster.yaml (hpc: 3 VMs) with qemu:///system.

Per round: destroy (confirm=yes) -> provision.yml from the cached image until every VM answers on SSH (timed) ->
provision.yml again, no changes (timed, changed must be 0). Also times images.yml as a cache hit, and with
--cold an image build from an empty cache (removes <cache_dir>, package cache included: downloads again).

    .venv/bin/python tests/bench/bench_provision.py [--runs 3] [--cold] [--json out.json]

Leaves the default cluster provisioned and running at the end. Needs root and libvirtd.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOK = str(ROOT / '.venv' / 'bin' / 'ansible-playbook')
CACHE_DIR = '/var/lib/hyperscaler/images'


def play(*args):
    env = dict(os.environ, ANSIBLE_NOCOLOR='1')
    start = time.monotonic()
    proc = subprocess.run(
        [PLAYBOOK] + list(args),
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit('%s failed:\n%s' % (' '.join(args), proc.stdout[-4000:] + proc.stderr[-2000:]))
    changed = sum(int(c) for c in re.findall(r'changed=(\d+)', proc.stdout))
    return round(seconds, 1), changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--cold', action='store_true', help='also time an image build from an empty cache')
    parser.add_argument('--json')
    args = parser.parse_args()
    out = dict(images_cold=None, images_cached=[], provision=[], rerun=[], rerun_changed=[])
    if args.cold:
        play('playbooks/lifecycle.yml', '-e', 'lifecycle_action=destroy', '-e', 'confirm=yes', '-e', 'cluster=hpc')
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
        out['images_cold'] = play('playbooks/images.yml', '-e', 'cluster=hpc')[0]
    for _run in range(args.runs):
        out['images_cached'].append(play('playbooks/images.yml', '-e', 'cluster=hpc')[0])
    for _run in range(args.runs):
        play('playbooks/lifecycle.yml', '-e', 'lifecycle_action=destroy', '-e', 'confirm=yes', '-e', 'cluster=hpc')
        out['provision'].append(play('playbooks/provision.yml', '-e', 'cluster=hpc')[0])
        seconds, changed = play('playbooks/provision.yml', '-e', 'cluster=hpc')
        out['rerun'].append(seconds)
        out['rerun_changed'].append(changed)
    out['median'] = dict((k, statistics.median(out[k])) for k in ('images_cached', 'provision', 'rerun'))
    out['ratio_rerun_vs_provision'] = round(out['median']['rerun'] / out['median']['provision'], 3)
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        pathlib.Path(args.json).write_text(text + '\n')


if __name__ == '__main__':
    main()
