"""vm_provision's computations: network host entries and the capacity guardrail."""

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _provision_plan as plan


def _node(name, cluster='hpc', cores=1, memory_mb=1024, ip='192.168.150.10'):
    nics = [{'cluster': cluster, 'ip': ip, 'mac': 'm-' + name}]
    return {'name': name, 'cluster': cluster, 'cpu_cores': cores, 'memory_mb': memory_mb, 'ip': ip, 'nics': nics}


CLUSTERS = {'hpc': {'network': {'domain': 'hpc.local'}}, 'cloud': {'network': {'domain': 'cloud.local'}}}


def test_network_hosts_per_cluster():
    nodes = [_node('a'), _node('b', ip='192.168.150.11'), _node('c', cluster='cloud', ip='192.168.200.10')]
    out = plan.network_hosts(nodes, CLUSTERS)
    assert out['hpc']['dhcp'] == [
        {'mac': 'm-a', 'ip': '192.168.150.10', 'name': 'a'},
        {'mac': 'm-b', 'ip': '192.168.150.11', 'name': 'b'},
    ]
    assert out['cloud']['dns'] == [{'ip': '192.168.200.10', 'hostnames': ['c', 'c.cloud.local']}]


def test_a_node_on_several_networks_is_a_host_on_each_under_its_address_there():
    node = _node('svc', cluster='services', ip='192.168.160.10')
    node['nics'].append({'cluster': 'hpc', 'ip': '192.168.150.254', 'mac': 'm-svc-hpc'})
    clusters = dict(CLUSTERS, services={'network': {'domain': 'services.local'}})
    out = plan.network_hosts([node], clusters)
    assert out['services']['dhcp'] == [{'mac': 'm-svc', 'ip': '192.168.160.10', 'name': 'svc'}]
    assert out['hpc']['dns'] == [{'ip': '192.168.150.254', 'hostnames': ['svc', 'svc.hpc.local']}]
    assert out['cloud'] == {'dhcp': [], 'dns': []}
    # Networks outside ``clusters`` (not provisioned in this run) get no entries.
    assert sorted(plan.network_hosts([node], {'services': clusters['services']})) == ['services']


def test_network_hosts_keeps_an_empty_cluster():
    assert plan.network_hosts([], CLUSTERS) == {'hpc': {'dhcp': [], 'dns': []}, 'cloud': {'dhcp': [], 'dns': []}}


def test_capacity_fits_counts_running_vcpus_but_not_their_memory():
    running = [{'name': 'a', 'active': True, 'vcpus': 2}, {'name': 'off', 'active': False, 'vcpus': 8}]
    nodes = [_node('a', cores=2, memory_mb=4096), _node('b', cores=2, memory_mb=1000)]
    out = plan.capacity(nodes, running, 1, 2000, 4, 0.5)
    assert (out['vcpus_requested'], out['vcpu_limit'], out['memory_requested_mb'], out['memory_limit_mb']) == (
        4,
        4,
        1000,
        1000,
    )
    assert out['vms_to_start'] == ['b'] and out['fits'] and out['decision'] == 'start'


def test_capacity_blocks_and_force_is_recorded():
    nodes = [_node('a', cores=9)]
    assert plan.capacity(nodes, [], 2, 10000, 4, 0.9)['decision'] == 'blocked'
    forced = plan.capacity(nodes, [], 2, 10000, 4, 0.9, force=True)
    assert not forced['fits'] and forced['decision'] == 'forced'
    memory = plan.capacity([_node('a', memory_mb=9001)], [], 2, 10000, 4, 0.9)
    assert not memory['fits'] and memory['memory_limit_mb'] == 9000


def _domain(name, owned=True, network='hsw-hpc'):
    return {'name': name, 'owned': owned, 'labels': {'network': network, 'cluster': 'hpc'} if network else {}}


DOMAINS = [
    _domain('hpc-compute-02'),
    _domain('hpc-controller'),
    _domain('hpc-compute-01'),
    _domain('hpc-compute-03', owned=False),  # a user's own VM, named like ours
    _domain('other-compute-01', network='hsw-other'),  # another cluster.yaml's cluster, also key hpc
    _domain('hpc-old', network=None),  # marked by an older version, without labels
]


def test_a_node_removed_from_cluster_yaml_is_stale_and_nothing_foreign_is():
    nodes = [_node('hpc-controller'), _node('hpc-compute-01')]
    assert [d['name'] for d in plan.stale_domains(DOMAINS, ['hsw-hpc'], nodes)] == ['hpc-compute-02']
    everything = nodes + [_node('hpc-compute-02')]
    assert plan.stale_domains(DOMAINS, ['hsw-hpc'], everything) == []


def test_destroy_takes_the_clusters_owned_domains_by_label_or_node_name():
    nodes = [_node('hpc-controller'), _node('hpc-old'), _node('hpc-compute-03')]
    assert [d['name'] for d in plan.cluster_domains(DOMAINS, ['hsw-hpc'], nodes)] == [
        'hpc-compute-01',
        'hpc-compute-02',
        'hpc-controller',
        'hpc-old',
    ]
