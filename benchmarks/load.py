"""`python -m benchmarks.load [--sessions 10 25] [--seconds 60] [--json PATH] [--url URL]`: many visitors at once.

One `streamlit run app.py` on 127.0.0.1 (or, with `--url`, a deployment already running there, such as
`make serve`'s HAProxy) and N Streamlit protocol clients: each loads the page and opens the app's
websocket as a browser does, keeping the cookies it was given (the proxy's sticky one among them),
asks for the explainers in turn and moves the first slider of each, for a bounded time. A client
whose connection drops (its process died) reconnects with the same cookies, as Streamlit's own client
does, and the seconds until its next finished run are recorded. A browser would send the same
messages (the page, then the slider's new value with the fragment that holds it), so the server does
the same work; the clients only skip drawing, which on a 2-core machine would otherwise compete with
the server being measured.

A rerun's latency is from sending the change to the server's "script finished". An error is an
exception element, a run that does not finish within ANSWER seconds, or a dropped connection.
Server memory (VmRSS, summed over the server's processes and per process) is read before, every
second during, and SETTLE seconds after the clients disconnect. With `--url`, the processes are those
`make serve` recorded for that port (build/serve/pids.json), or the ones given with `--pid`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import time
import urllib.request
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.harness import Row, percentile_ms
from benchmarks.serve import free_port, launch, rss_mb, wait_healthy

PAGES = ["convolution", "rnn", "transformer", "gpt", "density"]
ANSWER = 120.0  # seconds a run may take before it counts as an error
# Seconds after the clients leave before memory is read again: Streamlit keeps a disconnected
# session for server.disconnectedSessionTTL (120 s by default) in case its browser reconnects.
SETTLE = 150.0
MOVES = 5  # slider changes per page visit
PIDS = Path(__file__).resolve().parent.parent / "build" / "serve" / "pids.json"  # written by make serve
RECONNECT_WAIT = 0.5  # seconds between attempts to reach the app again


class Dropped(Exception):
    """The websocket closed under a client: its process went away."""


def stream_url(base: str) -> str:
    """The app's websocket for an http(s) base url."""
    return "ws" + base.removeprefix("http").rstrip("/") + "/_stcore/stream"


class Client:
    """One visitor, speaking Streamlit's websocket protocol (protobuf BackMsg / ForwardMsg)."""

    def __init__(self, index: int, base: str) -> None:
        self.index, self.base = index, base.rstrip("/")
        self.latencies: list[float] = []
        self.pages: list[str] = []  # the page of each latency
        self.errors: list[str] = []
        self.buttons: dict[str, str] = {}  # label -> widget id, from the last run
        self.cookies: dict[str, str] = {}  # as a browser keeps them: the proxy's sticky cookie among them
        self.recoveries: list[float] = []  # seconds from a dropped connection to the next finished run
        self.dropped: float | None = None
        self.ws = None

    def load_page(self) -> None:
        """GET the page as a browser does first, keeping the cookies it sets (HAProxy's says which process)."""
        request = urllib.request.Request(self.base + "/", headers=self.cookie_header())
        with urllib.request.urlopen(request, timeout=ANSWER) as answer:
            for header in answer.headers.get_all("Set-Cookie") or []:
                self.cookies.update({k: v.value for k, v in SimpleCookie(header).items()})

    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def connect(self):
        """The page, then its websocket with the cookies (a browser sends them on the upgrade too)."""
        import websockets

        await asyncio.to_thread(self.load_page)
        url, headers = stream_url(self.base), self.cookie_header()
        return websockets.connect(url, subprotocols=["streamlit"], max_size=None, additional_headers=headers)

    async def run(self, deadline: float) -> None:
        turn = self.index
        while time.perf_counter() < deadline:
            try:
                async with await self.connect() as ws:
                    self.ws = ws
                    turn = await self.visit(turn, deadline)
            except Dropped:  # reconnect at once, as Streamlit's client does; the error is already counted
                self.dropped = self.dropped or time.perf_counter()
            except OSError as err:  # nobody answers (yet): a browser would retry too
                self.errors.append(f"connect: {getattr(err, 'code', None) or type(err).__name__}")  # HTTP status
                self.dropped = self.dropped or time.perf_counter()
                await asyncio.sleep(RECONNECT_WAIT)

    async def visit(self, turn: int, deadline: float) -> int:
        """Pages in turn, each with MOVES slider changes, until the deadline; returns the next turn."""
        while time.perf_counter() < deadline:
            page = PAGES[turn % len(PAGES)]
            turn += 1
            sliders = await self.rerun(page)
            if not sliders:  # an error (None) or a page without sliders
                continue
            slider_id, fragment, low, high, value = sliders[0]
            for i in range(MOVES):
                if time.perf_counter() > deadline:
                    break
                value = value - 1 if (value > low and i % 2 == 0) or value >= high else value + 1
                start = time.perf_counter()
                if await self.rerun(page, (slider_id, value), fragment) is not None:
                    self.latencies.append(time.perf_counter() - start)
                    self.pages.append(page)
        return turn

    async def rerun(
        self, page: str, change: tuple | None = None, fragment: str = "", press: str = "", query: str = ""
    ) -> list | None:
        """Ask for a run of `page` (with one slider changed, or the button `press` pressed); wait for it to end.

        Returns the page's sliders as (id, fragment id, min, max, value), or None after an error; the
        page's buttons are left in `self.buttons`.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.exceptions import ConnectionClosed

        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = query
        if change:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = change[0]
            state.double_array_value.data.append(float(change[1]))
            msg.rerun_script.fragment_id = fragment
        if press:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.trigger_value = press, True
        sliders, self.buttons = [], {}
        try:
            await self.ws.send(msg.SerializeToString())
            async with asyncio.timeout(ANSWER):
                while True:
                    forward = ForwardMsg()
                    forward.ParseFromString(await self.ws.recv())
                    kind = forward.WhichOneof("type")
                    if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                        element = forward.delta.new_element
                        if element.WhichOneof("type") == "exception":
                            self.errors.append(f"{page}: exception {element.exception.type}")
                        elif element.WhichOneof("type") == "slider" and element.slider.data_type in (1, 2):
                            s = element.slider  # data_type 1 INT, 2 FLOAT; step 1 is used for both
                            value = s.value[0] if s.value else s.default[0]
                            sliders.append((s.id, forward.delta.fragment_id, s.min, s.max, value))
                        elif element.WhichOneof("type") == "button":
                            self.buttons[element.button.label] = element.button.id
                    elif kind == "script_finished":
                        if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            sliders, self.buttons = [], {}  # the page asked for a rerun: wait for that one
                            continue
                        if self.dropped is not None:
                            self.recoveries.append(time.perf_counter() - self.dropped)
                            self.dropped = None
                        return sliders
        except TimeoutError:
            self.errors.append(f"{page}: no answer within {ANSWER:.0f} s")
        except ConnectionClosed as err:  # an error of the run, not of the harness; the caller reconnects
            self.errors.append(f"{page}: {type(err).__name__}")
            raise Dropped from err
        except Exception as err:
            self.errors.append(f"{page}: {type(err).__name__}")
        return None


LIVE_PAGE, LIVE_QUERY, LIVE_BUTTON = "transformer", "race_s=60", "Start the race"  # about 130 s of training


class Trainer(Client):
    """A visitor who starts the Transformer page's live race and keeps the tab open while others load."""

    async def start(self) -> bool:
        """Press the start button; True if the run is going (its Stop button is drawn)."""
        await self.rerun(LIVE_PAGE, query=LIVE_QUERY)
        if LIVE_BUTTON not in self.buttons:
            self.errors.append(f"{LIVE_PAGE}: no {LIVE_BUTTON!r} button")
            return False
        await self.rerun(LIVE_PAGE, press=self.buttons[LIVE_BUTTON], query=LIVE_QUERY)
        return await self.running()

    async def running(self) -> bool:
        await self.rerun(LIVE_PAGE, query=LIVE_QUERY)
        return "Stop" in self.buttons

    async def stop(self) -> None:
        """Press Stop and wait (at most a minute) until the run has ended."""
        if "Stop" in self.buttons:
            await self.rerun(LIVE_PAGE, press=self.buttons["Stop"], query=LIVE_QUERY)
        for _ in range(120):
            if not await self.running():
                return
            await asyncio.sleep(0.5)
        self.errors.append("the live race did not stop")


def memory(pids: dict[str, int]) -> dict[str, float]:
    """VmRSS (MB) of each process; one that has ended (a killed replica) reads 0."""
    out = {}
    for name, pid in pids.items():
        try:
            out[name] = rss_mb(pid)
        except (OSError, RuntimeError):
            out[name] = 0.0
    return out


async def _load(base: str, pids: dict, sessions: int, seconds: float, settle: float, live=False, kill=None) -> dict:
    """`sessions` clients for `seconds`; with `live`, while one more visitor's live race trains."""
    if not live:
        return await _measure(base, pids, sessions, seconds, settle, kill)
    trainer = Trainer(-1, base)
    async with await trainer.connect() as ws:
        trainer.ws = ws
        started = await trainer.start()
        out = await _measure(base, pids, sessions, seconds, 0.0, kill)
        throughout = started and await trainer.running()
        await trainer.stop()
    await asyncio.sleep(settle)
    out["rss_after_mb"] = sum(memory(pids).values())
    out["errors"] += trainer.errors + ([] if throughout else ["the live race was not running for the whole window"])
    return {**out, "live": True, "settle_s": settle}


async def _kill(pids: dict[str, int], name: str, after: float) -> dict:
    """SIGKILL the process `name` `after` seconds into the window: a replica lost mid-class."""
    await asyncio.sleep(after)
    os.kill(pids[name], signal.SIGKILL)
    return {"name": name, "pid": pids[name], "at_s": after}


async def _measure(base: str, pids: dict, sessions: int, seconds: float, settle: float, kill=None) -> dict:
    samples: list[dict[str, float]] = []
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            samples.append(memory(pids))
            await asyncio.sleep(1)

    before = memory(pids)
    watcher = asyncio.create_task(watch())
    killer = asyncio.create_task(_kill(pids, *kill)) if kill else None
    deadline = time.perf_counter() + seconds
    clients = [Client(i, base) for i in range(sessions)]
    results = await asyncio.gather(*(c.run(deadline) for c in clients), return_exceptions=True)
    stop.set()
    await watcher
    crashed = [f"client {i}: {r!r}" for i, r in enumerate(results) if isinstance(r, BaseException)]
    await asyncio.sleep(settle)
    after = memory(pids)
    latencies = [x for c in clients for x in c.latencies]
    by_page = {p: [x for c in clients for x, q in zip(c.latencies, c.pages, strict=True) if q == p] for p in PAGES}
    totals = [sum(m.values()) for m in samples]
    return {
        "sessions": sessions,
        "seconds": seconds,
        "settle_s": settle,
        "reruns": len(latencies),
        "errors": [e for c in clients for e in c.errors] + crashed,
        "sessions_with_errors": sum(1 for c in clients if c.errors),
        "p50_ms": percentile_ms(latencies, 0.5) if latencies else None,
        "p95_ms": percentile_ms(latencies, 0.95) if latencies else None,
        "by_page": {
            p: {"reruns": len(x), "p50_ms": percentile_ms(x, 0.5), "p95_ms": percentile_ms(x, 0.95)}
            for p, x in by_page.items()
            if x
        },
        "rss_before_mb": sum(before.values()),
        "rss_peak_mb": max(totals, default=sum(before.values())),
        "rss_mean_during_mb": statistics.mean(totals) if totals else sum(before.values()),
        "rss_after_mb": sum(after.values()),
        "processes": _per_process(pids, before, samples, after),
        "killed": await killer if killer else None,
        "recoveries_s": sorted(x for c in clients for x in c.recoveries),
        "sessions_per_replica": dict(Counter(c.cookies.get("SERVERID", "-") for c in clients)),
        "live": False,
    }


def _per_process(pids: dict[str, int], before: dict, samples: list[dict], after: dict) -> dict:
    """Each process's pid and memory (MB) before, at its peak during, and after the window."""
    return {
        name: {
            "pid": pid,
            "rss_before_mb": before[name],
            "rss_peak_mb": max((m[name] for m in samples), default=before[name]),
            "rss_after_mb": after[name],
        }
        for name, pid in pids.items()
    }


async def _warm(base: str, processes: int = 1) -> None:
    """Run every page once in each of `processes` sessions open at once (behind make serve's
    least-connections proxy, one per replica), so the models are loaded before anything is measured."""
    clients = [Client(i, base) for i in range(processes)]
    async with contextlib.AsyncExitStack() as stack:
        for client in clients:  # one after another: each goes to the replica with the fewest connections
            client.ws = await stack.enter_async_context(await client.connect())
        await asyncio.gather(*(client.rerun(page) for client in clients for page in PAGES[:1]))
        for page in PAGES[1:]:
            await asyncio.gather(*(client.rerun(page) for client in clients))
    errors = [e for c in clients for e in c.errors]
    if errors:
        raise RuntimeError(f"warm-up failed: {errors}")


def recorded_pids(base: str, path: Path = PIDS) -> dict[str, int]:
    """The processes `make serve` recorded, if it serves on `base`'s port: HAProxy and every replica."""
    try:
        serving = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if serving.get("port") != urlsplit(base).port:
        return {}
    return {"haproxy": serving["haproxy"], **{name: r["pid"] for name, r in serving["replicas"].items()}}


def run_load(
    session_counts: list[int],
    seconds: float,
    settle: float = SETTLE,
    live: bool = False,
    server: tuple | None = None,
    url: str | None = None,
    pids: dict[str, int] | None = None,
    kill: tuple[str, float] | None = None,
) -> list[dict]:
    """One server for all counts, warmed by one run of every page first; with `live`, each count is
    measured twice: as it is, then while another visitor's live race trains. `url` is a deployment
    already running (its processes `pids`, for memory), `server` (port, pid) one process on
    127.0.0.1; both are measured as they are. Otherwise one process is started and stopped here."""
    port, pid = server or (free_port(), None)
    base = url.rstrip("/") if url else f"http://127.0.0.1:{port}"
    proc = None if server or url else launch(port)
    try:
        if proc is not None:
            wait_healthy(proc, port)
            pid = proc.pid
        pids = pids if url else {"server": pid}
        asyncio.run(_warm(base, max(1, sum(1 for name in pids if name.startswith("app")))))
        modes = (False, True) if live else (False,)
        return [asyncio.run(_load(base, pids, n, seconds, settle, m, kill)) for n in session_counts for m in modes]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


def rows(results: list[dict]) -> list[Row]:
    out = []
    for r in results:
        live = r.get("live", False)
        during = " while another visitor's live race trained" if live else ""
        per = ", ".join(f"{k} {v['rss_peak_mb']:.0f}" for k, v in r.get("processes", {}).items())
        note = (
            f"{r['sessions']} clients for {r['seconds']:.0f} s{during}: {r['reruns']} slider reruns, "
            f"{len(r['errors'])} errors, p50 {r['p50_ms'] or 0:.0f} ms; server RSS {r['rss_before_mb']:.0f} MB "
            f"before, peak {r['rss_peak_mb']:.0f} ({per}), {r['rss_after_mb']:.0f} after they left"
        )
        if r.get("killed"):
            recovered = max(r["recoveries_s"], default=0.0)
            note += f"; {r['killed']['name']} killed at {r['killed']['at_s']:.0f} s, "
            note += f"{r['sessions_with_errors']} sessions saw an error, all back within {recovered:.1f} s"
        name = f"load_{r['sessions']}_sessions{'_live' if live else ''}_p95_ms"
        out.append(Row(name, r["p95_ms"] or 0.0, "ms p95", note=note))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 25])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=SETTLE, help="seconds to wait before the last memory read")
    parser.add_argument("--live", action="store_true", help="measure each count again while a live race trains")
    parser.add_argument("--json", type=Path)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--server",
        type=int,
        nargs=2,
        metavar=("PORT", "PID"),
        help="measure a server already running on 127.0.0.1:PORT (PID: its process, for its memory)",
    )
    where.add_argument("--url", help="measure a deployment already running there, e.g. make serve's http://HOST:PORT")
    parser.add_argument("--pid", type=int, nargs="+", default=[], help="with --url: its processes, for memory")
    parser.add_argument(
        "--kill",
        nargs=2,
        metavar=("REPLICA", "AFTER"),
        help="with --url of make serve: SIGKILL REPLICA (e.g. app1) AFTER seconds into each window",
    )
    args = parser.parse_args(argv)
    if args.live and args.seconds > 100:
        parser.error("--live needs --seconds of at most 100 (the race it starts trains for about 130 s)")
    if args.server and not Path(f"/proc/{args.server[1]}").is_dir():
        parser.error(f"--server: no process {args.server[1]}")
    pids = {f"pid{p}": p for p in args.pid} if args.pid else recorded_pids(args.url or "")
    if args.kill and args.kill[0] not in pids:
        parser.error(f"--kill: no replica {args.kill[0]!r} recorded for {args.url} (see {PIDS})")
    kill = (args.kill[0], float(args.kill[1])) if args.kill else None
    server = tuple(args.server) if args.server else None
    results = run_load(args.sessions, args.seconds, args.settle, args.live, server, args.url, pids, kill)
    for row in rows(results):
        print(f"{row.name:<32} {row.value:>9.0f} {row.unit}  {row.note}")
    for r in results:
        for error in r["errors"][:10]:
            print(f"  error ({r['sessions']} clients{', live' if r['live'] else ''}): {error}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
