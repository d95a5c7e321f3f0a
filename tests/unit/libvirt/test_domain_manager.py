"""DomainManager against libvirt's test:///default driver (state lives only as long as the connection)."""

import copy
import subprocess

import pytest

libvirt = pytest.importorskip('libvirt')

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (  # noqa: E402
    LibvirtModuleError,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain import (  # noqa: E402
    DomainManager,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_runstate import (  # noqa: E402
    PAUSED,
    RUNNING,
    SHUTOFF,
    RunState,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_seed import (  # noqa: E402
    CloudInitSeed,
)

POOL = 'default-pool'
SPEC = dict(
    domain_type='qemu',
    vcpus=1,
    memory_mb=512,
    machine='q35',
    arch='x86_64',
    disks=[
        dict(
            dev='vda',
            pool=POOL,
            volume='vm1.qcow2',
            format='qcow2',
            bus='virtio',
            device='disk',
            readonly=False,
            discard=False,
            create=dict(capacity_gb=2, backing_format='qcow2'),
        )
    ],
    interfaces=[dict(network='default', mac='52:54:00:00:00:01', model='virtio')],
)


def run_command(args):
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def params(**kw):
    base = dict(
        name='vm1',
        state='present',
        xml=None,
        spec=copy.deepcopy(SPEC),
        cloud_init=None,
        labels=None,
        autostart=None,
        adopt=False,
        shutdown_timeout=5,
        force=False,
        remove_volumes=True,
    )
    base.update(kw)
    return base


def converge(conn, check=False, **kw):
    mgr = DomainManager(conn, params(**kw), check_mode=check, diff=True, run_command=run_command, sleep=lambda s: None)
    result = mgr.run()
    result['diff'] = mgr.diff
    return result


def volumes(conn):
    return sorted(conn.storagePoolLookupByName(POOL).listVolumes())


def test_define_then_second_run_changes_nothing(conn):
    first = converge(conn)
    assert first['changed'] and first['actions'] == ['create volume default-pool/vm1.qcow2', 'define domain vm1']
    assert 'vm1.qcow2' in volumes(conn)
    second = converge(conn)
    assert not second['changed'], second['actions']
    assert second['owned']


def test_check_mode_is_truthful(conn):
    planned = converge(conn, check=True, state='running')
    assert planned['changed']
    assert planned['actions'] == ['create volume default-pool/vm1.qcow2', 'define domain vm1', 'start vm1']
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName('vm1')
    assert 'vm1.qcow2' not in volumes(conn)
    converge(conn, state='running')
    assert not converge(conn, check=True, state='running')['changed']


def test_a_real_change_redefines_and_keeps_the_uuid(conn):
    converge(conn)
    uuid = conn.lookupByName('vm1').UUIDString()
    spec = copy.deepcopy(SPEC)
    spec['vcpus'] = 2
    planned = converge(conn, check=True, spec=spec)
    assert planned['actions'] == ['redefine domain vm1']
    assert '<vcpu>1</vcpu>' in planned['diff']['before'] and '<vcpu>2</vcpu>' in planned['diff']['after']
    assert conn.lookupByName('vm1').info()[3] == 1
    done = converge(conn, spec=spec)
    assert done['changed'] and conn.lookupByName('vm1').UUIDString() == uuid
    assert conn.lookupByName('vm1').XMLDesc(2).count('<vcpu') == 1
    assert not converge(conn, spec=spec)['changed']


def test_running_domain_reports_restart_required(conn):
    converge(conn, state='running')
    spec = copy.deepcopy(SPEC)
    spec['memory_mb'] = 1024
    result = converge(conn, state='running', spec=spec)
    assert result['changed'] and result['restart_required']
    assert not converge(conn, state='running')['restart_required'] is None


def test_states(conn):
    assert converge(conn, state='running')['state'] == 'running'
    dom = conn.lookupByName('vm1')
    assert dom.state()[0] == RUNNING
    assert converge(conn, state='paused')['actions'] == ['pause vm1']
    assert dom.state()[0] == PAUSED
    assert converge(conn, state='running')['actions'] == ['resume vm1']
    assert converge(conn, state='shutdown')['actions'] == ['shut down vm1']
    assert dom.state()[0] == SHUTOFF
    assert not converge(conn, state='shutdown')['changed']
    converge(conn, state='running')
    assert converge(conn, state='destroyed')['actions'] == ['force off vm1']
    assert not converge(conn, state='destroyed')['changed']


def test_autostart(conn):
    converge(conn, autostart=True)
    assert conn.lookupByName('vm1').autostart() == 1
    assert not converge(conn, autostart=True)['changed']
    assert converge(conn, autostart=False)['actions'] == ['disable autostart of vm1']


def test_absent_removes_domain_and_only_its_own_volumes(conn):
    pool = conn.storagePoolLookupByName(POOL)
    pool.createXML("<volume><name>data.img</name><capacity>1048576</capacity></volume>", 0)
    spec = copy.deepcopy(SPEC)
    spec['disks'].append(
        dict(
            dev='vdb',
            pool=POOL,
            volume='data.img',
            format='raw',
            bus='virtio',
            device='disk',
            readonly=False,
            discard=False,
        )
    )
    converge(conn, state='running', spec=spec)
    planned = converge(conn, check=True, state='absent', spec=None)
    assert planned['actions'] == ['force off vm1', 'undefine vm1', 'delete volume default-pool/vm1.qcow2']
    assert conn.lookupByName('vm1')
    gone = converge(conn, state='absent', spec=None)
    assert gone['removed_volumes'] == [dict(pool=POOL, name='vm1.qcow2')]
    assert 'data.img' in volumes(conn) and 'vm1.qcow2' not in volumes(conn)
    assert not converge(conn, state='absent', spec=None)['changed']


def test_existing_volume_is_used_but_not_owned(conn):
    conn.storagePoolLookupByName(POOL).createXML(
        "<volume><name>vm1.qcow2</name><capacity>1048576</capacity></volume>", 0
    )
    converge(conn)
    converge(conn, state='absent', spec=None)
    assert 'vm1.qcow2' in volumes(conn)


def test_unmarked_domain_is_refused_unless_adopted(conn):
    # test:///default ships a domain named "test" that the collection did not create.
    with pytest.raises(LibvirtModuleError, match='not created by hyperscaler.workstation'):
        converge(conn, name='test', state='absent', spec=None)
    with pytest.raises(LibvirtModuleError, match='adopt: true'):
        converge(conn, name='test', state='destroyed', spec=None)
    # Reading (no change asked) is fine.
    assert not converge(conn, name='test', state='present', spec=None)['changed']
    converge(conn, name='test', state='absent', spec=None, adopt=True)
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName('test')


def test_failed_create_leaves_nothing_behind(conn):
    spec = copy.deepcopy(SPEC)
    spec['disks'].append(
        dict(
            dev='vdb',
            pool='no-such-pool',
            volume='x.qcow2',
            format='qcow2',
            bus='virtio',
            device='disk',
            readonly=False,
            discard=False,
            create=dict(capacity_gb=1),
        )
    )
    before = volumes(conn)
    with pytest.raises(LibvirtModuleError, match='Storage pool no-such-pool does not exist'):
        converge(conn, state='running', spec=spec)
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName('vm1')
    assert volumes(conn) == before


def test_failed_start_removes_the_new_definition_and_volumes(conn, monkeypatch):
    def refuse(self, dom):
        raise LibvirtModuleError('Domain vm1 did not start: no.')

    monkeypatch.setattr(RunState, '_start', refuse)
    before = volumes(conn)
    with pytest.raises(LibvirtModuleError, match='did not start'):
        converge(conn, state='running')
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName('vm1')
    assert volumes(conn) == before


def test_user_errors_are_sentences(conn):
    with pytest.raises(LibvirtModuleError, match='give xml or spec'):
        converge(conn, spec=None)
    with pytest.raises(LibvirtModuleError, match='names domain other'):
        converge(conn, spec=None, xml='<domain type="qemu"><name>other</name></domain>')
    with pytest.raises(LibvirtModuleError, match='refused the definition'):
        converge(conn, spec=None, xml='<domain type="qemu"><name>vm1</name></domain>')


def test_full_xml_option_is_idempotent(conn):
    xml = """<domain type='qemu'><name>vm2</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
      <os><type arch='x86_64'>hvm</type></os></domain>"""
    assert converge(conn, name='vm2', spec=None, xml=xml)['changed']
    assert not converge(conn, name='vm2', spec=None, xml=xml)['changed']
    assert converge(conn, name='vm2', spec=None, xml=xml.replace('256', '512'))['changed']


def test_domain_info_lists_ownership_labels_and_resources(conn):
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_info import list_domains

    converge(conn, state='running', labels={'cluster': 'hpc', 'network': 'n1'})
    infos = dict((d['name'], d) for d in list_domains(conn))
    assert infos['vm1']['owned'] and infos['vm1']['labels'] == {'cluster': 'hpc', 'network': 'n1'}
    assert infos['vm1']['vcpus'] == 1 and infos['vm1']['memory_mb'] == 512 and infos['vm1']['state'] == 'running'
    assert infos['vm1']['volumes'] == [dict(pool=POOL, name='vm1.qcow2')]
    assert infos['test']['owned'] is False
    assert [d['name'] for d in list_domains(conn, owned_only=True)] == ['vm1']
    assert list_domains(conn, labels={'cluster': 'cloud'}) == []


def test_cloud_init_seed_is_an_owned_volume_and_a_new_seed_redefines(conn, monkeypatch):
    pytest.importorskip('shutil').which('genisoimage') or pytest.skip('genisoimage is not installed')
    uploads = []
    # The test driver has no virStorageVolUpload: record what would be written.
    monkeypatch.setattr(CloudInitSeed, '_upload', lambda self, vol, data: uploads.append((vol.name(), data)))
    ci = dict(user_data='#cloud-config\nhostname: vm1\n', meta_data=None, network_config='version: 2\n', pool=None)
    first = converge(conn, cloud_init=ci)
    assert 'write cloud-init seed default-pool/vm1-seed.iso' in first['actions']
    assert 'vm1-seed.iso' in volumes(conn)
    assert uploads[0][0] == 'vm1-seed.iso' and b'CIDATA' in uploads[0][1].upper()
    xml = conn.lookupByName('vm1').XMLDesc(2)
    assert "volume='vm1-seed.iso'" in xml and '<readonly/>' in xml
    assert not converge(conn, cloud_init=ci)['changed']
    changed = converge(conn, cloud_init=dict(ci, user_data='#cloud-config\nhostname: other\n'))
    assert changed['actions'] == ['rewrite cloud-init seed default-pool/vm1-seed.iso', 'redefine domain vm1']
    gone = converge(conn, state='absent', spec=None)
    assert sorted(v['name'] for v in gone['removed_volumes']) == ['vm1-seed.iso', 'vm1.qcow2']
