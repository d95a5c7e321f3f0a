# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mt


def test_models_and_names():
    assert mt.model_names() == [
        "A100-40GB",
        "A100-80GB",
        "A30-24GB",
        "GH200-144GB",
        "GH200-96GB",
        "H100-80GB",
        "H100-94GB",
        "H200-141GB",
    ]
    assert sorted(mt.MIG_MODELS["A30-24GB"]["profiles"]) == ["1g.6gb", "1g.6gb+me", "2g.12gb", "2g.12gb+me", "4g.24gb"]
    assert (mt.MIG_MODELS["A30-24GB"]["compute_slices"], mt.MIG_MODELS["A30-24GB"]["memory_slices"]) == (4, 4)
    assert sorted(mt.MIG_MODELS["H200-141GB"]["profiles"]) == sorted(
        ["1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"]
    )
    assert sorted(mt.MIG_MODELS["A100-40GB"]["profiles"]) == sorted(
        ["1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"]
    )


def test_profile_rows_match_nvidia_smi():
    p = mt.MIG_MODELS["H100-80GB"]["profiles"]
    assert (p["1g.10gb"]["profile_id"], p["1g.10gb"]["max_instances"], p["1g.10gb"]["memory_slices"]) == (19, 7, 1)
    assert (p["1g.10gb+me"]["profile_id"], p["1g.10gb+me"]["max_instances"]) == (20, 1)
    assert (p["1g.20gb"]["profile_id"], p["1g.20gb"]["memory_slices"], p["1g.20gb"]["max_instances"]) == (15, 2, 4)
    assert [x["start"] for x in p["1g.20gb"]["placements"]] == [0, 2, 4, 6]
    assert [x["start"] for x in p["2g.20gb"]["placements"]] == [0, 2, 4]
    assert p["3g.40gb"]["placements"] == [{"start": 0, "size": 4}, {"start": 4, "size": 4}]
    assert p["4g.40gb"]["placements"] == [{"start": 0, "size": 4}]
    assert p["7g.80gb"]["placements"] == [{"start": 0, "size": 8}]
    assert (p["7g.80gb"]["profile_id"], p["7g.80gb"]["nvml_profile"]) == (0, 4)


@pytest.mark.parametrize(
    "dev,model",
    [
        ("20b0", "A100-40GB"),
        ("0x20f1", "A100-40GB"),
        ("20b2", "A100-80GB"),
        ("20B5", "A100-80GB"),
        ("2330", "H100-80GB"),
        ("10de:2331", "H100-80GB"),
        ("2335", "H200-141GB"),
        ("27b8", None),
        (None, None),
    ],
)
def test_model_for_device_id(dev, model):
    assert _gpu_models.mig_model(dev) == model


@pytest.mark.parametrize(
    "model,layout",
    [
        ("H100-80GB", [{"profile": "7g.80gb", "count": 1}]),
        ("H100-80GB", [{"profile": "1g.10gb", "count": 7}]),
        ("H100-80GB", [{"profile": "4g.40gb"}, {"profile": "2g.20gb"}, {"profile": "1g.10gb"}]),
        ("H100-80GB", [{"profile": "3g.40gb", "count": 2}]),
        ("A100-40GB", [{"profile": "1g.10gb", "count": 4}]),
        ("A100-80GB", [{"profile": "2g.20gb", "count": 3}, {"profile": "1g.10gb", "count": 1}]),
        (
            "H200-141GB",
            [{"profile": "3g.71gb"}, {"profile": "2g.35gb"}, {"profile": "1g.18gb+me"}, {"profile": "1g.18gb"}],
        ),
        ("H200-141GB", []),
    ],
)
def test_valid_layouts(model, layout):
    assert mt.layout_fits(model, layout) is None


@pytest.mark.parametrize(
    "model,layout,words",
    [
        ("B200", [{"profile": "1g.23gb"}], "unknown MIG model"),
        ("H100-80GB", [{"profile": "1g.5gb"}], "valid profiles: 1g.10gb"),
        ("H100-80GB", [{"profile": "1g.10gb", "count": 8}], "at most 7"),
        ("H100-80GB", [{"profile": "1g.10gb+me", "count": 2}], "at most 1"),
        ("H100-80GB", [{"profile": "4g.40gb"}, {"profile": "4g.40gb"}], "at most 1"),
        ("H100-80GB", [{"profile": "7g.80gb"}, {"profile": "1g.10gb"}], "memory slices"),
        ("H100-80GB", [{"profile": "3g.40gb", "count": 2}, {"profile": "1g.10gb"}], "memory slices"),
        ("H100-80GB", [{"profile": "4g.40gb"}, {"profile": "3g.40gb"}, {"profile": "1g.10gb"}], "slices"),
        ("H100-80GB", [{"profile": "2g.20gb", "count": 2}, {"profile": "4g.40gb"}], "compute slices"),
        ("H100-80GB", [{"profile": "3g.40gb", "count": "two"}], "integer"),
        ("H100-80GB", [{"count": 1}], "needs a 'profile'"),
    ],
)
def test_invalid_layouts(model, layout, words):
    err = mt.layout_fits(model, layout)
    assert err is not None and words in err, err


def test_plan_orders_largest_first_and_backtracks():
    plan, err = mt.plan_layout("H100-80GB", [{"profile": "1g.10gb"}, {"profile": "2g.20gb"}, {"profile": "4g.40gb"}])
    assert err is None
    assert [(p["profile"], p["start"]) for p in plan] == [("4g.40gb", 0), ("2g.20gb", 4), ("1g.10gb", 6)]
    # 1g.20gb first-fit at 0 would block nothing here, but 3g must take slot 4 after 4g... backtracking case:
    plan, err = mt.plan_layout("H100-80GB", [{"profile": "1g.20gb", "count": 2}, {"profile": "2g.20gb", "count": 2}])
    assert err is None
    starts = sorted((p["start"], p["size"]) for p in plan)
    assert starts == [(0, 2), (2, 2), (4, 2), (6, 2)]
    assert [p["profile"] for p in plan if p["start"] == 6] == ["1g.20gb"]


def test_exhaustive_h100_placement_matches_slice_budget():
    """Every count combination: the solver places it exactly when memory <= 8, compute <= 7 and
    the per-profile maximum hold (NVIDIA's tables have no placement-only dead ends)."""
    import itertools

    profiles = mt.MIG_MODELS["H100-80GB"]["profiles"]
    names = sorted(profiles)
    for counts in itertools.product(*[range(profiles[n]["max_instances"] + 1) for n in names]):
        layout = [{"profile": n, "count": c} for n, c in zip(names, counts) if c]
        mem = sum(profiles[n]["memory_slices"] * c for n, c in zip(names, counts))
        comp = sum(profiles[n]["compute_slices"] * c for n, c in zip(names, counts))
        assert (mt.layout_fits("H100-80GB", layout) is None) == (mem <= 8 and comp <= 7), layout


def test_placement_failure_message():
    rows = [dict(mt.MIG_MODELS["H100-80GB"]["profiles"]["2g.20gb"])] * 4
    assert not mt._place(rows, [False] * 8, 0, 8, [])
