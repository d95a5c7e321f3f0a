# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
# GENERATED from schemas/cluster.schema.json by tests/tools/sync_schema.py -- do not edit.
"""The cluster.yaml JSON Schema (draft 2020-12) as a Python value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCHEMA = {
    '$schema': 'https://json-schema.org/draft/2020-12/schema',
    '$id': 'https://github.com/hyperscaler/workstation/schemas/cluster.schema.json',
    'title': 'hyperscaler.workstation cluster.yaml',
    'description': 'One file describing the emulated HPC (SLURM) and cloud (Kubernetes) clusters, their VMs, networks and GPUs.',
    'type': 'object',
    'additionalProperties': False,
    'required': ['version', 'clusters'],
    'properties': {
        'version': {'type': 'string', 'enum': ['1.0'], 'description': 'Format version of this file.'},
        'metadata': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {'name': {'type': 'string', 'minLength': 1}, 'description': {'type': 'string'}},
        },
        'global': {'$ref': '#/$defs/global'},
        'clusters': {
            'type': 'object',
            'additionalProperties': False,
            'minProperties': 1,
            'properties': {
                'hpc': {'$ref': '#/$defs/hpc_cluster'},
                'cloud': {'$ref': '#/$defs/cloud_cluster'},
                'services': {'$ref': '#/$defs/services_cluster'},
            },
        },
    },
    '$defs': {
        'ipv4': {
            'type': 'string',
            'pattern': '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$',
            'x-hint': 'an IPv4 address such as 192.168.100.10',
        },
        'ipv4_cidr': {
            'type': 'string',
            'pattern': '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$',
            'x-hint': 'an IPv4 network in CIDR form such as 192.168.100.0/24',
        },
        'pci_address': {
            'type': 'string',
            'pattern': '^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]$',
            'x-hint': 'a PCI address DDDD:BB:SS.F such as 0000:65:00.0',
        },
        'hex4': {'type': 'string', 'pattern': '^[0-9a-fA-F]{4}$', 'x-hint': 'four hex digits such as 10de'},
        'hostname': {
            'type': 'string',
            'pattern': '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
            'x-hint': "a host name of lower-case letters, digits and '-'",
        },
        'size': {'type': 'number', 'exclusiveMinimum': 0},
        'global': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'hypervisor': {
                    'type': 'object',
                    'additionalProperties': False,
                    'description': 'Where and how the VMs run.',
                    'properties': {
                        'host': {
                            'type': 'string',
                            'default': 'localhost',
                            'description': 'Inventory name of the hypervisor; anything but localhost is reached over SSH.',
                        },
                        'ansible_host': {'type': 'string', 'description': 'Address for a remote hypervisor.'},
                        'ansible_user': {'type': 'string'},
                        'uri': {
                            'type': 'string',
                            'default': 'qemu:///system',
                            'pattern': '^[a-z+]+://',
                            'x-hint': 'a libvirt URI such as qemu:///system',
                        },
                        'domain_type': {'type': 'string', 'enum': ['auto', 'kvm', 'qemu'], 'default': 'auto'},
                        'storage_pool': {'type': 'string', 'default': 'hyperscaler', 'minLength': 1},
                        'storage_path': {'type': 'string', 'default': '/var/lib/libvirt/images/hyperscaler'},
                        'cpu_overcommit': {
                            'type': 'number',
                            'minimum': 1,
                            'default': 4,
                            'description': 'vCPUs allowed per host core.',
                        },
                        'memory_overcommit': {
                            'type': 'number',
                            'minimum': 0.1,
                            'maximum': 2,
                            'default': 0.9,
                            'description': "Share of the host's available memory that VMs may take.",
                        },
                    },
                },
                'images': {
                    'type': 'object',
                    'additionalProperties': False,
                    'properties': {
                        'backend': {'type': 'string', 'enum': ['debootstrap', 'packer'], 'default': 'debootstrap'},
                        'suite': {
                            'type': 'string',
                            'enum': ['bookworm', 'trixie'],
                            'default': 'trixie',
                            'description': 'Debian release of the golden images: trixie (Debian 13, Slurm 24.11) or bookworm (Debian 12, Slurm 22.05).',
                        },
                        'mirror': {'type': 'string', 'default': 'http://deb.debian.org/debian'},
                        'cache_dir': {'type': 'string', 'default': '/var/lib/hyperscaler/images'},
                        'vgpu_guest_driver': {
                            'type': 'string',
                            'pattern': '^/.*\\.deb$',
                            'x-hint': "the absolute path of NVIDIA's vGPU guest driver package (.deb) on the hypervisor",
                            'description': "NVIDIA's licensed vGPU guest driver (.deb): vGPU nodes boot an image with it.",
                        },
                    },
                },
                'output_dir': {
                    'type': 'string',
                    'description': 'Generated keys, state files and the mdev map.',
                    'default': '~/.local/state/hyperscaler-workstation',
                },
                'ssh_user': {'$ref': '#/$defs/hostname', 'default': 'ops'},
                'timezone': {'type': 'string', 'default': 'UTC'},
                'gpus': {
                    'type': 'array',
                    'description': 'Physical GPUs on the hypervisor that need host-side setup (MIG layouts).',
                    'items': {'$ref': '#/$defs/physical_gpu'},
                },
            },
        },
        'mig_layout': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['enabled'],
            'properties': {
                'enabled': {'type': 'boolean'},
                'instances': {
                    'type': 'array',
                    'items': {
                        'type': 'object',
                        'additionalProperties': False,
                        'required': ['profile'],
                        'properties': {
                            'profile': {
                                'type': 'string',
                                'pattern': '^[1-7]g\\.[0-9]+gb(\\+me)?$',
                                'x-hint': 'a MIG profile such as 3g.40gb',
                            },
                            'count': {'type': 'integer', 'minimum': 1, 'default': 1},
                        },
                    },
                },
            },
        },
        'physical_gpu': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['pci_address', 'model'],
            'properties': {
                'pci_address': {'$ref': '#/$defs/pci_address'},
                'model': {'type': 'string', 'description': 'GPU model with a MIG profile table, e.g. H100-80GB.'},
                'mig': {'$ref': '#/$defs/mig_layout'},
            },
        },
        'network': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['subnet', 'bridge'],
            'properties': {
                'subnet': {'$ref': '#/$defs/ipv4_cidr'},
                'bridge': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$', 'x-hint': 'a Linux interface name'},
                'name': {
                    'type': 'string',
                    'pattern': '^[A-Za-z0-9_.-]+$',
                    'description': 'libvirt network name (default: hyperscaler-<cluster>).',
                },
                'domain': {
                    'type': 'string',
                    'pattern': '^[a-z0-9.-]+$',
                    'description': 'DNS domain served on the network (default: <cluster>.local).',
                },
            },
        },
        'pcie_passthrough': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['enabled'],
            'properties': {
                'enabled': {'type': 'boolean'},
                'devices': {
                    'type': 'array',
                    'items': {
                        'type': 'object',
                        'additionalProperties': False,
                        'required': ['pci_address', 'device_type'],
                        'properties': {
                            'pci_address': {'$ref': '#/$defs/pci_address'},
                            'device_type': {'type': 'string', 'enum': ['gpu', 'network', 'storage', 'other']},
                            'vendor_id': {'$ref': '#/$defs/hex4'},
                            'device_id': {'$ref': '#/$defs/hex4'},
                            'iommu_group': {'type': 'integer', 'minimum': 0},
                            'shared': {
                                'type': 'boolean',
                                'default': False,
                                'description': 'This GPU is given to one VM in each cluster; only one of them may run at a time.',
                            },
                            'mig': {
                                '$ref': '#/$defs/mig_layout',
                                'description': "MIG layout the guest applies to this GPU (a passed-through GPU's MIG mode is the guest's).",
                            },
                        },
                    },
                },
            },
        },
        'vgpu': {
            'type': 'array',
            'description': 'vGPU mediated devices created on the host and given to this VM.',
            'items': {
                'type': 'object',
                'additionalProperties': False,
                'required': ['parent', 'type'],
                'properties': {
                    'parent': {'$ref': '#/$defs/pci_address'},
                    'type': {
                        'type': 'string',
                        'pattern': '^[A-Za-z0-9_.-]+$',
                        'x-hint': 'an mdev type such as nvidia-1024',
                    },
                    'count': {'type': 'integer', 'minimum': 1, 'default': 1},
                },
            },
        },
        'node_common': {
            'type': 'object',
            'required': ['cpu_cores', 'memory_gb', 'disk_gb'],
            'properties': {
                'name': {'$ref': '#/$defs/hostname'},
                'cpu_cores': {'type': 'integer', 'minimum': 1},
                'memory_gb': {'$ref': '#/$defs/size'},
                'disk_gb': {'$ref': '#/$defs/size'},
                'pcie_passthrough': {'$ref': '#/$defs/pcie_passthrough'},
                'vgpu': {'$ref': '#/$defs/vgpu'},
            },
        },
        'node_with_ip': {
            '$ref': '#/$defs/node_common',
            'unevaluatedProperties': False,
            'required': ['ip'],
            'properties': {'ip': {'$ref': '#/$defs/ipv4'}},
        },
        'head_node': {
            '$ref': '#/$defs/node_common',
            'unevaluatedProperties': False,
            'required': ['ip_address'],
            'properties': {'ip_address': {'$ref': '#/$defs/ipv4'}},
        },
        'slurm_config': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'partitions': {
                    'type': 'array',
                    'minItems': 1,
                    'items': {
                        'oneOf': [
                            {'type': 'string', 'pattern': '^[A-Za-z0-9_]+$'},
                            {
                                'type': 'object',
                                'additionalProperties': False,
                                'required': ['name'],
                                'properties': {
                                    'name': {'type': 'string', 'pattern': '^[A-Za-z0-9_]+$'},
                                    'nodes': {
                                        'type': 'array',
                                        'items': {'type': 'string'},
                                        'description': 'Host names; default all compute nodes (gpu partitions: those with GPUs).',
                                    },
                                    'max_time': {'type': 'string'},
                                    'default_qos': {'type': 'string'},
                                },
                            },
                        ]
                    },
                },
                'default_partition': {'type': 'string'},
                'max_job_time': {
                    'type': 'string',
                    'pattern': '^(UNLIMITED|INFINITE|([0-9]+-)?[0-9]+(:[0-9]{2}){0,2})$',
                    'x-hint': 'a SLURM time such as 24:00:00 or 2-00:00:00',
                },
                'version': {'type': 'string', 'description': 'Debian slurm-wlm version to pin.'},
                'slurm_conf': {
                    'type': 'object',
                    'description': 'slurm.conf settings (KEY: value) merged over the role defaults; null removes a key.',
                    'propertyNames': {'pattern': '^[A-Za-z][A-Za-z0-9]*$'},
                    'additionalProperties': {'type': ['string', 'integer', 'number', 'boolean', 'null']},
                },
                'qos': {
                    'type': 'array',
                    'items': {
                        'type': 'object',
                        'additionalProperties': False,
                        'required': ['name'],
                        'properties': {
                            'name': {'type': 'string', 'pattern': '^[A-Za-z0-9_]+$'},
                            'priority': {'type': 'integer', 'minimum': 0},
                            'max_wall': {'type': 'string'},
                            'max_tres_per_user': {
                                'type': 'string',
                                'description': 'MaxTRESPerUser, e.g. cpu=4,gres/gpu=1.',
                            },
                            'max_jobs_per_user': {
                                'type': 'integer',
                                'minimum': -1,
                                'description': 'MaxJobsPerUser (running at once); -1 for none.',
                            },
                            'max_submit_jobs_per_user': {
                                'type': 'integer',
                                'minimum': -1,
                                'description': 'MaxSubmitJobsPerUser (pending + running); -1 for none.',
                            },
                        },
                    },
                },
                'accounting': {
                    'type': 'object',
                    'additionalProperties': False,
                    'properties': {
                        'enabled': {'type': 'boolean', 'default': True},
                        'accounts': {
                            'type': 'array',
                            'items': {
                                'type': 'object',
                                'additionalProperties': False,
                                'required': ['name'],
                                'properties': {
                                    'name': {'type': 'string', 'pattern': '^[A-Za-z0-9_]+$'},
                                    'description': {'type': 'string'},
                                    'users': {'type': 'array', 'items': {'type': 'string'}},
                                },
                            },
                        },
                    },
                },
                'pam_slurm_adopt': {
                    'type': 'boolean',
                    'default': True,
                    'description': 'Users reach a compute node over SSH only while they have a job there (the automation account is exempt).',
                },
                'rest_api': {
                    'type': 'object',
                    'additionalProperties': False,
                    'description': 'slurmrestd on the controller with JWT authentication (tokens from scontrol token).',
                    'properties': {
                        'enabled': {'type': 'boolean', 'default': False},
                        'port': {'type': 'integer', 'minimum': 1, 'maximum': 65535, 'default': 6820},
                    },
                },
            },
        },
        'kubernetes_config': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'version': {
                    'type': 'string',
                    'pattern': '^1\\.3[3-5](\\.[0-9]+)?$',
                    'default': '1.35',
                    'x-hint': 'a Kubernetes minor from 1.33 to 1.35 (the last on containerd 1.7), or an exact version: 1.35 or 1.35.2',
                    'description': 'Kubernetes minor (selects the package repository) or exact version.',
                },
                'cni': {
                    'type': 'string',
                    'enum': ['calico', 'cilium', 'flannel', 'bridge'],
                    'description': 'Pod network: calico (default), cilium, flannel (pinned charts) or bridge (reference CNI plugins, offline).',
                },
                'ingress': {'type': 'string', 'enum': ['nginx', 'traefik', 'none']},
                'storage_class': {'type': 'string', 'enum': ['local-path', 'nfs', 'none']},
                'pod_subnet': {'$ref': '#/$defs/ipv4_cidr'},
                'service_subnet': {'$ref': '#/$defs/ipv4_cidr'},
                'gpu_operator': {'type': 'boolean'},
                'mig_strategy': {
                    'type': 'string',
                    'enum': ['none', 'single', 'mixed'],
                    'description': "How the NVIDIA device plugin advertises MIG devices (default: from the GPU workers' MIG layouts).",
                },
                'gpu_worker_taint': {
                    'type': 'boolean',
                    'default': True,
                    'description': 'Taint GPU workers nvidia.com/gpu=present:NoSchedule, so only pods that tolerate it land there.',
                },
                'package_repository': {
                    'type': 'string',
                    'pattern': '^(https?|file)://\\S+$',
                    'x-hint': 'an http(s) or file URL of an apt repository',
                    'description': 'Apt repository of kubeadm, kubelet, kubectl (default: pkgs.k8s.io of the minor), or a cache of it.',
                },
                'package_key_url': {
                    'type': 'string',
                    'pattern': '^(https?|file)://\\S+$',
                    'x-hint': 'an http(s) or file URL of an ASCII-armored OpenPGP key',
                    'description': "The repository's signing key (default: Release.key beside package_repository).",
                },
                'registry': {
                    'type': 'object',
                    'additionalProperties': False,
                    'description': "The cluster's registry (docker-registry on the hypervisor, at the cloud network's gateway).",
                    'properties': {
                        'enabled': {'type': 'boolean', 'default': True},
                        'port': {'type': 'integer', 'minimum': 1024, 'maximum': 65535, 'default': 5000},
                        'mirrors': {
                            'type': 'array',
                            'items': {
                                'type': 'string',
                                'pattern': '^[a-z0-9.-]+(:[0-9]+)?$',
                                'x-hint': 'a registry host name such as registry.k8s.io',
                            },
                            'description': 'Upstream registries containerd tries in the local one first, under their names (docs/kubernetes.md).',
                        },
                    },
                },
                'nfs': {
                    'type': 'object',
                    'additionalProperties': False,
                    'required': ['server', 'share'],
                    'description': 'The NFS export behind storage_class nfs (csi-driver-nfs).',
                    'properties': {
                        'server': {
                            'type': 'string',
                            'minLength': 1,
                            'x-hint': 'a host name or address the cloud nodes reach',
                        },
                        'share': {
                            'type': 'string',
                            'pattern': '^/',
                            'x-hint': 'an absolute exported path such as /srv/k8s',
                        },
                    },
                },
                'components': {
                    'type': 'object',
                    'description': 'Pins or mirrors of the upstream add-ons (docs/kubernetes.md lists them): version, url, sha256.',
                    'propertyNames': {
                        'enum': [
                            'helm',
                            'calico',
                            'cilium',
                            'flannel',
                            'gateway-api',
                            'traefik',
                            'nginx',
                            'local-path',
                            'nfs',
                            'gpu-operator',
                            'nvidia-device-plugin',
                            'metrics-server',
                        ]
                    },
                    'additionalProperties': {
                        'type': 'object',
                        'additionalProperties': False,
                        'properties': {
                            'version': {'type': 'string', 'pattern': '^v?[0-9]+(\\.[0-9]+)*$'},
                            'url': {
                                'type': 'string',
                                'pattern': '^(https?|file)://\\S+$',
                                'x-hint': 'an http(s) or file URL, e.g. of the offline cache',
                            },
                            'sha256': {'type': 'string', 'pattern': '^[0-9a-fA-F]{64}$', 'x-hint': '64 hex digits'},
                        },
                    },
                },
            },
        },
        'cluster_common': {
            'type': 'object',
            'required': ['network'],
            'properties': {
                'name': {
                    '$ref': '#/$defs/hostname',
                    'description': 'Prefix of the host names (default: the cluster key).',
                },
                'network': {'$ref': '#/$defs/network'},
            },
        },
        'hpc_cluster': {
            '$ref': '#/$defs/cluster_common',
            'unevaluatedProperties': False,
            'required': ['controller', 'compute_nodes'],
            'properties': {
                'controller': {'$ref': '#/$defs/head_node'},
                'compute_nodes': {'type': 'array', 'minItems': 1, 'items': {'$ref': '#/$defs/node_with_ip'}},
                'slurm_config': {'$ref': '#/$defs/slurm_config'},
                'users': {
                    'type': 'array',
                    'description': 'Login users, the same on every node of the cluster (NFS and munge need one UID/GID everywhere).',
                    'items': {
                        'type': 'object',
                        'additionalProperties': False,
                        'required': ['name', 'uid'],
                        'properties': {
                            'name': {
                                'type': 'string',
                                'pattern': '^[a-z_][a-z0-9_-]{0,31}$',
                                'x-hint': 'a lower-case login name',
                            },
                            'uid': {'type': 'integer', 'minimum': 1000, 'maximum': 59999},
                            'gid': {
                                'type': 'integer',
                                'minimum': 1000,
                                'maximum': 59999,
                                'description': 'Primary group (named like the user); default: the uid.',
                            },
                            'groups': {
                                'type': 'array',
                                'items': {'type': 'string'},
                                'description': 'Supplementary groups that exist on the nodes.',
                            },
                            'shell': {'type': 'string', 'default': '/bin/bash'},
                            'ssh_keys': {
                                'type': 'array',
                                'items': {'type': 'string', 'pattern': '^(ssh-|ecdsa-|sk-)'},
                                'description': 'Public keys allowed to log in as the user.',
                            },
                            'state': {
                                'enum': ['present', 'absent'],
                                'default': 'present',
                                'description': 'absent removes the account and its keys (not its home).',
                            },
                        },
                    },
                },
            },
        },
        'cloud_cluster': {
            '$ref': '#/$defs/cluster_common',
            'unevaluatedProperties': False,
            'required': ['control_plane'],
            'properties': {
                'control_plane': {'$ref': '#/$defs/head_node'},
                'worker_nodes': {
                    'type': 'object',
                    'additionalProperties': False,
                    'properties': {
                        'cpu_workers': {
                            'type': 'object',
                            'additionalProperties': False,
                            'required': ['count', 'cpu_cores', 'memory_gb', 'disk_gb', 'ip_range'],
                            'properties': {
                                'count': {'type': 'integer', 'minimum': 0},
                                'cpu_cores': {'type': 'integer', 'minimum': 1},
                                'memory_gb': {'$ref': '#/$defs/size'},
                                'disk_gb': {'$ref': '#/$defs/size'},
                                'ip_range': {
                                    'type': 'string',
                                    'pattern': '^[0-9.]+(-[0-9.]+)?$',
                                    'x-hint': 'the first address (192.168.200.11) or a range (192.168.200.11-192.168.200.20)',
                                },
                            },
                        },
                        'gpu_workers': {'type': 'array', 'items': {'$ref': '#/$defs/node_with_ip'}},
                    },
                },
                'kubernetes_config': {'$ref': '#/$defs/kubernetes_config'},
            },
        },
        'services_node': {
            '$ref': '#/$defs/node_common',
            'unevaluatedProperties': False,
            'required': ['ip'],
            'properties': {
                'ip': {'$ref': '#/$defs/ipv4'},
                'services': {
                    'type': 'array',
                    'minItems': 1,
                    'uniqueItems': True,
                    'items': {'type': 'string', 'enum': ['postgresql', 'object_store']},
                    'description': 'What this node runs (default: every service that no other node lists).',
                },
                'addresses': {
                    'type': 'object',
                    'additionalProperties': {'$ref': '#/$defs/ipv4'},
                    'description': "Its address on each other cluster network, by cluster key (default: the network's last host address, minus 1 per node).",
                },
            },
        },
        'services_cluster': {
            '$ref': '#/$defs/cluster_common',
            'unevaluatedProperties': False,
            'required': ['nodes'],
            'properties': {
                'nodes': {'type': 'array', 'minItems': 1, 'items': {'$ref': '#/$defs/services_node'}},
                'postgresql': {
                    'type': 'object',
                    'additionalProperties': False,
                    'properties': {
                        'backup_schedule': {
                            'type': 'string',
                            'minLength': 1,
                            'description': 'When pgBackRest backs up: a systemd calendar event (default: daily at 01:00).',
                        },
                        'backup_retention_full': {
                            'type': 'integer',
                            'minimum': 1,
                            'description': 'Full backups kept (default 2).',
                        },
                    },
                },
                'object_store': {
                    'type': 'object',
                    'additionalProperties': False,
                    'properties': {
                        'port': {
                            'type': 'integer',
                            'minimum': 1,
                            'maximum': 65535,
                            'description': "The S3 endpoint's port (default 8080).",
                        },
                        'buckets': {
                            'type': 'array',
                            'uniqueItems': True,
                            'items': {
                                'type': 'string',
                                'pattern': '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
                                'x-hint': 'an S3 bucket name: 3-63 lower-case letters, digits, dots and dashes',
                            },
                            'description': 'Buckets to create (default: mlflow-artifacts and datasets).',
                        },
                    },
                },
            },
        },
    },
}
