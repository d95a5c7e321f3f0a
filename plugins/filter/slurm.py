# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""SLURM filters for the roles slurm_controller, slurm_compute and slurmdbd; the logic is in _slurm_conf."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _slurm_conf
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._filters import user_errors

_display = Display()
_OMIT_PREFIX = "__omit_place_holder__"


def _is_omit(value):
    """Ansible's omit: the Omit sentinel (ansible-core 2.19+) or the placeholder string (older)."""
    if isinstance(value, str):
        return value.startswith(_OMIT_PREFIX)
    return type(value).__name__ in ("_OmitType", "Omit")


def _layer(value, what):
    if value is None or _is_omit(value):
        return {}
    if not hasattr(value, "items"):
        raise AnsibleFilterError("%s must be a dict of slurm.conf KEY: value, not %r." % (what, value))
    return dict((k, None if _is_omit(v) else v) for k, v in value.items())


def _wrap(func, *args, **kwargs):
    return user_errors(func)(*args, **kwargs)


def _type_map(type_map, variable):
    if type_map:
        _display.deprecated(
            "%s is deprecated: GRES types come from the collection's GPU table "
            "(plugins/module_utils/_gpu_models.py). Set slurm_compute_gpu_devices on a host for other types."
            % variable,
            version="0.3.0",
            collection_name="hyperscaler.workstation",
        )
        return dict(type_map)
    return None


def slurm_version(cluster=None, suite=None):
    return _wrap(_slurm_conf.slurm_version, cluster or {}, None if _is_omit(suite) else suite)


def slurm_gpu_devices(node, devices=None, type_map=None, type_map_variable="gpu_type_map"):
    if _is_omit(devices):
        devices = None
    return _wrap(_slurm_conf.gpu_devices, node or {}, devices, _type_map(type_map, type_map_variable))


def slurm_gres(devices):
    return _wrap(_slurm_conf.gres, devices or [])


def slurm_conf(defaults, cluster=None, overrides=None, deprecated=None):
    layers = [_layer(defaults, "defaults"), _layer(cluster, "slurm_config.slurm_conf"), _layer(overrides, "overrides")]
    if deprecated:
        _display.deprecated(
            "slurm_controller_extra_config is deprecated: use slurm_controller_config (same KEY: value form; "
            "it replaces a setting instead of appending a second line).",
            version="0.3.0",
            collection_name="hyperscaler.workstation",
        )
        layers.insert(2, _layer(deprecated, "slurm_controller_extra_config"))
    return _wrap(lambda: _slurm_conf.render_settings(_slurm_conf.merge_settings(*layers)))


def slurm_nodes(hosts, hostvars, memory_ratio=0.95, type_map=None, type_map_variable="gpu_type_map"):
    return _wrap(_slurm_conf.node_lines, hosts or [], hostvars, memory_ratio, _type_map(type_map, type_map_variable))


def slurm_partitions(parts, compute_hosts=None, default_partition="", max_time="UNLIMITED"):
    return _wrap(_slurm_conf.partition_lines, parts or [], compute_hosts or [], default_partition or "", max_time)


class FilterModule(object):
    def filters(self):
        return {
            "slurm_version": slurm_version,
            "slurm_gpu_devices": slurm_gpu_devices,
            "slurm_gres": slurm_gres,
            "slurm_conf": slurm_conf,
            "slurm_nodes": slurm_nodes,
            "slurm_partitions": slurm_partitions,
        }
