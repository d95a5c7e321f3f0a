#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: kubeadm_token
short_description: Mint or delete a kubeadm bootstrap token, with the cluster CA's pin
version_added: 0.3.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Runs on an initialised kubeadm control plane. With O(state=present) it mints a short-lived bootstrap token
    (C(kubeadm token create)) and returns it with the C(sha256:) pin of the cluster CA's public key, what a
    JoinConfiguration's C(discovery.bootstrapToken) needs. With O(state=absent) it deletes a token.
  - Call it only for a node that has not joined (the join role checks the node first), and run the task with
    C(no_log), since the result holds the token.
  - The CA pin is read from the certificate file by the module itself (the DER SubjectPublicKeyInfo's SHA-256,
    as kubeadm computes it); the node needs no openssl.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
attributes:
  check_mode:
    support: full
    details: Reads the CA pin and reports changed; mints or deletes nothing (RV(token) is null).
  diff_mode:
    support: none
options:
  state:
    description: V(present) mints a token, V(absent) deletes O(token).
    type: str
    default: present
    choices: [present, absent]
  token:
    description: The token to delete (O(state=absent)).
    type: str
  ttl:
    description: How long the minted token lives (kubeadm's C(--ttl)); a join takes well under a minute.
    type: str
    default: 15m
  description:
    description: The token's description (C(kubeadm token list) shows it).
    type: str
    default: hyperscaler.workstation join
  ca_cert:
    description: The cluster CA certificate (PEM).
    type: path
    default: /etc/kubernetes/pki/ca.crt
  kubeconfig:
    description: The admin kubeconfig kubeadm uses to reach the API server.
    type: path
    default: /etc/kubernetes/admin.conf
'''

EXAMPLES = r'''
- name: Mint a join token on the control plane for a node that has not joined
  hyperscaler.workstation.kubeadm_token:
  delegate_to: "{{ groups['cloud_control_plane'][0] }}"
  register: join
  no_log: true

- name: Delete it after the join
  hyperscaler.workstation.kubeadm_token:
    state: absent
    token: "{{ join.token }}"
  delegate_to: "{{ groups['cloud_control_plane'][0] }}"
  no_log: true
'''

RETURN = r'''
token:
  description: The minted bootstrap token (null in check mode).
  returned: state=present
  type: str
  sample: abcdef.0123456789abcdef
ca_cert_hashes:
  description: The CA pins for C(discovery.bootstrapToken.caCertHashes).
  returned: state=present
  type: list
  elements: str
  sample: ["sha256:0f3c6f2b6d6f5e9a4e2c2f1d7d9e8b1a0c3e5f7a9b1d3f5e7a9c1e3f5a7b9d1f"]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubeadm import ARGUMENT_SPEC, token


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    fail_on_error(module, token, module)


if __name__ == "__main__":
    main()
