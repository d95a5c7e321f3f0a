# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for sacctmgr + slurmdbd: a recording fake run_command that keeps accounting state.

It understands the subset of the sacctmgr command line the collection uses (``-nP show`` of clusters, QoS,
accounts and associations; ``-i add/modify/delete`` of clusters, QoS, accounts and users), stores names in
lower case like SLURM, merges TRES limits like SLURM (``cpu=-1`` removes one), and answers like sacctmgr:
rc 1 and a message for what it refuses ("Nothing new added", an unknown option, slurmdbd down). Every call
is recorded in ``calls``; the changing ones also in ``writes``.
"""

from __future__ import absolute_import, division, print_function

import copy

# The QoS fields sacctmgr shows, in the order the collection asks for them, as it prints them when unset.
QOS_EMPTY = {"priority": "0", "maxwall": "", "maxtrespu": "", "maxjobspu": "", "maxsubmitjobspu": ""}


class FakeSacctmgr(object):
    def __init__(self):
        self.clusters = []
        self.qos = {"normal": dict(QOS_EMPTY)}
        self.accounts = {"root": {"description": "default root account", "organization": "root"}}
        self.assocs = {}  # (cluster, account, user or '') -> qos list
        self.calls = []
        self.writes = []
        self.down = False

    # -- helpers -------------------------------------------------------------------------------------------

    def snapshot(self):
        return copy.deepcopy((self.clusters, self.qos, self.accounts, self.assocs))

    @staticmethod
    def _kv(args):
        out = {}
        for arg in args:
            if "=" not in arg:
                raise ValueError("Unknown option: %s" % arg)
            key, value = arg.split("=", 1)
            out[key.lower()] = value
        return out

    @staticmethod
    def _tres_merge(have, change):
        items = dict(i.split("=", 1) for i in have.split(",") if "=" in i)
        for item in change.split(","):
            key, value = item.split("=", 1)
            if value == "-1":
                items.pop(key, None)
            else:
                items[key] = value
        return ",".join("%s=%s" % kv for kv in sorted(items.items()))

    def _split_where(self, args):
        """``where k=v ... set k=v ...`` -> (where dict, set dict)."""
        if not args or args[0] != "where":
            raise ValueError("Expected 'where': %s" % " ".join(args))
        args = args[1:]
        if "set" in args:
            i = args.index("set")
            return self._kv(args[:i]), self._kv(args[i + 1 :])
        return self._kv(args), {}

    # -- sacctmgr ------------------------------------------------------------------------------------------

    def __call__(self, argv, **kwargs):
        self.calls.append(list(argv))
        if self.down:
            return (
                1,
                "",
                (
                    "sacctmgr: error: slurm_persist_conn_open_without_init: failed to open persistent connection to "
                    "host:localhost:6819: Connection refused\nsacctmgr: error: Problem talking to the database: "
                    "Connection refused\n"
                ),
            )
        args = list(argv[1:])
        try:
            if args[:2] == ["-nP", "show"]:
                return 0, self._show(args[2:]), ""
            if args[:1] == ["-i"]:
                before = self.snapshot()
                self._change(args[1:])
                if self.snapshot() == before:
                    return 1, " Nothing new added.\n", ""
                self.writes.append(list(argv))
                return 0, "", ""
        except (ValueError, KeyError, IndexError) as exc:
            return 1, "", "sacctmgr: error: %s\n" % exc
        return 1, "", "sacctmgr: error: unsupported call %r\n" % (argv,)

    def _show(self, args):
        what, rest = args[0], args[1:]
        where = {}
        if rest and rest[0] == "where":
            i = [j for j, a in enumerate(rest) if a.startswith("format=")][0]
            where = self._kv(rest[1:i])
            rest = rest[i:]
        fmt = self._kv(rest)["format"].split(",")
        rows = []
        if what == "cluster" and fmt == ["cluster"]:
            rows = [[c] for c in self.clusters]
        elif what == "qos" and fmt == ["name"] + list(QOS_EMPTY):
            rows = [[n] + [q[f] for f in QOS_EMPTY] for n, q in sorted(self.qos.items())]
        elif what == "account" and fmt == ["account", "description", "organization"]:
            rows = [[n, a["description"], a["organization"]] for n, a in sorted(self.accounts.items())]
        elif what == "association" and fmt == ["account", "user", "qos"]:
            for (cluster, account, user), qos in sorted(self.assocs.items()):
                if where.get("cluster", cluster) == cluster:
                    rows.append([account, user, ",".join(sorted(qos))])
        else:
            raise ValueError("unsupported show %s" % " ".join(args))
        return "".join("|".join(r) + "\n" for r in rows)

    def _change(self, args):
        verb, what, rest = args[0], args[1], args[2:]
        if what == "cluster":
            name = rest[0].lower()
            if verb == "add" and name not in self.clusters:
                self.clusters.append(name)
            elif verb == "delete" and name in self.clusters:
                self.clusters.remove(name)
            return
        if what == "qos":
            if verb == "add":
                name = rest[0].lower()
                if name in self.qos:
                    return
                opts = self._kv(rest[1:])
                self.qos[name] = dict(QOS_EMPTY)
                self._set_qos(name, opts)
                return
            where, sets = self._split_where(rest)
            name = where["name"].lower()
            if verb == "modify":
                self._set_qos(name, sets)
            elif verb == "delete":
                self.qos.pop(name, None)
            return
        if what == "account":
            if verb == "add":
                name = rest[0].lower()
                opts = self._kv(rest[1:])
                cluster = opts.pop("cluster").lower()
                if cluster not in self.clusters:
                    raise ValueError("cluster %s does not exist" % cluster)
                qos = opts.pop("qos", "normal").split(",")
                for q in qos:
                    if q not in self.qos:
                        raise ValueError("Problem adding account: unknown qos %s" % q)
                self.accounts.setdefault(
                    name, {"description": opts.pop("description", name), "organization": opts.pop("organization", "")}
                )
                if opts:
                    raise ValueError("Unknown option: %s" % opts)
                self.assocs.setdefault((cluster, name, ""), qos)
                return
            where, sets = self._split_where(rest)
            name = where["name"].lower()
            if verb == "modify":
                if "cluster" in where:
                    key = (where["cluster"], name, "")
                    self.assocs[key] = sets.pop("qos").split(",")
                    for k in list(self.assocs):
                        if k[:2] == key[:2] and k[2]:
                            self.assocs[k] = list(self.assocs[key])
                for field in ("description", "organization"):
                    if field in sets:
                        self.accounts[name][field] = sets.pop(field)
                if sets:
                    raise ValueError("Unknown option: %s" % sets)
            elif verb == "delete":
                for k in list(self.assocs):
                    if k[0] == where["cluster"] and k[1] == name:
                        del self.assocs[k]
            return
        if what == "user":
            if verb == "add":
                user = rest[0].lower()
                opts = self._kv(rest[1:])
                key = (opts["cluster"], opts["account"], "")
                if key not in self.assocs:
                    raise ValueError("account %s has no association on cluster %s" % (opts["account"], opts["cluster"]))
                self.assocs.setdefault((opts["cluster"], opts["account"], user), list(self.assocs[key]))
                return
            where = self._split_where(rest)[0]
            self.assocs.pop((where["cluster"], where["account"], where["name"]), None)
            return
        raise ValueError("unsupported %s %s" % (verb, what))

    def _set_qos(self, name, opts):
        qos = self.qos[name]
        for key, value in opts.items():
            if key == "priority":
                qos["priority"] = str(int(value))
            elif key == "maxwall":
                qos["maxwall"] = "" if value == "-1" else self._wall(value)
            elif key == "maxtrespu":
                qos["maxtrespu"] = "" if value == "-1" else self._tres_merge(qos["maxtrespu"], value)
            elif key in ("maxjobspu", "maxsubmitjobspu"):
                qos[key] = "" if int(value) == -1 else str(int(value))
            else:
                raise ValueError("Unknown option: %s" % key)

    @staticmethod
    def _wall(value):
        """sacctmgr prints MaxWall as [D-]HH:MM:SS whatever was written (here: minutes or HH:MM:SS)."""
        if ":" not in value:
            minutes = int(value)
            days, minutes = divmod(minutes, 24 * 60)
            text = "%02d:%02d:00" % divmod(minutes, 60)
            return ("%d-" % days + text) if days else text
        return value
