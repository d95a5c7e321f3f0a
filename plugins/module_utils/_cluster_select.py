# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Which clusters a run acts on (``-e cluster=...``) and which golden images their VMs need.

The one place that turns the command line's cluster choice into cluster keys; images, provision, lifecycle
and validate all use it through the ``select_clusters`` filter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_kinds as kinds
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

ALL = 'all'


class SelectionError(HyperscalerError):
    pass


def select_clusters(defined, wanted=ALL, source='cluster.yaml'):
    """Cluster keys for ``wanted`` (``all``, a key, or keys separated by commas), in registry order.

    ``defined`` is what cluster.yaml (``source``) defines: a list of keys, or a mapping keyed by them.
    """
    defined = list(defined or [])
    wanted = ALL if wanted is None else str(wanted)
    names = [part.strip() for part in wanted.split(',') if part.strip()]
    if ALL in names:
        names = defined
    if not names or any(name not in defined for name in names):
        raise SelectionError(
            '-e cluster=%s: choose %s or %s, and a cluster that %s defines (it defines %s).'
            % (wanted, ', '.join(kinds.KINDS), ALL, source, ', '.join(sorted(defined)) or 'none')
        )
    return [key for key in kinds.KINDS if key in names] + sorted(set(names) - set(kinds.KINDS))


def images_of(nodes):
    """Unique image types of the nodes (normalised hyperscaler_node dicts), first use first."""
    out = []
    for node in nodes:
        image = node.get('image')
        if image and image not in out:
            out.append(image)
    return out
