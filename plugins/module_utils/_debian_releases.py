# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The Debian releases the guests can run, and the versions each one ships: the one place versions are pinned.

cluster.yaml's ``global.images.suite`` picks the release of every golden image (schema default and enum come
from here); the SLURM roles pin their packages to the release's Slurm (filter ``hyperscaler.workstation.
slurm_version``, by the suite the node reports), so a node never mixes versions. Nothing here imports Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

Release = collections.namedtuple("Release", "suite version slurm mariadb openmpi")

RELEASES = collections.OrderedDict(
    (r.suite, r)
    for r in (
        # Debian 12: selectable (global.images.suite: bookworm); Slurm 22.05 is out of upstream support.
        Release(suite="bookworm", version="12", slurm="22.05.*", mariadb="10.11", openmpi="4.1.4"),
        # Debian 13: the default guest.
        Release(suite="trixie", version="13", slurm="24.11.*", mariadb="11.8", openmpi="5.0.7"),
    )
)

DEFAULT_SUITE = "trixie"


def release(suite=None):
    """The Release of a suite name (``trixie``) or version (``13``); None for one not in the table."""
    key = str(suite or DEFAULT_SUITE).strip().lower()
    for entry in RELEASES.values():
        if key in (entry.suite, entry.version):
            return entry
    return None


def release_facts(suite=None):
    """The release of ``suite`` as a dict (filter ``debian_release``); an error naming the known releases."""
    entry = release(suite)
    if entry is None:
        raise HyperscalerError(
            "Debian release %r is not in the collection's table (known: %s)." % (suite, ", ".join(RELEASES))
        )
    return dict(entry._asdict())
