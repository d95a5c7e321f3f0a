# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The connection option of the libvirt modules (``_argspec.LIBVIRT_URI``) and their action group."""

    DOCUMENTATION = r'''
options:
  uri:
    description:
      - The libvirt connection URI.
      - C(test:///default) is libvirt's in-memory test driver, used by the unit tests.
      - "Set it once for every libvirt module of a play with
        C(module_defaults: {group/hyperscaler.workstation.libvirt: {uri: ...}})."
    type: str
    default: qemu:///system
attributes:
  action_group:
    description: Use C(group/hyperscaler.workstation.libvirt) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hyperscaler.workstation.libvirt
requirements:
  - libvirt-python
'''
