#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: node_facts
short_description: The facts the collection's node roles use, in one quick call
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Sets the facts the node roles (munge, SLURM - a compute node's Node line, NFS, users, user environment)
    read, under the names M(ansible.builtin.setup) and M(ansible.builtin.package_facts) use, from files instead of fact collectors
    and python-apt, in one module run. On an emulated guest this is one call of a few seconds instead of two
    of 10-20 s each.
  - C(distribution), C(distribution_release), C(distribution_version), C(distribution_major_version) and
    C(os_family) from C(/etc/os-release); C(hostname), C(nodename), C(architecture), C(service_mgr);
    C(processor_count), C(processor_cores), C(processor_threads_per_core), C(processor_vcpus) (from
    C(/proc/cpuinfo), counted as setup counts them on x86) and C(memtotal_mb);
    C(default_ipv4) (C(interface), C(gateway), C(address)) when there is an IPv4 default route; C(packages)
    from dpkg's status file, as package_facts' apt manager gives them (installed packages only).
  - Use M(ansible.builtin.setup) instead when other roles need more facts; the node roles work with either.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
options:
  packages:
    description: Read the installed packages (dpkg's status file) into C(packages).
    type: bool
    default: true
notes:
  - Debian and its derivatives (dpkg). Elsewhere C(packages) is empty, so the roles ask the package manager.
'''

EXAMPLES = r'''
- name: Read the facts the roles need (instead of gather_facts and package_facts)
  hyperscaler.workstation.node_facts:

- name: Use them as setup's
  ansible.builtin.debug:
    msg: "{{ ansible_facts.distribution_release }}: slurmd {{ ansible_facts.packages.slurmd[0].version | default('absent') }}"
'''

RETURN = r'''
ansible_facts:
  description: The facts, merged into the host's C(ansible_facts).
  returned: always
  type: dict
  contains:
    distribution_release:
      description: The release code name (C(VERSION_CODENAME)).
      type: str
      sample: trixie
    hostname:
      description: The short host name.
      type: str
      sample: hpc-controller
    service_mgr:
      description: V(systemd) when systemd is PID 1, else the name of PID 1.
      type: str
      sample: systemd
    packages:
      description: Installed packages, name to a list of C(name), C(version), C(arch), C(source) (as package_facts).
      type: dict
      sample: {"munge": [{"name": "munge", "version": "0.5.16-1", "arch": "amd64", "source": "apt"}]}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._node_facts import node_facts

ARGUMENT_SPEC = dict(packages=dict(type="bool", default=True))


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(changed=False, ansible_facts=node_facts(packages=module.params["packages"]))


if __name__ == "__main__":
    main()
