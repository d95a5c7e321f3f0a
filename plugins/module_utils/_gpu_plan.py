# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""What the hypervisor must do for the GPUs of cluster.yaml (the logic of the gpu_host role).

``host_plan(nodes, gpus)`` reads the GPU nodes' ``hyperscaler_node`` entries and ``global.gpus`` and says which
GPUs go to vfio-pci, which get a MIG layout and which vGPU devices each VM gets. A GPU is used one way only:
one with a MIG layout or carrying vGPUs stays on the nvidia driver, so it is never bound to vfio-pci.
Exposed to plays as the filter ``hyperscaler.workstation.gpu_host_plan``; ``domain_devices`` (the filter
``hyperscaler.workstation.domain_gpu_devices``) turns one VM's passthrough and vGPU entries into its domain's
host devices; ``guest_mig_layouts`` (the filter ``hyperscaler.workstation.guest_mig_layouts``) says which MIG
layout a VM applies to the GPUs passed through to it (the guest owns their MIG mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mdev import mdev_uuid
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError, normalize_address


class GpuPlanError(HyperscalerError):
    """The GPU part of the configuration cannot be planned (a malformed entry)."""


def _address(value, where):
    try:
        return normalize_address(value)
    except HostError as exc:
        raise GpuPlanError("%s: %s" % (where, exc))


def _node_items(nodes):
    """[(vm name, node dict)] from {name: node} or from [node with 'name']."""
    if isinstance(nodes, dict):
        return [(name, node or {}) for name, node in nodes.items()]
    out = []
    for index, node in enumerate(nodes or []):
        if not isinstance(node, dict) or not node.get("name"):
            raise GpuPlanError("gpu_host_nodes[%d] needs a 'name' (or pass a dict {vm name: node})" % index)
        out.append((node["name"], node))
    return out


def _passthrough(name, node):
    """Addresses of the devices a VM takes whole."""
    pt = node.get("pcie_passthrough") or {}
    if not pt.get("enabled", True):
        return []
    return [
        _address(dev.get("pci_address"), "%s.pcie_passthrough.devices[%d].pci_address" % (name, index))
        for index, dev in enumerate(pt.get("devices") or [])
    ]


def _vgpus(name, node):
    out = []
    for index, item in enumerate(node.get("vgpu") or []):
        where = "%s.vgpu[%d]" % (name, index)
        if not item.get("type"):
            raise GpuPlanError("%s needs a 'type' (for example nvidia-1024)" % where)
        out.append(
            {
                "vm": name,
                "parent": _address(item.get("parent"), where + ".parent"),
                "type": item["type"],
                "count": int(item.get("count", 1)),
            }
        )
    return out


def _mig_layouts(gpus):
    out = []
    for index, gpu in enumerate(gpus or []):
        mig = gpu.get("mig") or {}
        if not mig.get("enabled"):
            continue
        out.append(
            {
                "pci_address": _address(gpu.get("pci_address"), "global.gpus[%d].pci_address" % index),
                "model": gpu.get("model"),
                "instances": list(mig.get("instances") or []),
            }
        )
    return out


def host_plan(nodes, gpus=None):
    """{vfio: [addresses], mig: [{pci_address, model, instances}], vgpu: [{vm, parent, type, count}], any: bool}.

    ``nodes``: the ``hyperscaler_node`` of each GPU VM, as {vm name: node} (inventory order) or a list of nodes
    with ``name``; ``gpus``: ``global.gpus`` of cluster.yaml. Addresses come back in the long form
    (``0000:41:00.0``), each once, in the order the configuration names them.
    """
    items = _node_items(nodes)
    mig = _mig_layouts(gpus)
    vgpu = [v for name, node in items for v in _vgpus(name, node)]
    keep = set(m["pci_address"] for m in mig) | set(v["parent"] for v in vgpu)
    vfio = []
    for name, node in items:
        for addr in _passthrough(name, node):
            if addr not in vfio and addr not in keep:
                vfio.append(addr)
    return {"vfio": vfio, "mig": mig, "vgpu": vgpu, "any": bool(vfio or mig or vgpu)}


def domain_devices(node, mdev_map=None, predict=False):
    """The host devices of one VM's domain: {'hostdevs': [{address, managed}], 'mdevs': [{uuid}]}.

    Passthrough devices (``pcie_passthrough``, when enabled) are managed PCI hostdevs. The node's ``vgpu``
    entries become the devices the host-prep phase created for this VM, as ``mdev_map.json`` (``mdev_map``)
    records them: mediated devices by UUID, or virtual functions that stay on the vGPU driver (unmanaged PCI
    hostdevs). With ``predict`` (check mode before host prep ran), the mdev UUIDs the mdev module would make
    stand in; otherwise missing devices are an error that names the entry and the fix.
    """
    name = node.get("name")
    hostdevs = [{"address": addr, "managed": True} for addr in _passthrough(name, node)]
    mdevs = []
    recorded = (mdev_map or {}).get(name) or []
    for index, item in enumerate(node.get("vgpu") or []):
        want = _vgpus(name, {"vgpu": [item]})[0]
        found = [e for e in recorded if e.get("parent") == want["parent"] and e.get("type") == want["type"]]
        if len(found) < want["count"]:
            if not predict:
                raise GpuPlanError(
                    "%s.vgpu[%d] (%d x %s on %s): %d device(s) recorded in mdev_map.json; run the host-prep phase "
                    "(playbooks/host_prep.yml, or site.yml) before provisioning"
                    % (name, index, want["count"], want["type"], want["parent"], len(found))
                )
            found = [{"uuid": mdev_uuid(want["parent"], want["type"], i, name)} for i in range(want["count"])]
        for entry in found[: want["count"]]:
            if entry.get("uuid"):
                mdevs.append({"uuid": entry["uuid"]})
            else:
                hostdevs.append({"address": entry["pci_address"], "managed": False})
    return {"hostdevs": hostdevs, "mdevs": mdevs}


def passthrough_gpus(node):
    """The GPU entries of a VM's ``pcie_passthrough.devices`` (``device_type: gpu``), in the order the guest
    enumerates them (the domain gives them guest PCI slots in this order); none unless passthrough is enabled."""
    pt = node.get("pcie_passthrough") or {}
    if not pt.get("enabled"):
        return []
    return [dev for dev in pt.get("devices") or [] if isinstance(dev, dict) and dev.get("device_type") == "gpu"]


def guest_mig(dev):
    """The ``mig`` layout of a passed-through GPU when the guest turns MIG on, else None (no layout, or disabled:
    the guest sees the whole GPU)."""
    mig = dev.get("mig")
    return mig if isinstance(mig, dict) and mig.get("enabled") is True else None


def guest_mig_layouts(node):
    """[{gpu, mig_enabled, instances}] for ``mig_profile`` inside the VM: one per passed-through GPU with a
    ``mig`` entry; ``gpu`` is its NVML index in the guest."""
    out = []
    for index, dev in enumerate(passthrough_gpus(node or {})):
        if not isinstance(dev.get("mig"), dict):
            continue
        mig = guest_mig(dev)
        instances = [
            {"profile": str(inst["profile"]), "count": int(inst.get("count", 1) or 1)}
            for inst in (mig or {}).get("instances") or []
        ]
        out.append({"gpu": str(index), "mig_enabled": mig is not None, "instances": instances})
    return out
