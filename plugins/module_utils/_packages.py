# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Which of a role's apt package specs the host does not satisfy yet, from ``ansible_facts.packages``.

The SLURM roles install with ``state: present`` from packages baked into the images. Asking apt costs a module
run per role (seconds on an emulated guest); reading the installed packages once per host
(``ansible.builtin.package_facts``) and asking apt only for what is missing gives the same answer. A spec is
``name`` or ``name=version`` where the version may be an apt glob (``24.11.*``), matched as apt matches it.
Without package facts every spec is returned, so apt decides. Nothing here imports Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError


class PackageSpecError(HyperscalerError):
    """A package spec that is not ``name`` or ``name=version``."""


def _split(spec):
    text = str(spec).strip()
    name, _sep, version = text.partition("=")
    if not name or (_sep and not version):
        raise PackageSpecError("%r is not an apt package spec (name or name=version)." % (spec,))
    return name, version or None


def missing(specs, installed=None):
    """The specs of ``specs`` that ``installed`` (``ansible_facts.packages``: name -> [{version, ...}]) lacks."""
    if isinstance(specs, str):
        specs = [specs]
    if installed is None:
        return list(specs)
    out = []
    for spec in specs:
        name, version = _split(spec)
        versions = [str(entry.get("version", "")) for entry in installed.get(name) or []]
        if not versions or (version and not any(fnmatch.fnmatchcase(v, version) for v in versions)):
            out.append(spec)
    return out
