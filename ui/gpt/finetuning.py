"""The GPT page's fine-tuning sections: what pre-training buys a classifier, and a private fine-tuned copy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.gpt import finetune as gpt_finetune
from engine.gpt.explain import MAX_ADAPT_CHARS
from engine.gpt.model import Trained
from engine.gpt.sample import sample
from engine.gpt.train import MIN_ADAPT_CHARS, Adapted, adapt
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt import names
from ui.gpt.controls import DEFAULT_REVIEW, MAX_ADAPT_PROMPT_CHARS, MAX_REVIEW_CHARS, adapt_steps_label
from ui.gpt.likelihood import read_text, readable
from ui.text import raw, say, t
from ui.text import table as tables
from ui.widgets import Limit, download_csv, mirror_to_url, seed_from_url, uploaded

RUN_COLUMNS = ("size", "seed", "start", "accuracy", "seconds")
START_NAMES = {"pretrained": "pre-trained", "scratch": raw("from scratch")}  # as the curve's frame names them
ADAPT_TEMPERATURE = 0.8  # both models of "make it yours" sample at this temperature


def runs_frame(meta: dict) -> pd.DataFrame:
    """Every recorded fine-tuning run: size, seed, start, accuracy, seconds (the CSV the curve is drawn from)."""
    return pd.DataFrame({k: meta["history"][k] for k in RUN_COLUMNS})


def curve_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max accuracy per (labels, start) of `runs`, with the starts named as on the chart."""
    curve = pd.DataFrame(gpt_finetune.curve({k: runs[k].tolist() for k in ("size", "start", "accuracy")}))
    return curve.assign(start=curve["start"].map(START_NAMES))


def verdict(trained: Trained, sentence: str) -> tuple[str, float]:
    """The classifier's label for `sentence` ("positive" or "negative") and its P(positive)."""
    p = float(gpt_finetune.predict_positive(trained.model, trained.vocab, [sentence])[0])
    return ("positive" if p >= 0.5 else "negative"), p


@st.fragment
def pretraining_pays() -> None:
    """The fine-tuning curves and the fine-tuned classifier on the user's sentence."""
    try:
        loaded = loaders.gpt_classifier()
    except CheckpointError as err:
        st.error(say(err))
        return
    meta, cfg, metrics = loaded.meta, loaded.meta["config"], loaded.meta["metrics"]
    runs = runs_frame(meta)
    curve = curve_frame(runs)
    st.plotly_chart(gpt_charts.finetune_curve(curve), key="gpt.curve")
    least, most = cfg["min_examples"], cfg["max_examples"]
    st.caption(t("gpt.pays.caption", seeds=cfg["seeds"], least=least, most=most, n=metrics["n"]))
    wide_table(curve)
    download_csv(runs, t("gpt.pays.download"), "finetune_runs.csv", "gpt.dl_runs")
    seed_from_url("gpt.review", "review", DEFAULT_REVIEW, lambda s: len(s) <= MAX_REVIEW_CHARS)
    sentence = st.text_input(t("gpt.pays.review"), key="gpt.review", max_chars=MAX_REVIEW_CHARS)
    mirror_to_url({"review": sentence})
    if sentence.strip():
        label, p = verdict(loaded.trained, sentence)
        st.metric(t("gpt.pays.says"), t(f"gpt.pays.{label}"))
        st.progress(p, text=t("gpt.pays.progress", p=p))
        size, accuracy = max(meta["history"]["size"]), metrics["accuracy"]
        st.caption(t("gpt.pays.shipped", size=size, accuracy=accuracy, n=metrics["n"]))


def wide_table(curve: pd.DataFrame) -> None:
    """Mean accuracy by labels (rows) and start (columns), headed in the page's language."""
    wide = curve.pivot(index="labels", columns="start", values="mean").reset_index()
    wide = wide.rename(columns={"labels": t("gpt.pays.labels"), **names.starts()})
    means = [c for c in wide.columns if c != t("gpt.pays.labels")]
    st.dataframe(wide.style.format("{:.3f}", subset=means), hide_index=True)


def _adapt_under_lock(trained: Trained, text: str, steps: int) -> Adapted | None:
    lock = loaders.finetune_lock()
    if not lock.acquire(blocking=False):
        st.warning(t("gpt.adapt.busy"))
        return None
    try:
        bar, chart = st.progress(0.0, text=t("gpt.adapt.progress")), st.empty()
        losses: list[float] = []

        def on_step(step: int, total: int, loss: float) -> None:
            losses.append(loss)
            if step % 5 == 0 or step == total:
                bar.progress(step / total, text=t("gpt.adapt.progress_step", step=step, total=total))
                chart.plotly_chart(gpt_charts.loss_curve(losses, total), key=f"gpt.live_loss{step}")

        return adapt(trained, text, steps, on_step=on_step)
    finally:
        lock.release()


def english(key: str) -> str:
    """The English template of `key`, unfilled."""
    return tables("en")[key]


def adapt_text(data: bytes) -> tuple[str, str | None]:
    """A text file to fine-tune on (its first MAX_ADAPT_CHARS characters) and a note if it was cut."""
    text, note = read_text(data, MAX_ADAPT_CHARS)
    if len(text) < MIN_ADAPT_CHARS:
        key = "gpt.errors.upload_too_short"  # its English template is the English table's
        raise InputError(english(key), key=key, n=len(text), least=MIN_ADAPT_CHARS)
    return text, note


def _both_samples(trained: Trained, adapted: Adapted, table: dict[str, Limit]) -> None:
    """The original and the fine-tuned copy continue one prompt with one seed."""
    prompt = st.text_input(t("gpt.adapt.prompt"), "", key="gpt.adapt_prompt", max_chars=MAX_ADAPT_PROMPT_CHARS)
    seeds = table["adapt_seed"]
    seed = st.number_input(t("gpt.adapt.seed"), seeds.lo, seeds.hi, seeds.default, key="gpt.adapt_seed")
    length = table["adapt_chars"].default
    titles = (t("gpt.adapt.original"), t("gpt.adapt.yours"))
    for col, title, model in zip(st.columns(2), titles, (trained, adapted.trained), strict=True):
        text = "".join(c for c, _ in sample(model, prompt, length, ADAPT_TEMPERATURE, seed=int(seed)))
        col.markdown(f"**{title}**")
        col.code(prompt + text, language=None, wrap_lines=True)


@st.fragment
def make_it_yours(trained: Trained, table: dict[str, Limit]) -> None:
    """Fine-tune a private copy on an uploaded text, then sample from it next to the original."""
    label = t("gpt.adapt.upload", least=MIN_ADAPT_CHARS, most=MAX_ADAPT_CHARS)
    upload = uploaded(label, ["txt"], "gpt.adapt_upload", adapt_text)
    steps_limit = table["steps"]
    steps = st.slider(
        adapt_steps_label(trained),
        steps_limit.lo,
        steps_limit.hi,
        steps_limit.default,
        steps_limit.step,
        key="gpt.steps",
    )
    if upload is None and st.session_state.get("gpt.adapt_upload") is not None:
        return  # a file was refused, and `uploaded` said why
    if upload is not None and readable(trained, upload[0]):
        text, note = upload
        if note:
            st.info(note)
        if st.button(t("gpt.adapt.button"), key="gpt.adapt_go", type="primary"):
            adapted = _adapt_under_lock(trained, text, steps)
            if adapted is not None:
                st.session_state["gpt.mine"] = (st.session_state["gpt.adapt_upload"].name, adapted)
    mine = st.session_state.get("gpt.mine")
    if mine is None:
        st.caption(t("gpt.adapt.private"))
        return
    name, adapted = mine
    st.plotly_chart(gpt_charts.loss_curve(adapted.losses, len(adapted.losses)), key="gpt.loss")
    st.text(t("gpt.adapt.fine_tuned_on", name=name))
    st.markdown(t("gpt.adapt.result", before=adapted.before_bpc, after=adapted.after_bpc))
    _both_samples(trained, adapted, table)
