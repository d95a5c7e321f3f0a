# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The cloud cluster's Kubernetes settings as Python: defaults, the MIG strategy, node labels and taints, and the
kubeadm configuration documents (kubeadm.k8s.io/v1beta4, kubelet.config.k8s.io/v1beta1).

One place for these facts: the cluster.yaml checks (``mig_strategy_errors``), ``make manifests`` and the
Kubernetes roles all read them from here (filters ``hyperscaler.workstation.kubeadm_config`` and
``hyperscaler.workstation.kubernetes_manifests``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubeadm
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils._gpu_plan import guest_mig, passthrough_gpus

DEFAULTS = {
    'version': '1.35',
    'cni': 'calico',
    'ingress': 'traefik',
    'storage_class': 'local-path',
    'pod_subnet': '10.244.0.0/16',
    'service_subnet': '10.96.0.0/12',
    'gpu_operator': False,
    'mig_strategy': None,
    'gpu_worker_taint': True,
    'package_repository': None,
    'package_key_url': None,
    'registry': None,
    'nfs': None,
    'components': None,
}
# The cluster's container registry (Debian's docker-registry on the hypervisor, role container_registry), on the
# cloud network's gateway address. containerd pulls its own images from it over plain HTTP, and tries it first for
# the upstream registries in `mirrors`, each under its own name (<registry>/v2/registry.k8s.io/pause/...): the
# images a user pushed there for offline use (skopeo copy ... docker://<gateway>:5000/registry.k8s.io/pause:3.10).
REGISTRY_DEFAULTS = {
    'enabled': True,
    'port': 5000,
    'mirrors': ['registry.k8s.io', 'docker.io', 'quay.io', 'ghcr.io', 'nvcr.io'],
}
# kubeadm, kubelet and kubectl come from the Kubernetes project's apt repository, one per minor (pkgs.k8s.io).
PACKAGE_REPOSITORY = 'https://pkgs.k8s.io/core:/stable:/v%s/deb/'
PACKAGES = ('kubeadm', 'kubelet', 'kubectl')
KUBEADM_API = 'kubeadm.k8s.io/v1beta4'
KUBELET_API = 'kubelet.config.k8s.io/v1beta1'
CRI_SOCKET = 'unix:///run/containerd/containerd.sock'
API_PORT = 6443
GPU_TAINT = {'key': 'nvidia.com/gpu', 'value': 'present', 'effect': 'NoSchedule'}
# The label the plan gives every worker: compute=cpu or compute=gpu.
COMPUTE_LABEL = 'compute'
# The ownership mark on the Kubernetes side: every node this collection registers carries it (value: the cluster's
# key in cluster.yaml). Only Nodes with it are ever deleted (a worker removed from cluster.yaml).
OWNER_LABEL = 'hyperscaler.workstation/cluster'
_MINOR = re.compile(r'^1\.[0-9]+$')


class KubernetesConfigError(HyperscalerError):
    """The cloud cluster's settings cannot be turned into Kubernetes configuration."""


def _with_defaults(defaults, given):
    """``given`` (a cluster.yaml mapping, may be None) over ``defaults``; unset (None) fields take the default."""
    out = dict(defaults)
    out.update(dict((k, v) for k, v in (given or {}).items() if v is not None))
    return out


def settings(kubernetes_config):
    """``kubernetes_config`` of cluster.yaml with the defaults filled in."""
    return _with_defaults(DEFAULTS, kubernetes_config)


def kubernetes_version(version):
    """What kubeadm's ``kubernetesVersion`` takes: ``v1.35.2`` for an exact version, ``stable-1.35`` for a minor
    (kubeadm resolves the label, or falls back to its own version offline)."""
    text = str(version).lstrip('v')
    return 'stable-%s' % text if _MINOR.match(text) else 'v%s' % text


def minor(version):
    """``1.35`` of ``1.35`` or ``1.35.2``."""
    return '.'.join(str(version).lstrip('v').split('.')[:2])


def package_source(kubernetes_config):
    """Where the nodes install kubeadm, kubelet and kubectl from: ``{repository, key_url, packages}``.

    ``repository`` is ``kubernetes_config.package_repository`` (a mirror or an offline cache of the minor's
    repository) or pkgs.k8s.io's for the minor; ``key_url`` its signing key (``Release.key`` beside the
    repository unless given); ``packages`` the apt specs, ``kubeadm=1.35.2-*`` for an exact version."""
    k8s = settings(kubernetes_config)
    repository = k8s['package_repository'] or PACKAGE_REPOSITORY % minor(k8s['version'])
    if not repository.endswith('/'):
        repository += '/'
    version = str(k8s['version']).lstrip('v')
    pin = '' if _MINOR.match(version) else '=%s-*' % version
    return {
        'repository': repository,
        'key_url': k8s['package_key_url'] or repository + 'Release.key',
        'packages': ['%s%s' % (name, pin) for name in PACKAGES],
    }


def registry(cluster):
    """The cluster's local registry: ``{enabled, address, port, host, url, containerd_mirrors}``. ``cluster`` is
    ``hyperscaler_cluster`` (its ``network.gateway`` is the address); ``containerd_mirrors`` is what the containerd
    role takes (``{registry: [mirror URL]}``): the registry itself over HTTP and every upstream of ``mirrors``
    under its name. Disabled: ``{enabled: false, containerd_mirrors: {}}``."""
    conf = _with_defaults(REGISTRY_DEFAULTS, settings((cluster or {}).get('kubernetes_config'))['registry'])
    if not conf['enabled']:
        return {'enabled': False, 'containerd_mirrors': {}}
    address = ((cluster or {}).get('network') or {}).get('gateway')
    if not address:
        raise KubernetesConfigError('kubernetes_registry: the cloud cluster has no network gateway')
    host = '%s:%d' % (address, int(conf['port']))
    url = 'http://' + host
    mirrors = {host: [url]}
    for upstream in conf['mirrors']:
        mirrors[upstream] = ['%s/v2/%s' % (url, upstream)]
    return {
        'enabled': True,
        'address': address,
        'port': int(conf['port']),
        'host': host,
        'url': url,
        'containerd_mirrors': mirrors,
    }


# ---- GPUs and the MIG strategy -------------------------------------------------------------------------------


def _mig_profiles(worker):
    """Per GPU the worker sees: the set of MIG profiles of its layout, or None for a whole GPU (no MIG in the
    guest: passthrough without a ``mig`` layout, MIG disabled, or a vGPU)."""
    out = []
    for dev in passthrough_gpus(worker):
        mig = guest_mig(dev)
        out.append(None if mig is None else set(str(i.get('profile')) for i in mig.get('instances') or []))
    for vgpu in worker.get('vgpu') or []:
        out.extend([None] * int(vgpu.get('count', 1) or 1))
    return out


def default_mig_strategy(workers):
    """``none`` without MIG; ``single`` when every GPU of every MIG worker runs one and the same profile; else
    ``mixed`` (the device plugin's own default is ``none``, the GPU operator's ``single``)."""
    per_worker = [p for p in (_mig_profiles(w) for w in workers) if any(g is not None for g in p)]
    if not per_worker:
        return 'none'
    if all(all(g is not None for g in gpus) and len(set().union(*gpus)) == 1 for gpus in per_worker):
        return 'single'
    return 'mixed'


def mig_strategy_errors(key, cluster):
    """The impossible combinations of ``kubernetes_config.mig_strategy`` and the GPU workers' layouts."""
    k8s = (cluster or {}).get('kubernetes_config') or {}
    strategy = k8s.get('mig_strategy')
    workers = ((cluster or {}).get('worker_nodes') or {}).get('gpu_workers') or []
    if strategy not in ('none', 'single'):
        return []
    where = 'clusters.%s.kubernetes_config.mig_strategy' % key
    errors = []
    for index, worker in enumerate(workers if isinstance(workers, list) else []):
        if not isinstance(worker, dict):
            continue
        gpus = _mig_profiles(worker)
        mig = [g for g in gpus if g is not None]
        node = 'clusters.%s.worker_nodes.gpu_workers[%d]' % (key, index)
        if strategy == 'none' and mig:
            errors.append(
                '%s: none advertises whole GPUs, but %s has a MIG layout (its GPU is in MIG mode and could not be '
                'used); choose single or mixed, or drop the layout' % (where, node)
            )
        elif strategy == 'single' and mig and (len(mig) != len(gpus) or len(set().union(*mig)) != 1):
            errors.append(
                '%s: single needs every GPU of a node in MIG mode with one profile, but %s has %s; choose mixed'
                % (where, node, _describe(gpus))
            )
    return errors


def _describe(gpus):
    return ', '.join('whole GPU' if g is None else '+'.join(sorted(g)) for g in gpus)


# ---- nodes ----------------------------------------------------------------------------------------------------


def node_metadata(node, kubernetes_config=None):
    """``{labels, taints}`` of one cloud node: the owner label (``node.cluster``, when known) on every node,
    ``compute=cpu|gpu`` on workers, the GPU taint on GPU workers (unless ``gpu_worker_taint`` is false); the control
    plane keeps kubeadm's own taint."""
    k8s = settings(kubernetes_config)
    labels = {OWNER_LABEL: node['cluster']} if node.get('cluster') else {}
    role = node.get('role')
    if role == 'control_plane':
        return {'labels': labels, 'taints': []}
    gpu = role == 'gpu_worker'
    labels[COMPUTE_LABEL] = 'gpu' if gpu else 'cpu'
    taints = [dict(GPU_TAINT)] if gpu and k8s['gpu_worker_taint'] else []
    return {'labels': labels, 'taints': taints}


def _extra_args(**args):
    """kubeadm v1beta4's ``kubeletExtraArgs``/``extraArgs``: a list of ``{name, value}``."""
    return [{'name': k.replace('_', '-'), 'value': str(v)} for k, v in sorted(args.items())]


def _registration(node, kubernetes_config=None):
    """A node's ``nodeRegistration``. A worker registers with its labels (kubelet's ``--node-labels``) and taints
    (``--register-with-taints``), so no pod lands on a GPU worker untainted in between; the control plane keeps
    kubeadm's own taint (``taints`` left out)."""
    meta = node_metadata(node, kubernetes_config)
    args = {'node_ip': node['ip']}
    if meta['labels']:
        args['node_labels'] = ','.join('%s=%s' % item for item in sorted(meta['labels'].items()))
    out = {
        'name': node['name'],
        'criSocket': CRI_SOCKET,
        'imagePullPolicy': 'IfNotPresent',
        'kubeletExtraArgs': _extra_args(**args),
    }
    if node.get('role') != 'control_plane':
        out['taints'] = meta['taints']
    return out


def kubeadm_config(cluster, control_plane, version=None):
    """The documents of ``kubeadm init --config``: InitConfiguration, ClusterConfiguration (v1beta4) and the
    KubeletConfiguration. ``cluster`` is ``hyperscaler_cluster``, ``control_plane`` its control plane's
    ``hyperscaler_node``; ``version`` the installed kubeadm's (``kubeadm version -o short``) when known."""
    for field in ('name', 'ip'):
        if not (control_plane or {}).get(field):
            raise KubernetesConfigError('kubeadm_config: the control plane node has no %s' % field)
    k8s = settings((cluster or {}).get('kubernetes_config'))
    endpoint = '%s:%d' % (control_plane['ip'], API_PORT)
    init = {
        'apiVersion': KUBEADM_API,
        'kind': 'InitConfiguration',
        'localAPIEndpoint': {'advertiseAddress': control_plane['ip'], 'bindPort': API_PORT},
        'nodeRegistration': _registration(control_plane, k8s),
    }
    domain = 'cluster.local'
    cluster_config = {
        'apiVersion': KUBEADM_API,
        'kind': 'ClusterConfiguration',
        'clusterName': (cluster or {}).get('name') or 'cloud',
        'kubernetesVersion': kubernetes_version(version or k8s['version']),
        'controlPlaneEndpoint': endpoint,
        'networking': {'podSubnet': k8s['pod_subnet'], 'serviceSubnet': k8s['service_subnet'], 'dnsDomain': domain},
        'apiServer': {'certSANs': sorted(set([control_plane['ip'], control_plane['name']]))},
        'etcd': {'local': {'dataDir': '/var/lib/etcd'}},
    }
    kubelet = {
        'apiVersion': KUBELET_API,
        'kind': 'KubeletConfiguration',
        'cgroupDriver': 'systemd',
        'containerRuntimeEndpoint': CRI_SOCKET,
        'failSwapOn': True,
        'rotateCertificates': True,
        'serverTLSBootstrap': False,
    }
    return [init, cluster_config, kubelet]


def join_config(control_plane, node, token, ca_cert_hashes, kubernetes_config=None):
    """The JoinConfiguration (v1beta4) of one worker: discovery by bootstrap token with the CA pinned (never
    ``unsafeSkipCAVerification``), the node's name, CRI socket, node IP, labels and taints (``kubernetes_config``
    decides the GPU taint). It holds the token: written 0600 and removed after the join."""
    if not _kubeadm.TOKEN.match(token or ''):
        raise KubernetesConfigError('join_config: the bootstrap token is not of kubeadm\'s form')
    if not ca_cert_hashes:
        raise KubernetesConfigError('join_config: no CA certificate pin')
    return {
        'apiVersion': KUBEADM_API,
        'kind': 'JoinConfiguration',
        'discovery': {
            'bootstrapToken': {
                'apiServerEndpoint': '%s:%d' % (control_plane['ip'], API_PORT),
                'token': token,
                'caCertHashes': list(ca_cert_hashes),
                'unsafeSkipCAVerification': False,
            },
            'timeout': '5m0s',
        },
        'nodeRegistration': _registration(node, kubernetes_config),
    }


# ---- the objects `make manifests` writes -----------------------------------------------------------------------

STORAGE_CLASSES = {
    # rancher/local-path-provisioner's class: a directory on the node that runs the pod
    'local-path': {'provisioner': 'rancher.io/local-path', 'volumeBindingMode': 'WaitForFirstConsumer'},
    # kubernetes-csi/csi-driver-nfs, on the share the services node (or the HPC controller) exports
    'nfs': {'provisioner': 'nfs.csi.k8s.io', 'volumeBindingMode': 'Immediate'},
}


# kubernetes_config.ingress -> the IngressClass of its controller. kubernetes/ingress-nginx is retired (maintenance
# ended March 2026), so `nginx` means NGINX's own maintained controller (nginx/kubernetes-ingress, controller name
# nginx.org/ingress-controller): the class name `nginx` that Ingress objects ask for stays, ingress-nginx's
# `nginx.ingress.kubernetes.io/*` annotations do not carry over. `traefik` is the default.
INGRESS_CLASSES = {
    'nginx': 'nginx.org/ingress-controller',
    'traefik': 'traefik.io/ingress-controller',
}


def _node_patch(node, k8s):
    meta = node_metadata(node, k8s)
    doc = {'apiVersion': 'v1', 'kind': 'Node', 'metadata': {'name': node['name'], 'labels': meta['labels']}}
    if meta['taints']:
        doc['spec'] = {'taints': meta['taints']}
    return doc


def manifests(cluster, nodes, version=None):
    """``{file name: [documents]}`` of every object this collection authors for the cloud cluster: the kubeadm
    configuration, the workers' labels and taints (Node patches), the NVIDIA RuntimeClass when there are GPU
    workers, the default IngressClass of ``kubernetes_config.ingress`` and the default StorageClass of
    ``kubernetes_config.storage_class``."""
    k8s = settings((cluster or {}).get('kubernetes_config'))
    nodes = list(nodes or [])
    planes = [n for n in nodes if n.get('role') == 'control_plane']
    if len(planes) != 1:
        raise KubernetesConfigError('kubernetes_manifests: %d control plane nodes given, 1 expected' % len(planes))
    out = {'kubeadm.yaml': kubeadm_config(cluster, planes[0], version)}
    workers = [n for n in nodes if n.get('role') != 'control_plane']
    if workers:
        out['nodes.yaml'] = [_node_patch(n, k8s) for n in workers]
    if any(n.get('role') == 'gpu_worker' for n in workers):
        out['runtimeclass.yaml'] = [
            {
                'apiVersion': 'node.k8s.io/v1',
                'kind': 'RuntimeClass',
                'metadata': {'name': 'nvidia'},
                'handler': 'nvidia',
            }
        ]
    controller = INGRESS_CLASSES.get(k8s['ingress'])
    if controller:
        out['ingressclass.yaml'] = [
            {
                'apiVersion': 'networking.k8s.io/v1',
                'kind': 'IngressClass',
                'metadata': {
                    'name': k8s['ingress'],
                    'annotations': {'ingressclass.kubernetes.io/is-default-class': 'true'},
                },
                'spec': {'controller': controller},
            }
        ]
    storage = STORAGE_CLASSES.get(k8s['storage_class'])
    if storage:
        doc = {
            'apiVersion': 'storage.k8s.io/v1',
            'kind': 'StorageClass',
            'metadata': {
                'name': k8s['storage_class'],
                'annotations': {'storageclass.kubernetes.io/is-default-class': 'true'},
            },
            'reclaimPolicy': 'Delete',
        }
        doc.update(storage)
        if k8s['storage_class'] == 'nfs' and k8s['nfs']:
            doc['parameters'] = {'server': k8s['nfs']['server'], 'share': k8s['nfs']['share']}
        out['storageclass.yaml'] = [doc]
    return out
