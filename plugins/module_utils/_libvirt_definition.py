# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The definition of one ``libvirt_domain``: the wanted XML (from the ``xml`` or the ``spec`` option, with the
ownership mark), its semantic comparison with libvirt's, the devices that differ, and (re)defining it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    OWNER_NS,
    OWNER_TAG,
    error_text,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_devices import describe
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import (
    build_domain_xml,
    owner_element,
    read_owner,
    set_owner,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml


def recorded_seed(current_root):
    """The SHA-256 of the cloud-init seed recorded in a domain's mark, or None."""
    if current_root is None:
        return None
    elem = current_root.find('metadata/%s/{%s}seed' % (OWNER_TAG, OWNER_NS))
    return elem.get('sha256') if elem is not None else None


def _devices(root):
    devices = root.find('devices')
    return list(devices) if devices is not None else []


def device_changes(current, wanted):
    """The devices that differ between libvirt's ``current`` definition and ``wanted``, one sentence each."""
    projection = libvirt_xml.project(current, wanted)
    have, want = _devices(projection), _devices(wanted)
    keys = dict((libvirt_xml.identity(elem, 'devices'), elem) for elem in have)
    out = []
    for elem in want:
        old = keys.pop(libvirt_xml.identity(elem, 'devices'), None)
        if old is None:
            out.append('add %s' % describe(elem))
        elif libvirt_xml.canonical(old) != libvirt_xml.canonical(elem):
            out.append('change %s' % describe(elem))
    return out + ['remove %s' % describe(elem) for elem in keys.values()]


class DomainDefinition(object):
    """The definition of domain ``name`` from the module's ``xml``/``spec``/``labels``/``cloud_init`` params."""

    def __init__(self, params, plan, volumes, seed, diff=False):
        self.name, self.params, self.plan, self.diff = params['name'], params, plan, diff
        self.volumes, self.seed = volumes, seed  # whose volumes exist; the seed disk and its digest
        self.defined_new = False

    def spec_disks(self):
        return [dict(d) for d in (self.params.get('spec') or {}).get('disks') or []]

    def wanted(self, current_root):
        """The wanted <domain> element, with the ownership mark, or None when neither xml nor spec is given."""
        if self.params.get('xml'):
            root = self._from_xml(self.params['xml'])
        elif self.params.get('spec'):
            disks = self.spec_disks()
            if self.seed.files is not None:
                disks.append(self.seed.disk(disks))
            root = build_domain_xml(self.name, dict(self.params['spec'], disks=disks))
        else:
            return None
        volumes = self._owned_volumes(current_root)
        # Keep only the recorded volumes that the definition still uses; others are forgotten (never deleted).
        used = set((s.get('pool'), s.get('volume')) for s in root.findall('devices/disk/source'))
        volumes = [v for v in volumes if (v['pool'], v['name']) in used]
        set_owner(root, owner_element(volumes, self.params.get('labels') or {}, self.seed.digest))
        return root

    def _from_xml(self, text):
        root = libvirt_xml.parse(text)
        if root.tag != 'domain':
            raise LibvirtModuleError('The xml option must hold a <domain> definition.')
        name = root.findtext('name')
        if name and name != self.name:
            raise LibvirtModuleError('The xml names domain %s but the name option is %s.' % (name, self.name))
        if not name:
            ET.SubElement(root, 'name').text = self.name
        return root

    def _owned_volumes(self, current_root):
        """The recorded volumes, plus the ones this run creates (overlays that do not exist yet, the seed)."""
        volumes = list(read_owner(current_root)[1]) if current_root is not None else []
        candidates = []
        if self.params.get('spec'):
            disks = self.spec_disks()
            for disk in disks:
                if disk.get('create'):
                    vol = dict(pool=disk['pool'], name=disk['volume'])
                    if not self.volumes.exists(vol) or vol in self.volumes.created:
                        candidates.append(vol)
            if self.seed.files is not None:
                candidates.append(self.seed.volume(disks))
        return volumes + [v for v in candidates if v not in volumes]

    def differs(self, current_root, wanted):
        return wanted is not None and not libvirt_xml.same(current_root, wanted)

    def converge(self, dom, current_root, wanted):
        """Define or redefine the domain when ``wanted`` differs from libvirt's definition; return the domain."""
        if dom is not None:
            same, before, after = libvirt_xml.compare(current_root, wanted)
            changes = [] if same else device_changes(current_root, wanted)
        else:
            same, before, after = False, '', libvirt_xml.to_string(wanted)
            changes = ['add %s' % describe(elem) for elem in _devices(wanted)]
        self.plan.result['device_changes'] = changes
        if self.diff:
            self.plan.diff['before'] += before + ('\n' if before else '')
            self.plan.diff['after'] += after + '\n'
        if same:
            return dom
        verb = 'define' if dom is None else 'redefine'
        return self.plan.act('%s domain %s' % (verb, self.name), self._define, wanted, current_root) or dom

    def _define(self, wanted, current_root):
        uuid = current_root.findtext('uuid') if current_root is not None else None
        if uuid and wanted.find('uuid') is None:
            ET.SubElement(wanted, 'uuid').text = uuid
        try:
            new = self.volumes.conn.defineXML(ET.tostring(wanted, encoding='unicode'))
        except Exception as exc:
            raise LibvirtModuleError('libvirt refused the definition of %s: %s.' % (self.name, error_text(exc)))
        self.defined_new = current_root is None
        return new
