# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The cloud-init NoCloud seed of one ``libvirt_domain``: an ISO 9660 volume labelled ``cidata`` named
``NAME-seed.iso``, attached read-only as the last virtio disk. Its SHA-256 lives in the ownership mark, so a new
seed also changes the definition (and asks for a restart)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shutil
import tempfile

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    error_text,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_volumes import (
    VOL_DELETE_NORMAL,
    volume_xml,
)

_ISO_TOOLS = (['genisoimage'], ['mkisofs'], ['xorriso', '-as', 'mkisofs'])


def seed_files(name, cloud_init):
    """The NoCloud files for the ``cloud_init`` option and their digest, or None without one."""
    if not cloud_init:
        return None
    files = {
        'user-data': cloud_init.get('user_data') or '#cloud-config\n{}\n',
        'meta-data': cloud_init.get('meta_data') or 'instance-id: %s\nlocal-hostname: %s\n' % (name, name),
    }
    if cloud_init.get('network_config'):
        files['network-config'] = cloud_init['network_config']
    digest = hashlib.sha256()
    for key in sorted(files):
        digest.update(key.encode() + b'\0' + files[key].encode('utf-8') + b'\0')
    return files, digest.hexdigest()


class CloudInitSeed(object):
    """The seed of domain ``name``; ``volumes`` is the domain's :class:`Volumes`, ``run_command`` builds the ISO."""

    def __init__(self, name, cloud_init, volumes, run_command=None):
        self.name = name
        self.cloud_init = cloud_init or {}
        self.volumes = volumes
        self.run_command = run_command
        payload = seed_files(name, cloud_init)
        self.files, self.digest = payload if payload else (None, None)

    def volume(self, disks):
        """The seed volume: in ``cloud_init.pool``, or the pool of the first pool-backed disk."""
        pool = self.cloud_init.get('pool') or next((d['pool'] for d in disks if d.get('pool')), None)
        if pool is None:
            raise LibvirtModuleError('cloud_init.pool is required when no disk of %s names a pool.' % self.name)
        return dict(pool=pool, name='%s-seed.iso' % self.name)

    def disk(self, disks):
        """The spec disk that attaches the seed after ``disks`` (on the last free vdX name)."""
        vol = self.volume(disks)
        used = set(d.get('dev') for d in disks)
        dev = next('vd%s' % c for c in 'zyxwvutsrqponmlkjihgfedcb' if 'vd%s' % c not in used)
        return dict(pool=vol['pool'], volume=vol['name'], dev=dev, format='raw', readonly=True)

    def ensure(self, disks, recorded_digest):
        """Write the seed when it is missing or differs from the one recorded in the mark."""
        if self.files is None:
            return
        vol = self.volume(disks)
        existing = self.volumes.find(vol)
        if existing is None or self.digest != recorded_digest:
            self.volumes.plan.act(
                '%s cloud-init seed %s/%s' % ('write' if existing is None else 'rewrite', vol['pool'], vol['name']),
                self._write,
                vol,
                existing,
                recorded_digest is None,
            )

    def _write(self, vol, existing, first):
        try:
            data = self._iso()
            if existing is not None:
                # A seed's size changes with its content: replace the volume (a running VM keeps its open copy).
                existing.delete(VOL_DELETE_NORMAL)
            created = self.volumes.create(vol, volume_xml(vol['name'], len(data), 'raw'))
            if first and vol not in self.volumes.created:
                self.volumes.created.append(vol)
            self._upload(created, data)
        except LibvirtModuleError:
            raise
        except Exception as exc:
            raise LibvirtModuleError('Cannot write the cloud-init seed of %s: %s.' % (self.name, error_text(exc)))

    def _iso(self):
        """The ISO image of the seed files, built with genisoimage, mkisofs or xorriso."""
        if self.run_command is None:
            raise LibvirtModuleError('Building a cloud-init seed needs run_command.')
        tool = next((t for t in _ISO_TOOLS if shutil.which(t[0])), None)
        if tool is None:
            raise LibvirtModuleError(
                'Building a cloud-init seed needs genisoimage or xorriso on the hypervisor (apt-get install genisoimage).'
            )
        tmp = tempfile.mkdtemp(prefix='hsw-seed-')
        try:
            for key, text in self.files.items():
                with open(os.path.join(tmp, key), 'w') as handle:
                    handle.write(text)
            iso = os.path.join(tmp, 'seed.iso')
            args = ['-output', iso, '-volid', 'cidata', '-joliet', '-rock']
            rc, _out, err = self.run_command(tool + args + [os.path.join(tmp, key) for key in sorted(self.files)])
            if rc != 0:
                raise LibvirtModuleError('Building the cloud-init seed of %s failed: %s' % (self.name, err.strip()))
            with open(iso, 'rb') as handle:
                return handle.read()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _is_local(self):
        try:
            uri = self.volumes.conn.getURI()
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
        stream = self.volumes.conn.newStream(0)
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
