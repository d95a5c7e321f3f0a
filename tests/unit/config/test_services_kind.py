"""The services kind: nodes on every cluster network, and which node runs which shared service."""

import copy

import pytest
import yaml

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_spec as spec


def _doc(*nodes):
    node = {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 4}
    return {
        'version': '1.0',
        'clusters': {
            'hpc': {
                'network': {'subnet': '192.168.150.0/24', 'bridge': 'hsw-hpc0'},
                'controller': dict(node, ip_address='192.168.150.10'),
                'compute_nodes': [dict(node, ip='192.168.150.11')],
            },
            'cloud': {
                'network': {'subnet': '192.168.160.0/24', 'bridge': 'hsw-cloud0'},
                'control_plane': dict(node, ip_address='192.168.160.10'),
            },
            'services': {
                'network': {'subnet': '192.168.170.0/24', 'bridge': 'hsw-svc0'},
                'nodes': [dict(node, **extra) for extra in nodes] or [dict(node, ip='192.168.170.10')],
            },
        },
    }


def test_one_node_runs_every_service_and_sits_on_every_cluster_network():
    doc = _doc()
    assert spec.validate(doc) == []
    model = spec.normalise(doc)
    assert model['clusters']['services']['placement'] == {
        'postgresql': 'services-node-01',
        'object_store': 'services-node-01',
    }
    node = [n for n in model['nodes'] if n['cluster'] == 'services'][0]
    assert (node['name'], node['group'], node['image']) == ('services-node-01', 'services_nodes', 'services-node')
    assert [(nic['network'], nic['ip']) for nic in node['nics']] == [
        ('hyperscaler-services', '192.168.170.10'),
        ('hyperscaler-cloud', '192.168.160.254'),
        ('hyperscaler-hpc', '192.168.150.254'),
    ]
    # The other clusters' nodes stay on their own network only.
    assert all(len(n['nics']) == 1 for n in model['nodes'] if n['cluster'] != 'services')


def test_nodes_split_the_services_and_the_second_node_takes_the_next_address():
    doc = _doc({'ip': '192.168.170.10', 'services': ['postgresql']}, {'ip': '192.168.170.11'})
    assert spec.validate(doc) == []
    model = spec.normalise(doc)
    assert model['clusters']['services']['placement'] == {
        'postgresql': 'services-node-01',
        'object_store': 'services-node-02',
    }
    second = [n for n in model['nodes'] if n['name'] == 'services-node-02'][0]
    assert second['nics'][2]['ip'] == '192.168.150.253'


def test_an_explicit_address_on_another_network_is_used():
    doc = _doc({'ip': '192.168.170.10', 'addresses': {'hpc': '192.168.150.50'}})
    assert spec.validate(doc) == []
    node = [n for n in spec.normalise(doc)['nodes'] if n['cluster'] == 'services'][0]
    assert node['nics'][2] == {
        'cluster': 'hpc',
        'network': 'hyperscaler-hpc',
        'ip': '192.168.150.50',
        'mac': '52:54:00:a8:96:32',
    }


@pytest.mark.parametrize(
    'nodes, error',
    [
        (
            [{'ip': '192.168.170.10', 'addresses': {'hpc': '192.168.150.11'}}],
            'clusters.services.nodes[0].addresses.hpc: 192.168.150.11 is already used by clusters.hpc.compute_nodes[0].ip',
        ),
        (
            [{'ip': '192.168.170.10', 'addresses': {'hpc': '192.168.160.77'}}],
            'clusters.services.nodes[0].addresses.hpc: 192.168.160.77 is outside subnet 192.168.150.0/24',
        ),
        (
            [{'ip': '192.168.170.10', 'addresses': {'hpc': '192.168.150.1'}}],
            'clusters.services.nodes[0].addresses.hpc: 192.168.150.1 is the gateway of 192.168.150.0/24 (libvirt '
            'takes the first host address for the bridge)',
        ),
        (
            [{'ip': '192.168.170.10', 'addresses': {'gpu': '192.168.150.9'}}],
            "clusters.services.nodes[0].addresses.gpu: cluster.yaml defines no cluster 'gpu' with a network",
        ),
        (
            [{'ip': '192.168.170.10', 'addresses': {'services': '192.168.170.11'}}],
            "clusters.services.nodes[0].addresses.services: this is the node's own network; its address there is ip",
        ),
        (
            [
                {'ip': '192.168.170.10', 'services': ['postgresql']},
                {'ip': '192.168.170.11', 'services': ['postgresql']},
            ],
            'clusters.services.nodes[1].services[0]: postgresql already runs on services-node-01; each service runs '
            'on one node',
        ),
        (
            [{'ip': '192.168.170.10'}, {'ip': '192.168.170.11'}],
            'clusters.services.nodes[1]: services-node-01 and services-node-02 both leave out services; list on each '
            'node what it runs',
        ),
    ],
)
def test_a_bad_services_cluster_is_refused_with_the_field(nodes, error):
    assert error in spec.validate(_doc(*nodes))


def test_a_default_address_taken_by_another_node_is_refused_at_its_field():
    doc = _doc()
    doc['clusters']['hpc']['compute_nodes'].append(
        {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 4, 'ip': '192.168.150.254'}
    )
    errors = spec.validate(doc)
    assert (
        'clusters.services.nodes[0].addresses.hpc: 192.168.150.254 is already used by clusters.hpc.compute_nodes[1].ip'
        in errors
    )


def test_an_unknown_service_is_a_schema_error():
    errors = spec.validate(_doc({'ip': '192.168.170.10', 'services': ['postgresql', 'ftp']}))
    assert any(e.startswith('clusters.services.nodes[0].services[1]:') and 'ftp' in e for e in errors), errors


def test_the_datacenter_example_is_the_default_hpc_cluster_plus_services(repo_root):
    default = yaml.safe_load((repo_root / 'config/cluster.yaml').read_text())
    datacenter = yaml.safe_load((repo_root / 'config/examples/datacenter.yaml').read_text())
    assert datacenter['clusters']['hpc'] == default['clusters']['hpc']
    assert sorted(datacenter['clusters']) == ['hpc', 'services']
    assert spec.validate(copy.deepcopy(datacenter)) == []
