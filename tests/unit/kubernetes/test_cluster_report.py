# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The post-deploy validator's reading of kubectl's JSON (kubectl/*.json: written after the API reference, not
recorded; kubectl/README.md says why) against what cluster.yaml says the cluster should be."""

import json
import pathlib

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubernetes_report import (
    KubernetesReportError,
    cluster_report,
    stale_nodes,
)

DOCS = pathlib.Path(__file__).parent / 'kubectl'
NODES = ['cloud-control-plane', 'cloud-cpu-worker-01', 'cloud-gpu-worker-01']
GPU = ['cloud-gpu-worker-01']


def doc(name):
    return json.loads((DOCS / (name + '.json')).read_text())


def test_a_healthy_cluster_has_no_problems():
    report = cluster_report(doc('nodes-healthy'), doc('pods-healthy'), NODES, GPU, 'none')
    assert report['ok'] and report['problems'] == []
    assert report['nodes']['cloud-gpu-worker-01'] == {'ready': True, 'compute': 'gpu', 'gpus': {'nvidia.com/gpu': 1}}
    assert report['nodes']['cloud-cpu-worker-01']['compute'] == 'cpu'
    json.dumps(report)  # machine-readable


def test_every_problem_is_named():
    report = cluster_report(doc('nodes-broken'), doc('pods-broken'), NODES + ['cloud-cpu-worker-02'], GPU, 'single')
    assert not report['ok']
    assert report['problems'] == [
        'node cloud-cpu-worker-02 has not registered',
        'node stray-node is in the cluster but not in cluster.yaml',
        'node cloud-cpu-worker-01 is not Ready',
        'GPU worker cloud-gpu-worker-01 has no allocatable nvidia.com/gpu (mig_strategy single)',
        'GPU worker cloud-gpu-worker-01 advertises MIG resources although mig_strategy is single',
        'system pod kube-system/coredns-668d6bf9bc-2kx7p is Pending',
        'system pod kube-system/kube-proxy-8xk2l is Running (CrashLoopBackOff)',
    ]


def test_mixed_wants_mig_resources():
    assert cluster_report(doc('nodes-broken'), doc('pods-healthy'), [], GPU, 'mixed')['nodes']
    healthy = cluster_report(doc('nodes-healthy'), doc('pods-healthy'), NODES, GPU, 'mixed')
    assert healthy['problems'] == [
        'GPU worker cloud-gpu-worker-01 advertises no nvidia.com/mig-* resource (mig_strategy mixed)'
    ]


def test_a_cluster_without_system_pods_is_not_healthy():
    empty = {'apiVersion': 'v1', 'kind': 'List', 'items': []}
    assert 'no system pods in kube-system' in cluster_report(doc('nodes-healthy'), empty, NODES, GPU)['problems']


def test_what_is_not_kubectl_json_is_refused():
    with pytest.raises(KubernetesReportError, match='nodes document'):
        cluster_report({'kind': 'Node'}, doc('pods-healthy'), NODES)


def _node(name, labels, ready=True):
    return {
        'apiVersion': 'v1',
        'kind': 'Node',
        'metadata': {'name': name, 'labels': dict(labels, **{'kubernetes.io/hostname': name})},
        'status': {'conditions': [{'type': 'Ready', 'status': 'True' if ready else 'Unknown'}]},
    }


def test_only_our_nodes_that_cluster_yaml_dropped_are_stale():
    ours = {'hyperscaler.workstation/cluster': 'cloud'}
    listing = {
        'apiVersion': 'v1',
        'kind': 'List',
        'items': [
            _node('cloud-control-plane', ours),
            _node('cloud-cpu-worker-01', dict(ours, compute='cpu')),
            _node('cloud-cpu-worker-02', dict(ours, compute='cpu')),  # removed from cluster.yaml, VM still up
            _node('cloud-gpu-worker-01', dict(ours, compute='gpu'), ready=False),  # removed, VM gone
            _node('joined-by-hand', {'compute': 'cpu'}),  # not registered by the collection
            _node('lab-worker-01', {'hyperscaler.workstation/cluster': 'lab'}),  # another cluster's
        ],
    }
    stale = stale_nodes(listing, ['cloud-control-plane', 'cloud-cpu-worker-01'], 'cloud')
    assert stale == [{'name': 'cloud-cpu-worker-02', 'ready': True}, {'name': 'cloud-gpu-worker-01', 'ready': False}]
    assert stale_nodes(listing, [n['metadata']['name'] for n in listing['items']], 'cloud') == []


def test_stale_nodes_needs_a_listing_and_a_cluster():
    with pytest.raises(KubernetesReportError, match='kubectl -o json List'):
        stale_nodes({'kind': 'Node'}, [], 'cloud')
    with pytest.raises(KubernetesReportError, match='cluster key'):
        stale_nodes(doc('nodes-healthy'), [], '')


def test_expiring_certificates_are_problems():
    certificates = {
        'expiring': [
            {
                'path': '/etc/kubernetes/admin.conf',
                'subject': 'kubernetes-admin',
                'not_after': '2026-12-01T12:00:00Z',
                'days_left': -2,
            },
            {
                'path': '/etc/kubernetes/pki/apiserver.crt',
                'subject': 'kube-apiserver',
                'not_after': '2026-12-15T12:00:00Z',
                'days_left': 12,
            },
        ]
    }
    report = cluster_report(doc('nodes-healthy'), doc('pods-healthy'), NODES, GPU, 'none', certificates)
    assert not report['ok'] and report['certificates_expiring'] == certificates['expiring']
    assert report['problems'] == [
        'certificate /etc/kubernetes/admin.conf (kubernetes-admin) expired 2 days ago, on 2026-12-01T12:00:00Z: kubeadm certs renew',
        'certificate /etc/kubernetes/pki/apiserver.crt (kube-apiserver) expires in 12 days, on 2026-12-15T12:00:00Z: kubeadm certs renew',
    ]
