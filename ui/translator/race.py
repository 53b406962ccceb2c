"""A live race on a toy task: a tiny Transformer and a GRU with attention, faster steps against fewer steps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.translator import race, toy
from engine.translator.race import MAX_SECONDS, RaceConfig, RaceResult
from ui import live
from ui.text import bound, raw, t
from ui.translator import race_charts as charts
from ui.translator.labels import header, headers, model
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
    lo, hi = st.slider(t("translator.race.lengths"), toy.SHORTEST, toy.LONGEST, key="race.lengths")
    return int(lo), int(hi)


def _task_name(task: str) -> str:
    return t(f"translator.race.tasks.{task}")


def _task_help(task: str) -> str:
    """What the task asks, with an example (toy.TASKS, in the learner's language)."""
    shift = {"n": toy.ROTATE_BY} if task == "rotate" else {}
    return t(f"translator.race.task_help.{task}", **shift)


def controls() -> RaceConfig:
    """The task, the lengths and the budget; all in the URL."""
    seed_from_url("race.task", "task", "reverse", toy.TASKS)
    cols = st.columns([2, 3, 3])
    with cols[0]:
        label = t("translator.race.task")
        task = st.radio(label, list(toy.TASKS), format_func=bound(_task_name), key="race.task", horizontal=True)
        st.caption(_task_help(task))
    with cols[1]:
        lo, hi = _lengths()
    with cols[2]:
        seconds = slider(t("translator.race.seconds"), "race.seconds", "race_s", SECONDS)
    mirror_to_url({"task": task, "lo": lo, "hi": hi, "race_s": seconds})
    return RaceConfig(task=task, lo=lo, hi=hi, seconds=float(seconds))


def race_section() -> None:
    """Controls, a start button, then the live view while it runs and the results once it ends."""
    cfg = controls()
    st.caption(t("translator.race.about", seconds=2 * cfg.seconds))
    live.section(KEY, t("translator.race.start"), 2 * cfg.seconds + 60, race.live, cfg, _watch, _results)


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
    doing = t("translator.race.training" if events else "translator.race.starting", seconds=run.elapsed())
    st.progress(min(1.0, sum(clocks.values()) / (2 * cfg.seconds)), text=doing)
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
    title = t("translator.race.heatmap", probe=probe, step=frame["step"], seconds=frame["seconds"])
    st.plotly_chart(charts.attention_frame(frame["attention"][layer], probe, answer, title), key="race.heat")
    st.caption(t("translator.race.heatmap_caption", accuracy=frame["accuracy"]))


def _times(a: float, b: float) -> str:
    """'2.9x more' or '1.4x fewer': a against b."""
    if min(a, b) <= 0:
        return t("translator.verdict.no_ratio")
    return t("translator.verdict.more", x=a / b) if a >= b else t("translator.verdict.fewer", x=b / a)


def _name(model: str) -> str:
    """'Transformer' or 'GRU', as the verdict names them."""
    return t(f"translator.verdict.names.{model}")


def _one_reached(t_: dict, g: dict, rate: str) -> str:
    """The verdict when only one model reached 90%: did the other run enough steps to have got there?"""
    (won, first), lost = (("gru", g), t_) if t_["seconds_to_90"] is None else (("transformer", t_), g)
    head = t("translator.verdict.only", won=_name(won), seconds=first["seconds_to_90"])
    fields = {"ran": lost["steps"], "needed": first["steps_to_90"], "won": _name(won)}
    more = lost["steps"] >= first["steps_to_90"]
    why = t("translator.verdict.ran_more", **fields) if more else t("translator.verdict.ran_fewer", **fields)
    return t("translator.verdict.joined", head=head, rate=rate, why=why)


def verdict(result: RaceResult) -> str:
    """Which model reached 90% first, and which effect decided it: steps per second or steps needed."""
    t_, g = result.summary["transformer"], result.summary["gru"]
    rate = t(
        "translator.verdict.rate",
        t_rate=t_["steps_per_s"],
        g_rate=g["steps_per_s"],
        ratio=_times(t_["steps_per_s"], g["steps_per_s"]),
    )
    a, b = t_["seconds_to_90"], g["seconds_to_90"]
    if a is None and b is None:
        return t("translator.verdict.neither", rate=rate)
    if a is None or b is None:
        return _one_reached(t_, g, rate)
    need = t(
        "translator.verdict.need",
        t_steps=t_["steps_to_90"],
        g_steps=g["steps_to_90"],
        ratio=_times(t_["steps_to_90"], g["steps_to_90"]),
    )
    faster, fewer = t_["steps_per_s"] > g["steps_per_s"], t_["steps_to_90"] < g["steps_to_90"]
    if abs(a - b) <= result.config["eval_every"]:
        head = t("translator.verdict.tie", a=a, b=b)
        key = "translator.verdict.tie_cancelled" if faster != fewer else "translator.verdict.tie_joined"
        return t(key, head=head, rate=rate, need=need)
    won = "transformer" if a < b else "gru"
    head = t("translator.verdict.first", won=_name(won), first=min(a, b), second=max(a, b))
    if faster == fewer:
        why = t("translator.verdict.both_favour", model=_name("transformer" if faster else "gru"))
    elif (won == "transformer") == faster:
        why = t("translator.verdict.faster_won")
    else:
        why = t("translator.verdict.fewer_won")
    return t("translator.verdict.full", head=head, rate=rate, need=need, why=why)


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(t("translator.race.error", error=live.why(run)))
        return
    result: RaceResult = run.result
    cfg = result.config
    if result.stopped:
        st.info(t("translator.race.stopped", seconds=run.elapsed()))
    rows = pd.DataFrame(result.rows)
    _curves(rows, cfg["seconds"], "final")
    st.markdown(f"**{verdict(result)}**")
    summary = charts.summary_frame(result.summary)
    _summary_table(summary)
    learned = "learned" if result.diagonal_attention >= 0.5 else "not_learned"  # most weight, or not
    reads = "reads_reverse" if cfg["task"] == "reverse" else "reads"
    share = {"n": cfg["n_eval"], "layer": result.layer + 1, "share": result.diagonal_attention}
    st.markdown(f"{t(f'translator.race.{learned}')} {t(f'translator.race.{reads}', **share)}")
    frames = result.frames
    if frames:
        label = t("translator.race.replay")
        pick = st.slider(label, 1, len(frames), len(frames), key="race.frame")
        answer = toy.solve(cfg["task"], result.probe)
        _heatmap(frames[pick - 1], result.probe, answer, result.layer)
    left, right = st.columns(2)
    with left:
        download_csv(rows, t("translator.race.download_rows"), "race_curves.csv", "race.dl_rows")
    with right:
        download_csv(summary, t("translator.race.download_summary"), "race_summary.csv", "race.dl_summary")


FORMATS = {  # the summary's columns (English, as in its CSV) -> how the table shows them
    raw("final accuracy"): "{:.1%}",
    raw("seconds to 90%"): "{:.1f}",
    raw("steps to 90%"): "{:,.0f}",
    raw("steps per second"): "{:.1f}",
}


def _summary_table(summary: pd.DataFrame) -> None:
    """What the race measured, one row per model, headers and names in the learner's language."""
    shown = headers(summary.assign(model=summary["model"].map(model)))
    formats = {header(column): spec for column, spec in FORMATS.items()}
    st.dataframe(shown.style.format(formats, na_rep=t("translator.race.not_reached")), hide_index=True)
