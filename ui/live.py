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

import contextlib
import multiprocessing
import queue
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from ui.live_child import UNSENDABLE, run_child
from ui.text import t, t_in

# work(config, emit, should_stop) -> result, a module-level function (it is imported in the child):
# `emit(event)` records one event, `should_stop()` asks to end early. Events and result must pickle.
Work = Callable[[Any, Callable[[Any], None], Callable[[], bool]], Any]
GRACE = 10.0  # seconds past its limit before a child that does not stop is ended
CONTEXT = multiprocessing.get_context("spawn")  # never fork a server that runs threads


@dataclass
class LiveRun:
    """One live training: what it has reported so far, and its result once it ends."""

    title: str
    limit: float  # seconds of wall clock after which the run is told to stop
    config: Any = None  # what the run was asked to do (for the page that watches it)
    started: float = field(default_factory=time.monotonic)
    events: list[Any] = field(default_factory=list)  # appended by the server's copying thread only
    result: Any = None
    error: str | None = None  # in English (the run's record); `why(run)` says it in the session's language
    reason: tuple[str, dict] | None = None  # the error's key under common.live.errors and its fields, if ours
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
        """Start `work(config, ...)` in a child process unless a run is going (then None). A start that
        fails (the work cannot be sent to a child, no process can be made) ends the run with its error."""
        with self.lock:
            if self.busy():
                return None
            run = LiveRun(title, limit, config)
            self.current = run
        try:
            events = CONTEXT.Queue()
            deadline = run.started + limit  # the same monotonic clock in both processes (Linux)
            args = (work, config, deadline, events, run.stop_requested)
            child = CONTEXT.Process(target=run_child, args=args, name=f"live:{title}", daemon=True)
            with _without_main():
                child.start()
            threading.Thread(target=_copy, args=(run, child, events), name=f"live-copy:{title}", daemon=True).start()
        except Exception as err:
            _fail(run, "not_started", reason=f"{type(err).__name__}: {err}")
            run.ended = time.monotonic()
        return run


_MAIN_SWAP = threading.Lock()  # one swap at a time, so two starts never put back each other's stand-in


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """While a child is started, a `__main__` module with no file. Streamlit installs the script it runs
    as `sys.modules["__main__"]` (app.py under `streamlit run`, a page under `AppTest.from_file`), and a
    spawned child runs its parent's main file again before it does anything (Streamlit issue 4788):
    without this, every live child would import Streamlit, and under AppTest torch and the page's models
    too, before its work. The real module is put back unless Streamlit has meanwhile installed another
    (its own per-run swap, in another session's thread)."""
    with _MAIN_SWAP:
        stand_in, saved = types.ModuleType("__main__"), sys.modules.get("__main__")
        sys.modules["__main__"] = stand_in
        try:
            yield
        finally:
            if sys.modules.get("__main__") is stand_in:
                if saved is None:
                    del sys.modules["__main__"]
                else:
                    sys.modules["__main__"] = saved


def _copy(run: LiveRun, child: Any, events: Any) -> None:
    """In the server: move the child's events onto `run` until it sends its result or error, dies, or
    overruns its limit by GRACE seconds (checked at every message, so a chatty child is ended too)."""
    try:
        while True:
            if run.elapsed() > run.limit + GRACE:
                child.terminate()
                _fail(run, "overran", limit=run.limit)
                break
            try:
                kind, value = events.get(timeout=0.2)
            except queue.Empty:
                if child.is_alive():
                    continue
                try:  # its last message may still be on its way
                    kind, value = events.get(timeout=1.0)
                except queue.Empty:
                    _fail(run, "exited", code=child.exitcode)
                    break
            if kind == "event":
                run.events.append(value)
                continue
            if kind == "result" and value is not None:
                run.result = value
            elif kind == "error":
                run.error = value  # the work's own exception, as it said it
            elif kind == UNSENDABLE:
                _fail(run, "unsendable", kind=value[0], reason=value[1])
            else:
                _fail(run, "no_result")
            break
    except Exception as err:  # a message that cannot be read: the run ends, the server goes on
        _fail(run, "unreadable", reason=f"{type(err).__name__}: {err}")
    finally:
        child.join(GRACE)
        if child.is_alive():
            child.kill()
        run.ended = time.monotonic()


@st.cache_resource
def slot() -> Slot:
    """One per server process."""
    return Slot()


def _fail(run: LiveRun, name: str, **fields: Any) -> None:
    """End `run` with the failure `common.live.errors.<name>`, filled with `fields`: `run.error` in English (the
    run's record, whoever reads it), `run.reason` for `why` to say it in a session's language."""
    run.error = t_in("en", f"common.live.errors.{name}", **fields)
    run.reason = (name, fields)


def why(run: LiveRun) -> str:
    """Why `run` failed, in the session's language: ours from the tables; the work's own exception as it is."""
    if run.reason is None:
        return run.error or ""
    name, fields = run.reason
    return t(f"common.live.errors.{name}", **fields)


def start(key: str, title: str, limit: float, work: Work, config: Any = None) -> LiveRun | None:
    """Start a run for this session (kept under `key`), or say why not."""
    server = slot()
    run = server.start(title, limit, work, config)
    if run is None:
        current = server.current
        if any(v is current for v in st.session_state.values()):
            st.info(t("common.live.yours"))
        else:
            st.warning(t("common.live.busy", left=max(0.0, current.limit - current.elapsed()) if current else 0.0))
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
    if st.button(t("common.live.stop"), key=f"{key}.stop", icon=":material/stop:"):
        run.stop()
    return run
