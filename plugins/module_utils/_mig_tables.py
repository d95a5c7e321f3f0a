# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""MIG GPU-instance profile tables and a placement solver.

Data from NVIDIA's MIG User Guide ("Supported MIG Profiles": names, instance counts, slices) and what
``nvidia-smi mig -lgip`` / ``-lgipp`` print on these boards (profile ids, placements). A placement is
``(start, size)`` over the memory slices, as ``-lgipp`` shows ``{0,2,4,6}:2``. A100 and Hopper boards have
8 memory slices and 7 compute slices; the A30 4 and 4, with profile ids of its own.

``nvml_profile`` is the enum passed to ``nvmlDeviceGetGpuInstanceProfileInfo``
(``NVML_GPU_INSTANCE_PROFILE_*``); ``profile_id`` is the id that call returns
and that ``nvidia-smi mig -lgip`` prints in its ``ID`` column (also the
argument of the placement/create calls).

Which board has which model is the GPU table's business (``_gpu_models.mig_model``), not this file's.
The tests' simulated driver (tests/unit/gpu/nvml_stub) carries its own transcription, and a test compares them.
This file imports nothing, so that standalone tools (tests/gpu/check_real_gpu.py) can use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# NVML_GPU_INSTANCE_PROFILE_* enum values (nvml.h)
NVML_GI_1_SLICE = 0
NVML_GI_2_SLICE = 1
NVML_GI_3_SLICE = 2
NVML_GI_4_SLICE = 3
NVML_GI_7_SLICE = 4
NVML_GI_1_SLICE_REV1 = 7  # 1g + media extensions (+me)
NVML_GI_2_SLICE_REV1 = 8  # 2g + media extensions (A30)
NVML_GI_1_SLICE_REV2 = 9  # 1g with two memory slices

# NVML_COMPUTE_INSTANCE_PROFILE_* for a compute instance that spans the whole GI
CI_PROFILE_FOR_COMPUTE_SLICES = {1: 0, 2: 1, 3: 2, 4: 3, 7: 4}

_ENUM = {
    "1g": NVML_GI_1_SLICE,
    "1g+me": NVML_GI_1_SLICE_REV1,
    "1g2": NVML_GI_1_SLICE_REV2,
    "2g": NVML_GI_2_SLICE,
    "2g+me": NVML_GI_2_SLICE_REV1,
    "3g": NVML_GI_3_SLICE,
    "4g": NVML_GI_4_SLICE,
    "7g": NVML_GI_7_SLICE,
}


def _placements(text):
    """'{0,2,4}:2' (as -lgipp prints it) -> [{'start': 0, 'size': 2}, ...]"""
    starts, size = text.split(":")
    return [{"start": int(s), "size": int(size)} for s in starts.strip("{}").split(",")]


def _model(architecture, memory_gb, slices, rows):
    """rows: (kind, name, profile id, compute slices, max instances, placements); kind keys _ENUM."""
    profiles = {}
    for kind, name, pid, compute, most, places in rows:
        placements = _placements(places)
        profiles[name] = {
            "name": name,
            "nvml_profile": _ENUM[kind],
            "profile_id": pid,
            "compute_slices": compute,
            "memory_slices": placements[0]["size"],
            "max_instances": most,
            "placements": placements,
        }
    return {
        "architecture": architecture,
        "memory_gb": memory_gb,
        "compute_slices": slices[0],
        "memory_slices": slices[1],
        "profiles": profiles,
    }


_ONE, _TWO_ANY, _TWO, _FOUR, _FOUR_LOW, _EIGHT = (
    "{0,1,2,3,4,5,6}:1",
    "{0,2,4,6}:2",
    "{0,2,4}:2",
    "{0,4}:4",
    "{0}:4",
    "{0}:8",
)


def _ga100_gh100(architecture, memory_gb, one, one_double, two, three, four, seven):
    """The seven profiles every A100 and Hopper board has, named by their memory labels."""
    return _model(
        architecture,
        memory_gb,
        (7, 8),
        [
            ("1g", "1g.%s" % one, 19, 1, 7, _ONE),
            ("1g+me", "1g.%s+me" % one, 20, 1, 1, _ONE),
            ("1g2", "1g.%s" % one_double, 15, 1, 4, _TWO_ANY),
            ("2g", "2g.%s" % two, 14, 2, 3, _TWO),
            ("3g", "3g.%s" % three, 9, 3, 2, _FOUR),
            ("4g", "4g.%s" % four, 5, 4, 1, _FOUR_LOW),
            ("7g", "7g.%s" % seven, 0, 7, 1, _EIGHT),
        ],
    )


# Keyed by the MIG model of the GPU table (_gpu_models.mig_model), which maps device ids to these keys.
MIG_MODELS = {
    "A100-40GB": _ga100_gh100("ampere", 40, "5gb", "10gb", "10gb", "20gb", "20gb", "40gb"),
    "A100-80GB": _ga100_gh100("ampere", 80, "10gb", "20gb", "20gb", "40gb", "40gb", "80gb"),
    "A30-24GB": _model(
        "ampere",
        24,
        (4, 4),
        [
            ("1g", "1g.6gb", 14, 1, 4, "{0,1,2,3}:1"),
            ("1g+me", "1g.6gb+me", 21, 1, 1, "{0,1,2,3}:1"),
            ("2g", "2g.12gb", 5, 2, 2, "{0,2}:2"),
            ("2g+me", "2g.12gb+me", 6, 2, 1, "{0,2}:2"),
            ("4g", "4g.24gb", 0, 4, 1, "{0}:4"),
        ],
    ),
    "H100-80GB": _ga100_gh100("hopper", 80, "10gb", "20gb", "20gb", "40gb", "40gb", "80gb"),
    "H100-94GB": _ga100_gh100("hopper", 94, "12gb", "24gb", "24gb", "47gb", "47gb", "94gb"),
    "GH200-96GB": _ga100_gh100("hopper", 96, "12gb", "24gb", "24gb", "48gb", "48gb", "96gb"),
    "GH200-144GB": _ga100_gh100("hopper", 144, "18gb", "36gb", "36gb", "72gb", "72gb", "144gb"),
    "H200-141GB": _ga100_gh100("hopper", 141, "18gb", "35gb", "35gb", "71gb", "71gb", "141gb"),
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
    table = MIG_MODELS[model]
    mem = sum(r["memory_slices"] for r in rows)
    comp = sum(r["compute_slices"] for r in rows)
    if mem > table["memory_slices"]:
        return None, "layout needs %d of %d memory slices on %s" % (mem, table["memory_slices"], model)
    if comp > table["compute_slices"]:
        return None, "layout needs %d of %d compute slices on %s" % (comp, table["compute_slices"], model)
    result = []
    if not _place(rows, [False] * table["memory_slices"], 0, table["compute_slices"], result):
        return None, (
            "layout %s cannot be placed on one %s: no combination of the valid "
            "placements (start:size over the memory slices) avoids overlap"
            % (", ".join(r["name"] for r in rows), model)
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
