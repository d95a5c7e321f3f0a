# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Filters for the phase playbooks: cluster and image selection, deprecated names (docs: <filter>.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.utils.display import Display

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_select as select
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors


def cluster_images(clusters, groups, hostvars):
    """The golden image types the VMs of ``clusters`` boot (each node's hyperscaler_node.image), in order."""
    nodes = []
    for key in clusters:
        for host in groups.get(key, []):
            nodes.append(hostvars[host].get('hyperscaler_node') or {})
    return select.images_of(nodes)


def deprecated(value, name, replacement):
    """Pass ``value`` through, warning once that ``name`` is deprecated in favour of ``replacement``."""
    Display().deprecated(
        '%s is deprecated; use %s instead' % (name, replacement),
        version='1.0.0',
        collection_name='hyperscaler.workstation',
    )
    return value


class FilterModule(object):
    def filters(self):
        return {
            'select_clusters': user_errors(select.select_clusters),
            'cluster_images': user_errors(cluster_images),
            'deprecated': deprecated,
        }
