# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Action plugin of hyperscaler.workstation.cluster_secret: runs on the Ansible controller, no remote call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._secrets import FORMATS, ensure_secret

ARGUMENT_SPEC = {
    'path': {'type': 'path', 'required': True},
    'size': {'type': 'int', 'default': 32},
    'format': {'type': 'str', 'default': 'bytes', 'choices': list(FORMATS)},
    'mode': {'type': 'raw', 'default': '0600'},
}


class ActionModule(ActionBase):
    """Generate a secret file once on the controller and return its content as base64 (results are no_log)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _spec, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        mode = args['mode']
        try:
            mode = int(mode, 8) if isinstance(mode, str) else int(mode)
            changed, content = ensure_secret(
                args['path'], args['size'], args['format'], mode=mode, check_mode=self._task.check_mode
            )
        except (HyperscalerError, ValueError, OSError) as exc:
            raise AnsibleActionFail('cluster_secret: %s' % exc)
        result.update(changed=changed, path=args['path'], _ansible_no_log=True)
        if content is not None:
            result['content'] = base64.b64encode(content).decode('ascii')
        return result
