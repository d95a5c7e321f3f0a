# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The NVML stand-in for tests: nvml_stub/nvml_stub.c built into a libnvidia-ml.so, called by the real pynvml.

A STAND-IN (see tests/README.md): the C library has NVML's prototypes and its own board and MIG tables
(nvml_stub/tables.h, transcribed from NVIDIA's documents, never from the collection's tables); pynvml is the
real nvidia-ml-py, loaded with the stub in place of the driver's library. ``Nvml`` sets up GPUs, acts as the host
would (a process holds a GPU, a reset, a reboot) and reads what the driver would show.

    nvml = Nvml()                      # a fresh stub state; nvml.pynvml is the module to hand the code under test
    gpu = nvml.add_gpu("0000:41:00.0", "2330")
"""

from __future__ import absolute_import, division, print_function

import ctypes
import hashlib
import os
import subprocess
import tempfile

_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nvml_stub")
_LIB = None


def _build():
    """Compile the stub once per source content (cached in the temp directory); return its path."""
    sources = sorted(os.path.join(_SRC, n) for n in os.listdir(_SRC) if n.endswith((".c", ".h")))
    digest = hashlib.sha256(b"".join(open(p, "rb").read() for p in sources)).hexdigest()[:16]
    out = os.path.join(tempfile.gettempdir(), "hsw-nvml-stub-%s" % digest, "libnvidia-ml.so.1")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        tmp = out + ".%d" % os.getpid()
        cmd = [
            "gcc",
            "-shared",
            "-fPIC",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-o",
            tmp,
            os.path.join(_SRC, "nvml_stub.c"),
        ]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        os.replace(tmp, out)
    return out


def library():
    """The loaded stub (one per test process: pynvml binds one library)."""
    global _LIB
    if _LIB is None:
        _LIB = ctypes.CDLL(_build())
        _LIB.hswstub_calls.restype = ctypes.c_char_p
        _LIB.hswstub_state.restype = ctypes.c_char_p
        _LIB.hswstub_tables.restype = ctypes.c_char_p
        _LIB.hswstub_add_gpu.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    return _LIB


def _pynvml(lib):
    import pynvml  # pylint: disable=import-outside-toplevel

    pynvml.nvmlLib = lib
    pynvml._nvmlGetFunctionPointer_cache.clear()  # pylint: disable=protected-access
    return pynvml


class Gpu(object):
    """One simulated board, by its index in the stub."""

    def __init__(self, lib, index, pci_address):
        self._lib = lib
        self.index = index
        self.pci_address = pci_address

    def add_process(self, pid):
        assert self._lib.hswstub_add_process(self.index, pid) == 0

    def clear_processes(self):
        self._lib.hswstub_clear_processes(self.index)

    def reset_unavailable(self, value=True):
        """As in a passthrough VM: the driver cannot reset the GPU itself."""
        self._lib.hswstub_set_reset_unavailable(self.index, int(value))

    def reset(self):
        """nvidia-smi --gpu-reset: a pending MIG mode takes effect, every instance goes."""
        assert self._lib.hswstub_gpu_reset(self.index) == 0

    @property
    def state(self):
        """{'mig': (current, pending), 'gis': [(gi id, profile, start, size, [ci profile ids])]}"""
        words = self._lib.hswstub_state(self.index).decode().split()
        current, pending = words[0].split("=")[1].split("/")
        gis = []
        for word in words[1:]:
            gi_id, profile, start, size, cis = word.split("=", 1)[1].split(":")
            gis.append((int(gi_id), profile, int(start), int(size), [int(c) for c in cis.split("+") if c]))
        return {"mig": (int(current), int(pending)), "gis": gis}


class Nvml(object):
    """A fresh stub state with no GPUs."""

    def __init__(self, init_error=None):
        self.lib = library()
        self.lib.hswstub_clear()
        if init_error is not None:
            self.lib.hswstub_set_init_result(init_error)
        self.pynvml = _pynvml(self.lib)

    def add_gpu(self, pci_address, device_id, mig=False, mig_pending=None):
        pending = mig if mig_pending is None else mig_pending
        index = self.lib.hswstub_add_gpu(pci_address.encode(), int(device_id, 16), int(mig), int(pending))
        assert index >= 0, "the stub has no board %s (nvml_stub/tables.h)" % device_id
        return Gpu(self.lib, index, pci_address)

    @property
    def calls(self):
        """The NVML calls that changed something, in order."""
        return self.lib.hswstub_calls().decode().split()

    def clear_calls(self):
        self.lib.hswstub_clear_calls()

    def tables(self):
        """({device id: (name, family)}, {family: {profile name: row}}) as the stub holds them."""
        boards, families = {}, {}
        for line in self.lib.hswstub_tables().decode().splitlines():
            kind, rest = line.split(" ", 1)
            fields = rest.split("|")
            if kind == "board":
                boards[fields[0]] = (fields[1], fields[2] or None)
                continue
            family, name, enum, pid, slices, mem_slices, most, mem_mib, places = fields
            families.setdefault(family, {})[name] = {
                "nvml_profile": int(enum),
                "profile_id": int(pid),
                "compute_slices": int(slices),
                "memory_slices": int(mem_slices),
                "max_instances": int(most),
                "memory_mib": int(mem_mib),
                "placements": places,
            }
        return boards, families
