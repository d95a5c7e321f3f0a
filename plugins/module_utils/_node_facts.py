# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The few facts the collection's node roles read, from files, in one remote call (module node_facts).

``setup`` and ``package_facts`` cost two module runs per host; on an emulated guest they are 10-13 s and
8-20 s, nearly all of it Python importing its fact collectors and python-apt. The roles read only the release,
the host name, the architecture, the CPU topology and memory (a compute node's Node line), the service
manager, the default IPv4 route and the installed packages: here they come from ``/etc/os-release``,
``/proc/cpuinfo``, ``/proc/meminfo``, ``/proc/net/route`` and dpkg's status file, under the names ``setup`` and
``package_facts`` give them. Each reader takes the root directory so tests point it at a tree of their own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import platform
import socket
import struct


def _read(root, path):
    try:
        with open(os.path.join(root, path.lstrip('/')), 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return None


def os_release(text):
    """/etc/os-release as a dict (shell-style KEY=value lines, quotes removed)."""
    out = {}
    for line in (text or '').splitlines():
        key, sep, value = line.strip().partition('=')
        if sep and key and not key.startswith('#'):
            out[key] = value.strip().strip('"\'')
    return out


def distribution(release):
    """setup's distribution facts from an os-release dict (Debian testing/sid have no VERSION_ID)."""
    version = release.get('VERSION_ID', '')
    return {
        'distribution': release.get('NAME', 'Linux').split()[0] if release.get('NAME') else 'Linux',
        'distribution_release': release.get('VERSION_CODENAME', ''),
        'distribution_version': version,
        'distribution_major_version': version.split('.')[0] if version else '',
        'os_family': 'Debian' if 'debian' in (release.get('ID', '') + ' ' + release.get('ID_LIKE', '')) else '',
    }


def dpkg_packages(text):
    """dpkg's status file as package_facts' ``packages``: name -> [{name, version, arch, source}], installed only."""
    packages = {}
    for stanza in (text or '').split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (' ', '\t'):
                continue
            key, sep, value = line.partition(':')
            if sep:
                fields[key] = value.strip()
        if fields.get('Package') and fields.get('Status', '').endswith(' installed'):
            entry = {
                'name': fields['Package'],
                'version': fields.get('Version', ''),
                'arch': fields.get('Architecture', ''),
                'source': 'apt',
            }
            packages.setdefault(entry['name'], []).append(entry)
    return packages


def default_route(text):
    """(interface, gateway) of the IPv4 default route in /proc/net/route, or None."""
    for line in (text or '').splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 3 and cols[1] == '00000000':
            gateway = socket.inet_ntoa(struct.pack('<L', int(cols[2], 16)))
            return cols[0], gateway
    return None


def interface_address(interface):
    """The IPv4 address of ``interface`` (SIOCGIFADDR), or None."""
    import fcntl  # pylint: disable=import-outside-toplevel

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack('256s', interface[:15].encode()))
        return socket.inet_ntoa(packed[20:24])
    except (IOError, OSError):
        return None
    finally:
        sock.close()


def cpu_topology(text):
    """processor_count, processor_cores, processor_threads_per_core and processor_vcpus from /proc/cpuinfo, as
    setup counts them on x86 (sockets by physical id, cores per socket, siblings per core)."""
    sockets, cores = {}, {}
    physid = coreid = 0
    processors = vendors = 0
    for line in (text or '').splitlines():
        key, _sep, value = (part.strip() for part in line.partition(':'))
        if key == 'processor':
            processors += 1
        elif key == 'vendor_id':
            vendors += 1
        elif key == 'physical id':
            physid = value
            sockets.setdefault(physid, 1)
        elif key == 'core id':
            coreid = value
            cores.setdefault(coreid, 1)
        elif key == 'cpu cores':
            sockets[physid] = int(value)
        elif key == 'siblings':
            cores[coreid] = int(value)
    count = len(sockets) or vendors or processors
    per_socket = next(iter(sockets.values()), 0) or 1
    siblings = next(iter(cores.values()), 1)
    threads = int(round(float(siblings) / per_socket))
    return {
        'processor_count': count,
        'processor_cores': per_socket,
        'processor_threads_per_core': threads,
        'processor_vcpus': threads * count * per_socket,
    }


def memtotal_mb(text):
    """MemTotal of /proc/meminfo in MiB (as setup's memtotal_mb), or None."""
    for line in (text or '').splitlines():
        if line.startswith('MemTotal:'):
            return int(line.split()[1]) // 1024
    return None


def service_manager(root):
    """'systemd' when systemd is PID 1 (as setup decides it), else the name of PID 1."""
    if os.path.isdir(os.path.join(root, 'run/systemd/system')):
        return 'systemd'
    comm = _read(root, '/proc/1/comm')
    return comm.strip() if comm else 'unknown'


def node_facts(root='/', packages=True, address=interface_address):
    """The facts, keyed as ansible_facts."""
    facts = distribution(os_release(_read(root, '/etc/os-release') or _read(root, '/usr/lib/os-release')))
    name = socket.gethostname() if root == '/' else (_read(root, '/etc/hostname') or '').strip()
    facts.update(
        hostname=name.split('.')[0],
        nodename=name,
        architecture=platform.machine(),
        service_mgr=service_manager(root),
    )
    facts.update(cpu_topology(_read(root, '/proc/cpuinfo')))
    memory = memtotal_mb(_read(root, '/proc/meminfo'))
    if memory is not None:
        facts['memtotal_mb'] = memory
    route = default_route(_read(root, '/proc/net/route'))
    if route:
        facts['default_ipv4'] = {'interface': route[0], 'gateway': route[1], 'address': address(route[0])}
    if packages:
        facts['packages'] = dpkg_packages(_read(root, '/var/lib/dpkg/status'))
    return facts
