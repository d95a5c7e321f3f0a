# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the libvirt modules: the guarded import, connections, the ownership mark."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

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


class LibvirtModuleError(Exception):
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


def is_no_domain(exc):
    return HAS_LIBVIRT and getattr(exc, 'get_error_code', lambda: None)() == libvirt.VIR_ERR_NO_DOMAIN


def const(name, default):
    """A libvirt constant, or ``default`` when this libvirt-python lacks it."""
    return getattr(libvirt, name, default) if HAS_LIBVIRT else default
