"""What kubelet does to run a container, done from the test's side over CRI v1 (container-runtime-interface-api's
gRPC stubs; crictl is not packaged in Debian): pull an image, run a pod sandbox (host network: no CNI yet),
create and start a container in it, wait until it exits, remove the sandbox.

The VM's containerd socket is reached over SSH: a unix socket here, each connection to it carried by an ``ssh
VM sudo socat STDIO UNIX-CONNECT:/run/containerd/containerd.sock`` (socat is in the cloud-node image; kubelet's
port-forward uses it). The calls are real CRI calls to the real containerd on the VM."""

import contextlib
import os
import socketserver
import subprocess
import tempfile
import threading
import time
import uuid

import grpc
from cri_api.v1 import api_pb2, api_pb2_grpc

CONTAINERD_SOCKET = '/run/containerd/containerd.sock'


def _pump(read, write):
    try:
        while True:
            data = read()
            if not data:
                break
            write(data)
    except OSError:
        pass


@contextlib.contextmanager
def forwarded_socket(ssh_argv, remote=CONTAINERD_SOCKET):
    """A local unix socket path whose connections reach ``remote`` on the host ``ssh_argv`` logs in to."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            proc = subprocess.Popen(
                list(ssh_argv) + ['sudo', 'socat', 'STDIO', 'UNIX-CONNECT:%s' % remote],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
            )

            def to_remote(data):
                proc.stdin.write(data)

            back = threading.Thread(
                target=_pump, args=(lambda: os.read(proc.stdout.fileno(), 65536), self.request.sendall), daemon=True
            )
            back.start()
            _pump(lambda: self.request.recv(65536), to_remote)
            proc.stdin.close()
            back.join(5)
            proc.kill()
            proc.wait()

    with tempfile.TemporaryDirectory(prefix='hsw-cri-') as tmp:
        path = os.path.join(tmp, 'cri.sock')
        server = socketserver.ThreadingUnixStreamServer(path, Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield path
        finally:
            server.shutdown()
            server.server_close()


class Pod(object):
    """One pod as kubelet runs it: the image pulled, a sandbox (the node's network namespace, or its own on the
    pod network), one container started in it. A context manager: the sandbox is removed on exit; the image
    stays. ``ip`` is the sandbox's pod address (None on the node's network)."""

    def __init__(self, socket_path, image, command, log_directory, host_network=True, hostname='', timeout=300):
        self.image, self.command, self.timeout = image, list(command), timeout
        self.channel = grpc.insecure_channel('unix://' + socket_path)
        self.runtime = api_pb2_grpc.RuntimeServiceStub(self.channel)
        self.images = api_pb2_grpc.ImageServiceStub(self.channel)
        name = 'hsw-smoke-%s' % uuid.uuid4().hex[:8]
        network = api_pb2.NODE if host_network else api_pb2.POD
        self.sandbox = api_pb2.PodSandboxConfig(
            metadata=api_pb2.PodSandboxMetadata(name=name, namespace='hsw-smoke', uid=uuid.uuid4().hex, attempt=0),
            hostname=hostname,
            log_directory='%s/%s' % (log_directory.rstrip('/'), name),
            linux=api_pb2.LinuxPodSandboxConfig(
                cgroup_parent='system.slice',
                security_context=api_pb2.LinuxSandboxSecurityContext(
                    namespace_options=api_pb2.NamespaceOption(network=network)
                ),
            ),
        )
        self.sandbox_id = self.container_id = self.ip = self.image_ref = None

    def __enter__(self):
        pulled = self.images.PullImage(
            api_pb2.PullImageRequest(image=api_pb2.ImageSpec(image=self.image)), timeout=self.timeout
        )
        self.image_ref = pulled.image_ref
        self.sandbox_id = self.runtime.RunPodSandbox(
            api_pb2.RunPodSandboxRequest(config=self.sandbox), timeout=self.timeout
        ).pod_sandbox_id
        status = self.runtime.PodSandboxStatus(
            api_pb2.PodSandboxStatusRequest(pod_sandbox_id=self.sandbox_id), timeout=self.timeout
        ).status
        self.ip = status.network.ip or None
        container = api_pb2.ContainerConfig(
            metadata=api_pb2.ContainerMetadata(name='smoke', attempt=0),
            image=api_pb2.ImageSpec(image=self.image),
            command=self.command,
            log_path='smoke.log',
        )
        self.container_id = self.runtime.CreateContainer(
            api_pb2.CreateContainerRequest(
                pod_sandbox_id=self.sandbox_id, config=container, sandbox_config=self.sandbox
            ),
            timeout=self.timeout,
        ).container_id
        self.runtime.StartContainer(api_pb2.StartContainerRequest(container_id=self.container_id), timeout=self.timeout)
        return self

    def wait(self):
        """Until the container exits (or the timeout): ``{state, exit_code, log_path, image_ref, ip}``."""
        deadline = time.monotonic() + self.timeout
        while True:
            status = self.runtime.ContainerStatus(
                api_pb2.ContainerStatusRequest(container_id=self.container_id), timeout=self.timeout
            ).status
            if status.state == api_pb2.CONTAINER_EXITED or time.monotonic() > deadline:
                break
            time.sleep(1)
        return {
            'state': api_pb2.ContainerState.Name(status.state),
            'exit_code': status.exit_code,
            'log_path': status.log_path,
            'image_ref': self.image_ref,
            'ip': self.ip,
        }

    def __exit__(self, *exc):
        if self.sandbox_id:
            self.runtime.StopPodSandbox(
                api_pb2.StopPodSandboxRequest(pod_sandbox_id=self.sandbox_id), timeout=self.timeout
            )
            self.runtime.RemovePodSandbox(
                api_pb2.RemovePodSandboxRequest(pod_sandbox_id=self.sandbox_id), timeout=self.timeout
            )
        self.channel.close()
        return False
