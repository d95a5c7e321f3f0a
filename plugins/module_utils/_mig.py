# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Declarative MIG layouts through an NvmlAdapter (the logic of mig_profile)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import (
    CLASS_DISPLAY,
    HostError,
    normalize_address,
)


def _layout(instances):
    return sorted((i["profile"], i["start"], i["size"]) for i in instances)


def _counts(instances):
    out = {}
    for item in instances or []:
        count = int(item.get("count", 1))
        if count:
            out[item["profile"]] = out.get(item["profile"], 0) + count
    return out


class MigManager(object):
    """nvml: an initialised NvmlAdapter."""

    def __init__(self, nvml):
        self.nvml = nvml

    # ------------------------------------------------------------ discovery
    def select(self, gpu):
        """[(index, handle, pci_address, name, model)] for 'all', an index or a PCI address."""
        total = self.nvml.count()
        chosen = []
        text = str(gpu).strip().lower()
        wanted_addr = None
        if text != "all" and not text.isdigit():
            wanted_addr = normalize_address(text)
        if text.isdigit() and int(text) >= total:
            raise HostError("GPU index %s does not exist; NVML sees %d GPU(s)." % (text, total))
        for index in range(total):
            if text.isdigit() and index != int(text):
                continue
            handle = self.nvml.handle(index)
            addr, device_id = self.nvml.pci(handle)
            if wanted_addr and addr != wanted_addr:
                continue
            name = self.nvml.name(handle)
            model = _gpu_models.mig_model(device_id)  # by device id only: an unknown board is never guessed
            chosen.append((index, handle, addr, name, model))
        if not chosen:
            raise HostError(
                "No GPU at %s is visible to NVML (is it bound to the nvidia driver rather than vfio-pci?)." % gpu
            )
        return chosen

    def current_instances(self, handle, model):
        out = []
        for row in mig_tables.MIG_MODELS[model]["profiles"].values():
            for gi in self.nvml.gpu_instances(handle, row["profile_id"]):
                info = self.nvml.gpu_instance_info(gi)
                out.append(
                    {
                        "profile": row["name"],
                        "gpu_instance_id": info["id"],
                        "start": info["start"],
                        "size": info["size"],
                        "handle": gi,
                    }
                )
        out.sort(key=lambda i: (i["start"], i["profile"]))
        return out

    # ------------------------------------------------------------ planning
    def plan_gpu(self, entry, mig_enabled, instances):
        index, handle, addr, name, model = entry
        if model is None:
            if mig_enabled:
                raise HostError(
                    "GPU %d (%s, %s) has no MIG table here: it does not support MIG, or it is a board whose "
                    "profiles the collection does not know (plugins/module_utils/_gpu_models.py; MIG models: %s)."
                    % (index, name, addr, ", ".join(mig_tables.model_names()))
                )
            return None
        placements = []
        if mig_enabled:
            placements, err = mig_tables.plan_layout(model, instances)
            if err:
                raise HostError("GPU %d (%s): %s." % (index, addr, err))
        arch = mig_tables.MIG_MODELS[model]["architecture"]
        current, pending = self.nvml.mig_mode(handle)
        existing = self.current_instances(handle, model) if current else []
        have = _counts(dict(profile=i["profile"], count=1) for i in existing)
        want = _counts(instances) if mig_enabled else {}
        return {
            "index": index,
            "handle": handle,
            "pci_address": addr,
            "name": name,
            "model": model,
            "architecture": arch,
            "mig_mode_current": current,
            "mig_mode_pending": pending,
            # A mode that is not yet current is set (again): NVML applies it when nothing holds the GPU, and
            # asks its caller to "idle the device and retry" otherwise (nvml.h, nvmlDeviceSetMigMode).
            "set_mode": bool(current) != bool(mig_enabled),
            "needs_layout": (mig_enabled and have != want) or (not mig_enabled and bool(existing)),
            "existing": existing,
            "placements": placements,
        }

    # ------------------------------------------------------------ running
    def run(self, gpu, mig_enabled=True, instances=None, force=False, check_mode=False):
        entries = self.select(gpu)
        plans = [p for p in (self.plan_gpu(e, mig_enabled, instances) for e in entries) if p]
        # refuse before any change: processes on a GPU that would change
        busy = {}
        for plan in plans:
            if plan["set_mode"] or plan["needs_layout"]:
                procs = self.nvml.processes(plan["handle"])
                busy[plan["index"]] = bool(procs)
                if procs and not force:
                    raise HostError(
                        "GPU %d (%s) runs %d compute process(es) (pids %s); changing its MIG layout destroys "
                        "their work. Stop them, or set force=true."
                        % (plan["index"], plan["pci_address"], len(procs), ", ".join(str(p[0]) for p in procs))
                    )
        results = [self._apply(plan, mig_enabled, check_mode, busy.get(plan["index"], False)) for plan in plans]
        affected = [r["pci_address"] for r in results if r["changed"]]
        return {
            "changed": bool(affected),
            "destructive": bool(affected),
            "destructive_gpus": affected,
            "reset_required": any(r["reset_required"] for r in results),
            "gpus": results,
            "mig_devices": [d for r in results for d in r["mig_devices"]],
        }

    def _apply(self, plan, mig_enabled, check_mode, busy):
        handle = plan["handle"]
        before = [dict((k, v) for k, v in i.items() if k != "handle") for i in plan["existing"]]
        current, pending = plan["mig_mode_current"], plan["mig_mode_pending"]
        activation = None
        if check_mode:
            # The driver applies a mode change when no process holds the GPU (it resets an Ampere GPU itself;
            # Hopper needs no reset); with processes (force) the change stays pending. Where the platform cannot
            # reset the GPU (a passthrough VM) it stays pending too, which check mode cannot see.
            if plan["set_mode"] and not busy:
                current = pending = mig_enabled
            elif plan["set_mode"]:
                pending = mig_enabled
            after = []
            if current and mig_enabled:
                after = before
                if plan["needs_layout"] or plan["set_mode"]:
                    after = [
                        {"profile": p["profile"], "start": p["start"], "size": p["size"], "gpu_instance_id": None}
                        for p in plan["placements"]
                    ]
        else:
            if plan["needs_layout"] or (not mig_enabled and plan["existing"]):
                for inst in plan["existing"]:
                    self.nvml.destroy_gpu_instance(inst["handle"])
            if plan["set_mode"]:
                activation = self.nvml.set_mig_mode(handle, mig_enabled)
            current, pending = self.nvml.mig_mode(handle)
            if mig_enabled and current and (plan["needs_layout"] or plan["set_mode"]):
                for place in plan["placements"]:
                    gi = self.nvml.create_gpu_instance(handle, place["profile_id"], place["start"], place["size"])
                    ci_profile = mig_tables.CI_PROFILE_FOR_COMPUTE_SLICES[place["compute_slices"]]
                    self.nvml.create_compute_instance(gi, ci_profile)
            after = [
                dict((k, v) for k, v in i.items() if k != "handle")
                for i in (self.current_instances(handle, plan["model"]) if current else [])
            ]
        reset_required = bool(current) != bool(mig_enabled)
        changed = (current, pending) != (plan["mig_mode_current"], plan["mig_mode_pending"]) or _layout(
            before
        ) != _layout(after)
        by_gi = dict((i["gpu_instance_id"], i["profile"]) for i in after)
        devices = []
        if current and (not check_mode or not changed):
            for dev in self.nvml.mig_devices(handle):
                devices.append(
                    {
                        "uuid": dev["uuid"],
                        "gpu_instance_id": dev["gpu_instance_id"],
                        "profile": by_gi.get(dev["gpu_instance_id"]),
                        "parent_pci_address": plan["pci_address"],
                    }
                )
        return {
            "index": plan["index"],
            "pci_address": plan["pci_address"],
            "name": plan["name"],
            "model": plan["model"],
            "architecture": plan["architecture"],
            "changed": changed,
            "mig_mode_current": current,
            "mig_mode_pending": pending,
            "reset_required": reset_required,
            "activation_status": activation,
            # MIG User Guide, "Getting Started with MIG": Ampere keeps the mode "across system reboots (there is a
            # status bit stored in the GPU InfoROM)"; from Hopper on it is "no longer persistent across system
            # reboots" (nor a driver reload). GPU and compute instances never survive a reset or a reboot.
            "persistent": plan["architecture"] == "ampere",
            "instances_before": before,
            "instances_after": after,
            "mig_devices": devices,
        }


def _sysfs_gpus(sysfs, gpu):
    """NVIDIA display devices under sysfs chosen by 'all', an index (in address order) or a PCI address."""
    gpus = [
        a
        for a in sysfs.list_devices()
        if sysfs.pci_class(a).startswith(CLASS_DISPLAY) and sysfs.hex_id(a, "vendor") == _gpu_models.NVIDIA_VENDOR_ID
    ]
    text = str(gpu).strip().lower()
    if text.isdigit():
        return gpus[int(text) : int(text) + 1]
    if text != "all":
        addr = normalize_address(text)
        return [a for a in gpus if a == addr]
    return gpus


def plan_from_sysfs(sysfs, gpu, mig_enabled=True, instances=None):
    """The check-mode plan when NVML cannot be used: the layout checked against the model sysfs names.

    The current MIG state is unknown, so every selected MIG-capable GPU is reported as changing.
    """
    gpus = _sysfs_gpus(sysfs, gpu)
    if not gpus:
        raise HostError("No NVIDIA GPU at %s under %s." % (gpu, sysfs.root))
    out = []
    for addr in gpus:
        device_id = sysfs.hex_id(addr, "device")
        model = _gpu_models.mig_model(device_id)
        if model is None:
            if mig_enabled:
                raise HostError("GPU %s (device id %s) does not support MIG." % (addr, device_id))
            continue
        placements = []
        if mig_enabled:
            placements, err = mig_tables.plan_layout(model, instances)
            if err:
                raise HostError("GPU %s: %s." % (addr, err))
        out.append(
            {
                "pci_address": addr,
                "model": model,
                "changed": True,
                "state_known": False,
                "instances_after": [dict(profile=p["profile"], start=p["start"], size=p["size"]) for p in placements],
            }
        )
    return {
        "changed": bool(out),
        "destructive": bool(out),
        "destructive_gpus": [g["pci_address"] for g in out],
        "reset_required": False,
        "gpus": out,
        "mig_devices": [],
    }
