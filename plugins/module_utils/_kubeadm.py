# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""What joining a node to a kubeadm cluster needs, as Python: the CA certificate's public-key pin, the bootstrap
token's form, and minting and deleting that token on the control plane (module ``kubeadm_token``).

kubeadm pins the cluster CA by ``sha256:<hex>`` of the certificate's DER ``SubjectPublicKeyInfo``
(``kubeadm join --discovery-token-ca-cert-hash``; kubeadm's docs compute it with
``openssl x509 -pubkey | openssl rsa -pubin -outform der | sha256sum``). This module reads it from the PEM with
a small DER walk (no cryptography library on the node). Tokens are ``[a-z0-9]{6}.[a-z0-9]{16}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

TOKEN = re.compile(r'^[a-z0-9]{6}\.[a-z0-9]{16}$')
_PEM = re.compile(r'-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----', re.S)


class KubeadmError(HyperscalerError):
    """kubeadm's state on a node cannot be read or used."""


def _tlv(data, pos):
    """(tag, start of value, end of value) of the DER element at ``pos``."""
    if pos + 2 > len(data):
        raise KubeadmError('the CA certificate is truncated')
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise KubeadmError('the CA certificate has a bad DER length')
        length = int.from_bytes(data[pos : pos + count], 'big')
        pos += count
    if pos + length > len(data):
        raise KubeadmError('the CA certificate is truncated')
    return tag, pos, pos + length


def _children(data, start, end):
    out, pos = [], start
    while pos < end:
        tag, vstart, vend = _tlv(data, pos)
        out.append((tag, pos, vend))
        pos = vend
    return out


def public_key_info(der):
    """The DER bytes of the certificate's SubjectPublicKeyInfo (RFC 5280: the tbsCertificate's element after
    subject; an explicit ``[0]`` version comes first in v3 certificates)."""
    tag, start, end = _tlv(der, 0)
    if tag != 0x30:
        raise KubeadmError('the CA file holds no X.509 certificate')
    tbs_tag, tbs_start, tbs_end = _tlv(der, start)
    if tbs_tag != 0x30:
        raise KubeadmError('the CA file holds no X.509 certificate')
    fields = _children(der, tbs_start, tbs_end)
    if fields and fields[0][0] == 0xA0:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if len(fields) < 6 or fields[5][0] != 0x30:
        raise KubeadmError('the CA certificate has no subject public key')
    return der[fields[5][1] : fields[5][2]]


def ca_cert_hash(pem):
    """``sha256:<hex>`` of the first certificate in ``pem`` (text), as kubeadm join's CA pin."""
    match = _PEM.search(pem or '')
    if not match:
        raise KubeadmError('the CA file holds no PEM certificate')
    try:
        der = bytearray(base64.b64decode(''.join(match.group(1).split())))
    except (TypeError, ValueError):
        raise KubeadmError('the CA certificate is not valid base64')
    return 'sha256:' + hashlib.sha256(bytes(public_key_info(der))).hexdigest()


ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present', choices=['present', 'absent']),
    token=dict(type='str', no_log=True),
    ttl=dict(type='str', default='15m'),
    description=dict(type='str', default='hyperscaler.workstation join'),
    ca_cert=dict(type='path', default='/etc/kubernetes/pki/ca.crt'),
    kubeconfig=dict(type='path', default='/etc/kubernetes/admin.conf'),
)


def _kubeadm(module, *args):
    argv = [module.get_bin_path('kubeadm', required=True)] + list(args) + ['--kubeconfig', module.params['kubeconfig']]
    rc, out, err = module.run_command(argv)
    if rc != 0:
        # kubeadm's message, with any token it echoed taken out
        raise KubeadmError(
            'kubeadm %s failed: %s' % (args[1], re.sub(r'[a-z0-9]{6}\.[a-z0-9]{16}', '<token>', err.strip()))
        )
    return out


def token(module):
    """Mint a bootstrap token with the CA pin beside it (state=present), or delete one (state=absent)."""
    params = module.params
    if params['state'] == 'absent':
        if not TOKEN.match(params['token'] or ''):
            raise KubeadmError('kubeadm_token: state=absent needs the token to delete')
        if not module.check_mode:
            _kubeadm(module, 'token', 'delete', params['token'])
        return {'changed': True}
    try:
        with open(params['ca_cert']) as handle:
            pin = ca_cert_hash(handle.read())
    except (IOError, OSError) as exc:
        raise KubeadmError(
            'cannot read the cluster CA %s (is this the initialised control plane?): %s' % (params['ca_cert'], exc)
        )
    result = {'changed': True, 'ca_cert_hashes': [pin], 'token': None}
    if not module.check_mode:
        minted = _kubeadm(
            module, 'token', 'create', '--ttl', params['ttl'], '--description', params['description']
        ).strip()
        if not TOKEN.match(minted):
            raise KubeadmError('kubeadm token create did not print a bootstrap token')
        result['token'] = minted
    return result
