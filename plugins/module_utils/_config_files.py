# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A role's whole set of directories and configuration files converged in one remote call.

Used by the module ``hyperscaler.workstation.config_files``. Under emulation every Ansible task costs seconds
(Python starts and imports the module afresh on the guest), so a role that ships five files in five
``template`` tasks pays five times what one call costs. Here every directory and file is still checked on
every run - content byte for byte, then owner, group and mode - and only what differs is written, each file
atomically (a temporary file in the same directory, renamed over the old one). With ``service``, the same call
then keeps the daemon that reads the files enabled and running, and restarts it when one of them changed, so a
role converges a daemon in one call (a rerun that changes nothing still checks every file and the unit).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import os
import tempfile

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

# Owner, group and mode, as ansible.builtin.file takes them: the same for a directory and a file.
_ATTRIBUTE_OPTIONS = dict(owner=dict(type="str"), group=dict(type="str"), mode=dict(type="raw"))

DIRECTORY_OPTIONS = dict(path=dict(type="path", required=True), **_ATTRIBUTE_OPTIONS)

FILE_OPTIONS = dict(
    dest=dict(type="path", required=True),
    content=dict(type="str"),
    # Binary files (a munge key): base64 of the bytes; never shown in diff mode.
    content_b64=dict(type="str"),
    diff=dict(type="bool", default=True),
    **_ATTRIBUTE_OPTIONS,
)

SERVICE_OPTIONS = dict(
    name=dict(type="str", required=True),
    enabled=dict(type="bool", default=True),
    restart_on_change=dict(type="bool", default=True),
)

ARGUMENT_SPEC = dict(
    directories=dict(type="list", elements="dict", default=[], options=DIRECTORY_OPTIONS),
    service=dict(type="dict", options=SERVICE_OPTIONS),
    files=dict(
        type="list",
        elements="dict",
        default=[],
        options=FILE_OPTIONS,
        mutually_exclusive=[("content", "content_b64")],
        required_one_of=[("content", "content_b64")],
    ),
)


class ConfigFilesError(HyperscalerError):
    """A path that cannot be made the directory or file asked for."""


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IOError:
        return None


def _write_atomically(module, dest, data):
    directory = os.path.dirname(dest) or "."
    if not os.path.isdir(directory):
        raise ConfigFilesError(
            "%s: the directory %s does not exist; list it under directories (before the file)." % (dest, directory)
        )
    handle, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(dest), dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _attributes(module, path, entry, diffs):
    """Owner, group and mode of an existing path, set as the file module sets them; True if one differed."""
    file_args = module.load_file_common_arguments(
        dict(path=path, owner=entry.get("owner"), group=entry.get("group"), mode=entry.get("mode"))
    )
    diff = {"before": {"path": path}, "after": {"path": path}}
    changed = module.set_fs_attributes_if_different(file_args, False, diff, expand=False)
    if changed:
        diffs.append(diff)
    return changed


def converge_directory(module, entry, diffs):
    path = entry["path"]
    if os.path.isdir(path):
        return _attributes(module, path, entry, diffs)
    if os.path.lexists(path):
        raise ConfigFilesError("%s exists and is not a directory; remove it or choose another path." % path)
    diffs.append({"before": {"path": path, "state": "absent"}, "after": {"path": path, "state": "directory"}})
    if not module.check_mode:
        os.makedirs(path)
        _attributes(module, path, entry, [])
    return True


def converge_file(module, entry, diffs):
    dest = entry["dest"]
    if os.path.isdir(dest):
        raise ConfigFilesError("%s is a directory; a file cannot be written there." % dest)
    if entry.get("content_b64") is not None:
        try:
            wanted = base64.b64decode(entry["content_b64"], validate=True)
        except (binascii.Error, ValueError):
            raise ConfigFilesError("%s: content_b64 is not base64." % dest)
    else:
        wanted = entry["content"].encode("utf-8")
    current = _read(dest)
    changed = current != wanted
    if changed and entry.get("diff", True) and entry.get("content") is not None:
        before = "" if current is None else current.decode("utf-8", "replace")
        diffs.append({"before_header": dest, "after_header": dest, "before": before, "after": entry["content"]})
    elif changed:
        diffs.append({"prepared": "--- %s\n+++ %s\n(content not shown: diff=false)\n" % (dest, dest)})
    if changed and not module.check_mode:
        _write_atomically(module, dest, wanted)
    if current is not None or not module.check_mode:
        changed = _attributes(module, dest, entry, diffs) or changed
    return changed


# UnitFileState values of a unit that starts at boot without `systemctl enable` or already is enabled.
_ENABLED_STATES = ("enabled", "enabled-runtime", "static", "indirect", "generated", "alias", "linked")
# ActiveState values of a running unit (restarted on a change, else left alone).
_RUNNING_STATES = ("active", "activating", "reloading")


def unit_state(module, systemctl, name):
    """systemctl's LoadState, UnitFileState, ActiveState and NeedDaemonReload of ``name``, as a dict."""
    props = "LoadState,UnitFileState,ActiveState,NeedDaemonReload"
    rc, out, err = module.run_command([systemctl, "show", "--property=" + props, "--", name])
    if rc != 0:
        raise ConfigFilesError("systemctl show %s failed: %s" % (name, (err or out).strip()))
    return dict(line.partition("=")[::2] for line in out.splitlines() if "=" in line)


def service_actions(spec, state, files_changed):
    """The systemctl actions that bring the unit to ``spec`` from ``state`` (after the files were written)."""
    actions = []
    if state.get("NeedDaemonReload") == "yes":
        actions.append("daemon-reload")
    unit_file = state.get("UnitFileState", "")
    if spec["enabled"] and unit_file not in _ENABLED_STATES:
        actions.append("enable")
    elif spec["enabled"] is False and unit_file in ("enabled", "enabled-runtime"):
        actions.append("disable")
    if state.get("ActiveState") not in _RUNNING_STATES:
        actions.append("start")
    elif files_changed and spec["restart_on_change"]:
        actions.append("restart")
    return actions


def converge_service(module, spec, files_changed, diffs):
    """Enable, start, or restart (after a file changed) the unit; returns {name, actions}."""
    name = spec["name"]
    systemctl = module.get_bin_path("systemctl", required=True)
    state = unit_state(module, systemctl, name)
    if state.get("LoadState") == "not-found":
        if module.check_mode:  # its package is not installed yet: the run would install it first
            return dict(name=name, actions=["start"])
        raise ConfigFilesError("%s: no such systemd unit; install its package first." % name)
    actions = service_actions(spec, state, files_changed)
    if actions:
        diffs.append({"prepared": "".join("systemctl %s\n" % " ".join(_argv(a, name)) for a in actions)})
    if not module.check_mode:
        for action in actions:
            rc, out, err = module.run_command([systemctl] + _argv(action, name))
            if rc != 0:
                raise ConfigFilesError(
                    "systemctl %s failed: %s (journalctl -u %s says why)"
                    % (" ".join(_argv(action, name)), (err or out).strip(), name)
                )
    return dict(name=name, actions=actions)


def _argv(action, name):
    return [action] if action == "daemon-reload" else [action, "--", name]


def converge(module):
    """Every directory, then every file, then the service; returns the module result."""
    results, diffs = [], []
    for entry in module.params["directories"]:
        results.append(dict(path=entry["path"], changed=converge_directory(module, entry, diffs)))
    for entry in module.params["files"]:
        results.append(dict(path=entry["dest"], changed=converge_file(module, entry, diffs)))
    changed_paths = [r["path"] for r in results if r["changed"]]
    result = dict(changed=bool(changed_paths), paths=results, changed_paths=changed_paths)
    if module.params.get("service"):
        result["service"] = converge_service(module, module.params["service"], bool(changed_paths), diffs)
        result["changed"] = result["changed"] or bool(result["service"]["actions"])
    if module._diff:
        result["diff"] = diffs
    return result
