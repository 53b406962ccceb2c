"""make serve: the rendered HAProxy config, then a real start with two replicas behind the sticky proxy.

The deployment is started once for the module (tests/deploy/conftest.py) and the tests run in file
order: a learner's upload and CSV download through the proxy (and what breaks without the sticky
cookie), a short load, a hung and a killed replica, and `stop` last.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.load import recorded_pids, run_load
from deploy import serve
from tests.deploy.conftest import ROOT, answers
from tests.deploy.protocol import Learner, noise_png, request

SCORE_MAP = "Score map, every class (CSV)"


def test_the_rendered_config_passes_haproxy_check_and_says_what_the_issue_asks(haproxy, tmp_path):
    config = tmp_path / "haproxy.cfg"
    servers = [("app1", "127.0.0.1:8611"), ("app2", "127.0.0.1:8612")]
    config.write_text(serve.render("127.0.0.1:8610", servers, stats=tmp_path / "haproxy.sock"))
    serve.check_config(haproxy, config)
    lines = [line.split("#")[0].strip() for line in config.read_text().splitlines()]
    assert "balance leastconn" in lines
    assert 'cookie SERVERID insert indirect nocache httponly attr "SameSite=Lax"' in lines
    assert "option httpchk GET /_stcore/health" in lines
    assert "timeout tunnel 4h" in lines
    assert "server app1 127.0.0.1:8611 check cookie app1" in lines


def test_with_a_certificate_haproxy_serves_https(haproxy, tmp_path):
    key, crt = tmp_path / "key.pem", tmp_path / "crt.pem"
    request_cert = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=a.test"]
    subprocess.run([*request_cert, "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    pem = tmp_path / "unrolled.pem"
    pem.write_bytes(crt.read_bytes() + key.read_bytes())
    config = tmp_path / "haproxy.cfg"
    config.write_text(serve.render(serve.bind_line("0.0.0.0", 8443, pem), [("app1", "127.0.0.1:8611")]))
    serve.check_config(haproxy, config)  # HAProxy loads the certificate and key while checking
    assert f"bind 0.0.0.0:8443 ssl crt {pem} alpn http/1.1" in config.read_text()


def test_a_config_haproxy_refuses_is_never_started(haproxy, tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(serve.render("127.0.0.1:8610", [("app1", "127.0.0.1:8611")]).replace("leastconn", "fewest"))
    with pytest.raises(RuntimeError, match="haproxy -c"):
        serve.check_config(haproxy, config)


def test_the_compose_config_is_the_template_rendered_and_passes_haproxy_check(haproxy):
    committed = ROOT / "deploy" / "haproxy-compose.cfg"
    assert committed.read_text() == serve.render_compose(3)  # regenerate: python deploy/serve.py render --compose 3
    serve.check_config(haproxy, committed)  # app1..app3 do not resolve here: HAProxy starts them disabled


def test_the_cookie_secret_is_made_once_and_readable_by_its_owner_only(tmp_path):
    first = serve.cookie_secret(tmp_path)
    assert len(first) == 64 and serve.cookie_secret(tmp_path) == first
    assert (tmp_path / "cookie_secret").stat().st_mode & 0o777 == 0o600


def test_without_haproxy_make_serve_says_how_to_install_it_and_fails(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(serve, "haproxy_path", lambda: None)
    assert serve.up(2, "127.0.0.1", serve.free_port(), tmp_path) != 0
    assert "apt-get install -y haproxy" in capsys.readouterr().err
    assert not (tmp_path / "pids.json").exists()


def test_make_serve_and_stop_run_the_launcher_with_the_venv():
    serve_cmd = subprocess.run(
        ["make", "-n", "serve", "REPLICAS=3", "HOST=0.0.0.0", "PORT=8620"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert ".venv/bin/python deploy/serve.py up --replicas 3 --host 0.0.0.0 --port 8620" in serve_cmd
    stop_cmd = subprocess.run(["make", "-n", "stop"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".venv/bin/python deploy/serve.py stop" in stop_cmd


def test_stop_ends_by_pid_what_a_killed_supervisor_left_and_nothing_else(tmp_path):
    def sleeper(word: str) -> subprocess.Popen:  # `word` in its command line, as in the real process's
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", word])

    ours = {"supervisor": sleeper("serve.py"), "haproxy": sleeper("haproxy"), "app1": sleeper("streamlit")}
    stranger = sleeper("unrelated")  # a pid reused by someone else since make serve recorded it
    recorded = {"port": 1, "supervisor": ours["supervisor"].pid, "haproxy": ours["haproxy"].pid}
    recorded["replicas"] = {"app1": {"port": 2, "pid": ours["app1"].pid}, "app2": {"port": 3, "pid": stranger.pid}}
    (tmp_path / "pids.json").write_text(json.dumps(recorded))
    try:
        assert serve.stop(tmp_path) == 0
        assert [p.wait(5) for p in ours.values()] == [-signal.SIGTERM] * 3
        assert stranger.poll() is None and not (tmp_path / "pids.json").exists()
    finally:
        stranger.kill()
        stranger.wait()


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_each_replica_runs_on_loopback_with_one_thread_and_the_shared_secret(deployment):
    secret = (deployment.state / "cookie_secret").read_text().strip()
    for replica in deployment.pids()["replicas"].values():
        cmdline = Path(f"/proc/{replica['pid']}/cmdline").read_bytes().split(b"\0")
        assert cmdline[cmdline.index(b"--server.address") :][:2] == [b"--server.address", b"127.0.0.1"]
        assert b"--server.fileWatcherType" in cmdline and b"none" in cmdline
        env = _environ(replica["pid"])
        assert env["OMP_NUM_THREADS"] == "1" and env["UNROLLED_THREADS"] == "1"
        assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == secret
        assert secret.encode() not in b" ".join(cmdline)  # not visible to other users in `ps`


def test_health_and_the_sticky_cookie_through_the_proxy(deployment):
    assert request(deployment.url + "/_stcore/health", {})[:2] == (200, b"ok")
    status, _, cookies = request(deployment.url + "/", {})
    assert status == 200
    (sticky,) = [c for c in cookies if c.startswith("SERVERID=")]
    assert {"HttpOnly", "SameSite=Lax"} <= {part.strip() for part in sticky.split(";")}
    kept = {"SERVERID": sticky.split(";")[0].split("=")[1]}
    for _ in range(3):  # a browser that has the cookie is not given another one
        assert not [c for c in request(deployment.url + "/", kept)[2] if c.startswith("SERVERID=")]


async def _two_learners(url: str) -> tuple[Learner, Learner, list[int]]:
    """Two tabs open at once: each runs the page, then uploads with its own and with the other's cookie."""
    first, second = Learner(url), Learner(url)
    async with await first.connect() as ws1:
        first.ws = ws1
        await first.run_page()
        async with await second.connect() as ws2:  # the proxy sends it to the process with fewer connections
            second.ws = ws2
            await second.run_page()
            statuses = [
                first.upload(url, noise_png(1), first.cookies)[0],
                second.upload(url, noise_png(2), second.cookies)[0],
                first.upload(url, noise_png(3), second.cookies)[0],  # sent to the other learner's process
            ]
    return first, second, statuses


def test_two_learners_are_spread_over_the_processes_and_each_kept_on_its_own(deployment):
    first, second, statuses = asyncio.run(_two_learners(deployment.url))
    assert {first.cookies["SERVERID"], second.cookies["SERVERID"]} == {"app1", "app2"}
    assert first.session_id != second.session_id
    assert statuses == [204, 204, 400]  # 400: that process has no such session (Streamlit issue 4173)


async def _upload_and_download(url: str, seed: int) -> tuple[Learner, int]:
    learner = Learner(url)
    async with await learner.connect() as ws:
        learner.ws = ws
        await learner.run_page()
        status, uploaded = learner.upload(url, noise_png(seed), learner.cookies)
        if status == 204:
            await learner.run_page(uploaded)
    return learner, status


async def _hold_and_upload(url: str) -> int:
    """Through a proxy without the cookie: a tab's websocket is open on one process, its upload goes to
    the other (least connections)."""
    learner = Learner(url)
    async with await learner.connect() as ws:
        learner.ws = ws
        await learner.run_page()
        return learner.upload(url, noise_png(5), learner.cookies)[0]


def test_an_upload_and_a_csv_download_work_with_the_sticky_cookie_and_fail_without(deployment, haproxy, tmp_path):
    learner, status = asyncio.run(_upload_and_download(deployment.url, seed=4))
    assert status == 204 and SCORE_MAP in learner.downloads
    csv_url = learner.downloads[SCORE_MAP]
    for _ in range(3):
        status, body, _ = request(deployment.url + csv_url, learner.cookies)
        assert status == 200
    scores = pd.read_csv(io.BytesIO(body))
    assert (scores.groupby(["row", "col"])["prob"].sum() - 1).abs().max() < 1e-4  # a softmax per window
    other = next(r for name, r in deployment.pids()["replicas"].items() if name != learner.cookies["SERVERID"])
    assert request(f"http://127.0.0.1:{other['port']}{csv_url}", {})[0] == 404  # only its process has it

    # The same replicas behind the same template without the cookie line.
    port = serve.free_port()
    servers = [(name, f"127.0.0.1:{r['port']}") for name, r in deployment.pids()["replicas"].items()]
    (tmp_path / "loose.cfg").write_text(serve.render(f"127.0.0.1:{port}", servers, sticky=False))
    serve.check_config(haproxy, tmp_path / "loose.cfg")
    loose = subprocess.Popen([haproxy, "-db", "-f", str(tmp_path / "loose.cfg")], stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while not answers(url + "/_stcore/health") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert asyncio.run(_hold_and_upload(url)) == 400
        fetched = [request(url + csv_url, {})[0] for _ in range(4)]  # spread over both processes in turn
        assert 404 in fetched and 200 in fetched
    finally:
        loose.terminate()
        loose.wait(10)


def test_a_short_load_through_the_proxy_reaches_both_processes_without_errors(deployment):
    pids = recorded_pids(deployment.url, deployment.state / "pids.json")
    (result,) = run_load([4], 4.0, settle=0.0, url=deployment.url, pids=pids)
    assert result["errors"] == [] and result["reruns"] > 0
    assert set(result["sessions_per_replica"]) == {"app1", "app2"}
    assert set(result["processes"]) == {"haproxy", "app1", "app2"}
    assert all(p["rss_peak_mb"] > 0 for p in result["processes"].values())


async def _page_on(url: str, cookies: dict[str, str]) -> Learner:
    """A tab that comes back with `cookies` (its process may be gone) and runs the page once."""
    learner = Learner(url)
    learner.cookies.update(cookies)
    async with await learner.connect() as ws:
        learner.ws = ws
        await learner.run_page()
    return learner


def test_a_hung_replica_leaves_the_pool_within_seconds_and_the_other_serves_its_learners(deployment):
    pid = deployment.pids()["replicas"]["app1"]["pid"]
    os.kill(pid, signal.SIGSTOP)  # alive but silent: the supervisor sees nothing, only the health checks do
    try:
        assert deployment.wait_for("app1", "DOWN", timeout=10) < 5
        learner = asyncio.run(_page_on(deployment.url, {"SERVERID": "app1"}))
        assert learner.cookies["SERVERID"] == "app2" and learner.session_id  # moved, and served
    finally:
        os.kill(pid, signal.SIGCONT)
    deployment.wait_for("app1", "UP", timeout=15)


def test_a_killed_replica_is_started_again_and_the_next_rerun_succeeds(deployment):
    before = deployment.pids()["replicas"]["app1"]["pid"]
    os.kill(before, signal.SIGKILL)
    learner = asyncio.run(_page_on(deployment.url, {"SERVERID": "app1"}))  # the tab reconnects at once
    assert learner.session_id
    deadline = time.monotonic() + 30
    while deployment.pids()["replicas"]["app1"]["pid"] == before:
        assert time.monotonic() < deadline, "the supervisor did not start app1 again"
        time.sleep(0.2)
    restarted = deployment.pids()["replicas"]["app1"]
    while not answers(f"http://127.0.0.1:{restarted['port']}/_stcore/health"):  # the new process, on the old port
        assert time.monotonic() < deadline + 60, "app1 did not answer after its restart"
        time.sleep(0.2)
    deployment.wait_for("app1", "UP", timeout=10)
    assert f"app1 (pid {before}) exited" in (deployment.state / "supervisor.log").read_text()


def test_stop_ends_every_process_it_started(deployment):
    recorded = deployment.pids()
    ours = [(recorded["supervisor"], "serve.py"), (recorded["haproxy"], "haproxy")]
    ours += [(r["pid"], "streamlit") for r in recorded["replicas"].values()]
    done = subprocess.run(
        [sys.executable, "deploy/serve.py", "stop", "--state", str(deployment.state)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and deployment.supervisor.wait(10) == 0
    assert not [pid for pid, word in ours if serve.alive(pid, word)]
    assert not (deployment.state / "pids.json").exists()
    assert not answers(deployment.url + "/_stcore/health")
