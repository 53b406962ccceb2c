"""`make serve` for real, once per module: two replicas and HAProxy on free loopback ports.

Where HAProxy is missing (a laptop), these tests are skipped with the install command; in CI (CI=true),
where .ci/run installs it, a missing HAProxy is a failure instead.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy import serve

ROOT = Path(__file__).resolve().parents[2]
START = 240.0  # seconds for two replicas to start on a busy 2-core machine


def pytest_collection_modifyitems(config, items):
    """Skip the tests that run HAProxy where it is missing (fail in CI instead)."""
    if serve.haproxy_path() is not None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI=true but HAProxy is missing; {serve.INSTALL_HINT}")
    here = Path(__file__).parent
    for item in items:
        ours = Path(str(item.fspath)).is_relative_to(here)
        if ours and {"haproxy", "deployment"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=f"HAProxy not found; {serve.INSTALL_HINT}"))


@pytest.fixture(scope="session")
def haproxy() -> str:
    return serve.haproxy_path()


@dataclass
class Deployed:
    """A running `deploy/serve.py up`: its url, state folder (pids, config, socket) and supervisor."""

    url: str
    state: Path
    supervisor: subprocess.Popen

    def pids(self) -> dict:
        return json.loads((self.state / "pids.json").read_text())

    def status(self) -> dict[str, str]:
        """Each server's state in HAProxy's own eyes (UP, DOWN, ...), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.state / "haproxy.sock"))
            s.sendall(b"show stat\n")
            text = b"".join(iter(lambda: s.recv(65536), b"")).decode()
        rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
        return {row[1]: row[17].split()[0] for row in rows if row[0] == "streamlit"}

    def wait_for(self, server: str, state: str, timeout: float) -> float:
        """Seconds until HAProxy reports `server` in `state`; fails after `timeout`."""
        start = time.monotonic()
        while self.status().get(server) != state:
            assert time.monotonic() - start < timeout, f"{server} not {state} within {timeout} s: {self.status()}"
            time.sleep(0.1)
        return time.monotonic() - start


answers = serve.healthy  # the supervisor's own check: 200 within 2 s


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """`deploy/serve.py up --replicas 2` (what `make serve REPLICAS=2` runs) on a free port, its state in
    a temporary folder; stopped by pid at the end whatever the tests did."""
    state = tmp_path_factory.mktemp("serve")
    port = serve.free_port()
    cmd = [sys.executable, "deploy/serve.py", "up", "--replicas", "2", "--port", str(port), "--state", str(state)]
    with (state / "supervisor.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deployed = Deployed(f"http://127.0.0.1:{port}", state, proc)
    deadline = time.monotonic() + START
    while not ((state / "pids.json").exists() and deployed.pids()["haproxy"] and answers(deployed.url + "/")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"make serve did not start: {(state / 'supervisor.log').read_text()[-3000:]}")
        time.sleep(0.2)
    yield deployed
    subprocess.run([sys.executable, "deploy/serve.py", "stop", "--state", str(state)], cwd=ROOT, timeout=60)
    proc.wait(30)
