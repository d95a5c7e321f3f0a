# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""How long vfio_bind takes to plan (check mode: expand groups, safety checks, no writes) on a fake sysfs
tree with N GPU+audio pairs, and how long layout_fits takes for every H100 count combination.

    .venv/bin/python tests/bench/bench_gpu_plan.py [runs]
"""

from __future__ import absolute_import, division, print_function

import itertools
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "collections"))
sys.path.insert(0, os.path.join(ROOT, "tests", "unit", "gpu"))

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables  # noqa: E402
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import ProcScanner  # noqa: E402
from ansible_collections.hyperscaler.workstation.plugins.module_utils._vfio import VfioBinder  # noqa: E402
from gpu_fakes import FakeHost, FakeKernel  # noqa: E402


def plan_time(n, runs):
    host = FakeHost(tempfile.mkdtemp())
    addrs = []
    for i in range(n):
        slot = "0000:%02x:00" % (0x10 + i)
        host.add_gpu_pair(slot, i + 1, boot_vga=0)
        addrs.append(slot + ".0")
    for pid in range(200):  # a busy /proc to scan
        host.open_fd(1000 + pid, "proc%d" % pid, "/dev/null")
    times = []
    for dummy in range(runs):
        binder = VfioBinder(FakeKernel(host), ProcScanner(host.proc), os.path.join(host.etc, "d"), host.state)
        start = time.perf_counter()
        res = binder.run(addrs, "bound", check_mode=True)
        times.append(time.perf_counter() - start)
        assert len(res["actions"]) == 2 * n
    return statistics.median(times)


def layout_time(runs):
    profiles = mig_tables.MIG_MODELS["H100-80GB"]["profiles"]
    names = sorted(profiles)
    combos = [
        [{"profile": n, "count": c} for n, c in zip(names, counts) if c]
        for counts in itertools.product(*[range(profiles[n]["max_instances"] + 1) for n in names])
    ]
    times = []
    for dummy in range(runs):
        start = time.perf_counter()
        for layout in combos:
            mig_tables.layout_fits("H100-80GB", layout)
        times.append(time.perf_counter() - start)
    return len(combos), statistics.median(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    t8, t64 = plan_time(8, runs), plan_time(64, runs)
    print("vfio_bind check-mode plan,  8 GPUs (16 functions): %.1f ms" % (t8 * 1000))
    print(
        "vfio_bind check-mode plan, 64 GPUs (128 functions): %.1f ms (x%.1f for 8x the GPUs)" % (t64 * 1000, t64 / t8)
    )
    n, t = layout_time(runs)
    print("layout_fits, all %d H100 count combinations: %.1f ms (%.1f us each)" % (n, t * 1000, t / n * 1e6))


if __name__ == "__main__":
    main()
