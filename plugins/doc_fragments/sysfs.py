# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  sysfs_root:
    description:
      - Where sysfs is mounted.
      - Tests point this at a fake tree in a temporary directory.
    type: path
    default: /sys
'''
