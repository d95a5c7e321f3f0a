# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The work of the ``libvirt_domain`` module: one domain converged by four small concerns.

- :class:`._libvirt_volumes.Volumes`: overlays created and grown, volumes deleted with the domain, rollback;
- :class:`._libvirt_seed.CloudInitSeed`: the cloud-init NoCloud seed volume;
- :class:`._libvirt_definition.DomainDefinition`: the wanted XML (devices from :mod:`._libvirt_devices`), its
  semantic comparison with libvirt's and the (re)definition;
- :class:`._libvirt_runstate.RunState`: start, stop, shut down, autostart, restart_required.

:class:`DomainManager` looks the domain up, enforces the ownership mark, orders the concerns and undoes what a
failed run created. It takes an open libvirt connection (``test:///default`` in unit tests, ``qemu:///system``
for real), a ``run_command`` callable (to build cloud-init seed ISOs) and ``sleep``/``clock`` callables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    Plan,
    lookup,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_definition import (
    DomainDefinition,
    recorded_seed,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain_xml import read_owner
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_runstate import (
    CRASHED,
    STATE_NAMES,
    XML_INACTIVE,
    RunState,
    is_active,
    state_change_needed,
    state_of,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_seed import CloudInitSeed
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_volumes import Volumes
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml

UNDEFINE_FLAGS = 1 | 2 | 4  # MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM
_NOT_OURS = 'Domain %s was not created by hyperscaler.workstation (it has no ownership mark); refusing to '


class DomainManager(object):
    """Converge one domain.

    params: the module's parameters (name, state, xml, spec, cloud_init, labels, autostart, adopt,
    shutdown_timeout, force, remove_volumes). check_mode: plan only. diff: fill ``diff`` (before/after).
    """

    def __init__(self, conn, params, check_mode=False, diff=False, run_command=None, sleep=time.sleep, clock=time.time):
        self.conn = conn
        self.params = params
        self.name = params['name']
        self.plan = Plan(self.name, check_mode, device_changes=[])
        self.result, self.diff = self.plan.result, self.plan.diff
        self.volumes = Volumes(conn, self.plan)
        self.seed = CloudInitSeed(self.name, params.get('cloud_init'), self.volumes, run_command)
        self.definition = DomainDefinition(params, self.plan, self.volumes, self.seed, diff)
        self.runstate = RunState(
            self.name, self.plan, params.get('shutdown_timeout'), params.get('force'), sleep=sleep, clock=clock
        )

    def lookup(self):
        return lookup(self.conn.lookupByName, self.name, 'VIR_ERR_NO_DOMAIN', 'domain')

    def run(self):
        state = self.params['state']
        dom = self.lookup()
        current_root = libvirt_xml.parse(dom.XMLDesc(XML_INACTIVE)) if dom is not None else None
        owned = read_owner(current_root)[0] if current_root is not None else False
        self.result['owned'] = owned
        if dom is not None and not owned and not self.params.get('adopt'):
            return self._read_only(dom, current_root, state)
        if state == 'absent':
            return self._absent(dom, current_root, owned)
        wanted = self.definition.wanted(current_root)
        if dom is None and wanted is None:
            raise LibvirtModuleError('Domain %s does not exist; give xml or spec to define it.' % self.name)
        try:
            dom = self._converge(dom, current_root, wanted, state)
        except Exception:
            self._rollback()
            raise
        if self.plan.check_mode:
            self.result['state'] = state if self.result['changed'] else STATE_NAMES.get(state_of(dom))
        elif dom is not None:
            self.result['state'] = STATE_NAMES.get(state_of(dom))
            self.result['restart_required'] = RunState.restart_required(dom, wanted)
        return self.result

    def _read_only(self, dom, current_root, state):
        """An unmarked domain is only read: any change needs adopt."""
        if state == 'absent':
            raise LibvirtModuleError(
                _NOT_OURS % self.name + 'remove it. Set adopt: true to remove it anyway (its volumes are kept).'
            )
        if self.definition.differs(current_root, self.definition.wanted(current_root)) or state_change_needed(
            state_of(dom), state
        ):
            raise LibvirtModuleError(
                _NOT_OURS % self.name + 'change it. Set adopt: true to take it over, or choose another name.'
            )
        self.result['state'] = STATE_NAMES.get(state_of(dom))
        return self.result

    def _converge(self, dom, current_root, wanted, state):
        if wanted is not None:
            if self.params.get('spec'):
                disks = self.definition.spec_disks()
                self.volumes.ensure_overlays(disks, read_owner(wanted)[1])
                self.seed.ensure(disks, recorded_seed(current_root))
            dom = self.definition.converge(dom, current_root, wanted)
        self.runstate.converge(dom, state)
        self.plan.set_autostart(dom, self.params.get('autostart'), self.name)
        return dom

    def _absent(self, dom, current_root, owned):
        self.result['state'] = 'absent'
        self.result['removed_volumes'] = []
        if dom is None:
            return self.result
        if self.definition.diff:
            self.diff['before'] = libvirt_xml.to_string(current_root) + '\n'
        if is_active(state_of(dom)) or state_of(dom) == CRASHED:
            self.plan.act('force off %s' % self.name, dom.destroy)
        self.plan.act('undefine %s' % self.name, self._undefine, dom)
        if owned and self.params.get('remove_volumes', True):
            self.result['removed_volumes'] = self.volumes.remove(read_owner(current_root)[1])
        return self.result

    @staticmethod
    def _undefine(dom):
        try:
            dom.undefineFlags(UNDEFINE_FLAGS)
        except Exception:
            dom.undefine()

    def _rollback(self):
        """Undo what this run created: the new domain and the volumes made for it."""
        if self.plan.check_mode:
            return
        dom = self.lookup() if self.definition.defined_new else None
        if dom is not None:
            try:
                if is_active(state_of(dom)):
                    dom.destroy()
                dom.undefine()
            except Exception:
                pass
        self.volumes.rollback()


def converge_domain(conn, params, check_mode=False, diff=False, run_command=None):
    """The result of the libvirt_domain module (with ``diff`` in diff mode)."""
    manager = DomainManager(conn, params, check_mode=check_mode, diff=diff, run_command=run_command)
    result = manager.run()
    if diff:
        result['diff'] = manager.diff
    return result
