# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""`make manifests` (playbooks/manifests.yml): the Kubernetes objects the collection authors for the cloud cluster,
validated offline.

Core objects go through kubernetes-validate's Python API, strictly, against the schemas of the pinned minor (its
command line exits 0 on kinds it has no schema for; the API raises SchemaNotFoundError, which fails here). The
kubeadm and kubelet configurations have no OpenAPI schema; they are checked against the field sets their
reference pages document (kubeadm Configuration (v1beta4) and Kubelet Configuration (v1beta1),
kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4/ and .../kubelet-config.v1beta1/): the tables
below are this test's own, transcribed from those pages."""

import os
import pathlib
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

BIN = pathlib.Path(sys.executable).parent
MINOR = '1.35'

# kubeadm v1beta4: the fields of each type we write (reference page, "Resource Types" and "Appears in")
KUBEADM_FIELDS = {
    'InitConfiguration': {
        'apiVersion',
        'kind',
        'bootstrapTokens',
        'dryRun',
        'nodeRegistration',
        'localAPIEndpoint',
        'certificateKey',
        'skipPhases',
        'patches',
        'timeouts',
    },
    'ClusterConfiguration': {
        'apiVersion',
        'kind',
        'etcd',
        'networking',
        'kubernetesVersion',
        'controlPlaneEndpoint',
        'apiServer',
        'controllerManager',
        'scheduler',
        'dns',
        'proxy',
        'certificatesDir',
        'imageRepository',
        'featureGates',
        'clusterName',
        'encryptionAlgorithm',
        'certificateValidityPeriod',
        'caCertificateValidityPeriod',
    },
    'nodeRegistration': {
        'name',
        'criSocket',
        'taints',
        'kubeletExtraArgs',
        'ignorePreflightErrors',
        'imagePullPolicy',
        'imagePullSerial',
    },
    'localAPIEndpoint': {'advertiseAddress', 'bindPort'},
    'networking': {'serviceSubnet', 'podSubnet', 'dnsDomain'},
    'apiServer': {'extraArgs', 'extraVolumes', 'extraEnvs', 'certSANs'},
    'etcd': {'local', 'external'},
    'local': {'imageRepository', 'imageTag', 'extraArgs', 'extraEnvs', 'serverCertSANs', 'peerCertSANs', 'dataDir'},
    'kubeletExtraArgs': {'name', 'value'},  # v1beta4's Arg: a list of {name, value}, no longer a map
}
# kubelet.config.k8s.io/v1beta1 KubeletConfiguration: the fields we set (of the many the page lists)
KUBELET_FIELDS = {'apiVersion', 'kind', 'cgroupDriver', 'containerRuntimeEndpoint', 'failSwapOn',
                  'rotateCertificates', 'serverTLSBootstrap'}  # fmt: skip


def write_manifests(repo_root, tmp_path, config):
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'))
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook'), 'playbooks/manifests.yml', '-e', 'cluster_config=%s' % config,
         '-e', 'manifests_dir=%s' % tmp_path],
        cwd=str(repo_root), env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def _fields(where, value, errors):
    """Every key of ``value`` (recursively, by the key's own name) must be a documented field."""
    if isinstance(value, list):
        for item in value:
            _fields(where, item, errors)
        return
    if not isinstance(value, dict):
        return
    allowed = KUBEADM_FIELDS.get(where)
    for key, item in value.items():
        if allowed is not None and key not in allowed:
            errors.append('%s.%s' % (where, key))
        if isinstance(item, (dict, list)) and key in KUBEADM_FIELDS:
            _fields(key, item, errors)


@pytest.fixture(scope='module')
def manifests(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp('manifests')
    rc, output = write_manifests(repo_root, out, repo_root / 'config/examples/multi-gpu.yaml')
    assert rc == 0, output[-3000:]
    return dict((path.name, list(yaml.safe_load_all(path.read_text()))) for path in sorted((out / 'cloud').iterdir()))


def test_one_file_per_component(manifests):
    assert sorted(manifests) == [
        'components.yaml',
        'ingressclass.yaml',
        'kubeadm.yaml',
        'nodes.yaml',
        'registry.yaml',
        'runtimeclass.yaml',
        'smoke.yaml',
        'storageclass.yaml',
        'values-calico.yaml',
        'values-metrics-server.yaml',
        'values-nginx.yaml',
        'values-nvidia-device-plugin.yaml',
    ]


def _objects(manifests):
    for name, docs in sorted(manifests.items()):
        if name.startswith('values-') or name in ('components.yaml', 'registry.yaml'):
            continue  # Helm values, the components list and containerd's files are not Kubernetes objects
        yield from docs


def test_core_objects_validate_strictly_for_the_pinned_minor(manifests):
    checked = []
    for doc in _objects(manifests):
        if doc['apiVersion'].startswith(('kubeadm.k8s.io/', 'kubelet.config.k8s.io/')):
            continue
        kubernetes_validate.validate(doc, MINOR, strict=True)  # raises on a problem or an unknown kind
        checked.append('%s/%s' % (doc['kind'], doc['metadata']['name']))
    # multi-gpu.yaml: ingress nginx; one CPU worker, two GPU workers; the nvidia RuntimeClass; local-path; the
    # validator's smoke workloads
    assert checked == [
        'IngressClass/nginx', 'Node/cloud-cpu-worker-01', 'Node/cloud-gpu-worker-01', 'Node/cloud-gpu-worker-02',
        'RuntimeClass/nvidia', 'Namespace/hsw-smoke', 'PersistentVolumeClaim/smoke-data', 'Pod/smoke-cpu',
        'Pod/smoke-gpu', 'Pod/smoke-web', 'Service/smoke-web', 'Ingress/smoke-web', 'StorageClass/local-path',
    ]  # fmt: skip
    assert len(checked) == 13


# The Helm values we set, against the keys each chart's values.yaml documents at (about) the pinned version; the
# tables are this test's own, transcribed from: projectcalico/calico charts/tigera-operator/values.yaml (and the
# operator.tigera.io/v1 Installation reference for `installation`), nginx/kubernetes-ingress
# charts/nginx-ingress/values.yaml, NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml,
# kubernetes-sigs/metrics-server charts/metrics-server/values.yaml.
CHART_VALUES = {
    'calico': {
        '': {'installation', 'apiServer', 'goldmane', 'whisker', 'manageCRDs', 'kubernetesServiceEndpoint',
             'defaultFelixConfiguration', 'resources', 'tolerations', 'nodeSelector', 'tigeraOperator', 'calicoctl'},
        'installation': {'enabled', 'kubernetesProvider', 'cni', 'calicoNetwork', 'registry', 'imagePath',
                         'controlPlaneNodeSelector', 'nodeMetricsPort', 'typhaMetricsPort', 'variant'},
        'installation.cni': {'type', 'ipam'},
        'installation.calicoNetwork': {'ipPools', 'bgp', 'mtu', 'nodeAddressAutodetectionV4', 'linuxDataplane'},
        'installation.calicoNetwork.ipPools': {'name', 'cidr', 'blockSize', 'encapsulation', 'natOutgoing',
                                               'nodeSelector', 'disableBGPExport', 'allowedUses'},
        'kubernetesServiceEndpoint': {'host', 'port'},
        'apiServer': {'enabled'},
    },
    'nginx': {
        '': {'controller', 'rbac', 'prometheus', 'serviceInsightIngress', 'nginxServiceMesh'},
        'controller': {'name', 'kind', 'image', 'hostNetwork', 'ingressClass', 'service', 'defaultTLS', 'replicaCount',
                       'enableCustomResources', 'nodeSelector', 'tolerations', 'config'},
        'controller.ingressClass': {'name', 'create', 'setAsDefaultIngress'},
        'controller.service': {'create', 'type', 'httpPort', 'httpsPort', 'externalTrafficPolicy', 'annotations'},
        'controller.service.httpPort': {'enable', 'port', 'nodePort', 'targetPort'},
        'controller.service.httpsPort': {'enable', 'port', 'nodePort', 'targetPort'},
    },
    'nvidia-device-plugin': {
        '': {'migStrategy', 'runtimeClassName', 'nodeSelector', 'tolerations', 'deviceListStrategy', 'config',
             'devicePlugin', 'gfd', 'image', 'failOnInitError', 'deviceDiscoveryStrategy', 'cdi'},
    },
    'metrics-server': {
        '': {'args', 'defaultArgs', 'apiService', 'hostNetwork', 'replicas', 'image', 'resources'},
    },
}  # fmt: skip


def _value_keys(where, value, table, errors):
    if isinstance(value, list):
        for item in value:
            _value_keys(where, item, table, errors)
        return
    if not isinstance(value, dict) or where not in table:
        return
    for key, item in value.items():
        if key not in table[where]:
            errors.append('%s.%s' % (where, key) if where else key)
        _value_keys('%s.%s' % (where, key) if where else key, item, table, errors)


def test_helm_values_use_only_keys_the_charts_document(manifests):
    checked = 0
    for name, table in sorted(CHART_VALUES.items()):
        (values,) = manifests['values-%s.yaml' % name]
        errors = []
        _value_keys('', values, table, errors)
        assert errors == [], name
        checked += 1
    assert checked == 4
    bad = []
    _value_keys('', {'controller': {'ingressClass': {'default': True}}}, CHART_VALUES['nginx'], bad)
    assert bad == ['controller.ingressClass.default']


def test_the_registry_configuration_is_containerds_hosts_files(manifests):
    (files,) = manifests['registry.yaml']
    hosts = dict((f['path'], f['content']) for f in files)
    local = hosts['/etc/containerd/certs.d/192.168.200.1:5000/hosts.toml']
    assert 'server = "http://192.168.200.1:5000"' in local
    mirror = hosts['/etc/containerd/certs.d/registry.k8s.io/hosts.toml']
    assert '[host."http://192.168.200.1:5000/v2/registry.k8s.io"]' in mirror and 'override_path = true' in mirror


def test_the_components_list_pins_each_upstream_component(manifests):
    (components,) = manifests['components.yaml']
    assert [c['name'] for c in components] == ['helm', 'calico', 'nginx', 'local-path', 'nvidia-device-plugin',
                                               'metrics-server']  # fmt: skip
    for component in components:
        assert component['version'] and component['url'].startswith('https://') and 'sha256' in component


def test_nginx_is_nginxs_maintained_controller(manifests):
    (ingress,) = manifests['ingressclass.yaml']
    # the retired kubernetes/ingress-nginx was k8s.io/ingress-nginx; the class name Ingresses ask for stays nginx
    assert ingress['spec']['controller'] == 'nginx.org/ingress-controller'
    assert ingress['metadata']['annotations'] == {'ingressclass.kubernetes.io/is-default-class': 'true'}


def test_the_validator_can_fail():
    doc = {'apiVersion': 'node.k8s.io/v1', 'kind': 'RuntimeClass', 'metadata': {'name': 'x'}, 'handlr': 'nvidia'}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, MINOR, strict=True)
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate({'apiVersion': 'kubeadm.k8s.io/v1beta4', 'kind': 'InitConfiguration'}, MINOR)


def test_kubeadm_configuration_uses_only_documented_fields(manifests):
    docs = dict((d['kind'], d) for d in manifests['kubeadm.yaml'])
    assert sorted(docs) == ['ClusterConfiguration', 'InitConfiguration', 'KubeletConfiguration']
    errors = []
    for kind in ('InitConfiguration', 'ClusterConfiguration'):
        assert docs[kind]['apiVersion'] == 'kubeadm.k8s.io/v1beta4'
        _fields(kind, docs[kind], errors)
    assert errors == []
    assert set(docs['KubeletConfiguration']) <= KUBELET_FIELDS
    assert docs['KubeletConfiguration']['cgroupDriver'] == 'systemd'
    # the field checker finds a field the reference does not list
    bad = []
    _fields('ClusterConfiguration', dict(docs['ClusterConfiguration'], networking={'podCIDR': 'x'}), bad)
    assert bad == ['networking.podCIDR']


def test_what_the_cluster_gets(manifests):
    docs = dict((d['kind'], d) for d in manifests['kubeadm.yaml'])
    cluster = docs['ClusterConfiguration']
    assert cluster['kubernetesVersion'] == 'stable-1.35'  # the default minor; kubeadm resolves the label
    assert cluster['controlPlaneEndpoint'] == '192.168.200.10:6443'
    assert cluster['networking'] == {'podSubnet': '10.244.0.0/16', 'serviceSubnet': '10.96.0.0/12',
                                     'dnsDomain': 'cluster.local'}  # fmt: skip
    # the control plane registers with the collection's owner label (the only Nodes it ever deletes carry it)
    assert docs['InitConfiguration']['nodeRegistration']['kubeletExtraArgs'] == [
        {'name': 'node-ip', 'value': '192.168.200.10'},
        {'name': 'node-labels', 'value': 'hyperscaler.workstation/cluster=cloud'},
    ]
    assert 'taints' not in docs['InitConfiguration']['nodeRegistration']  # kubeadm's control-plane taint stays
    nodes = dict((n['metadata']['name'], n) for n in manifests['nodes.yaml'])
    assert nodes['cloud-cpu-worker-01']['metadata']['labels'] == {
        'compute': 'cpu',
        'hyperscaler.workstation/cluster': 'cloud',
    }
    assert 'spec' not in nodes['cloud-cpu-worker-01']
    assert nodes['cloud-gpu-worker-01']['spec']['taints'] == [
        {'key': 'nvidia.com/gpu', 'value': 'present', 'effect': 'NoSchedule'}
    ]


def test_without_a_cloud_cluster_it_says_so(repo_root, tmp_path):
    rc, output = write_manifests(repo_root, tmp_path, repo_root / 'config/cluster.yaml')
    assert rc != 0 and 'has no clusters.cloud' in output and 'Traceback' not in output
    assert not (tmp_path / 'cloud').exists()
