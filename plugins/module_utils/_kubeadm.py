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
import datetime
import hashlib
import os
import re

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError

_UTC = datetime.timezone.utc
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


def _tbs_fields(der):
    """(tag, start, end) of the tbsCertificate's fields after the optional ``[0]`` version (RFC 5280):
    serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions."""
    tag, start, end = _tlv(der, 0)
    if tag != 0x30:
        raise KubeadmError('the file holds no X.509 certificate')
    tbs_tag, tbs_start, tbs_end = _tlv(der, start)
    if tbs_tag != 0x30:
        raise KubeadmError('the file holds no X.509 certificate')
    fields = _children(der, tbs_start, tbs_end)
    if fields and fields[0][0] == 0xA0:
        fields = fields[1:]
    if len(fields) < 6:
        raise KubeadmError('the certificate is truncated')
    return fields


def public_key_info(der):
    """The DER bytes of the certificate's SubjectPublicKeyInfo (the tbsCertificate's element after subject)."""
    fields = _tbs_fields(der)
    if fields[5][0] != 0x30:
        raise KubeadmError('the CA certificate has no subject public key')
    return der[fields[5][1] : fields[5][2]]


# X.509 times: UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5); always UTC ("Z").
_TIMES = {0x17: '%y%m%d%H%M%SZ', 0x18: '%Y%m%d%H%M%SZ'}
_COMMON_NAME = b'\x06\x03\x55\x04\x03'  # OID 2.5.4.3


def _time(der, element):
    tag, start, end = _tlv(der, element[1])
    if tag not in _TIMES:
        raise KubeadmError('the certificate has a validity time of unknown form')
    when = datetime.datetime.strptime(bytes(der[start:end]).decode('ascii'), _TIMES[tag])
    return when.replace(tzinfo=_UTC)


def _common_name(der, element):
    """The subject's CN (the first one), or '' without one."""
    name = bytes(der[element[1] : element[2]])
    at = name.find(_COMMON_NAME)
    if at < 0:
        return ''
    _tag, start, end = _tlv(bytearray(name), at + len(_COMMON_NAME))
    return name[start:end].decode('utf-8', 'replace')


def validity(der):
    """``{subject, not_before, not_after}`` (aware UTC datetimes) of a DER certificate."""
    fields = _tbs_fields(der)
    times = _children(der, *_tlv(der, fields[3][1])[1:])
    if fields[3][0] != 0x30 or len(times) != 2:
        raise KubeadmError('the certificate has no validity')
    return {
        'subject': _common_name(der, fields[4]),
        'not_before': _time(der, times[0]),
        'not_after': _time(der, times[1]),
    }


def pem_blocks(pem):
    """The DER bytes of every certificate in ``pem`` (text)."""
    out = []
    for match in _PEM.finditer(pem or ''):
        try:
            out.append(bytearray(base64.b64decode(''.join(match.group(1).split()))))
        except (TypeError, ValueError):
            raise KubeadmError('a certificate is not valid base64')
    return out


def ca_cert_hash(pem):
    """``sha256:<hex>`` of the first certificate in ``pem`` (text), as kubeadm join's CA pin."""
    blocks = pem_blocks(pem)
    if not blocks:
        raise KubeadmError('the CA file holds no PEM certificate')
    return 'sha256:' + hashlib.sha256(bytes(public_key_info(blocks[0]))).hexdigest()


# ---- certificate expiry (module kubeadm_certificates_info) -------------------------------------------------------

_CLIENT_DATA = re.compile(r'^\s*client-certificate-data:\s*(\S+)\s*$', re.M)
_CLIENT_FILE = re.compile(r'^\s*client-certificate:\s*(\S+)\s*$', re.M)


def _entry(path, der, now):
    info = validity(der)
    left = info['not_after'] - now
    return {
        'path': path,
        'subject': info['subject'],
        'not_after': info['not_after'].strftime('%Y-%m-%dT%H:%M:%SZ'),
        'days_left': left.days,
    }


def _read(path):
    with open(path) as handle:
        return handle.read()


def certificates_info(pki_dir, kubeconfigs, warn_days, now=None):
    """``{certificates, expiring}``: every certificate under ``pki_dir`` (``*.crt``, what kubeadm's PKI holds: the
    CAs, the API server's, etcd's, the front proxy's) and the client certificate of each kubeconfig that exists
    (embedded, or the file it names, as kubelet.conf does), soonest first, with the days left; ``expiring``
    those with fewer than ``warn_days`` left (expired ones have a negative count)."""
    now = now or datetime.datetime.now(_UTC)
    if not os.path.isdir(pki_dir):
        raise KubeadmError('no kubeadm PKI at %s (is this an initialised control plane?)' % pki_dir)
    found = []
    for root, _dirs, files in sorted(os.walk(pki_dir)):
        for name in sorted(files):
            if name.endswith('.crt'):
                path = os.path.join(root, name)
                blocks = pem_blocks(_read(path))
                if not blocks:
                    raise KubeadmError('%s holds no PEM certificate' % path)
                found.append(_entry(path, blocks[0], now))
    for path in kubeconfigs:
        if not os.path.exists(path):
            continue
        text = _read(path)
        data, named = _CLIENT_DATA.search(text), _CLIENT_FILE.search(text)
        if data:
            try:
                blocks = pem_blocks(base64.b64decode(data.group(1)).decode('ascii', 'replace'))
            except (TypeError, ValueError):
                raise KubeadmError('%s: client-certificate-data is not valid base64' % path)
        elif named:
            blocks = pem_blocks(_read(named.group(1)))
        else:
            continue
        if blocks:
            found.append(_entry(path, blocks[0], now))
    found.sort(key=lambda e: (e['days_left'], e['path']))
    return {'certificates': found, 'expiring': [e for e in found if e['days_left'] < warn_days]}


CERTIFICATES_ARGUMENT_SPEC = dict(
    pki_dir=dict(type='path', default='/etc/kubernetes/pki'),
    kubeconfigs=dict(
        type='list',
        elements='path',
        default=[
            '/etc/kubernetes/%s.conf' % name
            for name in ('admin', 'super-admin', 'controller-manager', 'scheduler', 'kubelet')
        ],
    ),
    warn_days=dict(type='int', default=30),
)


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
