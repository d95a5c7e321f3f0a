# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Read-only views of libvirt domains for ``libvirt_domain_info``: ownership, labels, resources, devices."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_runstate import (
    STATE_NAMES,
    XML_INACTIVE,
    is_active,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import read_owner
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml


def describe(dom):
    """A dict describing one domain (from its live XML when running, else its persistent one)."""
    state = dom.state()[0]
    active = is_active(state)
    root = libvirt_xml.parse(dom.XMLDesc(0 if active else XML_INACTIVE))
    owned, volumes, labels = read_owner(root)
    memory_kib = int(root.findtext('memory') or 0)
    unit = (root.find('memory').get('unit') if root.find('memory') is not None else 'KiB') or 'KiB'
    if unit.lower() != 'kib':
        memory_kib = int(libvirt_xml.canonical(root.find('memory'))[2])
    interfaces = []
    for nic in root.findall('devices/interface'):
        mac = nic.find('mac')
        source = nic.find('source')
        interfaces.append(
            dict(
                mac=mac.get('address') if mac is not None else None,
                network=source.get('network') if source is not None else None,
                bridge=source.get('bridge') if source is not None else None,
            )
        )
    hostdevs = []
    for dev in root.findall('devices/hostdev'):
        addr = dev.find('source/address')
        if addr is None:
            continue
        if dev.get('type') == 'mdev':
            hostdevs.append('mdev:%s' % addr.get('uuid'))
        else:
            hostdevs.append(
                '%04x:%02x:%02x.%x' % tuple(int(addr.get(k), 16) for k in ('domain', 'bus', 'slot', 'function'))
            )
    disks = []
    for disk in root.findall('devices/disk'):
        source = disk.find('source')
        target = disk.find('target')
        if source is None:
            continue
        disks.append(
            dict(
                dev=target.get('dev') if target is not None else None,
                pool=source.get('pool'),
                volume=source.get('volume'),
                path=source.get('file'),
            )
        )
    try:
        autostart = bool(dom.autostart())
    except Exception:
        autostart = False
    return dict(
        name=dom.name(),
        uuid=dom.UUIDString(),
        state=STATE_NAMES.get(state, 'unknown'),
        active=active,
        domain_type=root.get('type'),
        vcpus=int(root.findtext('vcpu') or 0),
        memory_mb=memory_kib // 1024,
        owned=owned,
        labels=labels,
        volumes=volumes,
        interfaces=interfaces,
        hostdevs=hostdevs,
        disks=disks,
        autostart=autostart,
    )


def list_domains(conn, names=None, owned_only=False, labels=None):
    """Describe the domains, filtered by name, ownership and labels (all given labels must match)."""
    out = []
    for dom in conn.listAllDomains(0):
        if names and dom.name() not in names:
            continue
        info = describe(dom)
        if owned_only and not info['owned']:
            continue
        if labels and any(info['labels'].get(k) != str(v) for k, v in labels.items()):
            continue
        out.append(info)
    return sorted(out, key=lambda d: d['name'])
