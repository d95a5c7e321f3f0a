"""The accelerator probe behind domain_type: auto boots a real guest, it does not trust /dev/kvm alone, and keeps
its answer for the rest of the host's boot."""

import glob
import os
import pathlib
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.libvirt

PROBE = pathlib.Path(__file__).resolve().parents[2] / 'roles' / 'vm_provision' / 'files' / 'hsw-accel-probe.sh'
IMAGES = '/var/lib/hyperscaler/images'


def probe(*args, selftest=False, cache=''):
    """The probe's (stdout, stderr); ``cache``: its HSW_PROBE_CACHE (empty: none, a real probe every time)."""
    env = dict(os.environ, HSW_PROBE_SELFTEST='1' if selftest else '0', HSW_PROBE_CACHE=str(cache))
    proc = subprocess.run([str(PROBE)] + list(args), capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0
    return proc.stdout.strip(), proc.stderr


@pytest.fixture(autouse=True)
def needs_qemu():
    if shutil.which('qemu-system-x86_64') is None:
        pytest.skip('qemu-system-x86_64 is not installed')


def test_a_boot_sector_guest_finishes_under_tcg():
    assert probe('tcg', selftest=True)[0] == 'finished=yes'


@pytest.fixture(scope='module')
def image_kernel(ansible_playbook):
    """A golden image's kernel; builds the HPC images (cached by their input hash, as make images does) if none."""
    kernels = sorted(glob.glob(IMAGES + '/*.vmlinuz'))
    if not kernels:
        built = ansible_playbook('playbooks/images.yml', '-e', 'cluster=hpc')
        assert built.rc == 0, built.tail()
        kernels = sorted(glob.glob(IMAGES + '/*.vmlinuz'))
    assert kernels
    return kernels[0]


def test_the_image_kernel_boots_under_tcg(image_kernel):
    assert probe('tcg', image_kernel, selftest=True)[0] == 'finished=yes'


def test_kvm_answer_matches_a_real_guest(image_kernel):
    """On hosts where /dev/kvm exists but guests cannot run (the reference workstation), the answer is qemu."""
    args = ['kvm', image_kernel]
    answer, reason = probe(*args)
    finished = probe(*args, selftest=True)[0] == 'finished=yes'
    assert answer == ('kvm' if finished else 'qemu')
    if answer == 'qemu' and os.path.exists('/dev/kvm'):
        assert reason  # says why: a QEMU error, a hang, or no access


def test_the_answer_is_kept_for_this_boot_and_probed_again_after_another(tmp_path):
    cache = tmp_path / 'accel-probe'
    answer, reason = probe('tcg', cache=cache)
    assert answer == 'qemu' and not reason  # TCG ran the boot sector guest
    boot_id = pathlib.Path('/proc/sys/kernel/random/boot_id').read_text().strip()
    key, kept, _reason = cache.read_text().split('\n', 2)
    assert key.startswith(boot_id + ' tcg ') and kept == 'qemu'
    again = probe('tcg', cache=cache)
    assert again[0] == 'qemu' and 'kept in %s' % cache in again[1]
    # What an earlier boot found is not this boot's answer: the probe runs again and replaces it.
    cache.write_text('another-boot tcg 1 2 3\nkvm\n\n')
    fresh = probe('tcg', cache=cache)
    assert fresh[0] == 'qemu' and 'kept in' not in fresh[1]
    assert cache.read_text().startswith(boot_id)
