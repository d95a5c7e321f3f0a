#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mig_profile
short_description: Declare the MIG layout of NVIDIA GPUs
version_added: 0.1.0
description:
  - Makes the MIG mode and the set of GPU instances (each with one compute instance spanning it) of one or
    all GPUs match the declared layout, through NVML (nvidia-ml-py).
  - The layout is checked against NVIDIA's profile and placement tables for the GPU model first; an invalid
    layout fails before anything changes.
  - Only GPUs whose layout differs are touched. A change destroys every GPU instance of that GPU and creates
    the new ones, larger instances first; the module reports it as destructive and lists the GPUs affected.
  - Refuses while compute processes run on a GPU it would change, unless I(force=true).
  - On Ampere (A100) a MIG mode change stays pending until the GPU is reset (C(nvidia-smi -r) or a
    reboot); the module reports C(reset_required) and creates the instances on a later run. The mode then
    survives reboots. On Hopper (H100, H200) the mode changes at once but is lost at reboot
    (C(persistent=false)). GPU instances never survive a reboot; rerun the play after one.
author: hyperscaler.workstation contributors (@hyperscaler)
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
options:
  gpu:
    description:
      - C(all), an NVML GPU index (C(0)) or a PCI address (C(0000:41:00.0)).
    type: str
    default: all
  mig_enabled:
    description:
      - Whether MIG mode should be on. C(false) destroys all instances and turns MIG off.
    type: bool
    default: true
  instances:
    description:
      - The GPU instances to have on each selected GPU.
    type: list
    elements: dict
    default: []
    suboptions:
      profile:
        description:
          - Profile name as C(nvidia-smi mig -lgip) shows it, for example C(3g.40gb) or C(1g.18gb+me).
        type: str
        required: true
      count:
        description:
          - How many instances of this profile.
        type: int
        default: 1
  force:
    description:
      - Change the layout even while compute processes run on the GPU (they lose their GPU).
    type: bool
    default: false
attributes:
  check_mode:
    description: Can run in check mode and return the planned change without modifying the host.
    support: full
  diff_mode:
    description: Returns the state before and after when run with C(--diff).
    support: full
notes:
  - In check mode without a loadable NVML (no NVIDIA driver on the controller, fake sysfs in tests) the module
    validates the layout against the model found in sysfs and reports that it would apply it, with a warning
    that the current state is unknown.
  - I(sysfs_root) is used only for that check-mode fallback.
requirements:
  - nvidia-ml-py
  - NVIDIA driver with MIG support (R470 or later; R525 or later for H100, R550 or later for H200)
'''

EXAMPLES = r'''
- name: Split the H100 at 0000:41:00.0 into a 4g, a 2g and a 1g instance
  hyperscaler.workstation.mig_profile:
    gpu: "0000:41:00.0"
    instances:
      - profile: 4g.40gb
      - profile: 2g.20gb
      - profile: 1g.10gb

- name: Turn MIG off on every GPU
  hyperscaler.workstation.mig_profile:
    gpu: all
    mig_enabled: false
'''

RETURN = r'''
destructive:
  description: True when at least one GPU's instances were (or would be) destroyed and recreated.
  returned: always
  type: bool
destructive_gpus:
  description: PCI addresses of the GPUs that changed.
  returned: always
  type: list
  elements: str
reset_required:
  description: True when a MIG mode change waits for a GPU reset (Ampere).
  returned: always
  type: bool
gpus:
  description: Per GPU, the mode, the instances before and after, persistence and MIG device UUIDs.
  returned: always
  type: list
  elements: dict
mig_devices:
  description: MIG devices of all selected GPUs after the change.
  returned: always
  type: list
  elements: dict
  sample: [{"uuid": "MIG-5c8f8a1e-...", "profile": "3g.40gb", "gpu_instance_id": 1,
            "parent_pci_address": "0000:41:00.0"}]
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _mig_tables as mig_tables
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig import MigManager
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter, load_pynvml
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import (
    HostError,
    PciSysfs,
    normalize_address,
)

pynvml = load_pynvml()


def sysfs_plan(params):
    """Check-mode plan from sysfs when NVML cannot be used."""
    sysfs = PciSysfs(params["sysfs_root"])
    gpus = [
        a for a in sysfs.list_devices() if sysfs.pci_class(a).startswith("03") and sysfs.hex_id(a, "vendor") == "10de"
    ]
    text = params["gpu"].strip().lower()
    if text.isdigit():
        gpus = gpus[int(text) : int(text) + 1]
    elif text != "all":
        addr = normalize_address(text)
        gpus = [a for a in gpus if a == addr]
    if not gpus:
        raise HostError("No NVIDIA GPU at %s under %s." % (params["gpu"], params["sysfs_root"]))
    out = []
    for addr in gpus:
        model = mig_tables.model_for_device_id(sysfs.hex_id(addr, "device"))
        if model is None:
            if params["mig_enabled"]:
                raise HostError("GPU %s (device id %s) does not support MIG." % (addr, sysfs.hex_id(addr, "device")))
            continue
        placements = []
        if params["mig_enabled"]:
            placements, err = mig_tables.plan_layout(model, params["instances"])
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


def run(module):
    p = module.params
    if pynvml is None:
        if module.check_mode:
            module.warn("nvidia-ml-py is missing; the plan is checked against the MIG tables only.")
            return sysfs_plan(p)
        module.fail_json(msg=missing_required_lib("nvidia-ml-py"))
    nvml = NvmlAdapter(pynvml)
    try:
        nvml.init()
    except Exception as exc:  # pylint: disable=broad-except
        if module.check_mode:
            module.warn("NVML did not initialise (%s); current MIG state unknown." % exc)
            return sysfs_plan(p)
        raise HostError("NVML did not initialise (%s); is the NVIDIA driver loaded?" % exc)
    try:
        return MigManager(nvml).run(p["gpu"], p["mig_enabled"], p["instances"], p["force"], module.check_mode)
    except nvml.error_class as exc:
        raise HostError("NVML refused the change: %s." % exc)
    finally:
        nvml.shutdown()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            gpu=dict(type="str", default="all"),
            mig_enabled=dict(type="bool", default=True),
            instances=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    profile=dict(type="str", required=True),
                    count=dict(type="int", default=1),
                ),
            ),
            force=dict(type="bool", default=False),
            sysfs_root=dict(type="path", default="/sys"),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except HostError as exc:
        module.fail_json(msg=str(exc))
    if module._diff:
        result["diff"] = {
            "before": dict((g["pci_address"], g.get("instances_before")) for g in result["gpus"]),
            "after": dict((g["pci_address"], g.get("instances_after")) for g in result["gpus"]),
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
