# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Login users of a cluster (cluster.yaml ``clusters.<name>.users``) as the role hpc_users applies them: who is
present (with GID and shell filled in), who is to be removed, and the root-owned authorized-keys files sshd reads.
Nothing here imports Ansible."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

DEFAULT_SHELL = "/bin/bash"


def _user(entry, index):
    if not isinstance(entry, dict) or not entry.get("name") or entry.get("uid") is None:
        raise HyperscalerError("hpc_users_list[%d] must be a mapping with name and uid, not %r." % (index, entry))
    state = entry.get("state", "present")
    if state not in ("present", "absent"):
        raise HyperscalerError("hpc_users_list[%d].state must be present or absent, not %r." % (index, state))
    keys = entry.get("ssh_keys") or []
    if not isinstance(keys, list):
        raise HyperscalerError("hpc_users_list[%d].ssh_keys must be a list of public keys." % index)
    return {
        "name": str(entry["name"]),
        "uid": int(entry["uid"]),
        "gid": int(entry.get("gid", entry["uid"])),
        "groups": list(entry.get("groups") or []),
        "shell": str(entry.get("shell") or DEFAULT_SHELL),
        "ssh_keys": [str(k).strip() for k in keys],
        "state": state,
    }


def plan(users, keys_dir):
    """{present, absent, key_files}: normalised users and config_files entries (one per present user with keys)."""
    if not isinstance(users, list):
        raise HyperscalerError("hpc_users_list must be a list of users, not %r." % (users,))
    normalised = [_user(entry, i) for i, entry in enumerate(users)]
    present = [u for u in normalised if u["state"] == "present"]
    key_files = [
        {
            "dest": "%s/%s" % (str(keys_dir).rstrip("/"), u["name"]),
            "content": "".join(k + "\n" for k in u["ssh_keys"]),
            "owner": "root",
            "group": "root",
            "mode": "0644",
        }
        for u in present
        if u["ssh_keys"]
    ]
    return {"present": present, "absent": [u for u in normalised if u["state"] == "absent"], "key_files": key_files}
