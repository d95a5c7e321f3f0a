# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Kubernetes filters (make manifests, the cloud roles); the logic is in plugins/module_utils/_kubernetes.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cni, _kubernetes, _kubernetes_report
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


class FilterModule(object):
    def filters(self):
        return {
            "kubeadm_config": user_errors(_kubernetes.kubeadm_config),
            "kubernetes_manifests": user_errors(_kubernetes.manifests),
            "kubeadm_join_config": user_errors(_kubernetes.join_config),
            "kubernetes_package_source": user_errors(_kubernetes.package_source),
            "kubernetes_registry": user_errors(_kubernetes.registry),
            "kubernetes_cluster_report": user_errors(_kubernetes_report.cluster_report),
            "kubernetes_stale_nodes": user_errors(_kubernetes_report.stale_nodes),
            "cni_bridge_plan": user_errors(_cni.cluster_plan),
        }
