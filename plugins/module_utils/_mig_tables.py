# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""MIG GPU-instance profile tables and a placement solver.

Data from NVIDIA's MIG user guide ("Supported MIG Profiles") and what
``nvidia-smi mig -lgip`` / ``nvidia-smi mig -lgipp`` print on these boards.
Every board has 8 memory slices and 7 compute slices.  A placement is
``(start, size)`` over the memory slices, as ``-lgipp`` shows
``{0,2,4,6}:2``.

``nvml_profile`` is the enum passed to ``nvmlDeviceGetGpuInstanceProfileInfo``
(``NVML_GPU_INSTANCE_PROFILE_*``); ``profile_id`` is the id that call returns
and that ``nvidia-smi mig -lgip`` prints in its ``ID`` column (also the
argument of the placement/create calls).

Which board has which model is the GPU table's business (``_gpu_models.mig_model``), not this file's.
This file imports nothing, so that standalone tools (tests/gpu/check_real_gpu.py) can use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MEMORY_SLICES = 8
COMPUTE_SLICES = 7

# NVML_GPU_INSTANCE_PROFILE_* enum values (nvml.h)
NVML_GI_1_SLICE = 0
NVML_GI_2_SLICE = 1
NVML_GI_3_SLICE = 2
NVML_GI_4_SLICE = 3
NVML_GI_7_SLICE = 4
NVML_GI_1_SLICE_REV1 = 7  # 1g + media extensions (+me)
NVML_GI_1_SLICE_REV2 = 9  # 1g with two memory slices

# NVML_COMPUTE_INSTANCE_PROFILE_* for a compute instance that spans the whole GI
CI_PROFILE_FOR_COMPUTE_SLICES = {1: 0, 2: 1, 3: 2, 4: 3, 7: 4}

_ONE = [(s, 1) for s in range(7)]  # {0,1,2,3,4,5,6}:1
_TWO_ANY = [(0, 2), (2, 2), (4, 2), (6, 2)]  # {0,2,4,6}:2
_TWO = [(0, 2), (2, 2), (4, 2)]  # {0,2,4}:2
_FOUR = [(0, 4), (4, 4)]  # {0,4}:4
_FOUR_LOW = [(0, 4)]  # {0}:4
_EIGHT = [(0, 8)]  # {0}:8


def _profiles(mem_names):
    """Build the 7 standard GA100/GH100 profiles from their memory sizes.

    mem_names: (1g, 1g-double, 2g, 3g, 4g, 7g) memory labels, e.g.
    ("10gb", "20gb", "20gb", "40gb", "40gb", "80gb").
    """
    one, one_d, two, three, four, seven = mem_names
    rows = [
        # name, nvml enum, nvidia-smi id, compute, memory, max, placements
        ("1g.%s" % one, NVML_GI_1_SLICE, 19, 1, 1, 7, _ONE),
        ("1g.%s+me" % one, NVML_GI_1_SLICE_REV1, 20, 1, 1, 1, _ONE),
        ("1g.%s" % one_d, NVML_GI_1_SLICE_REV2, 15, 1, 2, 4, _TWO_ANY),
        ("2g.%s" % two, NVML_GI_2_SLICE, 14, 2, 2, 3, _TWO),
        ("3g.%s" % three, NVML_GI_3_SLICE, 9, 3, 4, 2, _FOUR),
        ("4g.%s" % four, NVML_GI_4_SLICE, 5, 4, 4, 1, _FOUR_LOW),
        ("7g.%s" % seven, NVML_GI_7_SLICE, 0, 7, 8, 1, _EIGHT),
    ]
    table = {}
    for name, enum, pid, comp, mem, mx, places in rows:
        table[name] = {
            "name": name,
            "nvml_profile": enum,
            "profile_id": pid,
            "compute_slices": comp,
            "memory_slices": mem,
            "max_instances": mx,
            "placements": [{"start": s, "size": z} for s, z in places],
        }
    return table


def _model(architecture, memory_gb, mem_names):
    return {"architecture": architecture, "memory_gb": memory_gb, "profiles": _profiles(mem_names)}


_MEM_80GB = ("10gb", "20gb", "20gb", "40gb", "40gb", "80gb")

# Keyed by the MIG model of the GPU table (_gpu_models.mig_model), which maps device ids to these keys.
MIG_MODELS = {
    "A100-40GB": _model("ampere", 40, ("5gb", "10gb", "10gb", "20gb", "20gb", "40gb")),
    "A100-80GB": _model("ampere", 80, _MEM_80GB),
    "H100-80GB": _model("hopper", 80, _MEM_80GB),
    "H200-141GB": _model("hopper", 141, ("18gb", "35gb", "35gb", "71gb", "71gb", "141gb")),
}


def model_names():
    """Sorted list of the MIG models known here."""
    return sorted(MIG_MODELS)


def profile(model, name):
    """The table row for a profile, or None."""
    table = MIG_MODELS.get(model)
    if table is None:
        return None
    return table["profiles"].get(name)


def profile_by_id(model, profile_id):
    table = MIG_MODELS.get(model)
    if table is None:
        return None
    for row in table["profiles"].values():
        if row["profile_id"] == profile_id:
            return row
    return None


def _expand(model, instances):
    """Validate and expand [{profile, count}] into a list of rows (one per instance)."""
    table = MIG_MODELS.get(model)
    if table is None:
        return None, "unknown MIG model '%s'; valid models: %s" % (model, ", ".join(model_names()))
    profiles = table["profiles"]
    counts = {}
    for item in instances or []:
        if not isinstance(item, dict) or "profile" not in item:
            return None, "each MIG instance entry needs a 'profile' (and optional 'count')"
        name = item["profile"]
        try:
            count = int(item.get("count", 1))
        except (TypeError, ValueError):
            return None, "count of MIG profile '%s' must be an integer" % name
        if count < 0:
            return None, "count of MIG profile '%s' must not be negative" % name
        if name not in profiles:
            valid = sorted(profiles, key=lambda n: (profiles[n]["memory_slices"], profiles[n]["compute_slices"], n))
            return None, "MIG profile '%s' does not exist on %s; valid profiles: %s" % (name, model, ", ".join(valid))
        counts[name] = counts.get(name, 0) + count
    rows = []
    for name, count in counts.items():
        row = profiles[name]
        if count > row["max_instances"]:
            return None, "%s allows at most %d instance(s) of %s, %d requested" % (
                model,
                row["max_instances"],
                name,
                count,
            )
        rows.extend([row] * count)
    # larger instances first (memory, then compute), stable by name
    rows.sort(key=lambda r: (-r["memory_slices"], -r["compute_slices"], r["name"]))
    return rows, None


def _place(rows, used, index, compute_left, result):
    if index == len(rows):
        return True
    row = rows[index]
    if row["compute_slices"] > compute_left:
        return False
    for place in row["placements"]:
        span = range(place["start"], place["start"] + place["size"])
        if any(used[s] for s in span):
            continue
        for s in span:
            used[s] = True
        result.append((row, place))
        if _place(rows, used, index + 1, compute_left - row["compute_slices"], result):
            return True
        result.pop()
        for s in span:
            used[s] = False
    return False


def plan_layout(model, instances):
    """Return (placements, error).

    placements: list of {"profile", "profile_id", "nvml_profile", "start", "size",
    "compute_slices"} in creation order (largest first), or None with an error string.
    """
    rows, err = _expand(model, instances)
    if err:
        return None, err
    mem = sum(r["memory_slices"] for r in rows)
    comp = sum(r["compute_slices"] for r in rows)
    if mem > MEMORY_SLICES:
        return None, "layout needs %d of %d memory slices on %s" % (mem, MEMORY_SLICES, model)
    if comp > COMPUTE_SLICES:
        return None, "layout needs %d of %d compute slices on %s" % (comp, COMPUTE_SLICES, model)
    result = []
    if not _place(rows, [False] * MEMORY_SLICES, 0, COMPUTE_SLICES, result):
        return None, (
            "layout %s cannot be placed on one %s: no combination of the valid "
            "placements (start:size over 8 memory slices) avoids overlap" % (", ".join(r["name"] for r in rows), model)
        )
    return [
        {
            "profile": row["name"],
            "profile_id": row["profile_id"],
            "nvml_profile": row["nvml_profile"],
            "compute_slices": row["compute_slices"],
            "start": place["start"],
            "size": place["size"],
        }
        for row, place in result
    ], None


def layout_fits(model, instances):
    """None when ``instances`` ([{profile, count}]) fit on one GPU of ``model``, else an error string."""
    dummy, err = plan_layout(model, instances)
    return err
