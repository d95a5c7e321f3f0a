"""Benchmark: hyperscaler.workstation.libvirt_domain against community.libvirt.virt, defining 20 domains and
re-running the same task (which should change nothing), on qemu:///system, in one session.

Each round runs, for each module in alternating order: undefine all -> define 20 (cold) -> define 20 again (rerun)
-> the same in check mode. Reports the median wall time of the define and rerun playbooks, how many items the
rerun and the check-mode run reported as changed (0 is the truth), and the ratios libvirt_domain / virt.

    .venv/bin/python tests/bench/bench_libvirt_domain.py [--runs 3] [--count 20] [--json out.json]

Needs root and a running libvirtd (tests/helpers/libvirtd.sh). Domains are named hswbench-NN, not started,
and removed at the end.
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / '.venv' / 'bin' / 'ansible-playbook'
XML = (
    "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>"
    "<devices><serial type='pty'><target port='0'/></serial></devices></domain>"
)

TASKS = {
    'libvirt_domain': """
    - name: Define
      hyperscaler.workstation.libvirt_domain:
        name: "{{ item }}"
        xml: "{{ xml_template | replace('{name}', item) }}"
        state: present
      loop: "{{ names }}"
""",
    'virt': """
    - name: Define
      community.libvirt.virt:
        command: define
        xml: "{{ xml_template | replace('{name}', item) }}"
      loop: "{{ names }}"
""",
}


def playbook(tmp, module, count):
    names = ['hswbench-%02d' % i for i in range(1, count + 1)]
    path = pathlib.Path(tmp) / ('%s.yml' % module)
    path.write_text("""---
- name: Bench %s
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    names: %s
    xml_template: "%s"
  tasks:%s""" % (module, json.dumps(names), XML.replace('"', '\\"'), TASKS[module]))
    return path, names


def run(path, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    start = time.monotonic()
    proc = subprocess.run(
        [str(PLAYBOOK), '-i', 'localhost,', str(path)] + list(extra),
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit('playbook failed:\n' + proc.stdout[-3000:] + proc.stderr[-2000:])
    changed = int(re.search(r'changed=(\d+)', proc.stdout).group(1))
    items_changed = proc.stdout.count('changed: [localhost] => (item=')
    return seconds, changed, items_changed


def undefine(names):
    for name in names:
        subprocess.run(['virsh', '-q', 'undefine', name], capture_output=True, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--count', type=int, default=20)
    parser.add_argument('--json')
    args = parser.parse_args()
    results = dict((m, dict(define=[], rerun=[], rerun_items_changed=[], check_items_changed=[])) for m in TASKS)
    with tempfile.TemporaryDirectory() as tmp:
        books = dict((m, playbook(tmp, m, args.count)) for m in TASKS)
        names = books['virt'][1]
        try:
            for rnd in range(args.runs):
                order = list(TASKS) if rnd % 2 == 0 else list(reversed(list(TASKS)))
                for module in order:
                    undefine(names)
                    seconds = run(books[module][0])[0]
                    results[module]['define'].append(seconds)
                    seconds, items = run(books[module][0])[0::2]
                    results[module]['rerun'].append(seconds)
                    results[module]['rerun_items_changed'].append(items)
                    # Check mode on the unchanged domains: a truthful module reports nothing.
                    results[module]['check_items_changed'].append(run(books[module][0], '--check')[2])
        finally:
            undefine(names)
    summary = {}
    for module, data in results.items():
        summary[module] = dict(
            define_median_s=round(statistics.median(data['define']), 2),
            rerun_median_s=round(statistics.median(data['rerun']), 2),
            rerun_items_reported_changed=max(data['rerun_items_changed']),
            check_mode_items_reported_changed=max(data['check_items_changed']),
            raw=data,
        )
    summary['ratio_define'] = round(
        summary['libvirt_domain']['define_median_s'] / summary['virt']['define_median_s'], 2
    )
    summary['ratio_rerun'] = round(summary['libvirt_domain']['rerun_median_s'] / summary['virt']['rerun_median_s'], 2)
    summary['count'] = args.count
    summary['runs'] = args.runs
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        pathlib.Path(args.json).write_text(text + '\n')


if __name__ == '__main__':
    main()
