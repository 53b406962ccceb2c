"""A live race on a toy task: a tiny Transformer and a GRU with attention, faster steps against fewer steps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.translator import race, toy
from engine.translator.race import MAX_SECONDS, RaceConfig, RaceResult
from ui import live
from ui.translator import race_charts as charts
from ui.widgets import Limit, download_csv, mirror_to_url, seed_from_url, slider

KEY = "race.run"
SECONDS = Limit(5, int(MAX_SECONDS), 30, 5)
LENGTH_DEFAULT = (4, 12)
POLL = 2.0  # seconds between redraws while a race runs


def _lengths() -> tuple[int, int]:
    """A range slider over the string lengths, started once from the URL's lo and hi."""
    if "race.lengths" not in st.session_state:
        seed_from_url("race.lo", "lo", LENGTH_DEFAULT[0], lambda v: toy.SHORTEST <= v <= toy.LONGEST)
        seed_from_url("race.hi", "hi", LENGTH_DEFAULT[1], lambda v: toy.SHORTEST <= v <= toy.LONGEST)
        lo, hi = st.session_state.pop("race.lo"), st.session_state.pop("race.hi")
        st.session_state["race.lengths"] = (lo, hi) if lo <= hi else LENGTH_DEFAULT
    lo, hi = st.slider("String length (letters)", toy.SHORTEST, toy.LONGEST, key="race.lengths")
    return int(lo), int(hi)


def controls() -> RaceConfig:
    """The task, the lengths and the budget; all in the URL."""
    seed_from_url("race.task", "task", "reverse", toy.TASKS)
    cols = st.columns([2, 3, 3])
    with cols[0]:
        task = st.radio("Task", list(toy.TASKS), key="race.task", horizontal=True)
        st.caption(toy.TASKS[task])
    with cols[1]:
        lo, hi = _lengths()
    with cols[2]:
        seconds = slider("Training time per model (seconds)", "race.seconds", "race_s", SECONDS)
    mirror_to_url({"task": task, "lo": lo, "hi": hi, "race_s": seconds})
    return RaceConfig(task=task, lo=lo, hi=hi, seconds=float(seconds))


def race_section() -> None:
    """Controls, a start button, then the live view while it runs and the results once it ends."""
    cfg = controls()
    st.caption(f"About {2 * cfg.seconds:.0f} s: the models take turns, each clock counting only its own steps.")
    live.section(KEY, "Start the race", 2 * cfg.seconds + 60, race.live, cfg, _watch, _results)


def _frame_of(events: list) -> tuple[pd.DataFrame, list[dict]]:
    rows = pd.DataFrame([row for _, row, _ in events])
    return rows, [frame for _, _, frame in events if frame is not None]


@st.fragment(run_every=POLL)
def _watch() -> None:
    """Redrawn every POLL seconds while the race runs; a full rerun draws the results when it ends."""
    run = live.watched(KEY)
    cfg: RaceConfig = run.config
    events = list(run.events)
    clocks = {row["model"]: row["seconds"] for _, row, _ in events}  # each model's latest clock
    doing = "Training both models" if events else "Starting the training process"
    st.progress(min(1.0, sum(clocks.values()) / (2 * cfg.seconds)), text=f"{doing}... {run.elapsed():.0f} s")
    if not events:
        return
    rows, frames = _frame_of(events)
    _curves(rows, cfg.seconds, "live")
    if frames:
        probe = toy.probe_string(cfg.lo, cfg.hi, cfg.seed)
        _heatmap(frames[-1], probe, toy.solve(cfg.task, probe), 0)


def _curves(rows: pd.DataFrame, seconds: float, tag: str) -> None:
    left, right = st.columns(2)
    left.plotly_chart(charts.curves(rows, "accuracy", seconds), key=f"race.acc_{tag}")
    right.plotly_chart(charts.curves(rows, "loss", seconds), key=f"race.loss_{tag}")


def _heatmap(frame: dict, probe: str, answer: str, layer: int) -> None:
    title = f"Transformer cross-attention on '{probe}' after {frame['step']:,} steps ({frame['seconds']:.1f} s)"
    st.plotly_chart(charts.attention_frame(frame["attention"][layer], probe, answer, title), key="race.heat")
    st.caption(f"Held-out accuracy at that moment: {frame['accuracy']:.0%}. Each row sums to 1 over the letters read.")


def _times(a: float, b: float) -> str:
    """'2.9x more' or '1.4x fewer': a against b."""
    if min(a, b) <= 0:
        return "no ratio"
    return f"{a / b:.1f}x more" if a >= b else f"{b / a:.1f}x fewer"


def verdict(result: RaceResult) -> str:
    """Which model reached 90% first, and which effect decided it: steps per second or steps needed."""
    t, g = result.summary["transformer"], result.summary["gru"]
    rate = (
        f"The Transformer ran {t['steps_per_s']:.0f} steps per second, the GRU {g['steps_per_s']:.0f} "
        f"({_times(t['steps_per_s'], g['steps_per_s'])})"
    )
    a, b = t["seconds_to_90"], g["seconds_to_90"]
    if a is None and b is None:
        return f"Neither model reached 90% in this budget: give them more time or shorter strings. {rate}."
    if a is None or b is None:
        (won, first), lost = (("GRU", g), t) if a is None else (("Transformer", t), g)
        head = f"Only the {won} reached 90% ({first['seconds_to_90']:.1f} s of training)."
        ran, needed = f"{lost['steps']:,}", f"{first['steps_to_90']:,}"
        if lost["steps"] >= first["steps_to_90"]:
            why = f"the other ran {ran} steps, more than the {needed} the {won} needed: fewer steps needed won."
        else:
            why = f"the other ran only {ran} steps, fewer than the {needed} the {won} needed: faster steps won."
        return f"{head} {rate}; {why}"
    need = (
        f"it needed {t['steps_to_90']:,} steps to reach 90%, the GRU {g['steps_to_90']:,} "
        f"({_times(t['steps_to_90'], g['steps_to_90'])})"
    )
    faster, fewer = t["steps_per_s"] > g["steps_per_s"], t["steps_to_90"] < g["steps_to_90"]
    if abs(a - b) <= result.config["eval_every"]:
        head = f"A tie: both reached 90% within one evaluation of each other ({a:.1f} s and {b:.1f} s)."
        return f"{head} {rate}; {need}" + (": the two effects cancelled out." if faster != fewer else ".")
    won = "Transformer" if a < b else "GRU"
    head = f"The {won} reached 90% first: after {min(a, b):.1f} s of training, the other after {max(a, b):.1f} s."
    if faster == fewer:
        why = f"both favour the {'Transformer' if faster else 'GRU'}."
    elif (won == "Transformer") == faster:
        why = "faster steps outweighed needing more of them."
    else:
        why = "needing fewer steps outweighed slower steps."
    return f"{head} {rate}; {need}: {why}"


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(f"The race stopped with an error: {run.error}")
        return
    result: RaceResult = run.result
    cfg = result.config
    if result.stopped:
        st.info(f"Stopped after {run.elapsed():.0f} s; these are the numbers measured until then.")
    rows = pd.DataFrame(result.rows)
    _curves(rows, cfg["seconds"], "final")
    st.markdown(f"**{verdict(result)}**")
    summary = charts.summary_frame(result.summary)
    st.dataframe(
        summary.style.format(
            {
                "final accuracy": "{:.1%}",
                "seconds to 90%": "{:.1f}",
                "steps to 90%": "{:,.0f}",
                "steps per second": "{:.1f}",
            },
            na_rep="not reached",
        ),
        hide_index=True,
    )
    learned = "learned" if result.diagonal_attention >= 0.5 else "has not yet learned"  # most weight, or not
    st.markdown(
        f"**Attention {learned} to read the right letter.** On {cfg['n_eval']} held-out strings, the "
        f"Transformer's cross-attention (layer {result.layer + 1}, mean over heads) puts "
        f"**{result.diagonal_attention:.0%}** of its weight on the letter the task copies"
        + (" (the anti-diagonal of a reversal)." if cfg["task"] == "reverse" else ".")
    )
    frames = result.frames
    if frames:
        pick = st.slider(
            "Replay the attention over training (evaluation number)", 1, len(frames), len(frames), key="race.frame"
        )
        answer = toy.solve(cfg["task"], result.probe)
        _heatmap(frames[pick - 1], result.probe, answer, result.layer)
    left, right = st.columns(2)
    with left:
        download_csv(rows, "Every evaluation (CSV)", "race_curves.csv", "race.dl_rows")
    with right:
        download_csv(summary, "Summary (CSV)", "race_summary.csv", "race.dl_summary")
