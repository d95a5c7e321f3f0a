# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""sacct_cluster, sacct_qos and sacct_account against a stand-in for sacctmgr + slurmdbd.

The stand-in (sacctmgr_standin.FakeSacctmgr, a recording fake run_command that keeps state) answers like
sacctmgr, and refuses a change that changes nothing (rc 1, "Nothing new added"), so a module that plans a
needless command fails here as it would on a real cluster.
"""

from __future__ import absolute_import, division, print_function

import pytest
from sacctmgr_standin import QOS_EMPTY


@pytest.fixture
def modules():
    from ansible_collections.hyperscaler.workstation.plugins.modules import sacct_account, sacct_cluster, sacct_qos

    return {"cluster": sacct_cluster, "qos": sacct_qos, "account": sacct_account}


@pytest.fixture
def with_cluster(sacctmgr):
    sacctmgr.clusters.append("hpc")
    return sacctmgr


# ---------------------------------------------------------------------------------------------- cluster


def test_cluster_check_mode_create_and_rerun(modules, sacctmgr, run_sacct_module):
    checked = run_sacct_module(modules["cluster"], {"name": "HPC"}, check_mode=True, diff=True)
    assert checked["changed"] is True and sacctmgr.writes == [] and sacctmgr.clusters == []
    assert checked["commands"] == [["/usr/bin/sacctmgr", "-i", "add", "cluster", "hpc"]]
    assert checked["diff"] == {"before": {}, "after": {"name": "hpc"}}

    created = run_sacct_module(modules["cluster"], {"name": "HPC"})
    assert created["changed"] is True and sacctmgr.clusters == ["hpc"]
    assert sacctmgr.writes == [["/usr/bin/sacctmgr", "-i", "add", "cluster", "hpc"]]

    again = run_sacct_module(modules["cluster"], {"name": "hpc"}, diff=True)
    assert again["changed"] is False and again["commands"] == [] and len(sacctmgr.writes) == 1
    assert again["diff"]["before"] == again["diff"]["after"] == {"name": "hpc"}

    gone = run_sacct_module(modules["cluster"], {"name": "hpc", "state": "absent"})
    assert gone["changed"] is True and sacctmgr.clusters == []


# ---------------------------------------------------------------------------------------------- QoS

HIGH = {"name": "high", "priority": 100, "max_wall": "00:30:00", "max_tres_per_user": "gres/gpu=1,cpu=2"}


def test_qos_create_then_rerun_changes_nothing(modules, sacctmgr, run_sacct_module):
    created = run_sacct_module(modules["qos"], HIGH)
    assert created["changed"] is True
    assert sacctmgr.qos["high"] == dict(QOS_EMPTY, priority="100", maxwall="00:30:00", maxtrespu="cpu=2,gres/gpu=1")
    assert created["qos"] == {
        "name": "high",
        "priority": 100,
        "max_wall": "00:30:00",
        "max_tres_per_user": "cpu=2,gres/gpu=1",
        "max_jobs_per_user": "",
        "max_submit_jobs_per_user": "",
    }

    again = run_sacct_module(modules["qos"], HIGH)
    assert again["changed"] is False and len(sacctmgr.writes) == 1
    # The same limits written another way are the same: 30 minutes, TRES in another order.
    same = dict(HIGH, max_wall="30", max_tres_per_user="cpu=2,gres/gpu=1")
    assert run_sacct_module(modules["qos"], same)["changed"] is False and len(sacctmgr.writes) == 1


def test_qos_modify_sends_only_the_fields_that_differ(modules, sacctmgr, run_sacct_module):
    run_sacct_module(modules["qos"], HIGH)
    changed = run_sacct_module(modules["qos"], {"name": "high", "priority": 200}, diff=True)
    assert changed["changed"] is True
    assert sacctmgr.writes[-1] == [
        "/usr/bin/sacctmgr",
        "-i",
        "modify",
        "qos",
        "where",
        "name=high",
        "set",
        "priority=200",
    ]
    assert sacctmgr.qos["high"] == dict(QOS_EMPTY, priority="200", maxwall="00:30:00", maxtrespu="cpu=2,gres/gpu=1")
    assert changed["diff"]["before"]["priority"] == 100 and changed["diff"]["after"]["priority"] == 200
    assert changed["diff"]["after"]["max_wall"] == "00:30:00"


def test_qos_tres_limit_that_is_left_out_is_removed(modules, sacctmgr, run_sacct_module):
    run_sacct_module(modules["qos"], HIGH)
    res = run_sacct_module(modules["qos"], {"name": "high", "max_tres_per_user": "cpu=4"})
    assert res["changed"] is True and sacctmgr.qos["high"]["maxtrespu"] == "cpu=4"
    assert run_sacct_module(modules["qos"], {"name": "high", "max_tres_per_user": "cpu=4"})["changed"] is False
    cleared = run_sacct_module(modules["qos"], {"name": "high", "max_wall": ""})
    assert cleared["changed"] is True and sacctmgr.qos["high"]["maxwall"] == ""


def test_qos_per_user_job_limits_are_set_compared_and_cleared(modules, sacctmgr, run_sacct_module):
    limits = dict(HIGH, max_jobs_per_user=1, max_submit_jobs_per_user=4)
    created = run_sacct_module(modules["qos"], limits)
    assert created["changed"] is True
    assert sacctmgr.writes[-1][-2:] == ["maxjobspu=1", "maxsubmitjobspu=4"]
    assert sacctmgr.qos["high"]["maxjobspu"] == "1" and sacctmgr.qos["high"]["maxsubmitjobspu"] == "4"
    assert run_sacct_module(modules["qos"], limits)["changed"] is False
    raised = run_sacct_module(modules["qos"], {"name": "high", "max_jobs_per_user": 2}, diff=True)
    assert raised["commands"][-1][-1] == "maxjobspu=2" and raised["diff"]["before"]["max_jobs_per_user"] == 1
    cleared = run_sacct_module(modules["qos"], {"name": "high", "max_submit_jobs_per_user": -1})
    assert cleared["commands"][-1][-1] == "maxsubmitjobspu=-1" and sacctmgr.qos["high"]["maxsubmitjobspu"] == ""
    assert run_sacct_module(modules["qos"], {"name": "high", "max_submit_jobs_per_user": -1})["changed"] is False


def test_qos_check_mode_predicts_without_writing(modules, sacctmgr, run_sacct_module):
    run_sacct_module(modules["qos"], HIGH)
    before = sacctmgr.snapshot()
    res = run_sacct_module(modules["qos"], dict(HIGH, priority=5), check_mode=True, diff=True)
    assert res["changed"] is True and sacctmgr.snapshot() == before and len(sacctmgr.writes) == 1
    assert res["commands"] == [["/usr/bin/sacctmgr", "-i", "modify", "qos", "where", "name=high", "set", "priority=5"]]
    assert res["diff"] == {"before": dict(res["qos"], priority=100), "after": res["qos"]}
    assert run_sacct_module(modules["qos"], HIGH, check_mode=True)["changed"] is False


def test_qos_bad_max_wall_is_a_clear_error(modules, sacctmgr, run_sacct_module):
    res = run_sacct_module(modules["qos"], {"name": "high", "max_wall": "half an hour"})
    assert res["failed"] and "max_wall 'half an hour' of QoS high is not a SLURM time" in res["msg"]
    assert sacctmgr.writes == []


# ---------------------------------------------------------------------------------------------- accounts

RESEARCH = {
    "name": "Research",
    "cluster": "hpc",
    "description": "Research projects",
    "organization": "hpc",
    "qos": ["normal", "high"],
    "users": ["alice", "root"],
}


def test_account_create_with_users_then_rerun(modules, with_cluster, run_sacct_module):
    fake = with_cluster
    run_sacct_module(modules["qos"], {"name": "high", "priority": 100})
    created = run_sacct_module(modules["account"], RESEARCH, diff=True)
    assert created["changed"] is True
    assert fake.assocs[("hpc", "research", "")] == ["high", "normal"]
    assert fake.assocs[("hpc", "research", "alice")] and fake.assocs[("hpc", "research", "root")]
    assert created["diff"]["before"] == {}
    assert created["account"] == {
        "name": "research", "cluster": "hpc", "description": "Research projects", "organization": "hpc",
        "qos": ["high", "normal"], "users": ["alice", "root"],
    }  # fmt: skip
    writes = len(fake.writes)

    again = run_sacct_module(modules["account"], RESEARCH, diff=True)
    assert again["changed"] is False and len(fake.writes) == writes
    assert again["diff"]["before"] == again["diff"]["after"] == created["account"]


def test_account_modify_and_users(modules, with_cluster, run_sacct_module):
    fake = with_cluster
    run_sacct_module(modules["qos"], {"name": "high"})
    run_sacct_module(modules["account"], RESEARCH)
    # Description differs only in case: the same (sacctmgr may store it lowered).
    assert run_sacct_module(modules["account"], dict(RESEARCH, description="RESEARCH projects"))["changed"] is False

    res = run_sacct_module(modules["account"], dict(RESEARCH, organization="physics", users=["bob"]))
    assert res["changed"] is True and fake.accounts["research"]["organization"] == "physics"
    assert ("hpc", "research", "bob") in fake.assocs and ("hpc", "research", "alice") in fake.assocs
    assert res["account"]["users"] == ["alice", "bob", "root"]

    purged = run_sacct_module(modules["account"], dict(RESEARCH, users=["bob"], purge_users=True))
    assert purged["changed"] is True and purged["account"]["users"] == ["bob"]
    assert sorted(k[2] for k in fake.assocs if k[1] == "research") == ["", "bob"]

    narrowed = run_sacct_module(modules["account"], dict(RESEARCH, qos=["normal"], users=None))
    assert narrowed["changed"] is True and fake.assocs[("hpc", "research", "")] == ["normal"]


def test_account_fields_left_out_are_not_compared(modules, with_cluster, run_sacct_module):
    run_sacct_module(modules["qos"], {"name": "high"})
    run_sacct_module(modules["account"], RESEARCH)
    res = run_sacct_module(modules["account"], {"name": "research", "cluster": "hpc"})
    assert res["changed"] is False and res["account"]["users"] == ["alice", "root"]


# ---------------------------------------------------------------------------------------------- failures


@pytest.mark.parametrize("kind,args", [("cluster", {"name": "hpc"}), ("qos", HIGH), ("account", RESEARCH)])
def test_slurmdbd_down_fails_clearly_but_check_mode_predicts(modules, sacctmgr, run_sacct_module, kind, args):
    sacctmgr.down = True
    res = run_sacct_module(modules[kind], args)
    assert res["failed"] is True and res["rc"] == 1
    assert res["msg"].startswith("/usr/bin/sacctmgr -nP show ") and "Connection refused" in res["msg"]
    assert sacctmgr.writes == []

    # A fresh host in check mode: slurmdbd is not running yet; predict the add, warn, do not fail the play.
    checked = run_sacct_module(modules[kind], args, check_mode=True)
    assert not checked.get("failed") and checked["changed"] is True and sacctmgr.writes == []
    assert "Check mode: could not read the accounting state" in checked["warnings"][0]
    assert checked["commands"][0][:4] == ["/usr/bin/sacctmgr", "-i", "add", kind]


def test_missing_sacctmgr(modules, sacctmgr, run_sacct_module):
    res = run_sacct_module(modules["cluster"], {"name": "hpc"}, binary=None)
    assert res["failed"] and "sacctmgr was not found on this host" in res["msg"]
    checked = run_sacct_module(modules["cluster"], {"name": "hpc"}, check_mode=True, binary=None)
    assert checked["changed"] is True and not checked.get("failed") and sacctmgr.calls == []


def test_a_refused_change_is_reported(modules, with_cluster, run_sacct_module):
    # The stand-in refuses an account whose QoS does not exist, as slurmdbd does.
    res = run_sacct_module(modules["account"], dict(RESEARCH, qos=["nosuchqos"]))
    assert res["failed"] is True and "unknown qos nosuchqos" in res["msg"]
    assert "-i add account research" in res["msg"]
