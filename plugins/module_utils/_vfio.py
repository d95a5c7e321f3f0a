# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Bind PCI devices to vfio-pci and back, with safety checks before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import (
    HostError,
    PciSysfs,
    ProcScanner,
    describe_holders,
    normalize_address,
    slot_of,
)

VFIO = "vfio-pci"


class VfioBinder(object):
    """Plan and apply vfio-pci bindings.

    sysfs: PciSysfs; proc: ProcScanner; persist_dir: driverctl override dir
    (``/etc/driverctl.d``); state_dir: where the original driver is recorded.
    """

    def __init__(self, sysfs, proc, persist_dir="/etc/driverctl.d", state_dir="/var/lib/hyperscaler-workstation/vfio"):
        self.sysfs = sysfs
        self.proc = proc
        self.persist_dir = persist_dir
        self.state_dir = state_dir

    # ------------------------------------------------------------- planning
    def expand(self, requested):
        """Requested addresses plus the same-slot functions sharing their IOMMU group.

        Raises HostError when a group holds a device that was not requested and is
        neither a bridge nor a function of a requested slot.
        """
        addrs = self._existing(requested)
        slots = set(slot_of(a) for a in addrs)
        result = list(addrs)
        for addr in addrs:
            group = self.sysfs.iommu_group(addr)
            if group is None:
                raise HostError(
                    "PCI device %s has no IOMMU group; enable the IOMMU (intel_iommu=on or "
                    "amd_iommu=on iommu=pt on the kernel command line) and reboot." % addr
                )
            for member in self.sysfs.group_members(group):
                if member in result:
                    continue
                if self.sysfs.is_bridge(member):
                    continue
                if slot_of(member) in slots:
                    result.append(member)
                    continue
                raise HostError(
                    "IOMMU group %s of %s also holds %s (class %s), which was not requested; passing "
                    "it through would take it from the host too. Add it to 'devices' if that is "
                    "intended, or move the GPU to a slot with its own group (or enable ACS)."
                    % (group, addr, member, self.sysfs.pci_class(member))
                )
        return result

    def _existing(self, requested):
        """Requested addresses, normalised and without repeats; HostError for one that is not there."""
        addrs = []
        for addr in requested:
            addr = normalize_address(addr)
            if not self.sysfs.exists(addr):
                raise HostError("PCI device %s does not exist under %s." % (addr, self.sysfs.dev_path(addr)))
            if addr not in addrs:
                addrs.append(addr)
        return addrs

    def _persist_file(self, addr):
        return os.path.join(self.persist_dir, "pci-%s" % addr)

    def _state_file(self, addr):
        return os.path.join(self.state_dir, "%s.json" % addr)

    def _persisted(self, addr):
        try:
            with open(self._persist_file(addr)) as handle:
                return handle.read().strip()
        except (IOError, OSError):
            return None

    def device_state(self, addr):
        return {
            "pci_address": addr,
            "driver": self.sysfs.driver(addr),
            "driver_override": self.sysfs.driver_override(addr),
            "iommu_group": self.sysfs.iommu_group(addr),
            "persistent_override": self._persisted(addr),
        }

    def check_safe_to_bind(self, addrs):
        """Refuse (HostError) before any write."""
        if not self.sysfs.iommu_enabled():
            raise HostError(
                "The IOMMU is off (no entries in %s); add intel_iommu=on (Intel) or amd_iommu=on "
                "(AMD) and iommu=pt to the kernel command line, enable VT-d/AMD-Vi in the "
                "firmware and reboot." % self.sysfs.path("kernel", "iommu_groups")
            )
        if not self.sysfs.driver_loaded(VFIO):
            raise HostError(
                "The vfio-pci driver is not loaded; run 'modprobe vfio-pci' (and add it to "
                "/etc/modules-load.d) first."
            )
        for addr in addrs:
            if self.sysfs.driver(addr) == VFIO:
                continue
            if self.sysfs.attr(addr, "boot_vga") == "1":
                raise HostError(
                    "%s is the boot VGA device (it drives the host console); refusing to take it "
                    "from the host. Pass through a GPU that does not drive the display." % addr
                )
            holders = self.holders(addr)
            if holders:
                raise HostError(
                    "%s is in use: %s. Stop those processes (or the display manager / "
                    "nvidia-persistenced) and retry." % (addr, describe_holders(holders))
                )

    def holders(self, addr):
        """Processes that hold this device open (nvidia or DRM nodes)."""
        driver = self.sysfs.driver(addr)
        found = []
        if driver == "nvidia":
            minor = self.proc.nvidia_minor(addr)
            if minor is None:
                pattern = re.compile(r"^/dev/nvidia\d+$")
            else:
                pattern = re.compile(r"^/dev/nvidia%d$" % minor)
            found.extend(self.proc.open_handles(pattern.match))
        cards = self.sysfs.drm_cards(addr)
        if cards:
            nodes = set("/dev/dri/%s" % c for c in cards)
            found.extend(self.proc.open_handles(lambda t: t in nodes))
            # nvidia_drm with modeset=1 drives a framebuffer console on this GPU:
            # unbinding then hangs until the console lets go.
            modeset = _read_flag(self.sysfs.path("module", "nvidia_drm", "parameters", "modeset"))
            fb_dir = self.sysfs.dev_path(addr, "graphics")
            if driver == "nvidia" and modeset and os.path.isdir(fb_dir) and os.listdir(fb_dir):
                found.append(
                    (
                        0,
                        "nvidia_drm",
                        "/dev/%s (framebuffer console, nvidia_drm modeset=1)" % sorted(os.listdir(fb_dir))[0],
                    )
                )
        return found

    def plan(self, devices, state="bound", persistent=False):
        """Return (addresses considered, actions as dicts) without writing anything."""
        if state == "bound":
            if not self.sysfs.iommu_enabled():
                self.check_safe_to_bind([])  # raises the IOMMU message
            addrs = self.expand(devices)
        else:
            addrs = self._with_vfio_slot_mates(self._existing(devices))
        actions = [act for act in (self._action(addr, state, persistent) for addr in addrs) if act]
        return addrs, actions

    def _with_vfio_slot_mates(self, addrs):
        """Each address followed by the functions of its slot in its IOMMU group that vfio-pci holds."""
        result = []
        for addr in addrs:
            if addr not in result:
                result.append(addr)
            group = self.sysfs.iommu_group(addr)
            for member in self.sysfs.group_members(group) if group else []:
                if member not in result and slot_of(member) == slot_of(addr) and self.sysfs.driver(member) == VFIO:
                    result.append(member)
        return result

    def _action(self, addr, state, persistent):
        """The bind/unbind action one device needs, or None."""
        cur = self.device_state(addr)
        if state == "bound":
            move = cur["driver"] != VFIO or cur["driver_override"] != VFIO
            persist = persistent and cur["persistent_override"] != VFIO
            to_driver = VFIO
        else:
            move = cur["driver"] == VFIO or cur["driver_override"] == VFIO
            persist = cur["persistent_override"] is not None
            to_driver = self._recorded(addr)
        if not (move or persist):
            return None
        return {
            "pci_address": addr,
            "action": "bind" if state == "bound" else "unbind",
            "from_driver": cur["driver"],
            "to_driver": to_driver,
            "bind": move,
            "persist": persist,
        }

    def _recorded(self, addr):
        try:
            with open(self._state_file(addr)) as handle:
                return json.load(handle).get("original_driver")
        except (IOError, OSError, ValueError):
            return None

    # ------------------------------------------------------------- applying
    def _record(self, addr, driver):
        if not driver or driver == VFIO:
            return
        path = self._state_file(addr)
        try:
            if not os.path.isdir(self.state_dir):
                os.makedirs(self.state_dir)
            with open(path, "w") as handle:
                json.dump({"pci_address": addr, "original_driver": driver}, handle)
        except (IOError, OSError) as exc:
            raise HostError(
                "Could not record the original driver (%s) of %s in %s: %s; nothing was changed on the device "
                "(check state_dir)." % (driver, addr, path, exc.strerror or exc)
            )

    def _bind_one(self, addr):
        current = self.sysfs.driver(addr)
        self._record(addr, current)
        self.sysfs.write(self.sysfs.dev_path(addr, "driver_override"), VFIO)
        if current and current != VFIO:
            self.sysfs.write(self.sysfs.path("bus", "pci", "drivers", current, "unbind"), addr)
        if self.sysfs.driver(addr) != VFIO:
            self.sysfs.write(self.sysfs.path("bus", "pci", "drivers_probe"), addr)
        if self.sysfs.driver(addr) != VFIO:
            raise HostError(
                "%s did not bind to vfio-pci (driver now: %s); check dmesg." % (addr, self.sysfs.driver(addr) or "none")
            )

    def _unbind_one(self, addr, original):
        current = self.sysfs.driver(addr)
        # the recorded driver gets the device; an empty override lets the kernel choose
        self.sysfs.write(self.sysfs.dev_path(addr, "driver_override"), (original or "") + "\n")
        if current:
            self.sysfs.write(self.sysfs.path("bus", "pci", "drivers", current, "unbind"), addr)
        self.sysfs.write(self.sysfs.path("bus", "pci", "drivers_probe"), addr)
        self.sysfs.write(self.sysfs.dev_path(addr, "driver_override"), "\n")
        try:
            os.remove(self._state_file(addr))
        except OSError:
            pass

    def _persist(self, addr, on):
        path = self._persist_file(addr)
        try:
            if on:
                if not os.path.isdir(self.persist_dir):
                    os.makedirs(self.persist_dir)
                with open(path, "w") as handle:
                    handle.write(VFIO + "\n")
            elif os.path.exists(path):
                os.remove(path)
        except (IOError, OSError) as exc:
            raise HostError(
                "Could not %s the driverctl override of %s (%s): %s (check persist_dir)."
                % ("write" if on else "remove", addr, path, exc.strerror or exc)
            )

    def run(self, devices, state="bound", persistent=False, check_mode=False, diff=False):
        """Return a result dict (changed, devices, actions, and with ``diff`` the state before and after)."""
        addrs, actions = self.plan(devices, state, persistent)
        if state == "bound":
            self.check_safe_to_bind([a["pci_address"] for a in actions if a["bind"]])
        before = dict((a, self.device_state(a)) for a in addrs)
        if not check_mode:
            for act in actions:
                addr = act["pci_address"]
                if state == "bound":
                    if act["bind"]:
                        self._bind_one(addr)
                    if act["persist"]:
                        self._persist(addr, True)
                else:
                    if act["bind"]:
                        self._unbind_one(addr, act["to_driver"])
                    if act["persist"]:
                        self._persist(addr, False)
            after = dict((a, self.device_state(a)) for a in addrs)
        else:
            after = {}
            for addr in addrs:
                item = dict(before[addr])
                for act in actions:
                    if act["pci_address"] == addr:
                        item["driver"] = act["to_driver"]
                        item["driver_override"] = VFIO if state == "bound" else None
                        if act["persist"]:
                            item["persistent_override"] = VFIO if state == "bound" else None
                after[addr] = item
        result = {"changed": bool(actions), "devices": addrs, "actions": actions}
        if diff:
            result["diff"] = {"before": before, "after": after}
        return result


def _read_flag(path):
    try:
        with open(path) as handle:
            return handle.read().strip() in ("Y", "1")
    except (IOError, OSError):
        return False


def binder_for(
    sysfs_root="/sys",
    proc_root="/proc",
    persist_dir="/etc/driverctl.d",
    state_dir="/var/lib/hyperscaler-workstation/vfio",
    timeout=10.0,
):
    return VfioBinder(PciSysfs(sysfs_root, timeout), ProcScanner(proc_root), persist_dir, state_dir)
