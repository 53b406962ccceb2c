"""The real server: cold start to a rendered home page in headless Chromium, and its memory.

`streamlit run app.py` on 127.0.0.1 and Debian's Chromium through Playwright. Memory is the server
process's resident set (VmRSS in /proc, Linux), read after every page was opened once, and again
after 10 more browser sessions each opened the GPT page.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["convolution", "rnn", "transformer", "gpt", "density"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install it with: sudo apt-get install -y chromium"
SESSIONS = 10
NOT_RUNNING = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def chromium_path() -> str | None:
    return os.environ.get("UNROLLED_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(port: int, env: dict | None = None, output=subprocess.DEVNULL) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port (output: where its stdout and stderr go)."""
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1"]
    cmd += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT)


def wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 60) -> None:
    """Return once /_stcore/health answers; if the server exits or stays silent, say so and stop it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = proc.stdout.read().decode(errors="replace")[-2000:] if proc.stdout else ""
            raise RuntimeError(f"streamlit exited during start-up: {said}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def open_rendered(page, url: str, timeout_ms: int = 120_000) -> None:
    """Load `url` and wait until the page title is drawn and no script run is in progress."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_function(NOT_RUNNING, timeout=timeout_ms)


def _sessions(n: int) -> str:
    return "one session" if n == 1 else f"mean of {n} sessions"


def _opened(explainers: list[str]) -> str:
    return f"{len(explainers)} explainers" if len(explainers) > 1 else f"1 explainer ({explainers[0]})"


def run(quick: bool) -> list[Row]:
    executable = chromium_path()
    if executable is None:
        note = f"Chromium not found; {INSTALL_HINT}"
        return [Row(name, 0.0, "skipped", note=note) for name in ("cold_start_s", "server_rss_mb", "session_rss_mb")]
    from playwright.sync_api import sync_playwright

    sessions = 1 if quick else SESSIONS
    explainers = PAGES[:1] if quick else PAGES  # --quick: the machinery, not every model loaded
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context()
        page = context.new_page()
        start = time.perf_counter()
        proc = launch(port)
        try:
            wait_healthy(proc, port)
            open_rendered(page, url)
            cold = time.perf_counter() - start
            for name in explainers:
                open_rendered(page, f"{url}/{name}")
            server = rss_mb(proc.pid)
            others = []
            for _ in range(sessions):
                ctx = browser.new_context()
                open_rendered(ctx.new_page(), f"{url}/gpt")
                others.append(ctx)
            per_session = (rss_mb(proc.pid) - server) / sessions
            for ctx in others:
                ctx.close()
        finally:
            proc.terminate()
            proc.wait(10)
            browser.close()
    return [
        Row(
            "cold_start_s",
            cold,
            "s",
            note="`streamlit run app.py` launched to the home page drawn and idle in headless Chromium",
        ),
        Row("server_rss_mb", server, "MB", note=f"server resident memory after home and {_opened(explainers)}"),
        Row(
            "session_rss_mb",
            per_session,
            "MB",
            note=f"server memory added per extra browser session opening the GPT page; {_sessions(sessions)}",
        ),
    ]
