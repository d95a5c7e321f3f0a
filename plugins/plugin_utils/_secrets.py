# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""A cluster's secrets on the Ansible controller: generated once, kept in private files, read back.

Used by the action plugin cluster_secret (munge key, Slurm's JWT key, the slurmdbd database password). A secret
file is made with its final mode from the start (no window in which it is readable by others), in a directory
made 0700; an existing file is only read (and its mode narrowed back when it drifted).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import secrets
import string
import tempfile

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

PASSWORD_CHARS = string.ascii_letters + string.digits
FORMATS = ('bytes', 'password')


def generate(size, fmt):
    """``size`` random bytes, or a password of ``size`` letters and digits (as bytes)."""
    if fmt == 'password':
        return "".join(secrets.choice(PASSWORD_CHARS) for _index in range(size)).encode("ascii")
    return secrets.token_bytes(size)


def ensure_secret(path, size, fmt='bytes', mode=0o600, check_mode=False):
    """Return (changed, content): the secret at ``path``, generated first when the file is missing.

    In check mode nothing is written and a missing secret comes back as None (the caller skips what needs it).
    An empty file is an error rather than a secret: a truncated key would lock the nodes out.
    """
    if fmt not in FORMATS:
        raise HyperscalerError('format must be one of %s, not %r' % (', '.join(FORMATS), fmt))
    if size < 1:
        raise HyperscalerError('size must be at least 1, not %r' % size)
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.exists(path):
        with open(path, 'rb') as handle:
            content = handle.read()
        if not content:
            raise HyperscalerError('%s is empty: remove it to generate a new secret (and redistribute it)' % path)
        changed = (os.stat(path).st_mode & 0o7777) != mode
        if changed and not check_mode:
            os.chmod(path, mode)
        return changed, content
    if check_mode:
        return True, None
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    content = generate(size, fmt)
    # Written to a private temporary file and renamed: never half a key, never readable by others.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.secret-')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(content)
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True, content
