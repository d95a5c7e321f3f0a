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
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import LIBVIRT_URI, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import run_module
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_info import list_domains


def main():
    module = AnsibleModule(
        argument_spec=with_common(
            dict(
                names=dict(type='list', elements='str'),
                owned_only=dict(type='bool', default=False),
                labels=dict(type='dict'),
            ),
            LIBVIRT_URI,
        ),
        supports_check_mode=True,
    )
    params = module.params
    run_module(
        module,
        lambda conn: dict(
            changed=False, domains=list_domains(conn, params['names'], params['owned_only'], params['labels'])
        ),
    )


if __name__ == '__main__':
    main()
