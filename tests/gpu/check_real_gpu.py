# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Read-only check on a real NVIDIA machine.

Lists the GPUs through NVML and through sysfs (gpu_info's module_utils) and compares what the driver says with
the GPU table (plugins/module_utils/_gpu_models.py: board name and MIG model by device id) and
plugins/module_utils/_mig_tables.py for that model:

- every GPU: its board name, and whether NVML supports MIG where the table says so;
- MIG off: the possible placements of every profile id of the table (NVML answers them whatever the mode);
- MIG on, in addition: every GPU-instance profile NVML lists (enum, id, compute slices, instance count,
  placements), each also read back by its id, and the table profiles NVML lacks.

It prints each comparison it made and a count. Exit status: 0 when everything compared agrees, 1 on a mismatch,
2 when NVML cannot be used, 3 when nothing could be compared (no GPU, or no board with a MIG table), unless
--allow-nothing is given.

It NEVER changes a setting: no SetMigMode, no instance created or destroyed.
Needs only python3, nvidia-ml-py and this checkout (Ansible is not required):

    python3 tests/gpu/check_real_gpu.py [--sysfs-root /sys] [--json] [--allow-nothing]
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
    parser.add_argument(
        "--allow-nothing", action="store_true", help="exit 0 even when nothing could be compared (no MIG board)"
    )
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
    compared = []  # one line per comparison made
    report = {"sysfs": [], "nvml": [], "compared": compared}
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
            model = gpu_models.mig_model(device_id)
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
            else:
                compared.append("GPU %d: board name of device id %s" % (index, device_id))
                if board != name:
                    # names follow the board's subsystem id (GH200 120GB / 480GB): a note, not a mismatch
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
            compared.append("GPU %d: MIG supported, as the table says for %s" % (index, model))
            for row in sorted(expected.values(), key=lambda r: r["profile_id"]):
                places = nvml.possible_placements_or_none(handle, row["profile_id"])
                want_places = sorted((p["start"], p["size"]) for p in row["placements"])
                if places is None:
                    print("  note: NVML gives no placements for profile id %d (%s)" % (row["profile_id"], row["name"]))
                    continue
                compared.append("GPU %d: placements of profile id %d (%s)" % (index, row["profile_id"], row["name"]))
                print(
                    "  placements of id %2d %-12s %s"
                    % (row["profile_id"], row["name"], " ".join("%d:%d" % p for p in places))
                )
                if sorted(places) != want_places:
                    problems.append(
                        "GPU %d %s: placements %s, table says %s" % (index, row["name"], sorted(places), want_places)
                    )
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
                compared.append("GPU %d: profile %s (enum, id, slices, instances)" % (index, row["name"]))
                by_id = nvml.profile_info_by_id(handle, info["id"])
                if by_id != info:
                    problems.append(
                        "GPU %d %s: read by id %d NVML says %s, by enum %s"
                        % (index, row["name"], info["id"], by_id, info)
                    )
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
            if not current:
                print("  note: MIG is off on this GPU: NVML lists no profiles; their placements were compared")
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
    print("compared (%d):" % len(compared))
    for line in compared:
        print("  - " + line)
    if problems:
        print("MISMATCH (%d):" % len(problems))
        for line in problems:
            print("  - " + line)
        return 1
    if not any("MIG supported" in line for line in compared):
        print(
            "NOTHING COMPARED: no GPU with a MIG table answered NVML%s" % (" (allowed)" if args.allow_nothing else "")
        )
        return 0 if args.allow_nothing else 3
    print("OK: NVML agrees with the GPU table and mig_tables in %d comparisons" % len(compared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
