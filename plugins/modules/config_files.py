#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: config_files
short_description: Converge a set of directories and configuration files in one task
version_added: 0.2.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Creates the I(directories) that are missing, then writes each of the I(files) whose content differs, and sets
    owner, group and mode where they differ - all in one remote call. Each file is written atomically (a
    temporary file in its directory renamed over the old one); a file whose content is equal is not touched.
  - Meant for a role's whole set of configuration files; under emulation each task costs seconds, so one task
    for five files is about five times cheaper than five M(ansible.builtin.template) tasks, and it still checks
    every file on every run.
  - Render templates on the controller and pass the text, for example with
    C(lookup('ansible.builtin.template', 'name.j2')).
  - The task reports changed when any directory or file changed, so its C(notify) handlers run then; group
    files by the daemon that reads them (one task per handler) to restart only what needs it.
  - With I(service), the same call then keeps that daemon's systemd unit enabled and running and restarts it
    when one of the task's files changed (C(systemctl daemon-reload) first when systemd asks for it, as after
    a changed drop-in); a role then converges a daemon in one call and needs no restart handler.
  - Files holding secrets belong in a task with C(no_log); this module shows file content in diff mode unless
    the file sets I(diff=false).
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
attributes:
  check_mode:
    support: full
    details: Reports which paths would change and which systemctl actions would run; a new file's owner and mode
      are not compared.
  diff_mode:
    support: full
    details: The old and new content of each changed file, owner/group/mode changes, and the systemctl actions.
options:
  service:
    description:
      - The systemd unit that reads these files, converged after them.
      - A unit that is not running is started (which reads the new files); a running one is restarted when a
        directory or file of this task changed and I(restart_on_change) is true.
    type: dict
    suboptions:
      name:
        description: The unit (V(slurmd), V(mariadb.service)).
        type: str
        required: true
      enabled:
        description: Start it at boot (V(true)), or not (V(false)).
        type: bool
        default: true
      restart_on_change:
        description:
          - Restart the running unit when a file changed. Set V(false) for daemons that pick up changes another
            way (a reload handler, or files read on every use).
        type: bool
        default: true
  directories:
    description: Directories to create when missing (with parents), in order, before the files.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Owner (name or uid); unchanged when left out.
        type: str
      group:
        description: Group (name or gid); unchanged when left out.
        type: str
      mode:
        description: Mode as the M(ansible.builtin.file) module takes it (quote octal modes, V("0755")).
        type: raw
  files:
    description: Files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Path of the file; its directory must exist (or be listed under I(directories)).
        type: path
        required: true
      content:
        description: The whole content of the file (text). One of I(content) and I(content_b64) is required.
        type: str
      content_b64:
        description:
          - The whole content as base64, for binary files such as a key. Never shown in diff mode.
          - Mutually exclusive with I(content).
        type: str
      owner:
        description: Owner (name or uid); unchanged when left out.
        type: str
      group:
        description: Group (name or gid); unchanged when left out.
        type: str
      mode:
        description: Mode as the M(ansible.builtin.file) module takes it (quote octal modes, V("0644")).
        type: raw
      diff:
        description: Show this file's content in diff mode.
        type: bool
        default: true
'''

EXAMPLES = r'''
- name: Write the node's SLURM configuration and job hooks; start slurmd, or restart it when one changed
  hyperscaler.workstation.config_files:
    directories:
      - {path: /var/log/slurm, owner: slurm, group: slurm, mode: "0755"}
    files:
      - dest: /etc/slurm/cgroup.conf
        content: "{{ lookup('ansible.builtin.template', 'cgroup.conf.j2') }}"
        mode: "0644"
      - dest: /etc/slurm/prolog.sh
        content: "{{ lookup('ansible.builtin.template', 'prolog.sh.j2') }}"
        mode: "0755"
    service:
      name: slurmd
'''

RETURN = r'''
paths:
  description: Every directory and file, in order, and whether it changed.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/var/log/slurm", "changed": false}, {"path": "/etc/slurm/cgroup.conf", "changed": true}]
service:
  description: The unit and the systemctl actions taken (in check mode, that would be taken), in order.
  returned: when I(service) is set
  type: dict
  sample: {"name": "slurmd", "actions": ["enable", "start"]}
changed_paths:
  description: The paths that changed (in check mode, that would change).
  returned: always
  type: list
  elements: str
  sample: ["/etc/slurm/cgroup.conf"]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._config_files import ARGUMENT_SPEC, converge
from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, converge, module)


if __name__ == "__main__":
    main()
