# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The cloud cluster's add-ons: which upstream components ``kubernetes_config`` selects (CNI, ingress, storage,
GPUs, metrics-server), their pinned versions, download addresses and checksums, the Helm values the collection
gives them, and the smoke workloads the validator runs.

The components are never copied into the collection: role ``kubernetes_addons`` fetches each one by its pinned
version (from upstream, or from the offline cache ``kubernetes_config.components.<name>.url`` points at) and checks
its SHA-256 before it is used. A checksum is pinned here only where it was read from a published source (the
``source`` of the entry); the others are pinned by the user (``kubernetes_config.components.<name>.sha256``) or,
until then, on first fetch (the role records what it fetched and refuses a different file later).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _containerd, _kubernetes

# name -> how it is fetched (chart: a Helm chart archive; manifest: one YAML file applied as it is; binary: an
# archive holding a program), its pinned version and address ({version} is filled in), the namespace and release.
COMPONENTS = {
    'helm': {
        'type': 'binary',
        'version': '3.18.4',
        'url': 'https://get.helm.sh/helm-v{version}-linux-amd64.tar.gz',
    },
    'calico': {
        'type': 'chart',
        'version': 'v3.30.3',
        'url': 'https://github.com/projectcalico/calico/releases/download/{version}/tigera-operator-{version}.tgz',
        'namespace': 'tigera-operator',
        'release': 'calico',
    },
    'cilium': {
        'type': 'chart',
        'version': '1.18.2',
        'url': 'https://helm.cilium.io/cilium-{version}.tgz',
        'namespace': 'kube-system',
        'release': 'cilium',
    },
    'flannel': {
        'type': 'chart',
        'version': 'v0.27.4',
        'url': 'https://github.com/flannel-io/flannel/releases/download/{version}/flannel.tgz',
        'namespace': 'kube-flannel',
        'release': 'flannel',
    },
    'gateway-api': {
        'type': 'manifest',
        'version': 'v1.4.0',
        'url': 'https://github.com/kubernetes-sigs/gateway-api/releases/download/{version}/standard-install.yaml',
        'sha256': '6a4029e661446d64add866a00ecdc40c14219b68777ab614c5cdaac0adb481f1',
        'source': 'kubespray roles/kubespray_defaults/vars/main/checksums.yml, gateway_api_standard_crds_checksums',
    },
    'traefik': {
        'type': 'chart',
        'version': '37.1.1',
        'url': 'https://traefik.github.io/charts/traefik/traefik-{version}.tgz',
        'namespace': 'traefik',
        'release': 'traefik',
    },
    'nginx': {
        'type': 'chart',
        'version': '2.7.2',
        'url': 'https://helm.nginx.com/stable/nginx-ingress-{version}.tgz',
        'namespace': 'nginx-ingress',
        'release': 'nginx-ingress',
    },
    'local-path': {
        'type': 'manifest',
        'version': 'v0.0.33',
        'url': 'https://raw.githubusercontent.com/rancher/local-path-provisioner/{version}/deploy/local-path-storage.yaml',
    },
    'nfs': {
        'type': 'chart',
        'version': '4.13.0',
        'url': 'https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts/v{version}/csi-driver-nfs-{version}.tgz',
        'namespace': 'kube-system',
        'release': 'csi-driver-nfs',
    },
    'gpu-operator': {
        'type': 'chart',
        'version': 'v25.3.4',
        'url': 'https://helm.ngc.nvidia.com/nvidia/charts/gpu-operator-{version}.tgz',
        'namespace': 'gpu-operator',
        'release': 'gpu-operator',
    },
    'nvidia-device-plugin': {
        'type': 'chart',
        'version': '0.17.1',
        'url': 'https://nvidia.github.io/k8s-device-plugin/stable/nvidia-device-plugin-{version}.tgz',
        'namespace': 'nvidia-device-plugin',
        'release': 'nvidia-device-plugin',
    },
    'metrics-server': {
        'type': 'chart',
        'version': '3.13.0',
        'url': 'https://github.com/kubernetes-sigs/metrics-server/releases/download/'
        'metrics-server-helm-chart-{version}/metrics-server-{version}.tgz',
        'namespace': 'kube-system',
        'release': 'metrics-server',
    },
}
# The ingress controller's Service on every node (no load balancer on a workstation): http and https NodePorts.
INGRESS_NODE_PORTS = {'http': 30080, 'https': 30443}
# where role containerd writes the registries' hosts.toml (its __containerd_certs_dir)
CONTAINERD_CERTS_DIR = '/etc/containerd/certs.d'
SMOKE_NAMESPACE = 'hsw-smoke'
SMOKE_IMAGE = 'docker.io/library/busybox:1.37'
SMOKE_GPU_IMAGE = 'nvcr.io/nvidia/cuda:12.9.1-base-ubuntu24.04'
SMOKE_PATH = '/smoke'
SMOKE_BODY = 'hyperscaler-smoke'


def _of_role(nodes, role):
    return [n for n in nodes or [] if n.get('role') == role]


def mig_strategy(cluster, nodes):
    """``kubernetes_config.mig_strategy``, or the default the GPU workers' layouts give (``nodes``: the cloud
    cluster's ``hyperscaler_node`` of each node)."""
    given = ((cluster or {}).get('kubernetes_config') or {}).get('mig_strategy')
    return given or _kubernetes.default_mig_strategy(_of_role(nodes, 'gpu_worker'))


def gpu_resource(cluster, nodes):
    """The resource one smoke pod asks for on a GPU worker: ``nvidia.com/gpu`` (strategies none and single), or
    the first MIG profile of the first GPU worker as ``nvidia.com/mig-<profile>`` (mixed)."""
    if mig_strategy(cluster, nodes) != 'mixed':
        return 'nvidia.com/gpu'
    for worker in _of_role(nodes, 'gpu_worker'):
        for profiles in _kubernetes._mig_profiles(worker):
            if profiles:
                return 'nvidia.com/mig-%s' % sorted(profiles)[0]
    return 'nvidia.com/gpu'


def _entry(name, overrides):
    entry = dict(COMPONENTS[name], name=name)
    given = (overrides or {}).get(name) or {}
    if given.get('version'):
        entry['version'] = given['version']
        entry.pop('sha256', None)  # a pinned checksum belongs to the pinned version only
        entry.pop('source', None)
    entry['url'] = given.get('url') or entry['url'].format(version=entry['version'])
    if given.get('sha256'):
        entry['sha256'] = given['sha256'].lower()
        entry['source'] = 'cluster.yaml'
    entry.setdefault('sha256', None)
    entry.setdefault('source', None)
    suffix = {'chart': 'tgz', 'manifest': 'yaml', 'binary': 'tar.gz'}[entry['type']]
    entry['file'] = '%s-%s.%s' % (name, entry['version'], suffix)
    return entry


def _values(k8s, cluster, nodes):
    """``{component: Helm values}`` of every chart, from cluster.yaml."""
    api = {'host': _of_role(nodes, 'control_plane')[0]['ip'], 'port': _kubernetes.API_PORT}
    strategy = mig_strategy(cluster, nodes)
    nodeport = dict(type='NodePort')
    values = {
        # tigera-operator: the Installation it creates (operator.tigera.io/v1), one VXLAN pool on pod_subnet
        'calico': {
            'installation': {
                'enabled': True,
                'cni': {'type': 'Calico'},
                'calicoNetwork': {
                    'ipPools': [
                        {
                            'cidr': k8s['pod_subnet'],
                            'blockSize': 26,
                            'encapsulation': 'VXLANCrossSubnet',
                            'natOutgoing': 'Enabled',
                            'nodeSelector': 'all()',
                        }
                    ]
                },
            },
            'kubernetesServiceEndpoint': {'host': api['host'], 'port': str(api['port'])},
            'apiServer': {'enabled': False},
        },
        'cilium': {
            'ipam': {'mode': 'kubernetes'},
            'k8sServiceHost': api['host'],
            'k8sServicePort': api['port'],
            'kubeProxyReplacement': False,
        },
        'flannel': {'podCidr': k8s['pod_subnet'], 'flannel': {'backend': 'vxlan'}},
        # the IngressClass is the collection's own (ingressclass.yaml), so the charts do not make one
        'traefik': {
            'ingressClass': {'enabled': False},
            'providers': {'kubernetesIngress': {'enabled': True}, 'kubernetesGateway': {'enabled': True}},
            'service': nodeport,
            'ports': {
                'web': {'nodePort': INGRESS_NODE_PORTS['http']},
                'websecure': {'nodePort': INGRESS_NODE_PORTS['https']},
            },
        },
        'nginx': {
            'controller': {
                'ingressClass': {'name': 'nginx', 'create': False},
                'service': dict(
                    nodeport,
                    httpPort={'nodePort': INGRESS_NODE_PORTS['http']},
                    httpsPort={'nodePort': INGRESS_NODE_PORTS['https']},
                ),
            }
        },
        # the StorageClass is the collection's own (storageclass.yaml, with the share)
        'nfs': {'storageClass': {'create': False}},
        # no driver container for Debian guests: the driver comes from the guest image; the NVIDIA runtime is in
        # containerd's main config (role containerd; on containerd 1.x a toolkit drop-in would replace the CRI
        # section); the MIG layout is the collection's (cluster.yaml), not the MIG manager's
        'gpu-operator': {
            'driver': {'enabled': False},
            'toolkit': {'enabled': False},
            'migManager': {'enabled': False},
            'mig': {'strategy': strategy if strategy in ('single', 'mixed') else 'single'},
            'devicePlugin': {'enabled': True},
            'operator': {'defaultRuntime': 'containerd'},
        },
        'nvidia-device-plugin': {
            'migStrategy': strategy,
            'runtimeClassName': 'nvidia',
            'nodeSelector': {_kubernetes.COMPUTE_LABEL: 'gpu'},
        },
        # kubelets serve self-signed certificates (KubeletConfiguration serverTLSBootstrap: false)
        'metrics-server': {'args': ['--kubelet-insecure-tls']},
    }
    return values


def addons(cluster, nodes):
    """The components ``kubernetes_config`` selects, in install order: each ``{name, type, version, url, sha256,
    source, file, namespace, release, values}`` (``values``: the Helm values of a chart, else None)."""
    k8s = _kubernetes.settings((cluster or {}).get('kubernetes_config'))
    names = []
    if k8s['cni'] in ('calico', 'cilium', 'flannel'):
        names.append(k8s['cni'])
    if k8s['ingress'] == 'traefik':
        names.extend(['gateway-api', 'traefik'])
    elif k8s['ingress'] == 'nginx':
        names.append('nginx')
    if k8s['storage_class'] in ('local-path', 'nfs'):
        names.append(k8s['storage_class'])
    if _of_role(nodes, 'gpu_worker'):
        names.append('gpu-operator' if k8s['gpu_operator'] else 'nvidia-device-plugin')
    names.append('metrics-server')
    overrides = k8s.get('components') or {}
    out = [_entry(name, overrides) for name in names]
    if any(e['type'] == 'chart' for e in out):
        out.insert(0, _entry('helm', overrides))
    values = _values(k8s, cluster, nodes)
    for entry in out:
        entry['values'] = values.get(entry['name']) if entry['type'] == 'chart' else None
    return out


def components_list(cluster, nodes):
    """What ``make manifests`` writes as components.yaml: every upstream component with its pinned version,
    address and checksum (``null`` where none is pinned yet)."""
    keys = ('name', 'type', 'version', 'url', 'sha256', 'source', 'namespace', 'release')
    return [dict((k, e.get(k)) for k in keys) for e in addons(cluster, nodes)]


# ---- the smoke workloads of the validator ----------------------------------------------------------------------


def _pod(name, labels, container, node_kind, extra=None):
    spec = {
        'restartPolicy': 'Never',
        'nodeSelector': {_kubernetes.COMPUTE_LABEL: node_kind},
        'containers': [container],
    }
    spec.update(extra or {})
    return {
        'apiVersion': 'v1',
        'kind': 'Pod',
        'metadata': {'name': name, 'namespace': SMOKE_NAMESPACE, 'labels': dict(labels, app=name)},
        'spec': spec,
    }


def smoke_objects(cluster, nodes):
    """The objects the validator applies: a pod on a CPU worker (writing to a PVC of the default StorageClass),
    one on a GPU worker (``nvidia-smi -L`` with one GPU resource), and a web pod behind a Service and an Ingress
    of the default IngressClass, answering ``SMOKE_PATH`` with ``SMOKE_BODY``."""
    k8s = _kubernetes.settings((cluster or {}).get('kubernetes_config'))
    labels = {'app.kubernetes.io/part-of': 'hyperscaler-smoke'}
    docs = [{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': SMOKE_NAMESPACE, 'labels': labels}}]
    storage = k8s['storage_class'] != 'none'
    if storage:
        docs.append(
            {
                'apiVersion': 'v1',
                'kind': 'PersistentVolumeClaim',
                'metadata': {'name': 'smoke-data', 'namespace': SMOKE_NAMESPACE, 'labels': labels},
                'spec': {
                    'accessModes': ['ReadWriteOnce'],
                    'storageClassName': k8s['storage_class'],
                    'resources': {'requests': {'storage': '64Mi'}},
                },
            }
        )
    if _of_role(nodes, 'cpu_worker'):
        container = {
            'name': 'smoke',
            'image': SMOKE_IMAGE,
            'command': ['sh', '-c', 'echo ok > /data/ok && cat /data/ok'],
        }
        extra = {}
        if storage:
            container['volumeMounts'] = [{'name': 'data', 'mountPath': '/data'}]
            extra['volumes'] = [{'name': 'data', 'persistentVolumeClaim': {'claimName': 'smoke-data'}}]
        else:
            container['command'] = ['sh', '-c', 'echo ok']
        docs.append(_pod('smoke-cpu', labels, container, 'cpu', extra))
    if _of_role(nodes, 'gpu_worker'):
        resource = gpu_resource(cluster, nodes)
        container = {
            'name': 'smoke',
            'image': SMOKE_GPU_IMAGE,
            'command': ['nvidia-smi', '-L'],
            'resources': {'limits': {resource: 1}},
        }
        extra = {'runtimeClassName': 'nvidia', 'tolerations': [dict(_kubernetes.GPU_TAINT, operator='Equal')]}
        docs.append(_pod('smoke-gpu', labels, container, 'gpu', extra))
    if k8s['ingress'] != 'none' and _of_role(nodes, 'cpu_worker'):
        script = 'mkdir -p /www && echo %s > /www%s && exec httpd -f -p 8080 -h /www' % (SMOKE_BODY, SMOKE_PATH)
        web = _pod('smoke-web', labels, {'name': 'web', 'image': SMOKE_IMAGE, 'command': ['sh', '-c', script],
                                         'ports': [{'containerPort': 8080, 'name': 'http'}]}, 'cpu')  # fmt: skip
        web['spec']['restartPolicy'] = 'Always'
        docs.append(web)
        docs.append(
            {
                'apiVersion': 'v1',
                'kind': 'Service',
                'metadata': {'name': 'smoke-web', 'namespace': SMOKE_NAMESPACE, 'labels': labels},
                'spec': {'selector': {'app': 'smoke-web'}, 'ports': [{'port': 80, 'targetPort': 'http'}]},
            }
        )
        backend = {'service': {'name': 'smoke-web', 'port': {'number': 80}}}
        docs.append(
            {
                'apiVersion': 'networking.k8s.io/v1',
                'kind': 'Ingress',
                'metadata': {'name': 'smoke-web', 'namespace': SMOKE_NAMESPACE, 'labels': labels},
                'spec': {
                    'ingressClassName': k8s['ingress'],
                    'rules': [{'http': {'paths': [{'path': SMOKE_PATH, 'pathType': 'Exact', 'backend': backend}]}}],
                },
            }
        )
    return docs


def manifests(cluster, nodes, version=None):
    """``{file name: [documents]}`` of ``make manifests``: the collection's own objects
    (``_kubernetes.manifests``), the Helm values of each chart (values-<name>.yaml), the smoke workloads
    (smoke.yaml), the list of upstream components (components.yaml) and containerd's registry configuration
    (registry.yaml: the hosts.toml files, when the registry is enabled)."""
    nodes = list(nodes or [])
    out = _kubernetes.manifests(cluster, nodes, version)
    for entry in addons(cluster, nodes):
        if entry.get('values') is not None:
            out['values-%s.yaml' % entry['name']] = [entry['values']]
    out['smoke.yaml'] = smoke_objects(cluster, nodes)
    out['components.yaml'] = [components_list(cluster, nodes)]
    mirrors = _kubernetes.registry(cluster)['containerd_mirrors']
    if mirrors:
        # the registry configuration every node's containerd gets (role containerd): one hosts.toml per registry
        files = _containerd.hosts_files(mirrors, CONTAINERD_CERTS_DIR)
        out['registry.yaml'] = [[{'path': f['dest'], 'content': f['content']} for f in files]]
    return out


# ---- SHA256SUMS: the digests pinned on first fetch ---------------------------------------------------------------


def _parse_sums(text):
    out = {}
    for line in (text or '').splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) == 64:
            out[parts[1]] = parts[0].lower()
    return out


def pinned(entries, sums_text):
    """``entries`` with the digest ``SHA256SUMS`` (``sums_text``) recorded for their file where neither the
    collection nor cluster.yaml pins one: a file fetched once is the only one accepted later."""
    recorded = _parse_sums(sums_text)
    out = []
    for entry in entries or []:
        entry = dict(entry)
        if not entry.get('sha256') and entry.get('file') in recorded:
            entry['sha256'] = recorded[entry['file']]
            entry['source'] = 'first fetch (SHA256SUMS)'
        out.append(entry)
    return out


def sha256sums(sums_text, stat_results):
    """The new ``SHA256SUMS``: what ``sums_text`` recorded, updated with the files ``stat_results`` (the results of
    a looped ``ansible.builtin.stat`` with ``checksum_algorithm: sha256``, looped over the entries) found."""
    recorded = _parse_sums(sums_text)
    for result in stat_results or []:
        stat = result.get('stat') or {}
        if stat.get('exists') and stat.get('checksum'):
            recorded[result['item']['file']] = stat['checksum']
    return ''.join('%s  %s\n' % (recorded[name], name) for name in sorted(recorded))
