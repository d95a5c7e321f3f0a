"""config_files with `service`: one call writes a daemon's files and keeps its unit enabled and running.

Through ansible-playbook on localhost with a stand-in `systemctl` (tests/unit/files/standin/systemctl, a
recording stand-in: this host has no systemd) first on PATH: a stopped, disabled unit is enabled and started
(and not restarted on top), a running one is restarted only when a file changed, a changed drop-in gets a
daemon-reload first, check mode runs nothing and says what would run, a failed start names the unit and where
to look, and a unit that does not exist is an error (check mode predicts its start instead). The real systemd
answers in the molecule scenario and on the VMs (tests/e2e).
"""

import json
import os
import pathlib

import pytest

from helpers.site_run import ansible_playbook

from ansible_collections.hyperscaler.workstation.plugins.module_utils._config_files import service_actions

STANDIN = pathlib.Path(__file__).parent / 'standin'

PLAY = """---
- hosts: localhost
  connection: local
  gather_facts: false
  vars: {ansible_python_interpreter: "{{ ansible_playbook_python }}"}
  tasks:
    - name: The daemon's files and unit
      hyperscaler.workstation.config_files:
        files:
          - {dest: "%(root)s/daemon.conf", content: "%(content)s\\n", mode: "0644"}
        service: {name: daemon, restart_on_change: %(restart)s}
      register: result
    - name: Report
      ansible.builtin.debug:
        msg: "RESULT {{ {'changed': result.changed, 'service': result.service} | to_json }}"
"""


def run(repo_root, tmp_path, units, *args, content='a=1', restart='true'):
    state = tmp_path / 'systemctl.json'
    if units is not None:
        state.write_text(json.dumps({'units': units}))
    book = tmp_path / 'play.yml'
    book.write_text(PLAY % {'root': tmp_path, 'content': content, 'restart': restart})
    rc, out = ansible_playbook(
        repo_root,
        ['-i', 'localhost,', str(book)] + list(args),
        PATH='%s:%s' % (STANDIN, os.environ['PATH']),
        SYSTEMCTL_STATE=str(state),
        ANSIBLE_CALLBACK_RESULT_FORMAT='json',
    )
    recorded = json.loads(state.read_text())
    if rc != 0:
        return rc, out, None, recorded
    line = [ln for ln in out.splitlines() if 'RESULT ' in ln][-1]
    result = json.loads(line.split('RESULT ', 1)[1].rstrip('"').replace('\\"', '"'))
    return rc, out, result, recorded


def stopped():
    return {'daemon': {'LoadState': 'loaded', 'UnitFileState': 'disabled', 'ActiveState': 'inactive'}}


def test_a_stopped_unit_is_enabled_and_started_once_then_left_alone(repo_root, tmp_path):
    rc, out, result, recorded = run(repo_root, tmp_path, stopped())
    assert rc == 0, out
    assert result == {'changed': True, 'service': {'name': 'daemon', 'actions': ['enable', 'start']}}
    assert recorded['calls'] == ['enable daemon', 'start daemon']
    rc, out, result, recorded = run(repo_root, tmp_path, None)
    assert rc == 0, out
    assert result == {'changed': False, 'service': {'name': 'daemon', 'actions': []}}
    assert recorded['calls'] == ['enable daemon', 'start daemon']


def test_a_running_unit_is_restarted_only_when_a_file_changed(repo_root, tmp_path):
    running = {'daemon': {'LoadState': 'loaded', 'UnitFileState': 'enabled', 'ActiveState': 'active'}}
    run(repo_root, tmp_path, running)
    rc, out, result, recorded = run(repo_root, tmp_path, None, content='a=2')
    assert rc == 0, out
    assert result['service']['actions'] == ['restart'] and recorded['calls'][-1] == 'restart daemon'
    rc, out, result, recorded = run(repo_root, tmp_path, None, content='a=3', restart='false')
    assert rc == 0 and result == {'changed': True, 'service': {'name': 'daemon', 'actions': []}}, out


def test_check_mode_runs_nothing_and_diff_shows_the_actions(repo_root, tmp_path):
    rc, out, result, recorded = run(repo_root, tmp_path, stopped(), '--check', '--diff')
    assert rc == 0, out
    assert result == {'changed': True, 'service': {'name': 'daemon', 'actions': ['enable', 'start']}}
    assert 'calls' not in recorded and not (tmp_path / 'daemon.conf').exists()
    assert 'systemctl enable -- daemon' in out and 'systemctl start -- daemon' in out


def test_a_failed_start_names_the_unit_and_the_journal(repo_root, tmp_path):
    units = stopped()
    units['daemon']['fail'] = 'start'
    rc, out, _result, _recorded = run(repo_root, tmp_path, units)
    assert rc != 0
    assert 'systemctl start -- daemon failed: Job for daemon failed' in out and 'journalctl -u daemon' in out
    assert 'Traceback' not in out


def test_a_missing_unit_fails_but_check_mode_predicts_its_start(repo_root, tmp_path):
    rc, out, _result, _recorded = run(repo_root, tmp_path, {})
    assert rc != 0 and 'daemon: no such systemd unit; install its package first.' in out, out
    (tmp_path / 'daemon.conf').unlink()
    rc, out, result, _recorded = run(repo_root, tmp_path, {}, '--check')
    assert rc == 0 and result['service']['actions'] == ['start'], out


@pytest.mark.parametrize(
    'state, files_changed, spec, actions',
    [
        ({'UnitFileState': 'static', 'ActiveState': 'active'}, False, {}, []),
        ({'UnitFileState': 'enabled', 'ActiveState': 'failed'}, True, {}, ['start']),
        ({'UnitFileState': 'enabled', 'ActiveState': 'activating'}, True, {}, ['restart']),
        (
            {'UnitFileState': 'enabled', 'ActiveState': 'active', 'NeedDaemonReload': 'yes'},
            True,
            {},
            ['daemon-reload', 'restart'],
        ),
        ({'UnitFileState': 'enabled', 'ActiveState': 'active'}, False, {'enabled': False}, ['disable']),
        ({'UnitFileState': 'masked', 'ActiveState': 'inactive'}, False, {}, ['enable', 'start']),
    ],
)
def test_the_actions_follow_systemds_states(state, files_changed, spec, actions):
    spec = dict({'name': 'daemon', 'enabled': True, 'restart_on_change': True}, **spec)
    assert service_actions(spec, state, files_changed) == actions
