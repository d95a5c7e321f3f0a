# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""slurm.conf and gres.conf content as Python: the version pin, GPU GRES, the merged settings, Node and
Partition lines.

Called by the filter plugin ``plugins/filter/slurm.py`` (``hyperscaler.workstation.slurm_*``), which the
SLURM roles' templates and defaults use. GRES types come from the one GPU table (``_gpu_models``).
Nothing here imports Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _debian_releases, _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import guest_mig, passthrough_gpus
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

# The SLURM version pin of the default guest release (an apt version pattern); every release's pin is in the
# table of _debian_releases.
DEFAULT_SLURM_VERSION = _debian_releases.release().slurm

# Lines generated from the inventory, never from the settings dict.
GENERATED_KEYS = dict((k.lower(), k) for k in ("NodeName", "PartitionName", "NodeSet", "DownNodes", "FrontendName"))

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_GRES_TYPE_CHARS = re.compile(r"[^A-Za-z0-9_]")


class SlurmConfError(HyperscalerError):
    """A slurm.conf setting or GPU device list that cannot be written."""


# ---------------------------------------------------------------------------------------------- version


def version_pattern(version):
    """An apt version pattern for a cluster.yaml version: ``22.05`` -> ``22.05.*``, ``24.11.5`` -> ``24.11.5*``.

    A value that already has a wildcard, a Debian revision (``-``) or an epoch (``:``) is used as written.
    """
    text = str(version).strip()
    if not text:
        raise SlurmConfError("slurm_config.version is empty; write a version such as 22.05 or 24.11.")
    if any(c in text for c in "*-:"):
        return text
    if re.match(r"^[0-9]+\.[0-9]+$", text):
        return text + ".*"
    return text + "*"


def slurm_version(cluster=None, suite=None):
    """The apt version pattern of the SLURM packages: ``slurm_config.version`` of the cluster, else the pin of
    the node's Debian release (``suite``: a codename or version such as ``trixie`` or ``13``; the default
    guest release when empty)."""
    slurm = (cluster or {}).get("slurm_config") or {}
    version = slurm.get("version")
    if version is not None and version != "":
        return version_pattern(version)
    entry = _debian_releases.release(suite)
    if entry is None:
        raise SlurmConfError(
            "No SLURM version is known for Debian release %r (known: %s); set clusters.<name>.slurm_config.version "
            "in cluster.yaml or the role's *_slurm_version." % (suite, ", ".join(_debian_releases.RELEASES))
        )
    return entry.slurm


# ---------------------------------------------------------------------------------------------- GPUs


def gres_type(device_id, type_map=None):
    """GRES type of a passthrough GPU: ``type_map`` (by device id) over the GPU table; ``generic`` if unknown."""
    if type_map:
        wanted = _gpu_models.norm_device_id(device_id)
        for dev, gres in type_map.items():
            if _gpu_models.norm_device_id(dev) == wanted:
                return str(gres)
    return _gpu_models.gres_type(device_id)


def _device(entry, index):
    if isinstance(entry, str):
        return {"file": entry, "type": _gpu_models.GENERIC_GRES_TYPE}
    if isinstance(entry, dict) and entry.get("file"):
        device = {"file": str(entry["file"]), "type": str(entry.get("type") or _gpu_models.GENERIC_GRES_TYPE)}
        if entry.get("mig"):
            device["mig"] = True
        return device
    raise SlurmConfError(
        "slurm_compute_gpu_devices[%d] must be a device file or a dict with file (and type), not %r." % (index, entry)
    )


def gpu_devices(node=None, devices=None, type_map=None):
    """A node's GPU devices as ``[{file, type}]``.

    ``devices`` (the ``slurm_compute_gpu_devices`` of the node: strings or ``{file, type}``) wins when given.
    Else they come from ``hyperscaler_node``: passthrough GPUs (``device_type: gpu``, typed from the GPU
    table by ``device_id``), then vGPUs (``count`` each, typed by the mdev type), as /dev/nvidia0..N-1. A
    passthrough GPU with an enabled ``mig`` layout is its MIG devices instead, typed by profile (``3g.40gb``:
    slurmd's AutoDetect=nvml names them ``<board>_3g.40gb``, which Slurm matches by substring) and marked
    ``mig`` (they exist only for AutoDetect=nvml; gres.conf cannot list them by file).
    """
    if devices is not None:
        if isinstance(devices, (str, dict)) or not hasattr(devices, "__iter__"):
            raise SlurmConfError("slurm_compute_gpu_devices must be a list, not %r." % (devices,))
        return [_device(entry, i) for i, entry in enumerate(devices)]
    node = node or {}
    gpus = passthrough_gpus(node)
    out = []
    for index, dev in enumerate(gpus):
        mig = guest_mig(dev)
        if mig is not None:
            for inst in mig.get("instances") or []:
                for _unused in range(int(inst.get("count", 1) or 1)):
                    out.append({"file": "/dev/nvidia%d" % index, "type": str(inst["profile"]), "mig": True})
        else:
            out.append({"file": "/dev/nvidia%d" % index, "type": gres_type(dev.get("device_id"), type_map)})
    first = len(gpus)
    for vgpu in node.get("vgpu") or []:
        for _unused in range(int(vgpu.get("count", 1) or 1)):
            gpu_type = _GRES_TYPE_CHARS.sub("_", str(vgpu.get("type", _gpu_models.GENERIC_GRES_TYPE)))
            out.append({"file": "/dev/nvidia%d" % first, "type": gpu_type})
            first += 1
    return out


def gres(devices):
    """``gpu:<type>:<count>,...`` for a device list (types in order of first appearance); '' for none."""
    counts = {}
    order = []
    for i, dev in enumerate(devices or []):
        gpu_type = _device(dev, i)["type"]
        if gpu_type not in counts:
            order.append(gpu_type)
            counts[gpu_type] = 0
        counts[gpu_type] += 1
    return ",".join("gpu:%s:%d" % (t, counts[t]) for t in order)


# ---------------------------------------------------------------------------------------------- settings


def _value(key, value):
    if isinstance(value, bool):
        text = "YES" if value else "NO"
    elif isinstance(value, (list, tuple)):
        text = ",".join(str(v) for v in value)
    else:
        text = str(value)
    if "\n" in text or "\r" in text:
        raise SlurmConfError("slurm.conf setting %s has a line break in its value %r." % (key, text))
    return text


def merge_settings(*layers):
    """Merge KEY: value dicts, later layers win; a value of None removes the key.

    Keys are matched case-insensitively (slurm.conf is), so an override replaces the setting in place and
    never writes it twice. Node/Partition lines are refused: they are generated from the inventory.
    """
    merged = {}  # lower key -> (key as first written, value)
    for layer in layers:
        for key, value in (layer or {}).items():
            key = str(key).strip()
            if not _KEY.match(key):
                raise SlurmConfError("%r is not a slurm.conf key (letters, digits and _)." % key)
            low = key.lower()
            if low in GENERATED_KEYS:
                raise SlurmConfError(
                    "slurm.conf %s lines are generated from the inventory (compute hosts, partitions); "
                    "they cannot be set as a setting." % GENERATED_KEYS[low]
                )
            if value is None:
                merged.pop(low, None)
            elif low in merged:
                merged[low] = (merged[low][0], value)
            else:
                merged[low] = (key, value)
    return dict((key, _value(key, value)) for key, value in merged.values())


def render_settings(settings):
    """``Key=value`` lines of a merged settings dict, in its order."""
    return "\n".join("%s=%s" % (key, value) for key, value in settings.items())


# ---------------------------------------------------------------------------------------------- nodes


def _get(mapping, key, default=None):
    try:
        value = mapping[key]
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def node_line(name, facts=None, node=None, devices=None, memory_ratio=0.95):
    """The NodeName line of one compute host: topology and memory from facts, else from hyperscaler_node."""
    facts = facts or {}
    node = node or {}
    sockets = int(_get(facts, "processor_count", 1))
    cores = int(_get(facts, "processor_cores", _get(node, "cpu_cores", 1)))
    threads = int(_get(facts, "processor_threads_per_core", 1))
    memory = int(_get(facts, "memtotal_mb", _get(node, "memory_mb", 1024)))
    addr = _get(node, "ip", _get(_get(facts, "default_ipv4", {}), "address", name))
    parts = [
        "NodeName=%s" % name,
        "NodeHostname=%s" % _get(facts, "hostname", name),
        "NodeAddr=%s" % addr,
        "CPUs=%d" % (sockets * cores * threads),
        "SocketsPerBoard=%d" % sockets,
        "CoresPerSocket=%d" % cores,
        "ThreadsPerCore=%d" % threads,
        "RealMemory=%d" % int(memory * float(memory_ratio)),
    ]
    gres_text = gres(devices)
    if gres_text:
        parts.append("Gres=%s" % gres_text)
    parts.append("State=UNKNOWN")
    return " ".join(parts)


def node_lines(hosts, hostvars, memory_ratio=0.95, type_map=None):
    """NodeName lines for the compute hosts; GPUs from each host's slurm_compute_gpu_devices or hyperscaler_node."""
    lines = []
    for host in hosts or []:
        hv = _get(hostvars, host, {})
        node = _get(hv, "hyperscaler_node", {})
        devices = gpu_devices(node, devices=_get(hv, "slurm_compute_gpu_devices"), type_map=type_map)
        lines.append(node_line(host, _get(hv, "ansible_facts", {}), node, devices, memory_ratio))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- partitions


def partitions(parts, compute_hosts=None, default_partition="", max_time="UNLIMITED"):
    """Partitions (names or dicts) as dicts with name, nodes, max_time, qos and default set."""
    out = []
    for i, part in enumerate(parts or []):
        if isinstance(part, str):
            part = {"name": part}
        if not isinstance(part, dict) or not part.get("name"):
            raise SlurmConfError("Partition %d must be a name or a dict with name, not %r." % (i, part))
        nodes = part.get("nodes", compute_hosts or [])
        out.append(
            {
                "name": str(part["name"]),
                "nodes": nodes if isinstance(nodes, str) else ",".join(str(n) for n in nodes),
                "max_time": str(part.get("max_time") or max_time),
                "qos": str(part.get("default_qos") or ""),
            }
        )
    default = default_partition or (out[0]["name"] if out else "")
    if default and out and default not in [p["name"] for p in out]:
        raise SlurmConfError(
            "Default partition %r is not one of the partitions %s." % (default, ", ".join(p["name"] for p in out))
        )
    for part in out:
        part["default"] = part["name"] == default
    return out


def partition_lines(parts, compute_hosts=None, default_partition="", max_time="UNLIMITED"):
    """PartitionName lines."""
    lines = []
    for part in partitions(parts, compute_hosts, default_partition, max_time):
        line = "PartitionName=%s Nodes=%s MaxTime=%s Default=%s" % (
            part["name"],
            part["nodes"] or "ALL",
            part["max_time"],
            "YES" if part["default"] else "NO",
        )
        if part["qos"]:
            line += " QOS=%s" % part["qos"]
        lines.append(line + " State=UP")
    return "\n".join(lines)
