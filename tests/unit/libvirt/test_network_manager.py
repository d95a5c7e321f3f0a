"""NetworkManager against libvirt's test:///default driver, and network XML generation."""

import copy

import pytest

libvirt = pytest.importorskip('libvirt')

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (  # noqa: E402
    LibvirtModuleError,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_network import (  # noqa: E402
    NetworkManager,
    build_network_xml,
    is_marked,
)

SPEC = dict(
    bridge='hsw-t0',
    forward='nat',
    address='192.168.150.1',
    prefix=24,
    domain='hpc.local',
    mtu=None,
    dhcp=None,
    dns_hosts=None,
    hosts=[
        dict(mac='52:54:00:A8:96:0A', ip='192.168.150.10', name='hpc-controller'),
        dict(mac='52:54:00:a8:96:0b', ip='192.168.150.11', name='hpc-compute-01'),
    ],
)


def converge(conn, check=False, **kw):
    params = dict(
        name='hsw-net', state='active', xml=None, spec=copy.deepcopy(SPEC), autostart=None, adopt=False, restart=False
    )
    params.update(kw)
    mgr = NetworkManager(conn, params, check_mode=check)
    result = mgr.run()
    result['diff'] = mgr.diff
    return result


def dhcp_hosts(conn):
    xml = conn.networkLookupByName('hsw-net').XMLDesc(0)
    return xml.count('<host mac=')


def test_build_network_xml():
    root = build_network_xml('n', SPEC)
    assert root.find('forward').get('mode') == 'nat'
    assert root.find('bridge').get('name') == 'hsw-t0'
    assert root.find('ip').attrib == {'address': '192.168.150.1', 'prefix': '24'}
    assert [h.get('mac') for h in root.findall('ip/dhcp/host')] == ['52:54:00:a8:96:0a', '52:54:00:a8:96:0b']
    assert is_marked(root)
    with pytest.raises(LibvirtModuleError, match='outside network'):
        build_network_xml('n', dict(SPEC, hosts=[dict(mac='52:54:00:00:00:01', ip='10.0.0.1')]))
    with pytest.raises(LibvirtModuleError, match='longer than 15'):
        build_network_xml('n', dict(SPEC, bridge='a-very-long-bridge-name'))


def test_create_then_nothing(conn):
    first = converge(conn, autostart=True)
    assert first['actions'] == [
        'define network hsw-net',
        'start network hsw-net',
        'enable autostart of network hsw-net',
    ]
    assert first['active'] and dhcp_hosts(conn) == 2
    again = converge(conn, autostart=True)
    assert not again['changed'], again['actions']


def test_check_mode_creates_nothing(conn):
    assert converge(conn, check=True)['changed']
    with pytest.raises(libvirt.libvirtError):
        conn.networkLookupByName('hsw-net')


def test_adding_a_host_updates_live_without_restart(conn):
    converge(conn)
    spec = copy.deepcopy(SPEC)
    spec['hosts'].append(dict(mac='52:54:00:a8:96:0c', ip='192.168.150.12', name='hpc-compute-02'))
    planned = converge(conn, check=True, spec=spec)
    assert planned['actions'] == ['add DHCP host 52:54:00:a8:96:0c 192.168.150.12']
    assert dhcp_hosts(conn) == 2
    done = converge(conn, spec=spec)
    assert done['changed'] and not done['restart_required']
    assert dhcp_hosts(conn) == 3
    assert '192.168.150.12' in conn.networkLookupByName('hsw-net').XMLDesc(0)  # persistent too
    assert not converge(conn, spec=spec)['changed']
    spec['hosts'][2]['ip'] = '192.168.150.13'
    moved = converge(conn, spec=spec)
    assert moved['actions'] == [
        'remove DHCP host 52:54:00:a8:96:0c 192.168.150.12',
        'add DHCP host 52:54:00:a8:96:0c 192.168.150.13',
    ]
    assert not converge(conn, spec=spec)['changed']


def test_structural_change_redefines_and_reports_restart(conn):
    converge(conn)
    spec = dict(copy.deepcopy(SPEC), domain='other.local')
    result = converge(conn, spec=spec)
    assert result['actions'] == ['redefine network hsw-net'] and result['restart_required']
    restarted = converge(conn, spec=dict(spec, domain='third.local'), restart=True)
    assert 'restart network hsw-net' in restarted['actions'] and not restarted['restart_required']
    # (The test driver keeps the old live definition across destroy/create; the integration test checks it.)


def test_unmarked_network_is_refused(conn):
    with pytest.raises(LibvirtModuleError, match='not created by hyperscaler.workstation'):
        converge(conn, name='default', state='absent', spec=None)
    assert not converge(conn, name='default', state='active', spec=None)['changed']


def test_absent(conn):
    converge(conn)
    assert converge(conn, state='absent', spec=None)['actions'] == ['stop network hsw-net', 'undefine network hsw-net']
    assert not converge(conn, state='absent', spec=None)['changed']
