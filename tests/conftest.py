"""Shared test fixtures: data that comes from a Debian package is skipped (with the install command) if absent."""

import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.serve import free_port, launch, wait_healthy
from engine.translator.data.ding import DING_PATH

LOGS = Path(__file__).resolve().parents[1] / "build"  # one e2e-server-PORT.log per server started


@pytest.fixture
def needs_ding():
    """The Ding dictionary from Debian's trans-de-en; CI (CI=true) installs it and must have it."""
    if not DING_PATH.is_file():
        message = "the Ding dictionary is missing; install it with: sudo apt-get install -y trans-de-en"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def start_server(port: int, env: dict | None = None) -> subprocess.Popen:
    """`streamlit run app.py` bound to loopback, its output in `log` (a file never fills up and blocks
    the server, as an undrained pipe would); returns once /_stcore/health answers."""
    log = LOGS / f"e2e-server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = launch(port, env, output=out)
    try:
        wait_healthy(proc, port)
    except RuntimeError as err:
        raise RuntimeError(f"{err}\n{log.read_text(errors='replace')[-2000:]}") from None
    return proc


@pytest.fixture(scope="session")
def app_server():
    """One `streamlit run app.py` for the whole session, (url, process): the browser tests and the
    load test share it, so its models are loaded once."""
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}", proc
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
