# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A thin adapter over a pynvml-like module.

Everything NVML-specific (ctypes arrays, byte strings, error classes) stays
here, so that callers deal in plain Python values and tests can pass a
stand-in library (tests/unit/gpu/nvml_stub) under the real ``pynvml``.
No Ansible imports: tests/gpu/check_real_gpu.py uses it standalone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def bus_id_nvml(addr):
    """'0000:01:00.0' -> '00000000:01:00.0' (NVML's 8-digit domain form)."""
    domain, rest = addr.split(":", 1)
    return "%08x:%s" % (int(domain, 16), rest)


def bus_id_linux(bus_id):
    """'00000000:01:00.0' -> '0000:01:00.0'."""
    bus_id = _text(bus_id).lower()
    domain, rest = bus_id.split(":", 1)
    return "%04x:%s" % (int(domain, 16), rest)


# NVML return codes the adapter reads (nvml.h)
ERROR_INVALID_ARGUMENT = 2
ERROR_NOT_SUPPORTED = 3
ERROR_NOT_FOUND = 6
# What a query answers when the thing asked about is not there: the MIG mode of a board without MIG, a profile
# the board lacks, instances while MIG is off. Other errors (no permission, a lost GPU) are raised.
_ABSENT = (ERROR_INVALID_ARGUMENT, ERROR_NOT_SUPPORTED, ERROR_NOT_FOUND)


class NvmlAdapter(object):
    """Wraps the pynvml module (nvidia-ml-py) ``nvml``; call :meth:`init` first.

    pynvml hands its arguments to the C functions as they are (it sets no ctypes argtypes), so every pointer the
    C prototype asks for is made here (ctypes.byref, arrays), never a bare structure.
    """

    def __init__(self, nvml):
        self.nvml = nvml
        self.error_class = getattr(nvml, "NVMLError", Exception)

    def init(self):
        self.nvml.nvmlInit()

    def shutdown(self):
        try:
            self.nvml.nvmlShutdown()
        except self.error_class:
            pass

    # ---- devices
    def count(self):
        return self.nvml.nvmlDeviceGetCount()

    def handle(self, index):
        return self.nvml.nvmlDeviceGetHandleByIndex(index)

    def handle_by_pci(self, addr):
        return self.nvml.nvmlDeviceGetHandleByPciBusId(bus_id_nvml(addr).encode())

    def name(self, handle):
        return _text(self.nvml.nvmlDeviceGetName(handle))

    def pci(self, handle):
        """(linux PCI address, device id as 4 hex digits)."""
        info = self.nvml.nvmlDeviceGetPciInfo(handle)
        bus_id = getattr(info, "busIdLegacy", None) or info.busId
        device_id = "%04x" % ((info.pciDeviceId >> 16) & 0xFFFF)
        return bus_id_linux(bus_id), device_id

    def _absent(self, exc):
        return getattr(exc, "value", None) in _ABSENT

    def _unless_absent(self, default, call, *args):
        """call(*args), or ``default`` when NVML answers that the thing asked about is not there."""
        try:
            return call(*args)
        except self.error_class as exc:
            if not self._absent(exc):
                raise
            return default

    def mig_mode(self, handle):
        """(current, pending) as booleans, or (None, None) when MIG is not supported."""
        modes = self._unless_absent(None, self.nvml.nvmlDeviceGetMigMode, handle)
        return (None, None) if modes is None else (bool(modes[0]), bool(modes[1]))

    def set_mig_mode(self, handle, enabled):
        """The activation status NVML reports: 0 applied now, 19 (in use) or 16 (reset required) pending."""
        mode = self.nvml.NVML_DEVICE_MIG_ENABLE if enabled else self.nvml.NVML_DEVICE_MIG_DISABLE
        return self.nvml.nvmlDeviceSetMigMode(handle, mode)

    def processes(self, handle):
        """[(pid, used_memory)] of compute processes on this GPU and its MIG devices."""
        out = []
        handles = [handle]
        current, dummy = self.mig_mode(handle)
        if current:
            handles.extend(m["handle"] for m in self.mig_devices(handle))
        seen = set()
        for hnd in handles:
            # with MIG on, the GPU's handle reports every MIG device's processes as well
            for proc in self._unless_absent([], self.nvml.nvmlDeviceGetComputeRunningProcesses, hnd):
                if proc.pid not in seen:
                    seen.add(proc.pid)
                    out.append((proc.pid, getattr(proc, "usedGpuMemory", None)))
        return out

    # ---- GPU instances
    def profile_info(self, handle, nvml_profile):
        """{'id', 'slice_count', 'instance_count', 'memory_mb'} or None when unsupported (or MIG is off)."""
        info = self._unless_absent(None, self.nvml.nvmlDeviceGetGpuInstanceProfileInfo, handle, nvml_profile)
        return self._profile(info) if info is not None else None

    def profile_info_by_id(self, handle, profile_id):
        """As profile_info, by the profile id nvidia-smi prints."""
        info = self._unless_absent(None, self.nvml.nvmlDeviceGetGpuInstanceProfileInfoById, handle, profile_id)
        return self._profile(info) if info is not None else None

    @staticmethod
    def _profile(info):
        return {
            "id": info.id,
            "slice_count": info.sliceCount,
            "instance_count": info.instanceCount,
            "memory_mb": info.memorySizeMB,
        }

    def possible_placements(self, handle, profile_id):
        """[(start, size)] for a GPU-instance profile id."""
        arr_t = self.nvml.c_nvmlGpuInstancePlacement_t * 16
        arr = arr_t()
        count = ctypes.c_uint(16)
        self.nvml.nvmlDeviceGetGpuInstancePossiblePlacements(handle, profile_id, arr, ctypes.byref(count))
        return [(arr[i].start, arr[i].size) for i in range(count.value)]

    def gpu_instances(self, handle, profile_id):
        """[gpu instance handle] of one profile id."""
        arr = (self.nvml.c_nvmlGpuInstance_t * 8)()
        count = ctypes.c_uint(0)
        self._unless_absent(None, self.nvml.nvmlDeviceGetGpuInstances, handle, profile_id, arr, ctypes.byref(count))
        return [arr[i] for i in range(count.value)]

    def possible_placements_or_none(self, handle, profile_id):
        """possible_placements, or None where the driver does not answer (the profile is not on this board)."""
        return self._unless_absent(None, self.possible_placements, handle, profile_id)

    def gpu_instance_info(self, gi):
        info = self.nvml.nvmlGpuInstanceGetInfo(gi)
        return {"id": info.id, "profile_id": info.profileId, "start": info.placement.start, "size": info.placement.size}

    def create_gpu_instance(self, handle, profile_id, start, size):
        # The C function takes `const nvmlGpuInstancePlacement_t *`; pynvml hands its argument to ctypes as it
        # is, and ctypes passes a bare Structure by value. So the pointer is made here.
        placement = self.nvml.c_nvmlGpuInstancePlacement_t(start, size)
        return self.nvml.nvmlDeviceCreateGpuInstanceWithPlacement(handle, profile_id, ctypes.byref(placement))

    def destroy_gpu_instance(self, gi):
        for ci_profile in range(8):
            for ci in self.compute_instances(gi, ci_profile):
                self.nvml.nvmlComputeInstanceDestroy(ci)
        self.nvml.nvmlGpuInstanceDestroy(gi)

    def compute_instances(self, gi, ci_profile):
        info = self._unless_absent(None, self.nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo, gi, ci_profile, 0)
        if info is None:
            return []
        arr = (self.nvml.c_nvmlComputeInstance_t * 8)()
        count = ctypes.c_uint(0)
        self.nvml.nvmlGpuInstanceGetComputeInstances(gi, info.id, arr, ctypes.byref(count))
        return [arr[i] for i in range(count.value)]

    def create_compute_instance(self, gi, ci_profile):
        info = self.nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, ci_profile, 0)
        return self.nvml.nvmlGpuInstanceCreateComputeInstance(gi, info.id)

    def mig_devices(self, handle):
        """[{'handle', 'uuid', 'gpu_instance_id'}] of MIG devices on a GPU."""
        out = []
        for index in range(self._unless_absent(0, self.nvml.nvmlDeviceGetMaxMigDeviceCount, handle)):
            mig = self._unless_absent(None, self.nvml.nvmlDeviceGetMigDeviceHandleByIndex, handle, index)
            if mig is None:
                continue
            item = {"handle": mig, "uuid": _text(self.nvml.nvmlDeviceGetUUID(mig))}
            item["gpu_instance_id"] = self.nvml.nvmlDeviceGetGpuInstanceId(mig)
            out.append(item)
        return out


def load_pynvml():
    """Import pynvml, or return None when nvidia-ml-py is missing."""
    try:
        import pynvml  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return pynvml
