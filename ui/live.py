"""Live trainings: one at a time per server, in a child process, each with a hard time limit.

A session starts a run with `start`; the run's events (rows of numbers) and its result live on the
`LiveRun` object that only that session keeps in its session state, so no other session sees them.
The training runs in its own process (spawned, so it shares no state with the server): a tiny model's
step is mostly Python, and in a thread of the server it would queue for the interpreter lock behind
every page being drawn (measured: several times fewer steps per second). A thread of the server
only copies the child's events onto the run. The child is told to stop at the limit and is ended if
it has not within GRACE seconds more; a closed tab cannot leave a run going.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

# work(config, emit, should_stop) -> result, a module-level function (it is imported in the child):
# `emit(event)` records one event, `should_stop()` asks to end early. Events and result must pickle.
Work = Callable[[Any, Callable[[Any], None], Callable[[], bool]], Any]
GRACE = 10.0  # seconds past its limit before a child that does not stop is ended
CONTEXT = multiprocessing.get_context("spawn")  # never fork a server that runs threads
CHILD_THREADS = 1  # tiny models: one thread trains them as fast as two (measured), and the server keeps a core


@dataclass
class LiveRun:
    """One live training: what it has reported so far, and its result once it ends."""

    title: str
    limit: float  # seconds of wall clock after which the run is told to stop
    config: Any = None  # what the run was asked to do (for the page that watches it)
    started: float = field(default_factory=time.monotonic)
    events: list[Any] = field(default_factory=list)  # appended by the server's copying thread only
    result: Any = None
    error: str | None = None
    ended: float | None = None
    stop_requested: Any = field(default_factory=CONTEXT.Event)  # seen by the child too

    @property
    def done(self) -> bool:
        return self.ended is not None

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def stop(self) -> None:
        self.stop_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (tests and the CLI-like callers); True if it did."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


class Slot:
    """The server's one place for a live training: a second start while one runs is refused."""

    def __init__(self) -> None:
        self.lock, self.current = threading.Lock(), None

    def busy(self) -> bool:
        return self.current is not None and not self.current.done

    def start(self, title: str, limit: float, work: Work, config: Any = None) -> LiveRun | None:
        """Start `work(config, ...)` in a child process unless a run is going (then None)."""
        with self.lock:
            if self.busy():
                return None
            run = LiveRun(title, limit, config)
            self.current = run
        events = CONTEXT.Queue()
        child = CONTEXT.Process(
            target=_child, args=(work, config, limit, events, run.stop_requested), name=f"live: {title}", daemon=True
        )
        child.start()
        threading.Thread(target=_copy, args=(run, child, events), name=f"live copy: {title}", daemon=True).start()
        return run


def _child(work: Work, config: Any, limit: float, events: Any, stop: Any) -> None:
    """In the child process: run the work, sending ("event", x) for each event, then its result or error.
    The child trains on one core, once set at its start, and leaves the other to the server's visitors."""
    import torch

    torch.set_num_threads(CHILD_THREADS)
    started = time.monotonic()
    try:
        result = work(
            config, lambda x: events.put(("event", x)), lambda: stop.is_set() or time.monotonic() - started >= limit
        )
        events.put(("result", result))
    except Exception as err:  # reported on the page that started it, never raised into the server
        events.put(("error", f"{type(err).__name__}: {err}"))


def _copy(run: LiveRun, child: Any, events: Any) -> None:
    """In the server: move the child's events onto `run` until it sends its result or error, or dies."""
    kind = "event"
    try:
        while kind == "event":
            try:
                kind, value = events.get(timeout=0.2)
            except queue.Empty:
                if not child.is_alive():
                    kind, value = "error", f"the training process ended without a result (exit code {child.exitcode})"
                elif run.elapsed() > run.limit + GRACE:
                    child.terminate()
                    kind, value = "error", f"the training did not stop at its {run.limit:.0f} s limit and was ended"
                else:
                    continue
            if kind == "event":
                run.events.append(value)
            elif kind == "result":
                run.result = value
            else:
                run.error = value
    finally:
        child.join(GRACE)
        if child.is_alive():
            child.kill()
        run.ended = time.monotonic()


@st.cache_resource
def slot() -> Slot:
    """One per server process."""
    return Slot()


BUSY = (
    "Another visitor's live training is running (one at a time per server, {left:.0f} s left at most). "
    "Try again in a minute; the rest of the page works meanwhile."
)


def start(key: str, title: str, limit: float, work: Work, config: Any = None) -> LiveRun | None:
    """Start a run for this session (kept under `key`), or say why not."""
    server = slot()
    run = server.start(title, limit, work, config)
    if run is None:
        current = server.current
        if any(v is current for v in st.session_state.values()):
            st.info("Your other live training is still running: start this one once it has finished.")
        else:
            st.warning(BUSY.format(left=max(0.0, current.limit - current.elapsed()) if current else 0.0))
        return None
    st.session_state[key] = run
    return run


def mine(key: str) -> LiveRun | None:
    """This session's run under `key`, if it started one."""
    return st.session_state.get(key)


def section(
    key: str,
    label: str,
    limit: float,
    work: Work,
    config: Any,
    watch: Callable[[], None],
    results: Callable[[LiveRun], None],
) -> None:
    """A start button (off while this session's run goes), then `watch()` while the run goes and
    `results(run)` once it has ended. The button's key is `key`.go."""
    run = mine(key)
    running = run is not None and not run.done
    pressed = st.button(label, key=f"{key}.go", type="primary", icon=":material/play_arrow:", disabled=running)
    if pressed and start(key, key, limit, work, config) is not None:
        st.rerun()  # draw the page again with the button off while the run goes
    if run is None:
        return
    if run.done:
        results(run)
    else:
        watch()


def watched(key: str) -> LiveRun:
    """Inside a polling fragment: this session's run and a Stop button; a full rerun once it has ended."""
    run = mine(key)
    if run is None or run.done:
        st.rerun()
    if st.button("Stop", key=f"{key}.stop", icon=":material/stop:"):
        run.stop()
    return run
