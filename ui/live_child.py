"""The child process of a live training (see ui/live.py): it runs the work and sends what it reports.

This module imports only the standard library, so starting a child costs what the work's own module
imports and no more (the server's Streamlit is never loaded into it).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import time
from typing import Any

CHILD_THREADS = 1  # tiny models: one thread trains them as fast as two (measured), and the server keeps a core
UNSENDABLE = "unsendable"  # a message kind: (the value's type name, why it cannot be pickled)


def run_child(work: Any, config: Any, deadline: float, events: Any, stop: Any) -> None:
    """Run the work, sending ("event", x) for each event, then its result or error. The child trains on
    one core, set once at its start, and leaves the other to the server's visitors; it ends itself if
    the server goes away (nobody would read what it sends)."""
    os.environ["OMP_NUM_THREADS"] = str(CHILD_THREADS)  # for a torch the work imports later
    torch = sys.modules.get("torch")  # imported with the work's module, when the work was unpickled
    if torch is not None:
        torch.set_num_threads(CHILD_THREADS)
    threading.Thread(target=_end_when_orphaned, daemon=True).start()

    def send(kind: str, value: Any) -> None:
        try:
            pickle.dumps(value)  # the queue pickles in a thread of its own, where a failure would be lost
        except Exception as err:
            kind, value = UNSENDABLE, (type(value).__name__, str(err))
        events.put((kind, value))

    try:
        send("result", work(config, lambda x: send("event", x), lambda: stop.is_set() or time.monotonic() >= deadline))
    except Exception as err:  # reported on the page that started it, never raised into the server
        send("error", f"{type(err).__name__}: {err}")


def _end_when_orphaned() -> None:
    parent = multiprocessing.parent_process()
    while parent is not None and parent.is_alive():
        time.sleep(1.0)
    os._exit(1)
