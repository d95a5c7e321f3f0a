"""hyperscaler.workstation.cluster_secret: a cluster secret made once on the Ansible controller.

What the roles rely on (munge key, JWT key, database password): the first run creates the file private from the
start in a 0700 directory, later runs return the same secret and report ok, check mode writes nothing and says it
would, the secret never appears in the output (not even with -vvv), and an empty file fails instead of locking
the nodes out with a blank key.
"""

import base64
import stat

import pytest

from helpers.site_run import ansible_playbook

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.plugin_utils._secrets import ensure_secret

PLAY = """---
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The secret
      hyperscaler.workstation.cluster_secret:
        path: %(path)s
        size: %(size)d
        format: %(format)s
        mode: "%(mode)s"
      register: secret
    - name: Hand it on (only the length of its base64 is shown)
      ansible.builtin.debug:
        msg: "LENGTH {{ secret.content | default('') | length }} CHANGED {{ secret.changed }}"
"""


def run(repo_root, tmp_path, *args, size=32, fmt='bytes', mode='0600'):
    path = tmp_path / 'state' / 'hpc' / 'secret'
    book = tmp_path / 'play.yml'
    book.write_text(PLAY % {'path': path, 'size': size, 'format': fmt, 'mode': mode})
    rc, out = ansible_playbook(repo_root, ['-i', 'localhost,', str(book)] + list(args))
    return rc, out, path


def test_first_run_creates_a_private_secret_and_a_rerun_returns_the_same(repo_root, tmp_path):
    rc, out, path = run(repo_root, tmp_path, '-vvv', size=1024, mode='0400')
    assert rc == 0, out
    assert 'LENGTH 1368 CHANGED True' in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    first = path.read_bytes()
    assert base64.b64encode(first).decode() not in out
    rc, out, _path = run(repo_root, tmp_path, '-vvv', size=1024, mode='0400')
    assert rc == 0, out
    assert 'LENGTH 1368 CHANGED False' in out and path.read_bytes() == first
    assert base64.b64encode(first).decode() not in out


def test_check_mode_writes_nothing_and_reports_the_change(repo_root, tmp_path):
    rc, out, path = run(repo_root, tmp_path, '--check')
    assert rc == 0, out
    assert 'LENGTH 0 CHANGED True' in out
    assert not path.exists() and not path.parent.exists()


def test_a_password_is_letters_and_digits_and_a_widened_mode_is_narrowed(repo_root, tmp_path):
    rc, out, path = run(repo_root, tmp_path, size=24, fmt='password')
    assert rc == 0, out
    password = path.read_text()
    assert len(password) == 24 and password.isalnum() and password not in out
    path.chmod(0o644)
    rc, out, _path = run(repo_root, tmp_path, size=24, fmt='password')
    assert rc == 0 and 'CHANGED True' in out, out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == password


def test_an_empty_secret_file_fails_with_its_path(repo_root, tmp_path):
    path = tmp_path / 'munge.key'
    path.write_bytes(b'')
    with pytest.raises(HyperscalerError, match='munge.key is empty: remove it'):
        ensure_secret(str(path), 1024)
    path = tmp_path / 'state' / 'hpc' / 'secret'
    path.parent.mkdir(parents=True)
    path.write_bytes(b'')
    rc, out, _path = run(repo_root, tmp_path)
    assert rc != 0 and 'cluster_secret: ' in out and 'is empty: remove it' in out, out
    assert 'Traceback' not in out
