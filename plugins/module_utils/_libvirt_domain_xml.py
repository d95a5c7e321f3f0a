# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Build a libvirt domain definition from the structured spec of ``libvirt_domain``, and the ownership mark.

The devices come from the device types of :mod:`._libvirt_devices`; this module builds the rest.

Pure functions: no libvirt connection, so they are unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    MANAGED_BY,
    OWNER_NS,
    OWNER_PREFIX,
    OWNER_TAG,
    sub_element as _sub,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_devices import build_devices

ET.register_namespace(OWNER_PREFIX, OWNER_NS)


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
    build_devices(_sub(root, 'devices'), spec, name)
    return root
