# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The cluster kinds: everything the collection knows about ``hpc``, ``cloud`` and ``services``, as data.

A kind is a key under ``clusters:`` in cluster.yaml. Its entry says which node roles it has, where each role
sits in the document and which field holds its address, how its hosts are named, which inventory groups they
join (and how those nest), which golden image each role boots, how many networks a node joins and which
kind-specific rules validation applies. Normalisation and validation (``_cluster_spec``), the inventory plugin
and the cluster/image selection filters read only this table.

Adding a kind: an entry in ``KINDS`` (below), its section in schemas/cluster.schema.json
(``$defs/<schema_def>`` and ``clusters.properties.<key>``), and its docs (docs/cluster-yaml.md and
docs/architecture.md). Nothing else names a kind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import ipaddress

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubernetes
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _services

# How a role's nodes are written in the document.
SINGLE = 'single'  # one mapping:                 controller: {ip_address: ...}
LIST = 'list'  # a list of mappings:              compute_nodes: [{ip: ...}, ...]
POOL = 'pool'  # one mapping with count + range:  cpu_workers: {count: 2, ip_range: a-b}

# How many networks a node of a role joins.
OWN_NETWORK = 'own'  # its cluster's network
ALL_NETWORKS = 'all'  # every cluster network of the document (a services node)

_ROLE_FIELDS = 'name field shape address group suffix image gpu_image vgpu_image networks'
_NodeRole = collections.namedtuple('NodeRole', _ROLE_FIELDS)


class NodeRole(_NodeRole):
    """One kind of VM in a cluster.

    ``field``: dotted path inside the cluster mapping (``worker_nodes.cpu_workers``); ``address``: the field of
    a node that holds its IPv4 address; ``suffix``: host names are ``<cluster name>-<suffix>`` for a SINGLE
    role, ``<cluster name>-<suffix>-NN`` otherwise; ``image``: the golden image type its VMs boot, and
    ``gpu_image`` the one a node with a passed-through GPU boots instead (None: the same): it carries the NVIDIA
    driver; ``vgpu_image`` the one a vGPU node boots when the user gave NVIDIA's licensed vGPU guest driver
    (``global.images.vgpu_guest_driver``, which no archive carries; without it the node boots ``image``).
    """

    __slots__ = ()

    def __new__(
        cls, name, field, shape, address, group, suffix, image, gpu_image=None, vgpu_image=None, networks=OWN_NETWORK
    ):
        return super(NodeRole, cls).__new__(
            cls, name, field, shape, address, group, suffix, image, gpu_image, vgpu_image, networks
        )

    @property
    def numbered(self):
        return self.shape != SINGLE

    def image_for(self, passthrough_gpu, vgpu_driver=False):
        """The image type of a node: with a passed-through GPU, with vGPUs and the guest driver, or plain."""
        if passthrough_gpu:
            return self.gpu_image or self.image
        if vgpu_driver:
            return self.vgpu_image or self.image
        return self.image


ClusterKind = collections.namedtuple('ClusterKind', 'key schema_def roles groups rules description settings')
ClusterKind.__new__.__defaults__ = (None,)
# groups: (parent, (children...)) pairs; the cluster's own group is its key, each role's group is role.group.
# rules: callables rule(key, cluster, context) -> ['path: message', ...] (context: see _cluster_spec).
# settings: None, or a callable settings(key, cluster, node_name) -> {field: value} that normalisation adds to the
# cluster's settings. node_name(key, role, index, node) is a node's host name (also context['node_name']).


def dig(mapping, *keys):
    """Walk nested dicts; None as soon as a level is missing or not a mapping (robust to invalid input)."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def as_list(value):
    return value if isinstance(value, list) else []


def _slurm_rules(key, cluster, context):
    """Partitions name real nodes, are listed once; the default partition and default QoS exist."""
    errors = []
    slurm = dig(cluster, 'slurm_config')
    if not isinstance(slurm, dict):
        return errors
    base = 'clusters.%s.slurm_config' % key
    partitions = []
    for i, part in enumerate(as_list(slurm.get('partitions'))):
        name = part if isinstance(part, str) else dig(part, 'name')
        if not isinstance(name, str):
            continue
        if name in partitions:
            errors.append('%s.partitions[%d]: partition %r is listed twice' % (base, i, name))
        partitions.append(name)
        for j, host in enumerate(as_list(dig(part, 'nodes'))):
            if host not in context['names']:
                errors.append('%s.partitions[%d].nodes[%d]: no node is named %r' % (base, i, j, host))
    default = slurm.get('default_partition')
    if isinstance(default, str) and partitions and default not in partitions:
        errors.append(
            '%s.default_partition: %r is not one of the partitions %s' % (base, default, ', '.join(partitions))
        )
    qos = [q.get('name') for q in as_list(slurm.get('qos')) if isinstance(q, dict)]
    for i, part in enumerate(as_list(slurm.get('partitions'))):
        wanted = dig(part, 'default_qos')
        if isinstance(wanted, str) and wanted not in qos:
            errors.append('%s.partitions[%d].default_qos: %r is not defined under slurm_config.qos' % (base, i, wanted))
    return errors


def _user_rules(key, cluster, context):
    """Login users: one name, one UID and one primary GID each."""
    errors = []
    seen = {'name': {}, 'uid': {}}
    for i, user in enumerate(as_list(dig(cluster, 'users'))):
        if not isinstance(user, dict):
            continue
        for field in ('name', 'uid'):
            value = user.get(field)
            if value is None:
                continue
            if value in seen[field]:
                errors.append(
                    'clusters.%s.users[%d].%s: %r is already used by users[%d]'
                    % (key, i, field, value, seen[field][value])
                )
            else:
                seen[field][value] = i
    return errors


def _kubernetes_rules(key, cluster, context):
    """The pod and service subnets overlap no cluster network; the MIG strategy fits the GPU workers; storage_class
    nfs names its export."""
    errors = _kubernetes.mig_strategy_errors(key, cluster)
    k8s = dig(cluster, 'kubernetes_config')
    if dig(k8s, 'storage_class') == 'nfs' and not dig(k8s, 'nfs'):
        errors.append(
            'clusters.%s.kubernetes_config.storage_class: nfs needs kubernetes_config.nfs {server, share}: the '
            'export the cloud nodes mount' % key
        )
    for field in ('pod_subnet', 'service_subnet'):
        value = dig(k8s, field)
        try:
            inner = ipaddress.IPv4Network(value, strict=False) if isinstance(value, str) else None
        except ValueError:
            inner = None
        if inner is None:
            continue
        for other_key, (other, other_path) in sorted(context['subnets'].items()):
            if inner.overlaps(other):
                errors.append(
                    'clusters.%s.kubernetes_config.%s: %s overlaps %s.subnet %s'
                    % (key, field, value, other_path, other)
                )
    return errors


def _service_node_name(key, node_name):
    service = role(key, 'service')
    return lambda index, node: node_name(key, service, index, node)


def _services_rules(key, cluster, context):
    """Each shared service runs on one node, beside what it needs."""
    return _services.placement(key, cluster, _service_node_name(key, context['node_name']))[1]


def _services_settings(key, cluster, node_name):
    """``placement``: {service: host name}."""
    return {'placement': _services.placement(key, cluster, _service_node_name(key, node_name))[0]}


HPC = ClusterKind(
    key='hpc',
    schema_def='hpc_cluster',
    roles=(
        NodeRole('controller', 'controller', SINGLE, 'ip_address', 'hpc_controller', 'controller', 'hpc-controller'),
        NodeRole(
            'compute',
            'compute_nodes',
            LIST,
            'ip',
            'hpc_compute',
            'compute',
            'hpc-compute',
            'hpc-compute-gpu',
            'hpc-compute-vgpu',
        ),
    ),
    groups=(('hpc', ('hpc_controller', 'hpc_compute')),),
    rules=(_slurm_rules, _user_rules),
    description='SLURM: a controller (slurmctld, slurmdbd, NFS) and compute nodes (slurmd)',
)

CLOUD = ClusterKind(
    key='cloud',
    schema_def='cloud_cluster',
    roles=(
        NodeRole(
            'control_plane', 'control_plane', SINGLE, 'ip_address', 'cloud_control_plane', 'control-plane', 'cloud-node'
        ),
        NodeRole(
            'cpu_worker', 'worker_nodes.cpu_workers', POOL, 'ip_range', 'cloud_cpu_workers', 'cpu-worker', 'cloud-node'
        ),
        NodeRole(
            'gpu_worker',
            'worker_nodes.gpu_workers',
            LIST,
            'ip',
            'cloud_gpu_workers',
            'gpu-worker',
            'cloud-node',
            'cloud-node-gpu',
            'cloud-node-vgpu',
        ),
    ),
    groups=(
        ('cloud', ('cloud_control_plane', 'cloud_workers')),
        ('cloud_workers', ('cloud_cpu_workers', 'cloud_gpu_workers')),
    ),
    rules=(_kubernetes_rules,),
    description='Kubernetes: a control plane and CPU/GPU worker pools',
)

SERVICES = ClusterKind(
    key='services',
    schema_def='services_cluster',
    roles=(NodeRole('service', 'nodes', LIST, 'ip', 'services_nodes', 'node', 'services-node', networks=ALL_NETWORKS),),
    groups=(('services', ('services_nodes',)),),
    rules=(_services_rules,),
    description='Shared services (PostgreSQL, the S3 object store): nodes with a NIC on every cluster network',
    settings=_services_settings,
)

KINDS = collections.OrderedDict((kind.key, kind) for kind in (HPC, CLOUD, SERVICES))

# Groups every inventory has, whatever the kinds: the host that runs the VMs, and every VM with a GPU.
HYPERVISOR_GROUP = 'hypervisor'
GPU_GROUP = 'gpu_nodes'


def get(key):
    """The ClusterKind for a key under ``clusters:``, or None."""
    return KINDS.get(key)


def role(key, name):
    """The NodeRole ``name`` of kind ``key`` (KeyError when either is unknown)."""
    for candidate in KINDS[key].roles:
        if candidate.name == name:
            return candidate
    raise KeyError('%s has no node role %r' % (key, name))


def top_fields(kind):
    """The cluster-mapping fields that hold nodes (``worker_nodes`` for ``worker_nodes.cpu_workers``)."""
    return sorted(set(r.field.split('.')[0] for r in kind.roles))


def image_types():
    """Every golden image type some role boots, in registry order."""
    out = []
    for kind in KINDS.values():
        for r in kind.roles:
            for image in (r.image, r.gpu_image, r.vgpu_image):
                if image and image not in out:
                    out.append(image)
    return out


def register(kind):
    """Add a kind (used by the toy-kind test to show that a kind is only data); returns it."""
    KINDS[kind.key] = kind
    return kind


def unregister(key):
    KINDS.pop(key, None)
