#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vfio_bind
short_description: Bind PCI devices (GPUs) to vfio-pci for passthrough, or give them back
version_added: 0.1.0
description:
  - Binds each requested device, and the other functions of its slot that share its IOMMU group (the GPU's
    HDMI audio function), to C(vfio-pci) by writing C(driver_override), unbinding the current driver and
    writing C(drivers_probe). It never uses C(new_id), which would grab every device with the same id.
  - PCI bridges in the group are left alone.
  - With I(state=unbound) the devices go back to the driver they had when they were bound (recorded in
    I(state_dir)), or to the kernel's choice when nothing was recorded.
  - Refuses, before writing anything, when the IOMMU is off, when vfio-pci is not loaded, when a device is
    the boot VGA device, when a process holds the GPU open (C(/dev/nvidiaN) or its DRM nodes, found via
    C(/proc/*/fd)) or nvidia_drm drives a framebuffer console on it, and when the IOMMU group holds a
    device that was not requested and is neither a bridge nor a function of the same slot.
  - Every sysfs write has a deadline (I(timeout)).
author: hyperscaler.workstation contributors (@hyperscaler)
options:
  devices:
    description:
      - PCI addresses to bind, in the form C(0000:01:00.0) (C(01:00.0) means domain 0000).
    type: list
    elements: str
    required: true
  state:
    description:
      - C(bound) binds the devices to vfio-pci; C(unbound) returns them to their original driver.
    type: str
    choices: [bound, unbound]
    default: bound
  persistent:
    description:
      - Also make the binding survive a reboot by writing a driverctl override
        C(<persist_dir>/pci-<address>) containing C(vfio-pci). driverctl's udev rule applies it at boot,
        per device (unlike C(options vfio-pci ids=), which would take every GPU with the same id).
      - With I(state=unbound) the override file is removed whatever this option says.
    type: bool
    default: false
  persist_dir:
    description:
      - Directory of driverctl overrides.
    type: path
    default: /etc/driverctl.d
  state_dir:
    description:
      - Directory where the original driver of each bound device is recorded.
    type: path
    default: /var/lib/hyperscaler-workstation/vfio
  proc_root:
    description:
      - Where procfs is mounted; used to find processes holding the GPU open.
    type: path
    default: /proc
attributes:
  check_mode:
    support: full
    details: Runs every safety check and reports every device it would bind.
  diff_mode:
    support: full
    details: Driver, driver override, IOMMU group and persistent override of each device before and after.
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
  - hyperscaler.workstation.sysfs.write_timeout
  - hyperscaler.workstation.attributes
requirements:
  - Linux with an IOMMU enabled and the vfio-pci module loaded.
'''

EXAMPLES = r'''
- name: Give the second GPU to VMs (its audio function follows)
  hyperscaler.workstation.vfio_bind:
    devices:
      - "0000:41:00.0"
    persistent: true

- name: Give it back to the host
  hyperscaler.workstation.vfio_bind:
    devices:
      - "0000:41:00.0"
    state: unbound
'''

RETURN = r'''
devices:
  description: Every device considered, requested ones first, then the same-slot functions of their groups.
  returned: always
  type: list
  elements: str
  sample: ["0000:41:00.0", "0000:41:00.1"]
actions:
  description: What was (or in check mode would be) done per device.
  returned: always
  type: list
  elements: dict
  sample: [{"pci_address": "0000:41:00.0", "action": "bind", "from_driver": "nvidia", "to_driver": "vfio-pci",
            "bind": true, "persist": false}]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import SYSFS_ROOT, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._vfio import binder_for

ARGUMENT_SPEC = with_common(
    dict(
        devices=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["bound", "unbound"], default="bound"),
        persistent=dict(type="bool", default=False),
        persist_dir=dict(type="path", default="/etc/driverctl.d"),
        state_dir=dict(type="path", default="/var/lib/hyperscaler-workstation/vfio"),
        proc_root=dict(type="path", default="/proc"),
        timeout=dict(type="float", default=10),
    ),
    SYSFS_ROOT,
)


def run(module):
    p = module.params
    binder = binder_for(p["sysfs_root"], p["proc_root"], p["persist_dir"], p["state_dir"], p["timeout"])
    return binder.run(p["devices"], p["state"], p["persistent"], module.check_mode, diff=module._diff)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run, module)


if __name__ == "__main__":
    main()
