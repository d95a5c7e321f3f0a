# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The certificate-expiry check (module kubeadm_certificates_info) on a kubeadm-shaped PKI made here with the
cryptography library, the independent witness: real X.509 certificates (UTCTime before 2050, GeneralizedTime
from then on), kubeconfigs with embedded client certificates, and kubelet.conf naming its certificate file."""

import base64
import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubeadm
from ansible_collections.hyperscaler.workstation.plugins.modules import kubeadm_certificates_info
from helpers.module_harness import run_module
from standin.kubernetes.build_repo import certificate

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
KEY = ec.generate_private_key(ec.SECP256R1())


def _pem(common_name, not_after):
    cert = certificate(KEY, common_name, NOW - datetime.timedelta(days=400), not_after)
    return cert.public_bytes(serialization.Encoding.PEM)


def _pki(tmp_path):
    pki = tmp_path / 'pki'
    (pki / 'etcd').mkdir(parents=True)
    (pki / 'ca.crt').write_bytes(_pem('kubernetes', NOW + datetime.timedelta(days=3650)))  # 2036: UTCTime
    (pki / 'apiserver.crt').write_bytes(_pem('kube-apiserver', NOW + datetime.timedelta(days=365)))
    (pki / 'etcd' / 'server.crt').write_bytes(_pem('cloud-control-plane', NOW + datetime.timedelta(days=12, hours=1)))
    (pki / 'apiserver.key').write_text('not a certificate: skipped')
    admin = tmp_path / 'admin.conf'
    data = base64.b64encode(_pem('kubernetes-admin', NOW - datetime.timedelta(days=2))).decode()
    admin.write_text(
        'users:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: %s\n    client-key-data: eA==\n' % data
    )
    kubelet_pem = tmp_path / 'kubelet-client-current.pem'
    kubelet_pem.write_bytes(_pem('system:node:cloud-control-plane', datetime.datetime(2051, 1, 1, tzinfo=UTC)))
    kubelet = tmp_path / 'kubelet.conf'
    kubelet.write_text('users:\n- name: default-auth\n  user:\n    client-certificate: %s\n' % kubelet_pem)
    return pki, [str(admin), str(tmp_path / 'super-admin.conf'), str(kubelet)]


def test_every_certificate_soonest_first_with_the_days_left(tmp_path):
    pki, kubeconfigs = _pki(tmp_path)
    out = _kubeadm.certificates_info(str(pki), kubeconfigs, 30, now=NOW)
    found = [(e['subject'], e['days_left']) for e in out['certificates']]
    assert found == [
        ('kubernetes-admin', -2),  # expired
        ('cloud-control-plane', 12),
        ('kube-apiserver', 365),
        ('kubernetes', 3650),
        ('system:node:cloud-control-plane', 8794),  # 2051-01-01: GeneralizedTime, 8794.5 days
    ]
    assert [e['subject'] for e in out['expiring']] == ['kubernetes-admin', 'cloud-control-plane']
    assert out['certificates'][0]['path'].endswith('admin.conf')
    assert out['certificates'][1] == {
        'path': str(pki / 'etcd' / 'server.crt'),
        'subject': 'cloud-control-plane',
        'not_after': '2026-12-15T13:00:00Z',
        'days_left': 12,
    }


def test_the_module_reads_the_node_and_fails_clearly_without_a_pki(tmp_path, monkeypatch):
    pki, kubeconfigs = _pki(tmp_path)
    result = run_module(
        kubeadm_certificates_info,
        {'pki_dir': str(pki), 'kubeconfigs': kubeconfigs, 'warn_days': 400},
        monkeypatch,
        check_mode=True,
    )
    assert result['changed'] is False and len(result['certificates']) == 5
    assert [e['subject'] for e in result['expiring']] == ['kubernetes-admin', 'cloud-control-plane', 'kube-apiserver']
    failed = run_module(kubeadm_certificates_info, {'pki_dir': str(tmp_path / 'none')}, monkeypatch)
    assert failed['failed'] and 'no kubeadm PKI at' in failed['msg'] and 'initialised control plane' in failed['msg']


def test_a_broken_certificate_is_named(tmp_path):
    pki = tmp_path / 'pki'
    pki.mkdir()
    (pki / 'front-proxy-ca.crt').write_text('garbage')
    with pytest.raises(_kubeadm.KubeadmError, match='front-proxy-ca.crt holds no PEM certificate'):
        _kubeadm.certificates_info(str(pki), [], 30, now=NOW)
