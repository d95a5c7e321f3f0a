#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: kubeadm_certificates_info
short_description: When the certificates of a kubeadm control plane expire
version_added: 0.3.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Reads every certificate of a kubeadm control plane's PKI (C(*.crt) under O(pki_dir) - the cluster, etcd and
    front-proxy CAs, the API server's, etcd's) and the client certificate of each kubeconfig that exists
    (C(admin.conf), C(super-admin.conf), C(controller-manager.conf), C(scheduler.conf), C(kubelet.conf), whose
    certificate is the file it names), and returns them soonest-expiring first, with the days left.
  - What C(kubeadm certs check-expiration) reports, without kubeadm or openssl. kubeadm's certificates last one
    year and its CAs ten; C(kubeadm certs renew) or a C(kubeadm upgrade) renews them.
  - The certificates are parsed by the module itself (a small DER walk); the node needs no cryptography library.
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.info_module
options:
  pki_dir:
    description: kubeadm's certificate directory.
    type: path
    default: /etc/kubernetes/pki
  kubeconfigs:
    description: Kubeconfig files whose client certificates are read; missing ones are skipped.
    type: list
    elements: path
    default:
      - /etc/kubernetes/admin.conf
      - /etc/kubernetes/super-admin.conf
      - /etc/kubernetes/controller-manager.conf
      - /etc/kubernetes/scheduler.conf
      - /etc/kubernetes/kubelet.conf
  warn_days:
    description: Certificates with fewer days left than this are returned in RV(expiring).
    type: int
    default: 30
'''

EXAMPLES = r'''
- name: Read the control plane's certificate expiry
  hyperscaler.workstation.kubeadm_certificates_info:
    warn_days: 30
  register: certs

- name: Stop when one expires within 30 days
  ansible.builtin.assert:
    that: certs.expiring | length == 0
    fail_msg: "{{ certs.expiring | map(attribute='path') | join(', ') }} expire within 30 days: kubeadm certs renew all"
'''

RETURN = r'''
certificates:
  description: Every certificate read, soonest-expiring first.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The certificate file, or the kubeconfig that holds it.
      type: str
      sample: /etc/kubernetes/pki/apiserver.crt
    subject:
      description: The subject's common name.
      type: str
      sample: kube-apiserver
    not_after:
      description: When it expires (UTC, ISO 8601).
      type: str
      sample: "2027-12-03T09:30:00Z"
    days_left:
      description: Whole days until then (negative once expired).
      type: int
      sample: 364
expiring:
  description: The certificates with fewer than O(warn_days) days left.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import fail_on_error
from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubeadm import (
    CERTIFICATES_ARGUMENT_SPEC,
    certificates_info,
)


def main():
    module = AnsibleModule(argument_spec=CERTIFICATES_ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    fail_on_error(module, certificates_info, params['pki_dir'], params['kubeconfigs'], params['warn_days'])


if __name__ == "__main__":
    main()
