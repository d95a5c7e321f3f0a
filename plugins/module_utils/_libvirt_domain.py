# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The work of the ``libvirt_domain`` module: plan and apply a domain's definition and run state.

:class:`DomainManager` takes an open libvirt connection (``test:///default`` in unit tests, ``qemu:///system``
for real), a ``run_command`` callable (to build cloud-init seed ISOs) and a ``sleep`` callable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shutil
import tempfile
import time
import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    HAS_LIBVIRT,
    LibvirtModuleError,
    OWNER_NS,
    OWNER_TAG,
    error_text,
    libvirt,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import (
    build_domain_xml,
    owner_element,
    read_owner,
    set_owner,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml

# virDomainState values (libvirt-python constants, repeated so the logic reads without a libvirt import).
NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = range(8)
STATE_NAMES = {
    NOSTATE: 'nostate',
    RUNNING: 'running',
    BLOCKED: 'running',
    PAUSED: 'paused',
    SHUTDOWN: 'shutting-down',
    SHUTOFF: 'shutoff',
    CRASHED: 'crashed',
    PMSUSPENDED: 'pmsuspended',
}
XML_INACTIVE = 2  # VIR_DOMAIN_XML_INACTIVE
SHUTDOWN_ACPI = 1  # VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN
SHUTDOWN_AGENT = 2  # VIR_DOMAIN_SHUTDOWN_GUEST_AGENT
UNDEFINE_FLAGS = 1 | 2 | 4  # MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM
VOL_DELETE_NORMAL = 0


def _is_active(state):
    return state in (RUNNING, BLOCKED, PAUSED, SHUTDOWN, PMSUSPENDED)


class DomainManager(object):
    """Converge one domain.

    params: the module's parameters (name, state, xml, spec, autostart, adopt, shutdown_timeout, force,
    remove_volumes, cloud_init). check_mode: plan only.
    """

    def __init__(self, conn, params, check_mode=False, run_command=None, sleep=time.sleep, clock=time.time):
        self.conn = conn
        self.params = params
        self.check_mode = check_mode
        self.run_command = run_command
        self.sleep = sleep
        self.clock = clock
        self.name = params['name']
        self.changes = []
        self.result = dict(changed=False, name=self.name, restart_required=False, actions=self.changes)
        self.diff = dict(before='', after='')
        self._created_volumes = []
        self._defined_new = False

    # ------------------------------------------------------------------ reading
    def lookup(self):
        try:
            return self.conn.lookupByName(self.name)
        except Exception as exc:  # libvirt.libvirtError; VIR_ERR_NO_DOMAIN is the expected one
            code = getattr(exc, 'get_error_code', lambda: None)()
            if HAS_LIBVIRT and code not in (None, libvirt.VIR_ERR_NO_DOMAIN):
                raise LibvirtModuleError('Cannot look up domain %s: %s.' % (self.name, error_text(exc)))
            return None

    @staticmethod
    def state_of(dom):
        return dom.state()[0] if dom is not None else None

    def _act(self, action):
        self.changes.append(action)
        self.result['changed'] = True

    # ------------------------------------------------------------------ desired definition
    def _seed_volume_name(self):
        return '%s-seed.iso' % self.name

    def _seed_payload(self):
        ci = self.params.get('cloud_init')
        if not ci:
            return None
        files = {
            'user-data': ci.get('user_data') or '#cloud-config\n{}\n',
            'meta-data': ci.get('meta_data') or 'instance-id: %s\nlocal-hostname: %s\n' % (self.name, self.name),
        }
        if ci.get('network_config'):
            files['network-config'] = ci['network_config']
        digest = hashlib.sha256()
        for key in sorted(files):
            digest.update(key.encode() + b'\0' + files[key].encode('utf-8') + b'\0')
        return files, digest.hexdigest()

    def desired(self, current_root):
        """The wanted <domain> element, with the ownership mark, or None when neither xml nor spec is given."""
        params = self.params
        _owned, cur_volumes, _labels = read_owner(current_root) if current_root is not None else (False, [], {})
        labels = params.get('labels') or {}
        volumes = list(cur_volumes)
        spec = params.get('spec')
        seed = self._seed_payload()
        if params.get('xml'):
            root = libvirt_xml.parse(params['xml'])
            if root.tag != 'domain':
                raise LibvirtModuleError('The xml option must hold a <domain> definition.')
            name = root.findtext('name')
            if name and name != self.name:
                raise LibvirtModuleError('The xml names domain %s but the name option is %s.' % (name, self.name))
            if not name:
                ET.SubElement(root, 'name').text = self.name
        elif spec:
            spec = dict(spec)
            root = None
        else:
            return None
        if spec is not None:
            disks = [dict(d) for d in spec.get('disks') or []]
            for disk in disks:
                if disk.get('create'):
                    vol = dict(pool=disk['pool'], name=disk['volume'])
                    if vol not in volumes and (self._volume_exists(vol) is False or vol in self._created_volumes):
                        volumes.append(vol)
            if seed is not None:
                pool = params['cloud_init'].get('pool') or self._first_pool(disks)
                vol = dict(pool=pool, name=self._seed_volume_name())
                if vol not in volumes:
                    volumes.append(vol)
                used = set(d.get('dev') for d in disks)
                dev = next('vd%s' % c for c in 'zyxwvutsrqponmlkjihgfedcb' if 'vd%s' % c not in used)
                disks.append(dict(pool=pool, volume=vol['name'], dev=dev, format='raw', readonly=True))
            spec['disks'] = disks
            root = build_domain_xml(self.name, spec)
        # Keep only the recorded volumes that the definition still uses; others are forgotten (never deleted).
        used_sources = set((s.get('pool'), s.get('volume')) for s in root.findall('devices/disk/source'))
        volumes = [v for v in volumes if (v['pool'], v['name']) in used_sources]
        set_owner(root, owner_element(volumes, labels, seed[1] if seed else None))
        return root

    def _first_pool(self, disks):
        for disk in disks:
            if disk.get('pool'):
                return disk['pool']
        raise LibvirtModuleError('cloud_init.pool is required when no disk of %s names a pool.' % self.name)

    def _pool(self, name):
        try:
            return self.conn.storagePoolLookupByName(name)
        except Exception:
            raise LibvirtModuleError(
                'Storage pool %s does not exist; define it first (libvirt_pool or the ' 'vm_provision role).' % name
            )

    def _volume(self, vol):
        try:
            pool = self.conn.storagePoolLookupByName(vol['pool'])
        except Exception:
            return None  # a missing pool holds no volume; creating in it fails with a sentence
        try:
            return pool.storageVolLookupByName(vol['name'])
        except Exception:
            return None

    def _volume_exists(self, vol):
        return self._volume(vol) is not None

    # ------------------------------------------------------------------ volumes
    def _ensure_volumes(self, spec, seed, owned_volumes):
        """Create the overlays and the seed that do not exist; grow overlays to their capacity."""
        for disk in spec.get('disks') or []:
            create = disk.get('create')
            if not create:
                continue
            vol = dict(pool=disk['pool'], name=disk['volume'])
            existing = self._volume(vol)
            capacity = int(create['capacity_gb']) * 1024**3
            if existing is None:
                self._act('create volume %s/%s' % (vol['pool'], vol['name']))
                if not self.check_mode:
                    self._create_volume(vol, disk, capacity)
            else:
                current = existing.info()[1]
                if current < capacity and vol in owned_volumes:
                    self._act('grow volume %s/%s to %d GiB' % (vol['pool'], vol['name'], create['capacity_gb']))
                    if not self.check_mode:
                        existing.resize(capacity, 0)
        if seed is not None:
            files, digest = seed
            pool = self.params['cloud_init'].get('pool') or self._first_pool(spec.get('disks') or [])
            vol = dict(pool=pool, name=self._seed_volume_name())
            existing = self._volume(vol)
            if existing is None or digest != self._recorded_seed:
                self._act('%s cloud-init seed %s/%s' % ('write' if existing is None else 'rewrite', pool, vol['name']))
                if not self.check_mode:
                    self._write_seed(vol, files, existing)

    def _create_volume(self, vol, disk, capacity):
        create = disk['create']
        root = ET.Element('volume')
        ET.SubElement(root, 'name').text = vol['name']
        ET.SubElement(root, 'capacity', unit='bytes').text = str(capacity)
        target = ET.SubElement(root, 'target')
        ET.SubElement(target, 'format', type=disk.get('format') or 'qcow2')
        if create.get('backing_path'):
            backing = ET.SubElement(root, 'backingStore')
            ET.SubElement(backing, 'path').text = create['backing_path']
            ET.SubElement(backing, 'format', type=create.get('backing_format') or 'qcow2')
        try:
            self._pool(vol['pool']).createXML(ET.tostring(root, encoding='unicode'), 0)
        except Exception as exc:
            raise LibvirtModuleError(
                'Cannot create volume %s in pool %s: %s.' % (vol['name'], vol['pool'], error_text(exc))
            )
        self._created_volumes.append(vol)

    def _write_seed(self, vol, files, existing):
        if self.run_command is None:
            raise LibvirtModuleError('Building a cloud-init seed needs run_command.')
        tmp = tempfile.mkdtemp(prefix='hsw-seed-')
        try:
            for key, text in files.items():
                with open(os.path.join(tmp, key), 'w') as handle:
                    handle.write(text)
            iso = os.path.join(tmp, 'seed.iso')
            args = ['-output', iso, '-volid', 'cidata', '-joliet', '-rock'] + [
                os.path.join(tmp, key) for key in sorted(files)
            ]
            tool = None
            for candidate in (['genisoimage'], ['mkisofs'], ['xorriso', '-as', 'mkisofs']):
                if shutil.which(candidate[0]):
                    tool = candidate
                    break
            if tool is None:
                raise LibvirtModuleError(
                    'Building a cloud-init seed needs genisoimage or xorriso on the hypervisor '
                    '(apt-get install genisoimage).'
                )
            rc, _out, err = self.run_command(tool + args)
            if rc != 0:
                raise LibvirtModuleError('Building the cloud-init seed of %s failed: %s' % (self.name, err.strip()))
            with open(iso, 'rb') as handle:
                data = handle.read()
            if existing is not None:
                # A seed's size changes with its content: replace the volume (a running VM keeps its open copy).
                existing.delete(VOL_DELETE_NORMAL)
            root = ET.Element('volume')
            ET.SubElement(root, 'name').text = vol['name']
            ET.SubElement(root, 'capacity', unit='bytes').text = str(len(data))
            target = ET.SubElement(root, 'target')
            ET.SubElement(target, 'format', type='raw')
            existing = self._pool(vol['pool']).createXML(ET.tostring(root, encoding='unicode'), 0)
            if vol not in self._created_volumes and existing is not None and self._recorded_seed is None:
                self._created_volumes.append(vol)
            self._upload(existing, data)
        except LibvirtModuleError:
            raise
        except Exception as exc:
            raise LibvirtModuleError('Cannot write the cloud-init seed of %s: %s.' % (self.name, error_text(exc)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _is_local(self):
        try:
            uri = self.conn.getURI()
        except Exception:
            return False
        scheme, _sep, rest = uri.partition('://')
        return '+' not in scheme and rest.startswith('/')

    def _upload(self, volume, data):
        """Write ``data`` into ``volume``: directly into its file on a local hypervisor, else through libvirt."""
        try:
            path = volume.path()
        except Exception:
            path = None
        if self._is_local() and path and os.path.isfile(path):
            with open(path, 'r+b') as handle:
                handle.write(data)
                handle.truncate(len(data))
            return
        stream = self.conn.newStream(0)
        volume.upload(stream, 0, len(data), 0)
        offset = 0
        while offset < len(data):
            # virStreamSend may take less than it is given (at most 256 KiB a message): send the rest.
            sent = stream.send(data[offset : offset + 65536])
            if sent < 0:
                stream.abort()
                raise LibvirtModuleError('Uploading the cloud-init seed of %s failed.' % self.name)
            offset += sent
        stream.finish()

    def _delete_volume(self, vol):
        existing = self._volume(vol)
        if existing is not None:
            existing.delete(VOL_DELETE_NORMAL)

    # ------------------------------------------------------------------ converging
    def run(self):
        params = self.params
        state = params['state']
        dom = self.lookup()
        current_root = libvirt_xml.parse(dom.XMLDesc(XML_INACTIVE)) if dom is not None else None
        owned = read_owner(current_root)[0] if current_root is not None else False
        self._recorded_seed = None
        if current_root is not None:
            seed_elem = current_root.find('metadata/%s/{%s}seed' % (OWNER_TAG, OWNER_NS))
            self._recorded_seed = seed_elem.get('sha256') if seed_elem is not None else None
        self.result['owned'] = owned

        if state == 'absent':
            return self._absent(dom, current_root, owned)

        wanted = self.desired(current_root)
        if dom is None and wanted is None:
            raise LibvirtModuleError('Domain %s does not exist; give xml or spec to define it.' % self.name)
        if dom is not None and not owned and not params.get('adopt'):
            # An unmarked domain is only read: any change needs adopt.
            plan_changes = wanted is not None and not libvirt_xml.same(current_root, wanted)
            if plan_changes or self._state_change_needed(self.state_of(dom), state):
                raise LibvirtModuleError(
                    'Domain %s was not created by hyperscaler.workstation (it has no ownership mark); refusing to '
                    'change it. Set adopt: true to take it over, or choose another name.' % self.name
                )
            self.result['state'] = STATE_NAMES.get(self.state_of(dom))
            return self.result
        try:
            dom = self._converge_definition(dom, current_root, wanted)
            self._converge_state(dom, state)
            self._converge_autostart(dom)
        except Exception:
            self._rollback()
            raise
        if dom is not None and not self.check_mode:
            self.result['state'] = STATE_NAMES.get(self.state_of(dom))
            if _is_active(self.state_of(dom)) and wanted is not None:
                live = libvirt_xml.parse(dom.XMLDesc(0))
                self.result['restart_required'] = not libvirt_xml.same(live, self._live_view(wanted))
        elif self.check_mode:
            self.result['state'] = state if self.result['changed'] else STATE_NAMES.get(self.state_of(dom))
        return self.result

    @staticmethod
    def _live_view(wanted):
        """The wanted definition without what a live domain never shows the same way (metadata is live too)."""
        return wanted

    def _converge_definition(self, dom, current_root, wanted):
        if wanted is None:
            return dom
        spec = self.params.get('spec') or {}
        seed = self._seed_payload()
        owned_volumes = read_owner(wanted)[1]
        if spec:
            self._ensure_volumes(spec, seed, owned_volumes)
        if dom is not None:
            same, before, after = libvirt_xml.compare(current_root, wanted)
            # The seed's hash lives in the mark, so a new seed alone also redefines (and asks for a restart).
        else:
            same, before, after = False, '', libvirt_xml.to_string(wanted)
        if self.params.get('_diff'):
            self.diff['before'] += before + ('\n' if before else '')
            self.diff['after'] += after + '\n'
        if same:
            return dom
        self._act('define domain %s' % self.name if dom is None else 'redefine domain %s' % self.name)
        if self.check_mode:
            return dom
        if current_root is not None:
            uuid = current_root.findtext('uuid')
            if uuid and wanted.find('uuid') is None:
                ET.SubElement(wanted, 'uuid').text = uuid
        try:
            new = self.conn.defineXML(ET.tostring(wanted, encoding='unicode'))
        except Exception as exc:
            raise LibvirtModuleError('libvirt refused the definition of %s: %s.' % (self.name, error_text(exc)))
        if dom is None:
            self._defined_new = True
        return new

    @staticmethod
    def _state_change_needed(current, state):
        if state == 'present':
            return False
        if state == 'running':
            return current not in (RUNNING, BLOCKED)
        if state == 'paused':
            return current != PAUSED
        if state in ('shutdown', 'destroyed'):
            return _is_active(current) or current == CRASHED
        return False

    def _converge_state(self, dom, state):
        current = self.state_of(dom) if dom is not None else SHUTOFF
        if not self._state_change_needed(current, state):
            return
        if state == 'running':
            if current == PAUSED:
                self._act('resume %s' % self.name)
                if not self.check_mode:
                    dom.resume()
            elif current == PMSUSPENDED:
                self._act('wake up %s' % self.name)
                if not self.check_mode:
                    dom.pMWakeup(0)
            else:
                self._act('start %s' % self.name)
                if not self.check_mode:
                    self._start(dom)
        elif state == 'paused':
            if not _is_active(current):
                self._act('start %s paused' % self.name)
                if not self.check_mode:
                    dom.createWithFlags(1)  # VIR_DOMAIN_START_PAUSED
            else:
                self._act('pause %s' % self.name)
                if not self.check_mode:
                    dom.suspend()
        elif state == 'destroyed':
            self._act('force off %s' % self.name)
            if not self.check_mode:
                dom.destroy()
        elif state == 'shutdown':
            self._act('shut down %s' % self.name)
            if not self.check_mode:
                self._shutdown(dom)

    def _start(self, dom):
        try:
            dom.create()
        except Exception as exc:
            raise LibvirtModuleError('Domain %s did not start: %s.' % (self.name, error_text(exc)))

    def _shutdown(self, dom):
        timeout = int(self.params.get('shutdown_timeout') or 0)
        if self.state_of(dom) == PAUSED:
            dom.resume()
        deadline = self.clock() + timeout
        flags = SHUTDOWN_ACPI | (SHUTDOWN_AGENT if self.params.get('guest_agent_shutdown', True) else 0)
        asked = 0.0
        while True:
            state = self.state_of(dom)
            if not _is_active(state) and state != CRASHED:
                return
            if state == CRASHED:
                dom.destroy()
                return
            now = self.clock()
            if now >= deadline:
                break
            if now - asked >= 10:
                try:
                    dom.shutdownFlags(flags)
                except Exception:
                    try:
                        dom.shutdown()
                    except Exception:
                        pass
                asked = now
            self.sleep(1)
        if self.params.get('force'):
            self._act('force off %s after %d s' % (self.name, timeout))
            dom.destroy()
            return
        raise LibvirtModuleError(
            'Domain %s did not shut down within %d s. Raise shutdown_timeout, check that the guest handles ACPI or '
            'runs qemu-guest-agent, or set force: true to power it off.' % (self.name, timeout)
        )

    def _converge_autostart(self, dom):
        autostart = self.params.get('autostart')
        if autostart is None:
            return
        current = bool(dom.autostart()) if dom is not None else False
        if current != bool(autostart):
            self._act('%s autostart of %s' % ('enable' if autostart else 'disable', self.name))
            if not self.check_mode:
                dom.setAutostart(1 if autostart else 0)

    def _absent(self, dom, current_root, owned):
        if dom is None:
            self.result['state'] = 'absent'
            return self.result
        if not owned and not self.params.get('adopt'):
            raise LibvirtModuleError(
                'Domain %s was not created by hyperscaler.workstation (it has no ownership mark); refusing to '
                'remove it. Set adopt: true to remove it anyway (its volumes are kept).' % self.name
            )
        volumes = read_owner(current_root)[1] if owned else []
        if self.params.get('_diff'):
            self.diff['before'] = libvirt_xml.to_string(current_root) + '\n'
        if _is_active(self.state_of(dom)) or self.state_of(dom) == CRASHED:
            self._act('force off %s' % self.name)
            if not self.check_mode:
                dom.destroy()
        self._act('undefine %s' % self.name)
        if not self.check_mode:
            try:
                dom.undefineFlags(UNDEFINE_FLAGS)
            except Exception:
                dom.undefine()
        removed = []
        if self.params.get('remove_volumes', True):
            for vol in volumes:
                if self.check_mode:
                    if self._volume_exists(vol):
                        removed.append(vol)
                    continue
                if self._volume_exists(vol):
                    self._delete_volume(vol)
                    removed.append(vol)
        for vol in removed:
            self._act('delete volume %s/%s' % (vol['pool'], vol['name']))
        self.result['removed_volumes'] = removed
        self.result['state'] = 'absent'
        return self.result

    def _rollback(self):
        """Undo what this run created: the new domain and the volumes made for it."""
        if self.check_mode:
            return
        if self._defined_new:
            dom = self.lookup()
            if dom is not None:
                try:
                    if _is_active(self.state_of(dom)):
                        dom.destroy()
                    dom.undefine()
                except Exception:
                    pass
        for vol in reversed(self._created_volumes):
            try:
                self._delete_volume(vol)
            except Exception:
                pass
