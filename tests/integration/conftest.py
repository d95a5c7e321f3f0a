"""Fixtures for the integration tests: a running libvirtd (started when absent) and playbook runners."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBVIRTD_HELPER = ROOT / 'tests' / 'helpers' / 'libvirtd.sh'
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


@pytest.fixture(scope='session')
def libvirtd():
    """qemu:///system answers (libvirtd and virtlogd are started when absent); yields the URI."""
    if shutil.which('virsh') is None or shutil.which('libvirtd') is None:
        pytest.skip('libvirt is not installed (apt-get install libvirt-daemon-system)')
    if os.geteuid() != 0:
        pytest.skip('the libvirt integration tests run as root (qemu:///system)')
    proc = subprocess.run([str(LIBVIRTD_HELPER)], capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        pytest.fail('libvirtd did not start: %s' % proc.stderr.strip())
    return 'qemu:///system'


class PlaybookResult(object):
    def __init__(self, proc, seconds):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.seconds = seconds
        self.recap = dict(
            (
                m.group(1),
                dict(ok=int(m.group(2)), changed=int(m.group(3)), unreachable=int(m.group(4)), failed=int(m.group(5))),
            )
            for m in RECAP.finditer(self.output)
        )

    @property
    def changed(self):
        return sum(host['changed'] for host in self.recap.values())

    def tail(self, chars=4000):
        return self.output[-chars:]


@pytest.fixture(scope='session')
def ansible_playbook():
    """Run a playbook from the checkout (its ansible.cfg); returns a PlaybookResult."""
    import time

    def run(playbook, *args, timeout=1800, env=None):
        full_env = dict(os.environ, ANSIBLE_FORCE_COLOR='0', ANSIBLE_NOCOLOR='1', PYTHONUNBUFFERED='1')
        full_env.update(env or {})
        cmd = [str(ROOT / '.venv' / 'bin' / 'ansible-playbook'), str(ROOT / playbook)] + list(args)
        start = time.monotonic()
        proc = subprocess.run(
            cmd,
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return PlaybookResult(proc, time.monotonic() - start)

    return run
