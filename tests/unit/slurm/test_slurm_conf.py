# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""_slurm_conf and _sacctmgr helpers: version patterns, GPU devices, GRES strings, settings merge, partitions."""

from __future__ import absolute_import, division, print_function

import pytest


@pytest.fixture
def sc():
    from ansible_collections.hyperscaler.workstation.plugins.module_utils import _slurm_conf

    return _slurm_conf


@pytest.mark.parametrize(
    "written,pattern",
    [("22.05", "22.05.*"), ("24.11", "24.11.*"), ("24.11.5", "24.11.5*"), ("22.05.8-4+deb12u3", "22.05.8-4+deb12u3"),
     ("23.*", "23.*"), (24.11, "24.11.*")],
)  # fmt: skip
def test_version_pattern(sc, written, pattern):
    assert sc.slurm_version({"slurm_config": {"version": written}}) == pattern


def test_version_default_and_empty(sc):
    assert sc.slurm_version({}) == sc.slurm_version(None) == sc.DEFAULT_SLURM_VERSION
    assert sc.slurm_version({"slurm_config": {"version": ""}}) == sc.DEFAULT_SLURM_VERSION
    with pytest.raises(sc.SlurmConfError, match="empty"):
        sc.version_pattern("  ")


@pytest.mark.parametrize(
    "suite,pattern",
    [("trixie", "24.11.*"), ("13", "24.11.*"), ("bookworm", "22.05.*"), ("12", "22.05.*"), ("", "24.11.*"),
     (None, "24.11.*")],
)  # fmt: skip
def test_version_follows_the_nodes_debian_release(sc, suite, pattern):
    assert sc.slurm_version({}, suite) == pattern
    # cluster.yaml's slurm_config.version wins over the release's pin
    assert sc.slurm_version({"slurm_config": {"version": "23.11"}}, suite) == "23.11.*"


def test_unknown_release_names_the_field_to_set(sc):
    with pytest.raises(sc.SlurmConfError, match=r"'jammy'.*slurm_config.version"):
        sc.slurm_version({}, "jammy")


def test_gpu_devices_skip_non_gpus_and_disabled_passthrough(sc):
    node = {
        "pcie_passthrough": {
            "enabled": True,
            "devices": [
                {"device_type": "network", "device_id": "1572"},
                {"device_type": "gpu", "device_id": "0x2330"},
                {"device_type": "gpu", "device_id": "ffff"},
            ],
        },
        "vgpu": [{"type": "nvidia-1024"}],
    }
    assert sc.gpu_devices(node) == [
        {"file": "/dev/nvidia0", "type": "h100"},
        {"file": "/dev/nvidia1", "type": "generic"},
        {"file": "/dev/nvidia2", "type": "nvidia_1024"},
    ]
    node["pcie_passthrough"]["enabled"] = False
    assert sc.gpu_devices(node) == [{"file": "/dev/nvidia0", "type": "nvidia_1024"}]
    assert sc.gpu_devices({}) == [] and sc.gres([]) == ""


def test_explicit_devices_win_and_bad_entries_are_named(sc):
    node = {"pcie_passthrough": {"enabled": True, "devices": [{"device_type": "gpu", "device_id": "2330"}]}}
    assert sc.gpu_devices(node, devices=[]) == []
    assert sc.gpu_devices(node, devices=["/dev/nvidia3"]) == [{"file": "/dev/nvidia3", "type": "generic"}]
    with pytest.raises(sc.SlurmConfError, match=r"slurm_compute_gpu_devices\[1\] must be a device file"):
        sc.gpu_devices(node, devices=["/dev/nvidia0", {"type": "a100"}])
    with pytest.raises(sc.SlurmConfError, match="must be a list"):
        sc.gpu_devices(node, devices="/dev/nvidia0")


def test_gres_counts_in_order_of_first_appearance(sc):
    devices = [{"file": "a", "type": "a100"}, "b", {"file": "c", "type": "a100"}]
    assert sc.gres(devices) == "gpu:a100:2,gpu:generic:1"


def test_type_map_matches_any_device_id_spelling(sc):
    assert sc.gres_type("2335") == "h200"
    assert sc.gres_type("10de:2335", {"0x2335": "mine"}) == "mine"
    assert sc.gres_type("2330", {"2335": "mine"}) == "h100"


def test_merge_settings(sc):
    merged = sc.merge_settings({"A": 1, "Flag": True, "L": ["x", "y"]}, {"a": 2, "New": "v"}, {"L": None})
    assert merged == {"A": "2", "Flag": "YES", "New": "v"}
    assert sc.render_settings(merged) == "A=2\nFlag=YES\nNew=v"
    with pytest.raises(sc.SlurmConfError, match="line break"):
        sc.merge_settings({"A": "x\nNodeName=evil"})
    with pytest.raises(sc.SlurmConfError, match="is not a slurm.conf key"):
        sc.merge_settings({"A B": 1})
    with pytest.raises(sc.SlurmConfError, match="PartitionName lines are generated"):
        sc.merge_settings({}, {"partitionname": "p"})


def test_partitions(sc):
    lines = sc.partition_lines(
        ["batch", {"name": "gpu", "nodes": ["n1"], "default_qos": "high"}], ["n1", "n2"], "gpu", "2:00:00"
    )
    assert lines.splitlines() == [
        "PartitionName=batch Nodes=n1,n2 MaxTime=2:00:00 Default=NO State=UP",
        "PartitionName=gpu Nodes=n1 MaxTime=2:00:00 Default=YES QOS=high State=UP",
    ]
    assert "Nodes=ALL" in sc.partition_lines(["batch"], [])
    with pytest.raises(sc.SlurmConfError, match="Default partition 'nope' is not one of the partitions batch"):
        sc.partition_lines(["batch"], [], "nope")


@pytest.mark.parametrize(
    "text,seconds",
    [("30", 1800), ("30:15", 1815), ("00:30:00", 1800), ("1-00:00:00", 86400), ("2-3", 2 * 86400 + 3 * 3600),
     ("1-01:30", 86400 + 5400), ("UNLIMITED", None), ("", None), ("-1", None)],
)  # fmt: skip
def test_slurm_seconds(text, seconds):
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._sacctmgr import slurm_seconds

    assert slurm_seconds(text) == seconds
