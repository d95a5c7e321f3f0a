# STAND-IN for kubeadm (no kubeadm binary can be installed on this machine): packaged as /usr/bin/kubeadm in the
# `kubeadm` .deb of tests/standin/kubernetes/build_repo.py. It is not Kubernetes. It records every call in
# /var/log/hsw-standin/kubeadm.jsonl (argv and the --config file's text) and keeps the state kubeadm would leave
# on a node: init refuses a node that has a control plane (as kubeadm's preflight does), join refuses a node that
# has joined, tokens are minted and deleted in /var/lib/hsw-standin/tokens (every one minted is also appended to
# minted.log), and init installs the CA certificate the repository builder made (its public-key pin is known to
# the test from the cryptography library, a witness independent of the collection's own DER reading).
import fcntl
import json
import os
import random
import re
import shutil
import string
import sys

LOG = '/var/log/hsw-standin/kubeadm.jsonl'
STATE = '/var/lib/hsw-standin'
CA = '/usr/share/hsw-standin/ca.crt'
K8S = '/etc/kubernetes'
VERSION = 'v1.35.0'
TOKEN = re.compile(r'^[a-z0-9]{6}\.[a-z0-9]{16}$')


def option(argv, name):
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + '='):
            return arg.split('=', 1)[1]
    return None


def record(argv):
    path = option(argv, '--config')
    text = None
    if path and os.path.exists(path):
        with open(path) as handle:
            text = handle.read()
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    with open(LOG, 'a') as handle:
        handle.write(json.dumps({'argv': argv, 'config': text}) + '\n')
    return text


def fail(message):
    sys.stderr.write(message + '\n')
    sys.exit(1)


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, mode)


def tokens():
    path = os.path.join(STATE, 'tokens')
    return open(path).read().split() if os.path.exists(path) else []


def save_tokens(live):
    write(os.path.join(STATE, 'tokens'), ''.join(t + '\n' for t in live))


def kubeconfig(server, user):
    return (
        'apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    server: https://%s\n'
        'contexts:\n- name: %s@standin\n  context: {cluster: standin, user: %s}\ncurrent-context: %s@standin\n'
        'users:\n- name: %s\n  user: {token: standin-not-a-credential}\n' % (server, user, user, user, user)
    )


def init(argv, config):
    if config is None:
        fail('stand-in kubeadm: init needs --config')
    if os.path.exists(os.path.join(K8S, 'manifests', 'kube-apiserver.yaml')):
        fail(
            '[preflight] Some fatal errors occurred:\n\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: '
            '/etc/kubernetes/manifests/kube-apiserver.yaml already exists'
        )
    endpoint = re.search(r'controlPlaneEndpoint: (\S+)', config)
    server = endpoint.group(1) if endpoint else '127.0.0.1:6443'
    os.makedirs(os.path.join(K8S, 'pki'), exist_ok=True)
    shutil.copy(CA, os.path.join(K8S, 'pki', 'ca.crt'))
    write(os.path.join(K8S, 'manifests', 'kube-apiserver.yaml'), '# stand-in: no API server runs\n')
    write(os.path.join(K8S, 'admin.conf'), kubeconfig(server, 'kubernetes-admin'))
    write(os.path.join(K8S, 'kubelet.conf'), kubeconfig(server, 'system:node'))
    print('Your Kubernetes control-plane has initialized successfully! (stand-in)')


def join(argv, config):
    if config is None:
        fail('stand-in kubeadm: join needs --config')
    if os.path.exists(os.path.join(K8S, 'kubelet.conf')):
        fail(
            '[preflight] Some fatal errors occurred:\n\t[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: '
            '/etc/kubernetes/kubelet.conf already exists'
        )
    token = re.search(r'token: (\S+)', config)
    pins = re.search(r'caCertHashes:\s*\n\s*- (sha256:[0-9a-f]{64})', config)
    endpoint = re.search(r'apiServerEndpoint: (\S+)', config)
    if not (token and TOKEN.match(token.group(1)) and pins and endpoint):
        fail('stand-in kubeadm: the JoinConfiguration lacks a token, a CA pin or the API endpoint')
    write(os.path.join(K8S, 'kubelet.conf'), kubeconfig(endpoint.group(1), 'system:node'))
    print('This node has joined the cluster (stand-in)')


def token_cmd(argv):
    # one token call at a time (the real kubeadm stores tokens as Secrets; workers join in parallel)
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, 'lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _token_cmd(argv)


def _token_cmd(argv):
    verb = argv[2] if len(argv) > 2 else 'list'
    live = tokens()
    if not os.path.exists(os.path.join(K8S, 'admin.conf')):
        fail('stand-in kubeadm: no control plane on this node (admin.conf missing)')
    if verb == 'create':
        alphabet = string.ascii_lowercase + string.digits
        minted = '%s.%s' % (
            ''.join(random.choices(alphabet, k=6)),
            ''.join(random.choices(alphabet, k=16)),
        )
        save_tokens(live + [minted])
        with open(os.path.join(STATE, 'minted.log'), 'a') as handle:
            handle.write(minted + '\n')
        print(minted)
    elif verb == 'delete':
        gone = argv[3]
        if gone not in live:
            fail('bootstrap token %r not found' % gone.split('.')[0])
        save_tokens([t for t in live if t != gone])
        print('bootstrap token "%s" deleted' % gone.split('.')[0])
    else:
        print('\n'.join(t.split('.')[0] for t in live))


def main(argv):
    config = record(argv)
    command = argv[1] if len(argv) > 1 else ''
    if command == 'version':
        print(VERSION)
    elif command == 'config' and argv[2:3] == ['validate']:
        if config is None or 'apiVersion: kubeadm.k8s.io/v1beta4' not in config:
            fail('stand-in kubeadm: config validate wants a v1beta4 --config file')
        print('ok')
    elif command == 'init':
        init(argv, config)
    elif command == 'join':
        join(argv, config)
    elif command == 'token':
        token_cmd(argv)
    elif command == 'reset':
        for name in ('admin.conf', 'kubelet.conf', 'pki', 'manifests'):
            path = os.path.join(K8S, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.path.exists(path) and os.remove(path)
    else:
        fail('stand-in kubeadm: %r is not recorded by this stand-in' % ' '.join(argv[1:]))


main(sys.argv)
