# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""SLURM accounting state (clusters, QoS, accounts and their users) through ``sacctmgr``.

Shared by the modules ``sacct_cluster``, ``sacct_qos`` and ``sacct_account``. Each entity reads its current
state with ``sacctmgr -nP show ...``, plans the ``sacctmgr -i ...`` commands that bring it to the wanted
state (only fields the user set are compared), and runs them unless in check mode. A run_command callable
(``module.run_command``) does the work, so tests drive it with a stand-in.

SLURM stores cluster, account, QoS and user names in lower case; they are compared that way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError, fail_on_error


class SacctmgrError(HyperscalerError):
    """sacctmgr is missing, cannot reach slurmdbd, or refused a change."""


class Sacctmgr(object):
    """Runs sacctmgr through ``run_command(argv) -> (rc, stdout, stderr)``; records what it changed."""

    def __init__(self, run_command, binary):
        self._run_command = run_command
        self.binary = binary
        self.commands = []

    def _run(self, argv):
        if not self.binary:
            raise SacctmgrError(
                "sacctmgr was not found on this host; install slurm-client (role hyperscaler.workstation.slurm_controller).",
                cmd=argv,
            )
        argv = [self.binary] + list(argv)
        rc, out, err = self._run_command(argv)
        if rc != 0:
            raise SacctmgrError(
                "%s failed (rc=%s): %s" % (" ".join(argv), rc, (err or out or "no output").strip()),
                rc=rc,
                stdout=out,
                stderr=err,
                cmd=argv,
            )
        return out

    def read(self, *args):
        """Rows of ``sacctmgr -nP show <args>``, each a list of its ``|``-separated fields."""
        out = self._run(["-nP", "show"] + list(args))
        return [line.split("|") for line in out.splitlines() if line.strip()]

    def write(self, args):
        """Run ``sacctmgr -i <args>`` (no confirmation prompt)."""
        self._run(["-i"] + list(args))
        self.commands.append([self.binary, "-i"] + list(args))


# ---------------------------------------------------------------------------------------------- values


def _low(value):
    return str(value).strip().lower()


def slurm_seconds(text):
    """Seconds of a SLURM time (``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``); None for no limit."""
    text = str(text).strip()
    if text.upper() in ("", "-1", "UNLIMITED", "INFINITE"):
        return None
    days = 0
    if "-" in text:
        day_text, text = text.split("-", 1)
        days = int(day_text)
        parts = [int(p) for p in text.split(":")]
        if len(parts) > 3:
            raise ValueError(text)
        hours, minutes, seconds = (parts + [0, 0, 0])[:3]
    else:
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 1:
            hours, minutes, seconds = 0, parts[0], 0
        elif len(parts) == 2:
            hours, minutes, seconds = 0, parts[0], parts[1]
        elif len(parts) == 3:
            hours, minutes, seconds = parts
        else:
            raise ValueError(text)
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _same_time(a, b):
    try:
        return slurm_seconds(a) == slurm_seconds(b)
    except ValueError:
        return str(a).strip() == str(b).strip()


def _tres(text):
    """``cpu=4,gres/gpu=1`` with its items sorted; '' for none."""
    items = [item.strip() for item in str(text or "").split(",") if item.strip()]
    return ",".join(sorted(items))


def _names(values):
    return sorted(set(_low(v) for v in (values or []) if str(v).strip()))


def _unlimited(value):
    return "-1" if str(value).strip() in ("", "-1") else value


# ---------------------------------------------------------------------------------------------- entities


class Cluster(object):
    key = "cluster"

    def __init__(self, params):
        self.name = _low(params["name"])
        self.state = params.get("state", "present")
        if not self.name:
            raise SacctmgrError("name must not be empty.")

    def read(self, client):
        names = [_low(row[0]) for row in client.read("cluster", "format=cluster")]
        return {"name": self.name} if self.name in names else None

    def plan(self, have):
        if self.state == "absent":
            return ([["delete", "cluster", self.name]], None) if have else ([], None)
        if have:
            return [], have
        return [["add", "cluster", self.name]], {"name": self.name}


class Qos(object):
    key = "qos"
    # module option -> sacctmgr option
    FIELDS = (
        ("priority", "priority"),
        ("max_wall", "maxwall"),
        ("max_tres_per_user", "maxtrespu"),
        ("max_jobs_per_user", "maxjobspu"),
        ("max_submit_jobs_per_user", "maxsubmitjobspu"),
    )
    # Count limits: an int, or "" for none (sacctmgr prints nothing; -1 in the module clears the limit).
    COUNTS = ("max_jobs_per_user", "max_submit_jobs_per_user")
    EMPTY = dict(priority=0, max_wall="", max_tres_per_user="", max_jobs_per_user="", max_submit_jobs_per_user="")

    def __init__(self, params):
        self.name = _low(params["name"])
        self.state = params.get("state", "present")
        if not self.name:
            raise SacctmgrError("name must not be empty.")
        self.want = {}
        for field, _unused in self.FIELDS:
            value = params.get(field)
            if value is not None:
                self.want[field] = value
        if "priority" in self.want:
            self.want["priority"] = int(self.want["priority"])
        if "max_tres_per_user" in self.want:
            self.want["max_tres_per_user"] = _tres(self.want["max_tres_per_user"])
        if "max_wall" in self.want:
            wall = str(self.want["max_wall"]).strip()
            try:
                slurm_seconds(wall)
            except ValueError:
                raise SacctmgrError(
                    "max_wall %r of QoS %s is not a SLURM time ([D-]HH:MM:SS, MM, D-HH...)." % (wall, self.name)
                )
            self.want["max_wall"] = "" if wall in ("", "-1") else wall
        for field in self.COUNTS:
            if field in self.want:
                self.want[field] = self._count(self.want[field], field)

    def _count(self, value, field):
        text = str(value).strip()
        if not re.match(r"^-?[0-9]*$", text):
            raise SacctmgrError("%s %r of QoS %s is not a number of jobs." % (field, value, self.name))
        return "" if text in ("", "-1") else int(text)

    def read(self, client):
        fields = [option for _field, option in self.FIELDS]
        for row in client.read("qos", "format=name," + ",".join(fields)):
            row = (row + [""] * len(fields))[: len(fields) + 1]
            if _low(row[0]) == self.name:
                have = {"name": self.name}
                for (field, _option), value in zip(self.FIELDS, row[1:]):
                    value = value.strip()
                    if field == "priority":
                        have[field] = int(value) if value else 0
                    elif field == "max_tres_per_user":
                        have[field] = _tres(value)
                    elif field in self.COUNTS:
                        have[field] = int(value) if value else ""
                    else:
                        have[field] = value
                return have
        return None

    def _differs(self, field, have, want):
        if field == "max_wall":
            return not _same_time(have, want)
        return have != want

    @staticmethod
    def _set_value(field, have, want):
        """What ``modify ... set`` needs: -1 clears a limit; TRES limits merge, so dropped TRES are set to -1."""
        if field == "priority":
            return want
        if field in Qos.COUNTS:
            return "-1" if want == "" else want
        if field == "max_tres_per_user":
            wanted = dict(item.split("=", 1) for item in want.split(",") if "=" in item)
            cleared = ["%s=-1" % item.split("=", 1)[0] for item in have.split(",") if "=" in item]
            items = ["%s=%s" % kv for kv in sorted(wanted.items())]
            items += [c for c in cleared if c.split("=", 1)[0] not in wanted]
            return ",".join(items) if items else "-1"
        return _unlimited(want)

    def plan(self, have):
        if self.state == "absent":
            return ([["delete", "qos", "where", "name=%s" % self.name]], None) if have else ([], None)
        options = dict(self.FIELDS)
        if not have:
            args = ["%s=%s" % (options[f], v) for f, v in self.want.items() if v != ""]
            after = dict(self.EMPTY, name=self.name)
            after.update(self.want)
            return [["add", "qos", self.name] + args], after
        changes = [(f, v) for f, v in self.want.items() if self._differs(f, have.get(f, ""), v)]
        if not changes:
            return [], have
        after = dict(have)
        after.update(changes)
        args = ["%s=%s" % (options[f], self._set_value(f, have.get(f, ""), v)) for f, v in changes]
        return [["modify", "qos", "where", "name=%s" % self.name, "set"] + args], after


class Account(object):
    key = "account"

    def __init__(self, params):
        self.name = _low(params["name"])
        self.cluster = _low(params["cluster"])
        self.state = params.get("state", "present")
        if not self.name or not self.cluster:
            raise SacctmgrError("name and cluster must not be empty.")
        self.description = params.get("description")
        self.organization = params.get("organization")
        self.qos = None if params.get("qos") is None else _names(params["qos"])
        self.users = None if params.get("users") is None else _names(params["users"])
        self.purge_users = bool(params.get("purge_users"))

    def read(self, client):
        info = None
        for row in client.read("account", "format=account,description,organization"):
            row = (row + ["", ""])[:3]
            if _low(row[0]) == self.name:
                info = {"description": row[1], "organization": row[2]}
        assoc = None
        users = []
        for row in client.read("association", "where", "cluster=%s" % self.cluster, "format=account,user,qos"):
            row = (row + ["", ""])[:3]
            if _low(row[0]) != self.name:
                continue
            if row[1].strip():
                users.append(_low(row[1]))
            else:
                assoc = _names(row[2].split(","))
        if info is None or assoc is None:
            return None
        return dict(
            name=self.name, cluster=self.cluster, description=info["description"],
            organization=info["organization"], qos=assoc, users=sorted(set(users)),
        )  # fmt: skip

    def plan(self, have):
        where = ["where", "name=%s" % self.name, "cluster=%s" % self.cluster]
        if self.state == "absent":
            return ([["delete", "account"] + where], None) if have else ([], None)
        commands = []
        if not have:
            args = ["cluster=%s" % self.cluster]
            if self.description is not None:
                args.append("description=%s" % self.description)
            if self.organization is not None:
                args.append("organization=%s" % self.organization)
            if self.qos:
                args.append("qos=%s" % ",".join(self.qos))
            commands.append(["add", "account", self.name] + args)
            after = dict(
                name=self.name, cluster=self.cluster, description=self.description or self.name,
                organization=self.organization or "", qos=self.qos or [], users=[],
            )  # fmt: skip
        else:
            after = copy.deepcopy(have)
            sets = []
            for field in ("description", "organization"):
                value = getattr(self, field)
                if value is not None and _low(value) != _low(have[field]):
                    sets.append("%s=%s" % (field, value))
                    after[field] = value
            if sets:
                commands.append(["modify", "account", "where", "name=%s" % self.name, "set"] + sets)
            if self.qos is not None and self.qos != have["qos"]:
                commands.append(["modify", "account"] + where + ["set", "qos=%s" % ",".join(self.qos)])
                after["qos"] = self.qos
        if self.users is not None:
            for user in self.users:
                if user not in after["users"]:
                    commands.append(["add", "user", user, "account=%s" % self.name, "cluster=%s" % self.cluster])
            if self.purge_users:
                for user in after["users"]:
                    if user not in self.users:
                        commands.append(
                            ["delete", "user", "where", "name=%s" % user, "account=%s" % self.name]
                            + ["cluster=%s" % self.cluster]
                        )
                after["users"] = list(self.users)
            else:
                after["users"] = sorted(set(after["users"]) | set(self.users))
        return commands, after


ENTITIES = {"cluster": Cluster, "qos": Qos, "account": Account}


def ensure(client, entity, check_mode=False, diff=False):
    """Bring one entity to its wanted state; the module result (changed, commands, <entity>, diff, warnings)."""
    warnings = []
    try:
        have = entity.read(client)
    except SacctmgrError as exc:
        if not check_mode:
            raise
        # A check-mode run before slurmdbd or slurm.conf exist (a fresh host): nothing is there yet.
        warnings.append(
            "Check mode: could not read the accounting state (%s); predicting as if %s %s does not exist yet."
            % (exc.msg.rstrip("."), entity.key, entity.name)
        )
        have = None
    commands, after = entity.plan(have)
    for args in commands:
        if check_mode:
            client.commands.append([client.binary or "sacctmgr", "-i"] + list(args))
        else:
            client.write(args)
    result = {"changed": bool(commands), "commands": client.commands, entity.key: after or {}}
    if diff:
        result["diff"] = {"before": have or {}, "after": after or {}}
    if warnings:
        result["warnings"] = warnings
    return result


def run_module(module, kind):
    """What a sacct_* module does: build the entity from its params and ensure it with module.run_command."""
    entity = ENTITIES[kind](module.params)
    client = Sacctmgr(module.run_command, module.get_bin_path("sacctmgr"))
    result = ensure(client, entity, module.check_mode, module._diff)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    return result


_STATE = dict(state=dict(type="str", choices=["present", "absent"], default="present"))
# The argument spec of each sacct_* module (documented in the module and the sacctmgr doc fragment).
ARGUMENT_SPECS = {
    "cluster": dict(_STATE, name=dict(type="str", required=True)),
    "qos": dict(
        _STATE,
        name=dict(type="str", required=True),
        priority=dict(type="int"),
        max_wall=dict(type="str"),
        max_tres_per_user=dict(type="str"),
        max_jobs_per_user=dict(type="int"),
        max_submit_jobs_per_user=dict(type="int"),
    ),
    "account": dict(
        _STATE,
        name=dict(type="str", required=True),
        cluster=dict(type="str", required=True),
        description=dict(type="str"),
        organization=dict(type="str"),
        qos=dict(type="list", elements="str"),
        users=dict(type="list", elements="str"),
        purge_users=dict(type="bool", default=False),
    ),
}


def main_for(kind):
    """The main() of module sacct_<kind>."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPECS[kind], supports_check_mode=True)
    fail_on_error(module, run_module, module, kind)
