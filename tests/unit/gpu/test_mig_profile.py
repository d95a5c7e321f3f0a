# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig import MigManager
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError
from ansible_collections.hyperscaler.workstation.plugins.modules import mig_profile
from helpers.module_harness import run_module
from sim_nvml import SimGpu, SimNvml

H100, A100, H200 = "0000:41:00.0", "0000:81:00.0", "0000:c1:00.0"
MIXED = [{"profile": "1g.10gb"}, {"profile": "2g.20gb"}, {"profile": "4g.40gb"}]


def manager(*gpus):
    sim = SimNvml(list(gpus))
    adapter = NvmlAdapter(sim)
    adapter.init()
    return sim, MigManager(adapter)


def test_hopper_mixed_layout_created_largest_first():
    gpu = SimGpu("H100-80GB", H100)
    sim, mgr = manager(gpu)
    res = mgr.run(H100, True, MIXED)
    assert res["changed"] and res["destructive"] and res["destructive_gpus"] == [H100]
    g = res["gpus"][0]
    assert g["mig_mode_current"] is True and g["reset_required"] is False and g["persistent"] is False
    assert [(i["profile"], i["start"]) for i in sorted(g["instances_after"], key=lambda i: i["gpu_instance_id"])] == [
        ("4g.40gb", 0),
        ("2g.20gb", 4),
        ("1g.10gb", 6),
    ]
    assert len(res["mig_devices"]) == 3 and all(d["uuid"].startswith("MIG-") for d in res["mig_devices"])
    assert sorted(d["profile"] for d in res["mig_devices"]) == ["1g.10gb", "2g.20gb", "4g.40gb"]
    # idempotent: same layout in any order -> no NVML writes
    sim.calls[:] = []
    again = mgr.run("0", True, list(reversed(MIXED)))
    assert again["changed"] is False and sim.calls == []
    assert sorted(d["uuid"] for d in again["mig_devices"]) == sorted(d["uuid"] for d in res["mig_devices"])


def test_change_is_destructive_and_only_for_differing_gpus():
    a = SimGpu("H100-80GB", H100)
    b = SimGpu("H200-141GB", H200)
    sim, mgr = manager(a, b)
    mgr.run(H100, True, MIXED)
    mgr.run(H200, True, [{"profile": "7g.141gb"}])
    res = mgr.run(H100, True, [{"profile": "3g.40gb", "count": 2}])
    assert res["destructive_gpus"] == [H100]
    assert sorted(i["profile"] for i in res["gpus"][0]["instances_after"]) == ["3g.40gb", "3g.40gb"]
    assert [gi["profile"]["name"] for gi in b.gis.values()] == ["7g.141gb"]


def test_all_gpus_invalid_layout_changes_nothing():
    a, b = SimGpu("H100-80GB", H100), SimGpu("A100-40GB", A100)
    sim, mgr = manager(a, b)
    with pytest.raises(HostError) as err:
        mgr.run("all", True, [{"profile": "3g.40gb", "count": 2}])
    assert "3g.40gb' does not exist on A100-40GB" in str(err.value)
    assert sim.calls == []


def test_invalid_layout_message_names_valid_profiles():
    sim, mgr = manager(SimGpu("H200-141GB", H200))
    with pytest.raises(HostError) as err:
        mgr.run(H200, True, [{"profile": "1g.10gb"}])
    assert "valid profiles: 1g.18gb" in str(err.value)
    with pytest.raises(HostError) as err:
        mgr.run(H200, True, [{"profile": "7g.141gb"}, {"profile": "1g.18gb"}])
    assert "memory slices" in str(err.value)


def test_ampere_reports_reset_required_then_creates_after_reset():
    gpu = SimGpu("A100-80GB", A100)
    sim, mgr = manager(gpu)
    res = mgr.run(A100, True, [{"profile": "3g.40gb"}, {"profile": "2g.20gb"}, {"profile": "1g.10gb", "count": 2}])
    g = res["gpus"][0]
    assert res["changed"] and g["reset_required"] and res["reset_required"] and g["persistent"] is True
    assert g["mig_mode_current"] is False and g["mig_mode_pending"] is True and gpu.gis == {}
    # rerun before the reset: nothing to do but wait
    again = mgr.run(A100, True, [{"profile": "3g.40gb"}])
    assert again["changed"] is False and again["reset_required"]
    sim.reset(gpu)
    done = mgr.run(A100, True, [{"profile": "3g.40gb"}, {"profile": "2g.20gb"}, {"profile": "1g.10gb", "count": 2}])
    assert done["changed"] and not done["reset_required"] and len(done["mig_devices"]) == 4


def test_refuses_with_processes_unless_force():
    gpu = SimGpu("H100-80GB", H100, processes=[1234])
    sim, mgr = manager(gpu)
    with pytest.raises(HostError) as err:
        mgr.run(H100, True, MIXED)
    assert "1234" in str(err.value) and "force" in str(err.value)
    assert sim.calls == []
    gpu.processes = []  # force needs the driver to accept; the sim refuses SetMigMode while busy
    assert mgr.run(H100, True, MIXED, force=True)["changed"]


def test_disable_destroys_instances():
    gpu = SimGpu("H100-80GB", H100)
    sim, mgr = manager(gpu)
    mgr.run(H100, True, MIXED)
    res = mgr.run("all", False, [])
    assert res["changed"] and gpu.gis == {} and gpu.mig_current == 0
    assert mgr.run("all", False, [])["changed"] is False


def test_check_mode_makes_no_nvml_writes():
    gpu = SimGpu("H100-80GB", H100)
    sim, mgr = manager(gpu)
    res = mgr.run(H100, True, MIXED, check_mode=True)
    assert res["changed"] and sim.calls == [] and gpu.mig_current == 0
    assert [i["profile"] for i in res["gpus"][0]["instances_after"]] == ["4g.40gb", "2g.20gb", "1g.10gb"]


def test_non_mig_gpu_and_unknown_selector():
    sim, mgr = manager(SimGpu("L4", "0000:05:00.0"))
    with pytest.raises(HostError, match="does not support MIG"):
        mgr.run("0", True, [{"profile": "1g.10gb"}])
    with pytest.raises(HostError, match="index 3 does not exist"):
        mgr.run("3", True, [])
    with pytest.raises(HostError, match="No GPU at"):
        mgr.run("0000:06:00.0", True, [])


def test_module_main_with_sim(monkeypatch):
    sim = SimNvml([SimGpu("H100-80GB", H100)])
    monkeypatch.setattr(mig_profile, "pynvml", sim)
    out = run_module(mig_profile, {"gpu": H100, "instances": MIXED}, monkeypatch, diff=True)
    assert out["changed"] and out["destructive"] and len(out["mig_devices"]) == 3
    assert H100 in out["diff"]["after"]
    out = run_module(mig_profile, {"gpu": H100, "instances": MIXED}, monkeypatch)
    assert out["changed"] is False


def test_module_check_mode_without_nvml_uses_sysfs(two_gpu_host, monkeypatch):
    monkeypatch.setattr(mig_profile, "pynvml", SimNvml([], fail_init=True))
    out = run_module(
        mig_profile, {"gpu": H100, "instances": MIXED, "sysfs_root": two_gpu_host.sys}, monkeypatch, check_mode=True
    )
    assert out["changed"] and out["gpus"][0]["model"] == "H100-80GB"
    out = run_module(
        mig_profile,
        {"gpu": H100, "instances": [{"profile": "7g.80gb", "count": 2}], "sysfs_root": two_gpu_host.sys},
        monkeypatch,
        check_mode=True,
    )
    assert out["failed"] and "at most 1" in out["msg"]
    out = run_module(mig_profile, {"gpu": H100, "instances": MIXED, "sysfs_root": two_gpu_host.sys}, monkeypatch)
    assert out["failed"] and "NVML did not initialise" in out["msg"]
