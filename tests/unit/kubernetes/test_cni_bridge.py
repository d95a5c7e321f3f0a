# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The bridge pod network's layout: a /24 of pod_subnet per node chosen by the node's host number (stable when
nodes come and go), routes to the others, masquerade only for what leaves the pod network."""

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._cni import CniConfigError, cluster_plan, plan

NODES = [
    {'name': 'cloud-control-plane', 'ip': '192.168.160.10'},
    {'name': 'cloud-cpu-worker-01', 'ip': '192.168.160.11'},
    {'name': 'cloud-gpu-worker-01', 'ip': '192.168.160.21'},
]


def test_each_node_gets_its_own_subnet_and_routes_to_the_others():
    out = plan('10.244.0.0/16', '192.168.160.0/24', NODES[1], NODES)
    assert out['subnet'] == '10.244.11.0/24'
    assert out['routes'] == [
        {'subnet': '10.244.10.0/24', 'via': '192.168.160.10'},
        {'subnet': '10.244.21.0/24', 'via': '192.168.160.21'},
    ]
    assert out['masquerade'] == {'source': '10.244.11.0/24', 'except': '10.244.0.0/16'}
    bridge = out['conflist']['plugins'][0]
    assert bridge['type'] == 'bridge' and bridge['ipam']['ranges'] == [[{'subnet': '10.244.11.0/24'}]]
    assert bridge['ipMasq'] is False and bridge['isGateway'] is True
    assert [p['type'] for p in out['conflist']['plugins']] == ['bridge', 'portmap']


def test_adding_a_node_moves_no_other_nodes_pods():
    before = dict((n['name'], plan('10.244.0.0/16', '192.168.160.0/24', n, NODES)['subnet']) for n in NODES)
    more = NODES + [{'name': 'cloud-cpu-worker-02', 'ip': '192.168.160.12'}]
    after = dict((n['name'], plan('10.244.0.0/16', '192.168.160.0/24', n, more)['subnet']) for n in more)
    assert all(after[name] == subnet for name, subnet in before.items())
    assert len(set(after.values())) == len(more)


@pytest.mark.parametrize(
    'pods, network, node, message',
    [
        ('10.244.0.0/20', '192.168.160.0/24', NODES[2], 'holds only 16 /24 node subnets'),
        ('10.244.0.0/25', '192.168.160.0/24', NODES[0], 'smaller than one node subnet'),
        ('10.244.0.0/16', '192.168.150.0/24', NODES[0], 'not in the cluster network'),
        ('not-a-net', '192.168.160.0/24', NODES[0], 'cni_bridge_plan'),
    ],
)
def test_layouts_that_cannot_work_are_named(pods, network, node, message):
    with pytest.raises(CniConfigError, match=message):
        plan(pods, network, node, NODES)


def test_the_cluster_gives_the_pod_subnet_and_the_network():
    cluster = {'network': {'subnet': '192.168.160.0/24'}, 'kubernetes_config': {'pod_subnet': '10.32.0.0/16'}}
    assert cluster_plan(cluster, NODES[0], NODES)['subnet'] == '10.32.10.0/24'
    assert cluster_plan({'network': {'subnet': '192.168.160.0/24'}}, NODES[0], NODES)['subnet'] == '10.244.10.0/24'
    with pytest.raises(CniConfigError, match='no network subnet'):
        cluster_plan({}, NODES[0], NODES)
