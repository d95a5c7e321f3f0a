# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The SLURM-side roles' API: argument_specs.yml matches defaults/main.yml, and defaults read only the role's
own variables and the inventory contract."""

from __future__ import absolute_import, division, print_function

import pathlib

import jinja2
import jinja2.meta
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLES = [
    "slurm_controller",
    "slurm_compute",
    "slurmdbd",
    "munge",
    "nfs_server",
    "nfs_client",
    "hpc_users",
    "hpc_userenv",
]
CONTRACT = {"hyperscaler_node", "hyperscaler_cluster", "hyperscaler_config", "groups", "hostvars", "ansible_facts",
            "inventory_hostname", "omit"}  # fmt: skip


def _load(role, path):
    return yaml.safe_load((ROOT / "roles" / role / path).read_text()) or {}


class _Any(dict):
    """Every filter and test name exists (Ansible's and FQCN ones): only the variables matter here."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return lambda *a, **kw: None

    def get(self, key, default=None):
        return self[key]


def _names(value):
    """Variables a default's templates read."""
    env = jinja2.Environment()
    env.filters = _Any()
    env.tests = _Any()
    out = set()
    if isinstance(value, str) and "{{" in value:
        out |= jinja2.meta.find_undeclared_variables(env.parse(value))
    elif isinstance(value, dict):
        for item in value.values():
            out |= _names(item)
    elif isinstance(value, list):
        for item in value:
            out |= _names(item)
    return out


def _literal(value):
    return not _names(value)


@pytest.mark.parametrize("role", ROLES)
def test_argument_specs_match_defaults(role):
    defaults = _load(role, "defaults/main.yml")
    options = _load(role, "meta/argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(options) == sorted(defaults)
    for name, value in defaults.items():
        if _literal(value) or isinstance(value, list):
            # List defaults with templated items (packages) are documented as written.
            assert options[name].get("default") == value, name
        else:
            assert "default" not in options[name], name


@pytest.mark.parametrize("role", ROLES)
def test_defaults_read_only_own_variables_and_the_inventory_contract(role):
    for name, value in _load(role, "defaults/main.yml").items():
        foreign = {v for v in _names(value) if not v.startswith(role + "_") and v not in CONTRACT}
        assert not foreign, "%s reads %s" % (name, sorted(foreign))
