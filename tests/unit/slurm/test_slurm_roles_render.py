# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The SLURM roles' files as ansible-core renders them: slurm.conf (controller), gres.conf (compute) and the
version pin in each role's defaults. GRES types must come from the collection's GPU table."""

from __future__ import absolute_import, division, print_function

import copy
import re

import pytest

from role_render import expression, render

H200 = {
    "ip": "10.0.0.11",
    "cpu_cores": 2,
    "memory_mb": 2048,
    "pcie_passthrough": {
        "enabled": True,
        "devices": [{"device_type": "gpu", "device_id": "2335", "pci_address": "0000:41:00.0", "vendor_id": "10de"}],
    },
    "vgpu": [],
}
CLUSTER = {
    "name": "molecule",
    "slurm_config": {
        "partitions": ["batch", {"name": "gpu", "nodes": ["hpc-compute-01"], "max_time": "00:30:00"}],
        "default_partition": "batch",
        "max_job_time": "01:00:00",
    },
}


def controller(**extra):
    inventory = {
        "inventory_hostname": "hpc-controller",
        "hyperscaler_cluster": CLUSTER,
        "hyperscaler_node": {"ip": "10.0.0.10"},
        "ansible_facts": {"hostname": "hpc-controller"},
        "groups": {"hpc_compute": ["hpc-compute-01", "hpc-compute-02"], "hpc_controller": ["hpc-controller"]},
        "hostvars": {
            "hpc-compute-01": {"hyperscaler_node": H200},
            "hpc-compute-02": {
                "hyperscaler_node": {"ip": "10.0.0.12"},
                "ansible_facts": {"hostname": "hpc-compute-02", "processor_count": 2, "processor_cores": 4,
                                  "processor_threads_per_core": 2, "memtotal_mb": 16000},
            },
        },  # fmt: skip
    }
    inventory.update(extra)
    return render("slurm_controller", "slurm.conf.j2", inventory)


def settings(text):
    """KEY=value lines of a slurm.conf (not Node/Partition lines), as a list of (key, value)."""
    return [
        tuple(line.split("=", 1)) for line in text.splitlines() if re.match(r"^[A-Za-z]+=", line) and " " not in line
    ]


def node_line(text, host):
    return [line for line in text.splitlines() if line.startswith("NodeName=%s " % host)][0]


@pytest.fixture
def gpu_table(monkeypatch):
    """Change the GRES type of device 2335 in the collection's one GPU table."""
    from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models

    def retype(device_id, gres_type):
        monkeypatch.setitem(
            _gpu_models.GPU_MODELS, device_id, _gpu_models.GPU_MODELS[device_id]._replace(gres_type=gres_type)
        )

    return retype


# ---------------------------------------------------------------------------------------------- GRES


def test_controller_node_line_gres_comes_from_the_gpu_table(gpu_table):
    conf = controller()
    assert node_line(conf, "hpc-compute-01") == (
        "NodeName=hpc-compute-01 NodeHostname=hpc-compute-01 NodeAddr=10.0.0.11 CPUs=2 SocketsPerBoard=1 "
        "CoresPerSocket=2 ThreadsPerCore=1 RealMemory=1945 Gres=gpu:h200:1 State=UNKNOWN"
    )
    # Topology and memory from facts; no GPU, no Gres.
    assert node_line(conf, "hpc-compute-02") == (
        "NodeName=hpc-compute-02 NodeHostname=hpc-compute-02 NodeAddr=10.0.0.12 CPUs=16 SocketsPerBoard=2 "
        "CoresPerSocket=4 ThreadsPerCore=2 RealMemory=15200 State=UNKNOWN"
    )
    gpu_table("2335", "h200nvl")
    assert "Gres=gpu:h200nvl:1 " in node_line(controller(), "hpc-compute-01")


def test_compute_gres_conf_comes_from_the_gpu_table(gpu_table):
    inventory = {"inventory_hostname": "hpc-compute-01", "hyperscaler_node": H200, "__slurm_compute_autodetect": False}
    assert "Name=gpu Type=h200 File=/dev/nvidia0\n" in render("slurm_compute", "gres.conf.j2", inventory)
    gpu_table("2335", "h200nvl")
    assert "Name=gpu Type=h200nvl File=/dev/nvidia0\n" in render("slurm_compute", "gres.conf.j2", inventory)


def test_explicit_devices_and_vgpus():
    node = dict(H200, vgpu=[{"parent": "0000:42:00.0", "type": "nvidia-1024", "count": 2}])
    conf = controller(
        hostvars={
            "hpc-compute-01": {"hyperscaler_node": node},
            "hpc-compute-02": {
                "hyperscaler_node": {},
                "slurm_compute_gpu_devices": ["/dev/nvidia0", {"file": "/dev/nvidia1", "type": "a100"}],
            },
        }
    )
    assert "Gres=gpu:h200:1,gpu:nvidia_1024:2 " in node_line(conf, "hpc-compute-01")
    assert "Gres=gpu:generic:1,gpu:a100:1 " in node_line(conf, "hpc-compute-02")
    gres_vars = {"hyperscaler_node": node, "__slurm_compute_autodetect": False, "inventory_hostname": "hpc-compute-01"}
    gres = render("slurm_compute", "gres.conf.j2", gres_vars)
    assert re.findall(r"^Name=gpu .*$", gres, re.M) == [
        "Name=gpu Type=h200 File=/dev/nvidia0",
        "Name=gpu Type=nvidia_1024 File=/dev/nvidia1",
        "Name=gpu Type=nvidia_1024 File=/dev/nvidia2",
    ]


def _with_mig(layout):
    """H200 passed through whole, plus an H100 with a MIG layout the guest applies (device_id 2330)."""
    node = copy.deepcopy(H200)
    h100 = {"device_type": "gpu", "device_id": "2330", "pci_address": "0000:42:00.0", "mig": layout}
    node["pcie_passthrough"]["devices"].append(h100)
    return node


def test_mig_inside_the_guest_becomes_one_gres_type_per_profile():
    layout = {"enabled": True, "instances": [{"profile": "3g.40gb"}, {"profile": "1g.10gb", "count": 2}]}
    node = _with_mig(layout)
    conf = controller(
        hostvars={"hpc-compute-01": {"hyperscaler_node": node}, "hpc-compute-02": {"hyperscaler_node": {}}}
    )
    # the whole H200 keeps its table type; the H100 is its MIG devices, typed by profile (AutoDetect matches them)
    assert "Gres=gpu:h200:1,gpu:3g.40gb:1,gpu:1g.10gb:2 " in node_line(conf, "hpc-compute-01")
    # the guest applies the layout to its second GPU (NVML index 1), with mig_profile's options
    assert expression("slurm_compute", "{{ slurm_compute_mig_layouts }}", {"hyperscaler_node": node}) == [
        {
            "gpu": "1",
            "mig_enabled": True,
            "instances": [{"profile": "3g.40gb", "count": 1}, {"profile": "1g.10gb", "count": 2}],
        }
    ]
    # gres.conf cannot list MIG devices by file: AutoDetect=nvml finds them
    gres = render(
        "slurm_compute",
        "gres.conf.j2",
        {"hyperscaler_node": node, "__slurm_compute_autodetect": True, "inventory_hostname": "hpc-compute-01"},
    )
    assert "AutoDetect=nvml" in gres and "File=" not in gres


def test_mig_off_inside_the_guest_is_the_whole_gpu_and_turns_mig_off():
    node = _with_mig({"enabled": False})
    conf = controller(
        hostvars={"hpc-compute-01": {"hyperscaler_node": node}, "hpc-compute-02": {"hyperscaler_node": {}}}
    )
    assert "Gres=gpu:h200:1,gpu:h100:1 " in node_line(conf, "hpc-compute-01")
    assert expression("slurm_compute", "{{ slurm_compute_mig_layouts }}", {"hyperscaler_node": node}) == [
        {"gpu": "1", "mig_enabled": False, "instances": []}
    ]
    assert expression("slurm_compute", "{{ slurm_compute_mig_layouts }}", {"hyperscaler_node": H200}) == []


def test_deprecated_type_map_overrides_the_table(monkeypatch):
    from ansible_collections.hyperscaler.workstation.plugins.filter import slurm as slurm_filter

    warned = []
    monkeypatch.setattr(slurm_filter._display, "deprecated", lambda msg, **kw: warned.append(msg))
    conf = controller(slurm_controller_gpu_type_map={"2335": "myh200"})
    assert "Gres=gpu:myh200:1 " in node_line(conf, "hpc-compute-01")
    assert any(m.startswith("slurm_controller_gpu_type_map is deprecated") for m in warned)


# ---------------------------------------------------------------------------------------------- settings


def test_default_settings_once_each_with_accounting():
    pairs = settings(controller())
    keys = [k.lower() for k, _v in pairs]
    assert len(keys) == len(set(keys)) and len(keys) > 40
    conf = dict(pairs)
    assert conf["ClusterName"] == "molecule" and conf["SlurmctldHost"] == "hpc-controller(10.0.0.10)"
    assert conf["AccountingStorageType"] == "accounting_storage/slurmdbd" and conf["AccountingStoragePort"] == "6819"
    assert re.findall(r"^PartitionName=.*$", controller(), re.M) == [
        "PartitionName=batch Nodes=hpc-compute-01,hpc-compute-02 MaxTime=01:00:00 Default=YES State=UP",
        "PartitionName=gpu Nodes=hpc-compute-01 MaxTime=00:30:00 Default=NO State=UP",
    ]


def test_accounting_off_leaves_the_storage_keys_out():
    conf = dict(settings(controller(slurm_controller_accounting_enabled=False)))
    assert conf["AccountingStorageType"] == "accounting_storage/none"
    assert not [k for k in conf if k.startswith("AccountingStorage") and k != "AccountingStorageType"]


def test_rest_api_adds_jwt_auth_and_its_packages_only_when_on():
    off = dict(settings(controller()))
    assert "AuthAltTypes" not in off and "AuthAltParameters" not in off and off["PrologFlags"] == "Contain"
    on_cluster = dict(CLUSTER, slurm_config=dict(CLUSTER["slurm_config"], rest_api={"enabled": True}))
    on = dict(settings(controller(hyperscaler_cluster=on_cluster)))
    assert on["AuthAltTypes"] == "auth/jwt"
    assert on["AuthAltParameters"] == "jwt_key=/var/lib/slurm/slurmctld/jwt_hs256.key"
    facts = {"hyperscaler_cluster": on_cluster, "ansible_facts": {"packages": {}}}
    missing = expression("slurm_controller", "{{ __slurm_controller_packages_missing }}", facts)
    assert [spec.split("=")[0] for spec in missing] == [
        "slurmctld",
        "slurm-client",
        "slurmrestd",
        "slurm-wlm-jwt-plugin",
    ]
    facts["hyperscaler_cluster"] = CLUSTER
    missing = expression("slurm_controller", "{{ __slurm_controller_packages_missing }}", facts)
    assert [spec.split("=")[0] for spec in missing] == ["slurmctld", "slurm-client"]


def test_override_replaces_in_place_adds_and_removes():
    from ansible.template import trust_as_template

    default = settings(controller())
    overrides = {"schedulertype": "sched/builtin", "SlurmdDebug": trust_as_template("{{ omit }}"), "MaxJobCount": 5000}
    pairs = settings(controller(slurm_controller_config=overrides))
    keys = [k for k, _v in pairs]
    assert keys.count("SchedulerType") == 1 and "schedulertype" not in keys
    default_keys = [k for k, _v in default]
    # In place: after the same setting as before.
    assert keys[keys.index("SchedulerType") - 1] == default_keys[default_keys.index("SchedulerType") - 1]
    assert dict(pairs)["SchedulerType"] == "sched/builtin" and "SlurmdDebug" not in keys
    assert pairs[-1] == ("MaxJobCount", "5000")


def test_cluster_yaml_layer_then_user_layer():
    cluster = dict(CLUSTER, slurm_config=dict(CLUSTER["slurm_config"], slurm_conf={"MaxJobCount": 100, "KillWait": 60}))
    conf = dict(settings(controller(hyperscaler_cluster=cluster, slurm_controller_config={"KillWait": 10})))
    assert conf["MaxJobCount"] == "100" and conf["KillWait"] == "10"


def test_extra_config_still_merges_with_a_deprecation(monkeypatch):
    from ansible_collections.hyperscaler.workstation.plugins.filter import slurm as slurm_filter

    warned = []
    monkeypatch.setattr(slurm_filter._display, "deprecated", lambda msg, **kw: warned.append(msg))
    pairs = settings(controller(slurm_controller_extra_config={"KillWait": 45, "SchedulerParameters": "bf_continue"}))
    assert [k for k, _v in pairs].count("KillWait") == 1 and dict(pairs)["KillWait"] == "45"
    assert dict(pairs)["SchedulerParameters"] == "bf_continue"
    assert warned and warned[0].startswith("slurm_controller_extra_config is deprecated")
    # slurm_controller_config wins over the deprecated variable.
    both = dict(
        settings(controller(slurm_controller_extra_config={"KillWait": 45}, slurm_controller_config={"KillWait": 5}))
    )
    assert both["KillWait"] == "5"


def test_node_lines_cannot_be_set_as_settings():
    from ansible.errors import AnsibleError

    with pytest.raises(AnsibleError, match="NodeName lines are generated from the inventory"):
        controller(slurm_controller_config={"NodeName": "x"})


# ---------------------------------------------------------------------------------------------- version pin


@pytest.mark.parametrize(
    "role,packages",
    [
        ("slurm_controller", "slurm_controller_packages"),
        ("slurm_compute", "slurm_compute_packages"),
        ("slurmdbd", "slurmdbd_packages"),
    ],
)
def test_each_role_uses_the_one_pin_or_cluster_yaml(role, packages):
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._slurm_conf import DEFAULT_SLURM_VERSION

    pinned = expression(role, "{{ %s }}" % packages, {"hyperscaler_cluster": {"name": "hpc"}})
    assert pinned[0].endswith("=" + DEFAULT_SLURM_VERSION)
    chosen = expression(role, "{{ %s }}" % packages, {"hyperscaler_cluster": {"slurm_config": {"version": "24.11"}}})
    assert chosen[0].endswith("=24.11.*")
    # Without any cluster (a plain inventory) the pin still applies.
    assert expression(role, "{{ %s_slurm_version }}" % role, {}) == DEFAULT_SLURM_VERSION


# ---------------------------------------------------------------------------------------------- nfs_client


def test_nfs_client_without_controller_has_no_server():
    assert (
        expression("nfs_client", "{{ nfs_client_server }}", {"groups": {"hpc_compute": ["c1"]}, "hostvars": {}}) == ""
    )
    found = expression(
        "nfs_client",
        "{{ nfs_client_server }}",
        {"groups": {"hpc_controller": ["ctl"]}, "hostvars": {"ctl": {"hyperscaler_node": {"ip": "10.0.0.10"}}}},
    )
    assert found == "10.0.0.10"
