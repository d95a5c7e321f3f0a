# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Kubernetes filters (make manifests, the cloud roles); the logic is in plugins/module_utils/_kubernetes.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import (
    _cni,
    _kubernetes,
    _kubernetes_addons,
    _kubernetes_report,
)
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


class FilterModule(object):
    def filters(self):
        return {
            "kubeadm_config": user_errors(_kubernetes.kubeadm_config),
            "kubernetes_manifests": user_errors(_kubernetes_addons.manifests),
            "kubernetes_addons": user_errors(_kubernetes_addons.addons),
            "kubernetes_addons_pinned": user_errors(_kubernetes_addons.pinned),
            "kubernetes_addons_sha256sums": user_errors(_kubernetes_addons.sha256sums),
            "kubernetes_smoke_objects": user_errors(_kubernetes_addons.smoke_objects),
            "kubernetes_mig_strategy": user_errors(_kubernetes_addons.mig_strategy),
            "kubeadm_join_config": user_errors(_kubernetes.join_config),
            "kubernetes_package_source": user_errors(_kubernetes.package_source),
            "kubernetes_registry": user_errors(_kubernetes.registry),
            "kubernetes_cluster_report": user_errors(_kubernetes_report.cluster_report),
            "kubernetes_stale_nodes": user_errors(_kubernetes_report.stale_nodes),
            "kubernetes_smoke_report": user_errors(_kubernetes_report.smoke_report),
            "cni_bridge_plan": user_errors(_cni.cluster_plan),
        }
