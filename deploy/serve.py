"""`python deploy/serve.py up|stop|render`: a class at once, several app processes behind HAProxy.

`up` (what `make serve` runs) starts REPLICAS `streamlit run app.py` processes on free loopback ports,
each with torch on one thread and the same cookie secret, renders deploy/haproxy.cfg.in for them,
checks it with `haproxy -c`, then runs HAProxy in front on HOST:PORT. It stays in the foreground as a
small supervisor: a replica that dies is started again on its port (HAProxy takes it back once its
health checks pass), and Ctrl-C or SIGTERM stops every process it started. The pids are kept in
build/serve/pids.json, so `stop` (`make stop`) can end them from another shell, even if this
supervisor was killed. `render --compose N` prints the config compose.yaml's HAProxy uses.

Standard library only: the same file runs in the venv, in a container, or under systemd.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg.in"
STATE = ROOT / "build" / "serve"  # gitignored: the secret, the rendered config, pids and logs
INSTALL_HINT = "make serve needs HAProxy; install it with: sudo apt-get install -y haproxy"
STICKY = '    cookie SERVERID insert indirect nocache httponly attr "SameSite=Lax"'
STICKY_WHY = "    # Every browser stays on the process that holds its session (uploads and media live there)."
COMPOSE_RESOLVERS = "resolvers docker\n    nameserver dns 127.0.0.11:53\n    hold valid 5s"
START_TIMEOUT = 180.0  # seconds a replica may take to answer /_stcore/health (the models load lazily)
RESTART_GAP = 2.0  # seconds between two starts of the same replica, so a crashing one cannot spin


def haproxy_path() -> str | None:
    """The haproxy binary; Debian puts it in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def render(bind: str, servers: list[tuple[str, str]], sticky: bool = True, stats: Path | None = None, dns=False) -> str:
    """The HAProxy config for `servers` [(name, host:port)] behind `bind`; `stats`: an admin socket,
    `dns`: find the servers through Docker's resolver. `sticky=False` only shows (in the tests) what a
    deployment without the cookie breaks."""
    lines = [f"    server {name} {address} check" + (f" cookie {name}" if sticky else "") for name, address in servers]
    return Template(TEMPLATE.read_text()).substitute(
        bind=bind,
        persistence=f"{STICKY_WHY}\n{STICKY}" if sticky else "    # no persistence: a deliberately broken config",
        stats=f"    stats socket {stats} mode 600 level admin" if stats else "",
        resolvers=COMPOSE_RESOLVERS if dns else "",
        resolve="resolvers docker init-addr libc,none" if dns else "",
        servers="\n".join(lines),
    )


def bind_line(host: str, port: int, cert: Path | None = None) -> str:
    """Where HAProxy listens; with `cert` (a PEM holding the certificate chain and its key), over HTTPS."""
    return f"{host}:{port}" + (f" ssl crt {cert} alpn http/1.1" if cert else "")


def render_compose(replicas: int) -> str:
    """The config compose.yaml mounts: services app1..appN on port 8501, found through Docker's DNS."""
    return render("*:8501", [(f"app{i}", f"app{i}:8501") for i in range(1, replicas + 1)], dns=True)


def check_config(haproxy: str, path: Path) -> None:
    """Refuse to start on a config HAProxy itself would refuse."""
    done = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"haproxy -c -f {path} failed:\n{done.stdout}{done.stderr}")


def cookie_secret(state: Path) -> str:
    """The secret every replica signs its cookies with: made once, readable by its owner only."""
    path = state / "cookie_secret"
    if not path.exists():
        state.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def replica_env(secret: str) -> dict[str, str]:
    """One torch thread per process (set once, at its start): N processes share the cores side by side.
    The secret goes by environment, not argv, so other users cannot read it in `ps`."""
    one = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "UNROLLED_THREADS": "1"}
    return {**os.environ, **one, "STREAMLIT_SERVER_COOKIE_SECRET": secret}


def start_replica(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1"]
    cmd += ["--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none"]
    cmd += ["--browser.gatherUsageStats", "false"]
    with log.open("ab") as out:  # its own session: the terminal's Ctrl-C reaches only the supervisor
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_healthy(procs: dict, urls: dict[str, str], timeout: float, stopping: threading.Event) -> None:
    """Return once every process answers at its url; raise if one exits, is too slow, or we are stopped."""
    deadline, waiting = time.monotonic() + timeout, set(procs)
    while waiting:
        if stopping.is_set():
            raise RuntimeError("stopped during start-up")
        for name in sorted(waiting):
            if procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited during start-up (code {procs[name].returncode})")
            if healthy(urls[name]):
                waiting.discard(name)
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(sorted(waiting))} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def alive(pid: int, word: str) -> bool:
    """Is `pid` still one of ours (its command line holds `word`), not a stranger that reused the number?"""
    try:
        return word.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def end(pids: list[tuple[int, str]], grace: float = 10.0) -> None:
    """SIGTERM each (pid, word) that is still ours, then SIGKILL whatever is left after `grace` seconds.
    An exited child waiting to be collected has an empty command line, so it counts as ended."""
    for pid, word in pids:
        if alive(pid, word):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(alive(p, w) for p, w in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid, word in pids:
        if alive(pid, word):
            os.kill(pid, signal.SIGKILL)


class Deployment:
    """The replicas and HAProxy of one `up`, with the pid file that lets `stop` find them."""

    def __init__(self, replicas: int, host: str, port: int, state: Path, cert: Path | None = None) -> None:
        self.host, self.port, self.state, self.cert = host, port, state, cert
        self.ports = {f"app{i}": free_port() for i in range(1, replicas + 1)}
        self.procs: dict[str, subprocess.Popen] = {}
        self.started: dict[str, float] = {}
        self.haproxy: subprocess.Popen | None = None
        self.stopping = threading.Event()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/_stcore/health"

    def start(self, haproxy: str) -> None:
        """Render and check the config, start the replicas, wait for them, then put HAProxy in front."""
        config = self.state / "haproxy.cfg"
        servers = [(name, f"127.0.0.1:{port}") for name, port in self.ports.items()]
        bind = bind_line(self.host, self.port, self.cert)
        config.write_text(render(bind, servers, stats=self.state / "haproxy.sock"))
        check_config(haproxy, config)
        env = replica_env(cookie_secret(self.state))
        for name in self.ports:
            self.start_replica(name, env)
        self.record()
        wait_healthy(self.procs, {name: self.url(name) for name in self.ports}, START_TIMEOUT, self.stopping)
        with (self.state / "haproxy.log").open("ab") as out:
            cmd = [haproxy, "-db", "-f", str(config)]  # -db: stay in the foreground, under this supervisor
            self.haproxy = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.record()
        if self.cert is None:  # over HTTPS the certificate's name rarely matches 127.0.0.1: not checked here
            front = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            wait = {"haproxy": f"http://{front}:{self.port}/_stcore/health"}  # fails fast if the port is taken
            wait_healthy({"haproxy": self.haproxy}, wait, 15.0, self.stopping)

    def start_replica(self, name: str, env: dict[str, str]) -> None:
        self.procs[name] = start_replica(self.ports[name], env, self.state / f"{name}.log")
        self.started[name] = time.monotonic()

    def record(self) -> None:
        """Write the pids (atomically: `stop` may read the file at any moment)."""
        pids = {"host": self.host, "port": self.port, "supervisor": os.getpid()}
        pids["haproxy"] = self.haproxy.pid if self.haproxy else None
        pids["replicas"] = {name: {"port": self.ports[name], "pid": p.pid} for name, p in self.procs.items()}
        tmp = self.state / "pids.json.tmp"
        tmp.write_text(json.dumps(pids, indent=2) + "\n")
        tmp.replace(self.state / "pids.json")

    def supervise(self) -> None:
        """Until asked to stop: start again any replica that died; give up if HAProxy itself died."""
        env = replica_env(cookie_secret(self.state))
        while not self.stopping.wait(0.5):
            if self.haproxy is not None and self.haproxy.poll() is not None:
                raise RuntimeError(f"haproxy exited (code {self.haproxy.returncode}); see {self.state}/haproxy.log")
            for name, proc in self.procs.items():
                if proc.poll() is not None and time.monotonic() - self.started[name] > RESTART_GAP:
                    print(f"{name} (pid {proc.pid}) exited with code {proc.returncode}; starting it again", flush=True)
                    self.start_replica(name, env)
                    self.record()

    def stop(self) -> None:
        """HAProxy first (no new visitors are sent anywhere), then every replica."""
        self.stopping.set()
        if self.haproxy is not None:
            end([(self.haproxy.pid, "haproxy")])
        end([(p.pid, "streamlit") for p in self.procs.values()])
        for proc in [self.haproxy, *self.procs.values()]:
            if proc is not None:
                proc.wait(5)  # collect them, now that they have ended
        for name in ("pids.json", "haproxy.sock"):
            (self.state / name).unlink(missing_ok=True)


def up(replicas: int, host: str, port: int, state: Path, cert: Path | None = None) -> int:
    """Start everything, supervise until Ctrl-C or SIGTERM, then stop everything."""
    haproxy = haproxy_path()
    if haproxy is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    state.mkdir(parents=True, exist_ok=True)
    running = _recorded(state)
    if running and alive(running["supervisor"], "serve.py"):
        print(f"already serving (supervisor pid {running['supervisor']}); stop it with: make stop", file=sys.stderr)
        return 1
    if running:  # a supervisor that was killed: end what it left before the pid file is overwritten
        stop(state)
    deployment = Deployment(replicas, host, port, state, cert)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: deployment.stopping.set())
    try:
        deployment.start(haproxy)
        where = "every network interface" if host in ("0.0.0.0", "::", "") else host
        scheme = "https" if cert else "http"
        print(f"Unrolled: {replicas} processes behind HAProxy on {where}, port {port}: {scheme}://{host}:{port}")
        print(f"pids, logs and config in {state}; Ctrl-C or `make stop` stops them all", flush=True)
        deployment.supervise()
    except RuntimeError as err:
        print(f"make serve: {err} (logs: {state})", file=sys.stderr)
        return 1
    finally:
        deployment.stop()
        print("stopped every process it started", flush=True)
    return 0


def _recorded(state: Path) -> dict | None:
    try:
        return json.loads((state / "pids.json").read_text())
    except (OSError, ValueError):
        return None


def stop(state: Path) -> int:
    """Stop what `up` recorded: ask its supervisor, then end by pid whatever is left (a killed supervisor)."""
    running = _recorded(state)
    if running is None:
        print(f"nothing to stop (no {state / 'pids.json'})")
        return 0
    end([(running["supervisor"], "serve.py")], grace=30.0)
    leftover = [(r["pid"], "streamlit") for r in running["replicas"].values()]
    if running["haproxy"]:
        leftover.append((running["haproxy"], "haproxy"))
    end(leftover)
    (state / "pids.json").unlink(missing_ok=True)
    stopped = [running["supervisor"], *(pid for pid, _ in leftover)]
    print(f"stopped {len(stopped)} processes: {' '.join(map(str, stopped))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/serve.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="start the replicas and HAProxy, and supervise them")
    start.add_argument("--replicas", type=int, default=len(os.sched_getaffinity(0)), help="default: one per core")
    start.add_argument("--host", default="127.0.0.1", help="where HAProxy listens; 0.0.0.0 for a whole network")
    start.add_argument("--port", type=int, default=8501)
    start.add_argument("--cert", type=Path, help="serve HTTPS with this PEM file (certificate chain, then key)")
    for command in (start, sub.add_parser("stop", help="stop every process `up` started")):
        command.add_argument("--state", type=Path, default=STATE, help="pids, secret, config and logs")
    compose = sub.add_parser("render", help="print the HAProxy config of compose.yaml")
    compose.add_argument("--compose", type=int, required=True, metavar="N", help="services app1..appN")
    args = parser.parse_args(argv)
    if args.command == "render":
        print(render_compose(args.compose), end="")
        return 0
    if args.command == "stop":
        return stop(args.state)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    cert = args.cert.resolve() if args.cert else None
    return up(args.replicas, args.host, args.port, args.state.resolve(), cert)


if __name__ == "__main__":
    sys.exit(main())
