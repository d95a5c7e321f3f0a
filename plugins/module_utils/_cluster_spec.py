# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""cluster.yaml: parse, validate (schema and semantics) and expand into VMs.

Shared by the ``cluster_config_info`` module and the ``cluster`` inventory plugin, so both
report the same errors, each prefixed with its location in the document
(``clusters.hpc.compute_nodes[1].ip: ...``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import ipaddress
import re

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible always ships PyYAML
    HAS_YAML = False

try:
    import jsonschema

    HAS_JSONSCHEMA = True
except ImportError:
    HAS_JSONSCHEMA = False

from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_schema import SCHEMA
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig_tables import layout_fits, model_names

BRIDGE_MAX_LEN = 15
MIG_PROFILE = re.compile(
    SCHEMA['$defs']['physical_gpu']['properties']['mig']['properties']['instances']['items']['properties']['profile'][
        'pattern'
    ]
)
DEFAULTS = {
    'hypervisor': {
        'host': 'localhost',
        'uri': 'qemu:///system',
        'domain_type': 'auto',
        'storage_pool': 'hyperscaler',
        'storage_path': '/var/lib/libvirt/images/hyperscaler',
        'cpu_overcommit': 4,
        'memory_overcommit': 0.9,
    },
    'images': {
        'backend': 'debootstrap',
        'suite': 'bookworm',
        'mirror': 'http://deb.debian.org/debian',
        'cache_dir': '/var/lib/hyperscaler/images',
    },
    'output_dir': '~/.local/state/hyperscaler-workstation',
    'ssh_user': 'ops',
    'timezone': 'UTC',
    'gpus': [],
}
# (cluster key, node role) -> (inventory group, host name suffix, image type)
ROLES = {
    ('hpc', 'controller'): ('hpc_controller', 'controller', 'hpc-controller'),
    ('hpc', 'compute'): ('hpc_compute', 'compute', 'hpc-compute'),
    ('cloud', 'control_plane'): ('cloud_control_plane', 'control-plane', 'cloud-node'),
    ('cloud', 'cpu_worker'): ('cloud_cpu_workers', 'cpu-worker', 'cloud-node'),
    ('cloud', 'gpu_worker'): ('cloud_gpu_workers', 'gpu-worker', 'cloud-node'),
}


class ConfigError(Exception):
    """An invalid cluster.yaml; ``errors`` holds one ``location: message`` line per problem."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(ConfigError, self).__init__('\n'.join(self.errors))


def format_path(parts):
    """Render a jsonschema path (deque of keys and indexes) as ``a.b[1].c``."""
    out = ''
    for part in parts:
        if isinstance(part, int):
            out += '[%d]' % part
        else:
            out += ('.' if out else '') + str(part)
    return out or '(top level)'


def load_text(text, source='cluster.yaml'):
    """Parse YAML text; a syntax error becomes a ConfigError naming the line."""
    if not HAS_YAML:
        raise ConfigError(['%s: PyYAML is required to read cluster.yaml' % source])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None) or getattr(exc, 'context_mark', None)
        where = '%s line %d column %d' % (source, mark.line + 1, mark.column + 1) if mark else source
        problem = getattr(exc, 'problem', None) or str(exc).splitlines()[0]
        raise ConfigError(['%s: YAML syntax error: %s' % (where, problem)])
    if not isinstance(data, dict):
        raise ConfigError(
            [
                '%s: the document must be a mapping with "version" and "clusters", got %s'
                % (source, type(data).__name__ if data is not None else 'an empty file')
            ]
        )
    return data


def load_file(path):
    try:
        with open(path, 'r') as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise ConfigError(['%s: cannot read the file: %s' % (path, exc.strerror or exc)])
    return load_text(text, path)


def _schema_message(error):
    """A readable sentence for one jsonschema error."""
    kind = error.validator
    inst = error.instance
    if kind == 'required':
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return 'required field %r is missing' % (missing[0] if missing else error.message)
    if kind in ('additionalProperties', 'unevaluatedProperties'):
        extra = sorted(set(error.instance) - _known_fields(error.schema)) if isinstance(error.instance, dict) else []
        return '; '.join(_unknown_field(name, _known_fields(error.schema)) for name in extra) or error.message
    if kind == 'pattern':
        hint = error.schema.get('x-hint')
        return '%r is not %s' % (inst, hint) if hint else '%r does not match %s' % (inst, error.validator_value)
    if kind == 'enum':
        return '%r is not one of %s' % (inst, ', '.join(repr(v) for v in error.validator_value))
    if kind == 'type':
        return '%r is not of type %r' % (inst, error.validator_value)
    if kind in ('minimum', 'exclusiveMinimum'):
        return '%r must be %s %s' % (inst, '>=' if kind == 'minimum' else '>', error.validator_value)
    if kind == 'maximum':
        return '%r must be <= %s' % (inst, error.validator_value)
    if kind == 'minItems':
        return 'needs at least %d item(s)' % error.validator_value
    if kind == 'minProperties':
        return 'needs at least one entry'
    if kind == 'oneOf':
        return '%r is neither a name nor a mapping with "name"' % (inst,)
    return error.message


def _known_fields(schema):
    """Field names a (sub)schema allows, following local $refs."""
    names = set(schema.get('properties', {}))
    ref = schema.get('$ref', '')
    if ref.startswith('#/$defs/'):
        names |= _known_fields(SCHEMA['$defs'][ref[len('#/$defs/') :]])
    return names


def _unknown_field(name, known):
    close = difflib.get_close_matches(str(name), sorted(known), n=1)
    return 'unknown field %r (did you mean %r?)' % (name, close[0]) if close else 'unknown field %r' % (name,)


def _leaf_errors(errors):
    """Flatten combinator errors so users see the concrete problem."""
    for error in errors:
        if error.validator in ('$ref', 'allOf', 'anyOf') and error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def schema_errors(data):
    if not HAS_JSONSCHEMA:
        return ['(top level): the Python package jsonschema is required to validate cluster.yaml']
    validator = jsonschema.Draft202012Validator(SCHEMA)
    out = []
    for error in _leaf_errors(validator.iter_errors(data)):
        out.append((format_path(error.absolute_path), _schema_message(error)))
    # Stable order: document order is not available, so sort by path then message.
    return ['%s: %s' % item for item in sorted(set(out))]


def _ip(value):
    try:
        return ipaddress.IPv4Address(value)
    except (ipaddress.AddressValueError, ValueError, TypeError):
        return None


def _get(mapping, *keys):
    """Walk nested dicts; None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _list(value):
    return value if isinstance(value, list) else []


def cluster_prefix(key, cluster):
    name = cluster.get('name') if isinstance(cluster, dict) else None
    return name if isinstance(name, str) and name else key


def iter_nodes(data):
    """Yield (cluster key, role, index, document path, node dict, ip) for every VM the file describes.

    cpu_workers (count + ip_range) are expanded here; robust to partly invalid input.
    """
    clusters = _get(data, 'clusters') or {}
    hpc = clusters.get('hpc') if isinstance(clusters, dict) else None
    if isinstance(hpc, dict):
        ctl = hpc.get('controller')
        if isinstance(ctl, dict):
            yield 'hpc', 'controller', 1, 'clusters.hpc.controller', ctl, ctl.get('ip_address')
        for i, node in enumerate(_list(hpc.get('compute_nodes'))):
            if isinstance(node, dict):
                yield 'hpc', 'compute', i + 1, 'clusters.hpc.compute_nodes[%d]' % i, node, node.get('ip')
    cloud = clusters.get('cloud') if isinstance(clusters, dict) else None
    if isinstance(cloud, dict):
        cp = cloud.get('control_plane')
        if isinstance(cp, dict):
            yield 'cloud', 'control_plane', 1, 'clusters.cloud.control_plane', cp, cp.get('ip_address')
        workers = cloud.get('worker_nodes') if isinstance(cloud.get('worker_nodes'), dict) else {}
        cpu = workers.get('cpu_workers')
        if isinstance(cpu, dict):
            path = 'clusters.cloud.worker_nodes.cpu_workers'
            for i, ip in enumerate(expand_ip_range(cpu.get('ip_range'), cpu.get('count'))):
                yield 'cloud', 'cpu_worker', i + 1, path, cpu, ip
        for i, node in enumerate(_list(workers.get('gpu_workers'))):
            if isinstance(node, dict):
                yield (
                    'cloud',
                    'gpu_worker',
                    i + 1,
                    'clusters.cloud.worker_nodes.gpu_workers[%d]' % i,
                    node,
                    node.get('ip'),
                )


def expand_ip_range(ip_range, count):
    """``a.b.c.d`` or ``a.b.c.d-a.b.c.e`` plus a count -> list of addresses (strings)."""
    if not isinstance(ip_range, str) or not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return []
    start = _ip(ip_range.split('-')[0])
    if start is None:
        return []
    return [str(start + i) for i in range(count) if int(start) + i <= 0xFFFFFFFF]


def semantic_errors(data):
    """Rules JSON Schema cannot express. Robust to partly invalid data (skips what it cannot read)."""
    errors = []
    subnets = {}  # key -> (network, path)
    bridges = {}
    clusters = _get(data, 'clusters')
    clusters = clusters if isinstance(clusters, dict) else {}

    for key, cluster in sorted(clusters.items()):
        net = _get(cluster, 'network')
        if not isinstance(net, dict):
            continue
        path = 'clusters.%s.network' % key
        subnet = net.get('subnet')
        if isinstance(subnet, str):
            try:
                network = ipaddress.IPv4Network(subnet, strict=False)
            except ValueError:
                network = None
            if network is not None:
                if str(network) != subnet:
                    errors.append('%s.subnet: %s has host bits set; use %s' % (path, subnet, network))
                if network.prefixlen > 29:
                    errors.append('%s.subnet: %s is too small; use a /29 or larger' % (path, subnet))
                for other_key, (other, other_path) in sorted(subnets.items()):
                    if network.overlaps(other):
                        errors.append(
                            '%s.subnet: %s overlaps %s.subnet %s of cluster %r'
                            % (path, subnet, other_path, other, other_key)
                        )
                subnets[key] = (network, path)
        bridge = net.get('bridge')
        if isinstance(bridge, str):
            if len(bridge) > BRIDGE_MAX_LEN:
                errors.append(
                    '%s.bridge: %r is %d characters; Linux interface names have at most %d'
                    % (path, bridge, len(bridge), BRIDGE_MAX_LEN)
                )
            if bridge in bridges:
                errors.append('%s.bridge: %r is already used by %s.bridge' % (path, bridge, bridges[bridge]))
            else:
                bridges[bridge] = path
    for key, cluster in sorted(clusters.items()):
        k8s = _get(cluster, 'kubernetes_config')
        for field in ('pod_subnet', 'service_subnet'):
            value = _get(k8s, field)
            try:
                inner = ipaddress.IPv4Network(value, strict=False) if isinstance(value, str) else None
            except ValueError:
                inner = None
            if inner is not None:
                for other_key, (other, other_path) in sorted(subnets.items()):
                    if inner.overlaps(other):
                        errors.append(
                            'clusters.%s.kubernetes_config.%s: %s overlaps %s.subnet %s'
                            % (key, field, value, other_path, other)
                        )

    ips = {}
    macs = {}
    names = {}
    pci_users = {}  # pci address -> [(cluster, path, shared)]
    vgpu_parents = {}
    for key, role, index, path, node, ip in iter_nodes(data):
        field = 'ip_address' if role in ('controller', 'control_plane') else 'ip'
        where = '%s.%s' % (path, field)
        if role == 'cpu_worker':
            where = '%s.ip_range' % path
        address = _ip(ip)
        if address is not None:
            net = subnets.get(key, (None, None))[0]
            if net is not None:
                if address not in net:
                    errors.append('%s: %s is outside subnet %s' % (where, ip, net))
                elif address == net.network_address:
                    errors.append('%s: %s is the network address of %s' % (where, ip, net))
                elif address == net.broadcast_address:
                    errors.append('%s: %s is the broadcast address of %s' % (where, ip, net))
                elif address == net.network_address + 1:
                    errors.append(
                        '%s: %s is the gateway of %s (libvirt takes the first host address for the '
                        'bridge)' % (where, ip, net)
                    )
            if ip in ips:
                errors.append('%s: %s is already used by %s' % (where, ip, ips[ip]))
            else:
                ips[ip] = where
            mac = mac_for_ip(ip)
            if mac in macs and macs[mac] != ip:
                errors.append(
                    '%s: %s would get the same MAC %s as %s; change the address' % (where, ip, mac, macs[mac])
                )
            macs.setdefault(mac, ip)
        name = node_name(key, clusters.get(key), role, index, node)
        if name in names:
            errors.append('%s: host name %r is already used by %s' % (path, name, names[name]))
        else:
            names[name] = path
        if role == 'cpu_worker':
            continue
        pt = node.get('pcie_passthrough')
        if isinstance(pt, dict):
            devices = _list(pt.get('devices'))
            if pt.get('enabled') is True and not devices:
                errors.append('%s.pcie_passthrough: enabled is true but no devices are listed' % path)
            for j, dev in enumerate(devices):
                if isinstance(dev, dict) and isinstance(dev.get('pci_address'), str):
                    pci_users.setdefault(dev['pci_address'].lower(), []).append(
                        (key, '%s.pcie_passthrough.devices[%d].pci_address' % (path, j), dev.get('shared') is True)
                    )
        for j, vg in enumerate(_list(node.get('vgpu'))):
            if isinstance(vg, dict) and isinstance(vg.get('parent'), str):
                vgpu_parents.setdefault(vg['parent'].lower(), '%s.vgpu[%d].parent' % (path, j))

    for address, users in sorted(pci_users.items()):
        if len(users) < 2:
            continue
        clusters_using = set(user[0] for user in users)
        shared_ok = all(user[2] for user in users) and len(clusters_using) == len(users)
        if not shared_ok:
            for where in [user[1] for user in users[1:]]:
                errors.append(
                    '%s: %s is already given to %s; mark it "shared: true" on both (one VM per cluster) '
                    'to share it between clusters' % (where, address, users[0][1])
                )
    for address, where in sorted(vgpu_parents.items()):
        if address in pci_users:
            errors.append(
                '%s: %s is passed through whole to %s, so it cannot also host vGPUs'
                % (where, address, pci_users[address][0][1])
            )

    errors.extend(_gpu_errors(data, pci_users))
    errors.extend(_slurm_errors(data, names))
    return errors


def _gpu_errors(data, pci_users):
    errors = []
    seen = {}
    for i, gpu in enumerate(_list(_get(data, 'global', 'gpus'))):
        if not isinstance(gpu, dict):
            continue
        path = 'global.gpus[%d]' % i
        address = gpu.get('pci_address')
        if isinstance(address, str):
            if address.lower() in seen:
                errors.append('%s.pci_address: %s is already listed at %s' % (path, address, seen[address.lower()]))
            seen.setdefault(address.lower(), path)
        model = gpu.get('model')
        mig = gpu.get('mig')
        if not isinstance(model, str) or not isinstance(mig, dict):
            continue
        if model not in model_names():
            errors.append(
                '%s.model: %r has no MIG profile table; known models: %s' % (path, model, ', '.join(model_names()))
            )
            continue
        # Profiles the schema already rejected are not checked again here.
        instances = [
            inst
            for inst in _list(mig.get('instances'))
            if isinstance(inst, dict) and MIG_PROFILE.match(str(inst.get('profile')))
        ]
        if mig.get('enabled') is True:
            layout = [{'profile': inst.get('profile'), 'count': inst.get('count', 1)} for inst in instances]
            problem = layout_fits(model, layout) if layout else None
            if problem:
                errors.append('%s.mig.instances: %s' % (path, problem))
            if isinstance(address, str) and address.lower() in pci_users:
                errors.append(
                    '%s.mig: %s is passed through whole to %s; a GPU bound to vfio-pci cannot be '
                    'partitioned on the host' % (path, address, pci_users[address.lower()][0][1])
                )
        elif instances:
            errors.append('%s.mig.instances: MIG is disabled, so no instances can be created' % path)
    return errors


def _slurm_errors(data, names):
    errors = []
    slurm = _get(data, 'clusters', 'hpc', 'slurm_config')
    if not isinstance(slurm, dict):
        return errors
    partitions = []
    for i, part in enumerate(_list(slurm.get('partitions'))):
        name = part if isinstance(part, str) else _get(part, 'name')
        if not isinstance(name, str):
            continue
        if name in partitions:
            errors.append('clusters.hpc.slurm_config.partitions[%d]: partition %r is listed twice' % (i, name))
        partitions.append(name)
        for j, host in enumerate(_list(_get(part, 'nodes'))):
            if host not in names:
                errors.append('clusters.hpc.slurm_config.partitions[%d].nodes[%d]: no node is named %r' % (i, j, host))
    default = slurm.get('default_partition')
    if isinstance(default, str) and partitions and default not in partitions:
        errors.append(
            'clusters.hpc.slurm_config.default_partition: %r is not one of the partitions %s'
            % (default, ', '.join(partitions))
        )
    qos = [q.get('name') for q in _list(slurm.get('qos')) if isinstance(q, dict)]
    for i, part in enumerate(_list(slurm.get('partitions'))):
        wanted = _get(part, 'default_qos')
        if isinstance(wanted, str) and wanted not in qos:
            errors.append(
                'clusters.hpc.slurm_config.partitions[%d].default_qos: %r is not defined under '
                'slurm_config.qos' % (i, wanted)
            )
    return errors


def validate(data):
    """Every problem in the document, schema first, one ``location: message`` string each."""
    return schema_errors(data) + semantic_errors(data)


def mac_for_ip(ip):
    """A stable locally administered MAC (QEMU's 52:54:00 prefix) from the low 24 bits of the address."""
    packed = _ip(ip).packed
    return '52:54:00:%02x:%02x:%02x' % (packed[1], packed[2], packed[3])


def node_name(key, cluster, role, index, node):
    if role != 'cpu_worker' and isinstance(node, dict) and node.get('name'):
        return node['name']
    suffix = ROLES[(key, role)][1]
    prefix = cluster_prefix(key, cluster if isinstance(cluster, dict) else {})
    if role in ('controller', 'control_plane'):
        return '%s-%s' % (prefix, suffix)
    return '%s-%s-%02d' % (prefix, suffix, index)


def _merged(defaults, given):
    out = dict(defaults)
    out.update(given or {})
    return out


def normalise(data):
    """The validated document with defaults filled in, and every VM expanded (see ``iter_nodes``).

    Returns a dict: ``global`` (defaults applied), ``clusters`` (key -> cluster settings without the node
    lists, plus ``key``, ``name``, and network facts), ``nodes`` (list, document order).
    """
    given = data.get('global') or {}
    glob = dict(DEFAULTS)
    glob.update(given)
    glob['hypervisor'] = _merged(DEFAULTS['hypervisor'], given.get('hypervisor'))
    glob['images'] = _merged(DEFAULTS['images'], given.get('images'))
    glob['gpus'] = given.get('gpus') or []

    clusters = {}
    for key, cluster in data['clusters'].items():
        network = ipaddress.IPv4Network(cluster['network']['subnet'])
        net = dict(cluster['network'])
        net.update(
            {
                'name': net.get('name') or 'hyperscaler-%s' % key,
                'domain': net.get('domain') or '%s.local' % cluster_prefix(key, cluster),
                'gateway': str(network.network_address + 1),
                'prefix': network.prefixlen,
                'netmask': str(network.netmask),
            }
        )
        settings = dict(
            (k, v)
            for k, v in cluster.items()
            if k not in ('controller', 'compute_nodes', 'control_plane', 'worker_nodes', 'network')
        )
        settings.update({'key': key, 'name': cluster_prefix(key, cluster), 'network': net})
        clusters[key] = settings

    nodes = []
    for key, role, index, path, node, ip in iter_nodes(data):
        group, image = ROLES[(key, role)][0], ROLES[(key, role)][2]
        spec = dict((k, v) for k, v in node.items() if k not in ('ip', 'ip_address', 'ip_range', 'count', 'name'))
        passthrough = spec.get('pcie_passthrough') or {'enabled': False}
        if not passthrough.get('enabled'):
            passthrough = {'enabled': False, 'devices': []}
        spec.update(
            {
                'name': node_name(key, data['clusters'][key], role, index, node),
                'cluster': key,
                'role': role,
                'group': group,
                'index': index,
                'ip': ip,
                'mac': mac_for_ip(ip),
                'image': image,
                'memory_mb': int(round(float(node['memory_gb']) * 1024)),
                'pcie_passthrough': passthrough,
                'vgpu': spec.get('vgpu') or [],
                'gpu': bool(
                    passthrough['devices']
                    and any(d.get('device_type') == 'gpu' for d in passthrough['devices'])
                    or spec.get('vgpu')
                ),
                'source': path,
            }
        )
        nodes.append(spec)
    return {
        'version': data['version'],
        'metadata': data.get('metadata') or {},
        'global': glob,
        'clusters': clusters,
        'nodes': nodes,
    }


def load_cluster(path):
    """Read, validate and normalise a cluster.yaml; raise ConfigError with every problem."""
    data = load_file(path)
    errors = validate(data)
    if errors:
        raise ConfigError(errors)
    return normalise(data)
