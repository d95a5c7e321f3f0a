#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sacct_qos
short_description: Create or modify a SLURM QoS in slurmdbd
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Adds the QoS with C(sacctmgr -i add qos) when missing, or modifies only the fields that differ from
    C(sacctmgr -nP show qos). Only the options that are set are compared; an option left out is never changed.
  - I(max_wall) is compared as a duration, so C(30), C(00:30:00) and C(0-00:30:00) are the same;
    I(max_tres_per_user) is compared with its items sorted. An empty string (or C(-1)) removes the limit;
    C(-1) removes a job-count limit.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.sacctmgr
options:
  name:
    description: QoS name. SLURM stores it in lower case.
    type: str
    required: true
  priority:
    description: QoS priority (C(Priority)).
    type: int
  max_wall:
    description: Wall-clock limit per job (C(MaxWall)), a SLURM time such as C(00:30:00) or C(1-00:00:00).
    type: str
  max_tres_per_user:
    description: TRES limit per user (C(MaxTRESPerUser)), for example C(cpu=4,gres/gpu=1).
    type: str
  max_jobs_per_user:
    description: Jobs a user may have running at once under the QoS (C(MaxJobsPerUser)); C(-1) for no limit.
    type: int
  max_submit_jobs_per_user:
    description: Jobs a user may have submitted (pending or running) under the QoS (C(MaxSubmitJobsPerUser));
      C(-1) for no limit.
    type: int
'''

EXAMPLES = r'''
- name: A high-priority QoS limited to 30 minutes and 4 CPUs per user
  hyperscaler.workstation.sacct_qos:
    name: high
    priority: 100
    max_wall: "00:30:00"
    max_tres_per_user: cpu=4,gres/gpu=1
    max_jobs_per_user: 2
'''

RETURN = r'''
qos:
  description: The QoS after the run (empty when absent).
  returned: always
  type: dict
  sample: {"name": "high", "priority": 100, "max_wall": "00:30:00", "max_tres_per_user": "cpu=4,gres/gpu=1",
           "max_jobs_per_user": 2, "max_submit_jobs_per_user": ""}
commands:
  description: The sacctmgr commands run (in check mode, that would run).
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/sacctmgr", "-i", "modify", "qos", "where", "name=high", "set", "priority=100"]]
'''

from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import main_for


def main():
    main_for('qos')


if __name__ == "__main__":
    main()
