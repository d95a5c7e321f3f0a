#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cluster_secret
short_description: Generate a cluster secret once on the Ansible controller and read it back
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Runs on the Ansible controller (an action plugin; no remote call, whatever the host). When I(path) does not
    exist, writes I(size) random bytes (or a password of I(size) letters and digits) to it with I(mode) from the
    start, in a directory created C(0700); then returns the content as base64, for
    M(hyperscaler.workstation.config_files) to install on the nodes.
  - An existing file is only read; its mode is set back to I(mode) when it drifted. An empty file fails the task
    instead of being used or replaced (remove it to generate a new secret, then rerun to redistribute it).
  - The result is always censored in Ansible's output, as with C(no_log); give the task C(no_log) as well so
    the arguments are hidden too.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
attributes:
  check_mode:
    support: full
    details: A missing secret is reported as changed and not written; C(content) is then absent.
  diff_mode:
    support: none
options:
  path:
    description: The secret's file on the Ansible controller (C(~) is expanded).
    type: path
    required: true
  size:
    description: Bytes of a new secret (I(format=bytes)) or characters of a new password.
    type: int
    default: 32
  format:
    description: V(bytes) for keys (munge, JWT HS256), V(password) for letters and digits.
    type: str
    choices: [bytes, password]
    default: bytes
  mode:
    description: Mode of the file (quote octal modes, V("0400")).
    type: raw
    default: "0600"
notes:
  - Use C(run_once) so one secret serves every host of the play.
'''

EXAMPLES = r'''
- name: The munge key, generated once
  hyperscaler.workstation.cluster_secret:
    path: ~/.local/state/hyperscaler-workstation/hpc/munge.key
    size: 1024
    mode: "0400"
  register: munge_key
  run_once: true
  no_log: true

- name: Install it on every node
  hyperscaler.workstation.config_files:
    files:
      - {dest: /etc/munge/munge.key, content_b64: "{{ munge_key.content }}", owner: munge, group: munge, mode: "0400"}
  no_log: true
  when: munge_key.content is defined
'''

RETURN = r'''
path:
  description: The secret's file, as given.
  returned: always
  type: str
content:
  description: The secret as base64 (decode a password with C(b64decode)). Absent in check mode when the secret
    does not exist yet.
  returned: when the secret exists or was created
  type: str
'''
