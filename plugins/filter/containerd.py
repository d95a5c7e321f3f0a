# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Filters of the containerd role; the logic is in plugins/module_utils/_containerd.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _containerd
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


class FilterModule(object):
    def filters(self):
        return {
            "containerd_config_files": user_errors(_containerd.config_files),
            "containerd_config_problems": user_errors(_containerd.config_problems),
        }
