"""Live trainings: one at a time per server, in a background thread, each with a hard time limit.

A session starts a run with `start`; the run's events (rows of numbers) and its result live on the
`LiveRun` object that only that session keeps in its session state, so no other session sees them.
The work itself runs in a daemon thread, not in the script, so the page keeps answering (a Stop
button, other controls) while it trains, and a closed tab cannot leave a run going past its limit.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

# work(emit, should_stop) -> result; `emit(event)` records one event, `should_stop()` asks to end early
Work = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


@dataclass
class LiveRun:
    """One live training: what it has reported so far, and its result once it ends."""

    title: str
    limit: float  # seconds of wall clock after which the run is told to stop
    config: Any = None  # what the run was asked to do (for the page that watches it)
    started: float = field(default_factory=time.monotonic)
    events: list[Any] = field(default_factory=list)  # appended by the worker thread only
    result: Any = None
    error: str | None = None
    ended: float | None = None
    stop_requested: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self.ended is not None

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def should_stop(self) -> bool:
        return self.stop_requested.is_set() or self.elapsed() >= self.limit

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
        """Start `work` in a thread unless a run is going (then None)."""
        with self.lock:
            if self.busy():
                return None
            run = LiveRun(title, limit, config)
            self.current = run
        thread = threading.Thread(target=_work, args=(run, work), name=f"live: {title}", daemon=True)
        thread.start()
        return run


def _work(run: LiveRun, work: Work) -> None:
    try:
        run.result = work(run.events.append, run.should_stop)
    except Exception as err:  # reported on the page that started it, never raised into the server
        run.error = f"{type(err).__name__}: {err}"
        traceback.print_exc()
    finally:
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
    if st.button(label, key=f"{key}.go", type="primary", icon=":material/play_arrow:", disabled=running):
        run = start(key, key, limit, work, config) or run
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
