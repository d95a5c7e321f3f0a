# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._mdev import MdevManager, mdev_uuid, record_vm
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError
from ansible_collections.hyperscaler.workstation.plugins.modules import mdev as mdev_module
from gpu_fakes import FakeKernel
from helpers.module_harness import run_module

PARENT = "0000:41:00.0"


@pytest.fixture
def vgpu_host(host):
    host.add_gpu_pair("0000:41:00", 14)
    host.add_mdev_type(PARENT, "nvidia-1024", available=4)
    return host


def mgr(host, kernel=None):
    return MdevManager(kernel or FakeKernel(host), os.path.join(host.etc, "mdevctl.d"))


def test_uuids_are_stable():
    assert mdev_uuid(PARENT, "nvidia-1024", 0) == mdev_uuid(PARENT, "nvidia-1024", 0)
    assert mdev_uuid(PARENT, "nvidia-1024", 0) != mdev_uuid(PARENT, "nvidia-1024", 1)


def test_create_idempotent_shrink_remove(vgpu_host):
    res = mgr(vgpu_host).run(PARENT, "nvidia-1024", 2)
    assert res["changed"] and len(res["created"]) == 2 and res["mode"] == "mdev"
    for uid in res["uuids"]:
        assert os.path.isdir(vgpu_host.dev(PARENT, uid))
        with open(os.path.join(vgpu_host.etc, "mdevctl.d", PARENT, uid)) as handle:
            assert json.load(handle) == {"mdev_type": "nvidia-1024", "start": "auto", "attrs": []}
    k = FakeKernel(vgpu_host)
    again = mgr(vgpu_host, k).run(PARENT, "nvidia-1024", 2)
    assert again["changed"] is False and again["uuids"] == res["uuids"] and k.writes == []
    one = mgr(vgpu_host).run(PARENT, "nvidia-1024", 1)
    assert one["removed"] == [res["uuids"][1]] and not os.path.exists(vgpu_host.dev(PARENT, res["uuids"][1]))
    gone = mgr(vgpu_host).run(PARENT, "nvidia-1024", state="absent")
    assert gone["removed"] == [res["uuids"][0]] and os.listdir(os.path.join(vgpu_host.etc, "mdevctl.d", PARENT)) == []


def test_check_mode_and_capacity(vgpu_host):
    before = vgpu_host.snapshot()
    k = FakeKernel(vgpu_host)
    res = mgr(vgpu_host, k).run(PARENT, "nvidia-1024", 3, check_mode=True)
    assert res["changed"] and len(res["created"]) == 3 and k.writes == [] and vgpu_host.snapshot() == before
    with pytest.raises(HostError, match="room for 4 more"):
        mgr(vgpu_host, k).run(PARENT, "nvidia-1024", 5)
    assert k.writes == []
    with pytest.raises(HostError, match="it offers: nvidia-1024"):
        mgr(vgpu_host).run(PARENT, "nvidia-9999", 1)


def test_sriov_path(host):
    host.add_device(PARENT, group=14, sriov=4)
    vfs = host.add_vfs(PARENT, 3)
    res = mgr(host).run(PARENT, "nvidia-1024", 2)
    assert res["mode"] == "sriov" and res["virtual_functions"] == vfs[:2] and res["persistent"] is False
    assert [open(host.dev(vf, "nvidia", "current_vgpu_type")).read().strip() for vf in vfs] == ["1024", "1024", "0"]
    assert mgr(host).run(PARENT, "1024", 2)["changed"] is False
    with pytest.raises(HostError, match="free virtual function"):
        mgr(host).run(PARENT, "nvidia-1024", 4)
    assert mgr(host).run(PARENT, "nvidia-1024", state="absent")["removed"] == vfs[:2]


def test_sriov_vfs_are_enabled_when_needed_and_refused_when_the_device_cannot(host):
    host.add_device(PARENT, group=14, sriov=4)
    k = FakeKernel(host)
    check = mgr(host, k).run(PARENT, "nvidia-1024", 1, check_mode=True)
    assert check["changed"] and check["enabled_virtual_functions"] == 4 and k.writes == []
    res = mgr(host).run(PARENT, "nvidia-1024", 1)
    assert res["enabled_virtual_functions"] == 4 and len(res["virtual_functions"]) == 1
    assert open(host.dev(PARENT, "sriov_numvfs")).read().strip() == "4"
    assert mgr(host).run(PARENT, "nvidia-1024", 1)["changed"] is False
    # a GPU whose driver refuses the virtual functions: a sentence, nothing half-done
    other = "0000:81:00.0"
    host.add_device(other, group=15, sriov=4)
    refusing = FakeKernel(host)

    def io_error(parent, count):
        raise IOError(5, "Input/output error")

    refusing._sriov_numvfs = io_error
    with pytest.raises(HostError, match="Could not enable the 4 SR-IOV virtual functions of 0000:81:00.0"):
        mgr(host, refusing).run(other, "nvidia-1024", 1)
    assert open(host.dev(other, "sriov_numvfs")).read().strip() == "0"


def test_the_fake_kernel_keeps_sriov_consistent(host):
    host.add_device(PARENT, group=14, sriov=4)
    k = FakeKernel(host)
    k.write(host.dev(PARENT, "sriov_numvfs"), "2")
    assert len(k.virtfns(PARENT)) == 2 and all(os.path.islink(host.dev(vf, "physfn")) for vf in k.virtfns(PARENT))
    with pytest.raises(HostError):
        k.write(host.dev(PARENT, "sriov_numvfs"), "3")  # EBUSY: 0 first
    with pytest.raises(HostError):
        k.write(host.dev(PARENT, "sriov_numvfs"), "5")  # more than sriov_totalvfs
    k.write(host.dev(PARENT, "sriov_numvfs"), "0")
    assert k.virtfns(PARENT) == [] and open(host.dev(PARENT, "sriov_numvfs")).read().strip() == "0"


def test_older_sriov_layout_has_one_mdev_per_virtual_function(host):
    host.add_device(PARENT, group=14, sriov=4)
    vfs = host.add_vfs(PARENT, 4, layout="mdev")
    res = mgr(host).run(PARENT, "nvidia-1024", 2, vm="vm1")
    assert res["mode"] == "sriov-mdev" and [d["device"] for d in res["devices"]] == vfs[:2]
    assert all(os.path.isdir(host.dev(d["device"], d["uuid"])) for d in res["devices"])
    assert mgr(host).run(PARENT, "nvidia-1024", 2, vm="vm1")["changed"] is False
    with pytest.raises(HostError, match="room for 2 more"):
        mgr(host).run(PARENT, "nvidia-1024", 3, vm="vm2")
    assert [d["device"] for d in mgr(host).run(PARENT, "nvidia-1024", 2, vm="vm2")["devices"]] == vfs[2:]


def test_two_vms_on_one_gpu_get_their_own_devices(vgpu_host):
    a = mgr(vgpu_host).run(PARENT, "nvidia-1024", 2, vm="vm1")
    b = mgr(vgpu_host).run(PARENT, "nvidia-1024", 1, vm="vm2")
    assert b["created"] and not set(a["uuids"]) & set(b["uuids"])
    # shrinking one VM's set leaves the other's devices alone
    mgr(vgpu_host).run(PARENT, "nvidia-1024", 1, vm="vm1")
    assert all(os.path.isdir(vgpu_host.dev(PARENT, u)) for u in b["uuids"] + a["uuids"][:1])


def test_one_time_sliced_vgpu_type_per_gpu(vgpu_host):
    vgpu_host.add_mdev_type(PARENT, "nvidia-1025", available=2, name="GRID H100-20C")
    mgr(vgpu_host).run(PARENT, "nvidia-1024", 1, vm="vm1")
    assert open(vgpu_host.dev(PARENT, "mdev_supported_types", "nvidia-1025", "available_instances")).read() == "0\n"
    with pytest.raises(HostError, match="Another vGPU type \\(nvidia-1024\\) runs on it"):
        mgr(vgpu_host).run(PARENT, "nvidia-1025", 1, vm="vm2")
    mgr(vgpu_host).run(PARENT, "nvidia-1024", 0, vm="vm1")
    assert mgr(vgpu_host).run(PARENT, "nvidia-1025", 1, vm="vm2")["created"]


def test_sriov_virtual_functions_of_other_vms_are_left_alone(host):
    host.add_device(PARENT, group=14, sriov=4)
    vfs = host.add_vfs(PARENT, 3)
    mgr(host).run(PARENT, "nvidia-1024", 1, vm="vm1")
    res = mgr(host).run(PARENT, "nvidia-1024", 1, vm="vm2", others={vfs[0]})
    assert res["virtual_functions"] == [vfs[1]]


def test_record_vm_map(tmp_path):
    result = {
        "parent": PARENT,
        "type": "nvidia-1024",
        "devices": [{"uuid": "u1", "parent": PARENT, "type": "nvidia-1024"}],
    }
    assert record_vm(str(tmp_path), "vm1", result) is True
    assert record_vm(str(tmp_path), "vm1", result) is False
    with open(str(tmp_path / "mdev_map.json")) as handle:
        assert json.load(handle)["vm1"][0]["uuid"] == "u1"


def test_module_main(vgpu_host, monkeypatch, tmp_path):
    args = {
        "parent": PARENT,
        "type": "nvidia-1024",
        "count": 2,
        "sysfs_root": vgpu_host.sys,
        "mdevctl_dir": os.path.join(vgpu_host.etc, "mdevctl.d"),
        "vm": "ai-gpu-worker-01",
        "output_dir": str(tmp_path / "out"),
    }
    monkeypatch.setattr(mdev_module, "manager_for", lambda root, d, t: MdevManager(FakeKernel(vgpu_host), d))
    out = run_module(mdev_module, args, monkeypatch)
    assert out["changed"] and len(out["uuids"]) == 2 and out["map_changed"]
    out = run_module(mdev_module, args, monkeypatch)
    assert out["changed"] is False
    with open(str(tmp_path / "out" / "mdev_map.json")) as handle:
        assert len(json.load(handle)["ai-gpu-worker-01"]) == 2


def test_module_diff_is_before_and_after(vgpu_host, monkeypatch):
    """--diff shows the managed mdevs and their definitions before and after, not a list of changes."""
    d = os.path.join(vgpu_host.etc, "mdevctl.d")
    args = {"parent": PARENT, "type": "nvidia-1024", "count": 2, "sysfs_root": vgpu_host.sys, "mdevctl_dir": d}
    monkeypatch.setattr(mdev_module, "manager_for", lambda root, dd, t: MdevManager(FakeKernel(vgpu_host), dd))
    out = run_module(mdev_module, args, monkeypatch, check_mode=True, diff=True)
    assert out["diff"]["before"] == {"parent": PARENT, "type": "nvidia-1024", "devices": [], "definitions": []}
    assert out["diff"]["after"]["devices"] == out["uuids"] == out["diff"]["after"]["definitions"]
    assert "before" not in out and "after" not in out
    run_module(mdev_module, args, monkeypatch)
    shrink = dict(args, count=1, persistent=False)
    out = run_module(mdev_module, shrink, monkeypatch, diff=True)
    uuids = [mdev_uuid(PARENT, "nvidia-1024", i) for i in range(2)]
    assert out["diff"]["before"]["devices"] == uuids and out["diff"]["before"]["definitions"] == uuids
    assert out["diff"]["after"]["devices"] == uuids[:1] and out["diff"]["after"]["definitions"] == []
    assert sorted(os.listdir(os.path.join(d, PARENT))) == []


def test_unwritable_map_is_a_sentence(vgpu_host, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = {"parent": PARENT, "type": "nvidia-1024", "devices": [{"uuid": "u1"}]}
    with pytest.raises(HostError) as err:
        record_vm(str(blocker / "out"), "vm1", result)
    assert "mdev_map.json" in str(err.value) and "vm1" in str(err.value) and "output_dir" in str(err.value)
