"""Builds the signed apt repository of STAND-IN kubeadm, kubelet and kubectl packages that the molecule
scenario `kubeadm` installs through the real package path (role kubernetes_packages, apt checking the signature).

Usage: build_repo.py OUT_DIR        (writes OUT_DIR/repo/ and OUT_DIR/ca.pin; needs dpkg-deb and gpg)

The packages are stand-ins, not Kubernetes (tests/README.md lists them): kubeadm records its calls and keeps
the state a node would have, kubelet waits, kubectl answers `version --client`. The repository is flat like
pkgs.k8s.io's (`Suites: /`), signed with a throw-away key (InRelease + Release.key). kubeadm's package carries a
CA certificate made here with the cryptography library; ca.pin is its kubeadm pin computed by that library, the
witness the scenario compares the collection's own pin with.
"""

import datetime
import gzip
import hashlib
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = pathlib.Path(__file__).resolve().parent
VERSION = '1.35.0-1.1'
UNIT = """[Unit]
Description=kubelet (hyperscaler.workstation test STAND-IN)
[Service]
ExecStart=/usr/bin/kubelet
Restart=always
[Install]
WantedBy=multi-user.target
"""


def certificate(key, common_name, not_before, not_after):
    """A self-signed certificate (cryptography's object) of ``key``: the one builder of the tests' certificates."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def ca_certificate(key=None):
    """A self-signed CA certificate (PEM bytes) of ``key`` (a new RSA key by default) and its kubeadm pin, as the
    cryptography library computes it (also the unit tests' witness)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.datetime.fromtimestamp(time.time() - 60, datetime.timezone.utc)
    cert = certificate(key, 'kubernetes', start, start + datetime.timedelta(days=3650))
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return cert.public_bytes(serialization.Encoding.PEM), 'sha256:' + hashlib.sha256(spki).hexdigest()


def package(work, name, files, depends=''):
    root = work / name
    (root / 'DEBIAN').mkdir(parents=True)
    control = 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: hyperscaler.workstation tests\n' % (
        name,
        VERSION,
    )
    if depends:
        control += 'Depends: %s\n' % depends
    control += 'Description: STAND-IN %s for the hyperscaler.workstation tests (not Kubernetes)\n' % name
    (root / 'DEBIAN' / 'control').write_text(control)
    for path, (content, mode) in files.items():
        target = root / path.lstrip('/')
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(mode)
    deb = work / ('%s_%s_all.deb' % (name, VERSION))
    subprocess.run(
        ['dpkg-deb', '--root-owner-group', '-Zgzip', '--build', str(root), str(deb)], check=True, capture_output=True
    )
    return deb


def script(name):
    return b'#!/usr/bin/python3\n' + (HERE / name).read_bytes(), 0o755


def index(repo, debs):
    stanzas = []
    for deb in debs:
        fields = subprocess.run(['dpkg-deb', '-f', str(deb)], check=True, capture_output=True, text=True).stdout
        data = deb.read_bytes()
        stanzas.append(
            fields.rstrip('\n')
            + '\nFilename: ./%s\nSize: %d\nSHA256: %s\n' % (deb.name, len(data), hashlib.sha256(data).hexdigest())
        )
        shutil.copy(deb, repo / deb.name)
    packages = '\n'.join(stanzas).encode()
    (repo / 'Packages').write_bytes(packages)
    (repo / 'Packages.gz').write_bytes(gzip.compress(packages))
    release = 'Origin: hsw-standin\nLabel: hsw-standin\nDate: %s\nArchitectures: amd64 all\nSHA256:\n' % time.strftime(
        '%a, %d %b %Y %H:%M:%S UTC', time.gmtime()
    )
    for name in ('Packages', 'Packages.gz'):
        data = (repo / name).read_bytes()
        release += ' %s %d %s\n' % (hashlib.sha256(data).hexdigest(), len(data), name)
    (repo / 'Release').write_text(release)


def sign(repo):
    with tempfile.TemporaryDirectory() as home:
        gpg = ['gpg', '--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '']
        subprocess.run(
            gpg + ['--quick-gen-key', 'hsw standin <standin@localhost>', 'ed25519', 'sign', 'never'], check=True
        )
        subprocess.run(gpg + ['--clearsign', '-o', str(repo / 'InRelease'), str(repo / 'Release')], check=True)
        key = subprocess.run(gpg + ['--armor', '--export'], check=True, capture_output=True).stdout
        (repo / 'Release.key').write_bytes(key)


def main(out):
    out = pathlib.Path(out)
    repo = out / 'repo'
    shutil.rmtree(out, ignore_errors=True)
    repo.mkdir(parents=True)
    pem, pin = ca_certificate()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        debs = [
            package(
                work,
                'kubeadm',
                {'/usr/bin/kubeadm': script('kubeadm_standin.py'), '/usr/share/hsw-standin/ca.crt': (pem, 0o644)},
                depends='python3',
            ),
            package(
                work,
                'kubelet',
                {
                    '/usr/bin/kubelet': script('kubelet_standin.py'),
                    '/usr/lib/systemd/system/kubelet.service': (UNIT.encode(), 0o644),
                },
                depends='python3',
            ),
            package(work, 'kubectl', {'/usr/bin/kubectl': script('kubectl_standin.py')}, depends='python3'),
        ]
        index(repo, debs)
    sign(repo)
    (out / 'ca.pin').write_text(pin + '\n')
    print(repo)


if __name__ == '__main__':
    main(sys.argv[1])
