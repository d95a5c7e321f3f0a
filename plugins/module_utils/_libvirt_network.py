# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The work of the ``libvirt_network`` module: a NAT network with static DHCP hosts and DNS names.

Unlike community.libvirt's virt_net, an existing network is updated: DHCP host and DNS host entries change live
(``virNetworkUpdate``, no restart, guests keep their links); any other change redefines the network and, when it
is active, reports ``restart_required`` (or restarts it when asked).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    MANAGED_BY,
    NETWORK_MARK_NAME,
    Plan,
    error_text,
    lookup,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml

XML_INACTIVE = 1  # VIR_NETWORK_XML_INACTIVE
UPDATE_MODIFY, UPDATE_DELETE, UPDATE_ADD_LAST = 1, 2, 3
SECTION_DHCP_HOST, SECTION_DNS_HOST = 4, 10
AFFECT_LIVE, AFFECT_CONFIG = 1, 2


def build_network_xml(name, spec):
    """The <network> element for the structured spec of libvirt_network."""
    try:
        iface = ipaddress.ip_interface('%s/%s' % (spec['address'], spec.get('prefix') or 24))
    except (KeyError, ValueError) as exc:
        raise LibvirtModuleError('Network %s needs a valid address and prefix: %s.' % (name, exc))
    root = ET.Element('network')
    ET.SubElement(root, 'name').text = name
    forward = spec.get('forward') or 'nat'
    if forward != 'isolated':
        ET.SubElement(root, 'forward', mode=forward)
    if spec.get('bridge'):
        if len(spec['bridge']) > 15:
            raise LibvirtModuleError('Bridge name %s is longer than 15 characters.' % spec['bridge'])
        ET.SubElement(root, 'bridge', name=spec['bridge'], stp='on', delay='0')
    if spec.get('mtu'):
        ET.SubElement(root, 'mtu', size=str(spec['mtu']))
    if spec.get('domain'):
        ET.SubElement(root, 'domain', name=spec['domain'], localOnly='yes')
    dns = ET.SubElement(root, 'dns')
    ET.SubElement(dns, 'txt', name=NETWORK_MARK_NAME, value=MANAGED_BY)
    for host in spec.get('dns_hosts') or []:
        elem = ET.SubElement(dns, 'host', ip=host['ip'])
        for hostname in host['hostnames']:
            ET.SubElement(elem, 'hostname').text = hostname
    ip = ET.SubElement(root, 'ip', address=str(iface.ip), prefix=str(iface.network.prefixlen))
    dhcp_spec = spec.get('dhcp') or {}
    hosts = spec.get('hosts') or []
    if dhcp_spec.get('enabled', True) and (dhcp_spec.get('start') or hosts):
        dhcp = ET.SubElement(ip, 'dhcp')
        if dhcp_spec.get('start') and dhcp_spec.get('end'):
            ET.SubElement(dhcp, 'range', start=dhcp_spec['start'], end=dhcp_spec['end'])
        seen = set()
        for host in hosts:
            address = ipaddress.ip_address(host['ip'])
            if address not in iface.network:
                raise LibvirtModuleError(
                    'DHCP host %s (%s) is outside network %s.'
                    % (host.get('name') or host['mac'], host['ip'], iface.network)
                )
            if host['mac'].lower() in seen:
                raise LibvirtModuleError('MAC %s is given to two DHCP hosts of network %s.' % (host['mac'], name))
            seen.add(host['mac'].lower())
            attrs = dict(mac=host['mac'].lower(), ip=host['ip'])
            if host.get('name'):
                attrs['name'] = host['name']
            ET.SubElement(dhcp, 'host', attrs)
    return root


def is_marked(root):
    for txt in root.findall('dns/txt'):
        if txt.get('name') == NETWORK_MARK_NAME and txt.get('value') == MANAGED_BY:
            return True
    return False


def _hosts(root, path):
    return dict((libvirt_xml.identity(h, path.split('/')[-1]), h) for h in root.findall(path + '/host'))


def _strip_hosts(root):
    root = ET.fromstring(ET.tostring(root))
    for path in ('ip/dhcp', 'dns'):
        for parent in root.findall(path):
            for host in parent.findall('host'):
                parent.remove(host)
    return root


class NetworkManager(object):
    """Converge one libvirt network. params: name, state, xml, spec, autostart, adopt, restart."""

    def __init__(self, conn, params, check_mode=False):
        self.conn = conn
        self.params = params
        self.check_mode = check_mode
        self.name = params['name']
        self.plan = Plan(self.name, check_mode)
        self.result, self.diff, self.actions = self.plan.result, self.plan.diff, self.plan.actions
        self._act = self.plan.act

    def lookup(self):
        return lookup(self.conn.networkLookupByName, self.name, 'VIR_ERR_NO_NETWORK', 'network')

    @staticmethod
    def _xml(net):
        """The persistent definition (drivers without VIR_NETWORK_XML_INACTIVE give the only one they have)."""
        try:
            return net.XMLDesc(XML_INACTIVE)
        except Exception:
            return net.XMLDesc(0)

    def wanted(self):
        if self.params.get('xml'):
            root = libvirt_xml.parse(self.params['xml'])
            if root.tag != 'network':
                raise LibvirtModuleError('The xml option must hold a <network> definition.')
            if root.findtext('name') not in (None, self.name):
                raise LibvirtModuleError(
                    'The xml names network %s but the name option is %s.' % (root.findtext('name'), self.name)
                )
            dns = root.find('dns')
            if dns is None:
                dns = ET.SubElement(root, 'dns')
            if not is_marked(root):
                ET.SubElement(dns, 'txt', name=NETWORK_MARK_NAME, value=MANAGED_BY)
            return root
        if self.params.get('spec'):
            return build_network_xml(self.name, self.params['spec'])
        return None

    def run(self):
        state = self.params['state']
        net = self.lookup()
        current = libvirt_xml.parse(self._xml(net)) if net is not None else None
        owned = current is not None and is_marked(current)
        self.result['owned'] = owned
        if net is not None and not owned and not self.params.get('adopt'):
            wanted = self.wanted()
            if (
                state == 'absent'
                or (wanted is not None and not libvirt_xml.same(current, wanted))
                or (state == 'active' and not net.isActive())
                or (state == 'inactive' and net.isActive())
            ):
                raise LibvirtModuleError(
                    'Network %s was not created by hyperscaler.workstation (no ownership mark); refusing to change '
                    'it. Set adopt: true to take it over, or choose another name.' % self.name
                )
            self.result['active'] = bool(net.isActive())
            return self.result
        if state == 'absent':
            return self._absent(net, current)
        wanted = self.wanted()
        if net is None and wanted is None:
            raise LibvirtModuleError('Network %s does not exist; give xml or spec to define it.' % self.name)
        created = False
        if wanted is not None:
            if net is None:
                self.diff['after'] = libvirt_xml.to_string(wanted) + '\n'
                self._act('define network %s' % self.name)
                if not self.check_mode:
                    net = self._define(wanted)
                    created = True
            else:
                net = self._update(net, current, wanted, state)
        try:
            self._state(net, state)
            self.plan.set_autostart(net, self.params.get('autostart'), 'network %s' % self.name)
        except Exception:
            if created and not self.check_mode:
                try:
                    net.undefine()
                except Exception:
                    pass
            raise
        if net is not None and not self.check_mode:
            self.result['active'] = bool(net.isActive())
            self.result['bridge'] = net.bridgeName() if net.isActive() else None
        return self.result

    def _define(self, root):
        try:
            return self.conn.networkDefineXML(ET.tostring(root, encoding='unicode'))
        except Exception as exc:
            raise LibvirtModuleError('libvirt refused the definition of network %s: %s.' % (self.name, error_text(exc)))

    def _update(self, net, current, wanted, state):
        same, before, after = libvirt_xml.compare(current, wanted)
        self.diff['before'], self.diff['after'] = before + '\n', after + '\n'
        if same:
            return net
        active = bool(net.isActive())
        if libvirt_xml.same(_strip_hosts(current), _strip_hosts(wanted)):
            # Only DHCP hosts and DNS names differ: update in place, live too.
            flags = AFFECT_CONFIG | (AFFECT_LIVE if active else 0)
            for path, section, label in (
                ('ip/dhcp', SECTION_DHCP_HOST, 'DHCP host'),
                ('dns', SECTION_DNS_HOST, 'DNS host'),
            ):
                have, want = _hosts(current, path), _hosts(wanted, path)
                for key in [k for k in have if k not in want or not libvirt_xml.same(have[k], want[k])]:
                    self._act('remove %s %s' % (label, ' '.join(str(k) for k in key[1:])))
                    if not self.check_mode:
                        self._net_update(net, UPDATE_DELETE, section, have[key], flags)
                for key in [k for k in want if k not in have or not libvirt_xml.same(have[k], want[k])]:
                    self._act('add %s %s' % (label, ' '.join(str(k) for k in key[1:])))
                    if not self.check_mode:
                        self._net_update(net, UPDATE_ADD_LAST, section, want[key], flags)
            return net
        self._act('redefine network %s' % self.name)
        if self.check_mode:
            self.result['restart_required'] = active
            return net
        uuid = current.findtext('uuid')
        if uuid and wanted.find('uuid') is None:
            ET.SubElement(wanted, 'uuid').text = uuid
        net = self._define(wanted)
        if active:
            if self.params.get('restart'):
                self._act('restart network %s' % self.name)
                net.destroy()
                net.create()
            else:
                self.result['restart_required'] = True
        return net

    def _net_update(self, net, command, section, elem, flags):
        xml = ET.tostring(elem, encoding='unicode')
        try:
            net.update(command, section, -1, xml, flags)
        except Exception as exc:
            raise LibvirtModuleError('Cannot update network %s with %s: %s.' % (self.name, xml, error_text(exc)))

    def _state(self, net, state):
        active = bool(net.isActive()) if net is not None else False
        if state == 'active' and not active:
            self._act('start network %s' % self.name)
            if not self.check_mode:
                try:
                    net.create()
                except Exception as exc:
                    raise LibvirtModuleError(
                        'Network %s did not start: %s. Is the bridge name or the subnet already in use on this '
                        'host (ip -br addr)?' % (self.name, error_text(exc))
                    )
        elif state == 'inactive' and active:
            self._act('stop network %s' % self.name)
            if not self.check_mode:
                net.destroy()

    def _absent(self, net, current):
        if net is None:
            return self.result
        self.diff['before'] = libvirt_xml.to_string(current) + '\n'
        if net.isActive():
            self._act('stop network %s' % self.name)
            if not self.check_mode:
                net.destroy()
        self._act('undefine network %s' % self.name)
        if not self.check_mode:
            net.undefine()
        return self.result


def converge_network(conn, params, check_mode=False, diff=False):
    """The result of the libvirt_network module (with ``diff`` in diff mode)."""
    manager = NetworkManager(conn, params, check_mode=check_mode)
    result = manager.run()
    if diff:
        result['diff'] = manager.diff
    return result
