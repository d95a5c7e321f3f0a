# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""`ansible-playbook --check playbooks/host_prep.yml` (the gpu_host role) against fake sysfs/proc trees: the plan
must be truthful (every device it would bind, every MIG layout and vGPU it would create) and nothing may be written.

Stand-in: the fake trees of tests/unit/gpu/gpu_fakes.py (FakeHost) replace a host with NVIDIA GPUs, vfio-pci and
the vGPU driver; NVML is absent, so mig_profile plans from the MIG tables (its check-mode fallback)."""

from __future__ import absolute_import, division, print_function

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "unit" / "gpu"))
# this checkout's collection and settings; the JSON callback lets the tests read every task's result
ANSIBLE_ENV = {
    "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
    "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections"),
    "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
}


def run_playbook(tmp_path, inventory, extra, check=True, inventory_plugins=None):
    env = dict(os.environ, HOME=str(tmp_path / "home"), **ANSIBLE_ENV)
    if inventory_plugins:
        env["ANSIBLE_INVENTORY_ENABLED"] = inventory_plugins
    cmd = [str(BIN / "ansible-playbook"), str(ROOT / "playbooks" / "host_prep.yml"), "-i", str(inventory)]
    if check:
        cmd += ["--check", "--diff"]
    cmd += ["-e", json.dumps(extra)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=300, check=False)
    try:
        data = json.loads(proc.stdout[proc.stdout.index("{") :])
    except ValueError:
        raise AssertionError("no JSON from ansible-playbook:\n%s\n%s" % (proc.stdout, proc.stderr))
    # tasks by name, without the "<role> : " prefix of the gpu_host role's tasks
    tasks = dict(
        (t["task"]["name"].split(" : ", 1)[-1], t["hosts"].get("localhost", {})) for t in data["plays"][0]["tasks"]
    )
    return proc, data, tasks


def plugin_source(tmp_path, config):
    """An inventory source for the collection's inventory plugin, reading ``config`` (relative to the checkout)."""
    source = tmp_path / "inv.cluster.yml"
    source.write_text("plugin: hyperscaler.workstation.cluster\ncluster_config: %s\n" % (ROOT / config))
    return source


def inline_inventory(gpu_nodes, config=None):
    """The variables the inventory plugin sets (hypervisor = this machine, GPU VMs with their hyperscaler_node)."""
    inv = {
        "all": {
            "children": {
                "hypervisor": {
                    "hosts": {
                        "localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
                    }
                },
                "gpu_nodes": {"hosts": dict((name, {"hyperscaler_node": node}) for name, node in gpu_nodes.items())},
            }
        }
    }
    if config is not None:
        inv["all"]["vars"] = {"hyperscaler_config": config}
    return inv


def fake_vars(host):
    conf = os.path.join(host.etc, "modprobe.d")
    if not os.path.isdir(conf):
        os.makedirs(conf)
        with open(os.path.join(conf, "blacklist-nouveau.conf"), "w") as handle:
            handle.write("blacklist nouveau\n")
    return {
        "hyperscaler_host_prep_sysfs_root": host.sys,
        "hyperscaler_host_prep_proc_root": host.proc,
        "hyperscaler_host_prep_driverctl_dir": os.path.join(host.etc, "driverctl.d"),
        "hyperscaler_host_prep_vfio_state_dir": host.state,
        "hyperscaler_host_prep_mdevctl_dir": os.path.join(host.etc, "mdevctl.d"),
        "hyperscaler_host_prep_output_dir": os.path.join(host.base, "out"),
        "host_preflight_kvm_device": os.path.join(host.base, "no-kvm"),
        "host_preflight_etc_root": host.etc,
        "host_preflight_run_root": host.base,
    }


def test_multi_gpu_example_check_mode(tmp_path):
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    # the four passthrough GPUs of config/examples/multi-gpu.yaml, in their own groups (ca:00 with audio)
    for addr, group in (("0000:65:00.0", 1), ("0000:65:00.1", 2), ("0000:65:00.2", 3)):
        host.add_device(addr, device="2684", cls="0x030000", group=group, boot_vga=0)
    host.add_gpu_pair("0000:ca:00", 4, device="1e36", cls="0x030000", boot_vga=0)
    host.add_device("0000:00:02.0", vendor="8086", device="46a6", cls="0x030000", driver="i915", boot_vga=1)
    extra = fake_vars(host)
    before = host.snapshot()
    proc, data, tasks = run_playbook(tmp_path, plugin_source(tmp_path, "config/examples/multi-gpu.yaml"), extra)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    bind = tasks["Bind the passthrough GPUs to vfio-pci"]
    assert bind["changed"] is True
    assert sorted(bind["devices"]) == ["0000:65:00.0", "0000:65:00.1", "0000:65:00.2", "0000:ca:00.0", "0000:ca:00.1"]
    assert [a["pci_address"] for a in bind["actions"]] == bind["devices"]
    assert data["stats"]["localhost"]["failures"] == 0
    assert host.snapshot() == before, "check mode wrote to the fake tree"


def test_gpu_modes_example_check_mode(tmp_path):
    """config/examples/gpu-modes.yaml (through the inventory plugin): the whole H200 goes to vfio-pci, the H100's
    virtual functions would be enabled for the two time-sliced vGPUs, the T4 gets one mediated device; nothing is
    written and no mdev map is recorded."""
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    host.add_gpu_pair("0000:17:00", 21, device="2335")  # H200 (a 3D controller: no boot_vga), passthrough
    host.add_device("0000:65:00.0", device="2330", group=22, sriov=16)  # H100, SR-IOV, no VFs yet
    host.add_device("0000:b1:00.0", device="1eb8", group=23)  # Tesla T4, mdev types
    host.add_mdev_type("0000:b1:00.0", "nvidia-222", available=16, name="GRID T4-1B")
    host.add_device("0000:00:02.0", vendor="8086", device="46a6", cls="0x030000", driver="i915", boot_vga=1)
    extra = fake_vars(host)
    before = host.snapshot()
    proc, data, tasks = run_playbook(tmp_path, plugin_source(tmp_path, "config/examples/gpu-modes.yaml"), extra)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert tasks["Bind the passthrough GPUs to vfio-pci"]["devices"] == ["0000:17:00.0", "0000:17:00.1"]
    by_parent = dict((r["item"]["parent"], r) for r in tasks["Create the vGPU devices"]["results"])
    t4 = by_parent["0000:b1:00.0"]
    assert t4["changed"] and len(t4["created"]) == 1
    h100 = by_parent["0000:65:00.0"]
    # its virtual functions do not exist before sriov_numvfs is written: the plan says how many and what for
    assert h100["changed"] and h100["enabled_virtual_functions"] == 16 and h100["mode"] == "sriov"
    assert h100["diff"]["after"]["sriov_numvfs"] == 16 and h100["diff"]["after"]["vgpus"] == 2
    assert data["stats"]["localhost"]["failures"] == 0
    assert host.snapshot() == before, "check mode wrote to the fake tree"
    assert not os.path.exists(os.path.join(host.base, "out", "mdev_map.json"))


def test_no_gpus_does_nothing(tmp_path):
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    source = plugin_source(tmp_path, "config/cluster.yaml")
    if not (ROOT / "config" / "cluster.yaml").exists():
        pytest.skip("config/cluster.yaml not there yet")
    proc, data, tasks = run_playbook(tmp_path, source, fake_vars(host), check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert data["stats"]["localhost"]["changed"] == 0 and data["stats"]["localhost"]["failures"] == 0


def test_mig_and_vgpu_inline_inventory_check_mode(tmp_path):
    """Inline inventory (the variables the inventory plugin sets) with a MIG GPU and a vGPU parent."""
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    host.add_gpu_pair("0000:41:00", 14, device="2330")  # H100, MIG
    host.add_gpu_pair("0000:81:00", 15, device="2330")  # H100, vGPU parent
    host.add_mdev_type("0000:81:00.0", "nvidia-1024", available=4)
    host.add_gpu_pair("0000:c1:00", 16, device="2335")  # H200, passthrough
    extra = fake_vars(host)
    before = host.snapshot()
    config = {
        "global": {
            "gpus": [
                {
                    "pci_address": "0000:41:00.0",
                    "model": "H100-80GB",
                    "mig": {
                        "enabled": True,
                        "instances": [
                            {"profile": "4g.40gb", "count": 1},
                            {"profile": "2g.20gb", "count": 1},
                            {"profile": "1g.10gb", "count": 1},
                        ],
                    },
                }
            ]
        }
    }
    inv = inline_inventory(
        {
            "ai-gpu-worker-01": {
                "pcie_passthrough": {
                    "enabled": True,
                    "devices": [
                        {
                            "pci_address": "0000:c1:00.0",
                            "device_type": "gpu",
                            "vendor_id": "10de",
                            "device_id": "2335",
                            "iommu_group": 16,
                        }
                    ],
                },
                "vgpu": [],
            },
            "ai-gpu-worker-02": {
                "pcie_passthrough": {"enabled": False, "devices": []},
                "vgpu": [{"parent": "0000:81:00.0", "type": "nvidia-1024", "count": 2}],
            },
        },
        config,
    )
    source = tmp_path / "inventory.yml"
    source.write_text(json.dumps(inv))
    proc, data, tasks = run_playbook(tmp_path, source, extra, inventory_plugins="yaml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert tasks["Bind the passthrough GPUs to vfio-pci"]["devices"] == ["0000:c1:00.0", "0000:c1:00.1"]
    mig = tasks["Apply the MIG layouts"]["results"][0]
    assert mig["changed"] and mig["destructive_gpus"] == ["0000:41:00.0"]
    assert [i["profile"] for i in mig["gpus"][0]["instances_after"]] == ["4g.40gb", "2g.20gb", "1g.10gb"]
    mdev = tasks["Create the vGPU devices"]["results"][0]
    assert mdev["changed"] and len(mdev["created"]) == 2
    assert host.snapshot() == before
    assert not os.path.exists(os.path.join(host.base, "out", "mdev_map.json"))

    # an impossible MIG layout fails the check run with a sentence
    config["global"]["gpus"][0]["mig"]["instances"] = [
        {"profile": "7g.80gb", "count": 1},
        {"profile": "1g.10gb", "count": 1},
    ]
    source.write_text(json.dumps(inv))
    proc, data, tasks = run_playbook(tmp_path, source, extra, inventory_plugins="yaml")
    assert proc.returncode != 0
    assert "memory slices" in json.dumps(tasks["Apply the MIG layouts"])


def test_absent_reverses_in_order_check_mode(tmp_path):
    """-e hyperscaler_host_prep_state=absent: vGPUs removed, MIG off, GPUs back to their drivers (check mode)."""
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    host.add_gpu_pair("0000:c1:00", 16, device="2335", driver="vfio-pci")
    extra = fake_vars(host)
    extra["hyperscaler_host_prep_state"] = "absent"
    before = host.snapshot()
    inv = inline_inventory(
        {
            "ai-gpu-worker-01": {
                "pcie_passthrough": {
                    "enabled": True,
                    "devices": [{"pci_address": "0000:c1:00.0", "device_type": "gpu"}],
                }
            }
        }
    )
    source = tmp_path / "inventory.yml"
    source.write_text(json.dumps(inv))
    proc, data, tasks = run_playbook(tmp_path, source, extra, inventory_plugins="yaml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    names = list(tasks)
    assert (
        names.index("Remove the vGPU devices")
        < names.index("Turn MIG off again")
        < names.index("Give the passthrough GPUs back to their drivers")
    )
    unbind = tasks["Give the passthrough GPUs back to their drivers"]
    assert unbind["changed"] and [a["pci_address"] for a in unbind["actions"]] == ["0000:c1:00.0"]
    assert "Bind the passthrough GPUs to vfio-pci" not in tasks or tasks["Bind the passthrough GPUs to vfio-pci"].get(
        "skipped"
    )
    assert host.snapshot() == before


def test_role_variables_and_deprecated_playbook_names(tmp_path):
    """-e host_prep_state=absent with the gpu_host_* names runs without a deprecation warning; the old
    hyperscaler_host_prep_* names do the same and each warns with its replacement."""
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "host")
    host.add_gpu_pair("0000:c1:00", 16, device="2335", driver="vfio-pci")
    old = fake_vars(host)
    old["hyperscaler_host_prep_state"] = "absent"
    new = dict((k.replace("hyperscaler_host_prep_", "gpu_host_"), v) for k, v in old.items())
    new["host_prep_state"] = new.pop("gpu_host_state")
    inv = inline_inventory({"ai-gpu-worker-01": {"pcie_passthrough": {"devices": [{"pci_address": "0000:c1:00.0"}]}}})
    source = tmp_path / "inventory.yml"
    source.write_text(json.dumps(inv))
    before = host.snapshot()
    outputs = {}
    for label, extra in (("new", new), ("old", old)):
        proc, data, tasks = run_playbook(tmp_path, source, extra, inventory_plugins="yaml")
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        unbind = tasks["Give the passthrough GPUs back to their drivers"]
        assert unbind["changed"] and [a["pci_address"] for a in unbind["actions"]] == ["0000:c1:00.0"]
        outputs[label] = proc.stdout + proc.stderr
    assert "is deprecated" not in outputs["new"]
    for name in ("sysfs_root", "proc_root", "vfio_state_dir", "output_dir"):
        assert "hyperscaler_host_prep_%s is deprecated; use gpu_host_%s" % (name, name) in outputs["old"]
    assert "hyperscaler_host_prep_state is deprecated; use host_prep_state" in outputs["old"]
    assert host.snapshot() == before
