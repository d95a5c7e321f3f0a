# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""tests/gpu/check_real_gpu.py against the NVML stand-in: it agrees with the tables, says what it compared,
catches a mismatch, fails when it compared nothing, and never calls a setter."""

from __future__ import absolute_import, division, print_function

import copy
import os
import sys

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
from nvml_stub import Nvml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "gpu"))
import check_real_gpu  # noqa: E402


def stub(monkeypatch, device_id="2330", mig=True):
    nvml = Nvml()
    nvml.add_gpu("0000:41:00.0", device_id, mig=mig)
    monkeypatch.setitem(sys.modules, "pynvml", nvml.pynvml)
    return nvml


def test_mig_on_compares_profiles_and_placements_read_only(two_gpu_host, monkeypatch, capsys):
    nvml = stub(monkeypatch)
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 0
    out = capsys.readouterr().out
    assert "OK: NVML agrees" in out and "profile 3g.40gb (enum, id, slices, instances)" in out
    assert "placements of profile id 15 (1g.20gb)" in out
    assert nvml.calls == []  # no SetMigMode / create / destroy


def test_mig_off_still_compares_the_placements(two_gpu_host, monkeypatch, capsys):
    nvml = stub(monkeypatch, mig=False)
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 0
    out = capsys.readouterr().out
    assert "MIG is off" in out and "placements of profile id 9 (3g.40gb)" in out and "enum, id" not in out
    assert nvml.calls == []


@pytest.mark.parametrize("device_id", ["27b8", None])
def test_nothing_compared_is_a_failure_unless_allowed(two_gpu_host, monkeypatch, capsys, device_id):
    if device_id:
        stub(monkeypatch, device_id, mig=False)  # an L4: no MIG table to compare
    else:
        monkeypatch.setitem(sys.modules, "pynvml", Nvml().pynvml)  # no GPU at all
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 3
    assert "NOTHING COMPARED" in capsys.readouterr().out
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys, "--allow-nothing"]) == 0


def test_check_reports_table_mismatch(two_gpu_host, monkeypatch, capsys):
    stub(monkeypatch)
    # the collection's table claims 2g.20gb may also start at slot 6: the driver says otherwise
    tampered = copy.deepcopy(mig_tables.MIG_MODELS["H100-80GB"])
    tampered["profiles"]["2g.20gb"]["placements"].append({"start": 6, "size": 2})
    monkeypatch.setitem(mig_tables.MIG_MODELS, "H100-80GB", tampered)
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 1
    assert "2g.20gb: placements" in capsys.readouterr().out
