# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""Joining a worker: the CA pin (checked against the cryptography library, an independent reading of the same
certificate), the JoinConfiguration, the kubeadm_token module against a STAND-IN kubeadm (a shell script that
records its arguments; no kubeadm can be installed here), and where the packages come from."""

import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubeadm, _kubernetes
from ansible_collections.hyperscaler.workstation.plugins.modules import kubeadm_token
from helpers.module_harness import run_module
from standin.kubernetes.build_repo import ca_certificate

TOKEN = 'abcdef.0123456789abcdef'


def _certificate(key):
    pem, pin = ca_certificate(key)
    return pem.decode(), pin


@pytest.mark.parametrize(
    'key', [rsa.generate_private_key(public_exponent=65537, key_size=2048), ec.generate_private_key(ec.SECP256R1())]
)
def test_the_ca_pin_is_kubeadms(key):
    pem, expected = _certificate(key)
    assert _kubeadm.ca_cert_hash('some text before\n' + pem) == expected


@pytest.mark.parametrize(
    'text, problem',
    [('', 'no PEM certificate'), ('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----', 'no X.509')],
)
def test_what_is_not_a_certificate_is_refused(text, problem):
    with pytest.raises(_kubeadm.KubeadmError, match=problem):
        _kubeadm.ca_cert_hash(text)


PLANE = {'name': 'cloud-cp', 'ip': '192.168.200.10'}
WORKER = {'name': 'cloud-worker-01', 'ip': '192.168.200.11', 'role': 'cpu_worker'}


def test_the_join_configuration_pins_the_ca():
    doc = _kubernetes.join_config(PLANE, WORKER, TOKEN, ['sha256:' + '0' * 64])
    assert doc['apiVersion'] == 'kubeadm.k8s.io/v1beta4' and doc['kind'] == 'JoinConfiguration'
    discovery = doc['discovery']['bootstrapToken']
    assert discovery == {
        'apiServerEndpoint': '192.168.200.10:6443',
        'token': TOKEN,
        'caCertHashes': ['sha256:' + '0' * 64],
        'unsafeSkipCAVerification': False,
    }
    assert doc['nodeRegistration']['name'] == 'cloud-worker-01'
    assert doc['nodeRegistration']['kubeletExtraArgs'] == [
        {'name': 'node-ip', 'value': '192.168.200.11'},
        {'name': 'node-labels', 'value': 'compute=cpu'},
    ]


@pytest.mark.parametrize(
    'role, config, labels, taints',
    [
        ('cpu_worker', None, 'compute=cpu', []),
        ('gpu_worker', None, 'compute=gpu', [{'key': 'nvidia.com/gpu', 'value': 'present', 'effect': 'NoSchedule'}]),
        ('gpu_worker', {'gpu_worker_taint': False}, 'compute=gpu', []),
    ],
)
def test_a_worker_registers_with_its_labels_and_taints(role, config, labels, taints):
    """kubelet's --node-labels and --register-with-taints (kubeadm: kubeletExtraArgs, taints): a GPU worker is
    never schedulable untainted, not even between its join and a later kubectl taint."""
    doc = _kubernetes.join_config(PLANE, dict(WORKER, role=role), TOKEN, ['sha256:' + '0' * 64], config)
    registration = doc['nodeRegistration']
    assert {'name': 'node-labels', 'value': labels} in registration['kubeletExtraArgs']
    assert registration['taints'] == taints


@pytest.mark.parametrize('token, pins, problem', [('not-a-token', ['sha256:x'], 'token'), (TOKEN, [], 'pin')])
def test_a_join_without_a_token_or_a_pin_is_refused(token, pins, problem):
    with pytest.raises(_kubernetes.KubernetesConfigError, match=problem):
        _kubernetes.join_config(PLANE, WORKER, token, pins)


@pytest.mark.parametrize(
    'config, repository, packages',
    [
        ({}, 'https://pkgs.k8s.io/core:/stable:/v1.35/deb/', ['kubeadm', 'kubelet', 'kubectl']),
        (
            {'version': '1.34.3'},
            'https://pkgs.k8s.io/core:/stable:/v1.34/deb/',
            ['kubeadm=1.34.3-*', 'kubelet=1.34.3-*', 'kubectl=1.34.3-*'],
        ),
        (
            {'package_repository': 'http://192.168.200.1:3142/k8s'},
            'http://192.168.200.1:3142/k8s/',
            ['kubeadm', 'kubelet', 'kubectl'],
        ),
    ],
)
def test_package_source(config, repository, packages):
    source = _kubernetes.package_source(config)
    assert source == {'repository': repository, 'key_url': repository + 'Release.key', 'packages': packages}


def test_a_given_key_url_is_kept():
    given = {'package_repository': 'file:///srv/k8s/', 'package_key_url': 'file:///srv/k8s.asc'}
    assert _kubernetes.package_source(given)['key_url'] == 'file:///srv/k8s.asc'


# ---- kubeadm_token, against a stand-in kubeadm ------------------------------------------------------------------


@pytest.fixture
def standin(tmp_path, monkeypatch):
    """STAND-IN kubeadm: records its argv as JSON lines, prints a token on `token create`; `FAIL=1` makes it fail
    with an error that echoes a token, as kubeadm's can."""
    log = tmp_path / 'calls.jsonl'
    script = tmp_path / 'bin' / 'kubeadm'
    script.parent.mkdir()
    script.write_text(
        '#!/bin/sh\n'
        'python3 -c \'import json,sys; print(json.dumps(sys.argv[1:]))\' "$@" >> %s\n'
        'if [ -n "$FAIL" ]; then echo "token %s: connection refused" >&2; exit 1; fi\n'
        '[ "$2" = create ] && echo %s\nexit 0\n' % (log, TOKEN, TOKEN)
    )
    script.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:%s' % (script.parent, os.environ['PATH']))
    pem, pin = _certificate(ec.generate_private_key(ec.SECP256R1()))
    ca = tmp_path / 'ca.crt'
    ca.write_text(pem)

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return {'ca': str(ca), 'pin': pin, 'calls': calls}


def test_a_token_is_minted_with_the_pin(standin, monkeypatch):
    result = run_module(kubeadm_token, {'ca_cert': standin['ca'], 'ttl': '10m'}, monkeypatch)
    assert result['changed'] and result['token'] == TOKEN and result['ca_cert_hashes'] == [standin['pin']]
    argv = standin['calls']()[0]
    assert argv[:4] == ['token', 'create', '--ttl', '10m'] and argv[-2:] == [
        '--kubeconfig',
        '/etc/kubernetes/admin.conf',
    ]


def test_check_mode_mints_nothing(standin, monkeypatch):
    result = run_module(kubeadm_token, {'ca_cert': standin['ca']}, monkeypatch, check_mode=True)
    assert result['changed'] and result['token'] is None and result['ca_cert_hashes'] == [standin['pin']]
    assert standin['calls']() == []


def test_a_token_is_deleted(standin, monkeypatch):
    assert run_module(kubeadm_token, {'state': 'absent', 'token': TOKEN}, monkeypatch)['changed']
    assert standin['calls']()[0][:3] == ['token', 'delete', TOKEN]


def test_a_failure_names_the_cause_without_the_token(standin, monkeypatch):
    monkeypatch.setenv('FAIL', '1')
    result = run_module(kubeadm_token, {'ca_cert': standin['ca']}, monkeypatch)
    assert result['failed'] and 'connection refused' in result['msg'] and TOKEN not in result['msg']


def test_without_the_ca_it_says_where_to_run(standin, monkeypatch, tmp_path):
    result = run_module(kubeadm_token, {'ca_cert': str(tmp_path / 'none.crt')}, monkeypatch)
    assert result['failed'] and 'initialised control plane' in result['msg'] and standin['calls']() == []
