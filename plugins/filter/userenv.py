# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""User and user-environment filters (docs: lmod_modules.yml, hpc_users_plan.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _lmod, _users
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


class FilterModule(object):
    def filters(self):
        return {
            'lmod_modules': user_errors(_lmod.module_files),
            'hpc_users_plan': user_errors(_users.plan),
        }
