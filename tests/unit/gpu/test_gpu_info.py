# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_inventory import GpuInventory
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import PciSysfs
from ansible_collections.hyperscaler.workstation.plugins.modules import gpu_info
from helpers.module_harness import run_module
from nvml_stub import Nvml

GPU = "0000:41:00.0"


def test_inventory_describes_gpus(two_gpu_host):
    two_gpu_host.add_device("0000:00:02.0", vendor="8086", device="46a6", cls="0x030000", driver="i915")
    stub = Nvml()
    stub.add_gpu(GPU, "2330", mig=True)
    nvml = NvmlAdapter(stub.pynvml)
    nvml.init()
    gpus = GpuInventory(PciSysfs(two_gpu_host.sys), nvml).gpus()
    assert [g["pci_address"] for g in gpus] == ["0000:00:02.0", "0000:01:00.0", GPU]
    igpu, vga, h100 = gpus
    assert igpu["vendor"] == "Intel" and igpu["iommu_group"] is None and igpu["mig_capable"] is False
    assert vga["boot_vga"] is True and vga["model"] == "NVIDIA A10"
    assert h100["model"] == "NVIDIA H100 80GB HBM3" and h100["mig_model"] == "H100-80GB"
    assert h100["driver"] == "nvidia" and h100["iommu_group"] == 14 and h100["numa_node"] == 1
    assert h100["iommu_group_isolated"] is True
    assert sorted(m["pci_address"] for m in h100["iommu_group_members"]) == ["0000:40:01.0", "0000:41:00.1"]
    assert h100["mig_mode_current"] is True and h100["mig_mode_pending"] is True
    assert h100["cluster_yaml"] == {
        "pcie_passthrough": {
            "enabled": True,
            "devices": [
                {"pci_address": GPU, "device_type": "gpu", "vendor_id": "10de", "device_id": "2330", "iommu_group": 14},
                {
                    "pci_address": "0000:41:00.1",
                    "device_type": "other",
                    "vendor_id": "10de",
                    "device_id": "22e8",
                    "iommu_group": 14,
                },
            ],
        }
    }


def test_sriov_and_mdev_capabilities(host):
    host.add_gpu_pair("0000:41:00", 3, sriov=16)
    host.add_mdev_type("0000:41:00.0", "nvidia-1024", available=4)
    g = GpuInventory(PciSysfs(host.sys)).describe("0000:41:00.0")
    assert g["sriov_totalvfs"] == 16
    assert g["mdev_supported_types"] == [{"type": "nvidia-1024", "name": "GRID H100-10C", "available_instances": 4}]
    assert g["mig_mode_current"] is None


def test_module_main(two_gpu_host, monkeypatch):
    monkeypatch.setattr(gpu_info, "pynvml", Nvml(init_error=9).pynvml)  # NVML_ERROR_DRIVER_NOT_LOADED
    out = run_module(gpu_info, {"sysfs_root": two_gpu_host.sys}, monkeypatch, check_mode=True)
    assert out["changed"] is False and out["iommu_enabled"] is True and out["nvml_available"] is False
    assert [g["pci_address"] for g in out["gpus"]] == ["0000:01:00.0", GPU]
