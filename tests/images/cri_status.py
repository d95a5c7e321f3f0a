"""Ask containerd over CRI (v1 RuntimeService.Status, verbose) what kubelet would ask; print JSON:
{"conditions": {"RuntimeReady": true, "NetworkReady": true}, "config": {...containerd's CRI config...}}.
A stand-in for `crictl info` (not packaged in Debian), built on container-runtime-interface-api's stubs."""

import json
import sys

import grpc
from cri_api.v1 import api_pb2, api_pb2_grpc

SOCKET = sys.argv[1] if len(sys.argv) > 1 else "unix:///run/containerd/containerd.sock"

stub = api_pb2_grpc.RuntimeServiceStub(grpc.insecure_channel(SOCKET))
status = stub.Status(api_pb2.StatusRequest(verbose=True), timeout=10)
version = stub.Version(api_pb2.VersionRequest(), timeout=10)
print(
    json.dumps(
        {
            "runtime": "%s %s" % (version.runtime_name, version.runtime_version),
            "api": version.runtime_api_version,
            "conditions": dict((c.type, c.status) for c in status.status.conditions),
            "reasons": dict((c.type, c.message) for c in status.status.conditions if not c.status),
            "cni_load_status": status.info.get("lastCNILoadStatus"),
            "config": json.loads(status.info.get("config", "{}")),
        }
    )
)
