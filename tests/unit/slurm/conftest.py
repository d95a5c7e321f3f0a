# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the SLURM unit tests: the sacctmgr stand-in and a module-call harness."""

from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

# Nothing from ansible_collections is imported at load time (pytest-ansible installs the collection finder
# after the conftest files are loaded).
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def sacctmgr():
    """The recording sacctmgr stand-in (sacctmgr_standin.FakeSacctmgr) with a fresh, empty slurmdbd."""
    from sacctmgr_standin import FakeSacctmgr

    return FakeSacctmgr()


@pytest.fixture
def run_sacct_module(monkeypatch, sacctmgr):
    """Call a sacct_* module's main() with args against the stand-in; returns the JSON result."""
    from ansible.module_utils import basic
    from helpers.module_harness import run_module

    def run(module, args, check_mode=False, diff=False, binary="/usr/bin/sacctmgr"):
        monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: sacctmgr(argv))
        monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, *a, **kw: binary)
        return run_module(module, args, monkeypatch, check_mode=check_mode, diff=diff)

    return run
