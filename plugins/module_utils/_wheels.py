# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A wheel cache for the guests' Python: ``pip download`` once per set of requirements, then reused offline.

Each set lives in ``<path>/<name>-<hash>/``, the hash taken over the requirements, the target Python version and
the platforms, so a changed pin makes a new directory and an unchanged one is never downloaded again. The
directory appears only complete: pip downloads into a temporary sibling, ``SHA256SUMS`` (written last) lists every
file, and a rename puts it in place. A later run checks the files against ``SHA256SUMS``. Beside it,
``<name>-<hash>.tar`` holds the same files: one transfer to a node instead of one per wheel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import sys
import tarfile

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

SUMS = 'SHA256SUMS'
ARGUMENT_SPEC = dict(
    path=dict(type='path', required=True),
    name=dict(type='str', required=True),
    requirements=dict(type='list', elements='str', required=True),
    python_version=dict(type='str', required=True),
    platforms=dict(type='list', elements='str', required=True),
    index_url=dict(type='str'),
    find_links=dict(type='list', elements='str', default=[]),
    no_index=dict(type='bool', default=False),
)


class WheelCacheError(HyperscalerError):
    """The cache cannot be built or no longer matches its checksums."""


def input_hash(requirements, python_version, platforms):
    """The first 12 hex digits of a SHA-256 over what decides the wheels."""
    text = json.dumps([list(requirements), str(python_version), list(platforms)])
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]


def download_argv(dest, requirements, python_version, platforms, index_url=None, find_links=(), no_index=False):
    """pip's command line: binary wheels only, for CPython ``python_version`` on ``platforms``."""
    tag = 'cp' + str(python_version).replace('.', '')
    argv = [sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-cache-dir', '--dest', dest]
    argv += ['--only-binary=:all:', '--python-version', str(python_version), '--implementation', 'cp', '--abi', tag]
    for platform in platforms:
        argv += ['--platform', platform]
    if no_index:
        argv.append('--no-index')
    elif index_url:
        argv += ['--index-url', index_url]
    for link in find_links:
        argv += ['--find-links', link]
    return argv + list(requirements)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def read_sums(directory):
    """{file name: sha256} from ``SHA256SUMS`` (None when the file is missing)."""
    path = os.path.join(directory, SUMS)
    if not os.path.exists(path):
        return None
    sums = {}
    with open(path) as handle:
        for line in handle:
            digest, _sep, name = line.strip().partition('  ')
            if name:
                sums[name] = digest
    return sums


def verify(directory):
    """The wheel names of a complete cache directory; WheelCacheError naming the first file that differs."""
    sums = read_sums(directory)
    for name, digest in sorted(sums.items()):
        path = os.path.join(directory, name)
        if not os.path.isfile(path) or _sha256(path) != digest:
            raise WheelCacheError(
                '%s: %s is missing or differs from %s; remove the directory to download it again'
                % (directory, name, SUMS)
            )
    return sorted(sums)


def lock(wheels):
    """``name==version`` lines of the downloaded wheels (the resolved set, for the record)."""
    out = []
    for wheel in wheels:
        parts = wheel.split('-')
        if wheel.endswith('.whl') and len(parts) >= 5:
            out.append('%s==%s' % (parts[0].replace('_', '-').lower(), parts[1]))
    return sorted(out)


def write_archive(directory, archive):
    """``archive``: an uncompressed tar of the directory's files (wheels are compressed already), put in place by
    a rename so that it exists only complete."""
    tmp = archive + '.tmp'
    with tarfile.open(tmp, 'w') as handle:
        for name in sorted(os.listdir(directory)):
            handle.add(os.path.join(directory, name), arcname=name)
    os.rename(tmp, archive)


def ensure(module):
    """The module's work: {changed, dir, archive, hash, wheels}."""
    params = module.params
    digest = input_hash(params['requirements'], params['python_version'], params['platforms'])
    directory = os.path.join(params['path'], '%s-%s' % (params['name'], digest))
    archive = directory + '.tar'
    result = {'changed': False, 'dir': directory, 'archive': archive, 'hash': digest, 'wheels': []}
    if read_sums(directory) is not None:
        result['wheels'] = verify(directory)
        if not os.path.isfile(archive):
            result['changed'] = True
            if not module.check_mode:
                write_archive(directory, archive)
        return result
    result['changed'] = True
    if module.check_mode:
        return result
    tmp = directory + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    argv = download_argv(
        tmp,
        params['requirements'],
        params['python_version'],
        params['platforms'],
        params['index_url'],
        params['find_links'],
        params['no_index'],
    )
    rc, out, err = module.run_command(argv)
    if rc != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise WheelCacheError(
            'pip download of %s for Python %s failed (rc %d): %s'
            % (', '.join(params['requirements']), params['python_version'], rc, (err or out).strip()[-2000:])
        )
    wheels = sorted(name for name in os.listdir(tmp) if name.endswith('.whl'))
    with open(os.path.join(tmp, 'requirements.lock'), 'w') as handle:
        handle.write(''.join(line + '\n' for line in lock(wheels)))
    with open(os.path.join(tmp, SUMS), 'w') as handle:
        handle.write(''.join('%s  %s\n' % (_sha256(os.path.join(tmp, n)), n) for n in wheels + ['requirements.lock']))
    shutil.rmtree(directory, ignore_errors=True)
    os.rename(tmp, directory)
    write_archive(directory, archive)
    result['wheels'] = wheels + ['requirements.lock']
    return result
