# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: cluster
short_description: Hosts and groups from a hyperscaler.workstation cluster.yaml
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Reads a C(cluster.yaml), validates it (JSON Schema and the semantic rules shared with
    M(hyperscaler.workstation.cluster_config_info)) and builds the inventory of the emulated datacenter.
  - Groups are C(hypervisor), C(hpc), C(hpc_controller), C(hpc_compute), C(cloud), C(cloud_control_plane),
    C(cloud_workers), C(cloud_cpu_workers), C(cloud_gpu_workers), C(services), C(services_nodes) and
    C(gpu_nodes).
  - The group C(unselected) holds the VMs of the clusters the extra variable C(cluster) leaves out
    (C(-e cluster=hpc), a list separated by commas, or C(all), the default, which leaves out none); every VM when
    the selection names a cluster the file does not define (the validate phase says so). Phase playbooks act on
    C(<group>:!unselected), which is the whole group in an inventory without it.
  - Every VM gets C(ansible_host) (its IP), SSH settings, C(ansible_remote_tmp) on local disk (C(/home) may be an
    NFS share), C(ansible_python_interpreter) (the golden images' C(/usr/bin/python3), so no interpreter
    discovery) and its whole node spec in C(hyperscaler_node).
    Each cluster group gets C(hyperscaler_cluster) (with C(state_dir), the cluster's directory under
    C(global.output_dir) for its SSH key, lock and secrets); the group C(all) gets C(hyperscaler_config) (the global
    settings with defaults applied) and C(hyperscaler_config_path).
  - An invalid file fails the inventory with every problem, each prefixed by its path in the document.
  - The extra variable C(cluster_config) (C(-e cluster_config=PATH)) overrides O(cluster_config).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    required: true
    type: str
    choices: ['hyperscaler.workstation.cluster']
  cluster_config:
    description:
      - Path of the cluster.yaml. A relative path is taken from the directory of the inventory file.
    type: str
    default: ../config/cluster.yaml
    env:
      - name: HYPERSCALER_CLUSTER_CONFIG
  clusters:
    description: Only add the VMs of these clusters (keys under C(clusters)); empty means all.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
# inventories/default.cluster.yml is just:
#   plugin: hyperscaler.workstation.cluster
#   cluster_config: ../config/cluster.yaml
#
# Only the HPC cluster, cached, with an extra group of nodes that have more than 4 cores
plugin: hyperscaler.workstation.cluster
cluster_config: /etc/hyperscaler/cluster.yaml
clusters: [hpc]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/hyperscaler-inventory
groups:
  big_nodes: hyperscaler_node.cpu_cores > 4
keyed_groups:
  - key: hyperscaler_node.image
    prefix: image
'''

import hashlib
import os

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import load_extra_vars

try:  # ansible-core >= 2.19 only templates inventory values that are explicitly trusted
    from ansible.template import trust_as_template
except ImportError:  # pragma: no cover - older ansible-core templates every string

    def trust_as_template(value):
        return value


from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_kinds as kinds
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_select as select
from ansible_collections.hyperscaler.workstation.plugins.module_utils._cluster_spec import (
    ConfigError,
    load_text,
    normalise,
    validate,
)

UNSELECTED_GROUP = 'unselected'


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'hyperscaler.workstation.cluster'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('.cluster.yml', '.cluster.yaml'))

    def _config_path(self, inventory_path):
        override = load_extra_vars(self.loader).get('cluster_config')
        path = os.path.expanduser(str(override or self.get_option('cluster_config')))
        if override or os.path.isabs(path):
            return os.path.abspath(path)
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(inventory_path)), path))

    def _load(self, config_path, inventory_path, cache):
        try:
            with open(config_path, 'rb') as handle:
                raw = handle.read()
        except (IOError, OSError) as exc:
            raise AnsibleParserError('%s: cannot read the cluster config: %s' % (config_path, to_native(exc.strerror)))
        digest = hashlib.sha256(raw).hexdigest()
        key = self.get_cache_key(inventory_path)
        caching = self.get_option('cache')
        if caching and cache:
            try:
                cached = self._cache[key]
            except KeyError:
                cached = None
            if isinstance(cached, dict) and cached.get('digest') == digest and cached.get('path') == config_path:
                return cached['model']
        try:
            data = load_text(raw.decode('utf-8'), config_path)
            errors = validate(data)
            if errors:
                raise ConfigError(errors)
        except ConfigError as exc:
            raise AnsibleParserError(
                '%s is invalid (%d problem%s):\n%s'
                % (config_path, len(exc.errors), '' if len(exc.errors) == 1 else 's', '\n'.join(exc.errors))
            )
        model = normalise(data)
        if caching:
            self._cache[key] = {'digest': digest, 'path': config_path, 'model': model}
        return model

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        config_path = self._config_path(path)
        model = self._load(config_path, path, cache)
        self._populate(model, config_path)
        self._select(model)

    def _select(self, model):
        """The group ``unselected``: the VMs of the clusters ``-e cluster=`` leaves out."""
        self.inventory.add_group(UNSELECTED_GROUP)
        try:
            keys = select.select_clusters(model['clusters'], load_extra_vars(self.loader).get('cluster'))
        except select.SelectionError:
            keys = []
        for node in model['nodes']:
            if node['cluster'] not in keys and node['name'] in self.inventory.hosts:
                self.inventory.add_host(node['name'], group=UNSELECTED_GROUP)

    def _populate(self, model, config_path):
        inv = self.inventory
        glob = model['global']
        wanted = set(self.get_option('clusters') or [])

        for group in (kinds.HYPERVISOR_GROUP, kinds.GPU_GROUP):
            inv.add_group(group)
        inv.set_variable('all', 'hyperscaler_config_path', config_path)
        inv.set_variable(
            'all',
            'hyperscaler_config',
            {
                'version': model['version'],
                'metadata': model['metadata'],
                'global': glob,
                'clusters': sorted(model['clusters']),
            },
        )

        hv = glob['hypervisor']
        hv_host = hv['host']
        inv.add_host(hv_host, group=kinds.HYPERVISOR_GROUP)
        if hv_host in ('localhost', '127.0.0.1'):
            inv.set_variable(hv_host, 'ansible_connection', 'local')
            inv.set_variable(hv_host, 'ansible_python_interpreter', trust_as_template('{{ ansible_playbook_python }}'))
        else:
            for var in ('ansible_host', 'ansible_user'):
                if hv.get(var):
                    inv.set_variable(hv_host, var, hv[var])

        output_dir = os.path.expanduser(glob['output_dir'])
        for key, cluster in sorted(model['clusters'].items()):
            if wanted and key not in wanted:
                continue
            inv.add_group(key)
            # state_dir: where the cluster's SSH key, lock and secrets live on the Ansible controller.
            inv.set_variable(key, 'hyperscaler_cluster', dict(cluster, state_dir=os.path.join(output_dir, key)))
            for parent, children in kinds.get(key).groups:
                inv.add_group(parent)
                for child in children:
                    inv.add_group(child)
                    inv.add_child(parent, child)

        strict = self.get_option('strict')
        for node in model['nodes']:
            if wanted and node['cluster'] not in wanted:
                continue
            name = node['name']
            inv.add_host(name, group=node['group'])
            if node['gpu']:
                inv.add_host(name, group=kinds.GPU_GROUP)
            hostvars = {
                'ansible_host': node['ip'],
                'ansible_user': glob['ssh_user'],
                'ansible_ssh_private_key_file': os.path.join(output_dir, node['cluster'], 'id_ed25519'),
                # /home is NFS-shared in the HPC cluster (root-squashed): keep Ansible's files on local disk.
                'ansible_remote_tmp': '/var/tmp/.ansible-%s' % glob['ssh_user'],
                # The golden images' Python: no interpreter discovery (remote calls) on every run.
                'ansible_python_interpreter': '/usr/bin/python3',
                'hyperscaler_node': node,
            }
            for var, value in hostvars.items():
                inv.set_variable(name, var, value)
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, name, strict=strict)
