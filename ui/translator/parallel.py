"""Section 6: what parallel training buys, shown first by the two shipped translators, then by its cause."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.translator import explain, race, steps
from engine.translator.steps import StepConfig
from engine.translator.train import Shipped
from ui import live
from ui.translator import charts as translator_charts
from ui.translator import race_charts as charts
from ui.widgets import download_csv

KEY = "race.steps"
POLL = 1.0  # seconds between redraws while the live measurement runs
LIMIT = 120.0  # seconds the live measurement may take (about 10 on an idle core)
TITLE = "One training step, this server"  # while it runs and once it has ended
LIVE = StepConfig()  # the live measurement times what the recorded one did


def step_frame(measured: dict) -> pd.DataFrame:
    """Columns length, model, ms from a step-time measurement's JSON ({"lengths", "<model>_ms"})."""
    rows = [
        {"length": length, "model": name, "ms": ms}
        for name in race.NAMES
        for length, ms in zip(measured["lengths"], measured[f"{name}_ms"], strict=True)
    ]
    return pd.DataFrame(rows)


def sequential_frame(lengths: list[int]) -> pd.DataFrame:
    """Columns length, model, steps: the computations of one forward pass that wait for the one before."""
    rows = [{"length": n, "model": m, "steps": steps.sequential_steps(m, n)} for m in race.NAMES for n in lengths]
    return pd.DataFrame(rows)


def ratio_line(frame: pd.DataFrame) -> str:
    """'A GRU step takes 1.3x a Transformer step at 4 letters and 3.0x at 30', from a step-time frame."""
    ms = frame.pivot(index="length", columns="model", values="ms")
    ratio = ms["gru"] / ms["transformer"]
    lo, hi = ratio.index.min(), ratio.index.max()
    return f"A GRU step takes {ratio[lo]:.1f}x a Transformer step at {lo} letters and {ratio[hi]:.1f}x at {hi}"


def _outcome(shipped: Shipped) -> str:
    """One line: the same CPU time, and what each translator scored on the test split."""
    t, g = shipped.meta["metrics"], shipped.gru_meta["metrics"]
    minutes = shipped.meta["history"]["cpu_seconds"][-1] / 60
    return (
        f"After the same {minutes:.0f} CPU minutes: Transformer {t['exact']:.0%} of unseen everyday sentences "
        f"exactly right, chrF {t['chrf']:.1f}; GRU {g['exact']:.0%}, chrF {g['chrf']:.1f}."
    )


def parallel_section(shipped: Shipped) -> None:
    """(a) the recorded training curves of both translators; (b) step time and sequential steps by length."""
    if shipped.gru is None:
        st.warning("The GRU baseline checkpoint is missing; rebuild it with: python -m engine.train rnn_translator")
        return
    curves = explain.training_curves(
        {"Transformer": shipped.meta["history"], "GRU + attention": shipped.gru_meta["history"]}
    )
    recorded = steps.recorded_step_times()
    a, b, c = st.columns(3)
    a.plotly_chart(charts.training_chrf(curves), key="mt.bleu")
    a.caption(_outcome(shipped))
    lengths = list(steps.STEP_LENGTHS)
    if recorded is not None:
        frame = step_frame(recorded)
        b.plotly_chart(charts.step_times(frame, "One training step, recorded"), key="mt.steps")
        b.caption(f"{ratio_line(frame)}. Recorded: `{recorded['command']}`.")
        lengths = recorded["lengths"]
    else:
        b.info("No recorded step times: measure them below, or run python -m engine.experiment steps --record")
    c.plotly_chart(charts.sequential(sequential_frame(lengths)), key="mt.sequential")
    with b:
        live.section(KEY, "Measure it on this server", LIMIT, steps.live_steps, LIVE, _watch, _results)
    with st.expander("Read more: the two translators and how these were measured"):
        _read_more(shipped, curves)


def _read_more(shipped: Shipped, curves: pd.DataFrame) -> None:
    sizes = race.RaceConfig()
    st.markdown(
        "Both translators were trained side by side on the same data for the same CPU time, one thread each; "
        "chrF counts the character sequences a translation shares with the reference. The step times are the "
        f"race's models (a Transformer with {sizes.layers} layer each side and a GRU encoder-decoder with attention, "
        f"both {sizes.width} wide): one optimiser step (forward, backward, Adam) on {LIVE.batch} strings of one "
        "length, the median of several, the two models taking turns. They are the CPU time of one thread, not "
        "the wall clock, which on a shared server also counts other visitors' work. The sequential steps are "
        "counted from the models: the GRU's encoder reads the string and its end mark one position after "
        "another and its decoder writes the answer the same way, while each Transformer layer handles every "
        "position at once, so only its layers wait for each other."
    )
    st.plotly_chart(
        translator_charts.curves(curves, "val_loss", "Validation loss (label-smoothed)", "loss"), key="mt.loss"
    )
    models = {
        "Transformer": (shipped.transformer.model, shipped.meta),
        "GRU + attention": (shipped.gru.model, shipped.gru_meta),
    }
    st.dataframe(explain.comparison(models), hide_index=True)
    download_csv(curves, "Training curves (CSV)", "training_curves.csv", "mt.dl_curves")


@st.fragment(run_every=POLL)
def _watch() -> None:
    """Redrawn while the measurement runs: the lengths timed so far."""
    run = live.watched(KEY)
    cfg: StepConfig = run.config
    rows = list(run.events)
    done = len({r["length"] for r in rows if r["model"] == race.NAMES[-1]})
    st.progress(done / len(cfg.lengths), text=f"Timing both models... {done} of {len(cfg.lengths)} lengths")
    if rows:
        st.plotly_chart(charts.step_times(pd.DataFrame(rows), TITLE), key="race.steps_live")


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(f"The measurement stopped with an error: {run.error}")
        return
    measured = run.result.as_json()
    if not measured["lengths"]:
        st.info("Stopped before the first length was timed.")
        return
    frame = step_frame(measured)
    st.plotly_chart(charts.step_times(frame, TITLE), key="race.steps_mine")
    st.caption(f"{ratio_line(frame)} on this server just now (one thread, while it serves other visitors).")
    download_csv(frame, "Step times (CSV)", "step_times.csv", "race.dl_steps")
