"""The collection as users install it: build, `ansible-galaxy collection install`, run the playbooks by FQCN."""

import os
import pathlib
import subprocess
import sys

import pytest

BIN = pathlib.Path(sys.executable).parent


@pytest.fixture(scope='module')
def installed(repo_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('galaxy')
    subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp), str(repo_root)],
        check=True,
        capture_output=True,
    )
    tarball = next(tmp.glob('hyperscaler-workstation-*.tar.gz'))
    subprocess.run(
        [
            str(BIN / 'ansible-galaxy'),
            'collection',
            'install',
            '--force',
            '--no-deps',
            '-p',
            str(tmp / 'collections'),
            str(tarball),
        ],
        check=True,
        capture_output=True,
    )
    return tmp


def run(installed, args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(installed / 'collections'),
        ANSIBLE_INVENTORY_ENABLED='hyperscaler.workstation.cluster,ansible.builtin.host_list',
        ANSIBLE_NOCOLOR='1',
        PYTHONPATH='',
    )
    return subprocess.run(
        [str(BIN / args[0])] + args[1:], cwd=str(cwd), env=env, capture_output=True, text=True, check=False
    )


def test_tarball_holds_no_build_debris(installed):
    root = installed / 'collections' / 'ansible_collections' / 'hyperscaler' / 'workstation'
    assert (root / 'plugins' / 'inventory' / 'cluster.py').exists()
    assert (root / 'playbooks' / 'site.yml').exists()
    for junk in ('.venv', 'collections', '.pytest_cache', 'build'):
        assert not (root / junk).exists(), junk


def test_validate_by_fqcn_with_the_inventory_plugin(installed, repo_root, tmp_path):
    (tmp_path / 'lab.cluster.yml').write_text(
        'plugin: hyperscaler.workstation.cluster\ncluster_config: %s\n'
        % (repo_root / 'config' / 'examples' / 'multi-gpu.yaml')
    )
    graph = run(installed, ['ansible-inventory', '-i', 'lab.cluster.yml', '--graph'], tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert '@cloud_gpu_workers:' in graph.stdout and 'hpc-compute-02' in graph.stdout
    play = run(installed, ['ansible-playbook', '-i', 'lab.cluster.yml', 'hyperscaler.workstation.validate'], tmp_path)
    assert play.returncode == 0, play.stdout + play.stderr
    assert 'is valid: 7 VM(s) in cloud, hpc' in ' '.join(play.stdout.split())
