# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The one GPU table: NVIDIA PCI device id -> board name, MIG model and SLURM GRES type.

Read by ``gpu_info`` (``_gpu_inventory``), ``mig_profile`` (``_mig``), the cluster.yaml checks, the SLURM GRES
filter (``hyperscaler.workstation.slurm_gres``) and tests/gpu/check_real_gpu.py; no other file maps device ids
to boards. A board missing here still works: it is named by its id, it has no MIG table, and SLURM types it
``generic``. A new board is one row of ``_TABLE`` (and, when it has MIG, its profiles in ``_mig_tables``).

This file imports nothing from Ansible so that standalone tools (tests/gpu/check_real_gpu.py) can use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

NVIDIA_VENDOR_ID = "10de"
GENERIC_GRES_TYPE = "generic"

GpuModel = collections.namedtuple("GpuModel", "device_id name mig_model gres_type")

# device id: (board name as NVML reports it, MIG model (a key of _mig_tables.MIG_MODELS) or None, GRES type).
# Ids and names: pci.ids 2026.10.24 and NVIDIA's supported-gpus.json (the driver README's "Supported GPUs":
# the name nvidia-smi shows for the board's usual subsystem); which MIG geometry each board has: the MIG User
# Guide's "Supported GPUs" and NVIDIA/mig-parted's device filters. Export variants keep their own names and GRES
# types where they share a geometry (A800 = A100's tables, H800 = H100's). A MIG-capable board whose profile table
# no NVIDIA source gives (A100-SXM-64GB; H100 96GB, H20, Blackwell, not listed) has no MIG model: mig_profile
# refuses it rather than guess.
_TABLE = {
    # Ampere GA100 (MIG)
    "20b0": ("NVIDIA A100-SXM4-40GB", "A100-40GB", "a100"),
    "20b1": ("NVIDIA A100-PCIE-40GB", "A100-40GB", "a100"),
    "20f1": ("NVIDIA A100-PCIE-40GB", "A100-40GB", "a100"),
    "20bd": ("NVIDIA A800-SXM4-40GB", "A100-40GB", "a800"),
    "20f6": ("NVIDIA A800 40GB Active", "A100-40GB", "a800"),
    "20b2": ("NVIDIA A100-SXM4-80GB", "A100-80GB", "a100"),
    "20b5": ("NVIDIA A100 80GB PCIe", "A100-80GB", "a100"),
    "20f3": ("NVIDIA A800-SXM4-80GB", "A100-80GB", "a800"),
    "20f5": ("NVIDIA A800 80GB PCIe", "A100-80GB", "a800"),
    "20b3": ("NVIDIA A100-SXM-64GB", None, "a100"),
    "20b7": ("NVIDIA A30", "A30-24GB", "a30"),
    # Hopper GH100 (MIG)
    "2330": ("NVIDIA H100 80GB HBM3", "H100-80GB", "h100"),
    "2331": ("NVIDIA H100 PCIe", "H100-80GB", "h100"),
    "2322": ("NVIDIA H800 PCIe", "H100-80GB", "h800"),
    "2324": ("NVIDIA H800", "H100-80GB", "h800"),
    "2321": ("NVIDIA H100 NVL", "H100-94GB", "h100"),
    "233a": ("NVIDIA H800 NVL", "H100-94GB", "h800"),
    "2342": ("NVIDIA GH200 120GB", "GH200-96GB", "gh200"),
    "2348": ("NVIDIA GH200 144G HBM3e", "GH200-144GB", "gh200"),
    "2335": ("NVIDIA H200", "H200-141GB", "h200"),
    "233b": ("NVIDIA H200 NVL", "H200-141GB", "h200"),
    # no MIG
    "2235": ("NVIDIA A40", None, "a40"),
    "2236": ("NVIDIA A10", None, "a10"),
    "1eb8": ("Tesla T4", None, "t4"),
    "27b8": ("NVIDIA L4", None, "l4"),
    "26b9": ("NVIDIA L40S", None, "l40s"),
    "26b5": ("NVIDIA L40", None, "l40"),
    "26b1": ("NVIDIA RTX 6000 Ada Generation", None, "rtx6000ada"),
    "2230": ("NVIDIA RTX A6000", None, "rtxa6000"),
    "2684": ("NVIDIA GeForce RTX 4090", None, "rtx4090"),
    "2204": ("NVIDIA GeForce RTX 3090", None, "rtx3090"),
    "1e02": ("NVIDIA TITAN RTX", None, "titanrtx"),
}
GPU_MODELS = dict((dev, GpuModel(dev, *row)) for dev, row in _TABLE.items())


def norm_device_id(device_id):
    """``"2330"``, ``"0x2330"``, ``"10de:2330"``, ``0x2330`` -> ``"2330"``; None for nothing."""
    if device_id is None:
        return None
    if isinstance(device_id, int) and not isinstance(device_id, bool):
        return "%04x" % device_id
    text = str(device_id).strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    if ":" in text:
        text = text.rsplit(":", 1)[-1]
    return text.zfill(4) if text else None


def lookup(device_id):
    """The GpuModel for a PCI device id, or None."""
    return GPU_MODELS.get(norm_device_id(device_id))


def mig_model(device_id):
    entry = lookup(device_id)
    return entry.mig_model if entry else None


def board_name(device_id):
    entry = lookup(device_id)
    return entry.name if entry else None


def gres_type(device_id):
    """SLURM GRES type of a GPU (``h100``), ``generic`` when the board is not in the table."""
    entry = lookup(device_id)
    return entry.gres_type if entry else GENERIC_GRES_TYPE
