# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""What the collection's filter plugins share: a HyperscalerError from the logic becomes an AnsibleFilterError.

Controller-side only (module_utils must not import ansible.errors: they also run on managed hosts).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError


def user_errors(func, prefix=''):
    """``func`` with its HyperscalerError turned into an AnsibleFilterError (message ``prefix`` + the error)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except HyperscalerError as exc:
            raise AnsibleFilterError('%s%s' % (prefix, exc))

    return run
