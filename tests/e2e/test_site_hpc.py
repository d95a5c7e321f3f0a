"""End to end: `ansible-playbook site.yml -e cluster=all` on config/examples/datacenter.yaml, README's default HPC
cluster (config/cluster.yaml's, checked equal by a unit test) plus one services node.

Boots the 3 HPC VMs and the services VM under qemu (TCG here), configures SLURM, PostgreSQL and the object store, runs jobs over SSH (across both
compute nodes, held by a QoS, reading NFS-shared files), checks the secrets on the nodes and in a `-v` run's
output, edits a managed file and sees the one rerun restore only that while every other task on every VM reports
ok, proves `--check` on the converged cluster changes nothing on any VM; then a compute node added to cluster.yaml
boots on the next provision.yml and, removed again, goes with its volumes; `status`, `stop`, a destroy refused
without confirm; and the destroy, after which nothing of the cluster is left while a foreign domain, network and
volume in the collection's pool (made here, not owned by the collection) survive, and a second destroy changes
nothing. Slow
(minutes); `make e2e`. Tests run in file order and share the cluster; the per-phase times go to the test output
(docs/benchmarks.md keeps them). One bring-up, one rerun, one `--check`: each site.yml run costs minutes here.
"""

import base64
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from helpers.site_run import changed_tasks, elapsed, hpc_phase_seconds, inventory_host, playbook
from helpers.site_run import services_phase_seconds
from helpers.site_run import ssh as _ssh

pytestmark = pytest.mark.vm

CONFIG = 'config/examples/datacenter.yaml'
HPC_VMS = {'hpc-controller', 'hpc-compute-01', 'hpc-compute-02'}
SERVICES = 'services-node-01'
VMS = HPC_VMS | {SERVICES}
STATE = pathlib.Path('~/.local/state/hyperscaler-workstation').expanduser()
FOREIGN_DOMAIN = 'hsw-e2e-foreign'
FOREIGN_NETWORK = 'hsw-e2e-foreign-net'
POOL = 'hyperscaler'
FOREIGN_VOLUME = 'hsw-e2e-foreign.img'
ADDED = 'hpc-compute-03'
TIMES = {}


def virsh(*args, check=True):
    return subprocess.run(['virsh', '-c', 'qemu:///system'] + list(args), capture_output=True, text=True, check=check)


def _foreign_objects():
    """A foreign domain (defined, never started) and network, as a user's own would be: no ownership mark."""
    domain = """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os></domain>""" % FOREIGN_DOMAIN
    network = "<network><name>%s</name><bridge name='hsw-e2e-fn0'/></network>" % FOREIGN_NETWORK
    for kind, xml in (('define', domain), ('net-define', network)):
        path = pathlib.Path('/tmp/%s.xml' % kind)
        path.write_text(xml)
        virsh(kind, str(path))


def _remove_foreign_objects():
    """The test's own objects; then the collection's pool too when that leaves it empty (the destroy kept it
    because the foreign volume was in it)."""
    virsh('vol-delete', '--pool', POOL, FOREIGN_VOLUME, check=False)
    listing = virsh('vol-list', POOL, check=False)
    if listing.returncode == 0 and not listing.stdout.strip().splitlines()[2:]:
        virsh('pool-destroy', POOL, check=False)
        virsh('pool-undefine', POOL, check=False)
    virsh('undefine', FOREIGN_DOMAIN, check=False)
    virsh('net-undefine', FOREIGN_NETWORK, check=False)


def site(repo_root, *extra):
    return playbook(repo_root, 'site.yml', '-e', 'cluster=all', '-e', 'cluster_config=' + CONFIG, *extra)


def lifecycle(repo_root, action, *extra):
    return playbook(
        repo_root,
        'playbooks/lifecycle.yml',
        '-e',
        'lifecycle_action=' + action,
        '-e',
        'cluster=all',
        '-e',
        'cluster_config=' + CONFIG,
        *extra,
    )


def _destroy(repo_root):
    return lifecycle(repo_root, 'destroy', '-e', 'confirm=yes')


def _domains(*flags):
    return set(virsh('list', '--name', *flags).stdout.split())


@pytest.fixture(scope='module')
def cluster(repo_root, request):
    _remove_foreign_objects()
    _foreign_objects()
    rc, out, recap = site(repo_root)
    sys.stdout.write(out[-6000:])
    assert rc == 0, out[-8000:]
    TIMES['first site.yml (cold, cached images)'] = elapsed(out)
    TIMES['first HPC configuration'] = hpc_phase_seconds(out)
    TIMES['first services configuration'] = services_phase_seconds(out)
    state = {'destroyed': False}
    yield out, recap, state
    if not state['destroyed']:
        _destroy(repo_root)
    _remove_foreign_objects()
    # Past pytest's capture (a module fixture's teardown runs captured), so every run shows them
    # (docs/benchmarks.md keeps them).
    plugins = request.config.pluginmanager
    with plugins.get_plugin('capturemanager').global_and_fixture_disabled():
        plugins.get_plugin('terminalreporter').write_line('e2e times: %s' % json.dumps(TIMES, sort_keys=True))


def ssh(repo_root, host, command):
    return _ssh(repo_root, host, command, CONFIG)


def test_first_run_reports_the_cluster(cluster):
    out, recap, _state = cluster
    assert VMS <= set(recap)
    assert all(counts[1] == 0 and counts[2] == 0 for counts in recap.values())
    assert 'ssh -i' in out and 'ops@192.168.150.10' in out
    assert 'smoke job (srun hostname): hpc-compute-01, hpc-compute-02' in out
    assert re.search(r'batch\*\s+up\s+.*\bidle hpc-compute-\[01-02\]', out), out[-3000:]
    assert 'Object store (S3): http://192.168.170.10:8080 (credentials: %s/services/object-store-admin.credentials)' % (
        STATE
    ) in ' '.join(out.split()), out[-3000:]


def test_guests_run_debian_13_and_slurm_24_11(cluster, repo_root):
    for host in sorted(HPC_VMS):
        result = ssh(repo_root, host, '. /etc/os-release && echo $VERSION_CODENAME && sinfo --version')
        assert result.returncode == 0, result.stderr
        codename, slurm, version = result.stdout.split()
        # Debian's build names itself slurm-wlm ("slurm-wlm 24.11.5")
        assert (codename, slurm) == ('trixie', 'slurm-wlm'), result.stdout
        assert version.startswith('24.11.'), result.stdout


def test_each_root_file_system_grew_to_the_vms_disk_gb(cluster, repo_root):
    for host in sorted(VMS):
        disk_gb = inventory_host(repo_root, host, CONFIG)['hyperscaler_node']['disk_gb']
        result = ssh(repo_root, host, 'findmnt --bytes --noheadings --output SIZE /')
        assert result.returncode == 0, result.stderr
        # ext4's own metadata takes a few percent of the disk
        assert int(result.stdout) > 0.9 * disk_gb * 2**30, (host, result.stdout, disk_gb)


def test_jobs_run_on_every_compute_node(cluster, repo_root):
    result = ssh(repo_root, 'hpc-controller', 'srun -N2 hostname | sort')
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['hpc-compute-01', 'hpc-compute-02']
    job = ssh(
        repo_root,
        'hpc-controller',
        'sbatch --wait --wrap "hostname" -o /tmp/e2e-%j.out && sacct -n -X -o State --starttime now-1hour | tail -1',
    )
    assert job.returncode == 0, job.stderr
    assert 'COMPLETED' in job.stdout


def test_a_job_over_its_qos_wall_time_is_held_with_slurms_reason(cluster, repo_root):
    # config/cluster.yaml: QoS high has max_wall 00:30:00.
    submit = ssh(repo_root, 'hpc-controller', 'sbatch --parsable --qos=high --time=01:00:00 --wrap "sleep 1"')
    assert submit.returncode == 0, submit.stderr
    job = submit.stdout.strip().split(';')[0]
    wait = (
        'for i in $(seq 30); do s=$(squeue -h -j %s -o "%%T %%r %%q"); '
        'case "$s" in *QOSMax*) break ;; esac; sleep 1; done; echo "$s"; scancel %s' % (job, job)
    )
    state = ssh(repo_root, 'hpc-controller', wait)
    assert state.stdout.split() == ['PENDING', 'QOSMaxWallDurationPerJobLimit', 'high'], state.stdout + state.stderr


def test_home_is_shared_over_nfs_between_compute_nodes(cluster, repo_root):
    token = 'nfs-%d' % os.getpid()
    write = ssh(repo_root, 'hpc-compute-01', 'echo %s > ~/e2e-nfs-check' % token)
    assert write.returncode == 0, write.stderr
    read = ssh(repo_root, 'hpc-compute-02', 'cat ~/e2e-nfs-check && findmnt -n -o FSTYPE --target ~')
    assert read.returncode == 0, read.stderr
    assert read.stdout.split() == [token, 'nfs4'], read.stdout


def test_cluster_users_have_one_uid_on_every_node(cluster, repo_root):
    # config/cluster.yaml: users[0] is alice, uid 2001.
    for host in sorted(HPC_VMS):
        result = ssh(repo_root, host, 'id alice')
        assert result.stdout.startswith('uid=2001(alice) gid=2001(alice)'), (host, result.stdout + result.stderr)


def as_alice(repo_root, command, host='hpc-controller'):
    """A login shell of the cluster.yaml user alice in her (NFS) home: Lmod's `module` is there."""
    return ssh(repo_root, host, 'sudo -u alice bash -lc %s' % shlex.quote('cd ~ && ' + command))


def test_an_mpi_program_built_on_the_login_node_runs_across_both_compute_nodes(cluster, repo_root):
    example = repo_root / 'examples' / 'slurm'
    copy = ' && '.join(
        'echo %s | base64 -d > %s' % (base64.b64encode((example / name).read_bytes()).decode(), name)
        for name in ('mpi_hello.c', 'mpi_hello.sbatch')
    )
    # As examples/slurm/README.md tells a user: module load, mpicc, sbatch (2 nodes, srun through PMIx).
    build = as_alice(
        repo_root,
        copy + ' && module load openmpi && mpicc -O2 -o mpi_hello mpi_hello.c && sbatch --parsable --wait '
        'mpi_hello.sbatch',
    )
    assert build.returncode == 0, build.stdout + build.stderr
    job = build.stdout.split()[-1].split(';')[0]
    output = as_alice(repo_root, 'cat mpi_hello-%s.out' % job)
    hellos = sorted(line for line in output.stdout.splitlines() if line.startswith('hello'))
    assert hellos == [
        'hello from rank 0 of 2 on hpc-compute-01 (sum of ranks 1)',
        'hello from rank 1 of 2 on hpc-compute-02 (sum of ranks 1)',
    ], (
        output.stdout + output.stderr
    )
    acct = ssh(repo_root, 'hpc-controller', 'sacct -n -X -P -j %s -o State,NNodes,User' % job)
    assert acct.stdout.split() == ['COMPLETED|2|alice'], acct.stdout + acct.stderr


def test_users_reach_a_compute_node_only_while_their_job_runs_there(cluster, repo_root):
    node = inventory_host(repo_root, 'hpc-compute-01', CONFIG)['ansible_host']
    login = (
        'ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR %s ' % node
    )
    # Alice's own key in her NFS home, as on any cluster: she may log in to nodes that run her jobs.
    keys = as_alice(
        repo_root,
        'mkdir -p -m 0700 .ssh && { test -f .ssh/id_ed25519 || ssh-keygen -q -t ed25519 -N "" -f .ssh/id_ed25519; }'
        ' && cat .ssh/id_ed25519.pub >> .ssh/authorized_keys && chmod 0600 .ssh/authorized_keys',
    )
    assert keys.returncode == 0, keys.stderr
    denied = as_alice(repo_root, login + 'true')
    assert denied.returncode == 255, denied.stdout + denied.stderr
    # The automation's account is exempt (every ssh() of this file is one), so Ansible still gets in.
    assert ssh(repo_root, 'hpc-compute-01', 'true').returncode == 0
    submit = as_alice(repo_root, 'sbatch --parsable -w hpc-compute-01 -t 5 -o /dev/null --wrap "sleep 300"')
    assert submit.returncode == 0, submit.stderr
    job = submit.stdout.strip().split(';')[0]
    try:
        running = ssh(
            repo_root,
            'hpc-controller',
            'for i in $(seq 60); do s=$(squeue -h -j %s -o %%T); [ "$s" = RUNNING ] && break; sleep 1; done; echo $s'
            % job,
        )
        assert running.stdout.strip() == 'RUNNING', running.stdout
        inside = as_alice(repo_root, login + 'cat /proc/self/cgroup')
        assert inside.returncode == 0, inside.stderr
        # pam_slurm_adopt put the session into the job's extern step.
        assert 'job_%s/step_extern' % job in inside.stdout, inside.stdout
    finally:
        # As root: the automation's account is no Slurm operator, and a job left running holds the node for the
        # rerun's smoke job (it waited 160 s for it once).
        cancel = ssh(repo_root, 'hpc-controller', 'sudo scancel %s' % job)
        assert cancel.returncode == 0 and not cancel.stderr, cancel.stderr


def test_secrets_are_private_on_the_nodes(cluster, repo_root):
    modes = ssh(repo_root, 'hpc-controller', 'sudo stat -c "%n %a %U" /etc/munge/munge.key /etc/slurm/slurmdbd.conf')
    assert modes.returncode == 0, modes.stderr
    assert modes.stdout.split('\n')[:2] == ['/etc/munge/munge.key 400 munge', '/etc/slurm/slurmdbd.conf 600 slurm']
    for host in ('hpc-compute-01', 'hpc-compute-02'):
        key = ssh(repo_root, host, 'sudo stat -c "%a %U" /etc/munge/munge.key')
        assert key.stdout.strip() == '400 munge', key.stdout + key.stderr


def test_the_services_node_sits_on_its_network_and_the_hpc_one_and_does_not_forward(cluster, repo_root):
    result = ssh(
        repo_root, SERVICES, 'ip -4 -o addr show scope global; ip route show default; cat /proc/sys/net/ipv4/ip_forward'
    )
    assert result.returncode == 0, result.stderr
    addresses = sorted(re.findall(r'inet (\S+)', result.stdout))
    assert addresses == ['192.168.150.254/24', '192.168.170.10/24'], result.stdout
    assert 'via 192.168.170.1' in result.stdout and result.stdout.split()[-1] == '0', result.stdout


def test_an_hpc_node_reaches_the_object_store_on_its_own_network_only(cluster, repo_root):
    probe = (
        "python3 -c 'import sys, urllib.request\n"
        "for url in sys.argv[1:]:\n"
        "    try: print(urllib.request.urlopen(url, timeout=5).read().decode())\n"
        "    except OSError as exc: print(\"refused\", type(exc).__name__)' "
        'http://services-node-01:8080/healthcheck http://192.168.170.10:8080/healthcheck'
    )
    result = ssh(repo_root, 'hpc-compute-01', probe)
    assert result.returncode == 0, result.stderr
    # By its DNS name on the HPC network; the services network's address is not routed from the cluster.
    lines = result.stdout.split('\n')
    assert lines[0] == 'OK' and lines[1].startswith('refused'), result.stdout


def test_s3_round_trip_from_the_hypervisor_with_the_generated_credentials(cluster):
    import boto3
    from botocore.config import Config

    os.environ['AWS_SHARED_CREDENTIALS_FILE'] = str(STATE / 'services' / 'object-store-admin.credentials')
    config = Config(
        s3={'addressing_style': 'path'},
        request_checksum_calculation='when_required',
        response_checksum_validation='when_required',
    )
    s3 = boto3.client('s3', endpoint_url='http://192.168.170.10:8080', region_name='us-east-1', config=config)
    assert sorted(b['Name'] for b in s3.list_buckets()['Buckets']) == ['datasets', 'mlflow-artifacts']
    body = b'e2e %d\n' % os.getpid()
    s3.put_object(Bucket='datasets', Key='e2e.txt', Body=body)
    assert s3.get_object(Bucket='datasets', Key='e2e.txt')['Body'].read() == body


def test_postgresql_serves_the_mlflow_databases_and_is_backed_up(cluster, repo_root):
    password = (STATE / 'services' / 'postgresql-mlflow.password').read_text().strip()
    result = ssh(
        repo_root,
        SERVICES,
        'PGPASSWORD=%s psql -XtAq -h 192.168.170.10 -U mlflow -d mlflow -c "select current_user"; '
        'sudo runuser -u postgres -- pgbackrest --stanza=main --output=json info; echo; '
        'systemctl is-enabled hsw-pgbackrest.timer' % shlex.quote(password),
    )
    assert result.returncode == 0, result.stderr
    login, info, timer = result.stdout.strip().split('\n')
    assert login == 'mlflow' and timer == 'enabled', result.stdout
    backups = json.loads(info)[0]['backup']
    assert [b['type'] for b in backups] == ['full'], info


def test_the_rerun_restores_an_edited_file_and_changes_nothing_else_on_any_vm(cluster, repo_root):
    """The one rerun: a file edited by hand on a node is restored (only its task changes, restarting slurmd);
    every other task on every VM reports ok. The --check run below then proves the cluster converged."""
    edit = ssh(repo_root, 'hpc-compute-01', 'echo "# edited by hand" | sudo tee -a /etc/slurm/cgroup.conf >/dev/null')
    assert edit.returncode == 0, edit.stderr
    rc, out, recap = site(repo_root, '-v')
    assert rc == 0, out[-8000:]
    assert VMS <= set(recap), out[-3000:]
    # One task: it rewrote cgroup.conf and restarted slurmd in the same call (its result says so).
    changed = changed_tasks(out)
    task = "hyperscaler.workstation.slurm_compute : Write the node's SLURM configuration, job hooks and PAM stack"
    assert changed == [(task + '; keep slurmd running', 'hpc-compute-01')], changed
    assert '/etc/slurm/cgroup.conf' in out and re.search(r'actions:\s*\n\s*- restart\n', out), out[-8000:]
    assert {host: counts[0] for host, counts in recap.items()} == dict.fromkeys(set(recap), 0) | {
        'hpc-compute-01': 1
    }, out[-8000:]
    restored = ssh(repo_root, 'hpc-compute-01', 'grep -c "edited by hand" /etc/slurm/cgroup.conf')
    assert restored.stdout.strip() == '0'
    TIMES['rerun site.yml (one file restored)'] = elapsed(out)
    TIMES['rerun HPC phase'] = hpc_phase_seconds(out)
    TIMES['rerun services phase'] = services_phase_seconds(out)
    TIMES['rerun / first HPC configuration'] = round(elapsed(out) / TIMES['first HPC configuration'], 3)
    TIMES['rerun HPC phase / first HPC configuration'] = round(
        TIMES['rerun HPC phase'] / TIMES['first HPC configuration'], 3
    )
    TIMES['rerun / first services configuration'] = round(
        TIMES['rerun services phase'] / TIMES['first services configuration'], 3
    )
    # The passwords and keys are in files on the Ansible controller; none appears in a -v run's output.
    secret_files = [STATE / 'hpc' / 'slurmdbd.password'] + [
        STATE / 'services' / name
        for name in (
            'postgresql-mlflow.password',
            'postgresql-mlflow_auth.password',
            'object-store-admin.key',
            'object-store-hash-prefix',
            'object-store-hash-suffix',
        )
    ]
    for path in secret_files:
        assert path.stat().st_mode & 0o777 == 0o600, path
        assert path.read_text().strip() not in out, path


def test_check_mode_on_the_converged_cluster_changes_nothing_on_any_vm(cluster, repo_root):
    rc, out, recap = site(repo_root, '--check')
    assert rc == 0, out[-8000:]
    assert VMS <= set(recap), out[-3000:]
    assert all(recap[host][0] == 0 for host in recap), out[-8000:]
    TIMES['--check site.yml'] = elapsed(out)


def test_a_compute_node_added_to_cluster_yaml_boots_and_removed_goes_with_its_volumes(cluster, repo_root, tmp_path):
    doc = yaml.safe_load((repo_root / CONFIG).read_text())
    doc['clusters']['hpc']['compute_nodes'].append(
        {'cpu_cores': 1, 'memory_gb': 1, 'disk_gb': 6, 'ip': '192.168.150.13'}
    )
    grown = tmp_path / 'datacenter.yaml'
    grown.write_text(yaml.safe_dump(doc, sort_keys=False))
    provision = ('playbooks/provision.yml', '-e', 'cluster=hpc', '-e')
    rc, out, recap = playbook(repo_root, *provision, 'cluster_config=%s' % grown)
    assert rc == 0, out[-6000:]
    # (the changes are the hypervisor's: the new VM itself only answers)
    assert recap['localhost'][0] > 0 and ADDED in recap and ADDED in _domains(), out[-6000:]
    TIMES['provision.yml, a compute node added'] = elapsed(out)

    rc, out, recap = playbook(repo_root, *provision, 'cluster_config=' + CONFIG)
    assert rc == 0, out[-6000:]
    assert ADDED not in _domains('--all') and VMS <= _domains(), out[-6000:]
    virsh('pool-refresh', POOL)
    volumes = virsh('vol-list', POOL).stdout
    assert ADDED not in volumes, volumes
    TIMES['provision.yml, the node removed'] = elapsed(out)


def test_status_stop_and_a_destroy_without_confirm_keep_every_vm(cluster, repo_root):
    rc, out, _recap = lifecycle(repo_root, 'status')
    assert rc == 0 and all(name in out for name in VMS) and 'running' in out, out[-4000:]
    rc, out, _recap = lifecycle(repo_root, 'stop')
    assert rc == 0, out[-4000:]
    assert not VMS & _domains(), _domains()
    TIMES['lifecycle stop'] = elapsed(out)
    rc, out, recap = lifecycle(repo_root, 'destroy')
    assert rc != 0 and 'confirm=yes' in out, out[-4000:]
    assert all(counts[0] == 0 for counts in recap.values()), recap
    assert VMS <= _domains('--all')


def test_destroy_leaves_nothing_of_the_cluster_and_keeps_foreign_objects(cluster, repo_root):
    _out, _recap, state = cluster
    virsh('vol-create-as', POOL, FOREIGN_VOLUME, '1M', '--format', 'raw')
    rc, out, _recap = _destroy(repo_root)
    state['destroyed'] = True
    assert rc == 0, out[-4000:]
    domains = _domains('--all')
    networks = virsh('net-list', '--all', '--name').stdout.split()
    assert not VMS & domains, domains
    assert 'hyperscaler-hpc' not in networks and 'hyperscaler-services' not in networks, networks
    assert FOREIGN_NETWORK in networks, networks
    assert FOREIGN_DOMAIN in domains, domains
    virsh('pool-refresh', POOL)
    volumes = virsh('vol-list', POOL).stdout
    assert FOREIGN_VOLUME in volumes and not [name for name in VMS if name in volumes], volumes

    rc, out, recap = _destroy(repo_root)
    assert rc == 0 and all(counts[0] == 0 for counts in recap.values()), out[-4000:]
