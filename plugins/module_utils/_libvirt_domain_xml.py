# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Build a libvirt domain definition from the structured spec of ``libvirt_domain``.

Pure functions: no libvirt connection, so they are unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    MANAGED_BY,
    OWNER_NS,
    OWNER_PREFIX,
    OWNER_TAG,
)

ET.register_namespace(OWNER_PREFIX, OWNER_NS)
_PCI = re.compile(r'^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$')
_UUID = re.compile(r'^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')
# Guest PCI slots for passthrough devices on the root bus (one slot per multi-function group).
FIRST_HOSTDEV_SLOT = 0x10


def parse_pci(address):
    """'0000:01:00.1' or '01:00.1' -> (domain, bus, slot, function) as ints."""
    match = _PCI.match(str(address).strip())
    if not match:
        raise LibvirtModuleError(
            'PCI address %r is not in the form 0000:01:00.0 (domain:bus:slot.function).' % (address,)
        )
    dom, bus, slot, func = match.groups()
    return int(dom or '0', 16), int(bus, 16), int(slot, 16), int(func, 16)


def _sub(parent, tag, text=None, **attrs):
    elem = ET.SubElement(parent, tag, dict((k.rstrip('_'), str(v)) for k, v in attrs.items() if v is not None))
    if text is not None:
        elem.text = str(text)
    return elem


def _pci_address(parent, dom, bus, slot, func, multifunction=False):
    attrs = dict(type='pci', domain='0x%04x' % dom, bus='0x%02x' % bus, slot='0x%02x' % slot, function='0x%x' % func)
    if multifunction:
        attrs['multifunction'] = 'on'
    return _sub(parent, 'address', **attrs)


def group_hostdevs(hostdevs):
    """Group PCI host devices by host slot so a GPU and its audio function stay one guest device.

    ``hostdevs`` is a list of dicts with ``address``. Returns a list of groups, each a list of
    (domain, bus, slot, function) sorted by function, in the order the slots first appear.
    """
    groups = []
    index = {}
    for dev in hostdevs or []:
        addr = parse_pci(dev['address'])
        key = addr[:3]
        if key not in index:
            index[key] = len(groups)
            groups.append([])
        if addr in groups[index[key]]:
            raise LibvirtModuleError('PCI device %s is listed twice.' % dev['address'])
        groups[index[key]].append(addr)
    return [sorted(group, key=lambda a: a[3]) for group in groups]


def owner_element(volumes=None, labels=None, seed_sha256=None):
    """The ownership mark: <hsw:owner managed-by=...> with the volumes the module created."""
    owner = ET.Element(OWNER_TAG, {'managed-by': MANAGED_BY})
    for key in sorted(labels or {}):
        _sub(owner, '{%s}label' % OWNER_NS, name=key, value=labels[key])
    for vol in sorted(volumes or [], key=lambda v: (v['pool'], v['name'])):
        _sub(owner, '{%s}volume' % OWNER_NS, pool=vol['pool'], name=vol['name'])
    if seed_sha256:
        _sub(owner, '{%s}seed' % OWNER_NS, sha256=seed_sha256)
    return owner


def read_owner(root):
    """Return (owned, volumes, labels) from a domain element."""
    owner = root.find('metadata/%s' % OWNER_TAG)
    if owner is None or owner.get('managed-by') != MANAGED_BY:
        return False, [], {}
    volumes = [dict(pool=v.get('pool'), name=v.get('name')) for v in owner.findall('{%s}volume' % OWNER_NS)]
    labels = dict((l.get('name'), l.get('value')) for l in owner.findall('{%s}label' % OWNER_NS))
    return True, volumes, labels


def set_owner(root, owner):
    """Put ``owner`` into the domain's <metadata>, replacing an older mark."""
    metadata = root.find('metadata')
    if metadata is None:
        metadata = ET.Element('metadata')
        # libvirt's order: metadata after title/description, before memory; position does not matter to it.
        root.insert(min(len(root), 2), metadata)
    for old in metadata.findall(OWNER_TAG):
        metadata.remove(old)
    metadata.append(owner)
    return root


def _disk(devices, disk):
    device = disk.get('device') or 'disk'
    if disk.get('pool') and disk.get('volume'):
        elem = _sub(devices, 'disk', type='volume', device=device)
        _sub(
            elem,
            'driver',
            name='qemu',
            type=disk.get('format') or 'qcow2',
            cache=disk.get('cache'),
            discard='unmap' if disk.get('discard') else None,
        )
        _sub(elem, 'source', pool=disk['pool'], volume=disk['volume'])
    elif disk.get('path'):
        elem = _sub(devices, 'disk', type='file', device=device)
        _sub(
            elem,
            'driver',
            name='qemu',
            type=disk.get('format') or 'qcow2',
            cache=disk.get('cache'),
            discard='unmap' if disk.get('discard') else None,
        )
        _sub(elem, 'source', file=disk['path'])
    else:
        raise LibvirtModuleError('Disk %s needs either path, or pool and volume.' % disk.get('dev'))
    _sub(elem, 'target', dev=disk['dev'], bus=disk.get('bus') or ('sata' if device == 'cdrom' else 'virtio'))
    if disk.get('readonly') or device == 'cdrom':
        _sub(elem, 'readonly')
    if disk.get('serial'):
        _sub(elem, 'serial', disk['serial'])
    return elem


def build_domain_xml(name, spec, owner=None):
    """Return the <domain> Element for ``spec`` (the structured options of libvirt_domain)."""
    if not spec.get('vcpus') or not spec.get('memory_mb'):
        raise LibvirtModuleError('The spec of domain %s needs vcpus and memory_mb.' % name)
    root = ET.Element('domain', type=spec.get('domain_type') or 'qemu')
    _sub(root, 'name', name)
    if spec.get('title'):
        _sub(root, 'title', spec['title'])
    metadata = _sub(root, 'metadata')
    if owner is not None:
        metadata.append(owner)
    memory_kib = int(spec['memory_mb']) * 1024
    _sub(root, 'memory', memory_kib, unit='KiB')
    _sub(root, 'currentMemory', memory_kib, unit='KiB')
    hugepages = spec.get('hugepages')
    if hugepages and hugepages.get('enabled', True):
        backing = _sub(root, 'memoryBacking')
        pages = _sub(backing, 'hugepages')
        if hugepages.get('size_kb'):
            _sub(pages, 'page', size=hugepages['size_kb'], unit='KiB')
    vcpus = int(spec['vcpus'])
    _sub(root, 'vcpu', vcpus)
    pinning = spec.get('cpu_pinning') or []
    if pinning or spec.get('emulator_cpuset'):
        tune = _sub(root, 'cputune')
        for pin in pinning:
            if int(pin['vcpu']) >= vcpus:
                raise LibvirtModuleError(
                    'cpu_pinning names vCPU %s but domain %s has %d vCPUs.' % (pin['vcpu'], name, vcpus)
                )
            _sub(tune, 'vcpupin', vcpu=pin['vcpu'], cpuset=pin['cpuset'])
        if spec.get('emulator_cpuset'):
            _sub(tune, 'emulatorpin', cpuset=spec['emulator_cpuset'])
    numa = spec.get('numa') or []
    os_ = _sub(root, 'os')
    _sub(os_, 'type', 'hvm', arch=spec.get('arch') or 'x86_64', machine=spec.get('machine') or 'q35')
    kernel = spec.get('kernel')
    if kernel:
        _sub(os_, 'kernel', kernel['path'])
        if kernel.get('initrd'):
            _sub(os_, 'initrd', kernel['initrd'])
        if kernel.get('cmdline'):
            _sub(os_, 'cmdline', kernel['cmdline'])
    else:
        _sub(os_, 'boot', dev='hd')
    features = _sub(root, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')
    cpu = spec.get('cpu') or {}
    mode = cpu.get('mode')
    if mode is None:
        mode = 'host-passthrough' if root.get('type') == 'kvm' else None
    topo = cpu.get('sockets') or cpu.get('cores') or cpu.get('threads')
    if mode or cpu.get('model') or topo or numa:
        cpu_elem = _sub(root, 'cpu', mode=mode or ('custom' if cpu.get('model') else None))
        if cpu.get('model'):
            _sub(cpu_elem, 'model', cpu['model'], fallback='allow')
        if topo:
            sockets, cores, threads = (
                int(cpu.get('sockets') or 1),
                int(cpu.get('cores') or 1),
                int(cpu.get('threads') or 1),
            )
            if sockets * cores * threads != vcpus:
                raise LibvirtModuleError(
                    'CPU topology of domain %s: sockets %d x cores %d x threads %d is %d, not vcpus %d.'
                    % (name, sockets, cores, threads, sockets * cores * threads, vcpus)
                )
            _sub(cpu_elem, 'topology', sockets=sockets, dies=None, cores=cores, threads=threads)
        if numa:
            cells = _sub(cpu_elem, 'numa')
            total = 0
            for cell in numa:
                total += int(cell['memory_mb'])
                _sub(
                    cells,
                    'cell',
                    id=cell['id'],
                    cpus=cell['cpus'],
                    memory=int(cell['memory_mb']) * 1024,
                    unit='KiB',
                    memAccess='shared' if cell.get('shared') else None,
                )
            if total != int(spec['memory_mb']):
                raise LibvirtModuleError(
                    'The NUMA cells of domain %s add up to %d MiB, not memory_mb %s.' % (name, total, spec['memory_mb'])
                )
    _sub(root, 'clock', offset='utc')
    _sub(root, 'on_poweroff', 'destroy')
    _sub(root, 'on_reboot', 'restart')
    _sub(root, 'on_crash', 'destroy')
    devices = _sub(root, 'devices')
    for disk in spec.get('disks') or []:
        _disk(devices, disk)
    for nic in spec.get('interfaces') or []:
        if nic.get('network'):
            elem = _sub(devices, 'interface', type='network')
            if nic.get('mac'):
                _sub(elem, 'mac', address=nic['mac'].lower())
            _sub(elem, 'source', network=nic['network'])
        elif nic.get('bridge'):
            elem = _sub(devices, 'interface', type='bridge')
            if nic.get('mac'):
                _sub(elem, 'mac', address=nic['mac'].lower())
            _sub(elem, 'source', bridge=nic['bridge'])
        else:
            raise LibvirtModuleError('Each interface of domain %s needs a network or a bridge.' % name)
        _sub(elem, 'model', type=nic.get('model') or 'virtio')
    for slot_index, group in enumerate(group_hostdevs(spec.get('hostdevs'))):
        guest_slot = FIRST_HOSTDEV_SLOT + slot_index
        multifunction = len(group) > 1
        for dom, bus, slot, func in group:
            elem = _sub(devices, 'hostdev', mode='subsystem', type='pci', managed='yes')
            source = _sub(elem, 'source')
            _pci_address(source, dom, bus, slot, func)
            # The host's function numbers are kept: function 0 (the GPU) carries multifunction='on'.
            _pci_address(elem, 0, 0, guest_slot, func, multifunction=multifunction and func == group[0][3])
    for mdev in spec.get('mdevs') or []:
        if not _UUID.match(str(mdev.get('uuid', ''))):
            raise LibvirtModuleError('mdev uuid %r of domain %s is not a UUID.' % (mdev.get('uuid'), name))
        elem = _sub(
            devices,
            'hostdev',
            mode='subsystem',
            type='mdev',
            model=mdev.get('model') or 'vfio-pci',
            display='on' if mdev.get('display') else 'off',
        )
        source = _sub(elem, 'source')
        _sub(source, 'address', uuid=mdev['uuid'].lower())
    serial = _sub(devices, 'serial', type='pty')
    if spec.get('console_log'):
        _sub(serial, 'log', file=spec['console_log'], append='off')
    _sub(serial, 'target', port=0)
    console = _sub(devices, 'console', type='pty')
    _sub(console, 'target', type='serial', port=0)
    if spec.get('guest_agent', True):
        channel = _sub(devices, 'channel', type='unix')
        _sub(channel, 'target', type='virtio', name='org.qemu.guest_agent.0')
    rng = _sub(devices, 'rng', model='virtio')
    _sub(rng, 'backend', '/dev/urandom', model='random')
    return root
