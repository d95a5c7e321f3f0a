# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""mig_profile's logic against the NVML stand-in (nvml_stub: the real pynvml calling a C libnvidia-ml with its
own MIG tables and the driver's documented mode semantics)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig import MigManager
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError
from ansible_collections.hyperscaler.workstation.plugins.modules import mig_profile
from helpers.module_harness import run_module
from nvml_stub import Nvml

H100, A100, H200, A30 = "0000:41:00.0", "0000:81:00.0", "0000:c1:00.0", "0000:05:00.0"
MIXED = [{"profile": "1g.10gb"}, {"profile": "2g.20gb"}, {"profile": "4g.40gb"}]
A100_LAYOUT = [{"profile": "3g.40gb"}, {"profile": "2g.20gb"}, {"profile": "1g.10gb", "count": 2}]


def manager(nvml):
    adapter = NvmlAdapter(nvml.pynvml)
    adapter.init()
    return MigManager(adapter)


def profiles(gpu):
    return sorted(gi[1] for gi in gpu.state["gis"])


def test_hopper_mixed_layout_created_largest_first():
    nvml = Nvml()
    gpu = nvml.add_gpu(H100, "2330")
    mgr = manager(nvml)
    res = mgr.run(H100, True, MIXED)
    assert res["changed"] and res["destructive"] and res["destructive_gpus"] == [H100]
    g = res["gpus"][0]
    assert g["mig_mode_current"] is True and g["reset_required"] is False and g["persistent"] is False
    assert g["activation_status"] == 0
    assert nvml.calls[:2] == ["SetMigMode", "CreateGpuInstance"]
    assert [(gi[1], gi[2], gi[3]) for gi in gpu.state["gis"]] == [
        ("4g.40gb", 0, 4),
        ("2g.20gb", 4, 2),
        ("1g.10gb", 6, 1),
    ]
    # each GPU instance has one compute instance spanning it (CI profiles 4c = 3, 2c = 1, 1c = 0)
    assert [gi[4] for gi in gpu.state["gis"]] == [[3], [1], [0]]
    assert len(res["mig_devices"]) == 3 and all(d["uuid"].startswith("MIG-") for d in res["mig_devices"])
    assert sorted(d["profile"] for d in res["mig_devices"]) == ["1g.10gb", "2g.20gb", "4g.40gb"]
    # idempotent: same layout in any order -> no NVML writes
    nvml.clear_calls()
    again = mgr.run("0", True, list(reversed(MIXED)))
    assert again["changed"] is False and nvml.calls == []
    assert sorted(d["uuid"] for d in again["mig_devices"]) == sorted(d["uuid"] for d in res["mig_devices"])


def test_change_is_destructive_and_only_for_differing_gpus():
    nvml = Nvml()
    nvml.add_gpu(H100, "2330")
    b = nvml.add_gpu(H200, "2335")
    mgr = manager(nvml)
    mgr.run(H100, True, MIXED)
    mgr.run(H200, True, [{"profile": "7g.141gb"}])
    res = mgr.run(H100, True, [{"profile": "3g.40gb", "count": 2}])
    assert res["destructive_gpus"] == [H100]
    assert sorted(i["profile"] for i in res["gpus"][0]["instances_after"]) == ["3g.40gb", "3g.40gb"]
    assert profiles(b) == ["7g.141gb"]


def test_all_gpus_invalid_layout_changes_nothing():
    nvml = Nvml()
    nvml.add_gpu(H100, "2330")
    nvml.add_gpu(A100, "20b0")
    with pytest.raises(HostError) as err:
        manager(nvml).run("all", True, [{"profile": "3g.40gb", "count": 2}])
    assert "3g.40gb' does not exist on A100-40GB" in str(err.value)
    assert nvml.calls == []


def test_invalid_layout_message_names_valid_profiles():
    nvml = Nvml()
    nvml.add_gpu(H200, "2335")
    mgr = manager(nvml)
    with pytest.raises(HostError) as err:
        mgr.run(H200, True, [{"profile": "1g.10gb"}])
    assert "valid profiles: 1g.18gb" in str(err.value)
    with pytest.raises(HostError) as err:
        mgr.run(H200, True, [{"profile": "7g.141gb"}, {"profile": "1g.18gb"}])
    assert "memory slices" in str(err.value)


def test_an_idle_ampere_gpu_is_reset_by_the_driver_and_gets_its_layout_in_one_run():
    nvml = Nvml()
    gpu = nvml.add_gpu(A100, "20b2")
    res = manager(nvml).run(A100, True, A100_LAYOUT)
    g = res["gpus"][0]
    assert res["changed"] and not res["reset_required"] and g["persistent"] is True
    assert g["mig_mode_current"] is True and len(res["mig_devices"]) == 4
    assert profiles(gpu) == ["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"]


def test_a_busy_gpu_keeps_the_mode_pending_until_a_rerun_finds_it_idle():
    nvml = Nvml()
    gpu = nvml.add_gpu(A100, "20b2")
    gpu.add_process(4242)
    mgr = manager(nvml)
    with pytest.raises(HostError, match="4242"):
        mgr.run(A100, True, A100_LAYOUT)
    res = mgr.run(A100, True, A100_LAYOUT, force=True)
    g = res["gpus"][0]
    assert res["changed"] and g["reset_required"] and res["reset_required"]
    assert g["activation_status"] == nvml.pynvml.NVML_ERROR_IN_USE
    assert (g["mig_mode_current"], g["mig_mode_pending"]) == (False, True) and gpu.state["gis"] == []
    # still busy: the retry changes nothing and still reports the reset
    again = mgr.run(A100, True, A100_LAYOUT, force=True)
    assert again["changed"] is False and again["reset_required"]
    gpu.clear_processes()
    done = mgr.run(A100, True, A100_LAYOUT)
    assert done["changed"] and not done["reset_required"] and len(done["mig_devices"]) == 4


def test_in_a_passthrough_vm_the_mode_waits_for_a_reboot():
    nvml = Nvml()
    gpu = nvml.add_gpu(A100, "20b0")
    gpu.reset_unavailable()
    mgr = manager(nvml)
    res = mgr.run(A100, True, [{"profile": "7g.40gb"}])
    assert res["reset_required"] and res["gpus"][0]["activation_status"] == nvml.pynvml.NVML_ERROR_RESET_REQUIRED
    gpu.reset()  # the VM's reboot
    done = mgr.run(A100, True, [{"profile": "7g.40gb"}])
    assert done["changed"] and not done["reset_required"] and profiles(gpu) == ["7g.40gb"]


def test_a30_has_four_slices_and_its_own_profile_ids():
    nvml = Nvml()
    gpu = nvml.add_gpu(A30, "20b7")
    mgr = manager(nvml)
    res = mgr.run(A30, True, [{"profile": "2g.12gb"}, {"profile": "1g.6gb", "count": 2}])
    assert res["changed"] and profiles(gpu) == ["1g.6gb", "1g.6gb", "2g.12gb"]
    with pytest.raises(HostError, match="compute slices|memory slices"):
        mgr.run(A30, True, [{"profile": "4g.24gb"}, {"profile": "1g.6gb"}])


def test_refuses_with_processes_unless_force():
    nvml = Nvml()
    gpu = nvml.add_gpu(H100, "2330")
    gpu.add_process(1234)
    mgr = manager(nvml)
    with pytest.raises(HostError) as err:
        mgr.run(H100, True, MIXED)
    assert "1234" in str(err.value) and "force" in str(err.value)
    assert nvml.calls == []


def test_disable_destroys_instances():
    nvml = Nvml()
    gpu = nvml.add_gpu(H100, "2330")
    mgr = manager(nvml)
    mgr.run(H100, True, MIXED)
    res = mgr.run("all", False, [])
    assert res["changed"] and gpu.state == {"mig": (0, 0), "gis": []}
    assert mgr.run("all", False, [])["changed"] is False


def test_check_mode_makes_no_nvml_writes_and_predicts_the_run():
    nvml = Nvml()
    gpu = nvml.add_gpu(H100, "2330")
    mgr = manager(nvml)
    res = mgr.run(H100, True, MIXED, check_mode=True)
    assert res["changed"] and nvml.calls == [] and gpu.state["mig"] == (0, 0)
    predicted = [(i["profile"], i["start"]) for i in res["gpus"][0]["instances_after"]]
    real = mgr.run(H100, True, MIXED)
    assert predicted == [(i["profile"], i["start"]) for i in real["gpus"][0]["instances_after"]]
    assert mgr.run(H100, True, MIXED, check_mode=True)["changed"] is False


def test_unknown_or_tableless_boards_are_refused_not_guessed():
    nvml = Nvml()
    nvml.add_gpu("0000:05:00.0", "27b8")  # L4: no MIG
    nvml.add_gpu("0000:06:00.0", "20b3")  # A100-SXM-64GB: MIG, but no published table
    mgr = manager(nvml)
    with pytest.raises(HostError, match="no MIG table"):
        mgr.run("0", True, [{"profile": "1g.10gb"}])
    with pytest.raises(HostError, match="A100-SXM-64GB.*no MIG table"):
        mgr.run("0000:06:00.0", True, [{"profile": "1g.10gb"}])
    with pytest.raises(HostError, match="index 3 does not exist"):
        mgr.run("3", True, [])
    with pytest.raises(HostError, match="No GPU at"):
        mgr.run("0000:07:00.0", True, [])


def test_module_main_with_the_stub(monkeypatch):
    nvml = Nvml()
    nvml.add_gpu(H100, "2330")
    monkeypatch.setattr(mig_profile, "pynvml", nvml.pynvml)
    out = run_module(mig_profile, {"gpu": H100, "instances": MIXED}, monkeypatch, diff=True)
    assert out["changed"] and out["destructive"] and len(out["mig_devices"]) == 3
    assert H100 in out["diff"]["after"]
    out = run_module(mig_profile, {"gpu": H100, "instances": MIXED}, monkeypatch)
    assert out["changed"] is False


def test_module_check_mode_without_nvml_uses_sysfs(two_gpu_host, monkeypatch):
    nvml = Nvml(init_error=9)  # NVML_ERROR_DRIVER_NOT_LOADED
    monkeypatch.setattr(mig_profile, "pynvml", nvml.pynvml)
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
