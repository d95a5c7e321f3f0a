"""Guards of the provisioning playbooks that act before any VM boots (fast; real libvirtd, no VM started).

* the per-cluster lock stops a second run,
* the capacity guardrail blocks VMs that do not fit and says what to do; force=yes overrides,
* destroy without confirm=yes fails in a non-interactive run,
* lifecycle refuses an unknown action, and still reads the deprecated -e action.
Run: .venv/bin/pytest -m libvirt tests/integration/test_provision_guards.py
"""

import json

import pytest
import yaml

pytestmark = pytest.mark.libvirt


def _config(tmp_path, memory_gb=1):
    doc = {
        'version': '1.0',
        'metadata': {'name': 'guards-it'},
        'global': {
            'hypervisor': {'storage_pool': 'hyperscaler-guards', 'storage_path': str(tmp_path / 'pool')},
            'output_dir': str(tmp_path / 'state'),
        },
        'clusters': {
            'hpc': {
                'name': 'hswguard',
                'network': {'subnet': '192.168.152.0/24', 'bridge': 'hsw-guard0', 'name': 'hsw-guard'},
                'controller': {'cpu_cores': 1, 'memory_gb': memory_gb, 'disk_gb': 6, 'ip_address': '192.168.152.10'},
                'compute_nodes': [{'cpu_cores': 1, 'memory_gb': memory_gb, 'disk_gb': 6, 'ip': '192.168.152.11'}],
            }
        },
    }
    path = tmp_path / 'cluster.yaml'
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_second_run_on_a_locked_cluster_stops(tmp_path, libvirtd, ansible_playbook):
    cfg = _config(tmp_path)
    lock = tmp_path / 'state' / 'hpc' / 'lock'
    lock.mkdir(parents=True)
    result = ansible_playbook(
        'playbooks/provision.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'cluster=hpc', '--check'
    )
    assert result.rc != 0
    assert 'Another run is working on cluster hpc' in result.output
    assert lock.is_dir()  # the lock of the other run is left alone


def _fake_images(tmp_path, cfg):
    """Manifests of empty stand-in images: the guardrail runs (in --check) before any image is read."""
    images = tmp_path / 'images'
    images.mkdir()
    for image in ('hpc-controller', 'hpc-compute'):
        (images / ('%s.qcow2' % image)).write_bytes(b'')
        (images / ('%s.json' % image)).write_text(json.dumps({'type': image, 'qcow2': str(images / image)}))
    doc = yaml.safe_load(cfg.read_text())
    doc['global']['images'] = {'cache_dir': str(images)}
    cfg.write_text(yaml.safe_dump(doc))


def test_capacity_guardrail_blocks_and_force_overrides(tmp_path, libvirtd, ansible_playbook):
    cfg = _config(tmp_path, memory_gb=4096)
    _fake_images(tmp_path, cfg)
    blocked = ansible_playbook(
        'playbooks/provision.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'cluster=hpc', '--check'
    )
    assert blocked.rc != 0
    assert 'Not enough capacity to start hswguard-controller, hswguard-compute-01' in blocked.output
    assert '-e force=yes' in blocked.output
    forced = ansible_playbook(
        'playbooks/provision.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'cluster=hpc', '-e', 'force=yes', '--check'
    )
    assert forced.rc == 0, forced.tail()
    assert 'Capacity guardrail overridden by force=yes' in forced.output
    assert not (tmp_path / 'state' / 'hpc' / 'lock').exists()


def test_destroy_needs_confirmation(tmp_path, libvirtd, ansible_playbook):
    cfg = _config(tmp_path)
    result = ansible_playbook(
        'playbooks/lifecycle.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'lifecycle_action=destroy'
    )
    assert result.rc != 0 and 'run again with -e confirm=yes (nothing was changed)' in result.output
    assert result.changed == 0


def test_unknown_action_is_refused(tmp_path, libvirtd, ansible_playbook):
    result = ansible_playbook(
        'playbooks/lifecycle.yml', '-e', 'cluster_config=%s' % _config(tmp_path), '-e', 'lifecycle_action=reboot'
    )
    assert result.rc != 0 and 'Choose -e lifecycle_action=start|stop|status|destroy' in result.output


def test_the_deprecated_action_name_still_works_and_warns(tmp_path, libvirtd, ansible_playbook):
    """`action` is reserved by Ansible: -e action=... is read for one more release, with a deprecation warning."""
    cfg = _config(tmp_path)
    result = ansible_playbook('playbooks/lifecycle.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'action=destroy')
    assert result.rc != 0 and 'run again with -e confirm=yes (nothing was changed)' in result.output
    assert '-e action is deprecated; use -e lifecycle_action instead' in ' '.join(result.output.split())


def test_a_foreign_domain_with_a_cluster_vms_name_is_refused_and_left_alone(tmp_path, libvirtd, ansible_playbook):
    """On the real libvirtd, not only the test driver: a domain the collection did not create (no ownership mark)
    that has a cluster VM's name stops provisioning, with the fix in the message, and is not touched."""
    import subprocess

    cfg = _config(tmp_path)
    _fake_images(tmp_path, cfg)
    name = 'hswguard-controller'
    xml = tmp_path / 'foreign.xml'
    xml.write_text(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os></domain>" % name
    )
    virsh = ['virsh', '-c', libvirtd]
    subprocess.run(virsh + ['undefine', name], capture_output=True, check=False)
    subprocess.run(virsh + ['define', str(xml)], capture_output=True, check=True)
    try:
        before = subprocess.run(virsh + ['dumpxml', name], capture_output=True, text=True, check=True).stdout
        result = ansible_playbook(
            'playbooks/provision.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'cluster=hpc', '--check'
        )
        assert result.rc != 0
        text = ' '.join(result.output.split())
        assert 'Domain %s was not created by hyperscaler.workstation' % name in text, result.tail()
        assert 'Set adopt: true to take it over, or choose another name' in text
        after = subprocess.run(virsh + ['dumpxml', name], capture_output=True, text=True, check=True).stdout
        assert after == before
    finally:
        subprocess.run(virsh + ['undefine', name], capture_output=True, check=False)


def test_check_mode_plans_the_gpu_hostdevs_of_each_vm(tmp_path, libvirtd, ansible_playbook, repo_root):
    """config/examples/gpu-modes.yaml, provision.yml --check --diff before host prep ran (no mdev_map.json): the
    passthrough VM's domain gets its managed PCI hostdev, each vGPU VM one mdev hostdev per vGPU with the UUID the
    host-prep phase will give it; nothing is defined. Stand-in: empty image files (nothing boots in --check)."""
    import subprocess

    from ansible_collections.hyperscaler.workstation.plugins.module_utils._mdev import mdev_uuid

    doc = yaml.safe_load((repo_root / 'config/examples/gpu-modes.yaml').read_text())
    doc['global'].update(
        {
            'hypervisor': {'storage_pool': 'hyperscaler-gm-it', 'storage_path': str(tmp_path / 'pool')},
            'output_dir': str(tmp_path / 'state'),
        }
    )
    cfg = tmp_path / 'cluster.yaml'
    cfg.write_text(yaml.safe_dump(doc))
    images = tmp_path / 'images'
    images.mkdir()
    for image in ('hpc-controller', 'hpc-compute', 'hpc-compute-gpu', 'cloud-node'):
        (images / ('%s.qcow2' % image)).write_bytes(b'')
        (images / ('%s.json' % image)).write_text(json.dumps({'type': image, 'qcow2': str(images / image)}))
    doc['global']['images']['cache_dir'] = str(images)
    cfg.write_text(yaml.safe_dump(doc))

    result = ansible_playbook(
        'playbooks/provision.yml', '-e', 'cluster_config=%s' % cfg, '-e', 'cluster=all', '-e', 'force=yes',
        '--check', '--diff',
    )  # fmt: skip
    assert result.rc == 0, result.tail()
    # the domain diffs, one per VM: the part of the output between <name>VM</name> and </domain>
    domains = dict(
        (chunk.split('</name>', 1)[0], chunk.split('</domain>', 1)[0]) for chunk in result.output.split('<name>')[1:]
    )
    pci = 'type="pci" managed="yes"'
    assert domains['hpc-compute-01'].count(pci) == 1 and 'bus="0x17" slot="0x00"' in domains['hpc-compute-01']
    for vm, parent, mdev_type, count in (
        ('hpc-compute-02', '0000:65:00.0', 'nvidia-1024', 2),
        ('cloud-gpu-worker-01', '0000:b1:00.0', 'nvidia-222', 1),
    ):
        assert domains[vm].count('type="mdev"') == count, domains[vm]
        for index in range(count):
            assert 'uuid="%s"' % mdev_uuid(parent, mdev_type, index, vm) in domains[vm]
    for vm in ('hpc-controller', 'cloud-control-plane'):
        assert 'hostdev' not in domains[vm]
    listed = subprocess.run(
        ['virsh', '-c', libvirtd, 'list', '--all', '--name'], capture_output=True, text=True, check=True
    )
    assert not set(listed.stdout.split()) & set(['cloud-control-plane', 'cloud-gpu-worker-01'])  # not defined
    assert not (tmp_path / 'state' / 'mdev_map.json').exists()
