# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""containerd's configuration as Python: the set of files the role writes (``config.toml`` and one
``certs.d/<registry>/hosts.toml`` per registry mirror, with their directories) and the check of the configuration
containerd really runs with (``containerd config dump``) against what the role wrote. Filters
``hyperscaler.workstation.containerd_config_files`` and ``hyperscaler.workstation.containerd_config_problems``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

try:
    import tomllib
except ImportError:  # Python < 3.11: the filters run on the Ansible controller, which has 3.11+
    tomllib = None

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

CRI = 'io.containerd.grpc.v1.cri'
# The host a registry name stands for, where it is not the name itself.
UPSTREAM = {'docker.io': 'https://registry-1.docker.io'}
_REGISTRY = re.compile(r'^[A-Za-z0-9.-]+(:[0-9]+)?$')
_URL = re.compile(r'^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^"\s]*)?$')


class ContainerdConfigError(HyperscalerError):
    """The containerd settings cannot be written or read."""


def _root_file(dest, content):
    return {'dest': dest, 'content': content, 'owner': 'root', 'group': 'root', 'mode': '0644'}


def config_files(config_content, config_path, mirrors, certs_dir, directories=()):
    """``{directories, files}`` for the ``config_files`` module: ``config.toml`` and the mirror files, and every
    directory they (and ``directories``: the drop-in and CNI directories) need, parents first."""
    files = [_root_file(config_path, config_content)] + hosts_files(mirrors, certs_dir)
    wanted = list(directories) + [certs_dir.rstrip('/')] + [f['dest'].rsplit('/', 1)[0] for f in files]
    dirs = []
    for path in wanted:
        if path not in dirs:
            dirs.append(path)
    dirs.sort(key=lambda d: d.count('/'))
    return {
        'directories': [{'path': d, 'owner': 'root', 'group': 'root', 'mode': '0755'} for d in dirs],
        'files': files,
    }


def hosts_files(mirrors, certs_dir):
    """``[{dest, content, owner, group, mode}]``: one hosts.toml per registry of ``{registry: [mirror URL]}``."""
    out = []
    for registry, urls in sorted((mirrors or {}).items()):
        if not _REGISTRY.match(str(registry)):
            raise ContainerdConfigError('registry mirrors: %r is not a registry host name' % (registry,))
        if isinstance(urls, str) or not urls:
            raise ContainerdConfigError('registry mirrors: %s needs a list of mirror URLs' % registry)
        # A registry served over plain HTTP (a local one) lists itself: http://<registry> becomes its server too
        # (containerd 1.7 refuses a hosts.toml without a host section: "invalid `host` tree").
        plain = 'http://%s' % registry
        lines = [
            '# Written by hyperscaler.workstation (containerd role): mirrors of %s, tried in order.' % registry,
            'server = "%s"' % (plain if plain in urls else UPSTREAM.get(registry, 'https://%s' % registry)),
        ]
        for url in urls:
            match = _URL.match(str(url))
            if not match:
                raise ContainerdConfigError('registry mirrors: %s: %r is not an http(s) URL' % (registry, url))
            lines += ['', '[host."%s"]' % url, '  capabilities = ["pull", "resolve"]']
            if (match.group(2) or '/').strip('/'):
                # a mirror under a path (http://mirror:5000/v2/registry.k8s.io): containerd asks it as given,
                # without adding /v2 (one registry serving several upstreams, each under its own name)
                lines.append('  override_path = true')
        out.append(_root_file('%s/%s/hosts.toml' % (certs_dir.rstrip('/'), registry), '\n'.join(lines) + '\n'))
    return out


def _dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def config_problems(dump, sandbox_image, systemd_cgroup=True, nvidia_runtime=False, registry_config_path=None):
    """What differs between the settings the role wrote and ``containerd config dump`` (the merged
    configuration containerd runs with): a list of sentences, empty when all is in effect."""
    if tomllib is None:
        raise ContainerdConfigError('checking containerd config dump needs Python 3.11 (tomllib) on the controller')
    try:
        config = tomllib.loads(dump)
    except tomllib.TOMLDecodeError as exc:
        raise ContainerdConfigError('containerd config dump is not TOML: %s' % exc)
    cri = _dig(config, 'plugins', CRI)
    if cri is None:
        return ['the CRI plugin (%s) is not configured' % CRI]
    problems = []
    if cri.get('sandbox_image') != sandbox_image:
        problems.append('sandbox_image is %r, not %r' % (cri.get('sandbox_image'), sandbox_image))
    runtimes = _dig(cri, 'containerd', 'runtimes') or {}
    wanted = ['runc'] + (['nvidia'] if nvidia_runtime else [])
    for name in wanted:
        runtime = runtimes.get(name)
        if runtime is None:
            problems.append('the %s runtime is missing' % name)
        elif bool(_dig(runtime, 'options', 'SystemdCgroup')) != bool(systemd_cgroup):
            problems.append('SystemdCgroup of the %s runtime is %s' % (name, str(not systemd_cgroup).lower()))
    if _dig(cri, 'containerd', 'default_runtime_name') != 'runc':
        problems.append('the default runtime is %r, not runc' % _dig(cri, 'containerd', 'default_runtime_name'))
    if registry_config_path and _dig(cri, 'registry', 'config_path') != registry_config_path:
        problems.append(
            'registry config_path is %r, not %r' % (_dig(cri, 'registry', 'config_path'), registry_config_path)
        )
    return problems
