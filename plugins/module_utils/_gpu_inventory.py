# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Describe the display/3D PCI devices of a host (the logic of gpu_info)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import CLASS_DISPLAY, slot_of

VENDORS = {
    _gpu_models.NVIDIA_VENDOR_ID: "NVIDIA",
    "1002": "AMD",
    "8086": "Intel",
    "1af4": "Red Hat (virtio)",
    "1234": "QEMU",
}


class GpuInventory(object):
    """sysfs: PciSysfs; nvml: an initialised NvmlAdapter or None."""

    def __init__(self, sysfs, nvml=None):
        self.sysfs = sysfs
        self.nvml = nvml

    def gpus(self):
        return [
            self.describe(a) for a in self.sysfs.list_devices() if self.sysfs.pci_class(a).startswith(CLASS_DISPLAY)
        ]

    def describe(self, addr):
        s = self.sysfs
        vendor = s.hex_id(addr, "vendor")
        device = s.hex_id(addr, "device")
        group = s.iommu_group(addr)
        members = s.group_members(group) if group is not None else []
        others = []
        for member in members:
            if member == addr:
                continue
            others.append(
                {
                    "pci_address": member,
                    "class": s.pci_class(member),
                    "vendor_id": s.hex_id(member, "vendor"),
                    "device_id": s.hex_id(member, "device"),
                    "driver": s.driver(member),
                    "bridge": s.is_bridge(member),
                    "same_slot": slot_of(member) == slot_of(addr),
                }
            )
        board = _gpu_models.lookup(device) if vendor == _gpu_models.NVIDIA_VENDOR_ID else None
        mig_model = board.mig_model if board else None
        driver = s.driver(addr)
        numa = s.int_attr(addr, "numa_node")
        info = {
            "pci_address": addr,
            "vendor_id": vendor,
            "vendor": VENDORS.get(vendor, vendor),
            "device_id": device,
            "class": s.pci_class(addr),
            "model": board.name if board else "%s %s" % (VENDORS.get(vendor, vendor), device),
            "mig_model": mig_model,
            "driver": driver,
            "driver_override": s.driver_override(addr),
            "iommu_group": int(group) if group is not None and group.isdigit() else group,
            "iommu_group_members": others,
            "iommu_group_isolated": all(o["bridge"] or o["same_slot"] for o in others),
            "boot_vga": s.attr(addr, "boot_vga") == "1",
            "numa_node": numa if numa is not None and numa >= 0 else None,
            "sriov_totalvfs": s.int_attr(addr, "sriov_totalvfs") or 0,
            "sriov_numvfs": s.int_attr(addr, "sriov_numvfs") or 0,
            "mdev_supported_types": self._mdev_types(addr),
            "mig_capable": mig_model is not None,
            "mig_mode_current": None,
            "mig_mode_pending": None,
        }
        if self.nvml is not None and driver == "nvidia":
            try:
                handle = self.nvml.handle_by_pci(addr)
                info["mig_mode_current"], info["mig_mode_pending"] = self.nvml.mig_mode(handle)
                info["nvml_name"] = self.nvml.name(handle)
                if info["mig_mode_current"] is not None:
                    info["mig_capable"] = True
            except self.nvml.error_class:
                pass
        info["cluster_yaml"] = self.snippet(info)
        return info

    def _mdev_types(self, addr):
        base = self.sysfs.dev_path(addr, "mdev_supported_types")
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return []
        out = []
        for name in names:
            out.append(
                {
                    "type": name,
                    "name": self.sysfs.attr(addr, "mdev_supported_types/%s/name" % name),
                    "available_instances": self.sysfs.int_attr(
                        addr, "mdev_supported_types/%s/available_instances" % name
                    ),
                }
            )
        return out

    @staticmethod
    def snippet(info):
        """A ready-to-paste cluster.yaml ``pcie_passthrough`` block for this GPU."""
        devices = [
            {
                "pci_address": info["pci_address"],
                "device_type": "gpu",
                "vendor_id": info["vendor_id"],
                "device_id": info["device_id"],
                "iommu_group": info["iommu_group"],
            }
        ]
        for other in info["iommu_group_members"]:
            if other["same_slot"] and not other["bridge"]:
                devices.append(
                    {
                        "pci_address": other["pci_address"],
                        "device_type": "other",
                        "vendor_id": other["vendor_id"],
                        "device_id": other["device_id"],
                        "iommu_group": info["iommu_group"],
                    }
                )
        return {"pcie_passthrough": {"enabled": True, "devices": devices}}
