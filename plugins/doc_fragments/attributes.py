# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Shared attribute documentation for the collection's modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads.
  diff_mode:
    support: N/A
    details: This module only reads.
'''

    # Modules that converge libvirt objects by semantic comparison (libvirt_domain, libvirt_network).
    CONVERGE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details: Reports exactly what would change, without changing it.
  diff_mode:
    support: full
    details: Shows libvirt's current definition, reduced to the options given, against the wanted one.
'''
