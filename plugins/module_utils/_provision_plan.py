# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""What the vm_provision role computes before it touches libvirt: per-network host entries and the capacity
decision. Pure functions over the inventory's normalised nodes (``hyperscaler_node``) and cluster settings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def network_hosts(nodes, clusters):
    """{cluster key: {'dhcp': [{mac, ip, name}], 'dns': [{ip, hostnames}]}} for the libvirt networks.

    ``clusters`` maps each key to its settings (``network.domain``). Every cluster in ``clusters`` gets an entry,
    even one without nodes; a node with a NIC on several cluster networks (``nics``) is a host on each, under its
    address there.
    """
    out = dict((key, {'dhcp': [], 'dns': []}) for key in clusters)
    for node in nodes:
        for nic in node['nics']:
            key = nic['cluster']
            if key not in out:
                continue
            domain = clusters[key]['network']['domain']
            out[key]['dhcp'].append({'mac': nic['mac'], 'ip': nic['ip'], 'name': node['name']})
            out[key]['dns'].append({'ip': nic['ip'], 'hostnames': [node['name'], '%s.%s' % (node['name'], domain)]})
    return out


def capacity(nodes, domains, host_cores, host_available_mb, cpu_overcommit, memory_overcommit, force=False):
    """The guardrail's decision for starting ``nodes`` next to the running libvirt ``domains``.

    Requested: the vCPUs of every running domain plus those of the nodes not running yet, against host cores x
    cpu_overcommit; the memory of the nodes not running yet against available memory x memory_overcommit (the
    running ones already use theirs). ``decision`` is start, forced or blocked.
    """
    active = [d for d in domains if d.get('active')]
    active_names = set(d['name'] for d in active)
    new = [n for n in nodes if n['name'] not in active_names]
    vcpu_limit = int(int(host_cores) * float(cpu_overcommit))
    memory_limit = int(int(host_available_mb) * float(memory_overcommit))
    vcpus = sum(int(d.get('vcpus') or 0) for d in active) + sum(int(n['cpu_cores']) for n in new)
    memory = sum(int(n['memory_mb']) for n in new)
    fits = vcpus <= vcpu_limit and memory <= memory_limit
    return {
        'host_cores': int(host_cores),
        'host_available_mb': int(host_available_mb),
        'cpu_overcommit': float(cpu_overcommit),
        'memory_overcommit': float(memory_overcommit),
        'vcpu_limit': vcpu_limit,
        'memory_limit_mb': memory_limit,
        'vcpus_requested': vcpus,
        'memory_requested_mb': memory,
        'vms_to_start': [n['name'] for n in new],
        'fits': fits,
        'decision': 'start' if fits else ('forced' if force else 'blocked'),
    }


def _owned_on(domain, networks):
    return bool(domain.get('owned')) and (domain.get('labels') or {}).get('network') in networks


def cluster_domains(domains, networks, nodes=()):
    """The clusters' libvirt domains (what destroy removes), sorted by name: those with the ownership mark that are
    labelled with one of the clusters' ``networks``, or named like one of their ``nodes`` (a mark without labels)."""
    names = set(n['name'] for n in nodes)
    found = [d for d in domains if _owned_on(d, networks) or (d.get('owned') and d.get('name') in names)]
    return sorted(found, key=lambda d: d['name'])


def stale_domains(domains, networks, nodes):
    """Domains a rerun removes because cluster.yaml no longer lists them: the ownership mark, labelled with one of
    the clusters' ``networks``, and named like none of their ``nodes``. Foreign domains are never among them."""
    names = set(n['name'] for n in nodes)
    return [d for d in cluster_domains(domains, networks) if d['name'] not in names]
