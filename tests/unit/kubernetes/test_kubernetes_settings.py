# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The cloud cluster's settings: the MIG strategy derived from the GPU workers and its impossible combinations
refused at validate time (with the field's path), the kubeadm version, the GPU taint switch."""

import copy

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubernetes
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_spec import validate


def _worker(*layouts, vgpus=0):
    devices = []
    for i, layout in enumerate(layouts):
        dev = {'pci_address': '0000:%02x:00.0' % (0x41 + i), 'device_type': 'gpu', 'device_id': '2330'}
        if layout is not None:
            dev['mig'] = {'enabled': True, 'instances': [{'profile': p} for p in layout]}
        devices.append(dev)
    worker = {'pcie_passthrough': {'enabled': bool(devices), 'devices': devices}}
    if vgpus:
        worker['vgpu'] = [{'parent': '0000:81:00.0', 'type': 'nvidia-1024', 'count': vgpus}]
    return worker


@pytest.mark.parametrize(
    'workers, strategy',
    [
        ([_worker(None)], 'none'),
        ([_worker(vgpus=2)], 'none'),  # a vGPU is one whole GPU to the guest
        ([_worker(['1g.10gb', '1g.10gb']), _worker(['1g.10gb'])], 'single'),
        ([_worker(['3g.40gb', '1g.10gb'])], 'mixed'),
        ([_worker(['1g.10gb'], None)], 'mixed'),  # a whole GPU beside a MIG one
        ([_worker(['1g.10gb']), _worker(None)], 'single'),  # per node: the whole-GPU node is not a MIG node
    ],
)
def test_the_default_strategy_follows_the_layouts(workers, strategy):
    assert _kubernetes.default_mig_strategy(workers) == strategy


def _cloud(multi_gpu, strategy, worker):
    doc = copy.deepcopy(multi_gpu)
    cloud = doc['clusters']['cloud']
    cloud['kubernetes_config']['mig_strategy'] = strategy
    node = cloud['worker_nodes']['gpu_workers'][0]
    node['pcie_passthrough']['devices'][0].update(worker['pcie_passthrough']['devices'][0])
    return doc


def test_none_with_a_mig_layout_is_refused(multi_gpu):
    doc = _cloud(multi_gpu, 'none', _worker(['3g.40gb']))
    assert validate(doc) == [
        'clusters.cloud.kubernetes_config.mig_strategy: none advertises whole GPUs, but '
        'clusters.cloud.worker_nodes.gpu_workers[0] has a MIG layout (its GPU is in MIG mode and could not be used); '
        'choose single or mixed, or drop the layout'
    ]


def test_single_with_two_profiles_on_a_node_is_refused(multi_gpu):
    doc = _cloud(multi_gpu, 'single', _worker(['3g.40gb', '1g.10gb']))
    assert validate(doc) == [
        'clusters.cloud.kubernetes_config.mig_strategy: single needs every GPU of a node in MIG mode with one '
        'profile, but clusters.cloud.worker_nodes.gpu_workers[0] has 1g.10gb+3g.40gb; choose mixed'
    ]


def test_mixed_accepts_it_and_an_unknown_strategy_is_a_schema_error(multi_gpu):
    assert validate(_cloud(multi_gpu, 'mixed', _worker(['3g.40gb', '1g.10gb']))) == []
    bad = _cloud(multi_gpu, 'both', _worker(None))
    assert len(validate(bad)) == 1 and validate(bad)[0].startswith('clusters.cloud.kubernetes_config.mig_strategy')


def test_a_kubernetes_version_outside_what_containerd_1_7_runs_is_refused(multi_gpu):
    multi_gpu['clusters']['cloud']['kubernetes_config']['version'] = '1.36'
    errors = validate(multi_gpu)
    assert len(errors) == 1 and errors[0].startswith('clusters.cloud.kubernetes_config.version')
    assert 'containerd 1.7' in errors[0]


@pytest.mark.parametrize('given, rendered', [('1.35', 'stable-1.35'), ('1.35.2', 'v1.35.2'), ('v1.34.1', 'v1.34.1')])
def test_kubernetes_version(given, rendered):
    assert _kubernetes.kubernetes_version(given) == rendered


def test_gpu_worker_taint_can_be_switched_off():
    node = {'name': 'w', 'role': 'gpu_worker'}
    assert _kubernetes.node_metadata(node)['taints'] == [_kubernetes.GPU_TAINT]
    assert _kubernetes.node_metadata(node, {'gpu_worker_taint': False}) == {'labels': {'compute': 'gpu'}, 'taints': []}
    assert _kubernetes.node_metadata({'name': 'cp', 'role': 'control_plane'}) == {'labels': {}, 'taints': []}


@pytest.mark.parametrize('ingress, controller', [(None, 'traefik.io/ingress-controller'), ('none', None)])
def test_the_ingress_class_follows_the_setting(ingress, controller):
    nodes = [{'name': 'cp', 'ip': '192.168.200.10', 'role': 'control_plane'}]
    k8s = {} if ingress is None else {'ingress': ingress}
    files = _kubernetes.manifests({'name': 'cloud', 'kubernetes_config': k8s}, nodes)
    if controller is None:
        assert 'ingressclass.yaml' not in files
    else:
        (doc,) = files['ingressclass.yaml']
        assert (doc['metadata']['name'], doc['spec']['controller']) == ('traefik', controller)
