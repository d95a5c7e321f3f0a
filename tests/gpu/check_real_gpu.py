# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Read-only check on a real NVIDIA machine.

Lists the GPUs through NVML and through sysfs (gpu_info's module_utils), prints
the MIG mode and every GPU-instance profile NVML reports with its placements,
and compares them with the GPU table (plugins/module_utils/_gpu_models.py: which
MIG model a device id has) and plugins/module_utils/_mig_tables.py for that model.
Exits 1 on a mismatch, 2 when NVML cannot be used, 0 otherwise.

It NEVER changes a setting: no SetMigMode, no instance created or destroyed.
Needs only python3, nvidia-ml-py and this checkout (Ansible is not required):

    python3 tests/gpu/check_real_gpu.py [--sysfs-root /sys] [--json]
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _import_module_utils():
    """Make ansible_collections.hyperscaler.workstation importable without Ansible."""
    base = os.path.join(REPO, "collections")
    link = os.path.join(base, "ansible_collections", "hyperscaler", "workstation")
    if not os.path.exists(link):
        base = tempfile.mkdtemp(prefix="hsw-check-")
        os.makedirs(os.path.join(base, "ansible_collections", "hyperscaler"))
        os.symlink(REPO, os.path.join(base, "ansible_collections", "hyperscaler", "workstation"))
    sys.path.insert(0, base)
    from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models as gpu_models
    from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_inventory import GpuInventory
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import PciSysfs

    return gpu_models, mig_tables, NvmlAdapter, GpuInventory, PciSysfs


# NVML_GPU_INSTANCE_PROFILE_* enums worth asking about (0..0x11 in current NVML headers)
PROFILE_ENUMS = range(0, 0x12)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sysfs-root", default="/sys")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON too")
    args = parser.parse_args(argv)

    gpu_models, mig_tables, NvmlAdapter, GpuInventory, PciSysfs = _import_module_utils()
    try:
        import pynvml
    except ImportError:
        print("nvidia-ml-py is not installed (pip install nvidia-ml-py)")
        return 2
    nvml = NvmlAdapter(pynvml)
    try:
        nvml.init()
    except Exception as exc:  # pylint: disable=broad-except
        print("NVML did not initialise: %s" % exc)
        return 2

    problems = []
    report = {"sysfs": [], "nvml": []}
    try:
        sysfs_gpus = GpuInventory(PciSysfs(args.sysfs_root), nvml).gpus()
        print("sysfs: %d display/3D device(s)" % len(sysfs_gpus))
        for g in sysfs_gpus:
            print(
                "  %s %s:%s %-28s driver=%s group=%s boot_vga=%s numa=%s mig_model=%s mig=%s/%s"
                % (
                    g["pci_address"],
                    g["vendor_id"],
                    g["device_id"],
                    g["model"],
                    g["driver"],
                    g["iommu_group"],
                    g["boot_vga"],
                    g["numa_node"],
                    g["mig_model"],
                    g["mig_mode_current"],
                    g["mig_mode_pending"],
                )
            )
            report["sysfs"].append(dict((k, v) for k, v in g.items() if k != "cluster_yaml"))
        sysfs_addrs = set(g["pci_address"] for g in sysfs_gpus)

        count = nvml.count()
        print("NVML: %d GPU(s)" % count)
        for index in range(count):
            handle = nvml.handle(index)
            addr, device_id = nvml.pci(handle)
            name = nvml.name(handle)
            current, pending = nvml.mig_mode(handle)
            model = gpu_models.mig_model_of(device_id, name)
            print(
                "GPU %d %s %s (device id %s) model=%s MIG current=%s pending=%s"
                % (index, addr, name, device_id, model, current, pending)
            )
            entry = {
                "index": index,
                "pci_address": addr,
                "name": name,
                "device_id": device_id,
                "model": model,
                "mig_current": current,
                "mig_pending": pending,
                "profiles": [],
            }
            report["nvml"].append(entry)
            board = gpu_models.board_name(device_id)
            if board is None:
                print("  note: device id %s is not in the GPU table (_gpu_models); it is typed 'generic'" % device_id)
            elif board != name:
                print("  note: the GPU table names device id %s '%s', NVML says '%s'" % (device_id, board, name))
            if addr not in sysfs_addrs:
                problems.append("GPU %d %s: NVML sees it but sysfs under %s does not" % (index, addr, args.sysfs_root))
            if current is None:
                if model is not None:
                    problems.append(
                        "GPU %d %s: the GPU table (_gpu_models) maps device id %s to %s, but NVML says MIG is not "
                        "supported" % (index, addr, device_id, model)
                    )
                continue
            if model is None:
                problems.append(
                    "GPU %d %s: NVML supports MIG on '%s' (device id %s) but the GPU table (_gpu_models) "
                    "has no MIG model for it" % (index, addr, name, device_id)
                )
                continue
            expected = mig_tables.MIG_MODELS[model]["profiles"]
            seen = set()
            for enum in PROFILE_ENUMS:
                info = nvml.profile_info(handle, enum)
                if info is None or info["instance_count"] == 0:
                    continue
                try:
                    places = nvml.possible_placements(handle, info["id"])
                except nvml.error_class as exc:
                    places = []
                    problems.append("GPU %d: placements of profile id %d failed: %s" % (index, info["id"], exc))
                row = mig_tables.profile_by_id(model, info["id"])
                label = row["name"] if row else "?"
                print(
                    "  profile enum %2d id %2d %-12s slices=%d max=%d mem=%dMiB placements=%s"
                    % (
                        enum,
                        info["id"],
                        label,
                        info["slice_count"],
                        info["instance_count"],
                        info["memory_mb"],
                        " ".join("%d:%d" % p for p in places),
                    )
                )
                entry["profiles"].append(dict(info, enum=enum, placements=places, table_name=label))
                if row is None:
                    # newer drivers add profiles (e.g. -gfx / +me.all variants); report them, do not fail
                    print("    note: profile id %d is not in mig_tables for %s" % (info["id"], model))
                    continue
                seen.add(row["name"])
                want_places = [(p["start"], p["size"]) for p in row["placements"]]
                if row["nvml_profile"] != enum:
                    problems.append(
                        "GPU %d %s: NVML enum %d, table says %d" % (index, row["name"], enum, row["nvml_profile"])
                    )
                if row["compute_slices"] != info["slice_count"]:
                    problems.append(
                        "GPU %d %s: %d compute slices, table says %d"
                        % (index, row["name"], info["slice_count"], row["compute_slices"])
                    )
                if row["max_instances"] != info["instance_count"]:
                    problems.append(
                        "GPU %d %s: at most %d instances, table says %d"
                        % (index, row["name"], info["instance_count"], row["max_instances"])
                    )
                if sorted(places) != sorted(want_places):
                    problems.append(
                        "GPU %d %s: placements %s, table says %s"
                        % (index, row["name"], sorted(places), sorted(want_places))
                    )
            if not seen and not current:
                print("  note: MIG is off on this GPU and NVML lists no profiles; enable MIG to compare tables")
                continue
            for name_missing in sorted(set(expected) - seen):
                problems.append(
                    "GPU %d: table profile %s (id %d) not reported by NVML"
                    % (index, name_missing, expected[name_missing]["profile_id"])
                )
    finally:
        nvml.shutdown()

    if args.json:
        print(json.dumps(report, indent=2, default=str))
    if problems:
        print("MISMATCH (%d):" % len(problems))
        for line in problems:
            print("  - " + line)
        return 1
    print("OK: NVML agrees with mig_tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
