"""Section 6: what parallel training buys, shown first by the two shipped translators, then by its cause."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.translator import explain, race, steps
from engine.translator.steps import StepConfig
from engine.translator.train import Shipped
from ui import live
from ui.text import raw, t
from ui.translator import charts as translator_charts
from ui.translator import race_charts as charts
from ui.translator.labels import ENGLISH, decoding, headers, model
from ui.widgets import download_csv

KEY = "race.steps"
POLL = 1.0  # seconds between redraws while the live measurement runs
LIMIT = 120.0  # seconds the live measurement may take (about 10 on an idle core)
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
    return t("translator.parallel.ratio", low=ratio[lo], lo=lo, high=ratio[hi], hi=hi)


def _outcome(shipped: Shipped) -> str:
    """One line: the same CPU time, and what each translator scored on the test split."""
    tm, g = shipped.meta["metrics"], shipped.gru_meta["metrics"]
    minutes = shipped.meta["history"]["cpu_seconds"][-1] / 60
    return t(
        "translator.parallel.outcome",
        minutes=minutes,
        t_exact=tm["exact"],
        t_chrf=tm["chrf"],
        g_exact=g["exact"],
        g_chrf=g["chrf"],
    )


def parallel_section(shipped: Shipped) -> None:
    """(a) the recorded training curves of both translators; (b) step time and sequential steps by length."""
    if shipped.gru is None:
        st.warning(t("translator.parallel.missing", command=raw("python -m engine.train rnn_translator")))
        return
    curves = explain.training_curves(
        {ENGLISH["transformer"]: shipped.meta["history"], ENGLISH["gru"]: shipped.gru_meta["history"]}
    )
    recorded = steps.recorded_step_times()
    a, b, c = st.columns(3)
    a.plotly_chart(charts.training_chrf(curves), key="mt.bleu")
    a.caption(_outcome(shipped))
    lengths = list(steps.STEP_LENGTHS)
    if recorded is not None:
        frame = step_frame(recorded)
        b.plotly_chart(charts.step_times(frame, t("translator.parallel.recorded_title")), key="mt.steps")
        b.caption(t("translator.parallel.recorded", ratio=ratio_line(frame), command=recorded["command"]))
        lengths = recorded["lengths"]
    else:
        b.info(t("translator.parallel.unrecorded", command=raw("python -m engine.experiment steps --record")))
    c.plotly_chart(charts.sequential(sequential_frame(lengths)), key="mt.sequential")
    with b:
        live.section(KEY, t("translator.parallel.measure"), LIMIT, steps.live_steps, LIVE, _watch, _results)
    with st.expander(t("translator.parallel.more")):
        _read_more(shipped, curves)


def _read_more(shipped: Shipped, curves: pd.DataFrame) -> None:
    sizes = race.RaceConfig()
    st.markdown(t("translator.parallel.more_body", layers=sizes.layers, width=sizes.width, batch=LIVE.batch))
    loss = translator_charts.curves(
        curves, "val_loss", t("translator.parallel.loss_title"), t("translator.parallel.loss")
    )
    st.plotly_chart(loss, key="mt.loss")
    models = {
        ENGLISH["transformer"]: (shipped.transformer.model, shipped.meta),
        ENGLISH["gru"]: (shipped.gru.model, shipped.gru_meta),
    }
    table = explain.comparison(models)
    shown = table.assign(model=table["model"].map(model), decoding=table["decoding"].map(decoding))
    st.dataframe(headers(shown), hide_index=True)
    download_csv(curves, t("translator.parallel.download_curves"), "training_curves.csv", "mt.dl_curves")


@st.fragment(run_every=POLL)
def _watch() -> None:
    """Redrawn while the measurement runs: the lengths timed so far."""
    run = live.watched(KEY)
    cfg: StepConfig = run.config
    rows = list(run.events)
    done = len({r["length"] for r in rows if r["model"] == race.NAMES[-1]})
    st.progress(done / len(cfg.lengths), text=t("translator.parallel.timing", done=done, total=len(cfg.lengths)))
    if rows:
        st.plotly_chart(
            charts.step_times(pd.DataFrame(rows), t("translator.parallel.live_title")), key="race.steps_live"
        )


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(t("translator.parallel.error", error=live.why(run)))
        return
    measured = run.result.as_json()
    if not measured["lengths"]:
        st.info(t("translator.parallel.stopped"))
        return
    frame = step_frame(measured)
    st.plotly_chart(charts.step_times(frame, t("translator.parallel.live_title")), key="race.steps_mine")
    st.caption(t("translator.parallel.just_now", ratio=ratio_line(frame)))
    download_csv(frame, t("translator.parallel.download_steps"), "step_times.csv", "race.dl_steps")
