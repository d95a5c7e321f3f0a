"""The container test harness: the offline base image boots systemd under podman.

Run: CONTAINERS_CONF=tests/containers.conf .venv/bin/pytest -m containers tests/integration/test_container_harness.py
Builds localhost/hyperscaler-base with tests/images/build-base.sh --base-only when it is missing
(needs root, debootstrap and deb.debian.org), and skips with a reason when podman is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "tests" / "images" / "build-base.sh"
CONTAINERS_CONF = REPO / "tests" / "containers.conf"

pytestmark = [
    pytest.mark.containers,
    pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed"),
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    return env


def _podman(*args: str, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], env=_env(), capture_output=True, text=True, check=check, timeout=timeout)


def _build(*args: str) -> tuple[str, float]:
    start = time.monotonic()
    proc = subprocess.run(
        [str(BUILD), "--base-only", *args], env=_env(), capture_output=True, text=True, timeout=1800, check=False
    )
    if proc.returncode != 0:
        pytest.fail("build-base.sh failed:\n%s" % proc.stderr[-3000:])
    return proc.stdout.strip().splitlines()[-1], time.monotonic() - start


@pytest.fixture(scope="module")
def base_image() -> str:
    if (
        os.geteuid() != 0
        and not _podman("image", "exists", "localhost/hyperscaler-base:latest", check=False).returncode == 0
    ):
        pytest.skip("building the base image needs root (debootstrap); run tests/images/build-base.sh as root")
    if (
        shutil.which("debootstrap") is None
        and _podman("image", "exists", "localhost/hyperscaler-base:latest", check=False).returncode != 0
    ):
        pytest.skip("debootstrap is not installed and the base image is absent")
    tag = _build()[0]
    return tag


def test_build_is_cached_by_input_hash(base_image: str) -> None:
    tag, seconds = _build()
    assert tag == base_image, "the same inputs must give the same tag"
    assert tag.startswith("localhost/hyperscaler-base:")
    assert seconds < 30, "a present image must not be rebuilt (took %.1fs)" % seconds
    assert _podman("image", "exists", "localhost/hyperscaler-base:latest", check=False).returncode == 0


def test_container_boots_systemd_and_answers(base_image: str) -> None:
    name = "hsw-harness-%s" % uuid.uuid4().hex[:8]
    _podman("run", "--detach", "--privileged", "--systemd=always", "--name", name, "--hostname", name, base_image)
    try:
        # Right after start systemd's bus may not exist yet ("Failed to connect to bus"): retry until it answers.
        deadline = time.monotonic() + 90
        state = ""
        while time.monotonic() < deadline:
            state = _podman(
                "exec", name, "timeout", "60", "systemctl", "is-system-running", "--wait", check=False, timeout=90
            ).stdout.strip()
            if state not in ("", "offline", "unknown"):
                break
            time.sleep(0.5)
        assert state in ("running", "degraded"), "systemd state: %r" % state
        pid1 = _podman("exec", name, "cat", "/proc/1/comm").stdout.strip()
        assert pid1 == "systemd"
        py = _podman("exec", name, "python3", "-c", "import apt, sys; print(sys.version_info[0])").stdout.strip()
        assert py == "3", "python3 with python3-apt is what Ansible needs"
        hostname = _podman("exec", name, "hostname").stdout.strip()
        assert hostname == name
    finally:
        _podman("rm", "--force", "--time", "2", name, check=False)
