# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Fake sysfs/proc trees and a small simulated kernel (imported by tests, not by conftest at load time)."""

from __future__ import absolute_import, division, print_function

import os
import shutil
import time


from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import PciSysfs


def _w(path, text):
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "w") as handle:
        handle.write(text)


class FakeHost(object):
    """Builds <tmp>/sys and <tmp>/proc trees.

    Layout per device: sys/bus/pci/devices/<addr>/{vendor,device,class,boot_vga,numa_node,driver_override,
    sriov_totalvfs,iommu_group -> ../../../kernel/iommu_groups/N, driver -> ../../../bus/pci/drivers/<drv>}
    (the devices dir is flat here rather than symlinks into sys/devices; the code only follows names).
    """

    def __init__(self, base):
        self.base = str(base)
        self.sys = os.path.join(self.base, "sys")
        self.proc = os.path.join(self.base, "proc")
        self.etc = os.path.join(self.base, "etc")
        self.state = os.path.join(self.base, "state")
        self.default_driver = {}
        for drv in ("nvidia", "vfio-pci", "snd_hda_intel", "pcieport"):
            self.add_driver(drv)
        _w(os.path.join(self.sys, "bus", "pci", "drivers_probe"), "")
        os.makedirs(os.path.join(self.sys, "kernel", "iommu_groups"))
        os.makedirs(self.proc)
        _w(
            os.path.join(self.proc, "cpuinfo"),
            "processor\t: 0\nflags\t\t: fpu vmx sse\nprocessor\t: 1\nflags\t\t: fpu vmx sse\n",
        )
        _w(os.path.join(self.proc, "cmdline"), "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt\n")
        _w(os.path.join(self.proc, "meminfo"), "MemTotal:       65536000 kB\nMemAvailable:   60000000 kB\n")

    def add_driver(self, name):
        d = os.path.join(self.sys, "bus", "pci", "drivers", name)
        for f in ("bind", "unbind", "new_id"):
            _w(os.path.join(d, f), "")

    def dev(self, addr, *parts):
        return os.path.join(self.sys, "bus", "pci", "devices", addr, *parts)

    def add_device(self, addr, vendor="10de", device="2330", cls="0x030200", driver="nvidia", group=None, **attrs):
        """A PCI function; ``attrs``: boot_vga (0/1, no file when unset), numa (0), sriov (total VFs, 0 = none).

        Only states a kernel can show: ``boot_vga`` exists on VGA-class devices alone (the kernel makes the file
        visible only for them; a 3D controller such as an H100 has none).
        """
        boot_vga, numa, sriov = attrs.pop("boot_vga", None), attrs.pop("numa", 0), attrs.pop("sriov", 0)
        if attrs:
            raise TypeError("add_device() got unexpected arguments %s" % sorted(attrs))
        if boot_vga is not None and not cls.startswith("0x0300"):
            raise ValueError("%s: boot_vga exists only on VGA-class devices (0x0300xx), not class %s" % (addr, cls))
        d = self.dev(addr)
        _w(os.path.join(d, "vendor"), "0x%s\n" % vendor)
        _w(os.path.join(d, "device"), "0x%s\n" % device)
        _w(os.path.join(d, "class"), "%s\n" % cls)
        _w(os.path.join(d, "numa_node"), "%d\n" % numa)
        _w(os.path.join(d, "driver_override"), "(null)\n")
        if boot_vga is not None:
            _w(os.path.join(d, "boot_vga"), "%d\n" % boot_vga)
        if sriov:
            _w(os.path.join(d, "sriov_totalvfs"), "%d\n" % sriov)
            _w(os.path.join(d, "sriov_numvfs"), "0\n")
        if group is not None:
            gdir = os.path.join(self.sys, "kernel", "iommu_groups", str(group), "devices")
            if not os.path.isdir(gdir):
                os.makedirs(gdir)
            os.symlink(os.path.relpath(d, gdir), os.path.join(gdir, addr))
            os.symlink(os.path.relpath(os.path.dirname(gdir), d), os.path.join(d, "iommu_group"))
        if driver:
            self._link_driver(addr, driver)
        self.default_driver[addr] = driver
        return d

    def _link_driver(self, addr, driver):
        link = self.dev(addr, "driver")
        if os.path.lexists(link):
            os.remove(link)
        target = os.path.join(self.sys, "bus", "pci", "drivers", driver)
        os.symlink(os.path.relpath(target, self.dev(addr)), link)

    def add_gpu_pair(self, slot, group, device="2330", **kw):
        """GPU function .0 and HDMI audio .1 in one IOMMU group (the usual layout)."""
        self.add_device(slot + ".0", device=device, group=group, **kw)
        self.add_device(slot + ".1", device="22e8", cls="0x040300", driver="snd_hda_intel", group=group)

    def add_mdev_type(self, parent, mdev_type, available=4, name="GRID H100-10C"):
        """An mdev type as the vGPU host driver shows it: name, device_api (vfio-pci), available_instances (the
        fake kernel lowers it per device created; while a GPU runs one time-sliced vGPU type, the others show 0:
        the driver allows one type per physical GPU), create, devices/."""
        t = self.dev(parent, "mdev_supported_types", mdev_type)
        _w(os.path.join(t, "available_instances"), "%d\n" % available)
        _w(os.path.join(t, "name"), name + "\n")
        _w(os.path.join(t, "device_api"), "vfio-pci\n")
        _w(os.path.join(t, "create"), "")
        _w(os.path.join(self.state, "mdev-capacity", parent, mdev_type), "%d\n" % available)
        os.makedirs(os.path.join(t, "devices"))

    def add_vfs(self, parent, count, first_fn=4, layout="vgpu_type"):
        """``count`` SR-IOV virtual functions of ``parent`` (sriov_numvfs follows; each VF has physfn).

        layout ``vgpu_type``: the NVIDIA vGPU driver's current layout (nvidia/current_vgpu_type on each VF);
        ``mdev``: the older one (an mdev type on each VF, one vGPU per VF).
        """
        bus = parent.rsplit(":", 1)[0]
        vfs = []
        slot = int(parent.rsplit(":", 1)[1].split(".")[0], 16)
        for i in range(count):
            fn = first_fn + i
            vf = "%s:%02x.%d" % (bus, slot + fn // 8, fn % 8)
            self.add_device(vf, device=self.hex(parent, "device"), cls="0x030200", driver="nvidia")
            if layout == "mdev":
                self.add_mdev_type(vf, "nvidia-1024", available=1)
            else:
                _w(self.dev(vf, "nvidia", "current_vgpu_type"), "0\n")
                _w(self.dev(vf, "nvidia", "creatable_vgpu_types"), "ID    : vGPU Name\n1024  : NVIDIA H100-10C\n")
            os.symlink(os.path.relpath(self.dev(vf), self.dev(parent)), self.dev(parent, "virtfn%d" % i))
            os.symlink(os.path.relpath(self.dev(parent), self.dev(vf)), self.dev(vf, "physfn"))
            vfs.append(vf)
        _w(self.dev(parent, "sriov_numvfs"), "%d\n" % count)
        _w(os.path.join(self.state, "vf-layout", parent), layout + "\n")
        return vfs

    def hex(self, addr, name):
        with open(self.dev(addr, name)) as handle:
            return handle.read().strip()[2:]

    def remove_vfs(self, parent):
        index = 0
        while os.path.lexists(self.dev(parent, "virtfn%d" % index)):
            link = self.dev(parent, "virtfn%d" % index)
            vf = os.path.basename(os.path.realpath(link))
            os.remove(link)
            shutil.rmtree(self.dev(vf))
            index += 1
        _w(self.dev(parent, "sriov_numvfs"), "0\n")

    def open_fd(self, pid, comm, target, fd=5):
        fd_dir = os.path.join(self.proc, str(pid), "fd")
        if not os.path.isdir(fd_dir):
            os.makedirs(fd_dir)
        _w(os.path.join(self.proc, str(pid), "comm"), comm + "\n")
        os.symlink(target, os.path.join(fd_dir, str(fd)))

    def nvidia_minor(self, addr, minor):
        _w(
            os.path.join(self.proc, "driver", "nvidia", "gpus", addr, "information"),
            "Model: NVIDIA H100\nDevice Minor: %d\n" % minor,
        )

    def disable_iommu(self):
        gdir = os.path.join(self.sys, "kernel", "iommu_groups")
        shutil.rmtree(gdir)
        os.makedirs(gdir)
        for addr in os.listdir(os.path.join(self.sys, "bus", "pci", "devices")):
            link = self.dev(addr, "iommu_group")
            if os.path.lexists(link):
                os.remove(link)

    def snapshot(self):
        """Every file's content and every link target: to prove that nothing was written."""
        out = {}
        for root, dirs, files in os.walk(self.base):
            for name in dirs + files:
                path = os.path.join(root, name)
                if os.path.islink(path):
                    out[path] = "->" + os.readlink(path)
                elif os.path.isfile(path):
                    with open(path) as handle:
                        out[path] = handle.read()
                else:
                    out[path] = "<dir>"
        return out


class FakeKernel(PciSysfs):
    """PciSysfs whose writes have the kernel's effects on the FakeHost tree."""

    def __init__(self, host, write_timeout=2.0, block_unbind=()):
        super(FakeKernel, self).__init__(host.sys, write_timeout)
        self.host = host
        self.block_unbind = set(block_unbind)

    def _raw_write(self, path, value):
        rel = os.path.relpath(path, self.root).split(os.sep)
        val = value.strip()
        if rel[:3] == ["bus", "pci", "devices"] and rel[-1] == "driver_override":
            _w(path, (val or "(null)") + "\n")
        elif rel[:3] == ["bus", "pci", "drivers"] and rel[-1] == "unbind":
            if val in self.block_unbind:
                time.sleep(30)
            if self.driver(val) != rel[3]:
                raise IOError(19, "No such device")
            os.remove(self.dev_path(val, "driver"))
        elif rel[:3] == ["bus", "pci", "drivers"] and rel[-1] == "bind":
            self.host._link_driver(val, rel[3])
        elif rel == ["bus", "pci", "drivers_probe"]:
            if self.driver(val) is None:
                drv = self.driver_override(val) or self.host.default_driver.get(val)
                if drv and os.path.isdir(self.path("bus", "pci", "drivers", drv)):
                    self.host._link_driver(val, drv)
        elif rel[:3] == ["bus", "pci", "devices"] and rel[-1] == "sriov_numvfs":
            self._sriov_numvfs(rel[3], int(val))
        elif rel[-1] == "create" and "mdev_supported_types" in rel:
            parent, mdev_type = rel[3], rel[-2]
            avail = os.path.join(os.path.dirname(path), "available_instances")
            left = int(open(avail).read())
            if left < 1:
                raise IOError(28, "No space left on device")
            _w(avail, "%d\n" % (left - 1))
            self._other_types(parent, mdev_type, lambda _capacity: 0)
            mdir = self.dev_path(parent, val)
            _w(os.path.join(mdir, "remove"), "")
            os.symlink(os.path.join("..", "mdev_supported_types", mdev_type), os.path.join(mdir, "mdev_type"))
            bus = self.path("bus", "mdev", "devices")
            if not os.path.isdir(bus):
                os.makedirs(bus)
            os.symlink(mdir, os.path.join(bus, val))
            os.symlink(mdir, os.path.join(os.path.dirname(path), "devices", val))
        elif rel[-1] == "remove":
            mdir = os.path.realpath(os.path.dirname(path))
            uid = os.path.basename(mdir)
            tdir = os.path.realpath(os.path.join(mdir, "mdev_type"))
            avail = os.path.join(tdir, "available_instances")
            _w(avail, "%d\n" % (int(open(avail).read()) + 1))
            os.remove(os.path.join(tdir, "devices", uid))
            os.remove(self.path("bus", "mdev", "devices", uid))
            shutil.rmtree(mdir)
            parent = os.path.basename(os.path.dirname(mdir))
            if not os.listdir(os.path.join(tdir, "devices")):  # the GPU is free for any type again
                self._other_types(parent, os.path.basename(tdir), lambda capacity: capacity)
        else:
            _w(path, value)

    def _other_types(self, parent, mdev_type, value):
        """available_instances of the parent's other mdev types: 0 while a type is in use, else their capacity."""
        types = self.dev_path(parent, "mdev_supported_types")
        for other in os.listdir(types):
            if other != mdev_type:
                capacity = int(open(os.path.join(self.host.state, "mdev-capacity", parent, other)).read())
                _w(os.path.join(types, other, "available_instances"), "%d\n" % value(capacity))

    def _sriov_numvfs(self, parent, count):
        """The kernel's rules: up to sriov_totalvfs; changing a non-zero count needs 0 first (EBUSY)."""
        total = self.int_attr(parent, "sriov_totalvfs") or 0
        current = self.int_attr(parent, "sriov_numvfs") or 0
        if count > total:
            raise IOError(34, "Numerical result out of range")
        if current and count and count != current:
            raise IOError(16, "Device or resource busy")
        if count == 0:
            self.host.remove_vfs(parent)
        elif not current:
            layout_file = os.path.join(self.host.state, "vf-layout", parent)
            layout = open(layout_file).read().strip() if os.path.exists(layout_file) else "vgpu_type"
            self.host.add_vfs(parent, count, layout=layout)


# ------------------------------------------------------------------ module harness
class ModuleExit(Exception):
    pass
