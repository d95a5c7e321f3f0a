# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Render a role's template the way the template action does: role defaults, then role vars, then the given
inventory variables, templated by ansible-core with the collection's filter plugins (in this process, so
a test can monkeypatch the GPU table)."""

from __future__ import absolute_import, division, print_function

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]


def role_vars(role, inventory):
    from ansible.parsing.dataloader import DataLoader

    loader = DataLoader()
    variables = {}
    for part in ("defaults", "vars"):
        path = ROOT / "roles" / role / part / "main.yml"
        if path.exists():
            # trusted: the role's strings are templates (ansible-core >= 2.19 asks for that explicitly)
            variables.update(loader.load_from_file(str(path), trusted_as_template=True) or {})
    variables.update(ansible_managed="Ansible managed")
    variables.update(inventory)
    return loader, variables


def _init_plugins():
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig

    if AnsibleCollectionConfig.collection_finder is None:  # pytest-ansible may have configured it already
        init_plugin_loader([str(ROOT / "collections")])


def render(role, template, inventory):
    """The text of roles/<role>/templates/<template> for a host with these inventory variables."""
    from ansible.template import Templar, trust_as_template

    _init_plugins()
    loader, variables = role_vars(role, inventory)
    text = (ROOT / "roles" / role / "templates" / template).read_text()
    return Templar(loader=loader, variables=variables).template(trust_as_template(text))


def expression(role, text, inventory):
    """Template one expression with the role's variables (e.g. a default)."""
    from ansible.template import Templar, trust_as_template

    _init_plugins()
    loader, variables = role_vars(role, inventory)
    return Templar(loader=loader, variables=variables).template(trust_as_template(text))
