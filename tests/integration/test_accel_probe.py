"""The accelerator probe behind domain_type: auto boots a real guest, it does not trust /dev/kvm alone."""

import glob
import os
import pathlib
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.libvirt

PROBE = pathlib.Path(__file__).resolve().parents[2] / 'roles' / 'vm_provision' / 'files' / 'hsw-accel-probe.sh'
KERNELS = sorted(glob.glob('/var/lib/hyperscaler/images/*.vmlinuz'))


def probe(*args, selftest=False):
    env = dict(os.environ, HSW_PROBE_SELFTEST='1' if selftest else '0')
    proc = subprocess.run([str(PROBE)] + list(args), capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0
    return proc.stdout.strip(), proc.stderr


@pytest.fixture(autouse=True)
def needs_qemu():
    if shutil.which('qemu-system-x86_64') is None:
        pytest.skip('qemu-system-x86_64 is not installed')


def test_a_boot_sector_guest_finishes_under_tcg():
    assert probe('tcg', selftest=True)[0] == 'finished=yes'


@pytest.mark.skipif(not KERNELS, reason='needs a golden image kernel (make images)')
def test_the_image_kernel_boots_under_tcg():
    assert probe('tcg', KERNELS[0], selftest=True)[0] == 'finished=yes'


def test_kvm_answer_matches_a_real_guest():
    """On hosts where /dev/kvm exists but guests cannot run (the reference workstation), the answer is qemu."""
    args = ['kvm'] + KERNELS[:1]
    answer, reason = probe(*args)
    finished = probe(*args, selftest=True)[0] == 'finished=yes'
    assert answer == ('kvm' if finished else 'qemu')
    if answer == 'qemu' and os.path.exists('/dev/kvm'):
        assert reason  # says why: a QEMU error, a hang, or no access
