# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The NVML stand-in is a witness: the C API's argument rules, its own tables (which must agree with the
collection's), and layouts the planner accepts are layouts the driver accepts."""

from __future__ import absolute_import, division, print_function

import ctypes
import itertools

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter
from nvml_stub import Nvml

H100 = "0000:41:00.0"


@pytest.fixture
def h100():
    nvml = Nvml()
    nvml.add_gpu(H100, "2330", mig=True)
    nvml.pynvml.nvmlInit()
    yield nvml, nvml.pynvml.nvmlDeviceGetHandleByIndex(0)
    nvml.pynvml.nvmlShutdown()


def _error(pynvml, call, *args):
    with pytest.raises(pynvml.NVMLError) as err:
        call(*args)
    return err.value.value


def test_a_placement_passed_by_value_is_refused_as_the_c_api_would(h100):
    """nvmlDeviceCreateGpuInstanceWithPlacement takes a pointer; pynvml passes what it is given, and ctypes
    passes a bare structure by value (the adapter's old bug). By reference it works."""
    nvml, dev = h100
    pynvml = nvml.pynvml
    placement = pynvml.c_nvmlGpuInstancePlacement_t(0, 4)
    code = _error(pynvml, pynvml.nvmlDeviceCreateGpuInstanceWithPlacement, dev, 5, placement)
    assert code == pynvml.NVML_ERROR_INVALID_ARGUMENT and nvml.calls == []
    pynvml.nvmlDeviceCreateGpuInstanceWithPlacement(dev, 5, ctypes.byref(placement))
    assert nvml.calls == ["CreateGpuInstance"]


def test_versioned_structures_and_foreign_handles_are_checked(h100):
    nvml, dev = h100
    pynvml = nvml.pynvml
    fn = pynvml._nvmlGetFunctionPointer("nvmlDeviceGetGpuInstanceProfileInfoV")  # pylint: disable=protected-access
    info = pynvml.c_nvmlGpuInstanceProfileInfo_v2_t()
    assert fn(dev, 0, ctypes.byref(info)) == pynvml.NVML_SUCCESS and info.id == 19
    info.version = 1
    assert fn(dev, 0, ctypes.byref(info)) == pynvml.NVML_ERROR_ARGUMENT_VERSION_MISMATCH
    assert fn(dev, 0, None) == pynvml.NVML_ERROR_INVALID_ARGUMENT
    stranger = ctypes.cast(ctypes.pointer(ctypes.c_uint(7)), pynvml.c_nvmlDevice_t)
    assert _error(pynvml, pynvml.nvmlDeviceGetName, stranger) == pynvml.NVML_ERROR_INVALID_ARGUMENT
    assert _error(pynvml, pynvml.nvmlDeviceGetHandleByIndex, 1) == pynvml.NVML_ERROR_INVALID_ARGUMENT


def test_instance_calls_need_mig_on_and_a_profile_of_the_board():
    nvml = Nvml()
    nvml.add_gpu(H100, "2330")
    nvml.add_gpu("0000:05:00.0", "27b8")
    pynvml = nvml.pynvml
    adapter = NvmlAdapter(pynvml)
    adapter.init()
    dev, l4 = adapter.handle(0), adapter.handle(1)
    assert adapter.mig_mode(dev) == (False, False) and adapter.mig_mode(l4) == (None, None)
    assert adapter.profile_info(dev, 0) is None and adapter.gpu_instances(dev, 19) == []
    # nvml.h: placements are answered "regardless of whether MIG is enabled or not"
    assert adapter.possible_placements(dev, 9) == [(0, 4), (4, 4)]
    code = _error(pynvml, adapter.create_gpu_instance, dev, 9, 0, 4)
    assert code == pynvml.NVML_ERROR_NOT_SUPPORTED
    adapter.set_mig_mode(dev, True)
    assert _error(pynvml, adapter.create_gpu_instance, dev, 9, 2, 4) == pynvml.NVML_ERROR_INVALID_ARGUMENT
    assert _error(pynvml, adapter.create_gpu_instance, dev, 35, 0, 4) == pynvml.NVML_ERROR_INVALID_ARGUMENT
    adapter.create_gpu_instance(dev, 0, 0, 8)
    code = _error(pynvml, adapter.create_gpu_instance, dev, 19, 0, 1)
    assert code == pynvml.NVML_ERROR_INSUFFICIENT_RESOURCES
    code = _error(pynvml, adapter.set_mig_mode, dev, False)
    assert code == pynvml.NVML_ERROR_IN_USE  # instances first
    adapter.shutdown()


def test_the_stubs_tables_and_the_collections_agree():
    """Two transcriptions of NVIDIA's tables: the stub's (C) and the collection's (_gpu_models, _mig_tables)."""
    boards, families = Nvml().tables()
    for device_id, (name, family) in boards.items():
        entry = _gpu_models.lookup(device_id)
        assert entry is not None, "the stub knows %s %s, the GPU table does not" % (device_id, name)
        assert (entry.name, entry.mig_model) == (name, family), device_id
    for entry in _gpu_models.GPU_MODELS.values():
        assert entry.device_id in boards, "%s (%s) is in the GPU table, not in the stub" % (entry.device_id, entry.name)
    assert sorted(families) == mig_tables.model_names()
    for family, rows in families.items():
        ours = mig_tables.MIG_MODELS[family]["profiles"]
        assert sorted(rows) == sorted(ours), family
        for name, row in rows.items():
            mine = ours[name]
            placements = "{%s}:%d" % (",".join(str(p["start"]) for p in mine["placements"]), mine["memory_slices"])
            keys = ("nvml_profile", "profile_id", "compute_slices", "memory_slices", "max_instances")
            assert [row[k] for k in keys] + [row["placements"]] == [mine[k] for k in keys] + [placements], (
                family,
                name,
            )


def _creatable(nvml, adapter, device_id, plan):
    nvml.lib.hswstub_clear()
    nvml.add_gpu(H100, device_id, mig=True)
    adapter.init()
    dev = adapter.handle(0)
    try:
        for place in plan:
            adapter.create_gpu_instance(dev, place["profile_id"], place["start"], place["size"])
        return True
    except adapter.error_class:
        return False
    finally:
        adapter.shutdown()


@pytest.mark.parametrize("model,device_id", [("A30-24GB", "20b7"), ("A100-40GB", "20b0"), ("H100-80GB", "2330")])
def test_every_layout_the_planner_accepts_the_driver_creates(model, device_id):
    """Every count combination of the model's profiles: where the planner places a layout, the stub creates its
    instances at those placements; where the planner refuses, the layout exceeds the stub's capacity too."""
    nvml = Nvml()
    adapter = NvmlAdapter(nvml.pynvml)
    table = mig_tables.MIG_MODELS[model]
    profiles = table["profiles"]
    names = sorted(profiles)
    accepted = 0
    for counts in itertools.product(*[range(profiles[n]["max_instances"] + 1) for n in names]):
        layout = [{"profile": n, "count": c} for n, c in zip(names, counts) if c]
        plan, err = mig_tables.plan_layout(model, layout)
        if err is None:
            accepted += 1
            assert _creatable(nvml, adapter, device_id, plan), layout
        else:
            mem = sum(profiles[n]["memory_slices"] * c for n, c in zip(names, counts))
            comp = sum(profiles[n]["compute_slices"] * c for n, c in zip(names, counts))
            assert mem > table["memory_slices"] or comp > table["compute_slices"], (layout, err)
    assert accepted > 10
