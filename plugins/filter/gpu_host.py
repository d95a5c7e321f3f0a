# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Filters of the gpu_host role; the logic lives in plugins/module_utils/_gpu_plan.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import host_plan


def gpu_host_plan(nodes, gpus=None):
    try:
        return host_plan(nodes, gpus)
    except HyperscalerError as exc:
        raise AnsibleFilterError("gpu_host_plan: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"gpu_host_plan": gpu_host_plan}
