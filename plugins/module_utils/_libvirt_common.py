# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the libvirt modules: the guarded import, connections, the ownership mark, the plan of
actions a manager reports, and the body of every libvirt module's ``main()``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
import xml.etree.ElementTree as ET

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError, fail_on_error

try:
    import libvirt

    HAS_LIBVIRT = True
    LIBVIRT_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - depends on the host
    libvirt = None
    HAS_LIBVIRT = False
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

# Domains the collection defines carry <metadata><hsw:owner xmlns:hsw=NS .../></metadata>.
OWNER_NS = 'https://github.com/hyperscaler/workstation/xmlns/owner/1.0'
OWNER_PREFIX = 'hsw'
OWNER_TAG = '{%s}owner' % OWNER_NS
MANAGED_BY = 'hyperscaler.workstation'
# libvirt < 9.7 drops <metadata> from networks: networks carry a DNS TXT record instead.
NETWORK_MARK_NAME = 'hyperscaler-workstation-managed'


class LibvirtModuleError(HyperscalerError):
    """An error a user can cause or fix: the message is a sentence for fail_json."""


def connect(uri, opener=None):
    """Open a read-write libvirt connection; ``opener`` is injectable for tests."""
    if opener is not None:
        return opener(uri)
    if not HAS_LIBVIRT:
        raise LibvirtModuleError('libvirt-python is required.')
    quiet()
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        raise LibvirtModuleError(
            'Cannot connect to libvirt at %s: %s. Is libvirtd running (systemctl start libvirtd, or '
            'tests/helpers/libvirtd.sh on hosts without systemd)?' % (uri, error_text(exc))
        )


def quiet():
    """Stop libvirt-python printing every error to stderr; errors still raise libvirtError."""
    if HAS_LIBVIRT:
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)


def error_text(exc):
    """The message of a libvirtError without libvirt's prefixes."""
    try:
        msg = exc.get_error_message()
    except AttributeError:
        msg = None
    return (msg or str(exc)).strip().rstrip('.')


def lookup(conn_call, name, missing_code, what):
    """``conn_call(name)`` or None when libvirt says the object does not exist (``missing_code``)."""
    try:
        return conn_call(name)
    except Exception as exc:  # libvirt.libvirtError
        code = getattr(exc, 'get_error_code', lambda: None)()
        if HAS_LIBVIRT and code not in (None, getattr(libvirt, missing_code)):
            raise LibvirtModuleError('Cannot look up %s %s: %s.' % (what, name, error_text(exc)))
        return None


def sub_element(parent, tag, text=None, **attrs):
    """``ET.SubElement`` that drops None attributes, strips a trailing ``_`` (``type_``) and stringifies."""
    elem = ET.SubElement(parent, tag, dict((k.rstrip('_'), str(v)) for k, v in attrs.items() if v is not None))
    if text is not None:
        elem.text = str(text)
    return elem


def option_dict(**options):
    """An argument spec entry: a dict with these suboptions."""
    return dict(type='dict', options=options)


def option_list(**options):
    """An argument spec entry: a list of dicts with these suboptions."""
    return dict(type='list', elements='dict', options=options)


class Plan(object):
    """The actions a manager takes (or, in check mode, would take), in order, and the result it reports."""

    def __init__(self, name, check_mode=False, **result):
        self.check_mode = check_mode
        self.actions = []
        self.result = dict(changed=False, name=name, restart_required=False, actions=self.actions, **result)
        self.diff = dict(before='', after='')

    def act(self, action, apply=None, *args):
        """Record ``action``; outside check mode run ``apply(*args)`` and return what it returns."""
        self.actions.append(action)
        self.result['changed'] = True
        if apply is not None and not self.check_mode:
            return apply(*args)
        return None

    def set_autostart(self, obj, wanted, what):
        """Converge the autostart flag of a domain or network (``obj`` None: not defined yet, off)."""
        if wanted is None:
            return
        current = bool(obj.autostart()) if obj is not None else False
        if current != bool(wanted):
            apply = obj.setAutostart if obj is not None else None
            self.act('%s autostart of %s' % ('enable' if wanted else 'disable', what), apply, int(wanted))


def run_module(module, work):
    """The body of a libvirt module's main(): connect to O(uri) and exit with ``work(conn)``'s result."""
    if not HAS_LIBVIRT:
        module.fail_json(msg=missing_required_lib('libvirt-python'), exception=LIBVIRT_IMPORT_ERROR)
    fail_on_error(module, lambda: work(connect(module.params['uri'])))
