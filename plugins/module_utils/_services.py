# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The services cluster: which node runs which shared service.

A services node lists what it runs (``clusters.services.nodes[N].services``); a node without the list runs every
service that no other node lists. Each service runs on exactly one node, and a service runs only where what it
needs runs too (somewhere in the cluster).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Every shared service, in the order they are configured, with what each needs.
SERVICES = ('postgresql', 'object_store')
NEEDS = {}


def _names(key, cluster, node_name):
    """[(index, document path, node, host name)] of the services nodes (robust to invalid input)."""
    nodes = cluster.get('nodes') if isinstance(cluster, dict) else None
    out = []
    for i, node in enumerate(nodes if isinstance(nodes, list) else []):
        if isinstance(node, dict):
            out.append((i, 'clusters.%s.nodes[%d]' % (key, i), node, node_name(i + 1, node)))
    return out


def placement(key, cluster, node_name):
    """({service: host name}, ['path: message']) for the services cluster ``key``.

    ``node_name(index, node)`` names the node of 1-based ``index`` (the kind registry's naming).
    """
    nodes = _names(key, cluster, node_name)
    placed, errors = {}, []
    for _i, path, node, name in nodes:
        for j, service in enumerate(node.get('services') or []):
            if service in placed:
                errors.append(
                    '%s.services[%d]: %s already runs on %s; each service runs on one node'
                    % (path, j, service, placed[service])
                )
            elif service in SERVICES:
                placed[service] = name
    unlisted = [(path, name) for _i, path, node, name in nodes if 'services' not in node]
    if len(unlisted) > 1:
        errors.append(
            '%s: %s and %s both leave out services; list on each node what it runs'
            % (unlisted[1][0], unlisted[0][1], unlisted[1][1])
        )
    elif unlisted:
        for service in SERVICES:
            placed.setdefault(service, unlisted[0][1])
    for service, name in sorted(placed.items()):
        for need in NEEDS.get(service, ()):
            if need not in placed:
                errors.append('clusters.%s.nodes: %s (on %s) needs %s, which no node runs' % (key, service, name, need))
    return dict((s, placed[s]) for s in SERVICES if s in placed), errors
