# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The containerd role's Python: registry mirror files, and the check of `containerd config dump` that catches
a drop-in undoing the CRI settings (the molecule scenario `containerd` runs both against a real containerd)."""

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _containerd
from ansible_collections.hyperscaler.workstation.plugins.module_utils._containerd import ContainerdConfigError

PAUSE = 'registry.k8s.io/pause:3.10'
# The shape of containerd 1.7's dump with the role's main file (the keys the check reads).
GOOD = '''
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = true
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
'''
# What containerd 1.7.24 ran with in the molecule scenario once a toolkit-style drop-in (the nvidia runtime under
# the CRI plugin) was imported: the CRI section replaced, runc gone, the pause image and registry path defaulted.
CLOBBERED = '''
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.8"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
        BinaryName = "/usr/bin/nvidia-container-runtime"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""
'''


def test_the_roles_settings_in_effect_are_no_problem():
    assert _containerd.config_problems(GOOD, PAUSE, registry_config_path='/etc/containerd/certs.d') == []


def test_a_replaced_cri_section_is_named_setting_by_setting():
    problems = _containerd.config_problems(
        CLOBBERED, PAUSE, nvidia_runtime=True, registry_config_path='/etc/containerd/certs.d'
    )
    assert problems == [
        "sandbox_image is 'registry.k8s.io/pause:3.8', not 'registry.k8s.io/pause:3.10'",
        'the runc runtime is missing',
        'SystemdCgroup of the nvidia runtime is false',
        "registry config_path is '', not '/etc/containerd/certs.d'",
    ]
    # a runc runtime without the systemd cgroup driver
    assert _containerd.config_problems(GOOD.replace('SystemdCgroup = true', 'SystemdCgroup = false'), PAUSE) == [
        'SystemdCgroup of the runc runtime is false'
    ]


def test_a_missing_runtime_and_plugin():
    assert _containerd.config_problems(GOOD, PAUSE, nvidia_runtime=True) == ['the nvidia runtime is missing']
    assert _containerd.config_problems('version = 2\n', PAUSE) == [
        'the CRI plugin (io.containerd.grpc.v1.cri) is not configured'
    ]
    with pytest.raises(ContainerdConfigError, match='not TOML'):
        _containerd.config_problems('[[[', PAUSE)


def test_mirror_files():
    files = _containerd.hosts_files(
        {'docker.io': ['http://192.168.200.1:5000'], 'quay.io': ['http://a:1', 'https://b']}, '/etc/containerd/certs.d/'
    )
    assert [f['dest'] for f in files] == [
        '/etc/containerd/certs.d/docker.io/hosts.toml',
        '/etc/containerd/certs.d/quay.io/hosts.toml',
    ]
    docker = files[0]['content']
    assert 'server = "https://registry-1.docker.io"\n' in docker and '[host."http://192.168.200.1:5000"]' in docker
    quay = files[1]['content']
    assert quay.index('[host."http://a:1"]') < quay.index('[host."https://b"]')  # tried in order
    assert files[0]['mode'] == '0644'


def test_a_local_plain_http_registry_and_a_mirror_under_a_path():
    files = _containerd.hosts_files(
        {
            '192.168.160.1:5000': ['http://192.168.160.1:5000'],
            'registry.k8s.io': ['http://192.168.160.1:5000/v2/registry.k8s.io', 'http://m:5000/'],
        },
        '/etc/containerd/certs.d',
    )
    local, k8s = (f['content'] for f in files)
    # the local registry is its own server and only host, over HTTP
    assert 'server = "http://192.168.160.1:5000"\n' in local and local.count('[host.') == 1
    assert '[host."http://192.168.160.1:5000"]' in local
    # the mirror under a path is asked as given (override_path); a mirror at its root is not
    assert 'server = "https://registry.k8s.io"' in k8s
    section, root = k8s.split('[host."http://192.168.160.1:5000/v2/registry.k8s.io"]')[1].split(
        '[host."http://m:5000/"]'
    )
    assert 'override_path = true' in section and 'override_path' not in root


def test_the_roles_files_and_their_directories_parents_first():
    out = _containerd.config_files(
        'version = 2\n', '/etc/containerd/config.toml', {'docker.io': ['http://m:5000']}, '/etc/containerd/certs.d',
        ['/etc/containerd/conf.d', '/etc/cni/net.d'],
    )  # fmt: skip
    assert [f['dest'] for f in out['files']] == [
        '/etc/containerd/config.toml',
        '/etc/containerd/certs.d/docker.io/hosts.toml',
    ]
    assert [d['path'] for d in out['directories']] == [
        '/etc/containerd', '/etc/containerd/conf.d', '/etc/cni/net.d', '/etc/containerd/certs.d',
        '/etc/containerd/certs.d/docker.io',
    ]  # fmt: skip


@pytest.mark.parametrize(
    'mirrors, message',
    [
        ({'docker.io': 'http://a:5000'}, 'docker.io needs a list of mirror URLs'),
        ({'docker.io': ['ftp://a']}, "docker.io: 'ftp://a' is not an http(s) URL"),
        ({'bad/name': ['http://a']}, "'bad/name' is not a registry host name"),
    ],
)
def test_bad_mirrors_are_named(mirrors, message):
    with pytest.raises(ContainerdConfigError, match=message.replace('(', r'\(').replace(')', r'\)')):
        _containerd.hosts_files(mirrors, '/etc/containerd/certs.d')
