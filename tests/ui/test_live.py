"""The live-training slot: one run per server, in a child process, a hard time limit, a Stop, errors
kept on the run. The work functions are in tests/ui/live_work.py: the child process imports them."""

import os
import sys
import time
import types

import torch

from tests.ui import live_torch_work
from tests.ui.live_work import (
    broken,
    chatty_and_deaf,
    deaf,
    dies,
    main_file,
    pid,
    sends_a_lambda,
    torch_threads,
    until_stopped,
)
from ui import live
from ui.live import LiveRun, Slot


def test_a_second_start_is_refused_while_one_runs():
    slot = Slot()
    first = slot.start("one", 30, until_stopped)
    assert first is not None and slot.busy()
    assert slot.start("two", 30, until_stopped) is None  # refused, and the first run is untouched
    assert slot.current is first
    first.stop()
    assert first.wait(30)
    assert not slot.busy()
    second = slot.start("two", 30, until_stopped)  # free again once the first ended
    assert second is not None and second is not first
    second.stop()
    assert second.wait(30)


def test_a_run_ends_at_its_time_limit_with_every_event_in_order():
    # the limit counts the child's start-up (0.1 s; it took over 5 s while a child ran the page again)
    run = Slot().start("limited", 3.0, until_stopped, config="cfg")
    assert run.wait(30), "the run went on past its limit"
    assert run.error is None
    assert run.result == len(run.events) > 0  # the work's own return value, and every event it emitted
    assert run.events == [("cfg", n) for n in range(len(run.events))]


def test_the_work_runs_in_another_process():
    run = Slot().start("where", 10, pid)
    assert run.wait(30)
    assert isinstance(run.result, int) and run.result != os.getpid()


def test_the_child_trains_on_one_thread_whenever_it_imports_torch():
    """Set once at the child's start: for a work whose module imports torch (as the trainings' do) and
    for one that imports it only when it runs. The server's own threads are untouched."""
    before = torch.get_num_threads()
    eager, lazy = Slot().start("eager", 30, live_torch_work.threads), Slot().start("lazy", 30, torch_threads)
    assert eager.wait(30) and lazy.wait(30), (eager.error, lazy.error)
    assert eager.result == 1 and lazy.result == (True, 1)
    assert torch.get_num_threads() == before


def test_stop_ends_a_run_early():
    run = Slot().start("stopped", 60, until_stopped)
    while not run.events:
        time.sleep(0.05)
    run.stop()
    assert run.wait(15)
    assert run.elapsed() < 30 and run.error is None and run.result >= 1


def test_an_error_is_kept_on_the_run_and_frees_the_slot():
    slot = Slot()
    run = slot.start("broken", 30, broken)
    assert run.wait(30)
    assert run.error == "RuntimeError: out of letters"
    assert run.result is None and run.events == ["started"]
    assert not slot.busy()


def test_a_process_that_dies_is_reported():
    run = Slot().start("dies", 30, dies)
    assert run.wait(30)
    assert run.error == "the training process ended without a result (exit code 3)"
    assert run.events == ["started"]


def test_work_that_ignores_the_limit_is_ended(monkeypatch):
    monkeypatch.setattr(live, "GRACE", 0.5)
    run = Slot().start("deaf", 1.0, deaf)
    assert run.wait(30)
    assert run.error == "the training did not stop at its 1 s limit and was ended"
    assert run.elapsed() < 15


def test_why_a_run_failed_is_said_in_the_learners_language(monkeypatch):
    """`run.error` stays the English record; `live.why(run)` says the same in the session's language, and a
    work's own exception as it is."""
    import ui.text

    overran, died = LiveRun("a", 1.0), LiveRun("b", 1.0)
    live._fail(overran, "overran", limit=1.0)
    died.error = "RuntimeError: out of letters"  # what a child sends for its work's exception
    assert live.why(overran) == overran.error == "the training did not stop at its 1 s limit and was ended"
    monkeypatch.setattr(ui.text, "current_lang", lambda: "ko")
    assert live.why(overran) == "학습이 제한 시간 1초에 멈추지 않아 강제로 종료했습니다"
    assert live.why(died) == "RuntimeError: out of letters"
    assert overran.error.startswith("the training did not stop")  # the record is unchanged


def test_two_runs_keep_their_own_events():
    a, b = LiveRun("a", 1), LiveRun("b", 1)
    a.events.append(1)
    assert b.events == [] and a.config is None


def test_wait_gives_up_at_its_timeout():
    run = Slot().start("long", 60, until_stopped)
    try:
        assert run.wait(0.2) is False
    finally:
        run.stop()
        assert run.wait(30)


def test_work_that_ignores_the_limit_is_ended_even_while_it_keeps_reporting(monkeypatch):
    monkeypatch.setattr(live, "GRACE", 0.5)
    run = Slot().start("chatty", 2.0, chatty_and_deaf)  # the limit counts the child's start-up too
    assert run.wait(40)
    assert run.error == "the training did not stop at its 2 s limit and was ended"
    assert run.events and run.elapsed() < 20


def test_a_start_that_fails_ends_the_run_and_frees_the_slot():
    slot = Slot()
    run = slot.start("local", 10, lambda config, emit, should_stop: 1)  # a lambda cannot be sent to a child
    assert run.done and run.error.startswith("the training could not start: ")
    assert not slot.busy()
    again = slot.start("fine", 10, pid)
    assert again.wait(30) and again.error is None


def test_an_event_that_cannot_be_sent_is_reported():
    run = Slot().start("unsendable", 10, sends_a_lambda)
    assert run.wait(30)
    assert run.error.startswith("the training produced a function that cannot be sent")
    assert run.events == []


def test_a_child_never_runs_the_servers_main_script(tmp_path, monkeypatch):
    """Streamlit installs the script it runs (app.py, or a page under AppTest) as `__main__`; a spawned
    child would run that file again before its work. Here the "script" leaves a mark if it is run."""
    mark = tmp_path / "ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(mark)!r}, 'w').close()\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    run = Slot().start("main", 30, main_file)
    assert sys.modules["__main__"] is fake  # the server's own main module is put back
    assert run.wait(30) and run.error is None, run.error
    assert run.result == "" and not mark.exists()


def test_the_main_swap_puts_back_the_servers_module_but_not_over_a_newer_one(monkeypatch):
    original, newer = types.ModuleType("__main__"), types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", original)
    with live._without_main():
        assert sys.modules["__main__"] is not original and not hasattr(sys.modules["__main__"], "__file__")
    assert sys.modules["__main__"] is original
    with live._without_main():
        sys.modules["__main__"] = newer  # Streamlit's next script run, in another session's thread
    assert sys.modules["__main__"] is newer
