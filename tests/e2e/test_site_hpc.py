"""End to end, as README's main command: `ansible-playbook site.yml -e cluster=hpc` on config/cluster.yaml.

Boots the default 3-VM cluster under qemu (TCG here), configures SLURM on it, runs jobs over SSH, then proves the
rerun and `--check` change nothing and that destroy removes what the run created. Slow (minutes); `make e2e`.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.vm

BIN = pathlib.Path(sys.executable).parent
RECAP = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def playbook(repo_root, *args):
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook')] + list(args),
        cwd=str(repo_root),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = proc.stdout + proc.stderr
    recap = {
        host: (int(changed), int(unreachable), int(failed)) for host, changed, unreachable, failed in RECAP.findall(out)
    }
    return proc.returncode, out, recap


def changed_hosts(recap):
    return {host: counts[0] for host, counts in recap.items() if counts[0]}


@pytest.fixture(scope='module')
def cluster(repo_root):
    rc, out, recap = playbook(repo_root, 'site.yml', '-e', 'cluster=hpc')
    sys.stdout.write(out[-6000:])
    assert rc == 0, out[-8000:]
    yield out, recap
    rc, out, _recap = playbook(
        repo_root, 'playbooks/lifecycle.yml', '-e', 'lifecycle_action=destroy', '-e', 'confirm=yes', '-e', 'cluster=hpc'
    )
    assert rc == 0, out[-4000:]


def inventory_host(repo_root, name):
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'))
    out = subprocess.run(
        [str(BIN / 'ansible-inventory'), '--host', name],
        cwd=str(repo_root),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def unwrap(value):
    """ansible-core 2.19 prints inventory strings as {"__ansible_unsafe": ...}."""
    return value['__ansible_unsafe'] if isinstance(value, dict) else value


def ssh(repo_root, host, command):
    hostvars = inventory_host(repo_root, host)
    cmd = [
        'ssh',
        '-i',
        unwrap(hostvars['ansible_ssh_private_key_file']),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
        '-o',
        'BatchMode=yes',
        '%s@%s' % (unwrap(hostvars['ansible_user']), unwrap(hostvars['ansible_host'])),
        command,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def test_first_run_reports_the_cluster(cluster):
    out, recap = cluster
    assert {'hpc-controller', 'hpc-compute-01', 'hpc-compute-02'} <= set(recap)
    assert all(counts[1] == 0 and counts[2] == 0 for counts in recap.values())
    assert 'ssh -i' in out and 'ops@192.168.150.10' in out
    assert 'smoke job (srun hostname): hpc-compute-01, hpc-compute-02' in out
    assert re.search(r'batch\*\s+up\s+.*\bidle hpc-compute-\[01-02\]', out), out[-3000:]


def test_jobs_run_on_every_compute_node(cluster, repo_root):
    result = ssh(repo_root, 'hpc-controller', 'srun -N2 hostname | sort')
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['hpc-compute-01', 'hpc-compute-02']
    job = ssh(
        repo_root,
        'hpc-controller',
        'sbatch --wait --wrap "hostname" -o /tmp/e2e-%j.out && sacct -n -X -o State --starttime now-1hour | tail -1',
    )
    assert job.returncode == 0, job.stderr
    assert 'COMPLETED' in job.stdout


def test_rerun_changes_nothing(cluster, repo_root):
    rc, out, recap = playbook(repo_root, 'site.yml', '-e', 'cluster=hpc')
    assert rc == 0, out[-8000:]
    assert changed_hosts(recap) == {}, out[-8000:]


def test_check_mode_on_the_converged_cluster_changes_nothing(cluster, repo_root):
    rc, out, recap = playbook(repo_root, 'site.yml', '-e', 'cluster=hpc', '--check')
    assert rc == 0, out[-8000:]
    assert changed_hosts(recap) == {}, out[-8000:]
