# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError, ProcScanner
from ansible_collections.hyperscaler.workstation.plugins.module_utils._vfio import VfioBinder
from ansible_collections.hyperscaler.workstation.plugins.modules import vfio_bind
from gpu_fakes import FakeKernel
from helpers.module_harness import run_module

GPU, AUDIO = "0000:41:00.0", "0000:41:00.1"


def binder(host, kernel=None):
    return VfioBinder(
        kernel or FakeKernel(host), ProcScanner(host.proc), os.path.join(host.etc, "driverctl.d"), host.state
    )


def test_bind_unbind_round_trip(two_gpu_host):
    host = two_gpu_host
    k = FakeKernel(host)
    b = binder(host, k)
    res = b.run([GPU], "bound", persistent=True)
    assert res["changed"] and res["devices"] == [GPU, AUDIO]
    assert k.driver(GPU) == "vfio-pci" and k.driver(AUDIO) == "vfio-pci"
    assert k.driver_override(GPU) == "vfio-pci"
    # never new_id; the right sequence of writes for the GPU
    assert not any(w[0].endswith("new_id") for w in k.writes)
    assert [w for w in k.writes if GPU in w[0] or w[1] == GPU][:3] == [
        ("bus/pci/devices/%s/driver_override" % GPU, "vfio-pci"),
        ("bus/pci/drivers/nvidia/unbind", GPU),
        ("bus/pci/drivers_probe", GPU),
    ]
    with open(os.path.join(host.etc, "driverctl.d", "pci-" + GPU)) as handle:
        assert handle.read().strip() == "vfio-pci"
    # the bridge in the group was left alone
    assert k.driver("0000:40:01.0") == "pcieport"

    again = binder(host).run([GPU], "bound", persistent=True)
    assert again["changed"] is False and again["actions"] == []

    back = binder(host, k).run([GPU], "unbound")
    assert back["changed"]
    assert k.driver(GPU) == "nvidia" and k.driver(AUDIO) == "snd_hda_intel"
    assert k.driver_override(GPU) is None
    assert not os.path.exists(os.path.join(host.etc, "driverctl.d", "pci-" + GPU))
    assert binder(host).run([GPU], "unbound")["changed"] is False


def test_check_mode_reports_plan_and_writes_nothing(two_gpu_host):
    before = two_gpu_host.snapshot()
    k = FakeKernel(two_gpu_host)
    res = binder(two_gpu_host, k).run(["41:00.0"], "bound", persistent=True, check_mode=True, diff=True)
    assert res["changed"]
    assert [a["pci_address"] for a in res["actions"]] == [GPU, AUDIO]
    assert res["diff"]["after"][GPU]["driver"] == "vfio-pci"
    assert k.writes == [] and two_gpu_host.snapshot() == before


def _refused(host, devices, words, kernel=None):
    before = host.snapshot()
    k = kernel or FakeKernel(host)
    with pytest.raises(HostError) as err:
        binder(host, k).run(devices, "bound", persistent=True)
    assert words in str(err.value), str(err.value)
    assert k.writes == [], "refusal must come before any write"
    assert host.snapshot() == before
    return str(err.value)


def test_refuses_boot_vga(two_gpu_host):
    _refused(two_gpu_host, ["0000:01:00.0"], "boot VGA")


def test_refuses_device_in_use(two_gpu_host):
    two_gpu_host.nvidia_minor(GPU, 1)
    two_gpu_host.open_fd(4242, "python3", "/dev/nvidia1")
    msg = _refused(two_gpu_host, [GPU], "in use")
    assert "python3 (pid 4242)" in msg


def test_other_gpu_handle_does_not_block(two_gpu_host):
    two_gpu_host.nvidia_minor(GPU, 1)
    two_gpu_host.open_fd(4242, "python3", "/dev/nvidia0")
    two_gpu_host.open_fd(4243, "persistenced", "/dev/nvidiactl", fd=6)
    assert binder(two_gpu_host).run([GPU], "bound")["changed"]


def test_refuses_drm_in_use(two_gpu_host):
    os.makedirs(two_gpu_host.dev(GPU, "drm", "card1"))
    two_gpu_host.open_fd(99, "Xorg", "/dev/dri/card1")
    _refused(two_gpu_host, [GPU], "Xorg (pid 99)")


def test_refuses_a_gpu_whose_nvidia_drm_framebuffer_console_is_active(two_gpu_host):
    """nvidia_drm modeset=1 with a framebuffer on the GPU: unbinding would hang until the console lets go."""
    host = two_gpu_host
    os.makedirs(host.dev(GPU, "drm", "card1"))
    os.makedirs(host.dev(GPU, "graphics", "fb0"))
    modeset = os.path.join(host.sys, "module", "nvidia_drm", "parameters", "modeset")
    os.makedirs(os.path.dirname(modeset))
    with open(modeset, "w") as handle:
        handle.write("N\n")
    before = host.snapshot()
    assert binder(host).run([GPU], "bound", check_mode=True)["changed"]  # modeset off: the console is not ours
    with open(modeset, "w") as handle:
        handle.write("Y\n")
    msg = _refused(host, [GPU], "framebuffer console")
    assert "/dev/fb0" in msg and "nvidia_drm modeset=1" in msg
    assert host.snapshot() == dict(before, **{modeset: "Y\n"})  # refused before any write


def test_refuses_shared_group(two_gpu_host):
    two_gpu_host.add_device("0000:42:00.0", vendor="8086", device="1533", cls="0x020000", driver="igb", group=14)
    _refused(two_gpu_host, [GPU], "0000:42:00.0")


def test_refuses_without_iommu(two_gpu_host):
    two_gpu_host.disable_iommu()
    _refused(two_gpu_host, [GPU], "IOMMU is off")


def test_refuses_without_vfio_driver(two_gpu_host):
    import shutil

    shutil.rmtree(os.path.join(two_gpu_host.sys, "bus", "pci", "drivers", "vfio-pci"))
    _refused(two_gpu_host, [GPU], "modprobe vfio-pci")


def test_unknown_and_bad_addresses(two_gpu_host):
    _refused(two_gpu_host, ["0000:99:00.0"], "does not exist")
    _refused(two_gpu_host, ["gpu0"], "not a PCI address")


def test_unbind_timeout_is_reported(two_gpu_host):
    k = FakeKernel(two_gpu_host, write_timeout=0.2, block_unbind=[GPU])
    with pytest.raises(HostError) as err:
        binder(two_gpu_host, k).run([GPU], "bound")
    assert "did not finish within 0.2 seconds" in str(err.value)


def test_module_main_check_mode_and_diff(two_gpu_host, monkeypatch):
    args = {
        "devices": [GPU],
        "sysfs_root": two_gpu_host.sys,
        "proc_root": two_gpu_host.proc,
        "persist_dir": os.path.join(two_gpu_host.etc, "driverctl.d"),
        "state_dir": two_gpu_host.state,
    }
    before = two_gpu_host.snapshot()
    out = run_module(vfio_bind, args, monkeypatch, check_mode=True, diff=True)
    assert out["changed"] and out["devices"] == [GPU, AUDIO]
    assert out["diff"]["after"][GPU]["driver"] == "vfio-pci"
    assert two_gpu_host.snapshot() == before


def test_module_main_fails_with_sentence(two_gpu_host, monkeypatch):
    out = run_module(
        vfio_bind,
        {
            "devices": ["0000:01:00.0"],
            "sysfs_root": two_gpu_host.sys,
            "proc_root": two_gpu_host.proc,
            "state_dir": two_gpu_host.state,
            "persist_dir": two_gpu_host.etc,
        },
        monkeypatch,
    )
    assert out["failed"] and "boot VGA" in out["msg"] and "Traceback" not in out["msg"]


def test_unwritable_state_dir_is_a_sentence_not_a_traceback(two_gpu_host, monkeypatch):
    """A state_dir that cannot be created fails with the device and the path, before the device is touched."""
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

    blocker = os.path.join(two_gpu_host.base, "file")
    with open(blocker, "w") as handle:
        handle.write("not a directory\n")
    k = FakeKernel(two_gpu_host)
    b = VfioBinder(k, ProcScanner(two_gpu_host.proc), os.path.join(two_gpu_host.etc, "d"), os.path.join(blocker, "s"))
    with pytest.raises(HyperscalerError) as err:
        b.run([GPU], "bound")
    assert isinstance(err.value, HostError)
    assert GPU in str(err.value) and blocker in str(err.value) and "state_dir" in str(err.value)
    assert k.driver(GPU) == "nvidia" and k.writes == []

    args = {
        "devices": [GPU],
        "sysfs_root": two_gpu_host.sys,
        "proc_root": two_gpu_host.proc,
        "persist_dir": os.path.join(blocker, "driverctl.d"),
        "state_dir": two_gpu_host.state,
        "persistent": True,
    }
    b2 = binder(two_gpu_host)
    b2.persist_dir = os.path.join(blocker, "driverctl.d")
    monkeypatch.setattr(vfio_bind, "binder_for", lambda *a: b2)
    out = run_module(vfio_bind, args, monkeypatch)
    assert out["failed"] and "driverctl override of %s" % GPU in out["msg"] and blocker in out["msg"]
