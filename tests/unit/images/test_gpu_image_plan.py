"""The image plan for a configuration with passed-through GPUs: the GPU image type, its packages and archive
components, built only because such nodes exist (playbooks/images.yml in check mode: nothing is built)."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

BIN = pathlib.Path(sys.executable).parent


@pytest.fixture
def plan(repo_root, tmp_path):
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK='ansible.posix.json')
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook'), 'playbooks/images.yml', '--check', '-e', 'cluster=hpc',
         '-e', 'cluster_config=%s' % (repo_root / 'config/examples/multi-gpu.yaml'),
         '-e', 'image_builder_cache_dir=%s' % tmp_path],
        cwd=str(repo_root), env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    names = []
    for play in json.loads(proc.stdout)['plays']:
        for task in play['tasks']:
            names.append(task['task']['name'])
            if task['task']['name'].endswith('Publish the images for the provisioning phase'):
                return task['hosts']['localhost']['ansible_facts']['image_builder_images']
    raise AssertionError('no image plan among the tasks %s' % names)


def test_gpu_nodes_get_the_image_with_the_nvidia_driver_and_nothing_else_does(plan, tmp_path):
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
    assert os.listdir(str(tmp_path)) == [] or not any(f.endswith('.qcow2') for f in os.listdir(str(tmp_path)))
