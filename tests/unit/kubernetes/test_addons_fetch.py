# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""Role kubernetes_addons' fetch step on this machine (connection local, real get_url and SHA-256): --check on a
host without the cache changes nothing, a fetch pins the digests on first use, a rerun and --check then report
changed=0, and a different file is refused and not kept. The artifacts are STAND-INS: a few bytes written by the
test (the upstream Helm release and charts cannot be downloaded here)."""

import os
import pathlib
import re
import subprocess
import sys

import yaml

BIN = pathlib.Path(sys.executable).parent


def _run(repo_root, tmp_path, *args):
    nodes = [{'name': 'cp', 'ip': '192.0.2.10', 'role': 'control_plane'}]
    cluster = {
        'kubernetes_config': {
            'cni': 'bridge',
            'ingress': 'none',
            'storage_class': 'none',
            'components': {
                'helm': {'url': 'file://%s/src/helm.tar.gz' % tmp_path},
                'metrics-server': {'url': 'file://%s/src/metrics-server.tgz' % tmp_path},
            },
        }
    }
    play = [
        {
            'hosts': 'localhost',
            'connection': 'local',
            'gather_facts': False,
            'vars': {'ansible_python_interpreter': sys.executable, '__cluster': cluster, '__nodes': nodes},
            'tasks': [
                {
                    'ansible.builtin.include_role': {
                        'name': 'hyperscaler.workstation.kubernetes_addons',
                        'tasks_from': 'fetch',
                    },
                    'vars': {
                        'kubernetes_addons_cache_dir': str(tmp_path / 'cache'),
                        'kubernetes_addons_components': '{{ __cluster | hyperscaler.workstation.kubernetes_addons(__nodes) }}',
                    },
                }
            ],
        }
    ]
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(repo_root / 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(
        [str(BIN / 'ansible-playbook'), str(tmp_path / 'play.yml')] + list(args),
        cwd=str(repo_root), env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    recap = re.search(r'localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)', proc.stdout)
    assert recap, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.returncode, int(recap.group(2)), proc.stdout


def test_fetch_pins_on_first_use_and_refuses_a_changed_file(repo_root, tmp_path):
    (tmp_path / 'src').mkdir()
    (tmp_path / 'src' / 'helm.tar.gz').write_text('stand-in helm archive\n')
    (tmp_path / 'src' / 'metrics-server.tgz').write_text('stand-in metrics-server chart\n')
    cache = tmp_path / 'cache'

    rc, changed, out = _run(repo_root, tmp_path, '--check')
    assert rc == 0 and changed == 1 and not cache.exists(), out  # only "would create the cache"

    rc, changed, out = _run(repo_root, tmp_path)
    assert rc == 0 and changed == 3, out  # the cache, the artifacts (one looped task), SHA256SUMS
    sums = (cache / 'SHA256SUMS').read_text().splitlines()
    assert [line.split()[1] for line in sums] == ['helm-3.18.4.tar.gz', 'metrics-server-3.13.0.tgz']
    assert 'Pinned only by their first fetch: helm, metrics-server' in out

    for args in ((), ('--check',)):
        rc, changed, out = _run(repo_root, tmp_path, *args)
        assert rc == 0 and changed == 0, out

    (tmp_path / 'src' / 'metrics-server.tgz').write_text('another file\n')
    (cache / 'metrics-server-3.13.0.tgz').unlink()
    rc, changed, out = _run(repo_root, tmp_path)
    assert rc != 0
    assert 'metrics-server 3.13.0 could not be fetched from file://' in out and 'checksum' in out
    assert 'clusters.cloud.kubernetes_config.components.<name>.url' in out and 'Traceback' not in out
    assert not (cache / 'metrics-server-3.13.0.tgz').exists()
    assert (cache / 'SHA256SUMS').read_text().splitlines() == sums  # the pin stays
