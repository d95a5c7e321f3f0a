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

import ipaddress
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from helpers import cri
from helpers.site_run import changed_tasks, elapsed, inventory_host, playbook, ssh, ssh_argv

pytestmark = pytest.mark.vm

VMS = {'cloud-control-plane', 'cloud-cpu-worker-01'}
CONFIG = 'config/examples/cloud.yaml'
TIMES = {}
# Where Debian's docker-registry logs on a host without systemd (its init script); with systemd: the journal.
REGISTRY_LOG = '/var/log/docker-registry.log'
# Where the test's pods log on the VMs (CRI log files).
LOGS = '/var/log/hsw-smoke'
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


def _binary_from_debian(tmp, package, member):
    """A file of a Debian package (apt-get download, dpkg-deb -x): what the test images are built from."""
    subprocess.run(['apt-get', 'download', package], cwd=str(tmp), check=True, capture_output=True)
    deb = next(tmp.glob('%s_*.deb' % package))
    subprocess.run(['dpkg-deb', '-x', str(deb), str(tmp / package)], check=True)
    return tmp / package / member


def _push(tmp, name, files, entrypoint, dest):
    """``podman build`` of a one-layer image FROM scratch holding ``files`` ({path in image: file}), saved as an
    OCI archive and pushed with skopeo over plain HTTP, as docs/kubernetes.md tells users to push images."""
    context = tmp / name
    context.mkdir()
    lines = ['FROM scratch']
    for target, source in sorted(files.items()):
        (context / source.name).write_bytes(source.read_bytes())
        (context / source.name).chmod(0o755)
        lines.append('COPY %s %s' % (source.name, target))
    lines.append('ENTRYPOINT %s' % json.dumps(entrypoint))
    (context / 'Containerfile').write_text('\n'.join(lines) + '\n')
    env = dict(os.environ)
    env.setdefault('CONTAINERS_CONF', str(pathlib.Path(__file__).parents[1] / 'containers.conf'))
    tag = 'localhost/hsw-e2e-%s:latest' % name
    archive = tmp / ('%s.tar' % name)
    for argv in (
        ['podman', 'build', '-q', '-t', tag, str(context)],
        ['podman', 'save', '--format', 'oci-archive', '-o', str(archive), tag],
        ['skopeo', 'copy', '-q', '--dest-tls-verify=false', 'oci-archive:%s' % archive, 'docker://%s' % dest],
    ):
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, (argv, proc.stdout, proc.stderr)


@pytest.fixture(scope='module')
def registry_images(cloud, repo_root, tmp_path_factory):
    """Two images built here from Debian packages and pushed to the cluster's registry on the hypervisor: a
    busybox image under the registry's own name, and a stand-in pause image (Debian's catatonit in pause mode,
    what podman's own pause container runs) where containerd looks for registry.k8s.io/pause:3.10 first."""
    network = inventory_host(repo_root, 'cloud-control-plane', CONFIG)['hyperscaler_cluster']['network']
    registry = '%s:5000' % network['gateway']
    tmp = tmp_path_factory.mktemp('images')
    busybox = _binary_from_debian(tmp, 'busybox-static', 'bin/busybox')
    catatonit = _binary_from_debian(tmp, 'catatonit', 'usr/bin/catatonit')
    images = {'smoke': '%s/hsw/smoke:1' % registry, 'pause': '%s/registry.k8s.io/pause:3.10' % registry}
    _push(tmp, 'smoke', {'/bin/busybox': busybox}, ['/bin/busybox'], images['smoke'])
    _push(tmp, 'pause', {'/pause': catatonit}, ['/pause', '-P'], images['pause'])
    return images


def test_each_node_pulls_from_the_local_registry_and_runs_the_image_over_cri(cloud, repo_root, registry_images):
    """What kubelet asks containerd for, over CRI: each node pulls the image from the registry (plain HTTP, its
    hosts.toml), runs its pod sandbox with the pause image found under registry.k8s.io's name in the registry
    (the mirror), and runs the container to a clean exit."""
    for host in sorted(VMS):
        command = ['/bin/busybox', 'sh', '-c', 'echo smoke-ok; /bin/busybox uname -n']
        with cri.forwarded_socket(ssh_argv(repo_root, host, CONFIG)) as sock:
            with cri.Pod(sock, registry_images['smoke'], command, LOGS) as pod:
                result = pod.wait()
        assert result['state'] == 'CONTAINER_EXITED' and result['exit_code'] == 0, (host, result)
        log = _ssh(repo_root, host, 'sudo cat %s' % result['log_path'])
        assert re.search(r' stdout F smoke-ok$', log.stdout, re.M), (host, log.stdout, log.stderr)
        assert re.search(r' stdout F %s$' % host, log.stdout, re.M), (host, log.stdout)
    # the registry's access log: "<client> - - [time] "HEAD /v2/hsw/smoke/manifests/1 HTTP/1.1" 200 ... containerd/..."
    if os.path.exists(REGISTRY_LOG):
        with open(REGISTRY_LOG, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
    else:
        text = subprocess.run(
            ['journalctl', '-u', 'docker-registry', '-o', 'cat'], capture_output=True, text=True, check=False
        ).stdout
    asked = set(re.findall(r'^(\S+) - - \[[^\]]*\] "(?:HEAD|GET) (/v2/\S+?)(?:\?\S*)? HTTP', text, re.M))
    for host in sorted(VMS):
        address = inventory_host(repo_root, host, CONFIG)['ansible_host']
        for uri in ('/v2/hsw/smoke/manifests/1', '/v2/registry.k8s.io/pause/manifests/3.10'):
            assert (address, uri) in asked, (host, uri, sorted(asked)[-10:])


def test_pods_on_two_nodes_reach_each_other_on_the_bridge_pod_network(cloud, repo_root, registry_images):
    """kubernetes_config.cni: bridge. A pod on the control plane serves HTTP on its pod address (from the control
    plane's /24 of pod_subnet); a pod on the worker (from the worker's /24) fetches from it across the nodes."""
    plane, worker = 'cloud-control-plane', 'cloud-cpu-worker-01'
    subnet = dict(
        (host, '10.244.%s.0/24' % inventory_host(repo_root, host, CONFIG)['ansible_host'].split('.')[-1])
        for host in (plane, worker)
    )
    image = registry_images['smoke']
    serve = ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/etc']
    with cri.forwarded_socket(ssh_argv(repo_root, plane, CONFIG)) as plane_sock:
        with cri.forwarded_socket(ssh_argv(repo_root, worker, CONFIG)) as worker_sock:
            with cri.Pod(plane_sock, image, serve, LOGS, host_network=False, hostname='hsw-server') as server:
                # (busybox-static 1.35's wget crashes with -T in a pod; without it, it waits for the kernel's timeout)
                fetch = ['/bin/busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do /bin/busybox wget -Y off -q -O - '
                         'http://%s:8080/hostname && exit 0; sleep 2; done; exit 1' % server.ip]  # fmt: skip
                with cri.Pod(worker_sock, image, fetch, LOGS, host_network=False) as client:
                    result = client.wait()
    assert ipaddress.ip_address(server.ip) in ipaddress.ip_network(subnet[plane]), (server.ip, subnet)
    assert ipaddress.ip_address(client.ip) in ipaddress.ip_network(subnet[worker]), (client.ip, subnet)
    log = _ssh(repo_root, worker, 'sudo cat %s' % result['log_path'])
    assert result['exit_code'] == 0, (result, log.stdout)
    assert re.search(r' stdout F hsw-server$', log.stdout, re.M), log.stdout


def test_the_nodes_apt_still_works_after_the_failed_step(cloud, repo_root):
    for host in sorted(VMS):
        result = _ssh(repo_root, host, 'ls /etc/apt/sources.list.d/; ls /etc/apt/keyrings/ 2>/dev/null; echo end')
        assert 'kubernetes.sources' not in result.stdout, (host, result.stdout)


def test_make_status_shows_the_cloud_vms_running(cloud, repo_root):
    """`make status CLUSTER=cloud`: lifecycle.yml's status table, one line per VM of the cluster."""
    rc, out, recap = playbook(
        repo_root,
        'playbooks/lifecycle.yml',
        '-e',
        'lifecycle_action=status',
        '-e',
        'cluster=cloud',
        '-e',
        'cluster_config=' + CONFIG,
    )
    assert rc == 0 and recap['localhost'][0] == 0, out[-3000:]
    for host in VMS:
        address = inventory_host(repo_root, host, CONFIG)['ansible_host']
        assert re.search(r'%s\s+cloud\s+running\s+%s\s' % (host, re.escape(address)), out), out[-3000:]


def test_the_rerun_stops_at_the_same_step_and_changes_nothing_before_it(cloud, repo_root):
    rc, out, recap = _site(repo_root, '-v')
    TIMES['rerun site.yml -e cluster=cloud (to the package step)'] = elapsed(out)
    _stopped_at_the_package_step(rc, out, recap)
    assert changed_tasks(out) == [], changed_tasks(out)
    assert all(recap[host][0] == 0 for host in recap), out[-6000:]
    assert out.index(PACKAGE_STEP) > 0
