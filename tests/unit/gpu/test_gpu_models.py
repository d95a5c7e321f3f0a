# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The one GPU table (plugins/module_utils/_gpu_models.py) and the readers that must follow it."""

from __future__ import absolute_import, division, print_function

import re

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models as gm
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables
from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_inventory import GpuInventory
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig import plan_from_sysfs
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import PciSysfs


@pytest.mark.parametrize("dev,board", [("2335", "NVIDIA H200"), ("233b", "NVIDIA H200 NVL")])
def test_h200_boards(dev, board):
    assert gm.gres_type(dev) == "h200"
    assert gm.mig_model(dev) == "H200-141GB"
    assert gm.board_name(dev) == board


@pytest.mark.parametrize("form", ["2330", "0x2330", "0X2330", "10de:2330", "10DE:2330", " 2330\n", 0x2330])
def test_device_id_forms(form):
    entry = gm.lookup(form)
    assert entry is not None and entry.device_id == "2330"
    assert (entry.name, entry.mig_model, entry.gres_type) == ("NVIDIA H100 80GB HBM3", "H100-80GB", "h100")


@pytest.mark.parametrize("dev", ["ffff", "0x1234", "10de:abcd", "", None])
def test_unknown_board_is_generic(dev):
    assert gm.lookup(dev) is None
    assert gm.gres_type(dev) == gm.GENERIC_GRES_TYPE == "generic"
    assert gm.mig_model(dev) is None and gm.board_name(dev) is None


def test_board_without_mig():
    assert gm.gres_type("27b8") == "l4" and gm.mig_model("27b8") is None and gm.board_name("27b8") == "NVIDIA L4"


def test_every_mig_model_has_a_profile_table():
    mig = set(m.mig_model for m in gm.GPU_MODELS.values() if m.mig_model)
    assert mig and mig <= set(_mig_tables.model_names())


def test_gres_types_are_slurm_names():
    for entry in gm.GPU_MODELS.values():
        assert re.match(r"^[a-z][a-z0-9]*$", entry.gres_type), entry


def test_boards_are_known_by_device_id_only():
    """20b3 is an A100-SXM 64 GB with no published MIG table; a GH200 is not an H200; export variants keep their
    names; an id the table lacks is unknown, whatever NVML calls the board."""
    assert (gm.board_name("20b3"), gm.mig_model("20b3")) == ("NVIDIA A100-SXM-64GB", None)
    assert [gm.mig_model(d) for d in ("2342", "2348", "2335")] == ["GH200-96GB", "GH200-144GB", "H200-141GB"]
    assert gm.gres_type("2342") == "gh200" != gm.gres_type("2335")
    assert (gm.board_name("20f3"), gm.mig_model("20f3"), gm.gres_type("20f3")) == (
        "NVIDIA A800-SXM4-80GB",
        "A100-80GB",
        "a800",
    )
    assert (gm.board_name("2324"), gm.mig_model("2324"), gm.gres_type("2324")) == ("NVIDIA H800", "H100-80GB", "h800")
    assert (gm.mig_model("20b7"), gm.mig_model("2321")) == ("A30-24GB", "H100-94GB")
    assert not hasattr(gm, "lookup_name") and gm.lookup("2329") is None  # H20: no published table, not guessed


def test_readers_follow_the_table(host, monkeypatch):
    """gpu_info and mig_profile's sysfs plan name a board only through the table: a changed row shows up in both."""
    host.add_gpu_pair("0000:41:00", 3, device="233b")
    sysfs = PciSysfs(host.sys)
    info = GpuInventory(sysfs).describe("0000:41:00.0")
    assert (info["model"], info["mig_model"], info["mig_capable"]) == ("NVIDIA H200 NVL", "H200-141GB", True)
    assert plan_from_sysfs(sysfs, "all", True, [{"profile": "7g.141gb"}])["gpus"][0]["model"] == "H200-141GB"

    monkeypatch.setitem(gm.GPU_MODELS, "233b", gm.GpuModel("233b", "Renamed board", None, "h200"))
    info = GpuInventory(sysfs).describe("0000:41:00.0")
    assert (info["model"], info["mig_model"], info["mig_capable"]) == ("Renamed board", None, False)
    with pytest.raises(Exception, match="does not support MIG"):
        plan_from_sysfs(sysfs, "all", True, [{"profile": "7g.141gb"}])
