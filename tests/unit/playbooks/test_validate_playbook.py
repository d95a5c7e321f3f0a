"""playbooks/validate.yml as a user runs it: exit code and the lines it prints."""

import os
import pathlib
import subprocess
import sys

import pytest

BIN = pathlib.Path(sys.executable).parent


def validate(repo_root, config, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    cmd = [
        str(BIN / 'ansible-playbook'),
        str(repo_root / 'playbooks' / 'validate.yml'),
        '-e',
        'cluster_config=%s' % config,
    ] + list(extra)
    proc = subprocess.run(cmd, cwd=str(repo_root), env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_default_config_passes(repo_root):
    rc, out = validate(repo_root, repo_root / 'config' / 'cluster.yaml')
    assert rc == 0, out
    assert 'is valid: 3 VM(s) in hpc' in out


def test_every_problem_is_printed_on_its_own_line(repo_root, tmp_path):
    text = (repo_root / 'config/examples/multi-gpu.yaml').read_text()
    text = text.replace('ip: "192.168.100.12"', 'ip: "192.168.200.12"').replace('"virbr200"', '"virbr100"')
    text = text.replace('memory_gb: 8\n    \n    compute_nodes', 'memroy_gb: 8\n    \n    compute_nodes')
    bad = tmp_path / 'bad.yaml'
    bad.write_text(text)
    rc, out = validate(repo_root, bad)
    assert rc != 0
    assert 'Traceback' not in out
    lines = [line.strip() for line in out.splitlines()]
    for expected in [
        'clusters.hpc.compute_nodes[1].ip: 192.168.200.12 is outside subnet 192.168.100.0/24',
        "clusters.hpc.network.bridge: 'virbr100' is already used by clusters.cloud.network.bridge",
    ]:
        assert expected in lines


def test_yaml_syntax_error_names_the_line(repo_root, tmp_path):
    bad = tmp_path / 'broken.yaml'
    bad.write_text('version: "1.0"\nclusters:\n  hpc: network: x\n')
    rc, out = validate(repo_root, bad)
    assert rc != 0 and 'Traceback' not in out
    expected = '%s line 3 column 15: YAML syntax error: mapping values are not allowed here' % bad
    assert expected in out


@pytest.mark.parametrize('content', ['', '- a\n- b\n', 'version: "1.0"\nclusters: 5\n'])
def test_odd_documents_never_trace_back(repo_root, tmp_path, content):
    bad = tmp_path / 'odd.yaml'
    bad.write_text(content)
    rc, out = validate(repo_root, bad)
    assert rc != 0 and 'Traceback' not in out


def test_unknown_cluster_selection(repo_root):
    rc, out = validate(repo_root, repo_root / 'config' / 'cluster.yaml', '-e', 'cluster=cloud')
    assert rc != 0
    assert '-e cluster=cloud: choose hpc, cloud, services or all, and a cluster that' in ' '.join(out.split())


def test_a_relative_cluster_config_is_taken_from_the_working_directory(repo_root, tmp_path):
    """README's `ansible-playbook playbooks/validate.yml -e cluster_config=config/examples/multi-gpu.yaml`."""
    (tmp_path / 'mine').mkdir()
    (tmp_path / 'mine' / 'cluster.yaml').write_text((repo_root / 'config' / 'cluster.yaml').read_text())
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1', PWD=str(tmp_path))
    proc = subprocess.run(
        [
            str(BIN / 'ansible-playbook'),
            str(repo_root / 'playbooks' / 'validate.yml'),
            '-e',
            'cluster_config=mine/cluster.yaml',
        ],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = ' '.join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 0, out[-2000:]
    assert '%s/mine/cluster.yaml is valid: 3 VM(s) in hpc' % tmp_path in out
