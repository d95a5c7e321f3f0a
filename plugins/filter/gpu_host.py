# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Filters of the gpu_host role; the logic lives in plugins/module_utils/_gpu_plan.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import (
    domain_devices,
    guest_mig_layouts,
    host_plan,
)
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors

gpu_host_plan = user_errors(host_plan, prefix="gpu_host_plan: ")
domain_gpu_devices = user_errors(domain_devices, prefix="domain_gpu_devices: ")
guest_mig_layouts_filter = user_errors(guest_mig_layouts, prefix="guest_mig_layouts: ")


class FilterModule(object):
    def filters(self):
        return {
            "gpu_host_plan": gpu_host_plan,
            "domain_gpu_devices": domain_gpu_devices,
            "guest_mig_layouts": guest_mig_layouts_filter,
        }
