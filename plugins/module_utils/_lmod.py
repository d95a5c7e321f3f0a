# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Lmod modules from data: a module spec ({name, version, whatis, help, family, setenv, prepend_path}) becomes the
Lua file Lmod reads, as a config_files entry. Nothing here imports Ansible."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = ("name", "version", "whatis", "help", "family", "setenv", "prepend_path")


def _lua(text):
    """A Lua string literal: long brackets cannot be closed by the text, so nothing in it needs escaping."""
    text = str(text)
    level = 0
    while "]%s]" % ("=" * level) in text:
        level += 1
    return "[%s[%s]%s]" % ("=" * level, text, "=" * level)


def module_file(spec, directory, index=None):
    """{dest, content, owner, group, mode} of module ``spec`` under ``directory`` (``<name>/<version>.lua``)."""
    where = "hpc_userenv_modules[%s]" % ("?" if index is None else index)
    if not isinstance(spec, dict):
        raise HyperscalerError("%s must be a mapping with name and version, not %r." % (where, spec))
    unknown = sorted(set(spec) - set(_KEYS))
    if unknown:
        raise HyperscalerError("%s: unknown key(s) %s (known: %s)." % (where, ", ".join(unknown), ", ".join(_KEYS)))
    for field in ("name", "version"):
        if not _NAME.match(str(spec.get(field) or "")):
            raise HyperscalerError(
                "%s.%s must be a file name such as openmpi or 5.0.7, not %r." % (where, field, spec.get(field))
            )
    lines = ["-- Written by hyperscaler.workstation (role hpc_userenv); edits are replaced on the next run."]
    if spec.get("whatis"):
        lines.append("whatis(%s)" % _lua(spec["whatis"]))
    if spec.get("help"):
        lines.append("help(%s)" % _lua(spec["help"]))
    if spec.get("family"):
        lines.append("family(%s)" % _lua(spec["family"]))
    for key in ("setenv", "prepend_path"):
        values = spec.get(key) or {}
        if not isinstance(values, dict):
            raise HyperscalerError("%s.%s must map variable names to values, not %r." % (where, key, values))
        for var in sorted(values):
            if not _ENV.match(str(var)):
                raise HyperscalerError("%s.%s: %r is not an environment variable name." % (where, key, var))
            lines.append("%s(%s, %s)" % (key, _lua(var), _lua(values[var])))
    return {
        "dest": "%s/%s/%s.lua" % (str(directory).rstrip("/"), spec["name"], spec["version"]),
        "content": "\n".join(lines) + "\n",
        "owner": "root",
        "group": "root",
        "mode": "0644",
    }


def module_files(specs, directory):
    """The config_files entries of every module in ``specs``."""
    if not isinstance(specs, list):
        raise HyperscalerError("hpc_userenv_modules must be a list of module specs, not %r." % (specs,))
    return [module_file(spec, directory, i) for i, spec in enumerate(specs)]
