"""End to end, the cloud cluster as far as this machine allows: `ansible-playbook site.yml -e cluster=cloud` on
config/examples/cloud.yaml (a control plane and a CPU worker).

The VMs are built, booted and configured for real under qemu: kernel modules, sysctls and swap for kubelet, and
Debian 13's containerd 1.7 with the collection's config.toml. Then the phase reaches the Kubernetes package step;
kubeadm, kubelet and kubectl exist in no archive this machine reaches (pkgs.k8s.io is not reachable here), so it
must stop there, non-zero, with the documented message and the node's apt left working. The rerun stops at the
same step with changed=0 for everything before it. Then the cluster is destroyed. The steps after the package
step run against stand-ins in the molecule scenario `kubeadm`; docs/kubernetes.md says what has run where.
Slow (minutes); `make e2e`. Tests run in file order and share the VMs.
"""

import json
import re
import sys

import pytest

from helpers.site_run import changed_tasks, elapsed, playbook, ssh

pytestmark = pytest.mark.vm

VMS = {'cloud-control-plane', 'cloud-cpu-worker-01'}
CONFIG = 'config/examples/cloud.yaml'
TIMES = {}
PACKAGE_STEP = 'hyperscaler.workstation.kubernetes_packages : Fetch the repository\'s signing key'


def _site(repo_root, *extra):
    return playbook(repo_root, 'site.yml', '-e', 'cluster=cloud', '-e', 'cluster_config=' + CONFIG, *extra)


def _ssh(repo_root, host, command):
    return ssh(repo_root, host, command, CONFIG)


@pytest.fixture(scope='module')
def cloud(repo_root, request):
    rc, out, recap = _site(repo_root)
    sys.stdout.write(out[-6000:])
    TIMES['first site.yml -e cluster=cloud (to the package step)'] = elapsed(out)
    yield rc, out, recap
    playbook(
        repo_root,
        'playbooks/lifecycle.yml',
        '-e',
        'lifecycle_action=destroy',
        '-e',
        'confirm=yes',
        '-e',
        'cluster=cloud',
        '-e',
        'cluster_config=' + CONFIG,
    )
    plugins = request.config.pluginmanager
    with plugins.get_plugin('capturemanager').global_and_fixture_disabled():
        plugins.get_plugin('terminalreporter').write_line('e2e cloud times: %s' % json.dumps(TIMES, sort_keys=True))


def _stopped_at_the_package_step(rc, out, recap):
    assert rc == 2, out[-6000:]
    assert VMS <= set(recap), out[-3000:]
    for host in VMS:
        # failed=1 on each node: the package step, and nothing after it
        assert recap[host][1:] == (0, 1), (host, recap[host], out[-6000:])
        assert re.search(
            r'%s cannot install kubeadm, kubelet, kubectl from\s+https://pkgs\.k8s\.io/core:/stable:/v1\.35/deb/'
            % host,
            out,
        ), out[-6000:]
    assert 'kubernetes_config.package_repository' in out and 'docs/kubernetes.md' in out
    assert 'Traceback' not in out
    # no phase after it started, and nothing of kubeadm ran
    assert 'kubeadm_control_plane' not in out and 'PLAY [Deploy' not in out


def test_the_phase_stops_at_the_package_step_with_what_to_provide(cloud):
    _stopped_at_the_package_step(*cloud)


def test_the_nodes_are_ready_for_kubelet(cloud, repo_root):
    for host in sorted(VMS):
        result = _ssh(
            repo_root,
            host,
            # /proc, not sysctl/swapon: those are in /usr/sbin, outside the login user's PATH
            'cat /sys/fs/cgroup/cgroup.controllers >/dev/null && grep -E "^(overlay|br_netfilter) " /proc/modules '
            '| cut -d" " -f1 | sort | tr "\\n" " "; cat /proc/sys/net/ipv4/ip_forward '
            '/proc/sys/net/bridge/bridge-nf-call-iptables | tr "\\n" " "; tail -n +2 /proc/swaps | wc -l',
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ['br_netfilter', 'overlay', '1', '1', '0'], (host, result.stdout)


def test_containerd_runs_with_the_collections_cri_settings(cloud, repo_root):
    for host in sorted(VMS):
        result = _ssh(
            repo_root,
            host,
            'systemctl is-active containerd && sudo containerd config dump | '
            'grep -E "^\\s*(SystemdCgroup|sandbox_image|config_path) = "',
        )
        assert result.returncode == 0, result.stdout + result.stderr
        lines = [line.strip() for line in result.stdout.splitlines()]
        assert lines[0] == 'active', lines
        assert 'SystemdCgroup = true' in lines and 'sandbox_image = "registry.k8s.io/pause:3.10"' in lines, lines
        assert 'config_path = "/etc/containerd/certs.d"' in lines, lines


def test_the_nodes_apt_still_works_after_the_failed_step(cloud, repo_root):
    for host in sorted(VMS):
        result = _ssh(repo_root, host, 'ls /etc/apt/sources.list.d/; ls /etc/apt/keyrings/ 2>/dev/null; echo end')
        assert 'kubernetes.sources' not in result.stdout, (host, result.stdout)


def test_the_rerun_stops_at_the_same_step_and_changes_nothing_before_it(cloud, repo_root):
    rc, out, recap = _site(repo_root, '-v')
    TIMES['rerun site.yml -e cluster=cloud (to the package step)'] = elapsed(out)
    _stopped_at_the_package_step(rc, out, recap)
    assert changed_tasks(out) == [], changed_tasks(out)
    assert all(recap[host][0] == 0 for host in recap), out[-6000:]
    assert out.index(PACKAGE_STEP) > 0
