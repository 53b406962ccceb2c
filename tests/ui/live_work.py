"""Work functions for tests/ui/test_live.py, at module level because the child process imports them.

Only the standard library is imported here, so a test's child starts as fast as a child can.
"""

import os
import sys
import time


def until_stopped(config, emit, should_stop):
    """Work that reports a tick every 10 ms and runs until it is told to stop."""
    n = 0
    while not should_stop():
        emit((config, n))
        n += 1
        time.sleep(0.01)
    return n


def broken(config, emit, should_stop):
    emit("started")
    raise RuntimeError("out of letters")


def dies(config, emit, should_stop):
    emit("started")
    time.sleep(0.2)  # let the event reach the server before the process vanishes
    os._exit(3)


def deaf(config, emit, should_stop):
    """Work that never asks whether to stop."""
    while True:
        time.sleep(0.05)


def pid(config, emit, should_stop):
    return os.getpid()


def chatty_and_deaf(config, emit, should_stop):
    """Work that never asks whether to stop and reports every 20 ms."""
    while True:
        emit(0)
        time.sleep(0.02)


def sends_a_lambda(config, emit, should_stop):
    emit(lambda: None)
    return 1


def torch_threads(config, emit, should_stop):
    """The intra-op threads of a torch imported only once the work runs."""
    import torch

    return "torch" in sys.modules, torch.get_num_threads()


def main_file(config, emit, should_stop):
    """The file the child ran as its main module, "" if none (a spawned child runs its parent's main file)."""
    return getattr(sys.modules.get("__mp_main__"), "__file__", None) or ""
