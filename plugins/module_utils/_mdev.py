# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""vGPU mediated devices (mdev) and the SR-IOV vGPU path (the logic of the mdev module)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import uuid

from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import (
    HostError,
    PciSysfs,
    normalize_address,
)

# Fixed namespace: uuid5(NAMESPACE, "<vm>/<parent>/<type>/<index>") gives the same UUID on every run, and two VMs
# with vGPUs of one type on one GPU get different devices.
MDEV_NAMESPACE = uuid.UUID("6c0f4a52-3b8e-5d4e-9a57-2f1d0c6b7e10")
MAX_SCAN = 64


def mdev_uuid(parent, mdev_type, index, vm=None):
    key = "%s/%s/%d" % (parent, mdev_type, index)
    return str(uuid.uuid5(MDEV_NAMESPACE, "%s/%s" % (vm, key) if vm else key))


class MdevManager(object):
    def __init__(self, sysfs, mdevctl_dir="/etc/mdevctl.d"):
        self.sysfs = sysfs
        self.mdevctl_dir = mdevctl_dir

    # ---------------------------------------------------------------- helpers
    def _types_dir(self, parent):
        return self.sysfs.dev_path(parent, "mdev_supported_types")

    def _where(self, hosts, uid):
        """The device (the GPU or one of its virtual functions) that holds mdev ``uid``, or None."""
        link = self.sysfs.path("bus", "mdev", "devices", uid)
        if os.path.exists(link):
            return os.path.basename(os.path.dirname(os.path.realpath(link)))
        for host in hosts:
            if os.path.isdir(self.sysfs.dev_path(host, uid)):
                return host
        return None

    def _persist_path(self, parent, uid):
        return os.path.join(self.mdevctl_dir, parent, uid)

    def _persisted(self, parent, uid, mdev_type):
        try:
            with open(self._persist_path(parent, uid)) as handle:
                data = json.load(handle)
        except (IOError, OSError, ValueError):
            return False
        return data.get("mdev_type") == mdev_type and data.get("start") == "auto"

    def run(self, parent, mdev_type, count=1, state="present", persistent=True, check_mode=False, vm=None, others=()):
        """``others``: virtual functions other VMs hold (mdev_map.json), never counted as this VM's."""
        parent = normalize_address(parent)
        if not self.sysfs.exists(parent):
            raise HostError("Parent PCI device %s does not exist." % parent)
        if count < 0:
            raise HostError("count must be 0 or more.")
        wanted = count if state == "present" else 0
        if os.path.isdir(self._types_dir(parent)):
            return self._run_mdev(parent, [parent], mdev_type, wanted, persistent, check_mode, vm)
        total = self.sysfs.int_attr(parent, "sriov_totalvfs")
        if not total:
            raise HostError(
                "%s offers neither mdev_supported_types nor SR-IOV virtual functions; install the NVIDIA "
                "vGPU host driver (the one from NVIDIA's licensing portal, not the data-center driver)." % parent
            )
        vfs = self.sysfs.virtfns(parent)
        enabled = []
        if not vfs and wanted:
            vfs = enabled = self._enable_vfs(parent, total, check_mode)
        if vfs and os.path.isdir(self._types_dir(vfs[0])):
            # the older SR-IOV layout: an mdev type on each virtual function, one vGPU per function
            result = self._run_mdev(parent, vfs, mdev_type, wanted, persistent, check_mode, vm)
        else:
            result = self._run_sriov(parent, [vf for vf in vfs if vf not in others], mdev_type, wanted, check_mode)
        pending = check_mode and not vfs and wanted
        result["enabled_virtual_functions"] = total if (enabled or pending) else 0
        result["changed"] = result["changed"] or bool(result["enabled_virtual_functions"])
        if pending:
            # which functions the kernel will create is unknown until sriov_numvfs is written: say how many
            result["diff"]["before"]["sriov_numvfs"] = 0
            result["diff"]["after"].update(sriov_numvfs=total, vgpus=wanted)
        return result

    def _enable_vfs(self, parent, total, check_mode):
        """Enable every virtual function, as NVIDIA's sriov-manage -e does (sriov_numvfs = sriov_totalvfs)."""
        if check_mode:
            return []
        try:
            self.sysfs.write(self.sysfs.dev_path(parent, "sriov_numvfs"), str(total))
        except HostError as exc:
            raise HostError(
                "Could not enable the %d SR-IOV virtual functions of %s: %s. Is the NVIDIA vGPU host driver "
                "bound to it (lspci -k -s %s)?" % (total, parent, exc, parent)
            )
        vfs = self.sysfs.virtfns(parent)
        if not vfs:
            raise HostError("%s accepted sriov_numvfs=%d but shows no virtual functions." % (parent, total))
        return vfs

    # ---------------------------------------------------------------- mdev path
    def _run_mdev(self, parent, hosts, mdev_type, count, persistent, check_mode, vm):
        """``count`` mdevs of ``mdev_type``: on ``parent`` itself (hosts == [parent]), or one per virtual function."""
        offered = [h for h in hosts if os.path.isdir(os.path.join(self._types_dir(h), mdev_type))]
        if not offered:
            types = sorted(os.listdir(self._types_dir(hosts[0])))
            raise HostError(
                "%s does not offer mdev type '%s'; it offers: %s." % (parent, mdev_type, ", ".join(types) or "none")
            )
        wanted = [mdev_uuid(parent, mdev_type, i, vm) for i in range(count)]
        ours = [mdev_uuid(parent, mdev_type, i, vm) for i in range(MAX_SCAN)]
        where = dict((u, self._where(hosts, u)) for u in ours)
        create = [u for u in wanted if where[u] is None]
        remove = [u for u in ours if u not in wanted and where[u]]
        placed = self._place(parent, hosts, mdev_type, create, where)
        where.update(placed)
        persist_add = [u for u in wanted if persistent and not self._persisted(where[u], u, mdev_type)]
        persist_del = [
            u
            for u in ours
            if (u not in wanted or not persistent) and any(os.path.exists(self._persist_path(h, u)) for h in hosts)
        ]
        before = {
            "devices": [u for u in ours if where.get(u) and u not in placed],
            "definitions": [u for u in ours if any(os.path.exists(self._persist_path(h, u)) for h in hosts)],
        }
        if not check_mode:
            for uid in remove:
                path = self.sysfs.path("bus", "mdev", "devices", uid, "remove")
                if not os.path.exists(path):
                    path = self.sysfs.dev_path(where[uid], uid, "remove")
                self.sysfs.write(path, "1")
            for uid in create:
                self.sysfs.write(os.path.join(self._types_dir(placed[uid]), mdev_type, "create"), uid)
            for uid in persist_del:
                for host in hosts:
                    if os.path.exists(self._persist_path(host, uid)):
                        self._remove_definition(host, uid)
            for uid in persist_add:
                self._write_definition(where[uid], uid, mdev_type)
        after = {"devices": list(wanted), "definitions": list(wanted) if persistent else []}
        return {
            "changed": bool(create or remove or persist_add or persist_del),
            "mode": "mdev" if hosts == [parent] else "sriov-mdev",
            "parent": parent,
            "type": mdev_type,
            "uuids": wanted,
            "created": create,
            "removed": remove,
            "persistent": persistent,
            "devices": [{"uuid": u, "parent": parent, "device": where[u], "type": mdev_type} for u in wanted],
            "diff": {
                "before": dict(before, parent=parent, type=mdev_type),
                "after": dict(after, parent=parent, type=mdev_type),
            },
        }

    def _available(self, host, mdev_type):
        return self.sysfs.int_attr(host, "mdev_supported_types/%s/available_instances" % mdev_type)

    def _place(self, parent, hosts, mdev_type, create, where):
        """{uuid: device} for the mdevs to create; refuses (nothing written) when they do not fit."""
        room = dict((h, self._available(h, mdev_type)) for h in hosts)
        placed = {}
        for uid in create:
            free = [h for h in hosts if room[h] is None or room[h] > 0]
            if not free:
                break
            placed[uid] = free[0]
            if room[free[0]] is not None:
                room[free[0]] -= 1
        if len(placed) < len(create):
            busy = sorted(
                t
                for h in hosts
                for t in os.listdir(self._types_dir(h))
                if t != mdev_type and os.listdir(os.path.join(self._types_dir(h), t, "devices"))
            )
            hint = (
                " Another vGPU type (%s) runs on it: the driver allows one time-sliced vGPU type per GPU."
                % ", ".join(sorted(set(busy)))
                if busy
                else " Free some or choose a smaller vGPU type."
            )
            raise HostError(
                "%s has room for %d more '%s' device(s), %d needed.%s"
                % (parent, len(placed), mdev_type, len(create), hint)
            )
        return placed

    def _write_definition(self, parent, uid, mdev_type):
        path = self._persist_path(parent, uid)
        try:
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            with open(path, "w") as handle:
                json.dump({"mdev_type": mdev_type, "start": "auto", "attrs": []}, handle, indent=2)
                handle.write("\n")
        except (IOError, OSError) as exc:
            raise HostError(
                "Could not write the mdevctl definition %s of %s: %s (check mdevctl_dir)."
                % (path, parent, exc.strerror or exc)
            )

    def _remove_definition(self, parent, uid):
        path = self._persist_path(parent, uid)
        try:
            os.remove(path)
        except (IOError, OSError) as exc:
            raise HostError(
                "Could not remove the mdevctl definition %s of %s: %s." % (path, parent, exc.strerror or exc)
            )

    # ---------------------------------------------------------------- SR-IOV path
    @staticmethod
    def _type_id(mdev_type):
        match = re.match(r"^(?:nvidia-)?(\d+)$", str(mdev_type))
        if not match:
            raise HostError(
                "On SR-IOV vGPU GPUs the type must be a vGPU type id such as 'nvidia-1024' or '1024', "
                "not '%s'." % mdev_type
            )
        return int(match.group(1))

    def _run_sriov(self, parent, vfs, mdev_type, count, check_mode):
        type_id = self._type_id(mdev_type)
        current = {}
        for vf in vfs:
            value = self.sysfs.attr(vf, "nvidia/current_vgpu_type")
            if value is None:
                raise HostError(
                    "Virtual function %s has no nvidia/current_vgpu_type; the NVIDIA vGPU host "
                    "driver is not bound to it." % vf
                )
            current[vf] = int(value or 0)
        mine = [vf for vf in vfs if current[vf] == type_id]
        set_vfs, clear_vfs = [], []
        if len(mine) > count:
            clear_vfs = mine[count:]
        elif len(mine) < count and vfs:
            free = [vf for vf in vfs if current[vf] == 0]
            need = count - len(mine)
            if len(free) < need:
                raise HostError(
                    "%s has %d free virtual function(s), %d needed for '%s'." % (parent, len(free), need, mdev_type)
                )
            set_vfs = free[:need]
        if not check_mode:
            for vf in clear_vfs:
                self.sysfs.write(self.sysfs.dev_path(vf, "nvidia", "current_vgpu_type"), "0")
            for vf in set_vfs:
                self.sysfs.write(self.sysfs.dev_path(vf, "nvidia", "current_vgpu_type"), str(type_id))
        final = [vf for vf in mine if vf not in clear_vfs] + set_vfs
        state_of = dict(parent=parent, type=mdev_type)
        return {
            "changed": bool(set_vfs or clear_vfs),
            "mode": "sriov",
            "parent": parent,
            "type": mdev_type,
            "uuids": [],
            "virtual_functions": sorted(final),
            "created": set_vfs,
            "removed": clear_vfs,
            "persistent": False,
            "devices": [{"pci_address": vf, "parent": parent, "type": mdev_type} for vf in sorted(final)],
            "diff": {
                "before": dict(state_of, virtual_functions=sorted(mine)),
                "after": dict(state_of, virtual_functions=sorted(final)),
            },
        }


def claimed_by_others(output_dir, vm):
    """The virtual functions mdev_map.json gives to VMs other than ``vm``."""
    try:
        with open(os.path.join(output_dir, "mdev_map.json")) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError):
        return set()
    return set(
        e["pci_address"] for name, entries in data.items() if name != vm for e in entries if e.get("pci_address")
    )


def record_vm(output_dir, vm, result, check_mode=False):
    """Merge {vm: devices} into <output_dir>/mdev_map.json; return True when the file changed."""
    path = os.path.join(output_dir, "mdev_map.json")
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError):  # no map yet (or an unreadable one, rewritten below)
        data = {}
    entries = [
        e for e in data.get(vm, []) if not (e.get("parent") == result["parent"] and e.get("type") == result["type"])
    ]
    entries.extend(result["devices"])
    entries.sort(key=lambda e: (e.get("parent"), e.get("type"), e.get("uuid") or e.get("pci_address")))
    new = dict(data)
    if entries:
        new[vm] = entries
    else:
        new.pop(vm, None)
    if new == data:
        return False
    if not check_mode:
        try:
            if not os.path.isdir(output_dir):
                os.makedirs(output_dir)
            tmp = path + ".tmp"
            with open(tmp, "w") as handle:
                json.dump(new, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.rename(tmp, path)
        except (IOError, OSError) as exc:
            raise HostError(
                "Could not write the VM-to-device map %s for %s: %s (check output_dir)."
                % (path, vm, exc.strerror or exc)
            )
    return True


def manager_for(sysfs_root="/sys", mdevctl_dir="/etc/mdevctl.d", timeout=10.0):
    return MdevManager(PciSysfs(sysfs_root, timeout), mdevctl_dir)
