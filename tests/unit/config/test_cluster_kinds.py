"""The kind registry: it alone decides node roles, host names, groups, images and kind rules."""

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_kinds as kinds
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_select as select
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_spec as spec
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_schema import SCHEMA


@pytest.fixture
def toy(monkeypatch):
    """A third kind, registered in-process, with its schema section (what adding a kind takes)."""
    kind = kinds.ClusterKind(
        key='toy',
        schema_def='toy_cluster',
        roles=(
            kinds.NodeRole('head', 'head', kinds.SINGLE, 'ip_address', 'toy_head', 'head', 'hpc-controller'),
            kinds.NodeRole('pool', 'pools.small', kinds.POOL, 'ip_range', 'toy_pool', 'small', 'cloud-node'),
            kinds.NodeRole(
                'hub', 'hubs', kinds.LIST, 'ip', 'toy_hubs', 'hub', 'hpc-compute', networks=kinds.ALL_NETWORKS
            ),
        ),
        groups=(('toy', ('toy_head', 'toy_members')), ('toy_members', ('toy_pool', 'toy_hubs'))),
        rules=(lambda key, cluster, ctx: ['clusters.%s: toy rule saw %d names' % (key, len(ctx['names']))],),
        description='a toy',
    )
    defs = dict(SCHEMA['$defs'])
    defs['toy_cluster'] = {
        '$ref': '#/$defs/cluster_common',
        'unevaluatedProperties': False,
        'required': ['head'],
        'properties': {
            'head': {'$ref': '#/$defs/head_node'},
            'pools': {'type': 'object', 'properties': {'small': {'type': 'object'}}},
            'hubs': {'type': 'array', 'items': {'$ref': '#/$defs/node_with_ip'}},
        },
    }
    monkeypatch.setitem(SCHEMA, '$defs', defs)
    kinds.register(kind)
    yield kind
    kinds.unregister('toy')


def _toy_doc():
    node = {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 4}
    return {
        'version': '1.0',
        'clusters': {
            'hpc': {
                'network': {'subnet': '192.168.150.0/24', 'bridge': 'hsw-hpc0'},
                'controller': dict(node, ip_address='192.168.150.10'),
                'compute_nodes': [dict(node, ip='192.168.150.11')],
            },
            'toy': {
                'network': {'subnet': '192.168.177.0/24', 'bridge': 'hsw-toy0'},
                'head': dict(node, ip_address='192.168.177.10'),
                'pools': {'small': dict(node, count=2, ip_range='192.168.177.20-192.168.177.29')},
                'hubs': [dict(node, ip='192.168.177.30')],
            },
        },
    }


def test_a_registered_kind_is_validated_normalised_and_named(toy):
    doc = _toy_doc()
    assert spec.validate(doc) == ['clusters.toy: toy rule saw 6 names']
    model = spec.normalise(doc)
    toy_nodes = [n for n in model['nodes'] if n['cluster'] == 'toy']
    assert [(n['name'], n['group'], n['image'], n['ip']) for n in toy_nodes] == [
        ('toy-head', 'toy_head', 'hpc-controller', '192.168.177.10'),
        ('toy-small-01', 'toy_pool', 'cloud-node', '192.168.177.20'),
        ('toy-small-02', 'toy_pool', 'cloud-node', '192.168.177.21'),
        ('toy-hub-01', 'toy_hubs', 'hpc-compute', '192.168.177.30'),
    ]
    # A hub joins every cluster network, its own first (on the others at their last host address by default,
    # each with a MAC of its own); the others only their own.
    assert toy_nodes[3]['nics'] == [
        {'cluster': 'toy', 'network': 'hyperscaler-toy', 'ip': '192.168.177.30', 'mac': '52:54:00:a8:b1:1e'},
        {'cluster': 'hpc', 'network': 'hyperscaler-hpc', 'ip': '192.168.150.254', 'mac': '52:54:00:a8:96:fe'},
    ]
    assert [nic['network'] for nic in toy_nodes[0]['nics']] == ['hyperscaler-toy']
    # Node fields are not cluster settings.
    assert set(model['clusters']['toy']) == {'key', 'name', 'network'}


def test_a_registered_kind_gets_the_generic_rules_with_paths(toy):
    doc = _toy_doc()
    doc['clusters']['toy']['hubs'][0]['ip'] = '192.168.150.11'
    doc['clusters']['toy']['head']['colour'] = 'red'
    errors = spec.validate(doc)
    assert "clusters.toy.head: unknown field 'colour'" in errors
    assert 'clusters.toy.hubs[0].ip: 192.168.150.11 is outside subnet 192.168.177.0/24' in errors
    assert 'clusters.toy.hubs[0].ip: 192.168.150.11 is already used by clusters.hpc.compute_nodes[0].ip' in errors


def test_an_unregistered_kind_is_an_unknown_field():
    doc = _toy_doc()
    assert "clusters: unknown field 'toy'" in spec.validate(doc)


def test_the_json_schema_lists_exactly_the_registered_kinds():
    clusters = SCHEMA['properties']['clusters']['properties']
    assert clusters == {key: {'$ref': '#/$defs/%s' % k.schema_def} for key, k in kinds.KINDS.items()}
    for kind in kinds.KINDS.values():
        assert kind.schema_def in SCHEMA['$defs']


def test_every_role_field_exists_in_its_schema_section():
    for kind in kinds.KINDS.values():
        for role in kind.roles:
            section = SCHEMA['$defs'][kind.schema_def]
            for part in role.field.split('.'):
                assert part in section['properties'], (kind.key, role.field)
                section = section['properties'][part]


def test_groups_of_the_registry_cover_every_role():
    for kind in kinds.KINDS.values():
        reachable, todo = set(), [kind.key]
        tree = dict(kind.groups)
        while todo:
            group = todo.pop()
            reachable.add(group)
            todo.extend(tree.get(group, ()))
        assert {r.group for r in kind.roles} <= reachable, kind.key


def test_image_types_are_those_image_builder_builds(repo_root):
    import yaml

    defaults = yaml.safe_load((repo_root / 'roles/image_builder/defaults/main.yml').read_text())
    assert set(kinds.image_types()) <= set(defaults['image_builder_packages'])


@pytest.mark.parametrize(
    'wanted, expected',
    [('all', ['hpc', 'cloud']), (None, ['hpc', 'cloud']), ('cloud', ['cloud']), ('cloud,hpc', ['hpc', 'cloud'])],
)
def test_select_clusters(wanted, expected):
    assert select.select_clusters(['cloud', 'hpc'], wanted) == expected


@pytest.mark.parametrize('wanted', ['cloud', 'foo', 'hpc,foo', ''])
def test_select_clusters_refuses_what_the_file_does_not_define(wanted):
    with pytest.raises(select.SelectionError) as err:
        select.select_clusters(['hpc'], wanted, 'my.yaml')
    assert str(err.value) == (
        '-e cluster=%s: choose hpc, cloud, services or all, and a cluster that my.yaml defines (it defines hpc).'
        % wanted
    )


def test_images_of_nodes_keeps_first_use_order():
    nodes = [{'image': 'b'}, {'image': 'a'}, {'image': 'b'}, {}]
    assert select.images_of(nodes) == ['b', 'a']
