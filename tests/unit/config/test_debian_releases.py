# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The table of Debian releases is the one place the guest suite and its versions are set: the schema, the
normalised config, the image_builder role and the SLURM pin all agree with it."""

from __future__ import absolute_import, division, print_function

import json

import yaml

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _debian_releases as releases
from ansible_collections.hyperscaler.workstation.plugins.module_utils import _cluster_spec, _slurm_conf


def test_default_guest_is_debian_13_with_slurm_24_11():
    default = releases.release()
    assert (default.suite, default.version, default.slurm) == ('trixie', '13', '24.11.*')
    assert _slurm_conf.DEFAULT_SLURM_VERSION == default.slurm
    assert releases.release('bookworm').slurm == '22.05.*'
    assert releases.release('focal') is None


def test_schema_offers_exactly_the_tables_suites_and_its_default(repo_root):
    schema = json.loads((repo_root / 'schemas' / 'cluster.schema.json').read_text())
    suite = schema['$defs']['global']['properties']['images']['properties']['suite']
    assert suite['enum'] == list(releases.RELEASES)
    assert suite['default'] == releases.DEFAULT_SUITE
    assert _cluster_spec.DEFAULTS['images']['suite'] == releases.DEFAULT_SUITE


def test_a_suite_outside_the_table_is_refused_with_its_path():
    doc = {'version': '1.0', 'global': {'images': {'suite': 'jammy'}}, 'clusters': {'hpc': {}}}
    errors = _cluster_spec.validate(doc)
    assert [e for e in errors if e.startswith('global.images.suite') and 'trixie' in e], errors


def test_image_builder_defaults_follow_the_table(repo_root):
    role = repo_root / 'roles' / 'image_builder'
    spec = yaml.safe_load((role / 'meta' / 'argument_specs.yml').read_text())
    option = spec['argument_specs']['main']['options']['image_builder_suite']
    assert option['default'] == releases.DEFAULT_SUITE
    assert option['choices'] == list(releases.RELEASES)
    defaults = (role / 'defaults' / 'main.yml').read_text()
    assert "default('%s')" % releases.DEFAULT_SUITE in defaults


def test_debian_release_filter_gives_the_versions_or_names_the_known_releases():
    from ansible_collections.hyperscaler.workstation.plugins.filter.packages import FilterModule
    from ansible.errors import AnsibleFilterError

    debian_release = FilterModule().filters()['debian_release']
    assert debian_release('trixie')['openmpi'] == '5.0.7' and debian_release('12')['suite'] == 'bookworm'
    assert debian_release('') == debian_release('trixie')
    try:
        debian_release('jammy')
    except AnsibleFilterError as error:
        assert "'jammy'" in str(error) and 'bookworm, trixie' in str(error)
    else:
        raise AssertionError('jammy was accepted')
