# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Package filters (docs: missing_packages.yml, debian_release.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _debian_releases, _packages
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


class FilterModule(object):
    def filters(self):
        return {
            'missing_packages': user_errors(_packages.missing),
            'debian_release': user_errors(_debian_releases.release_facts),
        }
