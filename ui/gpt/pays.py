"""The GPT page's section 5: what pre-training buys a sentiment classifier, against fair baselines.

Everything drawn here was recorded when the shipped classifier was trained (`python -m engine.train
gpt_finetune`): the label-count curve of the four ways to read the labels, zero-shot accuracy, and the
pre-training's own curve of what it bought as it went. Only the classifier's verdict on the learner's
sentence is computed live.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.scripts import check_words
from engine.gpt import curve as gpt_curve
from engine.gpt import finetune as gpt_finetune
from engine.gpt.model import Trained
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.controls import DEFAULT_REVIEW, MAX_REVIEW_CHARS
from ui.text import say, t
from ui.widgets import cannot_read, download_csv, mirror_to_url, seed_from_url

RUN_COLUMNS = gpt_curve.COLUMNS
PROGRESS_COLUMNS = ("probe_test_100", "probe_test_500", "zero_shot_test")
CLAIM_LABELS = 100  # the label count the section's first sentence reads (the few-label point)
CLEAR_GAP = 0.05  # a gap in accuracy the sentence calls a win (5 points: about 53 of the 1,067 test sentences)


def runs_frame(meta: dict) -> pd.DataFrame:
    """Every recorded run: size, seed, start, test and validation accuracy, steps, seconds (the CSV)."""
    return pd.DataFrame({k: meta["history"][k] for k in RUN_COLUMNS})


def curve_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max test accuracy (and mean validation accuracy) per (labels, start) of `runs`."""
    return pd.DataFrame(gpt_curve.curve({k: runs[k].tolist() for k in ("size", "start", "accuracy", "val_accuracy")}))


def progress_frame(meta: dict) -> pd.DataFrame:
    """The pre-training's evaluations: minutes trained, few-label probe and zero-shot test accuracy, bits/char."""
    rows = meta["history"]["pretrain_curve"]
    frame = pd.DataFrame(
        [{k: r.get(k) for k in ("train_seconds", *PROGRESS_COLUMNS, "imdb_bits_per_char")} for r in rows]
    )
    return frame.assign(minutes=(frame.pop("train_seconds") / 60).round(1))


def claim(curve: pd.DataFrame, labels: int) -> tuple[str, dict]:
    """The key and figures of the sentence that says, at `labels` labels, whether pre-training paid."""
    at = curve[curve["labels"] == labels].set_index("start")["mean"]
    pre = max(at.get("pretrained", 0.0), at.get("probe", 0.0))
    figures = {"n": labels, "pre": pre, "scratch": at.get("scratch", 0.0), "tfidf": at.get("tfidf", 0.0)}
    if pre - figures["scratch"] >= CLEAR_GAP and pre > figures["tfidf"]:
        return "gpt.pays.claim_both", figures
    if pre - figures["scratch"] >= CLEAR_GAP:
        return "gpt.pays.claim_scratch", figures
    return "gpt.pays.claim_none", figures


def verdict(trained: Trained, sentence: str) -> tuple[str, float]:
    """The classifier's label for `sentence` ("positive" or "negative") and its P(positive)."""
    p = float(gpt_finetune.predict_positive(trained.model, trained.vocab, [sentence])[0])
    return ("positive" if p >= 0.5 else "negative"), p


def wide_table(curve: pd.DataFrame) -> None:
    """Mean test accuracy by labels (rows) and way (columns), headed in the page's language."""
    wide = curve.pivot(index="labels", columns="start", values="mean")
    wide = wide[[s for s in gpt_charts.START_COLOURS if s in wide.columns]].reset_index()
    wide = wide.rename(
        columns={"labels": t("gpt.pays.labels"), **{s: t(f"gpt.start.{s}") for s in gpt_charts.START_COLOURS}}
    )
    means = [c for c in wide.columns if c != t("gpt.pays.labels")]
    st.dataframe(wide.style.format("{:.3f}", subset=means), hide_index=True)


def _details(meta: dict, curve: pd.DataFrame, runs: pd.DataFrame, paid: bool) -> None:
    """What a learner opens to see how the curve was measured: the method, the table, zero-shot, the pre-training."""
    cfg, history, progress = meta["config"], meta["history"], progress_frame(meta)
    minutes, mb = progress["minutes"].max(), sum(history.get("pretrain_chars", {}).values()) / 1e6
    with st.expander(t("gpt.pays.details")):
        st.markdown(t("gpt.pays.method"))
        st.caption(t("gpt.pays.caption", seeds=cfg["seeds"], val=cfg["val_sentences"], n=meta["metrics"]["n"]))
        wide_table(curve)
        download_csv(runs, t("gpt.pays.download"), "finetune_runs.csv", "gpt.dl_runs")
        pair = history["zero_shot_choice"]["pair"]
        positive, negative = pair[0].strip(), pair[1].strip()
        st.markdown(t("gpt.pays.zero_shot", accuracy=history["zero_shot"], positive=positive, negative=negative))
        st.plotly_chart(gpt_charts.pretrain_progress(progress), key="gpt.pretrain_progress")
        st.caption(t("gpt.pays.progress_caption", minutes=minutes, mb=mb))
        download_csv(progress, t("gpt.pays.download_progress"), "pretraining_curve.csv", "gpt.dl_progress")
        if not paid:
            st.markdown(t("gpt.pays.scale", minutes=minutes, mb=mb))


def _review(loaded) -> None:
    seed_from_url("gpt.review", "review", DEFAULT_REVIEW, lambda s: len(s) <= MAX_REVIEW_CHARS)
    sentence = st.text_input(t("gpt.pays.review"), key="gpt.review", max_chars=MAX_REVIEW_CHARS)
    mirror_to_url({"review": sentence})
    if not sentence.strip() or cannot_read(check_words(sentence), t("gpt.pays.reader")):
        return
    label, p = verdict(loaded.trained, sentence)
    st.metric(t("gpt.pays.says"), t(f"gpt.pays.{label}"))
    st.progress(p, text=t("gpt.pays.progress", p=p))
    metrics = loaded.meta["metrics"]
    size = max(loaded.meta["history"]["size"])
    st.caption(t("gpt.pays.shipped", size=size, accuracy=metrics["accuracy"], n=metrics["n"]))


@st.fragment
def pretraining_pays() -> None:
    """The claim at few labels, the curves, zero-shot, the pre-training's progress, and the classifier on a sentence."""
    try:
        loaded = loaders.gpt_classifier()
    except CheckpointError as err:
        st.error(say(err))
        return
    runs = runs_frame(loaded.meta)
    curve = curve_frame(runs)
    key, figures = claim(curve, CLAIM_LABELS if CLAIM_LABELS in set(curve["labels"]) else int(curve["labels"].min()))
    st.markdown(t(key, **figures))
    st.plotly_chart(gpt_charts.finetune_curve(curve, loaded.meta["history"]["zero_shot"]), key="gpt.curve")
    _details(loaded.meta, curve, runs, key == "gpt.pays.claim_both")
    _review(loaded)


def how_pieces() -> None:
    """The "How it works" paragraph on section 5's GPT: its sizes, its pieces, its held-out bits per character."""
    try:
        loaded = loaders.gpt_classifier()
    except CheckpointError:
        return  # section 5 already said what is wrong
    history = loaded.meta["history"]
    cfg, metrics = history["pretrain_config"], history["pretrain_metrics"]
    best = [r for r in history["pretrain_curve"] if r.get("best")][-1]  # the state that was shipped
    sizes = {k: cfg[k] for k in ("n_layer", "d_model", "n_head", "context")}
    scores = {"bits": metrics["bits_per_char"], "char_bits": metrics["char_gpt_bits_per_char"]}
    minutes, steps = best["train_seconds"] / 60, best["step"]
    st.markdown(t("gpt.how.pieces", **sizes, **scores, vocab=len(loaded.trained.vocab), minutes=minutes, steps=steps))
