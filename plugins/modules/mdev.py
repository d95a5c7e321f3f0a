#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mdev
short_description: Create or remove NVIDIA vGPU mediated devices
version_added: 0.1.0
description:
  - Makes exactly I(count) mediated devices of I(type) exist on the parent GPU I(parent). Their UUIDs are
    derived from I(vm), parent, type and index (UUID version 5 with a fixed namespace), so reruns find the same
    devices and change nothing, and two VMs with vGPUs of one type on one GPU get their own devices.
  - Checks C(available_instances) before creating anything; when another vGPU type holds the GPU (the driver
    runs one time-sliced type per GPU) the refusal says so.
  - With I(persistent=true) writes mdevctl definitions (C(<mdevctl_dir>/<parent>/<uuid>), JSON with
    C(start=auto)), so mdevctl recreates the devices at boot.
  - Newer NVIDIA vGPU drivers on SR-IOV GPUs (Ampere and later) expose no C(mdev_supported_types); the vGPU
    is selected by writing the type id to C(nvidia/current_vgpu_type) of a virtual function, and the VF is
    then passed to the VM as a PCI device. The module takes that path when the parent has SR-IOV but no
    mdev types; I(type) is then the numeric vGPU type id (C(nvidia-1024) or C(1024)). That setting does not
    survive a reboot. Virtual functions other VMs hold in C(mdev_map.json) are left alone.
  - Older drivers on SR-IOV GPUs put an mdev type on each virtual function instead; the module then creates one
    mediated device per virtual function (C(mode=sriov-mdev)).
  - When the SR-IOV GPU has no virtual functions yet, the module enables all of them (C(sriov_numvfs) =
    C(sriov_totalvfs)), as NVIDIA's C(sriov-manage -e) does, and refuses when the device cannot.
  - When I(vm) is given, records which devices belong to that VM in C(<output_dir>/mdev_map.json).
author: hyperscaler.workstation contributors (@hyperscaler)
options:
  parent:
    description:
      - PCI address of the physical GPU.
    type: str
    required: true
  type:
    description:
      - mdev type as listed under C(mdev_supported_types), for example C(nvidia-1024).
    type: str
    required: true
  count:
    description:
      - How many devices of this type the parent should carry.
    type: int
    default: 1
  state:
    description:
      - C(present) makes I(count) devices exist (removing extra ones this module created); C(absent) removes
        all devices this module created for I(parent) and I(type).
    type: str
    choices: [present, absent]
    default: present
  persistent:
    description:
      - Write mdevctl definitions so the devices come back after a reboot.
    type: bool
    default: true
  mdevctl_dir:
    description:
      - Directory of mdevctl definitions.
    type: path
    default: /etc/mdevctl.d
  vm:
    description:
      - Name of the VM that gets these devices; recorded in I(output_dir)/mdev_map.json.
    type: str
  output_dir:
    description:
      - Directory of C(mdev_map.json). Required when I(vm) is set.
    type: path
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The mediated devices of I(parent) and I(type) that this module manages, and their mdevctl
        definitions, before and after (C(devices), C(definitions)).
      - On the SR-IOV path, the virtual functions carrying the vGPU type before and after (C(virtual_functions)).
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
  - hyperscaler.workstation.sysfs.write_timeout
  - hyperscaler.workstation.attributes
requirements:
  - NVIDIA vGPU host driver
'''

EXAMPLES = r'''
- name: Two vGPUs of type nvidia-1024 on the first GPU for gpu-worker-01
  hyperscaler.workstation.mdev:
    parent: "0000:41:00.0"
    type: nvidia-1024
    count: 2
    vm: ai-gpu-worker-01
    output_dir: "{{ playbook_dir }}/../.state"
'''

RETURN = r'''
mode:
  description:
    - C(mdev) for mediated devices on the GPU, C(sriov-mdev) for one on each virtual function, C(sriov) for the
      virtual function path (C(current_vgpu_type)).
  returned: always
  type: str
uuids:
  description: UUIDs of the mediated devices that exist after the run (empty on the SR-IOV path).
  returned: always
  type: list
  elements: str
virtual_functions:
  description: PCI addresses of the VFs carrying the vGPU type (SR-IOV path only).
  returned: when mode is sriov
  type: list
  elements: str
enabled_virtual_functions:
  description: How many SR-IOV virtual functions this run enabled (0 when none).
  returned: when the parent is an SR-IOV GPU
  type: int
created:
  description: Devices (UUIDs or VFs) created by this run.
  returned: always
  type: list
  elements: str
removed:
  description: Devices (UUIDs or VFs) removed by this run.
  returned: always
  type: list
  elements: str
map_changed:
  description: Whether mdev_map.json changed.
  returned: when vm is set
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import SYSFS_ROOT, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mdev import (
    claimed_by_others,
    manager_for,
    record_vm,
)

ARGUMENT_SPEC = with_common(
    dict(
        parent=dict(type="str", required=True),
        type=dict(type="str", required=True),
        count=dict(type="int", default=1),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        persistent=dict(type="bool", default=True),
        mdevctl_dir=dict(type="path", default="/etc/mdevctl.d"),
        vm=dict(type="str"),
        output_dir=dict(type="path"),
        timeout=dict(type="float", default=10),
    ),
    SYSFS_ROOT,
)


def run(module):
    p = module.params
    manager = manager_for(p["sysfs_root"], p["mdevctl_dir"], p["timeout"])
    others = claimed_by_others(p["output_dir"], p["vm"]) if p["vm"] else ()
    result = manager.run(
        p["parent"], p["type"], p["count"], p["state"], p["persistent"], module.check_mode, p["vm"], others
    )
    if p["vm"]:
        result["map_changed"] = record_vm(p["output_dir"], p["vm"], result, module.check_mode)
        result["changed"] = result["changed"] or result["map_changed"]
    diff = result.pop("diff")  # the managed devices before and after
    if module._diff:
        result["diff"] = diff
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_by=dict(vm=["output_dir"]), supports_check_mode=True)
    fail_on_error(module, run, module)


if __name__ == "__main__":
    main()
