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
attributes:
  action_group:
    description: Use C(group/hyperscaler.workstation.gpu) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hyperscaler.workstation.gpu
'''

    # Modules that write to sysfs with a deadline (vfio_bind, mdev).
    WRITE_TIMEOUT = r'''
options:
  timeout:
    description:
      - Seconds each sysfs write may take. A write that blocks longer (an unbind while the device is still in
        use) fails with a message naming the file instead of hanging the play.
    type: float
    default: 10
'''
