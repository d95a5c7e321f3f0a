# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Semantic comparison of libvirt XML.

libvirt rewrites every definition it stores: it adds defaults (PCI addresses, controllers, USB, memballoon,
``placement='static'``), converts units (``<memory unit='GiB'>1</memory>`` becomes ``1048576`` KiB), pads hex
numbers (``0x1`` becomes ``0x01``) and expands machine aliases (``q35`` becomes ``pc-q35-7.2``). Comparing the text
of the wanted XML with libvirt's answer would therefore report a change on every run.

This module compares *semantically*: :func:`project` reduces libvirt's normalised XML to the shape of the wanted
XML (the elements and attributes the caller asked for, matched by identity rather than position), adds the
managed devices (disks, interfaces, host devices, filesystems) that libvirt has and the caller does not want,
and normalises values on both sides. Which sibling a device is, and whether it is managed, comes from its type
in :mod:`._libvirt_devices`. Two definitions are the same when :func:`canonical` of the projection equals
:func:`canonical` of the wanted XML. The projection also makes an honest, short diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_devices import (
    MANAGED_TAGS,
    device_identity,
)

# Attributes libvirt adds or changes by itself and that never express intent.
IGNORED_ATTRS = {'placement'}
_HEX = re.compile(r'^0x[0-9a-fA-F]+$')
_UNITS = {
    'b': 1,
    'bytes': 1,
    'kb': 1000,
    'k': 1024,
    'kib': 1024,
    'mb': 1000**2,
    'm': 1024**2,
    'mib': 1024**2,
    'gb': 1000**3,
    'g': 1024**3,
    'gib': 1024**3,
    'tb': 1000**4,
    't': 1024**4,
    'tib': 1024**4,
}
# Machine aliases libvirt expands to a versioned machine type.
_MACHINE_ALIASES = {'q35': 'pc-q35-', 'pc': 'pc-i440fx-'}


class XMLError(HyperscalerError):
    """The XML cannot be parsed."""


def parse(xml):
    """Parse XML text (or pass an Element through)."""
    if isinstance(xml, ET.Element):
        return xml
    try:
        return ET.fromstring(xml.strip() if isinstance(xml, str) else xml)
    except ET.ParseError as exc:
        raise XMLError('The XML is not well formed: %s.' % exc)


def to_string(elem):
    """Serialise an element, indented, without an XML declaration."""
    elem = _copy(elem)
    _indent(elem)
    return ET.tostring(elem, encoding='unicode')


def _copy(elem):
    return ET.fromstring(ET.tostring(elem))


def _indent(elem, level=0):
    pad = '\n' + '  ' * level
    if len(elem):
        if not (elem.text or '').strip():
            elem.text = pad + '  '
        for child in elem:
            _indent(child, level + 1)
        if not (child.tail or '').strip():
            child.tail = pad
    if level and not (elem.tail or '').strip():
        elem.tail = pad


def _norm_value(value):
    value = (value or '').strip()
    if _HEX.match(value):
        return str(int(value, 16))
    if re.match(r'^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$', value):
        return value.lower()
    return value


def _scaled_text(elem):
    """Text of a sized element (memory, capacity, ...) in KiB when it carries a unit."""
    unit = elem.get('unit')
    text = (elem.text or '').strip()
    if unit is None or not text.isdigit():
        return None
    factor = _UNITS.get(unit.lower())
    if factor is None:
        return None
    return str(int(text) * factor // 1024)


def _attrs(elem):
    out = {}
    for key, value in elem.attrib.items():
        if key in IGNORED_ATTRS:
            continue
        if key == 'unit' and _scaled_text(elem) is not None:
            continue
        out[key] = _norm_value(value)
    return out


def _text(elem):
    scaled = _scaled_text(elem)
    if scaled is not None:
        return scaled
    return _norm_value(elem.text)


def identity(elem, parent_tag=None):
    """A key that says which sibling an element is, independent of its position."""
    tag = elem.tag
    if parent_tag == 'devices':
        return device_identity(elem)
    if tag == 'cell':
        return (tag, elem.get('id'))
    if tag in ('vcpupin', 'emulatorpin'):
        return (tag, elem.get('vcpu'))
    if tag == 'page' and parent_tag == 'hugepages':
        return (tag, elem.get('nodeset'))
    if tag == 'feature':
        return (tag, elem.get('name'))
    if tag == 'host' and parent_tag == 'dhcp':
        return (tag, (elem.get('mac') or '').lower(), elem.get('ip'))
    if tag == 'host' and parent_tag == 'dns':
        return (tag, elem.get('ip'))
    if tag == 'txt':
        return (tag, elem.get('name'))
    if tag == 'ip':
        return (tag, elem.get('family') or 'ipv4', elem.get('address'))
    return (tag,)


def canonical(elem, parent_tag=None):
    """A hashable, order-normalised representation of an element tree."""
    children = [canonical(child, elem.tag) for child in elem]
    if elem.tag in ('devices', 'dhcp', 'dns', 'numa', 'cputune', 'features', 'hugepages', 'metadata'):
        children = sorted(children, key=repr)
    return (elem.tag, tuple(sorted(_attrs(elem).items())), _text(elem) if not len(elem) else '', tuple(children))


def _machine_equivalent(wanted, current):
    prefix = _MACHINE_ALIASES.get(wanted)
    return bool(prefix and current and current.startswith(prefix))


def project(current, wanted, parent_tag=None):
    """Reduce ``current`` (libvirt's XML) to the shape of ``wanted``.

    Returns a new element that has, for each element and attribute of ``wanted``, libvirt's value when libvirt
    has one (missing ones stay missing), plus the managed devices libvirt has and ``wanted`` does not.
    """
    out = ET.Element(wanted.tag)
    for key, wvalue in wanted.attrib.items():
        if key in current.attrib:
            cvalue = current.get(key)
            if key == 'machine' and _machine_equivalent(wvalue, cvalue):
                cvalue = wvalue
            out.set(key, cvalue)
    if not len(wanted) and (wanted.text or '').strip():
        out.text = current.text
    pool = list(current)
    used = set()
    for wchild in wanted:
        key = identity(wchild, wanted.tag)
        for index, cchild in enumerate(pool):
            if index in used:
                continue
            if identity(cchild, wanted.tag) == key:
                used.add(index)
                out.append(project(cchild, wchild, wanted.tag))
                break
    if wanted.tag == 'devices':
        for index, cchild in enumerate(pool):
            if index not in used and cchild.tag in MANAGED_TAGS:
                extra = _copy(cchild)
                for addr in extra.findall('address') + extra.findall('alias'):
                    extra.remove(addr)
                out.append(extra)
    return out


def same(current, wanted):
    """True when libvirt's ``current`` definition already says everything ``wanted`` says."""
    current, wanted = parse(current), parse(wanted)
    return canonical(project(current, wanted)) == canonical(wanted)


def compare(current, wanted):
    """Return ``(same, before_text, after_text)``: the projection of current and the wanted XML, indented."""
    current, wanted = parse(current), parse(wanted)
    proj = project(current, wanted)
    return canonical(proj) == canonical(wanted), to_string(proj), to_string(wanted)
