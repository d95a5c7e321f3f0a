# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The run state of one ``libvirt_domain``: start, resume, pause, shut down (gracefully, with a deadline), power
off, autostart, and whether the running domain needs a restart to apply its definition."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    LibvirtModuleError,
    error_text,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _libvirt_xml as libvirt_xml

# virDomainState values (libvirt-python constants, repeated so the logic reads without a libvirt import).
NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = range(8)
STATE_NAMES = {
    NOSTATE: 'nostate',
    RUNNING: 'running',
    BLOCKED: 'running',
    PAUSED: 'paused',
    SHUTDOWN: 'shutting-down',
    SHUTOFF: 'shutoff',
    CRASHED: 'crashed',
    PMSUSPENDED: 'pmsuspended',
}
XML_INACTIVE = 2  # VIR_DOMAIN_XML_INACTIVE
START_PAUSED = 1  # VIR_DOMAIN_START_PAUSED
# ACPI power button and guest agent: libvirt uses whichever the guest answers.
SHUTDOWN_FLAGS = 1 | 2  # VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN | VIR_DOMAIN_SHUTDOWN_GUEST_AGENT
ASK_EVERY_S = 10


def is_active(state):
    return state in (RUNNING, BLOCKED, PAUSED, SHUTDOWN, PMSUSPENDED)


def state_of(dom):
    return dom.state()[0] if dom is not None else None


def state_change_needed(current, state):
    """Whether a domain in virDomainState ``current`` must change to reach the module's ``state``."""
    if state == 'running':
        return current not in (RUNNING, BLOCKED)
    if state == 'paused':
        return current != PAUSED
    if state in ('shutdown', 'destroyed'):
        return is_active(current) or current == CRASHED
    return False


class RunState(object):
    """Converge the run state of domain ``name``; ``plan`` records the actions and holds check mode."""

    def __init__(self, name, plan, shutdown_timeout=120, force=False, sleep=time.sleep, clock=time.time):
        self.name = name
        self.plan = plan
        self.shutdown_timeout = int(shutdown_timeout or 0)
        self.force = force
        self.sleep = sleep
        self.clock = clock

    def converge(self, dom, state):
        current = state_of(dom) if dom is not None else SHUTOFF
        if not state_change_needed(current, state):
            return
        act = self.plan.act
        if state == 'running' and current == PAUSED:
            act('resume %s' % self.name, dom.resume)
        elif state == 'running' and current == PMSUSPENDED:
            act('wake up %s' % self.name, dom.pMWakeup, 0)
        elif state == 'running':
            act('start %s' % self.name, self._start, dom)
        elif state == 'paused' and not is_active(current):
            act('start %s paused' % self.name, lambda: dom.createWithFlags(START_PAUSED))  # dom is None in check mode
        elif state == 'paused':
            act('pause %s' % self.name, dom.suspend)
        elif state == 'destroyed':
            act('force off %s' % self.name, dom.destroy)
        elif state == 'shutdown':
            act('shut down %s' % self.name, self._shutdown, dom)

    def _start(self, dom):
        try:
            dom.create()
        except Exception as exc:
            raise LibvirtModuleError('Domain %s did not start: %s.' % (self.name, error_text(exc)))

    def _shutdown(self, dom):
        if state_of(dom) == PAUSED:
            dom.resume()
        deadline = self.clock() + self.shutdown_timeout
        asked = None
        while True:
            state = state_of(dom)
            if state == CRASHED:
                dom.destroy()
                return
            if not is_active(state):
                return
            now = self.clock()
            if now >= deadline:
                break
            if asked is None or now - asked >= ASK_EVERY_S:
                self._ask_shutdown(dom)
                asked = now
            self.sleep(1)
        if self.force:
            self.plan.act('force off %s after %d s' % (self.name, self.shutdown_timeout), dom.destroy)
            return
        raise LibvirtModuleError(
            'Domain %s did not shut down within %d s. Raise shutdown_timeout, check that the guest handles ACPI or '
            'runs qemu-guest-agent, or set force: true to power it off.' % (self.name, self.shutdown_timeout)
        )

    @staticmethod
    def _ask_shutdown(dom):
        try:
            dom.shutdownFlags(SHUTDOWN_FLAGS)
        except Exception:
            try:
                dom.shutdown()
            except Exception:
                pass  # asked again in ASK_EVERY_S; the deadline decides

    @staticmethod
    def restart_required(dom, wanted):
        """A running domain whose live configuration differs from ``wanted`` needs a restart to apply it."""
        if wanted is None or not is_active(state_of(dom)):
            return False
        return not libvirt_xml.same(libvirt_xml.parse(dom.XMLDesc(0)), wanted)
