# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The filters behind the roles hpc_users (hpc_users_plan) and hpc_userenv (lmod_modules); the molecule scenario
and the e2e test prove the result on nodes (same UID everywhere, Lmod itself loading the module, an MPI job)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.hyperscaler.workstation.plugins.filter.userenv import FilterModule

FILTERS = FilterModule().filters()


def test_users_get_their_gid_and_shell_and_only_users_with_keys_get_a_key_file():
    plan = FILTERS['hpc_users_plan'](
        [
            {'name': 'alice', 'uid': 2001, 'ssh_keys': ['ssh-ed25519 AAAA alice@laptop ']},
            {'name': 'bob', 'uid': 2002, 'gid': 3000, 'groups': ['video'], 'shell': '/bin/zsh'},
            {'name': 'carol', 'uid': 2003, 'state': 'absent', 'ssh_keys': ['ssh-ed25519 BBBB']},
        ],
        '/etc/ssh/authorized_keys/',
    )
    assert [(u['name'], u['uid'], u['gid'], u['shell'], u['groups']) for u in plan['present']] == [
        ('alice', 2001, 2001, '/bin/bash', []),
        ('bob', 2002, 3000, '/bin/zsh', ['video']),
    ]
    assert [u['name'] for u in plan['absent']] == ['carol']
    assert plan['key_files'] == [
        {
            'dest': '/etc/ssh/authorized_keys/alice',
            'content': 'ssh-ed25519 AAAA alice@laptop\n',
            'owner': 'root',
            'group': 'root',
            'mode': '0644',
        }
    ]


@pytest.mark.parametrize(
    'users, message',
    [
        ([{'name': 'alice'}], 'hpc_users_list[0] must be a mapping with name and uid'),
        ([{'name': 'alice', 'uid': 2001, 'state': 'gone'}], 'hpc_users_list[0].state must be present or absent'),
        ('alice', 'hpc_users_list must be a list'),
    ],
)
def test_bad_users_are_named(users, message):
    with pytest.raises(AnsibleFilterError, match=message.replace('[', r'\[').replace(']', r'\]')):
        FILTERS['hpc_users_plan'](users, '/etc/ssh/authorized_keys')


def test_a_module_becomes_its_lua_file():
    (entry,) = FILTERS['lmod_modules'](
        [{'name': 'openmpi', 'version': '5.0.7', 'whatis': 'Open MPI', 'family': 'mpi',
          'setenv': {'SLURM_MPI_TYPE': 'pmix', 'MPI_HOME': '/usr/lib/x86_64-linux-gnu/openmpi'},
          'prepend_path': {'PATH': '/opt/bin'}}],  # fmt: skip
        '/etc/lmod/modules/',
    )
    assert entry['dest'] == '/etc/lmod/modules/openmpi/5.0.7.lua' and entry['mode'] == '0644'
    assert entry['content'].splitlines()[1:] == [
        'whatis([[Open MPI]])',
        'family([[mpi]])',
        'setenv([[MPI_HOME]], [[/usr/lib/x86_64-linux-gnu/openmpi]])',
        'setenv([[SLURM_MPI_TYPE]], [[pmix]])',
        'prepend_path([[PATH]], [[/opt/bin]])',
    ]


def test_a_value_that_closes_a_long_bracket_gets_a_longer_one():
    (entry,) = FILTERS['lmod_modules']([{'name': 'x', 'version': '1', 'help': 'a]]b'}], '/m')
    assert 'help([=[a]]b]=])' in entry['content']


@pytest.mark.parametrize(
    'spec, message',
    [
        ({'name': 'open mpi', 'version': '5'}, r'hpc_userenv_modules\[0\].name must be a file name'),
        ({'name': 'openmpi', 'version': '5', 'env': {}}, r'hpc_userenv_modules\[0\]: unknown key\(s\) env'),
        ({'name': 'openmpi', 'version': '5', 'setenv': {'A-B': '1'}}, r"'A-B' is not an environment variable name"),
    ],
)
def test_bad_modules_are_named(spec, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS['lmod_modules']([spec], '/etc/lmod/modules')
