# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the SLURM unit tests: the sacctmgr stand-in and a module-call harness."""

from __future__ import absolute_import, division, print_function

import json
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

    def run(module, args, check_mode=False, diff=False, binary="/usr/bin/sacctmgr"):
        payload = dict(args)
        payload.update(_ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp="/tmp")
        payload["_ansible_keep_remote_files"] = False
        captured = {}

        def fake_exit(self, **kw):
            kw.setdefault("changed", False)
            captured.update(kw)
            raise SystemExit(0)

        def fake_fail(self, msg, **kw):
            captured.update(kw, failed=True, msg=msg)
            raise SystemExit(1)

        monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, w: captured.setdefault("warnings", []).append(w))
        monkeypatch.setattr(basic.AnsibleModule, "exit_json", fake_exit)
        monkeypatch.setattr(basic.AnsibleModule, "fail_json", fake_fail)
        monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: sacctmgr(argv))
        monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, *a, **kw: binary)
        try:
            from ansible.module_utils.testing import patch_module_args
        except ImportError:  # ansible-core < 2.19
            from ansible.module_utils.common.text.converters import to_bytes

            monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": payload})))
            with pytest.raises(SystemExit):
                module.main()
        else:
            with patch_module_args(payload):
                with pytest.raises(SystemExit):
                    module.main()
        return captured

    return run
