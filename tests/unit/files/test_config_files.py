"""hyperscaler.workstation.config_files through ansible-playbook (local connection, files under tmp_path).

What a role relies on: one task writes every file, a rerun changes nothing, an edited file is restored and only
its own handler runs, check mode writes nothing and tells the truth, diff mode shows the content, and a file
whose directory is missing fails with a message naming both before anything is written.
"""

import base64
import json
import pathlib
import stat

from helpers.site_run import ansible_playbook

PLAY = """---
- name: config_files
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    root: %(root)s
    greeting: %(greeting)s
  handlers:
    - name: Restart a
      ansible.builtin.copy:
        dest: "{{ root }}/handled-a"
        content: "{{ lookup('ansible.builtin.pipe', 'date +%%s%%N') }}"
    - name: Restart b
      ansible.builtin.copy:
        dest: "{{ root }}/handled-b"
        content: "{{ lookup('ansible.builtin.pipe', 'date +%%s%%N') }}"
  tasks:
    - name: Converge a
      hyperscaler.workstation.config_files:
        directories:
          - {path: "{{ root }}/etc/app", mode: "0750"}
        files:
          - dest: "{{ root }}/etc/app/a.conf"
            content: "greeting={{ greeting }}\\n"
            mode: "0644"
      register: converged_a
      notify: Restart a

    - name: Converge b
      hyperscaler.workstation.config_files:
        files:
          - dest: "{{ root }}/etc/app/b.sh"
            content: "#!/bin/sh\\necho b\\n"
            mode: "0755"
          - dest: "{{ root }}/etc/app/secret"
            content: "token\\n"
            mode: "0600"
            diff: false
      register: converged_b
      notify: Restart b

    - name: Report
      ansible.builtin.debug:
        msg: "RESULT {{ (converged_a.changed_paths + converged_b.changed_paths) | to_json }}"
"""


# A play with one config_files task; %s is its one file entry (a flow mapping).
ONE_FILE = """---
- hosts: localhost
  connection: local
  gather_facts: false
  vars: {ansible_python_interpreter: "{{ ansible_playbook_python }}"}
  tasks:
    - hyperscaler.workstation.config_files:
        files:
          - %s
"""


def playbook(repo_root, book, *args):
    """ansible-playbook on localhost with the checkout's config; returns (rc, stdout + stderr)."""
    return ansible_playbook(
        repo_root, ['-i', 'localhost,', str(book)] + list(args), ANSIBLE_CALLBACK_RESULT_FORMAT='json'
    )


def run(repo_root, tmp_path, *args, greeting='hello'):
    book = tmp_path / 'play.yml'
    book.write_text(PLAY % {'root': tmp_path / 'root', 'greeting': greeting})
    rc, out = playbook(repo_root, book, *args)
    assert rc == 0, out
    line = [ln for ln in out.splitlines() if 'RESULT ' in ln][-1]
    return json.loads(line.split('RESULT ', 1)[1].rstrip('"').replace('\\"', '"')), out


def handled(tmp_path):
    return sorted(p.name for p in (tmp_path / 'root').glob('handled-*'))


def test_first_run_writes_everything_and_notifies_each_tasks_handler(repo_root, tmp_path):
    changed, out = run(repo_root, tmp_path)
    app = tmp_path / 'root' / 'etc' / 'app'
    assert [pathlib.Path(p).name for p in changed] == ['app', 'a.conf', 'b.sh', 'secret']
    assert (app / 'a.conf').read_text() == 'greeting=hello\n'
    assert stat.S_IMODE(app.stat().st_mode) == 0o750
    assert stat.S_IMODE((app / 'b.sh').stat().st_mode) == 0o755
    assert stat.S_IMODE((app / 'secret').stat().st_mode) == 0o600
    assert handled(tmp_path) == ['handled-a', 'handled-b']
    assert 'RUNNING HANDLER [Restart a]' in out and 'RUNNING HANDLER [Restart b]' in out


def test_rerun_changes_nothing_and_an_edit_is_restored_with_only_its_tasks_handler(repo_root, tmp_path):
    run(repo_root, tmp_path)
    for path in (tmp_path / 'root').glob('handled-*'):
        path.unlink()
    changed, out = run(repo_root, tmp_path)
    assert changed == [] and 'changed=0' in out and handled(tmp_path) == []

    b = tmp_path / 'root' / 'etc' / 'app' / 'b.sh'
    b.write_text('tampered\n')
    changed, out = run(repo_root, tmp_path)
    assert changed == [str(b)]
    assert b.read_text() == '#!/bin/sh\necho b\n'
    assert handled(tmp_path) == ['handled-b']
    # one task changed (the restored file) and one handler ran
    assert 'changed=2' in out, out


def test_mode_drift_is_corrected(repo_root, tmp_path):
    run(repo_root, tmp_path)
    secret = tmp_path / 'root' / 'etc' / 'app' / 'secret'
    secret.chmod(0o644)
    changed, _out = run(repo_root, tmp_path)
    assert changed == [str(secret)]
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_check_mode_writes_nothing_and_diff_shows_content_but_not_hidden_files(repo_root, tmp_path):
    run(repo_root, tmp_path)
    a = tmp_path / 'root' / 'etc' / 'app' / 'a.conf'
    secret = tmp_path / 'root' / 'etc' / 'app' / 'secret'
    secret.write_text('other\n')
    changed, out = run(repo_root, tmp_path, '--check', '--diff', greeting='bonjour')
    assert sorted(changed) == sorted([str(a), str(secret)])
    assert a.read_text() == 'greeting=hello\n' and secret.read_text() == 'other\n'
    assert '-greeting=hello' in out and '+greeting=bonjour' in out
    assert 'content not shown' in out and 'token' not in out


def test_missing_directory_fails_with_both_paths_and_writes_nothing(repo_root, tmp_path):
    book = tmp_path / 'bad.yml'
    book.write_text(ONE_FILE % ('{dest: "%s/missing/x.conf", content: "x"}' % tmp_path))
    rc, out = playbook(repo_root, book)
    out = ' '.join(out.split())
    assert rc != 0
    assert 'the directory %s/missing does not exist' % tmp_path in out, out
    assert 'Traceback' not in out
    assert not (tmp_path / 'missing').exists()


def test_binary_content_is_written_byte_for_byte_and_never_shown(repo_root, tmp_path):
    key = bytes(range(256)) * 4
    book = tmp_path / 'key.yml'
    entry = '{dest: "%s/munge.key", content_b64: "%s", mode: "0400"}' % (tmp_path, base64.b64encode(key).decode())
    book.write_text(ONE_FILE % entry)
    for expected in ('changed=1', 'changed=0'):
        rc, out = playbook(repo_root, book, '--diff')
        assert rc == 0 and expected in out, out
        assert base64.b64encode(key).decode()[:40] not in out.split('TASK [', 1)[1]
    assert (tmp_path / 'munge.key').read_bytes() == key
    assert stat.S_IMODE((tmp_path / 'munge.key').stat().st_mode) == 0o400
