# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  uri:
    description:
      - The libvirt connection URI.
      - C(test:///default) is libvirt's in-memory test driver, used by the unit tests.
    type: str
    default: qemu:///system
requirements:
  - libvirt-python
'''
