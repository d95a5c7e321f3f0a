"""Running site.yml and other playbooks from the checkout, and reading their output: the recap, profile_tasks
times, the HPC phase's wall time and the tasks that changed; a node's inventory variables and a command on it over
SSH, as a user would. Used by tests/e2e and tests/bench."""

import json
import os
import pathlib
import re
import subprocess
import sys

BIN = pathlib.Path(sys.executable).parent
RECAP = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
# profile_tasks prints, under every task header, the wall clock and the time since the playbook started.
ELAPSED = re.compile(r'^\w+ \d+ \w+ \d+\s+[\d:]+ \+0000 \([\d:.]+\)\s+(\d+):(\d+):([\d.]+) \*+\s*$', re.M)
HPC_FIRST_PLAY = 'PLAY [HPC | MUNGE, users and the user environment on every node]'
SERVICES_FIRST_PLAY = 'PLAY [Services | Place each service on its node]'
SERVICES_LAST_PLAY = 'PLAY [Deploy the MLOps stack]'


def ansible_playbook(repo_root, args, **env):
    """ansible-playbook of this venv, run in the checkout with its ansible.cfg, no colour and ``env`` on top;
    returns (rc, stdout + stderr)."""
    env = dict(
        os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', **env
    )
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook')] + list(args),
        cwd=str(repo_root),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def playbook(repo_root, *args):
    """A playbook with profile_tasks times; returns (rc, output, {host: (changed, unreachable, failed)}).
    With $HSW_PLAYBOOK_LOG_DIR set, each run's whole output is also written there (the per-task profile)."""
    rc, out = ansible_playbook(repo_root, args, ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks')
    log_dir = os.environ.get('HSW_PLAYBOOK_LOG_DIR')
    if log_dir:
        path = pathlib.Path(log_dir)
        path.mkdir(parents=True, exist_ok=True)
        name = '%02d-%s.log' % (len(list(path.glob('*.log'))), re.sub(r'[^\w.-]+', '_', ' '.join(args))[:80])
        (path / name).write_text(out)
    recap = {
        host: (int(changed), int(unreachable), int(failed)) for host, changed, unreachable, failed in RECAP.findall(out)
    }
    return rc, out, recap


def elapsed(text):
    """Seconds since the playbook started, at the last profile_tasks line of ``text``."""
    marks = ELAPSED.findall(text)
    hours, minutes, seconds = marks[-1]
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _phase_seconds(out, first_play, next_play):
    """Wall time from ``first_play`` to the first task after ``next_play`` (or the end) in one playbook output."""
    before, _sep, after = out.partition(first_play)
    _during, sep, rest = after.partition(next_play)
    end = ELAPSED.search(rest) if sep else None
    if end is None:
        return elapsed(out) - elapsed(before)
    hours, minutes, seconds = end.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds) - elapsed(before)


def hpc_phase_seconds(out):
    """Wall time of the HPC phase (its first play to the services phase, or to the end) in one site.yml output."""
    return _phase_seconds(out, HPC_FIRST_PLAY, SERVICES_FIRST_PLAY)


def services_phase_seconds(out):
    """Wall time of the services phase (its first play to the MLOps phase) in one site.yml output."""
    return _phase_seconds(out, SERVICES_FIRST_PLAY, SERVICES_LAST_PLAY)


def changed_tasks(out):
    """[(task, host)] of every 'changed:' result, in order."""
    found, task = [], None
    for line in out.splitlines():
        header = re.match(r'^(?:TASK|RUNNING HANDLER) \[(.*)\] \*+$', line)
        if header:
            task = header.group(1)
        hit = re.match(r'^changed: \[([^\]]+)\]', line)
        if hit:
            found.append((task, hit.group(1)))
    return found


def inventory_host(repo_root, name, config=None):
    """ansible-inventory --host NAME of the checkout's inventory (``config``: another cluster.yaml), unsafe-free."""
    from helpers.unsafe import strip_unsafe

    extra = ['-e', 'cluster_config=%s' % config] if config else []
    out = subprocess.run(
        [str(BIN / 'ansible-inventory'), '--host', name] + extra,
        cwd=str(repo_root),
        env=dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg')),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return strip_unsafe(json.loads(out))


def ssh_argv(repo_root, host, config=None):
    """The ssh command line that logs in to the VM ``host`` with the cluster's key, as the automation's user."""
    hostvars = inventory_host(repo_root, host, config)
    cmd = ['ssh', '-i', hostvars['ansible_ssh_private_key_file']]
    for option in ('StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR', 'BatchMode=yes'):
        cmd += ['-o', option]
    return cmd + ['%s@%s' % (hostvars['ansible_user'], hostvars['ansible_host'])]


def ssh(repo_root, host, command, config=None):
    """``command`` on the VM ``host`` over SSH with the cluster's key, as the automation's user."""
    cmd = ssh_argv(repo_root, host, config) + [command]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
