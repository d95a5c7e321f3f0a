# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Read and write the PCI part of sysfs, and find open device handles in /proc.

No Ansible imports (only the collection's error base): tests point ``root`` at a temp dir, and
subclasses override :meth:`PciSysfs._raw_write` to simulate the kernel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import threading

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

PCI_ADDR_RE = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")
SHORT_ADDR_RE = re.compile(r"^([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")

CLASS_DISPLAY = "03"
CLASS_BRIDGE = "0604"


class HostError(HyperscalerError):
    """A problem on the host (sysfs, procfs, NVML) the user can act on; the message is a sentence for fail_json."""


def normalize_address(addr):
    """'01:00.0' or '0000:01:00.0' (any case) -> '0000:01:00.0'; raises HostError."""
    text = str(addr).strip().lower()
    if SHORT_ADDR_RE.match(text):
        text = "0000:" + text
    if not PCI_ADDR_RE.match(text):
        raise HostError("'%s' is not a PCI address; use the form 0000:01:00.0." % addr)
    return text


def slot_of(addr):
    """'0000:01:00.1' -> '0000:01:00'."""
    return addr.rsplit(".", 1)[0]


def _read(path, default=None):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return default


class PciSysfs(object):
    """Access to /sys/bus/pci and /sys/kernel/iommu_groups under ``root``."""

    def __init__(self, root="/sys", write_timeout=10.0):
        self.root = root
        self.write_timeout = write_timeout
        self.writes = []  # (path relative to root, value) of every write done

    # ---- paths
    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def dev_path(self, addr, *parts):
        return self.path("bus", "pci", "devices", addr, *parts)

    # ---- reading
    def list_devices(self):
        base = self.path("bus", "pci", "devices")
        try:
            return sorted(os.listdir(base))
        except OSError:
            return []

    def exists(self, addr):
        return os.path.isdir(self.dev_path(addr))

    def attr(self, addr, name, default=None):
        return _read(self.dev_path(addr, name), default)

    def pci_class(self, addr):
        value = self.attr(addr, "class", "") or ""
        return value.lower().replace("0x", "").zfill(6)

    def hex_id(self, addr, name):
        value = self.attr(addr, name)
        if value is None:
            return None
        return value.lower().replace("0x", "").zfill(4)

    def driver(self, addr):
        link = self.dev_path(addr, "driver")
        if not os.path.lexists(link):
            return None
        return os.path.basename(os.readlink(link))

    def driver_override(self, addr):
        value = self.attr(addr, "driver_override")
        if value in (None, "", "(null)"):
            return None
        return value

    def iommu_group(self, addr):
        link = self.dev_path(addr, "iommu_group")
        if not os.path.lexists(link):
            return None
        return os.path.basename(os.readlink(link))

    def iommu_enabled(self):
        try:
            return len(os.listdir(self.path("kernel", "iommu_groups"))) > 0
        except OSError:
            return False

    def group_members(self, group):
        try:
            return sorted(os.listdir(self.path("kernel", "iommu_groups", str(group), "devices")))
        except OSError:
            return []

    def is_bridge(self, addr):
        return self.pci_class(addr).startswith(CLASS_BRIDGE)

    def driver_loaded(self, name):
        return os.path.isdir(self.path("bus", "pci", "drivers", name))

    def int_attr(self, addr, name):
        value = self.attr(addr, name)
        try:
            return int(value, 0)
        except (TypeError, ValueError):
            return None

    def virtfns(self, addr):
        """Virtual functions of an SR-IOV physical function, by index order."""
        out = []
        try:
            names = os.listdir(self.dev_path(addr))
        except OSError:
            return out
        for name in names:
            match = re.match(r"^virtfn(\d+)$", name)
            if match:
                target = os.path.basename(os.readlink(self.dev_path(addr, name)))
                out.append((int(match.group(1)), target))
        return [t for dummy, t in sorted(out)]

    def drm_cards(self, addr):
        try:
            return sorted(n for n in os.listdir(self.dev_path(addr, "drm")) if n.startswith(("card", "renderD")))
        except OSError:
            return []

    # ---- writing
    def _raw_write(self, path, value):
        """The actual write; tests override this to simulate the kernel."""
        with open(path, "w") as handle:
            handle.write(value)

    def write(self, path, value, timeout=None):
        """Write ``value`` to ``path`` (absolute or relative to root) within ``timeout`` seconds.

        The write runs in a daemon thread: an unbind blocks while a driver still
        holds the device, and the module must report that rather than hang.
        """
        if not os.path.isabs(path) or not path.startswith(self.root):
            path = self.path(path)
        limit = self.write_timeout if timeout is None else timeout
        outcome = {}

        def work():
            try:
                self._raw_write(path, value)
            except Exception as exc:  # pylint: disable=broad-except
                outcome["error"] = exc

        thread = threading.Thread(target=work)
        thread.daemon = True
        thread.start()
        thread.join(limit)
        rel = os.path.relpath(path, self.root)
        self.writes.append((rel, value))
        if thread.is_alive():
            raise HostError(
                "Writing '%s' to %s did not finish within %s seconds; the device is "
                "probably still in use (stop the processes or VMs that use it and retry)." % (value.strip(), rel, limit)
            )
        if "error" in outcome:
            raise HostError("Writing '%s' to %s failed: %s." % (value.strip(), rel, outcome["error"]))


class ProcScanner(object):
    """Find processes holding device nodes open, through ``<proc_root>/<pid>/fd``."""

    def __init__(self, root="/proc"):
        self.root = root
        self._fds = None

    def _all_fds(self):
        """[(pid, comm, target)] of every open fd, read once per scanner (a plan checks many devices)."""
        if self._fds is not None:
            return self._fds
        found = []
        try:
            pids = [p for p in os.listdir(self.root) if p.isdigit()]
        except OSError:
            pids = []
        for pid in sorted(pids, key=int):
            fd_dir = os.path.join(self.root, pid, "fd")
            try:
                fds = os.listdir(fd_dir)
            except OSError:
                continue
            comm = None
            for fd in fds:
                try:
                    target = os.readlink(os.path.join(fd_dir, fd))
                except OSError:
                    continue
                if not target.startswith("/dev/"):
                    continue
                if comm is None:
                    comm = _read(os.path.join(self.root, pid, "comm"), "?")
                found.append((int(pid), comm, target))
        self._fds = found
        return found

    def open_handles(self, predicate):
        """[(pid, comm, target)] for open device fds whose link target satisfies predicate."""
        return [item for item in self._all_fds() if predicate(item[2])]

    def nvidia_minor(self, addr):
        """The /dev/nvidiaN minor of a GPU, from /proc/driver/nvidia/gpus/<addr>/information."""
        text = _read(os.path.join(self.root, "driver", "nvidia", "gpus", addr, "information"), "")
        match = re.search(r"Device Minor:\s*(\d+)", text or "")
        return int(match.group(1)) if match else None


def describe_holders(holders):
    return ", ".join("%s (pid %d) holds %s" % (comm, pid, target) for pid, comm, target in holders)
