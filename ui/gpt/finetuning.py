"""The GPT page's fine-tuning sections: what pre-training buys a classifier, and a private fine-tuned copy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.gpt import finetune as gpt_finetune
from engine.gpt.explain import MAX_ADAPT_CHARS, read_upload
from engine.gpt.model import Trained
from engine.gpt.sample import sample
from engine.gpt.train import MIN_ADAPT_CHARS, Adapted, adapt
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.controls import DEFAULT_REVIEW, MAX_ADAPT_PROMPT_CHARS, MAX_REVIEW_CHARS, adapt_steps_label
from ui.gpt.likelihood import readable
from ui.widgets import Limit, download_csv, mirror_to_url, seed_from_url, uploaded

RUN_COLUMNS = ("size", "seed", "start", "accuracy", "seconds")
START_NAMES = {"pretrained": "pre-trained", "scratch": "from scratch"}
ADAPT_TEMPERATURE = 0.8  # both models of "make it yours" sample at this temperature


def runs_frame(meta: dict) -> pd.DataFrame:
    """Every recorded fine-tuning run: size, seed, start, accuracy, seconds (the CSV the curve is drawn from)."""
    return pd.DataFrame({k: meta["history"][k] for k in RUN_COLUMNS})


def curve_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max accuracy per (labels, start) of `runs`, with the starts named as on the chart."""
    curve = pd.DataFrame(gpt_finetune.curve({k: runs[k].tolist() for k in ("size", "start", "accuracy")}))
    return curve.assign(start=curve["start"].map(START_NAMES))


def verdict(trained: Trained, sentence: str) -> tuple[str, float]:
    """The classifier's label for `sentence` and its P(positive)."""
    p = float(gpt_finetune.predict_positive(trained.model, trained.vocab, [sentence])[0])
    return ("positive" if p >= 0.5 else "negative"), p


@st.fragment
def pretraining_pays() -> None:
    """The fine-tuning curves and the fine-tuned classifier on the user's sentence."""
    try:
        loaded = loaders.gpt_classifier()
    except CheckpointError as err:
        st.error(str(err))
        return
    meta, cfg, metrics = loaded.meta, loaded.meta["config"], loaded.meta["metrics"]
    runs = runs_frame(meta)
    curve = curve_frame(runs)
    st.plotly_chart(gpt_charts.finetune_curve(curve), key="gpt.curve")
    st.caption(
        f"{cfg['seeds']} runs per point, each with its own label subset and seed; every run sees "
        f"{cfg['min_examples']:,} to {cfg['max_examples']:,} examples (small sets are repeated), so the last points "
        f"are under-trained on purpose: the budget is the same for both starts. Test: {metrics['n']:,} held-out "
        "sentences."
    )
    wide = curve.pivot(index="labels", columns="start", values="mean").reset_index()
    st.dataframe(wide.style.format("{:.3f}", subset=[c for c in wide.columns if c != "labels"]), hide_index=True)
    download_csv(runs, "Every fine-tuning run (CSV)", "finetune_runs.csv", "gpt.dl_runs")
    seed_from_url("gpt.review", "review", DEFAULT_REVIEW, lambda s: len(s) <= MAX_REVIEW_CHARS)
    sentence = st.text_input("A sentence for the fine-tuned classifier", key="gpt.review", max_chars=MAX_REVIEW_CHARS)
    mirror_to_url({"review": sentence})
    if sentence.strip():
        label, p = verdict(loaded.trained, sentence)
        st.metric("Fine-tuned GPT says", label)
        st.progress(p, text=f"P(positive) = {p:.2f}")
        st.caption(
            f"The shipped classifier was fine-tuned on all {max(meta['history']['size']):,} labelled sentences; "
            f"it scores {metrics['accuracy']:.1%} on {metrics['n']:,} held-out ones."
        )


def _adapt_under_lock(trained: Trained, text: str, steps: int) -> Adapted | None:
    lock = loaders.finetune_lock()
    if not lock.acquire(blocking=False):
        st.warning("Another visitor's fine-tune is running (one at a time per server). Try again in a minute.")
        return None
    try:
        bar, chart = st.progress(0.0, text="Fine-tuning a copy..."), st.empty()
        losses: list[float] = []

        def on_step(step: int, total: int, loss: float) -> None:
            losses.append(loss)
            if step % 5 == 0 or step == total:
                bar.progress(step / total, text=f"Fine-tuning a copy... step {step}/{total}")
                chart.plotly_chart(gpt_charts.loss_curve(losses, total), key=f"gpt.live_loss{step}")

        return adapt(trained, text, steps, on_step=on_step)
    finally:
        lock.release()


def adapt_text(data: bytes) -> tuple[str, str | None]:
    """A text file to fine-tune on (its first MAX_ADAPT_CHARS characters) and a note if it was cut."""
    text, note = read_upload(data, MAX_ADAPT_CHARS)
    if len(text) < MIN_ADAPT_CHARS:
        raise InputError(f"it has {len(text)} characters; fine-tuning needs at least {MIN_ADAPT_CHARS}.")
    return text, note


def _both_samples(trained: Trained, adapted: Adapted, table: dict[str, Limit]) -> None:
    """The original and the fine-tuned copy continue one prompt with one seed."""
    prompt = st.text_input(
        "Prompt for both models (empty: start a new line)", "", key="gpt.adapt_prompt", max_chars=MAX_ADAPT_PROMPT_CHARS
    )
    seeds = table["adapt_seed"]
    seed = st.number_input("Seed", seeds.lo, seeds.hi, seeds.default, key="gpt.adapt_seed")
    length = table["adapt_chars"].default
    for col, title, model in zip(
        st.columns(2), ("Original GPT", "Your fine-tuned copy"), (trained, adapted.trained), strict=True
    ):
        text = "".join(c for c, _ in sample(model, prompt, length, ADAPT_TEMPERATURE, seed=int(seed)))
        col.markdown(f"**{title}**")
        col.code(prompt + text, language=None, wrap_lines=True)


@st.fragment
def make_it_yours(trained: Trained, table: dict[str, Limit]) -> None:
    """Fine-tune a private copy on an uploaded text, then sample from it next to the original."""
    label = (
        f"A UTF-8/UTF-16 .txt to learn from, at least {MIN_ADAPT_CHARS} characters, "
        f"of which the first {MAX_ADAPT_CHARS:,} are used"
    )
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
        if st.button("Fine-tune a copy", key="gpt.adapt_go", type="primary"):
            adapted = _adapt_under_lock(trained, text, steps)
            if adapted is not None:
                st.session_state["gpt.mine"] = (st.session_state["gpt.adapt_upload"].name, adapted)
    mine = st.session_state.get("gpt.mine")
    if mine is None:
        st.caption("The shared model is never changed: the copy lives in your session only.")
        return
    name, adapted = mine
    st.plotly_chart(gpt_charts.loss_curve(adapted.losses, len(adapted.losses)), key="gpt.loss")
    st.text(f"Fine-tuned on: {name}")
    st.markdown(
        "On the last 10% of your file, held out from the fine-tune: "
        f"{adapted.before_bpc:.3f} bits per character before, **{adapted.after_bpc:.3f}** after."
    )
    _both_samples(trained, adapted, table)
