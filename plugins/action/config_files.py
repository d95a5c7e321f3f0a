# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Action plugin of hyperscaler.workstation.config_files: runs the module once and notifies, per changed file,
only the handlers that file names (its ``notify``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.collections import is_sequence
from ansible.plugins.action import ActionBase


def _names(value, where):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if is_sequence(value) and all(isinstance(v, str) for v in value):
        return list(value)
    raise AnsibleActionFail("%s.notify must be a handler name or a list of them, not %r." % (where, value))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("directories", "files"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        files = args.get("files") or []
        if not is_sequence(files):
            raise AnsibleActionFail("files must be a list of {dest, content, ...}, not %r." % (files,))
        notify = {}
        module_files = []
        for index, entry in enumerate(files):
            if not isinstance(entry, dict):
                raise AnsibleActionFail("files[%d] must be a dict with dest and content, not %r." % (index, entry))
            entry = dict(entry)
            names = _names(entry.pop("notify", None), "files[%d]" % index)
            if names:
                notify.setdefault(entry.get("dest"), []).extend(names)
            module_files.append(entry)
        if notify and self._task.notify:
            raise AnsibleActionFail("Set notify on the files of hyperscaler.workstation.config_files, not on the task.")
        args["files"] = module_files
        result.update(
            self._execute_module(
                module_name="hyperscaler.workstation.config_files", module_args=args, task_vars=task_vars
            )
        )
        if result.get("changed") and not result.get("failed"):
            wanted = []
            for path in result.get("changed_paths", []):
                wanted.extend(n for n in notify.get(path, []) if n not in wanted)
            if wanted:
                # Read by the strategy the same way as a loop item's notification (ansible-core sets
                # _ansible_notify from the task's own notify, which is refused above when files notify).
                result["_ansible_notify"] = wanted
        return result
