"""The provisioning round trip against a real libvirtd with qemu TCG (slow: boots two VMs).

images.yml (cached or built) -> provision.yml (network, pool, overlays, seeds, domains, SSH) -> provision.yml again
(changed=0) -> provision.yml --check (changed=0) -> a compute node added to cluster.yaml boots on the next run and,
removed again, goes with its volumes -> a command over SSH -> lifecycle stop -> destroy refused without
confirm -> destroy with confirm=yes removes exactly what was created: a foreign domain and a foreign volume survive.

It uses its own cluster (name hswit, network hsw-it on 192.168.151.0/24, pool hyperscaler-it) so it does not touch
the default cluster's VMs. Run: .venv/bin/pytest -m vm tests/integration/test_provision_roundtrip.py
"""

import pathlib
import shutil
import subprocess

import pytest
import yaml

libvirt = pytest.importorskip('libvirt')

pytestmark = [pytest.mark.libvirt, pytest.mark.vm]

POOL = 'hyperscaler-it'
POOL_PATH = '/var/lib/libvirt/images/hyperscaler-it'
NETWORK = 'hsw-it'
VMS = ['hswit-controller', 'hswit-compute-01']
ADDED = 'hswit-compute-02'
FOREIGN = 'hswit-foreign'
FOREIGN_XML = """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os></domain>""" % FOREIGN


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    base = tmp_path_factory.mktemp('it')
    doc = {
        'version': '1.0',
        'metadata': {'name': 'provision-it', 'description': 'integration test of the provisioning layer'},
        'global': {
            'hypervisor': {
                'uri': 'qemu:///system',
                'domain_type': 'auto',
                'storage_pool': POOL,
                'storage_path': POOL_PATH,
            },
            'images': {'backend': 'debootstrap', 'suite': 'trixie'},
            'output_dir': str(base / 'state'),
        },
        'clusters': {
            'hpc': {
                'name': 'hswit',
                'network': {'subnet': '192.168.151.0/24', 'bridge': 'hsw-it0', 'name': NETWORK},
                'controller': {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 6, 'ip_address': '192.168.151.10'},
                'compute_nodes': [{'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 6, 'ip': '192.168.151.11'}],
            }
        },
    }
    path = base / 'cluster.yaml'
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture(scope='module')
def conn(libvirtd):
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)  # expected lookups of absent objects stay quiet
    c = libvirt.open(libvirtd)
    yield c
    c.close()


def _cleanup(conn):
    """Leave the host as it was, whatever the test reached."""
    for name in VMS + [ADDED, FOREIGN]:
        try:
            dom = conn.lookupByName(name)
        except libvirt.libvirtError:
            continue
        if dom.isActive():
            dom.destroy()
        dom.undefine()
    try:
        net = conn.networkLookupByName(NETWORK)
        if net.isActive():
            net.destroy()
        net.undefine()
    except libvirt.libvirtError:
        pass
    try:
        pool = conn.storagePoolLookupByName(POOL)
        for vol in pool.listAllVolumes():
            vol.delete(0)
        if pool.isActive():
            pool.destroy()
        pool.undefine()
    except libvirt.libvirtError:
        pass
    shutil.rmtree(POOL_PATH, ignore_errors=True)


@pytest.fixture(scope='module')
def clean_host(conn):
    _cleanup(conn)
    yield
    _cleanup(conn)


def _domains(conn):
    return sorted(d.name() for d in conn.listAllDomains(0) if d.name().startswith('hswit-'))


def test_roundtrip(config, conn, clean_host, ansible_playbook):
    cfg = '-e', 'cluster_config=%s' % config
    timings = {}

    built = ansible_playbook('playbooks/images.yml', *cfg, '-e', 'cluster=hpc')
    assert built.rc == 0, built.tail()
    timings['images'] = built.seconds

    first = ansible_playbook('playbooks/provision.yml', *cfg, '-e', 'cluster=hpc')
    assert first.rc == 0, first.tail()
    assert first.changed > 0
    timings['provision'] = first.seconds
    assert _domains(conn) == sorted(VMS)
    assert all(conn.lookupByName(n).isActive() for n in VMS)
    net = conn.networkLookupByName(NETWORK)
    assert net.isActive() and net.bridgeName() == 'hsw-it0'

    second = ansible_playbook('playbooks/provision.yml', *cfg, '-e', 'cluster=hpc')
    assert second.rc == 0, second.tail()
    assert second.changed == 0, second.tail(8000)
    timings['provision rerun'] = second.seconds

    check = ansible_playbook('playbooks/provision.yml', *cfg, '-e', 'cluster=hpc', '--check', '--diff')
    assert check.rc == 0, check.tail()
    assert check.changed == 0, check.tail(8000)

    # Edit cluster.yaml and rerun: the added node boots; removed again, its VM and volumes go, the rest stays.
    doc = yaml.safe_load(config.read_text())
    doc['clusters']['hpc']['compute_nodes'].append(
        {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 6, 'ip': '192.168.151.12'}
    )
    config.write_text(yaml.safe_dump(doc))
    try:
        grown = ansible_playbook('playbooks/provision.yml', *cfg, '-e', 'cluster=hpc')
        assert grown.rc == 0, grown.tail()
        assert _domains(conn) == sorted(VMS + [ADDED]) and conn.lookupByName(ADDED).isActive()
        timings['add a node'] = grown.seconds
    finally:
        doc['clusters']['hpc']['compute_nodes'].pop()
        config.write_text(yaml.safe_dump(doc))
    shrunk = ansible_playbook('playbooks/provision.yml', *cfg, '-e', 'cluster=hpc')
    assert shrunk.rc == 0, shrunk.tail()
    assert shrunk.changed > 0 and _domains(conn) == sorted(VMS)
    assert all(conn.lookupByName(n).isActive() for n in VMS)
    volumes = conn.storagePoolLookupByName(POOL)
    volumes.refresh(0)
    assert not [v for v in volumes.listVolumes() if v.startswith(ADDED)], volumes.listVolumes()
    timings['remove a node'] = shrunk.seconds

    key = pathlib.Path(yaml.safe_load(config.read_text())['global']['output_dir']) / 'hpc' / 'id_ed25519'
    assert oct(key.stat().st_mode & 0o777) == '0o600'
    ssh = subprocess.run(
        [
            'ssh',
            '-i',
            str(key),
            '-o',
            'BatchMode=yes',
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'ConnectTimeout=10',
            'ops@192.168.151.10',
            'hostname; getent hosts hswit-compute-01; sudo -n true && echo sudo-ok; dpkg-query -W slurmctld',
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ssh.returncode == 0, ssh.stderr
    assert 'hswit-controller' in ssh.stdout and '192.168.151.11' in ssh.stdout and 'sudo-ok' in ssh.stdout
    assert 'slurmctld' in ssh.stdout  # baked into the image: the SLURM roles need no download

    status = ansible_playbook('playbooks/lifecycle.yml', *cfg, '-e', 'lifecycle_action=status')
    assert status.rc == 0 and 'hswit-controller' in status.output and 'running' in status.output

    stop = ansible_playbook('playbooks/lifecycle.yml', *cfg, '-e', 'lifecycle_action=stop', '-e', 'cluster=hpc')
    assert stop.rc == 0, stop.tail()
    assert not any(conn.lookupByName(n).isActive() for n in VMS)
    timings['stop'] = stop.seconds

    refused = ansible_playbook('playbooks/lifecycle.yml', *cfg, '-e', 'lifecycle_action=destroy', '-e', 'cluster=hpc')
    assert refused.rc != 0 and 'confirm=yes' in refused.output
    assert refused.changed == 0
    assert _domains(conn) == sorted(VMS)

    # Things the collection did not create: a domain and a volume in its pool.
    conn.defineXML(FOREIGN_XML)
    pool = conn.storagePoolLookupByName(POOL)
    pool.createXML(
        "<volume><name>foreign.img</name><capacity unit='MiB'>1</capacity>"
        "<target><format type='raw'/></target></volume>",
        0,
    )

    destroy = ansible_playbook(
        'playbooks/lifecycle.yml', *cfg, '-e', 'lifecycle_action=destroy', '-e', 'confirm=yes', '-e', 'cluster=hpc'
    )
    assert destroy.rc == 0, destroy.tail()
    assert _domains(conn) == [FOREIGN]
    pool.refresh(0)
    assert pool.listVolumes() == ['foreign.img']
    with pytest.raises(libvirt.libvirtError):
        conn.networkLookupByName(NETWORK)

    again = ansible_playbook(
        'playbooks/lifecycle.yml', *cfg, '-e', 'lifecycle_action=destroy', '-e', 'confirm=yes', '-e', 'cluster=hpc'
    )
    assert again.rc == 0 and again.changed == 0, again.tail()
    print('timings (s): %s' % ', '.join('%s %.0f' % kv for kv in timings.items()))
