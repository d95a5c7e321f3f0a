#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cluster_config_info
short_description: Read and validate a cluster.yaml
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Reads a C(cluster.yaml), checks it against C(schemas/cluster.schema.json) and the semantic rules (addresses
    inside their subnets and unique, subnets that do not overlap, bridge names, GPUs given to one VM, MIG layouts
    that fit their GPU, ...) and returns the normalised configuration with every VM expanded.
  - "On an invalid file it fails with every problem, one per line, each starting with its path in the document,
    for example V(clusters.hpc.compute_nodes[1].ip: 192.168.200.12 is outside subnet 192.168.100.0/24)."
  - The same rules back the P(hyperscaler.workstation.cluster#inventory) inventory plugin.
options:
  path:
    description: Path of the cluster.yaml on the managed host (normally the controller, C(localhost)).
    type: path
    required: true
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
requirements:
  - jsonschema >= 4.0
notes:
  - Supports check mode; it never changes anything.
'''

EXAMPLES = r'''
- name: Validate the cluster definition
  hyperscaler.workstation.cluster_config_info:
    path: config/cluster.yaml
  register: cluster

- name: Show the VMs it describes
  ansible.builtin.debug:
    msg: "{{ cluster.nodes | map(attribute='name') | list }}"
'''

RETURN = r'''
config:
  description: The global settings (defaults applied), metadata and per-cluster settings.
  returned: success
  type: dict
  sample: {"version": "1.0", "global": {"hypervisor": {"uri": "qemu:///system"}}, "clusters": {"hpc": {}}}
nodes:
  description: Every VM, in document order, with its derived name, role, group, MAC and image type.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "hpc-controller", "cluster": "hpc", "role": "controller", "ip": "192.168.150.10"}]
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_spec import (
    HAS_JSONSCHEMA,
    ConfigError,
    load_cluster,
)


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)), supports_check_mode=True)
    if not HAS_JSONSCHEMA:
        module.fail_json(msg=missing_required_lib('jsonschema'))
    try:
        model = load_cluster(module.params['path'])
    except ConfigError as exc:
        count = len(exc.errors)
        module.fail_json(
            msg='%s is invalid (%d problem%s):\n%s'
            % (module.params['path'], count, '' if count == 1 else 's', '\n'.join(exc.errors))
        )
    nodes = model.pop('nodes')
    module.exit_json(changed=False, config=model, nodes=nodes)


if __name__ == '__main__':
    main()
