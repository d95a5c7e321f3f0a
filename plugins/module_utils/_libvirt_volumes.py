# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The storage volumes of one ``libvirt_domain``: the overlays it creates and grows, the ones it deletes with the
domain, and the rollback of what a failed run created. A volume is ``dict(pool=..., name=...)``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    error_text,
    sub_element as _sub,
)

VOL_DELETE_NORMAL = 0


def volume_xml(name, capacity, fmt, backing_path=None, backing_format=None):
    """The <volume> definition of a ``capacity``-byte volume, optionally a copy-on-write overlay."""
    root = ET.Element('volume')
    _sub(root, 'name', name)
    _sub(root, 'capacity', capacity, unit='bytes')
    _sub(_sub(root, 'target'), 'format', type=fmt)
    if backing_path:
        backing = _sub(root, 'backingStore')
        _sub(backing, 'path', backing_path)
        _sub(backing, 'format', type=backing_format or 'qcow2')
    return ET.tostring(root, encoding='unicode')


class Volumes(object):
    """Volumes through one connection; ``plan`` records the actions (and holds check mode)."""

    def __init__(self, conn, plan):
        self.conn = conn
        self.plan = plan
        self.created = []  # made by this run: removed again when the run fails

    def pool(self, name):
        try:
            return self.conn.storagePoolLookupByName(name)
        except Exception:
            raise LibvirtModuleError(
                'Storage pool %s does not exist; define and start it first (the vm_provision role does, or '
                'virsh pool-define-as %s dir --target DIR && virsh pool-start %s).' % (name, name, name)
            )

    def find(self, vol):
        """The virStorageVol, or None (a missing pool holds no volume; creating in it fails with a sentence)."""
        try:
            return self.conn.storagePoolLookupByName(vol['pool']).storageVolLookupByName(vol['name'])
        except Exception:
            return None

    def exists(self, vol):
        return self.find(vol) is not None

    def create(self, vol, xml):
        try:
            created = self.pool(vol['pool']).createXML(xml, 0)
        except LibvirtModuleError:
            raise
        except Exception as exc:
            raise LibvirtModuleError(
                'Cannot create volume %s in pool %s: %s.' % (vol['name'], vol['pool'], error_text(exc))
            )
        return created

    def ensure_overlays(self, disks, owned):
        """Create the volumes of ``disks`` with ``create`` that are missing; grow the ``owned`` ones to size."""
        for disk in disks:
            create = disk.get('create')
            if not create:
                continue
            vol = dict(pool=disk['pool'], name=disk['volume'])
            existing = self.find(vol)
            capacity = int(create['capacity_gb']) * 1024**3
            if existing is None:
                xml = volume_xml(
                    vol['name'],
                    capacity,
                    disk.get('format') or 'qcow2',
                    create.get('backing_path'),
                    create.get('backing_format'),
                )
                self.plan.act('create volume %s/%s' % (vol['pool'], vol['name']), self._create_owned, vol, xml)
            elif existing.info()[1] < capacity and vol in owned:
                self.plan.act(
                    'grow volume %s/%s to %d GiB' % (vol['pool'], vol['name'], create['capacity_gb']),
                    existing.resize,
                    capacity,
                    0,
                )

    def _create_owned(self, vol, xml):
        self.create(vol, xml)
        self.created.append(vol)

    def delete(self, vol):
        existing = self.find(vol)
        if existing is not None:
            existing.delete(VOL_DELETE_NORMAL)

    def remove(self, volumes):
        """Delete those of ``volumes`` that exist; return them."""
        removed = [vol for vol in volumes if self.exists(vol)]
        for vol in removed:
            self.plan.act('delete volume %s/%s' % (vol['pool'], vol['name']), self.delete, vol)
        return removed

    def rollback(self):
        for vol in reversed(self.created):
            try:
                self.delete(vol)
            except Exception:
                pass
