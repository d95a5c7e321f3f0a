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
  - In check mode on a host where slurmdbd cannot be reached yet (a first run), it predicts that the account
    will be added and warns instead of failing.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
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
  state:
    description: Whether the account's association on I(cluster) exists.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    details: Reads with sacctmgr and returns the commands it would run.
  diff_mode:
    support: full
    details: The account (description, organization, qos, users) before and after.
requirements:
  - sacctmgr (package slurm-client) and a reachable slurmdbd
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    cluster=dict(type="str", required=True),
    description=dict(type="str"),
    organization=dict(type="str"),
    qos=dict(type="list", elements="str"),
    users=dict(type="list", elements="str"),
    purge_users=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run_module, module, "account")


if __name__ == "__main__":
    main()
