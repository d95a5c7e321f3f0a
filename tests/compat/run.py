"""`make compat`: the unit tests and ansible-test sanity on every ansible-core release meta/runtime.yml claims
besides the main one (requirements.txt's, which `make unit` and `make sanity` already run on). That the list
matches requires_ansible is tests/tools/check_requires_ansible.py's job (make lint).

1. A copy of the tree (the files git knows, like `make sanity`) at
   $COMPAT_ROOT/ansible_collections/hyperscaler/workstation, the path ansible-test needs.
2. Per release: its wheel is downloaded on the controller into the cache (pip's --find-links for the venvs),
   and its Requires-Python decides where it runs: on the controller's Python when that satisfies it, else in the
   Debian 13 (Python 3.13) container from tests/images/build-compat.sh, with podman, the copy and the cache
   mounted (the checkout read only). tests/compat/run-version.sh does the rest either way (cached venv,
   pytest tests/unit in the checkout, sanity in the copy).

Cache (~/.cache/hyperscaler-workstation/compat, $HSW_COMPAT_CACHE): wheels/; host/ and container/, each with
venvs/ (the unit venvs, keyed by release, Python and requirements-unit.txt, so each is built once) and home/
(ansible-test's HOME: its sanity venvs; in the container also pip's cache).

Usage: tests/compat/run.py VERSION...
  env: COMPAT_SANITY_SKIP (sanity tests to leave out), COMPAT_PYLINT_ON (the releases that also run pylint),
  COMPAT_ROOT, HSW_COMPAT_CACHE
"""

import email.parser
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import zipfile

from packaging.specifiers import SpecifierSet

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = pathlib.Path(os.environ.get('HSW_COMPAT_CACHE', '~/.cache/hyperscaler-workstation/compat')).expanduser()
COPY_ROOT = pathlib.Path(os.environ.get('COMPAT_ROOT', '/tmp/hyperscaler-compat'))
COLLECTION = COPY_ROOT / 'ansible_collections' / 'hyperscaler' / 'workstation'
HOST_PYTHON = '%d.%d' % sys.version_info[:2]
CONTAINER_PYTHON = '3.13'
CA_BUNDLE = pathlib.Path('/etc/ssl/certs/ca-certificates.crt')


def log(msg):
    print('[compat] %s' % msg, file=sys.stderr, flush=True)


def wheel(version):
    """The Requires-Python of the release's wheel, downloaded into the cache once."""
    wheels = CACHE / 'wheels'
    found = sorted(wheels.glob('ansible_core-%s-*.whl' % version))
    if not found:
        wheels.mkdir(parents=True, exist_ok=True)
        # --python-version: the releases for Python 3.12+ are not offered to the controller's 3.11 otherwise.
        subprocess.run(
            [sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '--only-binary=:all:',
             '--python-version', CONTAINER_PYTHON, '-d', str(wheels), 'ansible-core==%s' % version],
            check=True,
        )  # fmt: skip
        found = sorted(wheels.glob('ansible_core-%s-*.whl' % version))
    with zipfile.ZipFile(found[0]) as archive:
        name = next(n for n in archive.namelist() if n.endswith('.dist-info/METADATA'))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    return metadata.get('Requires-Python', '')


def copy_tree():
    shutil.rmtree(COPY_ROOT, ignore_errors=True)
    COLLECTION.mkdir(parents=True)
    files = subprocess.run(
        ['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT, check=True, capture_output=True
    ).stdout
    # Files deleted in the working tree but still in git's index would make rsync fail: leave them out.
    files = b''.join(name + b'\0' for name in files.split(b'\0') if name and os.path.lexists(ROOT / os.fsdecode(name)))
    subprocess.run(['rsync', '-a', '--from0', '--files-from=-', './', str(COLLECTION) + '/'], cwd=ROOT, input=files,
                   check=True)  # fmt: skip


def libvirt_pin():
    match = re.search(r'^libvirt-python==\S+$', (ROOT / 'requirements.txt').read_text(), re.M)
    return [match.group(0)] if match else []


def sanity_skip(version):
    """COMPAT_SANITY_SKIP, plus pylint unless the release is one of COMPAT_PYLINT_ON."""
    skip = os.environ.get('COMPAT_SANITY_SKIP', '').split()
    if version not in os.environ.get('COMPAT_PYLINT_ON', '').split() and 'pylint' not in skip:
        skip.append('pylint')
    return ' '.join(skip)


def dependency_collections():
    """The main venv's ansible_collections (the `ansible` package: community.libvirt and the other dependencies)."""
    found = sorted(ROOT.glob('.venv/lib/python3*/site-packages/ansible_collections'))
    return str(found[0]) if found else ''


def run_host(version):
    env = dict(os.environ, COMPAT_WHEELS=str(CACHE / 'wheels'), COMPAT_SANITY_SKIP=sanity_skip(version))
    env['COMPAT_COLLECTIONS'] = dependency_collections()
    cmd = [str(ROOT / 'tests' / 'compat' / 'run-version.sh'), version, str(ROOT), str(COLLECTION), str(CACHE / 'host')]
    return subprocess.run(cmd + libvirt_pin(), env=env, check=False).returncode


def run_container(version, image):
    (CACHE / 'container' / 'home').mkdir(parents=True, exist_ok=True)
    cmd = ['podman', 'run', '--rm', '--network', 'host', '--pull=never',
           '-v', '%s:%s:ro' % (ROOT, ROOT),
           '-v', '%s:%s' % (COPY_ROOT, COPY_ROOT),
           '-v', '%s:/cache' % (CACHE / 'container'),
           '-v', '%s:/wheels:ro' % (CACHE / 'wheels'),
           '-e', 'HOME=/cache/home', '-e', 'COMPAT_WHEELS=/wheels', '-e', 'COMPAT_SYSTEM_SITE=1',
           '-e', 'COMPAT_SANITY_SKIP=%s' % sanity_skip(version),
           '-e', 'COMPAT_PYTEST_WORKERS=%s' % os.environ.get('COMPAT_PYTEST_WORKERS', '2'),
           '-e', 'COMPAT_COLLECTIONS=%s' % dependency_collections(),
           '-e', 'PIP_DISABLE_PIP_VERSION_CHECK=1', '-w', str(COLLECTION)]  # fmt: skip
    if CA_BUNDLE.exists():  # the controller's trust store (PyPI through this network's TLS proxy, if any)
        cmd += ['-v', '%s:%s:ro' % (CA_BUNDLE, CA_BUNDLE)]
    shared = ROOT.parent / 'shared'
    if shared.is_dir():  # the project plan beside the checkout (a unit test compares the shipped example with it)
        cmd += ['-v', '%s:%s:ro' % (shared, shared)]
    script = str(ROOT / 'tests' / 'compat' / 'run-version.sh')
    cmd += [image, 'bash', script, version, str(ROOT), str(COLLECTION), '/cache']
    return subprocess.run(cmd, check=False).returncode


def on_host(version):
    requires_python = wheel(version)
    return not requires_python or HOST_PYTHON in SpecifierSet(requires_python)


def main(versions):
    start = time.monotonic()
    copy_tree()
    where = {version: on_host(version) for version in versions}
    build = None
    if not all(where.values()):
        # The image builds (or is found) while the controller's releases run: debootstrap mostly waits on the network.
        build = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(ROOT / 'tests' / 'images' / 'build-compat.sh')], stdout=subprocess.PIPE, text=True
        )
    image = None
    results = []
    for version in sorted(versions, key=lambda v: not where[v]):
        began = time.monotonic()
        if where[version]:
            place = 'controller, Python %s' % HOST_PYTHON
            rc = run_host(version)
        else:
            if image is None:
                out = build.communicate()[0]
                if build.returncode:
                    raise SystemExit('tests/images/build-compat.sh failed (rc=%d)' % build.returncode)
                image = out.split()[-1]
            place = 'container %s, Python %s' % (image, CONTAINER_PYTHON)
            rc = run_container(version, image)
        results.append((version, place, rc, time.monotonic() - began))
    for version, where, rc, seconds in results:
        status = 'ok' if rc == 0 else 'FAILED'
        log(
            'ansible-core %s (%s): %s in %.0fs, sanity skipped: %s'
            % (version, where, status, seconds, sanity_skip(version) or 'none')
        )
    log('total %.0fs' % (time.monotonic() - start))
    return 1 if any(result[2] for result in results) else 0


if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    sys.exit(main(sys.argv[1:]))
