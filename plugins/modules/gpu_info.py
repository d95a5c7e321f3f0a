#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: gpu_info
short_description: Describe the GPUs of the hypervisor and how they can reach VMs
version_added: 0.1.0
description:
  - Lists PCI display and 3D controllers (PCI class C(0x03xxxx)) with their vendor and device ids, model,
    bound driver, IOMMU group and the other members of that group, boot VGA flag, NUMA node, SR-IOV and
    mdev (vGPU) capability, and MIG capability and mode.
  - MIG mode is read through NVML (nvidia-ml-py) when the GPU is bound to the nvidia driver and NVML loads;
    otherwise it is reported as null.
  - Each GPU carries a ready-to-paste C(cluster.yaml) C(pcie_passthrough) block, including the GPU's audio
    function when it shares the IOMMU group.
author: hyperscaler.workstation contributors (@hyperscaler)
options:
  use_nvml:
    description:
      - Ask NVML for the MIG mode of GPUs bound to the nvidia driver.
      - When NVML is missing or fails to load the module still answers from sysfs.
    type: bool
    default: true
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
requirements:
  - nvidia-ml-py (optional, for the MIG mode)
'''

EXAMPLES = r'''
- name: Find the GPUs of this host
  hyperscaler.workstation.gpu_info:
  register: gpus

- name: Show the cluster.yaml snippet for every GPU that can be passed through
  ansible.builtin.debug:
    msg: "{{ gpus.gpus | selectattr('iommu_group_isolated') | map(attribute='cluster_yaml') | list }}"
'''

RETURN = r'''
gpus:
  description: One entry per display/3D controller, sorted by PCI address.
  returned: always
  type: list
  elements: dict
  contains:
    pci_address:
      description: PCI address.
      returned: always
      type: str
      sample: "0000:01:00.0"
    vendor_id:
      description: PCI vendor id (4 hex digits).
      returned: always
      type: str
      sample: "10de"
    device_id:
      description: PCI device id (4 hex digits).
      returned: always
      type: str
      sample: "2330"
    model:
      description: Board name from the collection's GPU table, else the vendor name and device id.
      returned: always
      type: str
      sample: "NVIDIA H100 80GB HBM3"
    mig_model:
      description: MIG model from the collection's GPU table (a key into the MIG tables), or null.
      returned: always
      type: str
      sample: "H100-80GB"
    driver:
      description: Bound driver, or null.
      returned: always
      type: str
      sample: nvidia
    iommu_group:
      description: IOMMU group number, or null when the IOMMU is off.
      returned: always
      type: int
      sample: 14
    iommu_group_members:
      description: The other devices of the group.
      returned: always
      type: list
      elements: dict
    iommu_group_isolated:
      description: True when the group holds only this slot's functions and bridges.
      returned: always
      type: bool
    boot_vga:
      description: True for the device that drives the boot console.
      returned: always
      type: bool
    numa_node:
      description: NUMA node, or null.
      returned: always
      type: int
    sriov_totalvfs:
      description: SR-IOV virtual functions the device supports (0 = none).
      returned: always
      type: int
    mdev_supported_types:
      description: vGPU mdev types offered by the device.
      returned: always
      type: list
      elements: dict
    mig_capable:
      description: Whether the GPU supports MIG.
      returned: always
      type: bool
    mig_mode_current:
      description: Current MIG mode from NVML, or null when unknown.
      returned: always
      type: bool
    mig_mode_pending:
      description: Pending MIG mode from NVML, or null when unknown.
      returned: always
      type: bool
    cluster_yaml:
      description: A C(pcie_passthrough) block for cluster.yaml.
      returned: always
      type: dict
iommu_enabled:
  description: Whether the kernel has IOMMU groups.
  returned: always
  type: bool
nvml_available:
  description: Whether NVML was loaded and initialised.
  returned: always
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import SYSFS_ROOT, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_inventory import GpuInventory
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter, load_pynvml
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import PciSysfs

pynvml = load_pynvml()

ARGUMENT_SPEC = with_common(dict(use_nvml=dict(type="bool", default=True)), SYSFS_ROOT)


def _nvml(wanted):
    """An initialised NvmlAdapter, or None when NVML is not wanted, missing or does not load."""
    if not wanted or pynvml is None:
        return None
    adapter = NvmlAdapter(pynvml)
    try:
        adapter.init()
    except Exception:  # pylint: disable=broad-except
        return None
    return adapter


def run(params):
    sysfs = PciSysfs(params["sysfs_root"])
    nvml = _nvml(params["use_nvml"])
    try:
        gpus = GpuInventory(sysfs, nvml).gpus()
    finally:
        if nvml is not None:
            nvml.shutdown()
    return {"changed": False, "gpus": gpus, "iommu_enabled": sysfs.iommu_enabled(), "nvml_available": nvml is not None}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run, module.params)


if __name__ == "__main__":
    main()
