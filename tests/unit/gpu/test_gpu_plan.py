# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The gpu_host role's plan (plugins/module_utils/_gpu_plan.py) and its filter hyperscaler.workstation.gpu_host_plan."""

from __future__ import absolute_import, division, print_function

import json
import os
import pathlib

import pytest
import yaml

from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import GpuPlanError, host_plan

ROOT = pathlib.Path(__file__).resolve().parents[3]
LAYOUT = [{"profile": "4g.40gb", "count": 1}, {"profile": "2g.20gb", "count": 1}]


def _pt(*addrs, **kw):
    return {"pcie_passthrough": {"enabled": kw.get("enabled", True), "devices": [{"pci_address": a} for a in addrs]}}


def test_one_way_per_gpu():
    """Passthrough minus MIG GPUs minus vGPU parents; MIG layouts and vGPUs per VM as configured."""
    nodes = {
        "ai-gpu-worker-01": _pt("0000:c1:00.0", "0000:41:00.0"),
        "ai-gpu-worker-02": dict(_pt("81:00.0"), vgpu=[{"parent": "0000:81:00.0", "type": "nvidia-1024", "count": 2}]),
        "ai-gpu-worker-03": {"vgpu": [{"parent": "0000:81:00.0", "type": "nvidia-1025"}]},
    }
    gpus = [
        {"pci_address": "0000:41:00.0", "model": "H100-80GB", "mig": {"enabled": True, "instances": LAYOUT}},
        {"pci_address": "0000:61:00.0", "model": "H100-80GB", "mig": {"enabled": False, "instances": LAYOUT}},
        {"pci_address": "0000:62:00.0"},
    ]
    plan = host_plan(nodes, gpus)
    assert plan["vfio"] == ["0000:c1:00.0"]
    assert plan["mig"] == [{"pci_address": "0000:41:00.0", "model": "H100-80GB", "instances": LAYOUT}]
    assert plan["vgpu"] == [
        {"vm": "ai-gpu-worker-02", "parent": "0000:81:00.0", "type": "nvidia-1024", "count": 2},
        {"vm": "ai-gpu-worker-03", "parent": "0000:81:00.0", "type": "nvidia-1025", "count": 1},
    ]
    assert plan["any"] is True


def test_shared_gpu_listed_once_and_disabled_passthrough_ignored():
    nodes = {
        "hpc-gpu": _pt("0000:65:00.0", "65:00.1"),
        "cloud-gpu": _pt("0000:65:00.0", "0000:65:00.1"),  # the GPU the two clusters take turns on
        "off": _pt("0000:ca:00.0", enabled=False),
    }
    assert host_plan(nodes)["vfio"] == ["0000:65:00.0", "0000:65:00.1"]


def test_nothing_to_do():
    for nodes, gpus in (({}, None), ({"a": None, "b": {}}, []), ([], [{"pci_address": "0000:41:00.0"}])):
        assert host_plan(nodes, gpus) == {"vfio": [], "mig": [], "vgpu": [], "any": False}


def test_list_of_named_nodes():
    plan = host_plan(
        [dict(_pt("0000:c1:00.0"), name="vm1"), {"name": "vm2", "vgpu": [{"parent": "c1:00.0", "type": "t"}]}]
    )
    assert plan["vfio"] == [] and plan["vgpu"][0]["vm"] == "vm2"


@pytest.mark.parametrize(
    "nodes,gpus,words",
    [
        ({"vm1": _pt("gpu0")}, [], "vm1.pcie_passthrough.devices[0].pci_address: 'gpu0' is not a PCI address"),
        ({"vm1": {"vgpu": [{"parent": "0000:81:00.0"}]}}, [], "vm1.vgpu[0] needs a 'type'"),
        ({"vm1": {"vgpu": [{"type": "nvidia-1024"}]}}, [], "vm1.vgpu[0].parent"),
        ({}, [{"pci_address": "41.0", "mig": {"enabled": True}}], "global.gpus[0].pci_address"),
        ([{"vgpu": []}], [], "gpu_host_nodes[0] needs a 'name'"),
    ],
)
def test_malformed_entries_name_their_place(nodes, gpus, words):
    with pytest.raises(GpuPlanError) as err:
        host_plan(nodes, gpus)
    assert words in str(err.value)


def test_filter_plugin_wraps_errors():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.hyperscaler.workstation.plugins.filter.gpu_host import FilterModule

    plan = FilterModule().filters()["gpu_host_plan"]
    assert plan({"vm1": _pt("41:00.0")}) == host_plan({"vm1": _pt("41:00.0")})
    with pytest.raises(AnsibleFilterError, match="gpu_host_plan: .*not a PCI address"):
        plan({"vm1": _pt("nope")})


def test_filter_documented():
    with open(os.path.join(str(ROOT), "plugins", "filter", "gpu_host_plan.yml")) as handle:
        doc = yaml.safe_load(handle)
    assert doc["DOCUMENTATION"]["name"] == "gpu_host_plan"
    assert set(doc["RETURN"]["_value"]["contains"]) == set(host_plan({}))


def test_multi_gpu_example_plan():
    """The multi-GPU example as the inventory plugin presents it (its golden output): the four passthrough GPUs
    of config/examples/multi-gpu.yaml, one per GPU VM, go to vfio-pci; it has no MIG layout and no vGPU."""
    with open(os.path.join(str(ROOT), "tests", "unit", "inventory", "golden", "multi-gpu.json")) as handle:
        inv = json.load(handle)
    hostvars = inv["_meta"]["hostvars"]
    nodes = dict((h, hostvars[h]["hyperscaler_node"]) for h in inv["gpu_nodes"]["hosts"])
    plan = host_plan(nodes, inv["all"]["vars"]["hyperscaler_config"]["global"]["gpus"])
    assert plan == {
        "vfio": ["0000:65:00.0", "0000:65:00.1", "0000:65:00.2", "0000:ca:00.0"],
        "mig": [],
        "vgpu": [],
        "any": True,
    }


def test_a_vms_domain_gets_its_passthrough_gpus_and_the_vgpus_host_prep_recorded():
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import domain_devices
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._mdev import mdev_uuid

    node = dict(
        _pt("c1:00.0"),
        name="vm1",
        vgpu=[
            {"parent": "0000:41:00.0", "type": "nvidia-1024", "count": 2},
            {"parent": "81:00.0", "type": "nvidia-557"},
        ],
    )
    recorded = {
        "vm1": [
            {"uuid": "u1", "parent": "0000:41:00.0", "type": "nvidia-1024"},
            {"uuid": "u2", "parent": "0000:41:00.0", "type": "nvidia-1024"},
            {"pci_address": "0000:81:00.4", "parent": "0000:81:00.0", "type": "nvidia-557"},
        ],
        "vm2": [{"uuid": "u3", "parent": "0000:41:00.0", "type": "nvidia-1024"}],
    }
    assert domain_devices(node, recorded) == {
        "hostdevs": [{"address": "0000:c1:00.0", "managed": True}, {"address": "0000:81:00.4", "managed": False}],
        "mdevs": [{"uuid": "u1"}, {"uuid": "u2"}],
    }
    # host prep has not run: a sentence with the entry and the fix; check mode predicts the mdev module's UUIDs
    with pytest.raises(GpuPlanError, match=r"vm1.vgpu\[0\] \(2 x nvidia-1024 on 0000:41:00.0\): 0 device.*host_prep"):
        domain_devices(node, {})
    predicted = domain_devices(dict(node, vgpu=node["vgpu"][:1]), {}, predict=True)
    assert predicted["mdevs"] == [{"uuid": mdev_uuid("0000:41:00.0", "nvidia-1024", i, "vm1")} for i in range(2)]
