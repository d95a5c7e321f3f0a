# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The cloud cluster's ``bridge`` pod network as Python: the reference CNI plugins (Debian's
containernetworking-plugins, in the cloud-node image), no add-on to download.

Every node bridges its pods on ``hsw-pods0`` with addresses from its own /24 of ``pod_subnet``. The /24 is chosen
by the node's host number on the cluster network (192.168.160.11 -> 10.244.11.0/24), so adding or removing a node
never moves another node's pods. The other nodes' /24s are routed via their node addresses: all nodes share one L2
network, as on a workstation. Traffic that leaves the pod network is masqueraded. There is no NetworkPolicy: that
needs calico or cilium. Filter ``hyperscaler.workstation.cni_bridge_plan``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

BRIDGE = 'hsw-pods0'
NETWORK_NAME = 'hsw-pods'
NODE_PREFIX = 24
# The routes this network adds carry their own protocol number, so a rerun can replace exactly them.
ROUTE_PROTO = 77


class CniConfigError(HyperscalerError):
    """The pod network cannot be laid out for these nodes."""


def _node_subnet(pods, network, node):
    try:
        address = ipaddress.ip_address(str(node['ip']))
    except (KeyError, ValueError):
        raise CniConfigError('cni_bridge_plan: node %s has no IPv4 address' % node.get('name'))
    if address not in network:
        raise CniConfigError(
            'cni_bridge_plan: %s (%s) is not in the cluster network %s' % (node['name'], address, network)
        )
    index = int(address) - int(network.network_address)
    slots = 2 ** (NODE_PREFIX - pods.prefixlen)
    if index >= slots:
        raise CniConfigError(
            'cni_bridge_plan: %s is host %d of %s, but pod_subnet %s holds only %d /%d node subnets; use a larger '
            'pod_subnet (clusters.cloud.kubernetes_config.pod_subnet)'
            % (node['name'], index, network, pods, slots, NODE_PREFIX)
        )
    return ipaddress.ip_network((int(pods.network_address) + (index << (32 - NODE_PREFIX)), NODE_PREFIX))


def plan(pod_subnet, cluster_subnet, node, nodes):
    """``{subnet, conflist, routes, masquerade}`` of ``node`` (a ``hyperscaler_node``) among ``nodes`` (every node of
    the cluster): its pod /24, the CNI configuration list, a route per other node (``{subnet, via}``) and the
    masquerade rule's source and excluded destination."""
    try:
        pods = ipaddress.ip_network(str(pod_subnet))
        network = ipaddress.ip_network(str(cluster_subnet))
    except ValueError as exc:
        raise CniConfigError('cni_bridge_plan: %s' % exc)
    if pods.prefixlen > NODE_PREFIX:
        raise CniConfigError(
            'cni_bridge_plan: pod_subnet %s is smaller than one node subnet (/%d)' % (pods, NODE_PREFIX)
        )
    mine = _node_subnet(pods, network, node)
    routes = []
    for peer in sorted(nodes, key=lambda n: ipaddress.ip_address(str(n['ip']))):
        if peer['name'] != node['name']:
            routes.append({'subnet': str(_node_subnet(pods, network, peer)), 'via': str(peer['ip'])})
    conflist = {
        'cniVersion': '1.0.0',
        'name': NETWORK_NAME,
        'plugins': [
            {
                'type': 'bridge',
                'bridge': BRIDGE,
                'isGateway': True,
                'ipMasq': False,  # masqueraded below, only what leaves the pod network: pods see pods' addresses
                'hairpinMode': True,
                'ipam': {'type': 'host-local', 'ranges': [[{'subnet': str(mine)}]], 'routes': [{'dst': '0.0.0.0/0'}]},
            },
            {'type': 'portmap', 'capabilities': {'portMappings': True}},
        ],
    }
    return {
        'subnet': str(mine),
        'conflist': conflist,
        'routes': routes,
        'masquerade': {'source': str(mine), 'except': str(pods)},
        'route_proto': ROUTE_PROTO,
    }


def cluster_plan(cluster, node, nodes):
    """``plan`` for ``node`` of the cloud cluster ``cluster`` (``hyperscaler_cluster``: its ``pod_subnet``, default
    10.244.0.0/16, and its network's subnet)."""
    from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubernetes import settings

    subnet = ((cluster or {}).get('network') or {}).get('subnet')
    if not subnet:
        raise CniConfigError('cni_bridge_plan: the cloud cluster has no network subnet')
    return plan(settings((cluster or {}).get('kubernetes_config'))['pod_subnet'], subnet, node, list(nodes or []))
