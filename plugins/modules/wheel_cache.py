#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wheel_cache
short_description: Download Python wheels for the guests' Python once, into a directory reused offline
version_added: 0.3.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Runs C(pip download) (binary wheels only) for O(requirements), for CPython O(python_version) on O(platforms),
    with the pip of the Python that runs the module, into C(<path>/<name>-<hash>/). The hash is taken over the
    requirements, the Python version and the platforms, so a changed pin gets a new directory and an unchanged
    one is never downloaded again.
  - The directory appears only complete. pip downloads into a temporary sibling; C(SHA256SUMS), written last,
    lists every file, with C(requirements.lock) (the resolved C(name==version) set); a rename then puts it in
    place. A later run checks every file against C(SHA256SUMS) and fails, naming the file, when one differs.
  - C(<path>/<name>-<hash>.tar) beside the directory holds the same files (uncompressed, since wheels are
    compressed already), so a node gets the set in one transfer (M(ansible.builtin.unarchive)) instead of one
    per wheel. It is written after the directory, by a rename, and again when it is missing.
  - Guests then install with C(pip install --no-index --find-links <dir>), so they need no internet.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
attributes:
  check_mode:
    support: full
    details: Reports changed when the directory or the archive is missing; downloads and writes nothing.
  diff_mode:
    support: none
options:
  path:
    description: The cache root (for example C(<global.images.cache_dir>/wheels)).
    type: path
    required: true
  name:
    description: The set's name, the directory's prefix (V(mlflow)).
    type: str
    required: true
  requirements:
    description: pip requirement specifiers, pinned (V(mlflow[auth]==3.17.2)).
    type: list
    elements: str
    required: true
  python_version:
    description: The guests' Python (V(3.13) on Debian 13).
    type: str
    required: true
  platforms:
    description: The guests' platform tags (V(manylinux_2_17_x86_64), ...); wheels for none of them are refused.
    type: list
    elements: str
    required: true
  index_url:
    description: A mirror of PyPI (pip's default index when left out).
    type: str
  find_links:
    description: Directories or pages with wheels, searched too (an offline cache).
    type: list
    elements: str
    default: []
  no_index:
    description: Use only O(find_links), no index at all (an offline cache).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: The MLflow server's wheels for Debian 13's Python, on the hypervisor
  hyperscaler.workstation.wheel_cache:
    path: /var/lib/hyperscaler/images/wheels
    name: mlflow
    requirements: ["mlflow[auth]==3.17.2", psycopg2-binary==2.9.11, boto3==1.44.8]
    python_version: "3.13"
    platforms: [manylinux_2_28_x86_64, manylinux_2_17_x86_64, manylinux2014_x86_64]
  register: wheels
'''

RETURN = r'''
dir:
  description: The set's directory.
  returned: always
  type: str
  sample: /var/lib/hyperscaler/images/wheels/mlflow-1f2e3d4c5b6a
archive:
  description: The tar of the set's files, beside the directory (missing in check mode when it was).
  returned: always
  type: str
  sample: /var/lib/hyperscaler/images/wheels/mlflow-1f2e3d4c5b6a.tar
hash:
  description: The hash of the inputs (the directory's suffix).
  returned: always
  type: str
  sample: 1f2e3d4c5b6a
wheels:
  description: The files of the set (empty in check mode when it was missing).
  returned: always
  type: list
  elements: str
  sample: [mlflow-3.17.2-py3-none-any.whl, requirements.lock]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._wheels import ARGUMENT_SPEC, ensure


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, ensure, module)


if __name__ == "__main__":
    main()
