"""cluster.yaml rules: each schema and semantic rule, accepted and rejected, with the exact location."""

import ipaddress

import pathlib

import pytest
import yaml

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_spec as spec
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_spec import (
    ConfigError,
    load_cluster,
    load_text,
    normalise,
    validate,
)


def hpc(doc):
    return doc['clusters']['hpc']


def cloud(doc):
    return doc['clusters']['cloud']


def assert_only(doc, expected):
    """The document has exactly one problem and it reads `expected`."""
    assert validate(doc) == [expected]


# ---- the shipped files --------------------------------------------------------------------------------------


# the default config and every example shipped beside it
SHIPPED = ['config/cluster.yaml'] + sorted(
    'config/examples/' + p.name
    for p in (pathlib.Path(__file__).resolve().parents[3] / 'config' / 'examples').glob('*.yaml')
)


@pytest.mark.parametrize('path', SHIPPED)
def test_shipped_configs_are_valid(repo_root, path):
    model = load_cluster(str(repo_root / path))
    assert model['nodes']


def test_plan_example_is_the_plan_verbatim(repo_root):
    """The example in the project plan must validate unchanged: compare with the plan's YAML block."""
    plan = repo_root.parent / 'shared' / 'seed' / 'project-plan.md'
    if not plan.exists():
        pytest.skip('project plan not beside this checkout')
    text = plan.read_text()
    block = text.split('```yaml\n', 1)[1].split('```', 1)[0]
    ours = (repo_root / 'config' / 'examples' / 'multi-gpu.yaml').read_text()
    assert yaml.safe_load(block) == yaml.safe_load(ours)
    assert validate(yaml.safe_load(block)) == []


def test_default_config_fits_this_machine(repo_root):
    model = load_cluster(str(repo_root / 'config' / 'cluster.yaml'))
    names = [n['name'] for n in model['nodes']]
    assert names == ['hpc-controller', 'hpc-compute-01', 'hpc-compute-02']
    assert all(n['cpu_cores'] == 1 for n in model['nodes'])
    assert sum(n['memory_gb'] for n in model['nodes']) <= 4
    assert not any(n['gpu'] for n in model['nodes'])


# ---- YAML and top level -------------------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ConfigError) as err:
        load_text('version: "1.0"\nclusters:\n  hpc: network: x\n', 'c.yaml')
    assert err.value.errors == ['c.yaml line 3 column 15: YAML syntax error: mapping values are not allowed here']


@pytest.mark.parametrize('text', ['', '[]', '42'])
def test_document_must_be_a_mapping(text):
    with pytest.raises(ConfigError) as err:
        load_text(text, 'c.yaml')
    assert 'must be a mapping' in err.value.errors[0]


def test_missing_file_is_a_sentence(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_cluster(str(tmp_path / 'nope.yaml'))
    assert 'cannot read the file' in err.value.errors[0]


def test_required_top_level_fields():
    assert validate({}) == [
        "(top level): required field 'clusters' is missing",
        "(top level): required field 'version' is missing",
    ]


def test_unknown_version(multi_gpu):
    multi_gpu['version'] = '2.0'
    assert_only(multi_gpu, "version: '2.0' is not one of '1.0'")


def test_empty_clusters(multi_gpu):
    multi_gpu['clusters'] = {}
    assert_only(multi_gpu, 'clusters: needs at least one entry')


def test_unknown_cluster_kind(multi_gpu):
    multi_gpu['clusters']['hcp'] = multi_gpu['clusters'].pop('hpc')
    assert_only(multi_gpu, "clusters: unknown field 'hcp' (did you mean 'hpc'?)")


@pytest.mark.parametrize(
    'where, path',
    [
        (lambda d: hpc(d)['controller'], 'clusters.hpc.controller'),
        (lambda d: hpc(d)['compute_nodes'][1], 'clusters.hpc.compute_nodes[1]'),
        (lambda d: cloud(d)['worker_nodes']['cpu_workers'], 'clusters.cloud.worker_nodes.cpu_workers'),
        (lambda d: hpc(d)['network'], 'clusters.hpc.network'),
        (lambda d: hpc(d)['slurm_config'], 'clusters.hpc.slurm_config'),
        (lambda d: cloud(d)['kubernetes_config'], 'clusters.cloud.kubernetes_config'),
        (
            lambda d: hpc(d)['compute_nodes'][0]['pcie_passthrough']['devices'][0],
            'clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0]',
        ),
    ],
)
def test_typos_are_caught_everywhere(multi_gpu, where, path):
    where(multi_gpu)['colour'] = 4
    assert_only(multi_gpu, "%s: unknown field 'colour'" % path)


def test_typo_gets_a_suggestion(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][0]['memroy_gb'] = 4
    hpc(multi_gpu)['network']['brige'] = 'x'
    errors = validate(multi_gpu)
    assert "clusters.hpc.compute_nodes[0]: unknown field 'memroy_gb' (did you mean 'memory_gb'?)" in errors
    assert "clusters.hpc.network: unknown field 'brige' (did you mean 'bridge'?)" in errors


def test_missing_node_field(multi_gpu):
    del hpc(multi_gpu)['compute_nodes'][1]['ip']
    assert_only(multi_gpu, "clusters.hpc.compute_nodes[1]: required field 'ip' is missing")


# ---- formats and sizes --------------------------------------------------------------------------------------


@pytest.mark.parametrize('value', ['192.168.100.256', '192.168.100', 'abc', '1.2.3.4.5'])
def test_ipv4_format(multi_gpu, value):
    hpc(multi_gpu)['compute_nodes'][0]['ip'] = value
    errors = validate(multi_gpu)
    assert errors[0] == "clusters.hpc.compute_nodes[0].ip: %r is not an IPv4 address such as 192.168.100.10" % value


@pytest.mark.parametrize('value', ['192.168.100.0', '192.168.100.0/33', '192.168.100.0/24/1'])
def test_subnet_format(multi_gpu, value):
    hpc(multi_gpu)['network']['subnet'] = value
    assert validate(multi_gpu)[0].startswith('clusters.hpc.network.subnet: %r is not an IPv4 network' % value)


@pytest.mark.parametrize('value', ['65:00.0', '0000:65:00.8', '0000:6g:00.0', '0000:65:20.0'])
def test_pci_address_format(multi_gpu, value):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'][0]['pci_address'] = value
    assert_only(
        multi_gpu,
        "clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].pci_address: %r is not a "
        "PCI address DDDD:BB:SS.F such as 0000:65:00.0" % value,
    )


@pytest.mark.parametrize('field', ['vendor_id', 'device_id'])
@pytest.mark.parametrize('value', ['10d', '10dex', 'zzzz'])
def test_pci_ids_format(multi_gpu, field, value):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'][0][field] = value
    assert_only(
        multi_gpu,
        "clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].%s: %r is not four hex digits "
        "such as 10de" % (field, value),
    )


def test_device_type_enum(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'][0]['device_type'] = 'fpga'
    assert_only(
        multi_gpu,
        "clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].device_type: 'fpga' is not "
        "one of 'gpu', 'network', 'storage', 'other'",
    )


def test_iommu_group_non_negative(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'][0]['iommu_group'] = -1
    assert_only(multi_gpu, 'clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].iommu_group: -1 must be >= 0')


@pytest.mark.parametrize(
    'field, value, message',
    [
        ('memory_gb', 0, '0 must be > 0'),
        ('disk_gb', -5, '-5 must be > 0'),
        ('cpu_cores', 0, '0 must be >= 1'),
        ('cpu_cores', 1.5, "1.5 is not of type 'integer'"),
        ('memory_gb', 'lots', "'lots' is not of type 'number'"),
    ],
)
def test_sizes_positive(multi_gpu, field, value, message):
    hpc(multi_gpu)['controller'][field] = value
    assert_only(multi_gpu, 'clusters.hpc.controller.%s: %s' % (field, message))


def test_fractional_memory_is_fine(multi_gpu):
    hpc(multi_gpu)['controller']['memory_gb'] = 1.5
    assert validate(multi_gpu) == []
    assert normalise(multi_gpu)['nodes'][0]['memory_mb'] == 1536


def test_hypervisor_domain_type(multi_gpu):
    multi_gpu['global'] = {'hypervisor': {'domain_type': 'xen'}}
    assert_only(multi_gpu, "global.hypervisor.domain_type: 'xen' is not one of 'auto', 'kvm', 'qemu'")


def test_slurm_time_format(multi_gpu):
    hpc(multi_gpu)['slurm_config']['max_job_time'] = '1 day'
    assert_only(
        multi_gpu,
        "clusters.hpc.slurm_config.max_job_time: '1 day' is not a SLURM time such as 24:00:00 or 2-00:00:00",
    )


# ---- network rules ------------------------------------------------------------------------------------------


def test_ip_outside_subnet(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['ip'] = '192.168.201.12'
    assert_only(multi_gpu, 'clusters.hpc.compute_nodes[1].ip: 192.168.201.12 is outside subnet 192.168.100.0/24')


@pytest.mark.parametrize(
    'ip, what',
    [
        ('192.168.100.0', 'the network address of 192.168.100.0/24'),
        ('192.168.100.255', 'the broadcast address of 192.168.100.0/24'),
        ('192.168.100.1', 'the gateway of 192.168.100.0/24 (libvirt takes the first host address for the bridge)'),
    ],
)
def test_reserved_addresses(multi_gpu, ip, what):
    hpc(multi_gpu)['controller']['ip_address'] = ip
    assert_only(multi_gpu, 'clusters.hpc.controller.ip_address: %s is %s' % (ip, what))


def test_duplicate_ip(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['ip'] = '192.168.100.11'
    assert_only(
        multi_gpu,
        'clusters.hpc.compute_nodes[1].ip: 192.168.100.11 is already used by clusters.hpc.compute_nodes[0].ip',
    )


def test_cpu_worker_range_collides_with_gpu_worker(multi_gpu):
    cloud(multi_gpu)['worker_nodes']['cpu_workers']['count'] = 2  # .11 and .12; .12 is a GPU worker
    assert_only(
        multi_gpu,
        'clusters.cloud.worker_nodes.gpu_workers[0].ip: 192.168.200.12 is already used by '
        'clusters.cloud.worker_nodes.cpu_workers.ip_range',
    )


def test_cpu_worker_range_leaves_subnet(multi_gpu):
    workers = cloud(multi_gpu)['worker_nodes']['cpu_workers']
    workers['ip_range'] = '192.168.200.254'
    workers['count'] = 2
    assert validate(multi_gpu) == [
        'clusters.cloud.worker_nodes.cpu_workers.ip_range: 192.168.200.255 is the broadcast address of '
        '192.168.200.0/24'
    ]


def test_overlapping_subnets(multi_gpu):
    cloud(multi_gpu)['network']['subnet'] = '192.168.0.0/16'
    errors = validate(multi_gpu)
    assert (
        'clusters.hpc.network.subnet: 192.168.100.0/24 overlaps clusters.cloud.network.subnet 192.168.0.0/16 '
        "of cluster 'cloud'" in errors
    )


def test_subnet_host_bits(multi_gpu):
    hpc(multi_gpu)['network']['subnet'] = '192.168.100.5/24'
    assert_only(multi_gpu, 'clusters.hpc.network.subnet: 192.168.100.5/24 has host bits set; use 192.168.100.0/24')


def test_subnet_too_small(multi_gpu):
    hpc(multi_gpu)['network']['subnet'] = '192.168.100.8/30'
    errors = validate(multi_gpu)
    assert 'clusters.hpc.network.subnet: 192.168.100.8/30 is too small; use a /29 or larger' in errors


def test_bridge_name_length(multi_gpu):
    hpc(multi_gpu)['network']['bridge'] = 'virbr-hpc-cluster'
    assert_only(
        multi_gpu,
        "clusters.hpc.network.bridge: 'virbr-hpc-cluster' is 17 characters; Linux interface names have at most 15",
    )


def test_bridge_names_unique(multi_gpu):
    cloud(multi_gpu)['network']['bridge'] = 'virbr100'
    assert_only(multi_gpu, "clusters.hpc.network.bridge: 'virbr100' is already used by clusters.cloud.network.bridge")


def test_pod_subnet_overlap(multi_gpu):
    cloud(multi_gpu)['kubernetes_config']['pod_subnet'] = '192.168.100.0/23'
    errors = validate(multi_gpu)
    assert (
        'clusters.cloud.kubernetes_config.pod_subnet: 192.168.100.0/23 overlaps clusters.hpc.network.subnet '
        '192.168.100.0/24' in errors
    )


def test_every_error_is_reported(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['ip'] = '192.168.200.12'
    cloud(multi_gpu)['network']['bridge'] = 'virbr100'
    hpc(multi_gpu)['controller']['memroy_gb'] = 2
    errors = validate(multi_gpu)
    assert len(errors) == 4
    assert all(e.startswith('clusters.') for e in errors)


# ---- devices ------------------------------------------------------------------------------------------------


def test_passthrough_enabled_needs_devices(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'] = []
    assert_only(multi_gpu, 'clusters.hpc.compute_nodes[0].pcie_passthrough: enabled is true but no devices are listed')


def test_passthrough_disabled_without_devices_is_fine(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough'] = {'enabled': False}
    assert validate(multi_gpu) == []
    assert normalise(multi_gpu)['nodes'][1]['gpu'] is False


def test_pci_address_given_twice(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['pcie_passthrough']['devices'][0]['pci_address'] = '0000:65:00.0'
    assert_only(
        multi_gpu,
        'clusters.hpc.compute_nodes[1].pcie_passthrough.devices[0].pci_address: 0000:65:00.0 is '
        'already given to clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].pci_address; '
        'mark it "shared: true" on both (one VM per cluster) to share it between clusters',
    )


def test_pci_address_comparison_ignores_case(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['pcie_passthrough']['devices'][0]['pci_address'] = '0000:CA:00.0'
    assert len(validate(multi_gpu)) == 1


def _share(doc, address='0000:65:00.0'):
    first = hpc(doc)['compute_nodes'][0]['pcie_passthrough']['devices'][0]
    other = cloud(doc)['worker_nodes']['gpu_workers'][0]['pcie_passthrough']['devices'][0]
    other['pci_address'] = address
    return first, other


def test_shared_gpu_between_clusters_is_allowed(multi_gpu):
    first, other = _share(multi_gpu)
    first['shared'] = other['shared'] = True
    assert validate(multi_gpu) == []


def test_shared_needs_both_marks(multi_gpu):
    first = _share(multi_gpu)[0]
    first['shared'] = True
    assert len(validate(multi_gpu)) == 1


def test_shared_within_one_cluster_is_refused(multi_gpu):
    first = hpc(multi_gpu)['compute_nodes'][0]['pcie_passthrough']['devices'][0]
    second = hpc(multi_gpu)['compute_nodes'][1]['pcie_passthrough']['devices'][0]
    second['pci_address'] = first['pci_address']
    first['shared'] = second['shared'] = True
    assert len(validate(multi_gpu)) == 1


def test_vgpu_parent_passed_through(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['pcie_passthrough'] = {'enabled': False}
    hpc(multi_gpu)['compute_nodes'][1]['vgpu'] = [{'parent': '0000:65:00.0', 'type': 'nvidia-1024'}]
    assert_only(
        multi_gpu,
        'clusters.hpc.compute_nodes[1].vgpu[0].parent: 0000:65:00.0 is passed through whole to '
        'clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].pci_address, so it cannot also '
        'host vGPUs',
    )


def test_vgpu_node_is_a_gpu_node(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['pcie_passthrough'] = {'enabled': False}
    hpc(multi_gpu)['compute_nodes'][1]['vgpu'] = [{'parent': '0000:b1:00.0', 'type': 'nvidia-1024', 'count': 2}]
    assert validate(multi_gpu) == []
    assert normalise(multi_gpu)['nodes'][2]['gpu'] is True


# ---- MIG ----------------------------------------------------------------------------------------------------


def _mig(doc, model, instances, address='0000:b1:00.0', enabled=True):
    doc['global'] = {
        'gpus': [{'pci_address': address, 'model': model, 'mig': {'enabled': enabled, 'instances': instances}}]
    }


def test_mig_layout_that_fits(multi_gpu):
    _mig(multi_gpu, 'H100-80GB', [{'profile': '1g.10gb', 'count': 2}, {'profile': '3g.40gb'}, {'profile': '2g.20gb'}])
    assert validate(multi_gpu) == []


def test_mig_layout_too_big(multi_gpu):
    _mig(multi_gpu, 'H100-80GB', [{'profile': '4g.40gb', 'count': 2}])
    errors = validate(multi_gpu)
    assert len(errors) == 1 and errors[0].startswith('global.gpus[0].mig.instances: ')


def test_mig_profile_of_another_model(multi_gpu):
    _mig(multi_gpu, 'H200-141GB', [{'profile': '3g.40gb'}])
    errors = validate(multi_gpu)
    assert len(errors) == 1 and errors[0].startswith('global.gpus[0].mig.instances: ') and '3g.40gb' in errors[0]


def test_mig_unknown_model(multi_gpu):
    _mig(multi_gpu, 'RTX-4090', [{'profile': '1g.10gb'}])
    errors = validate(multi_gpu)
    assert len(errors) == 1 and errors[0].startswith("global.gpus[0].model: 'RTX-4090' has no MIG profile table")


def test_mig_profile_format(multi_gpu):
    _mig(multi_gpu, 'H100-80GB', [{'profile': 'half'}])
    assert_only(multi_gpu, "global.gpus[0].mig.instances[0].profile: 'half' is not a MIG profile such as 3g.40gb")


def test_mig_instances_while_disabled(multi_gpu):
    _mig(multi_gpu, 'H100-80GB', [{'profile': '1g.10gb'}], enabled=False)
    assert_only(multi_gpu, 'global.gpus[0].mig.instances: MIG is disabled, so no instances can be created')


def test_mig_on_a_passed_through_gpu(multi_gpu):
    _mig(multi_gpu, 'H100-80GB', [{'profile': '7g.80gb'}], address='0000:65:00.0')
    assert_only(
        multi_gpu,
        'global.gpus[0].mig: 0000:65:00.0 is passed through whole to '
        'clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0].pci_address; a GPU bound to '
        'vfio-pci cannot be partitioned on the host',
    )


def _guest_mig(doc, instances, enabled=True, device_id='2330', device_type='gpu'):
    """A MIG layout for the guest on the first compute node's passed-through GPU (multi-gpu.yaml: an RTX 4090)."""
    dev = doc['clusters']['hpc']['compute_nodes'][0]['pcie_passthrough']['devices'][0]
    dev.update(device_id=device_id, device_type=device_type, mig={'enabled': enabled, 'instances': instances})


GUEST_DEV = 'clusters.hpc.compute_nodes[0].pcie_passthrough.devices[0]'


def test_guest_mig_layout_on_a_passed_through_h100(multi_gpu):
    _guest_mig(multi_gpu, [{'profile': '3g.40gb'}, {'profile': '2g.20gb'}, {'profile': '1g.10gb', 'count': 2}])
    assert validate(multi_gpu) == []


def test_guest_mig_layout_too_big(multi_gpu):
    _guest_mig(multi_gpu, [{'profile': '4g.40gb', 'count': 2}])
    errors = validate(multi_gpu)
    assert len(errors) == 1 and errors[0].startswith(GUEST_DEV + '.mig.instances: ')


def test_guest_mig_on_a_board_without_mig(multi_gpu):
    _guest_mig(multi_gpu, [{'profile': '1g.10gb'}], device_id='2684')  # RTX 4090
    errors = validate(multi_gpu)
    assert len(errors) == 1
    assert errors[0].startswith(GUEST_DEV + '.mig: device_id 2684 is not a board with a MIG table')


def test_guest_mig_on_a_network_device(multi_gpu):
    _guest_mig(multi_gpu, [], device_type='network')
    assert_only(multi_gpu, GUEST_DEV + '.mig: only a GPU (device_type: gpu) has MIG')


def test_guest_mig_instances_while_disabled(multi_gpu):
    _guest_mig(multi_gpu, [{'profile': '1g.10gb'}], enabled=False)
    assert_only(multi_gpu, GUEST_DEV + '.mig.instances: MIG is disabled, so no instances can be created')


def test_gpu_listed_twice(multi_gpu):
    gpu = {'pci_address': '0000:b1:00.0', 'model': 'H100-80GB'}
    multi_gpu['global'] = {'gpus': [gpu, dict(gpu)]}
    assert_only(multi_gpu, 'global.gpus[1].pci_address: 0000:b1:00.0 is already listed at global.gpus[0]')


# ---- SLURM --------------------------------------------------------------------------------------------------


def test_default_partition_must_exist(multi_gpu):
    hpc(multi_gpu)['slurm_config']['default_partition'] = 'batch'
    assert_only(
        multi_gpu, "clusters.hpc.slurm_config.default_partition: 'batch' is not one of the partitions gpu, debug"
    )


def test_partition_listed_twice(multi_gpu):
    hpc(multi_gpu)['slurm_config']['partitions'] = ['gpu', {'name': 'gpu'}]
    assert_only(multi_gpu, "clusters.hpc.slurm_config.partitions[1]: partition 'gpu' is listed twice")


def test_partition_nodes_must_exist(multi_gpu):
    hpc(multi_gpu)['slurm_config']['partitions'] = [{'name': 'gpu', 'nodes': ['hpc-compute-01', 'hpc-compute-09']}]
    hpc(multi_gpu)['slurm_config']['default_partition'] = 'gpu'
    assert_only(multi_gpu, "clusters.hpc.slurm_config.partitions[0].nodes[1]: no node is named 'hpc-compute-09'")


def test_partition_default_qos_must_exist(multi_gpu):
    hpc(multi_gpu)['slurm_config']['partitions'] = [{'name': 'gpu', 'default_qos': 'high'}]
    assert_only(
        multi_gpu,
        "clusters.hpc.slurm_config.partitions[0].default_qos: 'high' is not defined under slurm_config.qos",
    )


def test_users_need_one_name_and_one_uid_each(multi_gpu):
    hpc(multi_gpu)['users'] = [{'name': 'alice', 'uid': 2001}, {'name': 'bob', 'uid': 2001}]
    assert_only(multi_gpu, "clusters.hpc.users[1].uid: 2001 is already used by users[0]")
    hpc(multi_gpu)['users'] = [{'name': 'alice', 'uid': 2001}, {'name': 'alice', 'uid': 2002}]
    assert_only(multi_gpu, "clusters.hpc.users[1].name: 'alice' is already used by users[0]")


def test_a_user_below_the_login_uid_range_is_refused_with_its_path(multi_gpu):
    hpc(multi_gpu)['users'] = [{'name': 'alice', 'uid': 10}]
    (error,) = validate(multi_gpu)
    assert error.startswith('clusters.hpc.users[0].uid: ') and '1000' in error


def test_partition_entry_shape(multi_gpu):
    hpc(multi_gpu)['slurm_config']['partitions'] = [['gpu']]
    assert_only(
        multi_gpu, "clusters.hpc.slurm_config.partitions[0]: ['gpu'] is neither a name nor a mapping with \"name\""
    )


# ---- names and expansion ------------------------------------------------------------------------------------


def test_host_names_and_groups(multi_gpu):
    nodes = normalise(multi_gpu)['nodes']
    assert [(n['name'], n['group'], n['image']) for n in nodes] == [
        ('hpc-controller', 'hpc_controller', 'hpc-controller'),
        # nodes with a passed-through GPU boot the image with the NVIDIA driver
        ('hpc-compute-01', 'hpc_compute', 'hpc-compute-gpu'),
        ('hpc-compute-02', 'hpc_compute', 'hpc-compute-gpu'),
        ('cloud-control-plane', 'cloud_control_plane', 'cloud-node'),
        ('cloud-cpu-worker-01', 'cloud_cpu_workers', 'cloud-node'),
        ('cloud-gpu-worker-01', 'cloud_gpu_workers', 'cloud-node-gpu'),
        ('cloud-gpu-worker-02', 'cloud_gpu_workers', 'cloud-node-gpu'),
    ]


def test_cluster_name_prefixes_hosts(multi_gpu):
    hpc(multi_gpu)['name'] = 'lab'
    hpc(multi_gpu)['compute_nodes'][1]['name'] = 'bignode'
    names = [n['name'] for n in normalise(multi_gpu)['nodes'][:3]]
    assert names == ['lab-controller', 'lab-compute-01', 'bignode']


def test_duplicate_host_name(multi_gpu):
    hpc(multi_gpu)['compute_nodes'][1]['name'] = 'hpc-compute-01'
    assert_only(
        multi_gpu,
        "clusters.hpc.compute_nodes[1]: host name 'hpc-compute-01' is already used by clusters.hpc.compute_nodes[0]",
    )


def test_cpu_workers_expand_from_range(multi_gpu):
    workers = cloud(multi_gpu)['worker_nodes']
    workers['cpu_workers'].update(count=3, ip_range='192.168.200.20-192.168.200.29')
    nodes = [n for n in normalise(multi_gpu)['nodes'] if n['role'] == 'cpu_worker']
    assert [(n['name'], n['ip']) for n in nodes] == [
        ('cloud-cpu-worker-01', '192.168.200.20'),
        ('cloud-cpu-worker-02', '192.168.200.21'),
        ('cloud-cpu-worker-03', '192.168.200.22'),
    ]


def test_macs_are_stable_and_distinct(multi_gpu):
    nodes = normalise(multi_gpu)['nodes']
    macs = [n['mac'] for n in nodes]
    assert len(set(macs)) == len(macs)
    assert nodes[0]['mac'] == '52:54:00:a8:64:0a'
    assert spec.mac_for_ip('192.168.100.10') == nodes[0]['mac']


def test_network_facts(multi_gpu):
    net = normalise(multi_gpu)['clusters']['hpc']['network']
    assert net == {
        'subnet': '192.168.100.0/24',
        'bridge': 'virbr100',
        'name': 'hyperscaler-hpc',
        'domain': 'hpc.local',
        'gateway': '192.168.100.1',
        'prefix': 24,
        'netmask': '255.255.255.0',
    }


def test_defaults_are_applied(multi_gpu):
    glob = normalise(multi_gpu)['global']
    assert glob['hypervisor']['uri'] == 'qemu:///system'
    assert glob['hypervisor']['domain_type'] == 'auto'
    assert glob['images']['backend'] == 'debootstrap'


def test_schema_copy_is_in_sync(repo_root):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(repo_root / 'tests' / 'tools' / 'sync_schema.py'), '--check'], check=True)


def test_schema_is_valid_2020_12():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(spec.SCHEMA)


# ---- rules added or covered both ways by the kind registry redesign --------------------------------------------


def test_cpu_worker_range_must_hold_count(multi_gpu):
    workers = cloud(multi_gpu)['worker_nodes']['cpu_workers']
    workers.update(count=3, ip_range='192.168.200.20-192.168.200.21')
    assert_only(
        multi_gpu,
        'clusters.cloud.worker_nodes.cpu_workers.ip_range: 192.168.200.20-192.168.200.21 holds 2 addresses but '
        'count is 3; widen the range or lower count',
    )
    # ... and the end of the range is honoured: no third worker appears past it.
    assert len([n for n in normalise(multi_gpu)['nodes'] if n['role'] == 'cpu_worker']) == 2


def test_cpu_worker_range_that_holds_count_is_fine(multi_gpu):
    cloud(multi_gpu)['worker_nodes']['cpu_workers'].update(count=2, ip_range='192.168.200.20-192.168.200.21')
    assert validate(multi_gpu) == []


@pytest.mark.parametrize(
    'ip_range, message',
    [
        ('192.168.200.29-192.168.200.20', '192.168.200.29-192.168.200.20 ends before it starts'),
        ('192.168.200.20-192.168.200', "'192.168.200.20-192.168.200' is not an address or a range of two addresses"),
    ],
)
def test_cpu_worker_range_shape(multi_gpu, ip_range, message):
    cloud(multi_gpu)['worker_nodes']['cpu_workers'].update(count=1, ip_range=ip_range)
    assert 'clusters.cloud.worker_nodes.cpu_workers.ip_range: ' + message in validate(multi_gpu)


def _two_clusters(hpc_subnet, cloud_subnet, hpc_ip, cloud_ip):
    node = {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 4}
    return {
        'version': '1.0',
        'clusters': {
            'hpc': {
                'network': {'subnet': hpc_subnet, 'bridge': 'hsw-a0'},
                'controller': dict(node, ip_address=hpc_ip),
                'compute_nodes': [dict(node, ip=str(ipaddress.IPv4Address(hpc_ip) + 1))],
            },
            'cloud': {
                'network': {'subnet': cloud_subnet, 'bridge': 'hsw-b0'},
                'control_plane': dict(node, ip_address=cloud_ip),
            },
        },
    }


def test_addresses_that_would_share_a_mac_are_refused():
    # The MAC comes from the low 24 bits: 192.168.150.10 and 10.168.150.10 collide.
    doc = _two_clusters('192.168.150.0/24', '10.168.150.0/24', '192.168.150.10', '10.168.150.10')
    assert_only(
        doc,
        'clusters.cloud.control_plane.ip_address: 10.168.150.10 would get the same MAC 52:54:00:a8:96:0a as '
        '192.168.150.10; change the address',
    )


def test_addresses_with_distinct_low_bits_get_distinct_macs():
    doc = _two_clusters('192.168.150.0/24', '10.168.150.0/24', '192.168.150.10', '10.168.150.20')
    assert validate(doc) == []
    macs = [n['mac'] for n in normalise(doc)['nodes']]
    assert len(set(macs)) == len(macs) == 3


def test_service_subnet_overlap(multi_gpu):
    cloud(multi_gpu)['kubernetes_config']['service_subnet'] = '192.168.200.128/25'
    assert_only(
        multi_gpu,
        'clusters.cloud.kubernetes_config.service_subnet: 192.168.200.128/25 overlaps clusters.cloud.network.subnet '
        '192.168.200.0/24',
    )


def test_service_and_pod_subnets_apart_from_the_networks_are_fine(multi_gpu):
    cloud(multi_gpu)['kubernetes_config'].update(pod_subnet='10.244.0.0/16', service_subnet='10.96.0.0/12')
    assert validate(multi_gpu) == []
