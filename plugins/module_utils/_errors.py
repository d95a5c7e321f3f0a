# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The collection's one exception base.

Every error a user can cause (a bad cluster.yaml, a refused device, a libvirt failure) is a subclass of
HyperscalerError. Library code raises; only a module's ``main()`` turns it into ``fail_json`` (see
``fail_on_error``), so the logic stays testable without AnsibleModule and no traceback reaches the user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HyperscalerError(Exception):
    """A problem the user can fix; ``str(error)`` is the sentence to show. ``details`` go into the result."""

    def __init__(self, msg, **details):
        super(HyperscalerError, self).__init__(msg)
        self.msg = msg
        self.details = details


def fail_on_error(module, work, *args, **kwargs):
    """Run ``work(*args, **kwargs)`` and exit with its result dict; a HyperscalerError becomes fail_json."""
    try:
        result = work(*args, **kwargs)
    except HyperscalerError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(**result)
