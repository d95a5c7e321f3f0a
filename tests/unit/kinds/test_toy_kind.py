"""A third cluster kind is only data: a registry entry and a schema section.

The test copies the collection, adds a toy kind ("toy": one head node and a list of workers) to
plugins/module_utils/_cluster_kinds.py and to schemas/cluster.schema.json (then regenerates the schema copy, as
`make schema` does), checks that nothing else had to change, and runs the copy as a user would: validation,
the inventory (groups and host names), image selection and `provision.yml --check` against libvirt's in-memory
test driver (test:///default, so no daemon and no VM).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml
from helpers.unsafe import strip_unsafe

BIN = pathlib.Path(sys.executable).parent

TOY_ENTRY = '''

# ---- added by tests/unit/kinds/test_toy_kind.py ----
TOY = register(
    ClusterKind(
        key='toy',
        schema_def='toy_cluster',
        roles=(
            NodeRole('head', 'head', SINGLE, 'ip_address', 'toy_head', 'head', 'hpc-controller'),
            NodeRole('worker', 'workers', LIST, 'ip', 'toy_workers', 'worker', 'hpc-compute', gpu_image='cloud-node'),
        ),
        groups=(('toy', ('toy_head', 'toy_workers')),),
        rules=(),
        description='a toy kind',
    )
)
'''
TOY_SCHEMA = {
    '$ref': '#/$defs/cluster_common',
    'unevaluatedProperties': False,
    'required': ['head', 'workers'],
    'properties': {
        'head': {'$ref': '#/$defs/head_node'},
        'workers': {'type': 'array', 'minItems': 1, 'items': {'$ref': '#/$defs/node_with_ip'}},
    },
}
# Files that adding the kind may touch (the schema copy is generated from the JSON by tests/tools/sync_schema.py).
ALLOWED = {
    'plugins/module_utils/_cluster_kinds.py',
    'schemas/cluster.schema.json',
    'plugins/module_utils/_cluster_schema.py',
}


def _tree_files(root):
    out = subprocess.run(
        ['git', 'ls-files', '-co', '--exclude-standard'], cwd=str(root), capture_output=True, text=True, check=True
    ).stdout.split()
    return [f for f in out if (root / f).is_file()]


@pytest.fixture(scope='module')
def toy_tree(repo_root, tmp_path_factory):
    base = tmp_path_factory.mktemp('toy')
    dest = base / 'ansible_collections' / 'hyperscaler' / 'workstation'
    files = _tree_files(repo_root)
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(str(repo_root / rel), str(target))
    kinds = dest / 'plugins' / 'module_utils' / '_cluster_kinds.py'
    kinds.write_text(kinds.read_text() + TOY_ENTRY)
    schema_path = dest / 'schemas' / 'cluster.schema.json'
    schema = json.loads(schema_path.read_text())
    schema['$defs']['toy_cluster'] = TOY_SCHEMA
    schema['properties']['clusters']['properties']['toy'] = {'$ref': '#/$defs/toy_cluster'}
    schema_path.write_text(json.dumps(schema, indent=2) + '\n')
    subprocess.run([sys.executable, str(dest / 'tests' / 'tools' / 'sync_schema.py')], check=True)
    link = dest / 'collections' / 'ansible_collections' / 'hyperscaler' / 'workstation'
    link.parent.mkdir(parents=True)
    link.symlink_to('../../..')
    changed = sorted(rel for rel in files if (dest / rel).read_bytes() != (repo_root / rel).read_bytes())
    return dest, changed


def _toy_config(tmp_path):
    doc = {
        'version': '1.0',
        'global': {
            'hypervisor': {'uri': 'test:///default', 'domain_type': 'qemu', 'storage_path': str(tmp_path / 'pool')},
            'images': {'cache_dir': str(tmp_path / 'images')},
            'output_dir': str(tmp_path / 'state'),
        },
        'clusters': {
            'toy': {
                'network': {'subnet': '192.168.177.0/24', 'bridge': 'hsw-toy0'},
                'head': {'cpu_cores': 1, 'memory_gb': 0.5, 'disk_gb': 4, 'ip_address': '192.168.177.10'},
                'workers': [
                    {'cpu_cores': 1, 'memory_gb': 0.5, 'disk_gb': 4, 'ip': '192.168.177.11'},
                    {
                        'cpu_cores': 1,
                        'memory_gb': 0.5,
                        'disk_gb': 4,
                        'ip': '192.168.177.12',
                        # a passed-through GPU: the node boots its role's gpu_image (a vGPU node would not)
                        'pcie_passthrough': {
                            'enabled': True,
                            'devices': [{'pci_address': '0000:65:00.0', 'device_type': 'gpu', 'device_id': '2684'}],
                        },
                    },
                ],
            }
        },
    }
    path = tmp_path / 'toy.yaml'
    path.write_text(yaml.safe_dump(doc))
    return path


def _run(tree, tmp_path, *argv):
    env = dict(
        os.environ,
        HOME=str(tmp_path / 'home'),
        ANSIBLE_CONFIG=str(tree / 'ansible.cfg'),
        ANSIBLE_COLLECTIONS_PATH=str(tree / 'collections'),
        ANSIBLE_NOCOLOR='1',
        PYTHONPATH=str(tree / 'collections'),
    )
    proc = subprocess.run(
        [str(BIN / argv[0])] + list(argv[1:]),
        cwd=str(tree),
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_adding_a_kind_touches_only_the_registry_and_the_schema(toy_tree):
    changed = toy_tree[1]
    assert changed and set(changed) <= ALLOWED, changed


def test_the_toy_kind_gets_its_groups_and_host_names(toy_tree, tmp_path):
    tree = toy_tree[0]
    cfg = _toy_config(tmp_path)
    rc, out = _run(tree, tmp_path, 'ansible-inventory', '--list', '--export', '-e', 'cluster_config=%s' % cfg)
    assert rc == 0, out
    inv = strip_unsafe(json.loads(out[out.index('{') :]))
    assert inv['toy']['children'] == ['toy_head', 'toy_workers']
    assert inv['toy_head']['hosts'] == ['toy-head']
    assert inv['toy_workers']['hosts'] == ['toy-worker-01', 'toy-worker-02']
    assert inv['gpu_nodes']['hosts'] == ['toy-worker-02']
    node = inv['_meta']['hostvars']['toy-worker-02']['hyperscaler_node']
    assert node['image'] == 'cloud-node' and [nic['network'] for nic in node['nics']] == ['hyperscaler-toy']


def test_the_toy_kind_is_validated_with_paths(toy_tree, tmp_path):
    tree = toy_tree[0]
    cfg = _toy_config(tmp_path)
    rc, out = _run(tree, tmp_path, 'ansible-playbook', 'playbooks/validate.yml', '-e', 'cluster_config=%s' % cfg)
    assert rc == 0 and '3 VM(s) in toy' in ' '.join(out.split()), out
    bad = yaml.safe_load(cfg.read_text())
    bad['clusters']['toy']['workers'][1]['ip'] = '192.168.10.12'
    bad['clusters']['toy']['head']['colour'] = 'red'
    cfg.write_text(yaml.safe_dump(bad))
    rc, out = _run(tree, tmp_path, 'ansible-playbook', 'playbooks/validate.yml', '-e', 'cluster_config=%s' % cfg)
    flat = ' '.join(out.split())
    assert rc != 0
    assert 'clusters.toy.workers[1].ip: 192.168.10.12 is outside subnet 192.168.177.0/24' in flat
    assert "clusters.toy.head: unknown field 'colour'" in flat


def test_the_toy_kind_selects_its_images_and_provisions_in_check_mode(toy_tree, tmp_path):
    tree = toy_tree[0]
    check_toy = ('--check', '-e', 'cluster_config=%s' % _toy_config(tmp_path), '-e', 'cluster=toy')
    rc, out = _run(tree, tmp_path, 'ansible-playbook', 'playbooks/images.yml', *check_toy)
    assert rc == 0, out[-3000:]
    assert 'hpc-controller' in out and 'hpc-compute' in out and 'cloud-node' in out
    images = tmp_path / 'images'
    images.mkdir(exist_ok=True)
    for image in ('hpc-controller', 'hpc-compute', 'cloud-node'):
        qcow2 = images / ('%s.qcow2' % image)
        qcow2.write_bytes(b'')
        (images / ('%s.json' % image)).write_text(json.dumps({'type': image, 'qcow2': str(qcow2)}))
    rc, out = _run(tree, tmp_path, 'ansible-playbook', 'playbooks/provision.yml', *check_toy)
    assert rc == 0, out[-3000:]
    for host in ('toy-head', 'toy-worker-01', 'toy-worker-02'):
        assert host in out
