# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The guest device types of ``libvirt_domain``: one class per type, registered in :data:`DEVICE_TYPES`.

Each class is the only home of its device type. It holds:

- ``build(devices, spec, name)``: the elements it adds under ``<devices>`` for the structured spec;
- ``identity(elem)``: which sibling an element is, independent of its position, so that the semantic comparison
  (:mod:`._libvirt_xml`) matches libvirt's copy of a device with the wanted one (a missing rule makes every run
  report a change);
- ``describe(elem)``: the device in words, for the RV(device_changes) a redefinition reports.

A new device type is one new class appended to :data:`DEVICE_TYPES`; ``tests/unit/libvirt/test_devices.py``
fails when one of the three is missing or the builder emits an element no class claims. Types with
``built = False`` are never built from the spec (they come only in a full ``xml`` option) but still need their
identity and description for the comparison.

Pure functions of ElementTree elements: no libvirt connection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    sub_element as _sub,
)

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


def group_hostdevs(hostdevs):
    """Group PCI host devices by host slot so a GPU and its audio function stay one guest device.

    ``hostdevs`` is a list of dicts with ``address``. Returns a list of groups, each a list of
    (domain, bus, slot, function) sorted by function, in the order the slots first appear.
    A virtual function is a device of its own: it is never grouped with its slot's other functions.
    """
    groups = []
    index = {}
    for dev in hostdevs or []:
        addr = parse_pci(dev['address'])
        if dev.get('managed') is False:
            groups.append([addr])
            continue
        key = addr[:3]
        if key not in index:
            index[key] = len(groups)
            groups.append([])
        if addr in groups[index[key]]:
            raise LibvirtModuleError('PCI device %s is listed twice.' % dev['address'])
        groups[index[key]].append(addr)
    return [sorted(group, key=lambda a: a[3]) for group in groups]


def _pci_address(parent, dom, bus, slot, func, multifunction=False):
    attrs = dict(type='pci', domain='0x%04x' % dom, bus='0x%02x' % bus, slot='0x%02x' % slot, function='0x%x' % func)
    return _sub(parent, 'address', multifunction='on' if multifunction else None, **attrs)


def _attr(elem, path, key, default=None):
    """``elem.find(path).get(key)``, or ``default`` when the child or the attribute is missing."""
    child = elem.find(path)
    value = child.get(key) if child is not None else None
    return default if value is None else value


class DeviceType(object):
    """One kind of guest device under ``<devices>``."""

    tag = None
    kind = None  # the element's type attribute, where several device types share a tag (hostdev)
    managed = False  # a set the caller owns: one libvirt has and the caller does not want is a difference
    built = True  # False: never built from the spec, known only from a full xml option

    def claims(self, elem):
        return elem.tag == self.tag and (self.kind is None or elem.get('type') == self.kind)

    def build(self, devices, spec, name):
        """Append this type's elements for ``spec`` (of domain ``name``) to ``devices``."""
        raise NotImplementedError('%s has no builder' % type(self).__name__)

    def identity(self, elem):
        raise NotImplementedError('%s has no identity rule' % type(self).__name__)

    def describe(self, elem):
        raise NotImplementedError('%s has no description' % type(self).__name__)


class Disk(DeviceType):
    tag = 'disk'
    managed = True

    def build(self, devices, spec, name):
        for disk in spec.get('disks') or []:
            device = disk.get('device') or 'disk'
            if disk.get('pool') and disk.get('volume'):
                kind, source = 'volume', dict(pool=disk['pool'], volume=disk['volume'])
            elif disk.get('path'):
                kind, source = 'file', dict(file=disk['path'])
            else:
                raise LibvirtModuleError('Disk %s needs either path, or pool and volume.' % disk.get('dev'))
            elem = _sub(devices, 'disk', type=kind, device=device)
            discard = 'unmap' if disk.get('discard') else None
            _sub(
                elem,
                'driver',
                name='qemu',
                type=disk.get('format') or 'qcow2',
                cache=disk.get('cache'),
                discard=discard,
            )
            _sub(elem, 'source', **source)
            _sub(elem, 'target', dev=disk['dev'], bus=disk.get('bus') or ('sata' if device == 'cdrom' else 'virtio'))
            if disk.get('readonly') or device == 'cdrom':
                _sub(elem, 'readonly')
            if disk.get('serial'):
                _sub(elem, 'serial', disk['serial'])

    def identity(self, elem):
        return ('disk', _attr(elem, 'target', 'dev'))

    def describe(self, elem):
        source = elem.find('source')
        attrs = source.attrib if source is not None else {}
        where = '%s/%s' % (attrs['pool'], attrs.get('volume')) if 'pool' in attrs else attrs.get('file', 'no source')
        return '%s %s (%s)' % (elem.get('device') or 'disk', _attr(elem, 'target', 'dev'), where)


class Interface(DeviceType):
    tag = 'interface'
    managed = True

    def build(self, devices, spec, name):
        for nic in spec.get('interfaces') or []:
            kind = 'network' if nic.get('network') else 'bridge' if nic.get('bridge') else None
            if kind is None:
                raise LibvirtModuleError('Each interface of domain %s needs a network or a bridge.' % name)
            elem = _sub(devices, 'interface', type=kind)
            if nic.get('mac'):
                _sub(elem, 'mac', address=nic['mac'].lower())
            _sub(elem, 'source', **{kind: nic[kind]})
            _sub(elem, 'model', type=nic.get('model') or 'virtio')

    def identity(self, elem):
        return ('interface', _attr(elem, 'mac', 'address', '').lower() if elem.find('mac') is not None else None)

    def describe(self, elem):
        kind = elem.get('type')
        return 'interface %s on %s %s' % (
            _attr(elem, 'mac', 'address', 'without MAC'),
            kind,
            _attr(elem, 'source', kind, '?'),
        )


class PciHostdev(DeviceType):
    tag = 'hostdev'
    kind = 'pci'
    managed = True

    def build(self, devices, spec, name):
        unmanaged = set(parse_pci(d['address']) for d in spec.get('hostdevs') or [] if d.get('managed') is False)
        for slot_index, group in enumerate(group_hostdevs(spec.get('hostdevs'))):
            guest_slot = FIRST_HOSTDEV_SLOT + slot_index
            multifunction = len(group) > 1
            for dom, bus, slot, func in group:
                managed = 'no' if (dom, bus, slot, func) in unmanaged else 'yes'
                elem = _sub(devices, 'hostdev', mode='subsystem', type='pci', managed=managed)
                _pci_address(_sub(elem, 'source'), dom, bus, slot, func)
                # The host's function numbers are kept: function 0 (the GPU) carries multifunction='on'.
                _pci_address(elem, 0, 0, guest_slot, func, multifunction=multifunction and func == group[0][3])

    @staticmethod
    def _host_address(elem):
        addr = elem.find('source/address')
        if addr is None:
            return None
        return tuple(int(addr.get(k) or '0', 16) for k in ('domain', 'bus', 'slot', 'function'))

    def identity(self, elem):
        return ('hostdev', 'pci', self._host_address(elem))

    def describe(self, elem):
        addr = self._host_address(elem)
        return 'PCI device %s' % ('%04x:%02x:%02x.%x' % addr if addr else 'without address')


class MdevHostdev(DeviceType):
    tag = 'hostdev'
    kind = 'mdev'
    managed = True

    def build(self, devices, spec, name):
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
            _sub(_sub(elem, 'source'), 'address', uuid=mdev['uuid'].lower())

    def identity(self, elem):
        return ('hostdev', 'mdev', _attr(elem, 'source/address', 'uuid', '').lower() or None)

    def describe(self, elem):
        return 'mdev %s' % _attr(elem, 'source/address', 'uuid', 'without UUID')


class _PortDevice(DeviceType):
    """A character device on a numbered port (serial, console): one per type and port."""

    label = None

    def identity(self, elem):
        return (self.tag, elem.get('type'), _attr(elem, 'target', 'port', '0'))

    def describe(self, elem):
        return '%s %s (%s)' % (self.label, _attr(elem, 'target', 'port', '0'), elem.get('type'))


class Serial(_PortDevice):
    tag = 'serial'
    label = 'serial port'

    def build(self, devices, spec, name):
        serial = _sub(devices, 'serial', type='pty')
        if spec.get('console_log'):
            _sub(serial, 'log', file=spec['console_log'], append='off')
        _sub(serial, 'target', port=0)


class Console(_PortDevice):
    tag = 'console'
    label = 'console'

    def build(self, devices, spec, name):
        _sub(_sub(devices, 'console', type='pty'), 'target', type='serial', port=0)


class Channel(DeviceType):
    tag = 'channel'

    def build(self, devices, spec, name):
        if spec.get('guest_agent', True):
            _sub(_sub(devices, 'channel', type='unix'), 'target', type='virtio', name='org.qemu.guest_agent.0')

    def identity(self, elem):
        return ('channel', elem.get('type'), _attr(elem, 'target', 'name'))

    def describe(self, elem):
        return 'channel %s' % _attr(elem, 'target', 'name', '(unnamed)')


class Rng(DeviceType):
    tag = 'rng'

    def build(self, devices, spec, name):
        _sub(_sub(devices, 'rng', model='virtio'), 'backend', '/dev/urandom', model='random')

    def identity(self, elem):
        return ('rng', elem.get('model'))

    def describe(self, elem):
        return '%s random number generator (%s)' % (elem.get('model'), (elem.findtext('backend') or '').strip())


class Filesystem(DeviceType):
    tag = 'filesystem'
    managed = True
    built = False

    def identity(self, elem):
        return ('filesystem', _attr(elem, 'target', 'dir'))

    def describe(self, elem):
        return 'filesystem %s' % _attr(elem, 'target', 'dir', '(no target)')


class Controller(DeviceType):
    tag = 'controller'
    built = False

    def identity(self, elem):
        index = elem.get('index') or '0'
        return ('controller', elem.get('type'), str(int(index, 16)) if index.startswith('0x') else index)

    def describe(self, elem):
        return '%s controller %s' % (elem.get('type'), elem.get('index') or '0')


# In the order the builder emits them (libvirt keeps the order of disks and interfaces).
DEVICE_TYPES = (
    Disk(),
    Interface(),
    PciHostdev(),
    MdevHostdev(),
    Serial(),
    Console(),
    Channel(),
    Rng(),
    Filesystem(),
    Controller(),
)
# Tags of the devices managed as a set (see DeviceType.managed).
MANAGED_TAGS = frozenset(t.tag for t in DEVICE_TYPES if t.managed)


def device_type(elem):
    """The registered type of a device element, or None."""
    for dtype in DEVICE_TYPES:
        if dtype.claims(elem):
            return dtype
    return None


def build_devices(devices, spec, name):
    """Fill ``devices`` for the structured spec: every built type, in registry order."""
    for dtype in DEVICE_TYPES:
        if dtype.built:
            dtype.build(devices, spec, name)
    return devices


def device_identity(elem):
    dtype = device_type(elem)
    return dtype.identity(elem) if dtype is not None else (elem.tag,)


def describe(elem):
    dtype = device_type(elem)
    return dtype.describe(elem) if dtype is not None else elem.tag
