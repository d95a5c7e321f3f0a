# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What the sacct_* modules share: the state option, check/diff support and the sacctmgr requirement."""

    DOCUMENTATION = r'''
options:
  state:
    description: Whether the record exists in slurmdbd.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    details:
      - Reads with sacctmgr and returns the commands it would run. Where slurmdbd cannot be reached yet (a first
        run), it predicts that the record will be added and warns instead of failing.
  diff_mode:
    support: full
    details: The record before and after.
requirements:
  - sacctmgr (package slurm-client) and a reachable slurmdbd
'''
