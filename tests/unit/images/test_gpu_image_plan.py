"""The image plan for configurations with GPUs: the GPU image types, their packages and archive components, built
only because such nodes exist (playbooks/images.yml in check mode: nothing is built).

Stand-in: the "vGPU guest driver" here is a file of a few bytes named like NVIDIA's package; the plan only reads
its checksum (tests/integration/test_image_local_packages.py installs a real stand-in package in an image)."""

import hashlib
import json
import os
import pathlib
import subprocess
import sys

import yaml

BIN = pathlib.Path(sys.executable).parent
PUBLISH = 'Publish the images for the provisioning phase'


def images_plan(repo_root, tmp_path, config, cluster):
    """(rc, output, image_builder_images) of images.yml --check for ``config`` and ``cluster``."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK='ansible.posix.json')
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook'), 'playbooks/images.yml', '--check', '-e', 'cluster=%s' % cluster,
         '-e', 'cluster_config=%s' % config, '-e', 'image_builder_cache_dir=%s' % (tmp_path / 'cache')],
        cwd=str(repo_root), env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        return proc.returncode, output, None
    for play in json.loads(proc.stdout)['plays']:
        for task in play['tasks']:
            if task['task']['name'].endswith(PUBLISH):
                return 0, output, task['hosts']['localhost']['ansible_facts']['image_builder_images']
    raise AssertionError('no image plan in %s' % output[-3000:])


def gpu_modes(repo_root, tmp_path, driver=None):
    doc = yaml.safe_load((repo_root / 'config/examples/gpu-modes.yaml').read_text())
    if driver:
        doc['global']['images']['vgpu_guest_driver'] = str(driver)
    path = tmp_path / 'gpu-modes.yaml'
    path.write_text(yaml.safe_dump(doc))
    return path


def test_gpu_nodes_get_the_image_with_the_nvidia_driver_and_nothing_else_does(repo_root, tmp_path):
    rc, out, plan = images_plan(repo_root, tmp_path, repo_root / 'config/examples/multi-gpu.yaml', 'hpc')
    assert rc == 0, out[-3000:]
    # multi-gpu.yaml: both compute nodes pass a GPU through, so the plain compute image is not needed
    assert sorted(plan) == ['hpc-compute-gpu', 'hpc-controller']
    gpu = plan['hpc-compute-gpu']
    assert {'slurmd', 'libpam-slurm-adopt', 'lmod'} <= set(gpu['packages'])  # the base type's
    assert {'nvidia-kernel-dkms', 'linux-headers-cloud-amd64', 'nvidia-smi', 'slurm-wlm-nvml-plugin'} <= set(
        gpu['packages']
    )
    assert gpu['components'] == ['main', 'contrib', 'non-free', 'non-free-firmware']
    assert plan['hpc-controller']['components'] == ['main']
    assert not [n for n in plan['hpc-controller']['packages'] if 'nvidia' in n]
    assert not (tmp_path / 'cache').exists() or not list((tmp_path / 'cache').glob('*.qcow2'))


def test_vgpu_nodes_boot_an_image_with_the_users_guest_driver(repo_root, tmp_path):
    driver = tmp_path / 'nvidia-linux-grid-550_550.144.03_amd64.deb'
    driver.write_bytes(b'stand-in for the licensed driver')
    rc, out, plan = images_plan(repo_root, tmp_path, gpu_modes(repo_root, tmp_path, driver), 'all')
    assert rc == 0, out[-3000:]
    # the passthrough node boots the -gpu type, the vGPU nodes the -vgpu types; no node boots a plain compute image
    assert sorted(plan) == ['cloud-node', 'cloud-node-vgpu', 'hpc-compute-gpu', 'hpc-compute-vgpu', 'hpc-controller']
    sha = hashlib.sha256(driver.read_bytes()).hexdigest()
    for image in ('hpc-compute-vgpu', 'cloud-node-vgpu'):
        assert plan[image]['local_packages'] == [[driver.name, sha]]
        assert 'linux-headers-cloud-amd64' in plan[image]['packages']
        assert not [n for n in plan[image]['packages'] if n.startswith('nvidia') or n.startswith('libnvidia')]
    assert 'slurm-wlm-nvml-plugin' in plan['hpc-compute-vgpu']['packages']
    assert plan['hpc-compute-gpu']['local_packages'] == []

    # another driver file is another image (its checksum is an input)
    before = plan['hpc-compute-vgpu']['hash']
    driver.write_bytes(b'a newer stand-in')
    rc, out, plan = images_plan(repo_root, tmp_path, gpu_modes(repo_root, tmp_path, driver), 'hpc')
    assert rc == 0, out[-3000:]
    assert plan['hpc-compute-vgpu']['hash'] != before


def test_without_the_guest_driver_vgpu_nodes_boot_the_base_image(repo_root, tmp_path):
    rc, out, plan = images_plan(repo_root, tmp_path, gpu_modes(repo_root, tmp_path), 'all')
    assert rc == 0, out[-3000:]
    assert sorted(plan) == ['cloud-node', 'hpc-compute', 'hpc-compute-gpu', 'hpc-controller']


def test_a_missing_guest_driver_stops_with_the_setting_that_names_it(repo_root, tmp_path):
    missing = tmp_path / 'not-downloaded.deb'
    rc, out, plan = images_plan(repo_root, tmp_path, gpu_modes(repo_root, tmp_path, missing), 'hpc')
    assert rc != 0 and plan is None
    assert '%s is not a file' % missing in out
    assert 'global.images.vgpu_guest_driver' in out
    assert 'Traceback' not in out
