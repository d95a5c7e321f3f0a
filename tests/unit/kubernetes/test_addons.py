# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The add-ons kubernetes_config selects: pinned versions and addresses, overrides from cluster.yaml (a mirror or
the offline cache, another version, a checksum), the Helm values derived from cluster.yaml, the digests pinned on
first fetch, and the validator's smoke workloads."""

import copy

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubernetes_addons as addons
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_spec import validate

PLANE = {'name': 'cloud-control-plane', 'ip': '192.168.200.10', 'role': 'control_plane'}
CPU = {'name': 'cloud-cpu-worker-01', 'ip': '192.168.200.11', 'role': 'cpu_worker'}


def _gpu(name, *layouts):
    devices = []
    for i, layout in enumerate(layouts):
        dev = {'pci_address': '0000:%02x:00.0' % (0x41 + i), 'device_type': 'gpu', 'device_id': '2330'}
        if layout:
            dev['mig'] = {'enabled': True, 'instances': [{'profile': p} for p in layout]}
        devices.append(dev)
    return {
        'name': name,
        'ip': '192.168.200.12',
        'role': 'gpu_worker',
        'pcie_passthrough': {'enabled': True, 'devices': devices},
    }


def _names(cluster, nodes):
    return [e['name'] for e in addons.addons(cluster, nodes)]


def test_the_defaults_select_calico_traefik_local_path_and_metrics_server():
    assert _names({}, [PLANE, CPU]) == ['helm', 'calico', 'gateway-api', 'traefik', 'local-path', 'metrics-server']


@pytest.mark.parametrize(
    'config, nodes, expected',
    [
        ({'cni': 'bridge', 'ingress': 'none', 'storage_class': 'none'}, [PLANE, CPU], ['helm', 'metrics-server']),
        ({'cni': 'cilium', 'ingress': 'nginx', 'storage_class': 'nfs', 'nfs': {'server': 'nfs', 'share': '/k8s'}},
         [PLANE], ['helm', 'cilium', 'nginx', 'nfs', 'metrics-server']),
        ({'cni': 'flannel', 'ingress': 'none'}, [PLANE, _gpu('g', None)],
         ['helm', 'flannel', 'local-path', 'nvidia-device-plugin', 'metrics-server']),
        ({'gpu_operator': True, 'ingress': 'none'}, [PLANE, _gpu('g', None)],
         ['helm', 'calico', 'local-path', 'gpu-operator', 'metrics-server']),
    ],
)  # fmt: skip
def test_what_each_setting_selects(config, nodes, expected):
    assert _names({'kubernetes_config': config}, nodes) == expected


def test_every_component_is_pinned_to_a_version_and_an_address():
    for name, entry in addons.COMPONENTS.items():
        assert entry['version'] and entry['url'].startswith('https://'), name
        assert entry.get('sha256') is None or (len(entry['sha256']) == 64 and entry.get('source')), name
    (gateway,) = [e for e in addons.addons({}, [PLANE]) if e['name'] == 'gateway-api']
    assert (
        gateway['url']
        == 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml'
    )
    assert gateway['file'] == 'gateway-api-v1.4.0.yaml' and gateway['sha256'].startswith('6a4029e6')


def test_cluster_yaml_points_at_a_mirror_pins_a_checksum_or_moves_a_version():
    digest = 'AB' * 32
    config = {
        'kubernetes_config': {
            'components': {
                'calico': {'url': 'http://192.168.200.1:8080/tigera-operator.tgz', 'sha256': digest},
                'gateway-api': {'version': 'v1.3.0'},
            }
        }
    }
    entries = dict((e['name'], e) for e in addons.addons(config, [PLANE]))
    assert entries['calico']['url'] == 'http://192.168.200.1:8080/tigera-operator.tgz'
    assert entries['calico']['sha256'] == digest.lower() and entries['calico']['source'] == 'cluster.yaml'
    # another version: the address follows it, the collection's checksum (of v1.4.0) does not
    assert entries['gateway-api']['url'].endswith('/v1.3.0/standard-install.yaml')
    assert entries['gateway-api']['sha256'] is None and entries['gateway-api']['file'] == 'gateway-api-v1.3.0.yaml'


def test_the_values_come_from_cluster_yaml():
    config = {'kubernetes_config': {'pod_subnet': '10.32.0.0/16', 'ingress': 'nginx'}}
    values = dict(
        (e['name'], e.get('values')) for e in addons.addons(config, [PLANE, _gpu('g', ['1g.18gb', '3g.71gb'])])
    )
    (pool,) = values['calico']['installation']['calicoNetwork']['ipPools']
    assert pool['cidr'] == '10.32.0.0/16'
    assert values['calico']['kubernetesServiceEndpoint'] == {'host': '192.168.200.10', 'port': '6443'}
    # the collection owns the IngressClass, so the chart makes none; the controller listens on NodePorts
    assert values['nginx']['controller']['ingressClass'] == {'name': 'nginx', 'create': False}
    assert values['nginx']['controller']['service']['httpPort'] == {'nodePort': 30080}
    # two profiles on one GPU: mixed, derived from the layout
    assert values['nvidia-device-plugin']['migStrategy'] == 'mixed'
    assert values['metrics-server'] == {'args': ['--kubelet-insecure-tls']}
    cilium = dict((e['name'], e['values']) for e in addons.addons({'kubernetes_config': {'cni': 'cilium'}}, [PLANE]))
    assert cilium['cilium']['k8sServiceHost'] == '192.168.200.10' and cilium['cilium']['ipam'] == {'mode': 'kubernetes'}


def test_the_gpu_operator_leaves_driver_toolkit_and_mig_layout_to_the_collection():
    config = {'kubernetes_config': {'gpu_operator': True, 'mig_strategy': 'single'}}
    (operator,) = [e for e in addons.addons(config, [PLANE, _gpu('g', ['1g.18gb'])]) if e['name'] == 'gpu-operator']
    values = operator['values']
    assert values['driver'] == {'enabled': False} and values['toolkit'] == {'enabled': False}
    assert values['migManager'] == {'enabled': False} and values['mig'] == {'strategy': 'single'}


def test_a_file_fetched_once_is_pinned_by_sha256sums():
    entries = addons.addons(
        {'kubernetes_config': {'cni': 'bridge', 'ingress': 'none', 'storage_class': 'none'}}, [PLANE]
    )
    assert [e['sha256'] for e in entries] == [None, None]
    text = addons.sha256sums('', [
        {'item': entries[0], 'stat': {'exists': True, 'checksum': 'a' * 64}},
        {'item': entries[1], 'stat': {'exists': False}},
    ])  # fmt: skip
    assert text == 'a' * 64 + '  helm-3.18.4.tar.gz\n'
    pinned = addons.pinned(entries, text + 'not a line\n')
    assert pinned[0]['sha256'] == 'a' * 64 and pinned[0]['source'] == 'first fetch (SHA256SUMS)'
    assert pinned[1]['sha256'] is None
    # a pin of a component no longer selected stays in the file
    again = addons.sha256sums(text, [{'item': entries[1], 'stat': {'exists': True, 'checksum': 'b' * 64}}])
    assert again.splitlines() == ['a' * 64 + '  helm-3.18.4.tar.gz', 'b' * 64 + '  metrics-server-3.13.0.tgz']


def test_the_smoke_workloads_cover_each_worker_kind_a_claim_and_the_ingress():
    docs = addons.smoke_objects({}, [PLANE, CPU, _gpu('g', None)])
    kinds = [(d['kind'], d['metadata']['name']) for d in docs]
    assert kinds == [('Namespace', 'hsw-smoke'), ('PersistentVolumeClaim', 'smoke-data'), ('Pod', 'smoke-cpu'),
                     ('Pod', 'smoke-gpu'), ('Pod', 'smoke-web'), ('Service', 'smoke-web'), ('Ingress', 'smoke-web')]  # fmt: skip
    pods = dict((d['metadata']['name'], d['spec']) for d in docs if d['kind'] == 'Pod')
    assert pods['smoke-cpu']['nodeSelector'] == {'compute': 'cpu'}
    assert pods['smoke-cpu']['volumes'][0]['persistentVolumeClaim'] == {'claimName': 'smoke-data'}
    assert pods['smoke-gpu']['containers'][0]['resources'] == {'limits': {'nvidia.com/gpu': 1}}
    assert (
        pods['smoke-gpu']['tolerations'][0]['key'] == 'nvidia.com/gpu'
        and pods['smoke-gpu']['runtimeClassName'] == 'nvidia'
    )
    ingress = docs[-1]['spec']
    assert ingress['ingressClassName'] == 'traefik' and ingress['rules'][0]['http']['paths'][0]['path'] == '/smoke'


def test_under_mixed_the_gpu_pod_asks_for_a_mig_device_and_without_storage_or_ingress_there_is_none():
    nodes = [PLANE, CPU, _gpu('g', ['3g.71gb', '1g.18gb'])]
    docs = addons.smoke_objects({'kubernetes_config': {'storage_class': 'none', 'ingress': 'none'}}, nodes)
    assert [d['kind'] for d in docs] == ['Namespace', 'Pod', 'Pod']
    assert docs[2]['spec']['containers'][0]['resources'] == {'limits': {'nvidia.com/mig-1g.18gb': 1}}
    assert 'volumes' not in docs[1]['spec']


def test_cluster_yaml_errors_name_the_field(multi_gpu):
    doc = copy.deepcopy(multi_gpu)
    k8s = doc['clusters']['cloud']['kubernetes_config']
    k8s['storage_class'] = 'nfs'
    assert validate(doc) == [
        'clusters.cloud.kubernetes_config.storage_class: nfs needs kubernetes_config.nfs {server, share}: the export '
        'the cloud nodes mount'
    ]
    k8s['nfs'] = {'server': '192.168.200.1', 'share': '/srv/k8s'}
    assert validate(doc) == []
    k8s['components'] = {'calcio': {'version': 'v3.30.4'}, 'cilium': {'sha256': 'abc'}}
    errors = validate(doc)
    assert len(errors) == 2, errors
    assert any('clusters.cloud.kubernetes_config.components' in e and 'calcio' in e for e in errors), errors
    assert any('clusters.cloud.kubernetes_config.components.cilium.sha256' in e for e in errors), errors
