# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""missing_packages: apt specs against ansible_facts.packages, as apt would match them."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _packages

INSTALLED = {
    'slurmctld': [{'name': 'slurmctld', 'version': '24.11.5-4', 'source': 'apt'}],
    'munge': [{'name': 'munge', 'version': '0.5.16-1.1~deb13u1', 'source': 'apt'}],
}


def test_installed_specs_are_not_missing():
    assert _packages.missing(['slurmctld=24.11.*', 'munge'], INSTALLED) == []


def test_missing_and_wrong_version_are_returned_in_order():
    specs = ['slurmd=24.11.*', 'slurmctld=22.05.*', 'munge=0.5.16-1.1~deb13u1', 'mariadb-server']
    assert _packages.missing(specs, INSTALLED) == ['slurmd=24.11.*', 'slurmctld=22.05.*', 'mariadb-server']


def test_without_facts_apt_decides():
    assert _packages.missing(['a', 'b=1.*'], None) == ['a', 'b=1.*']
    assert _packages.missing('munge', INSTALLED) == []


@pytest.mark.parametrize('bad', ['', '=1.0', 'slurmd='])
def test_bad_spec_is_refused(bad):
    with pytest.raises(_packages.PackageSpecError, match='not an apt package spec'):
        _packages.missing([bad], INSTALLED)
