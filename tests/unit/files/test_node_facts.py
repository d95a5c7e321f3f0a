"""hyperscaler.workstation.node_facts: the roles' facts in one call, against independent witnesses.

On this host the module's answers are compared with ansible.builtin.setup's (release, host name, architecture,
CPU topology and memory - what a compute node's Node line is made of -, service manager, default IPv4 address)
and with `dpkg-query` (every installed package and its version), both run here through ansible-playbook; the
parsers are checked on a tree of files made in the test.
"""

import json
import subprocess

from helpers.site_run import ansible_playbook

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _node_facts

PLAY = """---
- hosts: localhost
  connection: local
  gather_facts: true
  vars: {ansible_python_interpreter: "{{ ansible_playbook_python }}"}
  tasks:
    - name: Keep setup's answers
      ansible.builtin.set_fact:
        setup_facts: "{{ ansible_facts }}"
    - name: The module under test
      hyperscaler.workstation.node_facts:
      check_mode: true
    - name: Show both
      ansible.builtin.copy:
        dest: %(out)s
        content: "{{ {'setup': setup_facts, 'node': ansible_facts} | to_json }}"
      check_mode: false
"""


def test_the_facts_agree_with_setup_and_dpkg_on_this_host(repo_root, tmp_path):
    out = tmp_path / 'facts.json'
    book = tmp_path / 'play.yml'
    book.write_text(PLAY % {'out': out})
    rc, text = ansible_playbook(repo_root, ['-i', 'localhost,', str(book)])
    assert rc == 0, text
    facts = json.loads(out.read_text())
    setup, node = facts['setup'], facts['node']
    for key in (
        'distribution',
        'distribution_release',
        'distribution_major_version',
        'os_family',
        'hostname',
        'architecture',
        'processor_count',
        'processor_cores',
        'processor_threads_per_core',
        'processor_vcpus',
        'memtotal_mb',
    ):
        assert node[key] == setup[key], key
    # Without systemd as PID 1 setup guesses (sysvinit, openrc, ...) where the module names PID 1; what the roles
    # rely on is the systemd decision.
    assert (node['service_mgr'] == 'systemd') == (setup['service_mgr'] == 'systemd'), (node, setup)
    if 'default_ipv4' in setup and setup['default_ipv4']:
        assert node['default_ipv4']['address'] == setup['default_ipv4']['address']
        assert node['default_ipv4']['interface'] == setup['default_ipv4']['interface']
    listed = subprocess.run(
        ['dpkg-query', '-W', '-f', '${db:Status-Abbrev} ${Package} ${Version}\\n'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    dpkg = {}
    for line in listed:
        status, name, version = (line.split() + ['', ''])[:3]
        if status == 'ii':
            dpkg.setdefault(name.split(':')[0], set()).add(version)
    assert len(dpkg) > 100
    assert {name: {entry['version'] for entry in entries} for name, entries in node['packages'].items()} == dpkg


STATUS = """Package: munge
Status: install ok installed
Architecture: amd64
Version: 0.5.16-1
Description: authentication service
 continuation line: not a field

Package: slurmd
Status: deinstall ok config-files
Architecture: amd64
Version: 24.11.5-4

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.41-12
"""


def test_a_file_tree_gives_release_packages_and_route(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc/os-release').write_text(
        'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\n'
        'VERSION_ID="13"\nVERSION_CODENAME=trixie\nID=debian\n'
    )
    (tmp_path / 'etc/hostname').write_text('hpc-compute-01.hpc.local\n')
    (tmp_path / 'var/lib/dpkg').mkdir(parents=True)
    (tmp_path / 'var/lib/dpkg/status').write_text(STATUS)
    (tmp_path / 'proc/net').mkdir(parents=True)
    (tmp_path / 'proc/net/route').write_text(
        'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n'
        'eth0\t0096A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n'
        'eth0\t00000000\t0196A8C0\t0003\t0\t0\t0\t00000000\n'
    )
    (tmp_path / 'run/systemd/system').mkdir(parents=True)
    # Two sockets of 4 cores with 2 threads each (16 vCPUs), as /proc/cpuinfo lists them (one entry per thread).
    (tmp_path / 'proc/cpuinfo').write_text(
        ''.join(
            'processor\t: %d\nvendor_id\t: GenuineIntel\nphysical id\t: %d\nsiblings\t: 8\ncore id\t\t: %d\n'
            'cpu cores\t: 4\n\n' % (n, n // 8, (n % 8) // 2)
            for n in range(16)
        )
    )
    (tmp_path / 'proc/meminfo').write_text('MemTotal:        1004860 kB\nMemFree:          900000 kB\n')
    facts = _node_facts.node_facts(str(tmp_path), address=lambda interface: '192.168.150.11')
    assert facts['distribution'] == 'Debian' and facts['distribution_release'] == 'trixie'
    assert facts['distribution_major_version'] == '13' and facts['os_family'] == 'Debian'
    assert facts['hostname'] == 'hpc-compute-01' and facts['nodename'] == 'hpc-compute-01.hpc.local'
    assert facts['service_mgr'] == 'systemd' and facts['memtotal_mb'] == 981
    assert (facts['processor_count'], facts['processor_cores'], facts['processor_threads_per_core']) == (2, 4, 2)
    assert facts['processor_vcpus'] == 16
    assert facts['default_ipv4'] == {'interface': 'eth0', 'gateway': '192.168.150.1', 'address': '192.168.150.11'}
    assert facts['packages'] == {
        'munge': [{'name': 'munge', 'version': '0.5.16-1', 'arch': 'amd64', 'source': 'apt'}],
        'libc6': [{'name': 'libc6', 'version': '2.41-12', 'arch': 'i386', 'source': 'apt'}],
    }


def test_without_systemd_or_a_default_route_the_facts_say_so(tmp_path):
    (tmp_path / 'proc/1').mkdir(parents=True)
    (tmp_path / 'proc/1/comm').write_text('bash\n')
    facts = _node_facts.node_facts(str(tmp_path), packages=False)
    assert facts['service_mgr'] == 'bash' and 'default_ipv4' not in facts and 'packages' not in facts
    assert facts['distribution_release'] == ''
