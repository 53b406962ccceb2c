"""Page rerun latency through AppTest: a slider change on each page vs an empty script."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from benchmarks.harness import Row, percentile_ms, time_calls

ROOT = Path(__file__).resolve().parent.parent
# page file -> (slider label, two values to alternate between)
SLIDER_CHANGES = {
    "home": (None, ()),  # no slider on the home page: a plain rerun
    "convolution": ("Output position i", (3, 4)),
    "rnn": ("Time step t", (3, 4)),
    "transformer": ("Decoding step", (1, 2)),
    "gpt": ("Generated character of sample A", (5, 6)),
    "density": ("Pixels drawn of sample 1", (300, 301)),
}


def _rerun_times(at: AppTest, label: str | None, values: tuple, repeats: int, warmup: int) -> list[float]:
    state = {"i": 0}

    def change() -> None:
        if label is not None:
            slider = next(s for s in at.slider if s.label == label)
            slider.set_value(values[state["i"] % 2])
            state["i"] += 1
        at.run()

    return time_calls(change, repeats, warmup=warmup)


def run(quick: bool) -> list[Row]:
    repeats, warmup = (3, 1) if quick else (40, 2)
    empty = AppTest.from_string("import streamlit as st\nst.slider('x', 0, 10)", default_timeout=60)
    empty.run()
    empty_times = _rerun_times(empty, None, (), repeats, warmup)
    base_p50, base_p95 = percentile_ms(empty_times, 0.5), percentile_ms(empty_times, 0.95)
    rows = [Row("page_rerun_ms_empty", base_p50, "ms p50", note=f"p95 {base_p95:.1f} ms; empty script")]
    for page, (label, values) in SLIDER_CHANGES.items():
        script = ROOT / ("app.py" if page == "home" else f"pages/{page}.py")  # home links need the navigation
        at = AppTest.from_file(str(script), default_timeout=120)
        at.run()
        times = _rerun_times(at, label, values, repeats, warmup)
        p50, p95 = percentile_ms(times, 0.5), percentile_ms(times, 0.95)
        rows.append(
            Row(
                f"page_rerun_ms_{page}",
                p95,
                "ms p95",
                base_p95,
                p95 / base_p95,
                f"p50 {p50:.1f} ms, p95 {p95 - base_p95:+.0f} ms over empty; "
                + (f"slider '{label}'" if label else "plain rerun (no slider)")
                + "; AppTest "
                "reruns the whole script (in a browser a fragment reruns only its section)",
            )
        )
    return rows
