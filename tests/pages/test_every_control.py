"""Every control on every page, driven once: no value a learner can pick raises an exception.

For each page the harness runs the script at its defaults, lists its widgets and sets each one to other
values, one control at a time, the others at their defaults: both ends of every slider and number input,
every option of every select and radio, checkboxes flipped, text boxes given an English sentence, a Korean
one and nothing, buttons pressed. A live training's button is pressed with its budget control at the
minimum and the run is waited for. A control that appears only after another one changes (a custom
kernel's weights, a result's frame slider) is tested where it appeared, with the control that revealed it
held at that value. Any exception element fails the page's test, naming the control and the value;
so does a module first imported while the page ran that requirements.txt does not bring (a module some
earlier test already imported in the same process is not seen here: tests/test_runtime_imports.py reads
the imports statically).

One AppTest per page: each control is put back to its default (and the page rerun) before the next one,
so a failure names the one value that caused it. Drawing canvases and file uploaders are driven elsewhere
(tests/pages/test_bad_uploads.py, the browser tests).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import pytest
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT
from tests.test_runtime_imports import outside_requirements
from ui import live

PAGES = {
    "home": "app.py",  # the home page is the frame's default page; its links need the frame's navigation
    "rnn": "pages/rnn.py",
    "transformer": "pages/transformer.py",
    "gpt": "pages/gpt.py",
    "density": "pages/density.py",
    "convolution": "pages/convolution.py",
}
KINDS = (
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "radio",
    "multiselect",
    "checkbox",
    "toggle",
    "text_input",
    "text_area",
    "button",
)
ENGLISH = "The children were playing in the park after school."
KOREAN = "나는 어제 학교에서 친구를 만났다"  # "I met a friend at school yesterday": a script no model here reads
# A live training's button -> the control that sets its budget, put at its minimum before the press.
BUDGETS = {"race.run.go": "race.seconds"}
# Buttons not pressed here, and why; each is driven with a patched budget elsewhere.
SKIPPED = {
    "recall.run.go": "at its minimum budget (1 s per model and distance, 9 distances, 2 cells) the recall run "
    "trains for about 20 s, over this harness's ~15 s per button; tests/pages/test_live_sections.py presses it "
    "with a budget of a fraction of a second",
}
# Pages opened with a link that shrinks one cost, as a learner's link can: the GPT draws 20 characters per
# sample, not 300, so each of its ~30 values costs about a second of CPU, not several (the length is then driven to both
# ends like every other control).
START = {"gpt": {"n": "20"}}
# Imported by Streamlit itself, only when installed, to colour a caught exception's traceback (rich, which
# brings pygments): a page that raises pulls them in, and without them Streamlit prints plainly.
STREAMLIT_OPTIONAL = {"rich", "pygments", "markdown_it", "mdurl"}
MAX_REVEALED = 30  # controls that appear after another changes, tested per page (a bound, not a target)
LIVE_LIMIT = 90.0  # seconds a live run started by a button may take before the harness calls it a failure


@dataclass(frozen=True)
class Control:
    """One widget as found after a run: enough to find it again and to choose values for it."""

    kind: str
    name: str  # its key, or its label when it has none
    default: Any
    values: tuple  # the values to try, its default excluded


def name_of(widget) -> str:
    return widget.key or widget.label


def shown(kind: str, w) -> Any:
    """The widget's value as the harness sets it: the option's label for a select or radio (the label is
    what a browser sends back), the value itself for the rest."""
    if kind in ("selectbox", "radio"):
        return None if w.index is None else w.options[w.index]
    return w.value


def values_for(kind: str, w) -> tuple:
    """The values a learner can reach that this harness tries, the widget's current one left out."""
    if kind == "slider":
        low, high = w.min, w.max
        if isinstance(w.value, int):
            low, high = int(low), int(high)
        if isinstance(w.value, tuple):  # a range: both ends collapsed, and the whole span
            return tuple(v for v in ((low, low), (high, high), (low, high)) if v != tuple(w.value))
        return tuple(v for v in (low, high) if v != w.value)
    if kind == "select_slider":
        options = w.options
        return tuple(v for v in (options[0], options[-1]) if v != w.format_func(w.value))
    if kind == "number_input":
        low = w.min if w.min is not None else -(10**6)
        high = w.max if w.max is not None else 10**6
        if isinstance(w.value, int):
            low, high = int(low), int(high)
        return tuple(v for v in (low, high) if v != w.value)
    if kind in ("selectbox", "radio"):
        return tuple(o for i, o in enumerate(w.options) if i != w.index)
    if kind == "multiselect":
        return (*([o] for o in w.options), [], list(w.options))
    if kind in ("checkbox", "toggle"):
        return (not w.value,)
    if kind in ("text_input", "text_area"):
        limit = w.proto.max_chars or None
        return tuple(t[:limit] for t in (ENGLISH, KOREAN, "") if t[:limit] != w.value)
    if kind == "button":
        return (True,)
    raise AssertionError(kind)


def inventory(at: AppTest) -> dict[tuple[str, str], Control]:
    """Every drivable widget now on the page, in page order, buttons last (a press starts work that the
    other controls' runs should not wait on)."""
    found = {}
    for kind in KINDS:
        for w in at.get(kind):
            if getattr(w.proto, "disabled", False):
                continue
            found[(kind, name_of(w))] = Control(kind, name_of(w), shown(kind, w), values_for(kind, w))
    return dict(sorted(found.items(), key=lambda item: item[0][0] == "button"))


def find(at: AppTest, kind: str, name: str):
    matches = [w for w in at.get(kind) if name_of(w) == name]
    return matches[0] if matches else None


def set_to(w, kind: str, value: Any) -> None:
    if kind == "slider" and isinstance(value, tuple):
        w.set_range(*value)
    elif kind == "button":
        w.click()
    elif kind in ("selectbox", "radio", "multiselect"):
        # The value is given as the option's label, as a browser sends it; AppTest would otherwise pass it
        # through the page's format_func, which maps raw options, not labels (e.g. a dict's .get).
        w.root.session_state[TESTING_KEY][w.id] = lambda label: label
        w.set_value(value)
    else:
        w.set_value(value)


def problems(at: AppTest) -> list[str]:
    """The page's exception elements as one line each: type and first line of the message."""
    out = []
    for e in at.exception:
        first = (e.message or "").strip().splitlines()[0] if (e.message or "").strip() else ""
        out.append(f"{e.proto.type}: {first}" if e.proto.type else first)
    return out


class Driver:
    """Drives one page's AppTest and collects what failed, as 'page control=value: error' lines."""

    def __init__(self, page: str) -> None:
        self.page = page
        self.at = AppTest.from_file(str(ROOT / PAGES[page]), default_timeout=180)
        self.at.query_params.update(START.get(page, {}))
        self.failures: list[str] = []
        self.runs = 0
        self.skipped: list[str] = []
        self.timings: list[tuple[float, float, str]] = []  # (CPU seconds, seconds, what) per run: the slowest
        self.defaults: dict[tuple[str, str], Control] = {}
        self.first_count = 0

    def run(self, what: str) -> bool:
        """Rerun the page; a live run a button started is waited for first. False (and a failure) on error."""
        began, cpu = time.perf_counter(), time.process_time()
        try:
            self.at.run()
            self.timings.append((time.process_time() - cpu, time.perf_counter() - began, what))
        except Exception as err:  # AppTest itself timing out or refusing: still this value's fault
            self.failures.append(f"[{self.page}] {what}: {type(err).__name__}: {err}")
            return False
        self.runs += 1
        found = problems(self.at)
        for line in found:
            self.failures.append(f"[{self.page}] {what}: {line}")
        return not found

    def start(self) -> None:
        """The default run and the controls it shows."""
        assert self.run("default run"), self.failures
        self.defaults = inventory(self.at)
        self.first_count = len(self.defaults)

    def drive(self, control: Control, known: dict, depth: int = 0) -> None:
        """Try each value of `control`, test what each reveals, then put it back to its default."""
        for value in control.values:
            w = find(self.at, control.kind, control.name)
            if w is None or getattr(w.proto, "disabled", False):
                return  # a control the one before hid or disabled: it is tested where it shows
            what = f"{control.kind} {control.name}={value!r}"
            if control.kind == "button":
                if not self.press(control, w, what):
                    continue
            else:
                set_to(w, control.kind, value)
                if not self.run(what):
                    continue
            revealed = [c for key, c in inventory(self.at).items() if key not in known]
            for new in revealed[: max(0, MAX_REVEALED - (len(known) - self.first_count))]:
                known[(new.kind, new.name)] = new
                if depth < 2:
                    self.drive(new, known, depth + 1)
        self.restore(control)

    def press(self, control: Control, w, what: str) -> bool:
        """Press a button; a live training it starts is given its smallest budget and waited for."""
        if control.name in SKIPPED:
            self.skipped.append(f"{control.name}: {SKIPPED[control.name]}")
            return False
        budget = BUDGETS.get(control.name)
        if budget is not None:
            slider = find(self.at, "slider", budget)
            assert slider is not None, f"[{self.page}] the budget control {budget} of {control.name} is gone"
            slider.set_value(type(slider.value)(slider.min))
            if not self.run(f"slider {budget}={slider.min!r} (before pressing {control.name})"):
                return False
            w = find(self.at, control.kind, control.name)
        before = live.slot().current
        w.click()
        if not self.run(what):
            return False
        started = live.slot().current
        if started is not None and started is not before:
            if started.wait(LIVE_LIMIT) is False:
                started.stop()
                started.wait(30)
                self.failures.append(f"[{self.page}] {what}: the live run did not end within {LIVE_LIMIT:.0f} s")
                return False
            if started.error:
                self.failures.append(f"[{self.page}] {what}: the live run failed: {started.error}")
            return self.run(f"{what} (after its live run ended)")
        return True

    def restore(self, control: Control) -> None:
        """Put `control` back to its default and rerun, then any other control that drifted with it."""
        if control.kind == "button":
            return  # a button holds no value
        w = find(self.at, control.kind, control.name)
        if w is None:
            return
        set_to(w, control.kind, control.default)
        self.run(f"{control.kind} {control.name} back to {control.default!r}")
        drifted = [
            (c, w)
            for key, c in self.defaults.items()
            if key[0] != "button"
            and (w := find(self.at, c.kind, c.name)) is not None
            and not getattr(w.proto, "disabled", False)
            and shown(c.kind, w) != c.default
        ]
        for c, w in drifted:  # e.g. a time step clamped by a short sentence: back to where it started
            set_to(w, c.kind, c.default)
        if drifted:
            self.run(f"{control.kind} {control.name} back to {control.default!r}, then {[c.name for c, _ in drifted]}")


@pytest.fixture
def stop_live_runs():
    """A live run a press started never outlives its test."""
    yield
    current = live.slot().current
    if current is not None and not current.done:
        current.stop()
        current.wait(30)


@pytest.mark.timeout(1800)  # alone it takes far less; two cores shared by eight sessions stretch it
@pytest.mark.parametrize("page", list(PAGES))
def test_every_control_on_the_page_raises_nothing(page, stop_live_runs):
    started, cpu = time.perf_counter(), time.process_time()
    modules = set(sys.modules)
    driver = Driver(page)
    driver.start()
    known = dict(driver.defaults)
    for control in list(driver.defaults.values()):
        driver.drive(control, known)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    new = {name.split(".")[0] for name in set(sys.modules) - modules} - STREAMLIT_OPTIONAL
    foreign = outside_requirements(new)
    driver.failures += [
        f"[{page}] imported {top} (from {dist}), which requirements.txt does not bring" for top, dist in foreign.items()
    ]
    tried = sum(len(c.values) for c in known.values())
    print(
        f"\n{page}: {len(driver.defaults)} controls at the defaults, {len(known) - driver.first_count} revealed, "
        f"{tried} values, {driver.runs} runs, {seconds:.1f} s ({cpu:.1f} s CPU)"
        + "".join(f"\n  not pressed: {s}" for s in driver.skipped)
        + "".join(
            f"\n  slow: {c:.1f} s CPU, {t:.1f} s: {what}" for c, t, what in sorted(driver.timings, reverse=True)[:8]
        )
    )
    assert driver.failures == [], "\n".join(driver.failures)
