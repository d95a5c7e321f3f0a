# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Fake sysfs/proc trees with a small simulated kernel, and a module-call harness."""

from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

# Nothing from ansible_collections is imported at load time: pytest-ansible installs Ansible's
# collection finder only after conftest files are loaded, and an earlier import would bypass it.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def host(tmp_path):
    from gpu_fakes import FakeHost

    return FakeHost(tmp_path)


@pytest.fixture
def kernel(host):
    from gpu_fakes import FakeKernel

    return FakeKernel(host)


@pytest.fixture
def two_gpu_host(host):
    """Boot VGA on 0000:01:00 (an A10, group 1), an H100 pair on 0000:41:00 (group 14; a 3D controller, so no
    boot_vga file), a bridge shares group 14."""
    host.add_gpu_pair("0000:01:00", 1, device="2236", cls="0x030000", boot_vga=1)
    host.add_gpu_pair("0000:41:00", 14, device="2330", numa=1)
    host.add_device("0000:40:01.0", vendor="8086", device="1234", cls="0x060400", driver="pcieport", group=14)
    return host
