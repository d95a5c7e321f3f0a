"""A package file the user provides (NVIDIA's licensed vGPU guest driver) is installed into an image by the real
build (image_builder, debootstrap backend), with its dependencies from the archive.

Stand-in: NVIDIA's driver package cannot be had here, so the test builds a package of its own with dpkg-deb
(`hsw-standin-vgpu-guest-driver`, a marker file and a dependency on pciutils) and builds a small image type
(`hsw-standin`: the kernel, no common packages) on the shared base rootfs of the other integration tests.
Run: .venv/bin/pytest -m libvirt tests/integration/test_image_local_packages.py
"""

import glob
import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.libvirt
IMAGES = '/var/lib/hyperscaler/images'
TYPE = 'hsw-standin'


def standin_deb(tmp_path):
    root = tmp_path / 'pkg'
    (root / 'DEBIAN').mkdir(parents=True)
    (root / 'usr/share/hsw-standin').mkdir(parents=True)
    (root / 'usr/share/hsw-standin/marker').write_text('installed by image_builder\n')
    (root / 'DEBIAN/control').write_text(
        'Package: hsw-standin-vgpu-guest-driver\nVersion: 1.0-1\nArchitecture: all\nMaintainer: tests <t@example.invalid>\n'
        'Depends: pciutils\nDescription: stand-in for a package no archive carries\n'
    )
    deb = tmp_path / 'hsw-standin-vgpu-guest-driver_1.0-1_all.deb'
    subprocess.run(['dpkg-deb', '--root-owner-group', '-b', str(root), str(deb)], check=True, capture_output=True)
    return deb


@pytest.fixture
def cleanup():
    yield
    for path in glob.glob('%s/%s*' % (IMAGES, TYPE)):
        os.remove(path)


def test_the_users_package_and_its_dependencies_are_in_the_image(tmp_path, ansible_playbook, cleanup):
    if shutil.which('dpkg-deb') is None:
        pytest.skip('dpkg-deb is not installed')
    deb = standin_deb(tmp_path)
    extra = {
        'image_builder_types': [TYPE],
        'image_builder_common_packages': [],
        'image_builder_packages': {TYPE: []},
        'image_builder_local_packages': {TYPE: [str(deb)]},
        'image_builder_size_mb': {TYPE: 1536},
    }
    built = ansible_playbook('playbooks/images.yml', '-e', 'cluster=hpc', '-e', json.dumps(extra))
    assert built.rc == 0, built.tail()
    manifest = json.loads(open('%s/%s.json' % (IMAGES, TYPE)).read())
    assert manifest['local_packages'][0][0] == deb.name
    installed = dict(
        line.split(' ', 1) for line in open(manifest['qcow2'][: -len('.qcow2')] + '.packages').read().splitlines()
    )
    assert installed['hsw-standin-vgpu-guest-driver'] == '1.0-1'
    assert 'pciutils' in installed  # its dependency, from the archive
    assert os.path.getsize(manifest['qcow2']) > 0

    again = ansible_playbook('playbooks/images.yml', '-e', 'cluster=hpc', '-e', json.dumps(extra))
    assert again.rc == 0 and again.changed == 0, again.tail()
