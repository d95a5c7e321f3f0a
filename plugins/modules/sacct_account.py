#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sacct_account
short_description: Create a SLURM account on a cluster and add its users
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Adds the account and its association on I(cluster) with C(sacctmgr -i add account) when missing, modifies
    I(description), I(organization) and I(qos) when they differ (only the options that are set are compared),
    and adds the I(users) that are not in the account yet. With I(purge_users=true) users of the account on
    that cluster that are not listed are removed.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.sacctmgr
options:
  name:
    description: Account name. SLURM stores it in lower case.
    type: str
    required: true
  cluster:
    description: Cluster the account's association belongs to (registered with M(hyperscaler.workstation.sacct_cluster)).
    type: str
    required: true
  description:
    description: Account description (compared without regard to case).
    type: str
  organization:
    description: Account organization (compared without regard to case).
    type: str
  qos:
    description: QoS the account's association may use (compared as a set).
    type: list
    elements: str
  users:
    description: Users that belong to the account on I(cluster).
    type: list
    elements: str
  purge_users:
    description: Remove users of the account on I(cluster) that are not in I(users).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Account research on cluster hpc, with two users
  hyperscaler.workstation.sacct_account:
    name: research
    cluster: hpc
    description: Research projects
    organization: hpc
    qos: [normal, high]
    users: [alice, bob]
'''

RETURN = r'''
account:
  description: The account after the run (empty when absent).
  returned: always
  type: dict
  sample: {"name": "research", "cluster": "hpc", "description": "Research projects", "organization": "hpc",
           "qos": ["high", "normal"], "users": ["alice", "bob"]}
commands:
  description: The sacctmgr commands run (in check mode, that would run).
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/sacctmgr", "-i", "add", "user", "bob", "account=research", "cluster=hpc"]]
'''

from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import main_for


def main():
    main_for('account')


if __name__ == "__main__":
    main()
