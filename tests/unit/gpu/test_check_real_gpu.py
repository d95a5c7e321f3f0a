# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""tests/gpu/check_real_gpu.py against the simulated NVML: agrees with the tables, catches a mismatch,
and never calls a setter."""

from __future__ import absolute_import, division, print_function

import copy
import os
import sys

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
from sim_nvml import SimGpu, SimNvml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "gpu"))
import check_real_gpu  # noqa: E402


def test_check_passes_and_is_read_only(two_gpu_host, monkeypatch, capsys):
    sim = SimNvml([SimGpu("H100-80GB", "0000:41:00.0", mig_enabled=True)])
    monkeypatch.setitem(sys.modules, "pynvml", sim)
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 0
    assert "OK: NVML agrees" in capsys.readouterr().out
    assert sim.calls == []  # no SetMigMode / create / destroy


def test_check_reports_table_mismatch(two_gpu_host, monkeypatch, capsys):
    sim = SimNvml([SimGpu("H100-80GB", "0000:41:00.0", mig_enabled=True)])
    monkeypatch.setitem(sys.modules, "pynvml", sim)
    # a board whose 2g.20gb may also start at slot 6: the check must notice
    tampered = copy.deepcopy(mig_tables.MIG_MODELS["H100-80GB"])
    tampered["profiles"]["2g.20gb"]["placements"].append({"start": 6, "size": 2})
    sim.gpus[0].table = tampered
    assert check_real_gpu.main(["--sysfs-root", two_gpu_host.sys]) == 1
    assert "2g.20gb: placements" in capsys.readouterr().out
