# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""slurm_compute's MIG tasks (tasks/mig.yml) run by ansible-playbook for a node whose passed-through H100 has a
MIG layout in cluster.yaml: mig_profile gets the guest's GPU index and the layout, and a node whose MIG devices
slurmd could not find (no NVML plugin) stops with a sentence.

Stand-in: a fake sysfs tree (tests/unit/gpu/gpu_fakes.py) with the H100 at the PCI slot a guest gives it; without
NVML, mig_profile in check mode plans from the MIG tables (its documented fallback), so nothing needs a GPU."""

from __future__ import absolute_import, division, print_function

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = pathlib.Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "unit" / "gpu"))

NODE = {
    "name": "hpc-compute-01",
    "pcie_passthrough": {
        "enabled": True,
        "devices": [
            {
                "pci_address": "0000:41:00.0",
                "device_type": "gpu",
                "device_id": "2330",
                "mig": {"enabled": True, "instances": [{"profile": "3g.40gb"}, {"profile": "1g.10gb", "count": 2}]},
            }
        ],
    },
    "vgpu": [],
}


def run(tmp_path, nvml_rc):
    from gpu_fakes import FakeHost

    host = FakeHost(tmp_path / "guest")
    host.add_device("0000:00:10.0", device="2330", group=10)  # the H100 as the guest sees it
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/hyperscaler.workstation.gpu": {"sysfs_root": host.sys}},
            "tasks": [
                {
                    "name": "MIG tasks of slurm_compute",
                    "ansible.builtin.include_role": {
                        "name": "hyperscaler.workstation.slurm_compute",
                        "tasks_from": "mig",
                    },
                    "vars": {"hyperscaler_node": NODE, "__slurm_compute_nvml": {"rc": nvml_rc}},
                }
            ],
        }
    ]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        HOME=str(tmp_path / "home"),
    )
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "--check", str(tmp_path / "play.yml"),
         "-e", "ansible_python_interpreter=%s" % sys.executable],
        capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=300, check=False,
    )  # fmt: skip
    data = json.loads(proc.stdout[proc.stdout.index("{") :])
    tasks = dict((t["task"]["name"].split(" : ", 1)[-1], t["hosts"]["localhost"]) for t in data["plays"][0]["tasks"])
    return proc.returncode, tasks


def test_the_guest_applies_its_gpus_mig_layout(tmp_path):
    rc, tasks = run(tmp_path, nvml_rc=0)
    assert rc == 0, json.dumps(tasks)[-3000:]
    result = tasks["Apply the MIG layouts of this node's GPUs (a passed-through GPU's MIG mode is the guest's)"]
    item = result["results"][0]
    assert item["item"] == {
        "gpu": "0",
        "mig_enabled": True,
        "instances": [{"profile": "3g.40gb", "count": 1}, {"profile": "1g.10gb", "count": 2}],
    }
    assert item["changed"] is True
    planned = [i["profile"] for i in item["gpus"][0]["instances_after"]]
    assert sorted(planned) == ["1g.10gb", "1g.10gb", "3g.40gb"]
    assert item["gpus"][0]["pci_address"] == "0000:00:10.0"


def test_mig_devices_without_slurms_nvml_plugin_stop_with_the_fix(tmp_path):
    rc, tasks = run(tmp_path, nvml_rc=2)
    assert rc != 0
    msg = tasks["Stop when MIG devices cannot be found by slurmd"]["msg"]
    assert "has MIG devices in its GRES (3g.40gb, 1g.10gb)" in msg and "AutoDetect=nvml" in msg
