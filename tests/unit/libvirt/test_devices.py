"""The guest device registry of libvirt_domain: every device type is complete, and a device change is found
(against libvirt's test:///default driver) and settles on the rerun."""

import copy
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_devices as devices
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as lx
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_definition import device_changes
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import build_domain_xml

# A spec that asks for every device the builder knows.
FULL_SPEC = dict(
    domain_type='kvm',
    vcpus=2,
    memory_mb=1024,
    disks=[
        dict(dev='vda', pool='p', volume='v.qcow2'),
        dict(dev='vdb', path='/img/data.raw', format='raw', serial='data'),
        dict(dev='sda', path='/img/cd.iso', device='cdrom', format='raw'),
    ],
    interfaces=[dict(network='n1', mac='52:54:00:aa:00:01'), dict(bridge='br0', mac='52:54:00:aa:00:02')],
    hostdevs=[dict(address='0000:41:00.0'), dict(address='0000:41:00.1')],
    mdevs=[dict(uuid='0b2a1c7e-9d64-4c1b-8c3f-2a6a1f0e9b11')],
    guest_agent=True,
    console_log='/var/log/vm1.log',
)


def _overrides(dtype, method):
    return getattr(type(dtype), method) is not getattr(devices.DeviceType, method)


@pytest.mark.parametrize('dtype', devices.DEVICE_TYPES, ids=lambda t: type(t).__name__)
def test_every_registered_type_is_complete(dtype):
    assert dtype.tag, 'a device type names its element'
    assert _overrides(dtype, 'identity') and _overrides(dtype, 'describe')
    # Only the types known from a full xml option alone may lack a builder.
    assert _overrides(dtype, 'build') == dtype.built


def test_every_element_the_builder_emits_has_a_built_type():
    root = build_domain_xml('vm1', FULL_SPEC)
    emitted = list(root.find('devices'))
    for elem in emitted:
        dtype = devices.device_type(elem)
        assert dtype is not None and dtype.built, 'no registered device type for <%s>' % elem.tag
        assert dtype.identity(elem) and dtype.describe(elem)
    # The full spec reaches every built type, so the loop above covered them all.
    built = [t for t in devices.DEVICE_TYPES if t.built]
    assert set(type(devices.device_type(e)) for e in emitted) == set(type(t) for t in built)


def test_identities_tell_siblings_apart():
    root = build_domain_xml('vm1', FULL_SPEC)
    keys = [lx.identity(elem, 'devices') for elem in root.find('devices')]
    assert len(keys) == len(set(keys)), keys


def test_descriptions_name_the_device():
    root = build_domain_xml('vm1', FULL_SPEC)
    words = [devices.describe(elem) for elem in root.find('devices')]
    for expected in [
        'disk vda (p/v.qcow2)',
        'cdrom sda (/img/cd.iso)',
        'interface 52:54:00:aa:00:02 on bridge br0',
        'PCI device 0000:41:00.1',
        'mdev 0b2a1c7e-9d64-4c1b-8c3f-2a6a1f0e9b11',
        'channel org.qemu.guest_agent.0',
    ]:
        assert expected in words


def test_device_changes_in_words():
    old = build_domain_xml('vm1', FULL_SPEC)
    spec = copy.deepcopy(FULL_SPEC)
    spec['disks'][1]['path'] = '/img/other.raw'
    spec['interfaces'].pop()
    spec['mdevs'].append(dict(uuid='1b2a1c7e-9d64-4c1b-8c3f-2a6a1f0e9b11'))
    new = build_domain_xml('vm1', spec)
    assert sorted(device_changes(old, new)) == [
        'add mdev 1b2a1c7e-9d64-4c1b-8c3f-2a6a1f0e9b11',
        'change disk vdb (/img/other.raw)',
        'remove interface 52:54:00:aa:00:02 on bridge br0',
    ]
    assert device_changes(old, copy.deepcopy(old)) == []


def test_controller_identity_follows_type_and_index():
    current = ET.fromstring(
        "<domain><devices><controller type='pci' index='0' model='pcie-root'/>"
        "<controller type='usb' index='0' model='qemu-xhci'/></devices></domain>"
    )
    assert lx.same(current, "<domain><devices><controller type='usb' model='qemu-xhci'/></devices></domain>")
    assert not lx.same(current, "<domain><devices><controller type='usb' model='ehci'/></devices></domain>")


def test_a_device_change_is_found_and_the_rerun_changes_nothing(conn):
    from test_domain_manager import SPEC, converge  # the DomainManager harness of this folder

    converge(conn)
    spec = copy.deepcopy(SPEC)
    spec['interfaces'].append(dict(network='default', mac='52:54:00:00:00:02', model='virtio'))
    spec['interfaces'][0]['model'] = 'e1000'
    changed = converge(conn, spec=spec)
    assert changed['changed'] and changed['actions'] == ['redefine domain vm1']
    assert sorted(changed['device_changes']) == [
        'add interface 52:54:00:00:00:02 on network default',
        'change interface 52:54:00:00:00:01 on network default',
    ]
    xml = conn.lookupByName('vm1').XMLDesc(2)
    assert "52:54:00:00:00:02" in xml and "type='e1000'" in xml
    rerun = converge(conn, spec=spec)
    assert rerun['changed'] is False and rerun['device_changes'] == [], rerun['actions']
