# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Filters of the vm_provision role (docs: network_hosts.yml, capacity_decision.yml, cluster_domains.yml,
stale_domains.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _provision_plan as plan


class FilterModule(object):
    def filters(self):
        return {
            'network_hosts': plan.network_hosts,
            'capacity_decision': plan.capacity,
            'cluster_domains': plan.cluster_domains,
            'stale_domains': plan.stale_domains,
        }
