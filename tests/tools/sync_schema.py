"""Copy schemas/cluster.schema.json into plugins/module_utils/_cluster_schema.py.

Modules ship only module_utils to the target, so the schema travels as Python. The JSON file stays the
source of truth (editors and yaml-language-server use it); `--check` fails when the copy is stale.
"""

import json
import pathlib
import sys

import black

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / 'schemas' / 'cluster.schema.json'
TARGET = ROOT / 'plugins' / 'module_utils' / '_cluster_schema.py'
HEADER = '''# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
# GENERATED from schemas/cluster.schema.json by tests/tools/sync_schema.py -- do not edit.
"""The cluster.yaml JSON Schema (draft 2020-12) as a Python value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

'''


def render():
    schema = json.loads(SOURCE.read_text())
    body = black.format_str('SCHEMA = %r\n' % (schema,), mode=black.Mode(line_length=120, string_normalization=False))
    return HEADER + body


def main():
    text = render()
    if '--check' in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            sys.exit('%s is stale: run make schema' % TARGET.relative_to(ROOT))
        return
    TARGET.write_text(text)


if __name__ == '__main__':
    main()
