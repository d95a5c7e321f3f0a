"""meta/runtime.yml's action group: a play sets uri once with module_defaults and every libvirt module uses it.

Runs ansible-playbook against localhost with libvirt's in-memory test driver (test:///default: each module run
gets a fresh copy with the domain "test" and the network "default"), so no libvirtd is needed.
"""

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip('libvirt')

BIN = pathlib.Path(sys.executable).parent
PLAY = """---
- name: libvirt modules without uri
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/hyperscaler.workstation.libvirt:
      uri: "%s"
  tasks:
    - name: List domains
      hyperscaler.workstation.libvirt_domain_info:
      register: found

    - name: Plan a network
      hyperscaler.workstation.libvirt_network:
        name: hsw-group-test
        spec:
          bridge: hswgrp0
          address: 192.168.251.1
      check_mode: true
      register: planned

    - name: Show what they saw
      ansible.builtin.debug:
        msg: "domains={{ found.domains | map(attribute='name') | join(',') }} network={{ planned.actions | join(';') }}"
"""


def play(repo_root, tmp_path, uri):
    book = tmp_path / 'group.yml'
    book.write_text(PLAY % uri)
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    cmd = [str(BIN / 'ansible-playbook'), '-i', 'localhost,', str(book)]
    proc = subprocess.run(cmd, cwd=str(repo_root), env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_uri_from_the_group_reaches_every_libvirt_module(repo_root, tmp_path):
    rc, out = play(repo_root, tmp_path, 'test:///default')
    assert rc == 0, out
    # Only the test driver has a domain named "test"; qemu:///system (the default uri) is not used.
    assert 'domains=test network=define network hsw-group-test;start network hsw-group-test' in out


def test_a_bogus_uri_from_the_group_fails_with_a_sentence(repo_root, tmp_path):
    rc, out = play(repo_root, tmp_path, 'bogus:///nowhere')
    assert rc != 0
    assert 'Traceback' not in out
    assert 'Cannot connect to libvirt at bogus:///nowhere' in out
