"""The inventory plugin through `ansible-inventory --list`, compared with golden JSON.

Regenerate the golden files after an intended change with: UPDATE_GOLDEN=1 pytest tests/unit/inventory
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from helpers.unsafe import strip_unsafe

HERE = pathlib.Path(__file__).parent
GOLDEN = HERE / 'golden'
BIN = pathlib.Path(sys.executable).parent


def run_inventory(repo_root, tmp_path, config, source_text=None, extra=(), env=None):
    source = tmp_path / 'test.cluster.yml'
    source.write_text(source_text or 'plugin: hyperscaler.workstation.cluster\ncluster_config: %s\n' % config)
    environ = dict(
        os.environ,
        HOME=str(tmp_path / 'home'),
        ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'),
        ANSIBLE_COLLECTIONS_PATH=str(repo_root / 'collections'),
        ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
    )
    environ.update(env or {})
    proc = subprocess.run(
        [str(BIN / 'ansible-inventory'), '-i', str(source), '--list', '--export'] + list(extra),
        capture_output=True,
        text=True,
        env=environ,
        cwd=str(tmp_path),
        check=False,
    )
    return proc


def normalised(proc, repo_root, tmp_path):
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.replace(str(tmp_path), '<tmp>').replace(str(repo_root), '<repo>')
    data = strip_unsafe(json.loads(text))
    data['_meta'].setdefault('profile', 'inventory_legacy')  # what ansible-core >= 2.19 adds to --export
    return data


def check_golden(name, data):
    path = GOLDEN / name
    if os.environ.get('UPDATE_GOLDEN'):
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + '\n')
    assert data == json.loads(path.read_text())


@pytest.mark.parametrize(
    'config, golden',
    [
        ('config/cluster.yaml', 'default.json'),
        ('config/examples/multi-gpu.yaml', 'multi-gpu.json'),
        ('config/examples/datacenter.yaml', 'datacenter.json'),
    ],
)
def test_inventory_matches_golden(repo_root, tmp_path, config, golden):
    proc = run_inventory(repo_root, tmp_path, repo_root / config)
    check_golden(golden, normalised(proc, repo_root, tmp_path))


def test_groups_follow_conventions(repo_root, tmp_path):
    data = normalised(
        run_inventory(repo_root, tmp_path, repo_root / 'config/examples/multi-gpu.yaml'), repo_root, tmp_path
    )
    assert data['hpc']['children'] == ['hpc_controller', 'hpc_compute']
    assert data['cloud']['children'] == ['cloud_control_plane', 'cloud_workers']
    assert data['cloud_workers']['children'] == ['cloud_cpu_workers', 'cloud_gpu_workers']
    assert data['gpu_nodes']['hosts'] == [
        'hpc-compute-01',
        'hpc-compute-02',
        'cloud-gpu-worker-01',
        'cloud-gpu-worker-02',
    ]
    assert data['hypervisor']['hosts'] == ['localhost']
    node = data['_meta']['hostvars']['hpc-compute-02']
    assert node['ansible_host'] == '192.168.100.12'
    assert node['hyperscaler_node']['pcie_passthrough']['devices'][0]['pci_address'] == '0000:65:00.1'
    assert node['ansible_ssh_private_key_file'] == '<tmp>/home/.local/state/hyperscaler-workstation/hpc/id_ed25519'


def test_relative_config_is_taken_from_the_inventory_dir(repo_root, tmp_path):
    shutil.copy(repo_root / 'config/cluster.yaml', tmp_path / 'mine.yaml')
    data = normalised(run_inventory(repo_root, tmp_path, 'mine.yaml'), repo_root, tmp_path)
    assert data['all']['vars']['hyperscaler_config_path'] == '<tmp>/mine.yaml'


def test_extra_var_overrides_the_config(repo_root, tmp_path):
    proc = run_inventory(
        repo_root,
        tmp_path,
        repo_root / 'config/cluster.yaml',
        extra=['-e', 'cluster_config=%s' % (repo_root / 'config/examples/multi-gpu.yaml')],
    )
    assert 'cloud-gpu-worker-02' in normalised(proc, repo_root, tmp_path)['_meta']['hostvars']


def test_cluster_filter_and_constructed_groups(repo_root, tmp_path):
    source = (
        'plugin: hyperscaler.workstation.cluster\ncluster_config: %s\nclusters: [cloud]\n'
        'groups:\n  big: hyperscaler_node.cpu_cores >= 8\n'
        'keyed_groups:\n  - key: hyperscaler_node.image\n    prefix: image\n'
        % (repo_root / 'config/examples/multi-gpu.yaml')
    )
    data = normalised(run_inventory(repo_root, tmp_path, None, source_text=source), repo_root, tmp_path)
    assert 'hpc' not in data and 'hpc-controller' not in data['_meta']['hostvars']
    assert data['big']['hosts'] == ['cloud-gpu-worker-01', 'cloud-gpu-worker-02']
    assert len(data['image_cloud_node']['hosts']) == 2 and len(data['image_cloud_node_gpu']['hosts']) == 2


def test_invalid_config_fails_with_every_problem(repo_root, tmp_path):
    bad = (repo_root / 'config/examples/multi-gpu.yaml').read_text()
    bad = bad.replace('ip: "192.168.100.12"', 'ip: "192.168.200.12"').replace('"virbr200"', '"virbr100"')
    (tmp_path / 'bad.yaml').write_text(bad)
    proc = run_inventory(repo_root, tmp_path, tmp_path / 'bad.yaml')
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr
    for line in [
        "clusters.hpc.network.bridge: 'virbr100' is already used by clusters.cloud.network.bridge",
        'clusters.hpc.compute_nodes[1].ip: 192.168.200.12 is outside subnet 192.168.100.0/24',
        'clusters.cloud.worker_nodes.gpu_workers[0].ip: 192.168.200.12 is already used by '
        'clusters.hpc.compute_nodes[1].ip',
    ]:
        assert line in proc.stderr


def test_cache_is_used_and_invalidated(repo_root, tmp_path):
    config = tmp_path / 'c.yaml'
    shutil.copy(repo_root / 'config/cluster.yaml', config)
    source = (
        'plugin: hyperscaler.workstation.cluster\ncluster_config: %s\ncache: true\n'
        'cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % (config, tmp_path / 'cache')
    )
    first = normalised(run_inventory(repo_root, tmp_path, None, source_text=source), repo_root, tmp_path)
    assert list((tmp_path / 'cache').iterdir()), 'the plugin wrote no cache entry'
    config.write_text(config.read_text().replace('192.168.150.12', '192.168.150.99'))
    second = normalised(run_inventory(repo_root, tmp_path, None, source_text=source), repo_root, tmp_path)
    assert first['_meta']['hostvars']['hpc-compute-02']['ansible_host'] == '192.168.150.12'
    assert second['_meta']['hostvars']['hpc-compute-02']['ansible_host'] == '192.168.150.99'


@pytest.mark.parametrize(
    'selection, unselected',
    [
        ('all', []),
        ('services', ['hpc-compute-01', 'hpc-compute-02', 'hpc-controller']),
        ('hpc,services', []),
        ('hpc', ['services-node-01']),
        # a selection the file cannot satisfy leaves every VM out (validate says why)
        ('cloud', ['hpc-compute-01', 'hpc-compute-02', 'hpc-controller', 'services-node-01']),
    ],
)
def test_the_phases_leave_out_the_clusters_the_selection_leaves_out(repo_root, tmp_path, selection, unselected):
    proc = run_inventory(
        repo_root, tmp_path, repo_root / 'config/examples/datacenter.yaml', extra=['-e', 'cluster=' + selection]
    )
    data = normalised(proc, repo_root, tmp_path)
    assert sorted(data.get('unselected', {}).get('hosts', [])) == unselected
