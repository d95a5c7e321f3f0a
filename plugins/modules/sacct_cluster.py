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
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.sacctmgr
options:
  name:
    description: Cluster name (C(ClusterName) of slurm.conf). SLURM stores it in lower case.
    type: str
    required: true
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

from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import main_for


def main():
    main_for('cluster')


if __name__ == "__main__":
    main()
