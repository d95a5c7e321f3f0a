#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: libvirt_network
short_description: Manage a libvirt network with static DHCP hosts and DNS names, updating it in place
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Defines, starts, updates and removes one libvirt network, from a full XML definition or a structured O(spec)
    (NAT on a named bridge, static DHCP host entries MAC to IP and name, DNS host names).
  - Idempotent by semantic comparison of libvirt's normalised XML.
  - An existing network is updated. DHCP host and DNS host entries change in place, live and in the persistent
    definition, without restarting the network (running guests keep their links). Any other change redefines
    the network; when it is active the module reports RV(restart_required), or restarts it with O(restart=true).
  - Networks it defines carry an ownership mark (a DNS TXT record C(hyperscaler-workstation-managed), since
    libvirt before 9.7 keeps no metadata on networks). It refuses to change or remove a network without the mark
    unless O(adopt=true).
extends_documentation_fragment:
  - hyperscaler.workstation.libvirt
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.converge
options:
  name:
    description: Name of the network.
    type: str
    required: true
  state:
    description:
      - V(present) defines it, V(active) defines and starts it, V(inactive) stops it, V(absent) stops and
        removes it.
    type: str
    choices: [present, active, inactive, absent]
    default: active
  xml:
    description: A full network definition. Mutually exclusive with O(spec).
    type: str
  spec:
    description: A structured definition. Mutually exclusive with O(xml).
    type: dict
    suboptions:
      bridge:
        description: Host bridge name (at most 15 characters).
        type: str
      forward:
        description: V(nat), V(route), V(open) or V(isolated) (no forwarding).
        type: str
        choices: [nat, route, open, isolated]
        default: nat
      address:
        description: The host's (gateway) address on the network.
        type: str
        required: true
      prefix:
        description: Prefix length of the subnet.
        type: int
        default: 24
      domain:
        description: DNS domain served by the network's dnsmasq (names resolve as C(NAME.DOMAIN)).
        type: str
      mtu:
        description: MTU of the bridge.
        type: int
      dhcp:
        description: The dynamic DHCP range (static hosts work without one).
        type: dict
        suboptions:
          enabled:
            description: Serve DHCP.
            type: bool
            default: true
          start:
            description:
              - First address of the dynamic range.
              - Without O(spec.dhcp.end) no dynamic range is served.
            type: str
          end:
            description: Last address of the dynamic range.
            type: str
      hosts:
        description: Static DHCP host entries.
        type: list
        elements: dict
        suboptions:
          mac:
            description: MAC address of the guest interface.
            type: str
            required: true
          ip:
            description: Address given to it.
            type: str
            required: true
          name:
            description: Host name (also resolvable through the network's DNS).
            type: str
      dns_hosts:
        description: Extra DNS host records.
        type: list
        elements: dict
        suboptions:
          ip:
            description: Address.
            type: str
            required: true
          hostnames:
            description: Names for it.
            type: list
            elements: str
            required: true
  autostart:
    description: Start the network when libvirtd starts. Left alone when omitted.
    type: bool
  adopt:
    description: Allow changing or removing a network without the ownership mark.
    type: bool
    default: false
  restart:
    description: Restart an active network whose definition changed beyond DHCP and DNS hosts.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: The HPC cluster's NAT network with fixed addresses
  hyperscaler.workstation.libvirt_network:
    name: hyperscaler-hpc
    autostart: true
    spec:
      bridge: hsw-hpc0
      address: 192.168.150.1
      prefix: 24
      domain: hpc.local
      hosts:
        - {mac: "52:54:00:a8:96:0a", ip: 192.168.150.10, name: hpc-controller}
        - {mac: "52:54:00:a8:96:0b", ip: 192.168.150.11, name: hpc-compute-01}

- name: Remove it
  hyperscaler.workstation.libvirt_network:
    name: hyperscaler-hpc
    state: absent
'''

RETURN = r'''
name:
  description: The network name.
  returned: always
  type: str
owned:
  description: Whether the network carried the ownership mark before the task.
  returned: always
  type: bool
active:
  description: Whether the network is active after the task.
  returned: when the network exists and not in check mode
  type: bool
bridge:
  description: The host bridge of the active network.
  returned: when the network is active and not in check mode
  type: str
  sample: hsw-hpc0
restart_required:
  description: The active network runs with a definition that differs from the wanted one.
  returned: always
  type: bool
actions:
  description: What the task did (or would do in check mode).
  returned: always
  type: list
  elements: str
  sample: ["add DHCP host 52:54:00:a8:96:0c 192.168.150.12"]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import LIBVIRT_URI, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    option_dict,
    option_list,
    run_module,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_network import converge_network


def argument_spec():
    spec = option_dict(
        bridge=dict(type='str'),
        forward=dict(type='str', default='nat', choices=['nat', 'route', 'open', 'isolated']),
        address=dict(type='str', required=True),
        prefix=dict(type='int', default=24),
        domain=dict(type='str'),
        mtu=dict(type='int'),
        dhcp=option_dict(enabled=dict(type='bool', default=True), start=dict(type='str'), end=dict(type='str')),
        hosts=option_list(
            mac=dict(type='str', required=True), ip=dict(type='str', required=True), name=dict(type='str')
        ),
        dns_hosts=option_list(
            ip=dict(type='str', required=True), hostnames=dict(type='list', elements='str', required=True)
        ),
    )
    return with_common(
        dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='active', choices=['present', 'active', 'inactive', 'absent']),
            xml=dict(type='str'),
            spec=spec,
            autostart=dict(type='bool'),
            adopt=dict(type='bool', default=False),
            restart=dict(type='bool', default=False),
        ),
        LIBVIRT_URI,
    )


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(), mutually_exclusive=[('xml', 'spec')], supports_check_mode=True
    )
    run_module(module, lambda conn: converge_network(conn, module.params, module.check_mode, module._diff))


if __name__ == '__main__':
    main()
