"""The collection as users install it: build, `ansible-galaxy collection install`, run the playbooks by FQCN."""

import os
import pathlib
import subprocess
import sys
import tarfile

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


def test_tarball_holds_no_tests_or_development_files(installed):
    """galaxy.yml's build_ignore: no test tier, molecule scenario, CI or dev tooling in what users install."""
    tarball = next(installed.glob('hyperscaler-workstation-*.tar.gz'))
    with tarfile.open(str(tarball)) as archive:
        names = [name.rstrip('/') for name in archive.getnames()]
    assert [n for n in names if n == 'tests' or n.startswith('tests/')] == []
    assert [n for n in names if '/molecule/' in n + '/'] == []
    for dev in (
        'Makefile',
        '.ci',
        '.gitignore',
        'pyproject.toml',
        'pytest.ini',
        '.ansible-lint',
        'requirements-unit.txt',
    ):
        assert dev not in names, dev
    assert [n for n in names if n.endswith(('.pyc', '.tar.gz')) or '__pycache__' in n] == []
    # What the playbooks and roles read at run time is still there.
    for kept in ('config/cluster.yaml', 'schemas/cluster.schema.json', 'meta/runtime.yml', 'packer/debian.pkr.hcl'):
        assert kept in names, kept
    assert 'roles/slurm_controller/tasks/main.yml' in names


def test_module_docs_resolve_in_the_installed_collection(installed, tmp_path):
    """The doc fragments ship with the modules: ansible-doc renders a module by FQCN from the install."""
    doc = run(installed, ['ansible-doc', 'hyperscaler.workstation.libvirt_domain'], tmp_path)
    assert doc.returncode == 0, doc.stderr
    assert 'uri' in doc.stdout and 'check_mode' in doc.stdout


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
