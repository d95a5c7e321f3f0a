#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_preflight_info
short_description: Check that the hypervisor can run the requested cluster
version_added: 0.1.0
description:
  - Checks CPU virtualization flags, that a KVM guest really runs (a bounded probe that creates a VM, runs
    one instruction and, when qemu is installed, boots the firmware with C(-accel kvm); an existing
    C(/dev/kvm) is not enough), the IOMMU (kernel command line and IOMMU groups), the vfio modules, that
    nouveau is blacklisted, that libvirt runs, and memory, disk and CPU threads.
  - Each check is C(pass), C(warn) or C(fail) with a fix. A problem is C(fail) only when the matching
    C(require_*) option (or minimum) says the requested configuration needs it.
author: hyperscaler.workstation contributors (@hyperscaler)
options:
  proc_root:
    description: Where procfs is mounted.
    type: path
    default: /proc
  etc_root:
    description: Where the C(modprobe.d) configuration lives.
    type: path
    default: /etc
  run_root:
    description: Where the libvirt sockets live.
    type: path
    default: /run
  kvm_device:
    description: The KVM device node.
    type: path
    default: /dev/kvm
  kvm_probe:
    description: Run the KVM guest probes (otherwise only the device node is checked).
    type: bool
    default: true
  kvm_timeout:
    description: Seconds the KVM probe may take.
    type: float
    default: 5
  require_kvm:
    description: Fail when KVM guests cannot run (otherwise warn; VMs then run under TCG).
    type: bool
    default: false
  require_iommu:
    description: Fail when the IOMMU is off (set when the configuration passes GPUs through).
    type: bool
    default: false
  require_vfio:
    description: Fail when vfio-pci is not loaded or nouveau is not blacklisted.
    type: bool
    default: false
  require_libvirt:
    description: Fail when libvirt does not run.
    type: bool
    default: false
  min_memory_mb:
    description: Fail below this much memory (0 = do not check).
    type: int
    default: 0
  min_disk_gb:
    description: Fail below this much free disk at I(disk_path) (0 = do not check).
    type: int
    default: 0
  min_cores:
    description: Fail below this many CPU threads (0 = do not check).
    type: int
    default: 0
  disk_path:
    description: Where VM disks go.
    type: path
    default: /var/lib/libvirt
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
'''

EXAMPLES = r'''
- name: Check the host for GPU passthrough
  hyperscaler.workstation.host_preflight_info:
    require_iommu: true
    require_vfio: true
  register: preflight

- name: Stop on blocking problems
  ansible.builtin.assert:
    that: preflight.failed_checks | length == 0
    fail_msg: "{{ preflight.failed_checks }}"
'''

RETURN = r'''
checks:
  description: Every check with status pass, warn or fail, a detail and a fix.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "iommu", "status": "fail", "detail": "0 IOMMU groups", "fix": "Enable VT-d ..."}]
failed_checks:
  description: The names of the checks that failed.
  returned: always
  type: list
  elements: str
host:
  description: The facts the checks looked at.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import SYSFS_ROOT, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._preflight import run_checks

ARGUMENT_SPEC = with_common(
    dict(
        proc_root=dict(type="path", default="/proc"),
        etc_root=dict(type="path", default="/etc"),
        run_root=dict(type="path", default="/run"),
        kvm_device=dict(type="path", default="/dev/kvm"),
        kvm_probe=dict(type="bool", default=True),
        kvm_timeout=dict(type="float", default=5),
        require_kvm=dict(type="bool", default=False),
        require_iommu=dict(type="bool", default=False),
        require_vfio=dict(type="bool", default=False),
        require_libvirt=dict(type="bool", default=False),
        min_memory_mb=dict(type="int", default=0),
        min_disk_gb=dict(type="int", default=0),
        min_cores=dict(type="int", default=0),
        disk_path=dict(type="path", default="/var/lib/libvirt"),
    ),
    SYSFS_ROOT,
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run_checks, module.params, module.run_command)


if __name__ == "__main__":
    main()
