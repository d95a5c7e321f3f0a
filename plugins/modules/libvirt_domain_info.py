#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: libvirt_domain_info
short_description: List libvirt domains with their ownership mark, labels, resources and devices
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Lists domains and, for each, its state, vCPUs, memory, interfaces, disks, host devices, whether it carries
    the ownership mark of P(hyperscaler.workstation.libvirt_domain#module) and the labels in that mark.
  - Only reads.
extends_documentation_fragment:
  - hyperscaler.workstation.libvirt
options:
  names:
    description: Only these domains (default all).
    type: list
    elements: str
  owned_only:
    description: Only domains with the collection's ownership mark.
    type: bool
    default: false
  labels:
    description: Only domains whose mark has all these labels (for example C(cluster=hpc)).
    type: dict
attributes:
  check_mode:
    support: full
    description: Only reads.
'''

EXAMPLES = r'''
- name: The HPC cluster's VMs
  hyperscaler.workstation.libvirt_domain_info:
    owned_only: true
    labels:
      cluster: hpc
  register: hpc_vms
'''

RETURN = r'''
domains:
  description: The matching domains, sorted by name.
  returned: always
  type: list
  elements: dict
  sample:
    - name: hpc-controller
      state: running
      active: true
      domain_type: qemu
      vcpus: 1
      memory_mb: 1536
      owned: true
      labels: {cluster: hpc}
      interfaces: [{mac: "52:54:00:a8:96:0a", network: hyperscaler-hpc, bridge: null}]
      hostdevs: []
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    HAS_LIBVIRT,
    LIBVIRT_IMPORT_ERROR,
    LibvirtModuleError,
    connect,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_info import list_domains


def main():
    module = AnsibleModule(
        argument_spec=dict(
            uri=dict(type='str', default='qemu:///system'),
            names=dict(type='list', elements='str'),
            owned_only=dict(type='bool', default=False),
            labels=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    if not HAS_LIBVIRT:
        module.fail_json(msg=missing_required_lib('libvirt-python'), exception=LIBVIRT_IMPORT_ERROR)
    try:
        conn = connect(module.params['uri'])
        domains = list_domains(conn, module.params['names'], module.params['owned_only'], module.params['labels'])
    except LibvirtModuleError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, domains=domains)


if __name__ == '__main__':
    main()
