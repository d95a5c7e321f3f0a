# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Argument specs shared by several modules, documented once in the matching doc fragments.

``LIBVIRT_URI`` goes with ``hyperscaler.workstation.libvirt`` and ``SYSFS_ROOT`` with
``hyperscaler.workstation.sysfs``; meta/runtime.yml's action groups let a play set them once through
``module_defaults``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

LIBVIRT_URI = dict(uri=dict(type='str', default='qemu:///system'))
SYSFS_ROOT = dict(sysfs_root=dict(type='path', default='/sys'))


def with_common(spec, *common):
    """``spec`` plus the shared entries (``with_common(dict(name=...), LIBVIRT_URI)``)."""
    out = {}
    for part in common:
        out.update(part)
    out.update(spec)
    return out
