"""Domain XML generation and the semantic comparison of libvirt XML (pure functions)."""

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as lx
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    OWNER_NS,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_devices import (
    group_hostdevs,
    parse_pci,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import (
    build_domain_xml,
    owner_element,
    read_owner,
)

# What libvirt 9 answers for a small definition: defaults added, units converted, hex padded, alias expanded.
LIBVIRT_NORMALISED = """
<domain type='qemu'>
  <name>vm1</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/img/vm1.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci'/>
    <interface type='network'>
      <mac address='52:54:00:AA:00:01'/>
      <source network='n1'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <memballoon model='virtio'/>
  </devices>
</domain>
"""

WANTED = """
<domain type='qemu'>
  <name>vm1</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <interface type='network'><mac address='52:54:00:aa:00:01'/><source network='n1'/></interface>
    <disk type='file' device='disk'>
      <source file='/img/vm1.qcow2'/><target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
"""


def test_normalised_definition_is_the_same_as_the_wanted_one():
    assert lx.same(LIBVIRT_NORMALISED, WANTED)


@pytest.mark.parametrize(
    'change',
    [
        ("<vcpu>2</vcpu>", "<vcpu>3</vcpu>"),
        ("<memory unit='MiB'>1024</memory>", "<memory unit='MiB'>2048</memory>"),
        ("machine='q35'", "machine='pc'"),
        ("<source network='n1'/>", "<source network='n2'/>"),
        ("52:54:00:aa:00:01", "52:54:00:aa:00:02"),
        ("<source file='/img/vm1.qcow2'/>", "<source file='/img/other.qcow2'/>"),
    ],
)
def test_a_real_difference_is_found(change):
    assert not lx.same(LIBVIRT_NORMALISED, WANTED.replace(*change))


def test_a_device_libvirt_has_and_the_caller_removed_is_a_difference():
    wanted = WANTED.replace("<disk type='file' device='disk'>", "<!--").replace("</disk>", "-->")
    same, before, after = lx.compare(LIBVIRT_NORMALISED, wanted)
    assert not same
    assert '/img/vm1.qcow2' in before and '/img/vm1.qcow2' not in after


def test_default_devices_libvirt_adds_are_not_a_difference():
    # controller, memballoon and emulator are libvirt's: the caller did not name them.
    assert lx.same(LIBVIRT_NORMALISED, WANTED)


def test_device_order_does_not_matter_but_identity_does():
    two = LIBVIRT_NORMALISED.replace(
        "</devices>",
        """
    <disk type='file' device='disk'><source file='/img/b.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    </devices>""",
    )
    wanted = WANTED.replace(
        "<devices>",
        """<devices>
    <disk type='file' device='disk'><source file='/img/b.qcow2'/><target dev='vdb' bus='virtio'/></disk>""",
    )
    assert lx.same(two, wanted)
    swapped = wanted.replace("dev='vdb'", "dev='vdX'").replace("dev='vda'", "dev='vdb'").replace("vdX", "vda")
    assert not lx.same(two, swapped)


def test_diff_is_short_and_shows_the_change():
    same, before, after = lx.compare(LIBVIRT_NORMALISED, WANTED.replace('<vcpu>2</vcpu>', '<vcpu>4</vcpu>'))
    assert not same
    assert '<vcpu>2</vcpu>' in before and '<vcpu>4</vcpu>' in after
    assert 'memballoon' not in before and '<address' not in before


def test_hex_and_unit_normalisation():
    a = ET.fromstring("<memory unit='GiB'>1</memory>")
    b = ET.fromstring("<memory unit='KiB'>1048576</memory>")
    assert lx.canonical(a) == lx.canonical(b)
    c = ET.fromstring("<address domain='0x0000' bus='0x1' slot='0x00' function='0x0'/>")
    d = ET.fromstring("<address domain='0x0' bus='0x01' slot='0x0' function='0x0'/>")
    assert lx.canonical(c) == lx.canonical(d)


def test_malformed_xml_is_a_sentence():
    with pytest.raises(lx.XMLError, match='not well formed'):
        lx.parse('<domain>')


SPEC = dict(
    domain_type='qemu',
    vcpus=2,
    memory_mb=1536,
    kernel=dict(path='/img/k', initrd='/img/i', cmdline='root=/dev/vda'),
    disks=[dict(dev='vda', pool='p', volume='v.qcow2')],
    interfaces=[dict(network='n1', mac='52:54:00:AA:00:01')],
)


def test_build_domain_xml_basics():
    root = build_domain_xml('vm1', SPEC, owner_element(labels={'cluster': 'hpc'}))
    assert root.get('type') == 'qemu'
    assert root.findtext('memory') == str(1536 * 1024)
    assert root.findtext('vcpu') == '2'
    assert root.findtext('os/kernel') == '/img/k'
    assert root.find('os/boot') is None
    assert root.find('devices/disk/source').attrib == {'pool': 'p', 'volume': 'v.qcow2'}
    assert root.find('devices/interface/mac').get('address') == '52:54:00:aa:00:01'
    assert root.find('cpu') is None  # TCG: no host-passthrough
    owned, volumes, labels = read_owner(root)
    assert owned and volumes == [] and labels == {'cluster': 'hpc'}


def test_kvm_gets_host_passthrough_and_topology_is_checked():
    spec = dict(SPEC, domain_type='kvm', vcpus=4, cpu=dict(sockets=1, cores=2, threads=2))
    root = build_domain_xml('vm1', spec)
    assert root.find('cpu').get('mode') == 'host-passthrough'
    assert root.find('cpu/topology').attrib == {'sockets': '1', 'cores': '2', 'threads': '2'}
    with pytest.raises(LibvirtModuleError, match='is 4, not vcpus 3'):
        build_domain_xml('vm1', dict(spec, vcpus=3))


def test_gpu_and_audio_are_one_multifunction_guest_device():
    spec = dict(
        SPEC, hostdevs=[dict(address='0000:41:00.1'), dict(address='0000:41:00.0'), dict(address='0000:81:00.0')]
    )
    root = build_domain_xml('vm1', spec)
    devs = root.findall("devices/hostdev[@type='pci']")
    guest = [
        (
            d.find('source/address').get('function'),
            d.find('address').get('slot'),
            d.find('address').get('function'),
            d.find('address').get('multifunction'),
        )
        for d in devs
    ]
    assert guest == [('0x0', '0x10', '0x0', 'on'), ('0x1', '0x10', '0x1', None), ('0x0', '0x11', '0x0', None)]
    assert all(d.get('managed') == 'yes' for d in devs)


def test_pci_addresses_are_checked():
    assert parse_pci('41:00.1') == (0, 0x41, 0, 1)
    with pytest.raises(LibvirtModuleError, match='not in the form'):
        parse_pci('41:00')
    with pytest.raises(LibvirtModuleError, match='listed twice'):
        group_hostdevs([dict(address='0000:41:00.0'), dict(address='41:00.0')])


def test_mdev_pinning_hugepages_numa():
    spec = dict(
        SPEC,
        vcpus=2,
        memory_mb=2048,
        mdevs=[dict(uuid='0b2a1c7e-9d64-4c1b-8c3f-2a6a1f0e9b11', model='vfio-pci', display=False)],
        cpu_pinning=[dict(vcpu=0, cpuset='2'), dict(vcpu=1, cpuset='3')],
        emulator_cpuset='0',
        hugepages=dict(enabled=True, size_kb=2048),
        numa=[dict(id=0, cpus='0', memory_mb=1024), dict(id=1, cpus='1', memory_mb=1024)],
    )
    root = build_domain_xml('vm1', spec)
    assert root.find("devices/hostdev[@type='mdev']/source/address").get('uuid').startswith('0b2a1c7e')
    assert [p.get('cpuset') for p in root.findall('cputune/vcpupin')] == ['2', '3']
    assert root.find('cputune/emulatorpin').get('cpuset') == '0'
    assert root.find('memoryBacking/hugepages/page').get('size') == '2048'
    assert len(root.findall('cpu/numa/cell')) == 2
    with pytest.raises(LibvirtModuleError, match='add up to 1024 MiB'):
        build_domain_xml('vm1', dict(spec, numa=spec['numa'][:1]))
    with pytest.raises(LibvirtModuleError, match='names vCPU 5'):
        build_domain_xml('vm1', dict(spec, cpu_pinning=[dict(vcpu=5, cpuset='1')]))


def test_owner_mark_roundtrip():
    owner = owner_element([dict(pool='p', name='b'), dict(pool='p', name='a')], {'cluster': 'hpc'}, 'abc')
    root = ET.Element('domain')
    md = ET.SubElement(root, 'metadata')
    md.append(owner)
    text = ET.tostring(root, encoding='unicode')
    assert OWNER_NS in text
    owned, volumes, labels = read_owner(ET.fromstring(text))
    assert owned and volumes == [dict(pool='p', name='a'), dict(pool='p', name='b')]
    assert labels == {'cluster': 'hpc'}
    assert read_owner(ET.fromstring('<domain><metadata/></domain>'))[0] is False


def test_a_vgpu_virtual_function_is_unmanaged_and_alone_on_its_guest_slot():
    """An NVIDIA vGPU virtual function stays on the vGPU driver (managed='no'); a passthrough GPU and its audio
    function stay one managed multi-function device."""
    spec = dict(
        SPEC,
        hostdevs=[
            dict(address='0000:41:00.0'),
            dict(address='0000:41:00.1'),
            dict(address='0000:81:00.4', managed=False),
            dict(address='0000:81:00.5', managed=False),
        ],
    )
    root = build_domain_xml('vm1', spec)
    devs = root.findall("devices/hostdev[@type='pci']")
    assert [d.get('managed') for d in devs] == ['yes', 'yes', 'no', 'no']
    guest_slots = [d.find('address').get('slot') for d in devs]
    assert guest_slots[0] == guest_slots[1] and len(set(guest_slots)) == 3
