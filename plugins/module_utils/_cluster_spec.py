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

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _debian_releases
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_kinds as kinds
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_schema import SCHEMA
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _gpu_models
from ansible_collections.hyperscaler.workstation.plugins.module_utils._mig_tables import layout_fits, model_names

BRIDGE_MAX_LEN = 15
MIG_PROFILE = re.compile(
    SCHEMA['$defs']['mig_layout']['properties']['instances']['items']['properties']['profile']['pattern']
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
        'suite': _debian_releases.DEFAULT_SUITE,
        'mirror': 'http://deb.debian.org/debian',
        'cache_dir': '/var/lib/hyperscaler/images',
    },
    'output_dir': '~/.local/state/hyperscaler-workstation',
    'ssh_user': 'ops',
    'timezone': 'UTC',
    'gpus': [],
}


class ConfigError(HyperscalerError):
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


def schema():
    """The JSON Schema with one ``clusters.<key>`` entry per registered kind (its ``$defs/<schema_def>``).

    schemas/cluster.schema.json lists the same entries for editors; a unit test keeps the two in step.
    """
    out = dict(SCHEMA)
    out['properties'] = dict(SCHEMA['properties'])
    out['properties']['clusters'] = dict(SCHEMA['properties']['clusters'])
    out['properties']['clusters']['properties'] = dict(
        (key, {'$ref': '#/$defs/%s' % kind.schema_def}) for key, kind in kinds.KINDS.items()
    )
    return out


def schema_errors(data):
    if not HAS_JSONSCHEMA:
        return ['(top level): the Python package jsonschema is required to validate cluster.yaml']
    validator = jsonschema.Draft202012Validator(schema())
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


_get = kinds.dig
_list = kinds.as_list


def cluster_prefix(key, cluster):
    name = cluster.get('name') if isinstance(cluster, dict) else None
    return name if isinstance(name, str) and name else key


def iter_nodes(data):
    """Yield (cluster key, NodeRole, index, document path, node dict, ip) for every VM the file describes.

    The node roles come from the kind registry (``_cluster_kinds``); pools (count + ip_range) are expanded
    here. Robust to partly invalid input: what cannot be read is skipped.
    """
    clusters = _get(data, 'clusters')
    for key, cluster in (clusters.items() if isinstance(clusters, dict) else ()):
        kind = kinds.get(key)
        if kind is None or not isinstance(cluster, dict):
            continue
        for role in kind.roles:
            path = 'clusters.%s.%s' % (key, role.field)
            value = _get(cluster, *role.field.split('.'))
            if role.shape == kinds.SINGLE and isinstance(value, dict):
                yield key, role, 1, path, value, value.get(role.address)
            elif role.shape == kinds.LIST:
                for i, node in enumerate(_list(value)):
                    if isinstance(node, dict):
                        yield key, role, i + 1, '%s[%d]' % (path, i), node, node.get(role.address)
            elif role.shape == kinds.POOL and isinstance(value, dict):
                for i, ip in enumerate(expand_ip_range(value.get(role.address), value.get('count'))):
                    yield key, role, i + 1, path, value, ip


def _range_ends(ip_range):
    """(first, last or None) addresses of ``a.b.c.d`` or ``a.b.c.d-a.b.c.e``; (None, None) when unreadable."""
    if not isinstance(ip_range, str):
        return None, None
    parts = ip_range.split('-')
    return _ip(parts[0]), (_ip(parts[1]) if len(parts) == 2 else None)


def expand_ip_range(ip_range, count):
    """``a.b.c.d`` or ``a.b.c.d-a.b.c.e`` plus a count -> list of addresses (strings), at most up to the end."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return []
    start, end = _range_ends(ip_range)
    if start is None:
        return []
    last = int(end) if end is not None else 0xFFFFFFFF
    return [str(start + i) for i in range(count) if int(start) + i <= last]


def _pool_errors(where, pool):
    """A pool's ip_range must be readable and hold ``count`` addresses."""
    ip_range, count = pool.get('ip_range'), pool.get('count')
    if not isinstance(ip_range, str) or not isinstance(count, int) or isinstance(count, bool):
        return []
    parts = ip_range.split('-')
    start, end = _range_ends(ip_range)
    if start is None or len(parts) > 2 or (len(parts) == 2 and end is None):
        return ['%s: %r is not an address or a range of two addresses' % (where, ip_range)]
    if end is not None and end < start:
        return ['%s: %s ends before it starts' % (where, ip_range)]
    size = (int(end) - int(start) + 1) if end is not None else 0xFFFFFFFF - int(start) + 1
    if size < count:
        return [
            '%s: %s holds %d address%s but count is %d; widen the range or lower count'
            % (where, ip_range, size, '' if size == 1 else 'es', count)
        ]
    return []


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
        for role in kinds.get(key).roles if kinds.get(key) and isinstance(cluster, dict) else ():
            pool = _get(cluster, *role.field.split('.'))
            if role.shape == kinds.POOL and isinstance(pool, dict):
                errors.extend(_pool_errors('clusters.%s.%s.%s' % (key, role.field, role.address), pool))

    ips = {}
    macs = {}
    names = {}
    pci_users = {}  # pci address -> [(cluster, path, shared)]
    vgpu_parents = {}
    for key, role, index, path, node, ip in iter_nodes(data):
        addresses = [('%s.%s' % (path, role.address), key, ip)]
        for other, other_ip in sorted(other_addresses(data, key, role, index, node).items()):
            where = '%s.addresses.%s' % (path, other)
            if other == key:
                errors.append('%s: this is the node\'s own network; its address there is %s' % (where, role.address))
            elif other not in subnets:
                errors.append('%s: cluster.yaml defines no cluster %r with a network' % (where, other))
            else:
                addresses.append((where, other, other_ip))
        for where, net_key, address_text in addresses:
            errors.extend(_address_errors(where, address_text, subnets.get(net_key, (None, None))[0], ips, macs))
        name = node_name(key, clusters.get(key), role, index, node)
        if name in names:
            errors.append('%s: host name %r is already used by %s' % (path, name, names[name]))
        else:
            names[name] = path
        if role.shape == kinds.POOL:
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
                if isinstance(dev, dict) and isinstance(dev.get('mig'), dict):
                    errors.extend(_guest_mig_errors('%s.pcie_passthrough.devices[%d]' % (path, j), dev))
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
    context = {'subnets': subnets, 'names': names, 'node_name': _namer(clusters)}
    for key, cluster in sorted(clusters.items()):
        kind = kinds.get(key)
        for rule in kind.rules if kind else ():
            errors.extend(rule(key, cluster, context))
    return errors


def _address_errors(where, ip, net, ips, macs):
    """An address must sit inside its network, be no network/broadcast/gateway address, and be used (and give a
    MAC) once; ``ips`` and ``macs`` record the addresses seen so far."""
    address = _ip(ip)
    if address is None:
        return []
    errors = []
    if net is not None:
        if address not in net:
            errors.append('%s: %s is outside subnet %s' % (where, ip, net))
        elif address == net.network_address:
            errors.append('%s: %s is the network address of %s' % (where, ip, net))
        elif address == net.broadcast_address:
            errors.append('%s: %s is the broadcast address of %s' % (where, ip, net))
        elif address == net.network_address + 1:
            errors.append(
                '%s: %s is the gateway of %s (libvirt takes the first host address for the bridge)' % (where, ip, net)
            )
    if ip in ips:
        errors.append('%s: %s is already used by %s' % (where, ip, ips[ip]))
    else:
        ips[ip] = where
    mac = mac_for_ip(ip)
    if mac in macs and macs[mac] != ip:
        errors.append('%s: %s would get the same MAC %s as %s; change the address' % (where, ip, mac, macs[mac]))
    macs.setdefault(mac, ip)
    return errors


def _namer(clusters):
    """node_name(key, role, index, node) over the document's clusters (what kind rules and settings call)."""
    return lambda key, role, index, node: node_name(key, clusters.get(key), role, index, node)


def other_addresses(data, key, role, index, node):
    """{cluster key: address} of a node on the other cluster networks its role joins (NodeRole.networks).

    The node's ``addresses.<key>`` where given, else the network's last host address for the first node of the
    role, the one before it for the second, and so on. Robust to invalid input (unreadable networks are left out).
    """
    if role.networks != kinds.ALL_NETWORKS or not isinstance(node, dict):
        return {}
    given = node.get('addresses') if isinstance(node.get('addresses'), dict) else {}
    out = dict(given)
    clusters = _get(data, 'clusters')
    for other, cluster in sorted(clusters.items() if isinstance(clusters, dict) else ()):
        if other == key or other in out or kinds.get(other) is None:
            continue
        try:
            network = ipaddress.IPv4Network(_get(cluster, 'network', 'subnet'))
        except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError, TypeError):
            continue
        out[other] = str(network.broadcast_address - index)
    return out


def _layout_errors(path, model, mig):
    """The ``<path>.mig.instances`` problem of a MIG layout on a ``model`` (profiles the schema already rejected
    are not checked again)."""
    layout = [
        {'profile': inst.get('profile'), 'count': inst.get('count', 1)}
        for inst in _list(mig.get('instances'))
        if isinstance(inst, dict) and MIG_PROFILE.match(str(inst.get('profile')))
    ]
    if mig.get('enabled') is not True:
        return ['%s.mig.instances: MIG is disabled, so no instances can be created' % path] if layout else []
    problem = layout_fits(model, layout) if layout else None
    return ['%s.mig.instances: %s' % (path, problem)] if problem else []


def _guest_mig_errors(path, dev):
    """A MIG layout for a passed-through device: a GPU whose board (device_id) has a MIG table, and a layout that
    fits it."""
    if dev.get('device_type') != 'gpu':
        return ['%s.mig: only a GPU (device_type: gpu) has MIG' % path]
    model = _gpu_models.mig_model(dev.get('device_id'))
    if model is None:
        return [
            '%s.mig: device_id %s is not a board with a MIG table in the GPU table; give the device_id of an '
            'A100, A30, H100, H200 or GH200 (lspci -nn shows it)' % (path, dev.get('device_id') or '(missing)')
        ]
    return _layout_errors(path, model, dev['mig'])


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
        errors.extend(_layout_errors(path, model, mig))
        if mig.get('enabled') is True:
            if isinstance(address, str) and address.lower() in pci_users:
                errors.append(
                    '%s.mig: %s is passed through whole to %s; a GPU bound to vfio-pci cannot be '
                    'partitioned on the host' % (path, address, pci_users[address.lower()][0][1])
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
    """The host name of a node: its own ``name``, else ``<cluster name>-<suffix>[-NN]`` (see NodeRole)."""
    if role.shape != kinds.POOL and isinstance(node, dict) and node.get('name'):
        return node['name']
    prefix = cluster_prefix(key, cluster if isinstance(cluster, dict) else {})
    if role.numbered:
        return '%s-%s-%02d' % (prefix, role.suffix, index)
    return '%s-%s' % (prefix, role.suffix)


_NODE_FIELDS_REPLACED = ('ip', 'ip_address', 'ip_range', 'count', 'name', 'addresses', 'services')


def _merged(defaults, given):
    out = dict(defaults)
    out.update(given or {})
    return out


def _node_nics(data, key, role, index, node, ip, clusters):
    """The node's NICs, [{cluster, network, ip, mac}]: its own cluster's network first, then the others its role
    joins (NodeRole.networks), by cluster key."""
    nics = [(key, ip)] + sorted(other_addresses(data, key, role, index, node).items())
    return [
        {'cluster': k, 'network': clusters[k]['network']['name'], 'ip': address, 'mac': mac_for_ip(address)}
        for k, address in nics
    ]


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
        skip = set(kinds.top_fields(kinds.get(key))) | set(['network'])
        settings = dict((k, v) for k, v in cluster.items() if k not in skip)
        settings.update({'key': key, 'name': cluster_prefix(key, cluster), 'network': net})
        if kinds.get(key).settings:
            settings.update(kinds.get(key).settings(key, cluster, _namer(data['clusters'])))
        clusters[key] = settings

    nodes = []
    vgpu_driver = glob['images'].get('vgpu_guest_driver')
    for key, role, index, path, node, ip in iter_nodes(data):
        # Fields that become other facts: the address, name and NICs; a services node's list (the placement).
        spec = dict((k, v) for k, v in node.items() if k not in _NODE_FIELDS_REPLACED)
        passthrough = spec.get('pcie_passthrough') or {'enabled': False}
        if not passthrough.get('enabled'):
            passthrough = {'enabled': False, 'devices': []}
        passthrough_gpu = any(d.get('device_type') == 'gpu' for d in passthrough['devices'])
        gpu = bool(passthrough_gpu or spec.get('vgpu'))
        spec.update(
            {
                'name': node_name(key, data['clusters'][key], role, index, node),
                'cluster': key,
                'role': role.name,
                'group': role.group,
                'index': index,
                'ip': ip,
                'mac': mac_for_ip(ip),
                'image': role.image_for(passthrough_gpu, bool(spec.get('vgpu') and vgpu_driver)),
                'nics': _node_nics(data, key, role, index, node, ip, clusters),
                'memory_mb': int(round(float(node['memory_gb']) * 1024)),
                'pcie_passthrough': passthrough,
                'vgpu': spec.get('vgpu') or [],
                'gpu': gpu,
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
