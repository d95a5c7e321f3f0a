# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A simulated pynvml for tests: the calls NvmlAdapter makes, with NVIDIA's real
MIG tables and placement rules (from mig_tables) and Ampere/Hopper mode semantics.

Usage: ``nvml = SimNvml([SimGpu("H100-80GB", "0000:41:00.0")])`` and pass ``nvml``
wherever the ``pynvml`` module would go.
"""

from __future__ import absolute_import, division, print_function

import ctypes
import itertools
import uuid

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables

NVML_SUCCESS = 0
NVML_ERROR_UNINITIALIZED = 1
NVML_ERROR_INVALID_ARGUMENT = 2
NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_NOT_FOUND = 6
NVML_ERROR_IN_USE = 19
NVML_ERROR_INSUFFICIENT_RESOURCES = 23

CI_SLICES = {0: 1, 1: 2, 2: 3, 3: 4, 4: 7}


class NVMLError(Exception):
    def __init__(self, value):
        super(NVMLError, self).__init__(value)
        self.value = value

    def __str__(self):
        return "NVML error %d" % self.value


class c_nvmlGpuInstancePlacement_t(ctypes.Structure):
    _fields_ = [("start", ctypes.c_uint), ("size", ctypes.c_uint)]


c_nvmlGpuInstance_t = ctypes.c_void_p
c_nvmlComputeInstance_t = ctypes.c_void_p


class _Obj(object):
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _board(model):
    """The GPU table's row for a board given by its MIG model ("H100-80GB") or GRES type ("L4").

    The lowest device id of a MIG model stands for it (A100-40GB -> 20b0, the SXM4 board), so the simulated
    GPUs carry the ids and NVML names of the one GPU table rather than a copy of it.
    """
    for row in sorted(_gpu_models.GPU_MODELS.values()):
        if row.mig_model == model or row.gres_type == str(model).lower():
            return row
    raise ValueError("%s is not in the GPU table (plugins/module_utils/_gpu_models.py)" % model)


class SimGpu(object):
    def __init__(self, model, pci_address, mig_enabled=False, processes=None):
        self.model = model
        self.pci_address = pci_address
        self.table = mig_tables.MIG_MODELS.get(model)
        board = _board(model)
        self.device_id = int(board.device_id, 16)
        self.name = board.name
        self.uuid = "GPU-" + str(uuid.uuid5(uuid.NAMESPACE_URL, pci_address))
        self.mig_current = 1 if mig_enabled else 0
        self.mig_pending = self.mig_current
        self.gis = {}  # gi id -> {"profile": row, "start", "size", "cis": {ci id: ci profile}}
        self.processes = list(processes or [])

    @property
    def arch(self):
        return self.table["architecture"] if self.table else None


class SimNvml(object):
    """Looks like the pynvml module."""

    NVMLError = NVMLError
    NVML_DEVICE_MIG_DISABLE = 0
    NVML_DEVICE_MIG_ENABLE = 1
    c_nvmlGpuInstancePlacement_t = c_nvmlGpuInstancePlacement_t
    c_nvmlGpuInstance_t = c_nvmlGpuInstance_t
    c_nvmlComputeInstance_t = c_nvmlComputeInstance_t

    def __init__(self, gpus, fail_init=False):
        self.gpus = list(gpus)
        self.fail_init = fail_init
        self.initialised = False
        self.calls = []
        self._handles = {}  # int -> ("gi", gpu, gi id) | ("ci", gpu, gi id, ci id)
        self._next = itertools.count(1)

    # ---------------------------------------------------------------- helpers
    def _log(self, name, *args):
        self.calls.append(name)

    def _gpu(self, handle):
        if not self.initialised:
            raise NVMLError(NVML_ERROR_UNINITIALIZED)
        if not isinstance(handle, SimGpu):
            raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)
        return handle

    def _mig(self, handle):
        gpu = self._gpu(handle)
        if gpu.table is None:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        return gpu

    def _handle(self, *ref):
        for key, value in self._handles.items():
            if value == ref:
                return key
        key = next(self._next)
        self._handles[key] = ref
        return key

    def _resolve(self, handle, kind):
        ref = self._handles.get(int(handle) if handle is not None else -1)
        if not ref or ref[0] != kind:
            raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)
        return ref

    @staticmethod
    def _set_count(count_ref, value):
        getattr(count_ref, "_obj", count_ref).value = value

    def reset(self, gpu):
        """nvidia-smi -r: a pending MIG mode takes effect and all instances go."""
        gpu.mig_current = gpu.mig_pending
        gpu.gis = {}

    # ---------------------------------------------------------------- init
    def nvmlInit(self):
        if self.fail_init:
            raise NVMLError(NVML_ERROR_UNINITIALIZED)
        self.initialised = True

    def nvmlShutdown(self):
        self.initialised = False

    # ---------------------------------------------------------------- devices
    def nvmlDeviceGetCount(self):
        self._gpu(self.gpus[0]) if self.gpus else None
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index):
        if index >= len(self.gpus):
            raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)
        return self._gpu(self.gpus[index])

    def nvmlDeviceGetHandleByPciBusId(self, bus_id):
        bus_id = bus_id.decode() if isinstance(bus_id, bytes) else bus_id
        domain, rest = bus_id.lower().split(":", 1)
        addr = "%04x:%s" % (int(domain, 16), rest)
        for gpu in self.gpus:
            if gpu.pci_address == addr:
                return self._gpu(gpu)
        raise NVMLError(NVML_ERROR_NOT_FOUND)

    def nvmlDeviceGetName(self, handle):
        return self._gpu(handle).name

    def nvmlDeviceGetUUID(self, handle):
        if isinstance(handle, _Obj):  # MIG device
            return handle.uuid
        return self._gpu(handle).uuid

    def nvmlDeviceGetPciInfo(self, handle):
        gpu = self._gpu(handle)
        domain, rest = gpu.pci_address.split(":", 1)
        return _Obj(
            busId=("%08x:%s" % (int(domain, 16), rest)).upper().encode(), pciDeviceId=(gpu.device_id << 16) | 0x10DE
        )

    def nvmlDeviceGetMigMode(self, handle):
        gpu = self._mig(handle)
        return [gpu.mig_current, gpu.mig_pending]

    def nvmlDeviceSetMigMode(self, handle, mode):
        gpu = self._mig(handle)
        self._log("SetMigMode")
        if gpu.processes:
            raise NVMLError(NVML_ERROR_IN_USE)
        if gpu.gis:
            raise NVMLError(NVML_ERROR_IN_USE)
        gpu.mig_pending = mode
        if gpu.arch == "hopper":
            gpu.mig_current = mode
            return NVML_SUCCESS
        return NVML_SUCCESS if gpu.mig_current == mode else NVML_ERROR_IN_USE

    def nvmlDeviceGetComputeRunningProcesses(self, handle):
        if isinstance(handle, _Obj):
            return []
        return [_Obj(pid=p, usedGpuMemory=1 << 30) for p in self._gpu(handle).processes]

    # ---------------------------------------------------------------- GPU instances
    def _row_by_id(self, gpu, profile_id):
        for row in gpu.table["profiles"].values():
            if row["profile_id"] == profile_id:
                return row
        raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)

    def nvmlDeviceGetGpuInstanceProfileInfo(self, handle, profile, version=2):
        gpu = self._mig(handle)
        for row in gpu.table["profiles"].values():
            if row["nvml_profile"] == profile:
                return _Obj(
                    id=row["profile_id"],
                    sliceCount=row["compute_slices"],
                    instanceCount=row["max_instances"],
                    memorySizeMB=row["memory_slices"] * gpu.table["memory_gb"] * 1024 // 8,
                )
        raise NVMLError(NVML_ERROR_NOT_SUPPORTED)

    def nvmlDeviceGetGpuInstancePossiblePlacements(self, handle, profile_id, placements_ref, count_ref):
        gpu = self._mig(handle)
        row = self._row_by_id(gpu, profile_id)
        for i, place in enumerate(row["placements"]):
            placements_ref[i].start = place["start"]
            placements_ref[i].size = place["size"]
        self._set_count(count_ref, len(row["placements"]))
        return NVML_SUCCESS

    def nvmlDeviceCreateGpuInstanceWithPlacement(self, handle, profile_id, placement):
        gpu = self._mig(handle)
        self._log("CreateGpuInstance")
        if not gpu.mig_current:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        row = self._row_by_id(gpu, profile_id)
        if {"start": placement.start, "size": placement.size} not in row["placements"]:
            raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)
        used = set()
        compute = 0
        same = 0
        for gi in gpu.gis.values():
            used.update(range(gi["start"], gi["start"] + gi["size"]))
            compute += gi["profile"]["compute_slices"]
            same += gi["profile"]["name"] == row["name"]
        span = set(range(placement.start, placement.start + placement.size))
        if span & used or compute + row["compute_slices"] > mig_tables.COMPUTE_SLICES or same >= row["max_instances"]:
            raise NVMLError(NVML_ERROR_INSUFFICIENT_RESOURCES)
        gi_id = max(list(gpu.gis) + [0]) + 1
        gpu.gis[gi_id] = {"profile": row, "start": placement.start, "size": placement.size, "cis": {}}
        return self._handle("gi", gpu, gi_id)

    def nvmlDeviceGetGpuInstances(self, handle, profile_id, instances_ref, count_ref):
        gpu = self._mig(handle)
        row = self._row_by_id(gpu, profile_id)
        found = [gi_id for gi_id, gi in sorted(gpu.gis.items()) if gi["profile"]["name"] == row["name"]]
        for i, gi_id in enumerate(found):
            instances_ref[i] = self._handle("gi", gpu, gi_id)
        self._set_count(count_ref, len(found))
        return NVML_SUCCESS

    def nvmlGpuInstanceGetInfo(self, gi):
        dummy, gpu, gi_id = self._resolve(gi, "gi")
        data = gpu.gis[gi_id]
        return _Obj(
            id=gi_id, profileId=data["profile"]["profile_id"], placement=_Obj(start=data["start"], size=data["size"])
        )

    def nvmlGpuInstanceDestroy(self, gi):
        dummy, gpu, gi_id = self._resolve(gi, "gi")
        self._log("DestroyGpuInstance")
        if gi_id not in gpu.gis:
            raise NVMLError(NVML_ERROR_NOT_FOUND)
        if gpu.gis[gi_id]["cis"]:
            raise NVMLError(NVML_ERROR_IN_USE)
        del gpu.gis[gi_id]

    # ---------------------------------------------------------------- compute instances
    def nvmlGpuInstanceGetComputeInstanceProfileInfo(self, gi, profile, eng_profile, version=2):
        dummy, gpu, gi_id = self._resolve(gi, "gi")
        slices = CI_SLICES.get(profile)
        if slices is None or slices > gpu.gis[gi_id]["profile"]["compute_slices"]:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        return _Obj(id=profile, sliceCount=slices)

    def nvmlGpuInstanceCreateComputeInstance(self, gi, profile_id):
        dummy, gpu, gi_id = self._resolve(gi, "gi")
        self._log("CreateComputeInstance")
        data = gpu.gis[gi_id]
        used = sum(CI_SLICES[p] for p in data["cis"].values())
        if used + CI_SLICES[profile_id] > data["profile"]["compute_slices"]:
            raise NVMLError(NVML_ERROR_INSUFFICIENT_RESOURCES)
        ci_id = max(list(data["cis"]) + [-1]) + 1
        data["cis"][ci_id] = profile_id
        return self._handle("ci", gpu, gi_id, ci_id)

    def nvmlGpuInstanceGetComputeInstances(self, gi, profile_id, instances_ref, count_ref):
        dummy, gpu, gi_id = self._resolve(gi, "gi")
        found = [ci for ci, prof in sorted(gpu.gis[gi_id]["cis"].items()) if prof == profile_id]
        for i, ci_id in enumerate(found):
            instances_ref[i] = self._handle("ci", gpu, gi_id, ci_id)
        self._set_count(count_ref, len(found))
        return NVML_SUCCESS

    def nvmlComputeInstanceDestroy(self, ci):
        dummy, gpu, gi_id, ci_id = self._resolve(ci, "ci")
        self._log("DestroyComputeInstance")
        del gpu.gis[gi_id]["cis"][ci_id]

    # ---------------------------------------------------------------- MIG devices
    def nvmlDeviceGetMaxMigDeviceCount(self, handle):
        self._mig(handle)
        return 7

    def _mig_devices(self, gpu):
        out = []
        for gi_id, gi in sorted(gpu.gis.items()):
            for ci_id in sorted(gi["cis"]):
                out.append(
                    _Obj(
                        gpu=gpu,
                        gi_id=gi_id,
                        ci_id=ci_id,
                        uuid="MIG-"
                        + str(
                            uuid.uuid5(uuid.NAMESPACE_URL, "%s/%d/%d/%d" % (gpu.pci_address, gi_id, ci_id, gi["start"]))
                        ),
                    )
                )
        return out

    def nvmlDeviceGetMigDeviceHandleByIndex(self, handle, index):
        gpu = self._mig(handle)
        devices = self._mig_devices(gpu)
        if index >= len(devices):
            raise NVMLError(NVML_ERROR_NOT_FOUND)
        return devices[index]

    def nvmlDeviceGetGpuInstanceId(self, mig):
        return mig.gi_id
