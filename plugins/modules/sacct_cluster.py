#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sacct_cluster
short_description: Register a cluster in SLURM accounting (slurmdbd)
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Adds the cluster to slurmdbd with C(sacctmgr -i add cluster) when C(sacctmgr -nP show cluster) does not
    list it, or deletes it with I(state=absent).
  - Runs on the host with C(sacctmgr) and a C(slurm.conf) that points at slurmdbd (the SLURM controller).
  - In check mode on a host where slurmdbd cannot be reached yet (a first run), it predicts that the cluster
    will be added and warns instead of failing.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
options:
  name:
    description: Cluster name (C(ClusterName) of slurm.conf). SLURM stores it in lower case.
    type: str
    required: true
  state:
    description: Whether the cluster is registered.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    details: Reads with sacctmgr and returns the commands it would run.
  diff_mode:
    support: full
    details: The cluster record before and after.
requirements:
  - sacctmgr (package slurm-client) and a reachable slurmdbd
'''

EXAMPLES = r'''
- name: Register the cluster in slurmdbd
  hyperscaler.workstation.sacct_cluster:
    name: hpc
'''

RETURN = r'''
cluster:
  description: The cluster after the run (empty when absent).
  returned: always
  type: dict
  sample: {"name": "hpc"}
commands:
  description: The sacctmgr commands run (in check mode, that would run).
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/sacctmgr", "-i", "add", "cluster", "hpc"]]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run_module, module, "cluster")


if __name__ == "__main__":
    main()
