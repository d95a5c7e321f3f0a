#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mig_profile
short_description: Declare the MIG mode and GPU instances of NVIDIA GPUs, checked against the MIG tables
version_added: 0.1.0
description:
  - Brings the MIG mode and the set of GPU instances (each with one compute instance spanning it) of one or
    all GPUs match the declared layout, through NVML (nvidia-ml-py).
  - The layout is checked against NVIDIA's profile and placement tables for the GPU model first; an invalid
    layout fails before anything changes.
  - Only GPUs whose layout differs are touched. A change destroys every GPU instance of that GPU and creates
    the new ones, larger instances first; the module reports it as destructive and lists the GPUs affected.
  - Refuses while compute processes run on a GPU it would change, unless I(force=true).
  - A MIG mode change takes effect at once when nothing holds the GPU (on Ampere, A100 and A30, the driver resets
    the GPU itself; Hopper needs no reset). While processes hold it (I(force=true)), or where the platform cannot
    reset it (a GPU passed through to a VM), the change stays pending; the module reports C(reset_required), and a
    later run sets the mode again and creates the instances once it is current. Check mode assumes the driver can
    reset the GPU.
  - Ampere keeps the MIG mode across reboots; from Hopper on the mode is lost at reboot or driver reload
    (C(persistent=false)), as NVIDIA's MIG User Guide says. GPU instances never survive a reset or a reboot; rerun
    the play after one.
  - A board is known by its PCI device id only (the collection's GPU table); a MIG-capable board whose profile
    table the collection does not know is refused, never guessed.
author: hyperscaler.workstation contributors (@hyperscaler)
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
    support: full
    details: Without a loadable NVML the layout is checked against the MIG tables only (see the notes).
  diff_mode:
    support: full
    details: The GPU instances of each selected GPU before and after.
extends_documentation_fragment:
  - hyperscaler.workstation.sysfs
  - hyperscaler.workstation.attributes
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
  description:
    - True when a MIG mode change is pending (a process holds the GPU, or the platform cannot reset it); each
      GPU's C(activation_status) holds NVML's reason (19 in use, 16 reset required).
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

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import SYSFS_ROOT, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig import MigManager, plan_from_sysfs
from ansible_collections.hyperscaler.workstation.plugins.module_utils._nvml_adapter import NvmlAdapter, load_pynvml
from ansible_collections.hyperscaler.workstation.plugins.module_utils._pci import HostError, PciSysfs

pynvml = load_pynvml()

ARGUMENT_SPEC = with_common(
    dict(
        gpu=dict(type="str", default="all"),
        mig_enabled=dict(type="bool", default=True),
        instances=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(profile=dict(type="str", required=True), count=dict(type="int", default=1)),
        ),
        force=dict(type="bool", default=False),
    ),
    SYSFS_ROOT,
)


def _sysfs_fallback(module, why):
    """Check mode without NVML: validate the layout against the model sysfs names."""
    module.warn("%s; the plan is checked against the MIG tables only, the current MIG state is unknown." % why)
    p = module.params
    return plan_from_sysfs(PciSysfs(p["sysfs_root"]), p["gpu"], p["mig_enabled"], p["instances"])


def _apply(module):
    p = module.params
    if pynvml is None:
        if module.check_mode:
            return _sysfs_fallback(module, "nvidia-ml-py is missing")
        module.fail_json(msg=missing_required_lib("nvidia-ml-py"))
    nvml = NvmlAdapter(pynvml)
    try:
        nvml.init()
    except Exception as exc:  # pylint: disable=broad-except
        if module.check_mode:
            return _sysfs_fallback(module, "NVML did not initialise (%s)" % exc)
        raise HostError("NVML did not initialise (%s); is the NVIDIA driver loaded?" % exc)
    try:
        return MigManager(nvml).run(p["gpu"], p["mig_enabled"], p["instances"], p["force"], module.check_mode)
    except nvml.error_class as exc:
        raise HostError("NVML refused the change on %s: %s." % (p["gpu"], exc))
    finally:
        nvml.shutdown()


def run(module):
    result = _apply(module)
    if module._diff:
        result["diff"] = {
            "before": dict((g["pci_address"], g.get("instances_before")) for g in result["gpus"]),
            "after": dict((g["pci_address"], g.get("instances_after")) for g in result["gpus"]),
        }
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, run, module)


if __name__ == "__main__":
    main()
