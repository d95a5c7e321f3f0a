# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
from __future__ import absolute_import, division, print_function

import os
import subprocess

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _preflight as preflight
from ansible_collections.hyperscaler.workstation.plugins.modules import host_preflight_info
from helpers.module_harness import run_module


def _pre(host, kvm_ok=True):
    return preflight.Preflight(
        host.sys,
        host.proc,
        host.etc,
        os.path.join(host.base, "run"),
        kvm_device="/nonexistent/kvm",
        kvm_prober=lambda d, t: (kvm_ok, "probe"),
        qemu_prober=None,
    )


def status(checks):
    return dict((c["name"], c["status"]) for c in checks)


def test_requirements_turn_warnings_into_failures(two_gpu_host):
    facts, checks = _pre(two_gpu_host, kvm_ok=False).checks()
    st = status(checks)
    assert "fail" not in st.values()
    assert st["iommu"] == "pass" and st["cpu_virtualization"] == "pass" and st["kvm_guest_runs"] == "warn"
    assert st["vfio_modules"] == "pass"  # vfio-pci driver directory exists in the fake tree
    assert st["nouveau_blacklisted"] == "warn" and st["libvirt_running"] == "warn"
    facts, checks = _pre(two_gpu_host, kvm_ok=False).checks(
        require_kvm=True, require_vfio=True, require_libvirt=True, min_memory_mb=128000
    )
    st = status(checks)
    assert st["kvm_guest_runs"] == st["nouveau_blacklisted"] == st["libvirt_running"] == st["memory"] == "fail"
    assert all(c["fix"] for c in checks if c["status"] != "pass")


def test_iommu_off_fails_only_when_required(two_gpu_host):
    two_gpu_host.disable_iommu()
    assert status(_pre(two_gpu_host).checks()[1])["iommu"] == "warn"
    assert status(_pre(two_gpu_host).checks(require_iommu=True)[1])["iommu"] == "fail"


def test_nouveau_blacklist_file(two_gpu_host):
    path = os.path.join(two_gpu_host.etc, "modprobe.d")
    os.makedirs(path)
    with open(os.path.join(path, "blacklist-nouveau.conf"), "w") as handle:
        handle.write("blacklist nouveau\noptions nouveau modeset=0\n")
    assert status(_pre(two_gpu_host).checks(require_vfio=True)[1])["nouveau_blacklisted"] == "pass"


def _run(argv):
    """What AnsibleModule.run_command returns, for the probes."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_kvm_probe_is_bounded(tmp_path):
    ok, detail = preflight.kvm_probe(_run, str(tmp_path / "missing"), 1)
    assert ok is False and "does not exist" in detail
    # a "python" that never returns stands in for a KVM_RUN that hangs
    sleeper = tmp_path / "hang"
    sleeper.write_text("#!/bin/sh\nsleep 30\n")
    sleeper.chmod(0o755)
    dev = tmp_path / "kvm"
    dev.write_text("")
    ok, detail = preflight.kvm_probe(_run, str(dev), 0.5, python=str(sleeper))
    assert ok is False and "KVM_RUN hangs" in detail


def test_module_main(two_gpu_host, monkeypatch):
    out = run_module(
        host_preflight_info,
        {
            "sysfs_root": two_gpu_host.sys,
            "proc_root": two_gpu_host.proc,
            "etc_root": two_gpu_host.etc,
            "run_root": two_gpu_host.base,
            "kvm_device": "/nonexistent/kvm",
            "require_iommu": True,
        },
        monkeypatch,
        check_mode=True,
    )
    assert out["changed"] is False and out["failed_checks"] == []
    assert status(out["checks"])["kvm_guest_runs"] == "warn"
