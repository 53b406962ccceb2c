"""`python -m benchmarks.load [--sessions 10 25] [--seconds 60] [--json PATH]`: many visitors at once.

One `streamlit run app.py` on 127.0.0.1 and N Streamlit protocol clients: each opens the app's
websocket as a browser does, asks for the explainers in turn and moves the first slider of each,
for a bounded time. A browser would send the same messages (the page, then the slider's new value
with the fragment that holds it), so the server does the same work; the clients only skip drawing,
which on a 2-core machine would otherwise compete with the server being measured.

A rerun's latency is from sending the change to the server's "script finished". An error is an
exception element, a run that does not finish within ANSWER seconds, or a dropped connection.
Server memory (VmRSS) is read before, every second during, and SETTLE seconds after the clients
disconnect.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks.harness import Row, percentile_ms
from benchmarks.serve import free_port, launch, rss_mb, wait_healthy

PAGES = ["convolution", "rnn", "transformer", "gpt", "density"]
ANSWER = 120.0  # seconds a run may take before it counts as an error
# Seconds after the clients leave before memory is read again: Streamlit keeps a disconnected
# session for server.disconnectedSessionTTL (120 s by default) in case its browser reconnects.
SETTLE = 150.0
MOVES = 5  # slider changes per page visit


class Client:
    """One visitor, speaking Streamlit's websocket protocol (protobuf BackMsg / ForwardMsg)."""

    def __init__(self, index: int, url: str) -> None:
        self.index, self.url = index, url
        self.latencies: list[float] = []
        self.pages: list[str] = []  # the page of each latency
        self.errors: list[str] = []
        self.buttons: dict[str, str] = {}  # label -> widget id, from the last run
        self.ws = None

    async def run(self, deadline: float) -> None:
        import websockets

        async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None) as ws:
            self.ws = ws
            turn = self.index
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

    async def rerun(
        self, page: str, change: tuple | None = None, fragment: str = "", press: str = "", query: str = ""
    ) -> list | None:
        """Ask for a run of `page` (with one slider changed, or the button `press` pressed); wait for it to end.

        Returns the page's sliders as (id, fragment id, min, max, value), or None after an error; the
        page's buttons are left in `self.buttons`.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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
        await self.ws.send(msg.SerializeToString())
        sliders, self.buttons = [], {}
        try:
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
                        return sliders
        except TimeoutError:
            self.errors.append(f"{page}: no answer within {ANSWER:.0f} s")
        except Exception as err:  # a dropped connection is an error of the run, not of the harness
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


async def _load(url: str, pid: int, sessions: int, seconds: float, settle: float, live: bool = False) -> dict:
    """`sessions` clients for `seconds`; with `live`, while one more visitor's live race trains."""
    import websockets

    if not live:
        return await _measure(url, pid, sessions, seconds, settle)
    trainer = Trainer(-1, url)
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        trainer.ws = ws
        started = await trainer.start()
        out = await _measure(url, pid, sessions, seconds, 0.0)
        throughout = started and await trainer.running()
        await trainer.stop()
    await asyncio.sleep(settle)
    out["rss_after_mb"] = rss_mb(pid)
    out["errors"] += trainer.errors + ([] if throughout else ["the live race was not running for the whole window"])
    return {**out, "live": True, "settle_s": settle}


async def _measure(url: str, pid: int, sessions: int, seconds: float, settle: float) -> dict:
    memory: list[float] = []
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            memory.append(rss_mb(pid))
            await asyncio.sleep(1)

    before = rss_mb(pid)
    watcher = asyncio.create_task(watch())
    deadline = time.perf_counter() + seconds
    clients = [Client(i, url) for i in range(sessions)]
    results = await asyncio.gather(*(c.run(deadline) for c in clients), return_exceptions=True)
    stop.set()
    await watcher
    crashed = [f"client {i}: {r!r}" for i, r in enumerate(results) if isinstance(r, BaseException)]
    await asyncio.sleep(settle)
    latencies = [x for c in clients for x in c.latencies]
    by_page = {p: [x for c in clients for x, q in zip(c.latencies, c.pages, strict=True) if q == p] for p in PAGES}
    return {
        "sessions": sessions,
        "seconds": seconds,
        "settle_s": settle,
        "reruns": len(latencies),
        "errors": [e for c in clients for e in c.errors] + crashed,
        "p50_ms": percentile_ms(latencies, 0.5) if latencies else None,
        "p95_ms": percentile_ms(latencies, 0.95) if latencies else None,
        "by_page": {
            p: {"reruns": len(x), "p50_ms": percentile_ms(x, 0.5), "p95_ms": percentile_ms(x, 0.95)}
            for p, x in by_page.items()
            if x
        },
        "rss_before_mb": before,
        "rss_peak_mb": max(memory, default=before),
        "rss_mean_during_mb": statistics.mean(memory) if memory else before,
        "rss_after_mb": rss_mb(pid),
        "live": False,
    }


async def _warm(url: str) -> None:
    """Run every page once, so the models are loaded before anything is measured."""
    import websockets

    client = Client(0, url)
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        client.ws = ws
        for page in PAGES:
            await client.rerun(page)
    if client.errors:
        raise RuntimeError(f"warm-up failed: {client.errors}")


def run_load(
    session_counts: list[int], seconds: float, settle: float = SETTLE, live: bool = False, server: tuple | None = None
) -> list[dict]:
    """One server for all counts, warmed by one run of every page first; with `live`, each count is
    measured twice: as it is, then while another visitor's live race trains. `server` (port, pid) is
    one already running on 127.0.0.1, measured as it is; otherwise one is started and stopped here."""
    port, pid = server or (free_port(), None)
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    proc = None if server else launch(port)
    try:
        if proc is not None:
            wait_healthy(proc, port)
            pid = proc.pid
        asyncio.run(_warm(url))
        modes = (False, True) if live else (False,)
        return [asyncio.run(_load(url, pid, n, seconds, settle, mode)) for n in session_counts for mode in modes]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


def rows(results: list[dict]) -> list[Row]:
    out = []
    for r in results:
        live = r.get("live", False)
        during = " while another visitor's live race trained" if live else ""
        note = (
            f"{r['sessions']} clients for {r['seconds']:.0f} s{during}: {r['reruns']} slider reruns, "
            f"{len(r['errors'])} errors, p50 {r['p50_ms'] or 0:.0f} ms; server RSS {r['rss_before_mb']:.0f} MB "
            f"before, peak {r['rss_peak_mb']:.0f}, {r['rss_after_mb']:.0f} after they left"
        )
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
    parser.add_argument(
        "--server",
        type=int,
        nargs=2,
        metavar=("PORT", "PID"),
        help="measure a server already running on 127.0.0.1:PORT (PID: its process, for its memory)",
    )
    args = parser.parse_args(argv)
    if args.live and args.seconds > 100:
        parser.error("--live needs --seconds of at most 100 (the race it starts trains for about 130 s)")
    if args.server and not Path(f"/proc/{args.server[1]}").is_dir():
        parser.error(f"--server: no process {args.server[1]}")
    results = run_load(args.sessions, args.seconds, args.settle, args.live, tuple(args.server) if args.server else None)
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
