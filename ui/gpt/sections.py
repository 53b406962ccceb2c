"""The GPT page's sections. Sampling reruns the page (the step inspector reads its result); the
others are fragments, so moving their widgets reruns only that section."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.gpt import finetune as gpt_finetune
from engine.gpt import model as gpt
from engine.gpt.explain import MAX_LADDER_CHARS, gpt_rungs, ladder
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.tables import (
    MAX_ADAPT_CHARS,
    MAX_SCORE_CHARS,
    SHOWN_CHARS,
    Setting,
    candidates,
    chosen_rank,
    comparison_texts,
    read_upload,
    score_frame,
)
from ui.widgets import download_csv, in_range, mirror_to_url, seed_from_url

DEFAULT_PROMPT = "ROMEO:\nBut soft, what light"
DEFAULT_SCORE_TEXT = "The quick brown fox jumps over the lazy dog, and the dog does not mind at all."
SAMPLES = "gpt.samples"  # session key: (settings key, [text A, text B], steps of A)


def _setting_controls(side: str, vocab_size: int, default: Setting) -> Setting:
    seed_from_url(f"gpt.t_{side}", f"t{side}", default.temperature, in_range(0.1, 2.0))
    seed_from_url(f"gpt.k_{side}", f"k{side}", default.top_k, in_range(0, vocab_size))
    seed_from_url(f"gpt.p_{side}", f"p{side}", default.top_p, in_range(0.05, 1.0))
    t = st.slider(
        "Temperature", 0.1, 2.0, step=0.05, key=f"gpt.t_{side}", help="Divides the logits: <1 sharper, >1 flatter."
    )
    k = st.slider("Top-k (0 = off)", 0, vocab_size, key=f"gpt.k_{side}", help="Keep only the k most likely characters.")
    p = st.slider(
        "Top-p (1 = off)",
        0.05,
        1.0,
        step=0.05,
        key=f"gpt.p_{side}",
        help="Keep the most likely characters until their mass reaches p (nucleus sampling).",
    )
    mirror_to_url({f"t{side}": t, f"k{side}": k, f"p{side}": p})
    return Setting(t, k, p)


def _draw(trained: tuple, key: tuple, boxes: list) -> tuple:
    """Draw both samples, streaming them into `boxes`; (key, [text A, text B], steps of A)."""
    prompt, length, seed, settings = key
    streams = [
        gpt.sample(trained, prompt, length, s.temperature, s.top_k, s.top_p, seed=seed, record=(i == 0))
        for i, s in enumerate(settings)
    ]
    texts, steps = ["", ""], []
    bar = st.progress(0.0, text="Sampling...")
    for n, pair in enumerate(zip(*streams, strict=True), start=1):
        for i, (char, step) in enumerate(pair):
            texts[i] += char
            if step is not None:
                steps.append(step)
        if n % 10 == 0 or n == length:
            for box, text in zip(boxes, texts, strict=True):
                box.code(prompt + text, language=None, wrap_lines=True)
            bar.progress(n / length, text=f"Sampling... {n}/{length} characters")
    bar.empty()
    return key, texts, steps


def sampling(trained: tuple) -> None:
    """Prompt and two settings; both texts stream in as they are drawn with the same seed."""
    vocab_size = len(trained[1])
    seed_from_url("gpt.prompt", "prompt", DEFAULT_PROMPT, lambda s: len(s) <= 500)
    seed_from_url("gpt.length", "n", 300, in_range(20, 1000))
    seed_from_url("gpt.seed", "seed", 0, in_range(0, 2**31 - 1))
    prompt = st.text_area("Prompt (the model continues it)", key="gpt.prompt", max_chars=500, height=90)
    a, b = st.columns(2)
    length = a.slider("Characters to generate", 20, 1000, step=10, key="gpt.length")
    seed = b.number_input("Seed (the same seed draws the same text)", 0, 2**31 - 1, step=1, key="gpt.seed")
    mirror_to_url({"prompt": prompt, "n": length, "seed": seed})
    columns, settings, boxes = st.columns(2), [], []
    for side, col, default in zip("ab", columns, (Setting(0.8, 0, 1.0), Setting(1.2, 0, 0.9)), strict=True):
        with col:
            st.markdown(f"**Setting {side.upper()}**")
            settings.append(_setting_controls(side, vocab_size, default))
            boxes.append(st.empty())
    key = (prompt, length, seed, tuple(settings))
    stored = st.session_state.get(SAMPLES)
    if stored is None or stored[0] != key:
        # The same seed draws the same text, so a sample any session finished is reused, not redrawn.
        stored = loaders.shared_samples().get(key)
        if stored is None:
            stored = _draw(trained, key, boxes)
            loaders.shared_samples().put(key, stored)
        st.session_state[SAMPLES] = stored
    texts = stored[1]
    for box, text in zip(boxes, texts, strict=True):
        box.code(prompt + text, language=None, wrap_lines=True)
    st.caption(f"A: {settings[0].label()} · B: {settings[1].label()} · the prompt is shown before each continuation.")
    download_csv(
        pd.DataFrame(
            {"setting": ["A", "B"], "settings": [s.label() for s in settings], "prompt": prompt, "text": texts}
        ),
        "Both samples (CSV)",
        "samples.csv",
        "gpt.dl_samples",
    )


@st.fragment
def one_step(trained: tuple) -> None:
    """One drawn character of sample A: candidates, cut mass, entropy, rank, and attention."""
    stored = st.session_state.get(SAMPLES)
    if not stored or not stored[2]:
        st.info("Generate a sample above first.")
        return
    steps: list[gpt.Step] = stored[2]
    model, vocab = trained
    st.session_state["gpt.pos"] = min(st.session_state.get("gpt.pos", 12), len(steps))
    position = st.slider("Generated character of sample A", 1, len(steps), key="gpt.pos")
    step = steps[position - 1]
    char = vocab.chars[step.chosen]
    cols = st.columns(5)
    cols[0].metric("Drawn", gpt_charts.show_char(char))
    cols[1].metric("Its rank", chosen_rank(step))
    cols[2].metric("Its probability", f"{float(step.probs[step.chosen]):.3f}")
    cols[3].metric("Entropy", f"{gpt.entropy_bits(step.probs):.2f} bits")
    cols[4].metric("Mass cut by top-k/top-p", f"{step.cut_mass:.3f}")
    table = candidates(trained, step)
    st.plotly_chart(
        gpt_charts.candidates_chart(
            table, f"The 15 most likely characters after {len(step.context)} characters of context"
        ),
        key="gpt.cands",
    )
    a, b = st.columns(2)
    layer = a.selectbox("Layer", range(1, model.cfg.n_layer + 1), index=model.cfg.n_layer - 1, key="gpt.layer")
    head = b.selectbox("Head", range(1, model.cfg.n_head + 1), key="gpt.head")
    weights = step.attention[layer - 1][head - 1].numpy()
    top = int(weights.argmax())
    st.plotly_chart(
        gpt_charts.attention_bars(
            step.context, weights, f"Layer {layer}, head {head}: where the newest position looks"
        ),
        key="gpt.attn",
    )
    st.caption(
        f"The model read {len(step.context)} characters (a '↵' starts the text). This head puts "
        f"{weights[top]:.0%} of its attention on position {top} ({gpt_charts.show_char(step.context[top])})."
    )
    download_csv(table, "Candidates at this step (CSV)", "candidates.csv", "gpt.dl_cands")


@st.cache_data(max_entries=128, show_spinner=False)
def _score(text: str) -> gpt.Score:
    """A text's score under the shared model (keyed by content; nothing of one session is shown to another)."""
    return gpt.score_text(loaders.gpt_model()[0], text)


@st.fragment
def likelihood(trained: tuple, meta: dict) -> None:
    """Sections 3 and 4 in one fragment: the model ladder follows the text scored above it."""
    _likelihood(trained, meta)
    markov_to_attention(meta)


def _likelihood(trained: tuple, meta: dict) -> None:
    """Paste or upload a text: its log-likelihood, bits per character, perplexity and surprisal map."""
    st.session_state.pop("gpt.scored_text", None)  # set again below once a text is scored
    seed_from_url("gpt.score_text", "text", DEFAULT_SCORE_TEXT, lambda s: len(s) <= 2000)
    typed = st.text_area("Text to score", key="gpt.score_text", max_chars=MAX_SCORE_CHARS, height=100)
    upload = st.file_uploader(
        f"...or a UTF-8/UTF-16 .txt file (up to 10 MB; the first {MAX_SCORE_CHARS:,} characters are scored)",
        type=["txt"],
        key="gpt.score_upload",
    )
    if len(typed) <= 2000:
        mirror_to_url({"text": typed})
    text = typed
    if upload is not None:
        st.text(f"File: {upload.name}")
        try:
            text, note = read_upload(upload.getvalue(), MAX_SCORE_CHARS)
        except InputError as err:
            st.error(f"Cannot use this file: {err}")
            return
        if note:
            st.info(note)
    if not text:
        st.warning("Type or upload some text to score.")
        return
    st.session_state["gpt.scored_text"] = text
    texts = comparison_texts(text)
    with st.spinner("Scoring..."):
        scores = {name: _score(t) for name, t in texts.items()}
    mine = scores["your text"]
    cols = st.columns(4)
    unknown = int((~mine.known).sum())
    cols[0].metric("log p(text)", f"{mine.total_nats:,.1f} nats")
    cols[1].metric("Bits per character", f"{mine.bits_per_char:.3f}")
    cols[2].metric("Perplexity", f"{mine.perplexity:.2f}")
    cols[3].metric("Characters", f"{len(text):,}")
    st.caption(
        f"log₂ p(text) = {mine.total_nats / math.log(2):,.1f} bits. "
        + (
            f"{unknown:,} character(s) never appeared in training; they all share one stand-in symbol, which the "
            "model almost never predicts, so they cost many bits each."
            if unknown
            else "Every character appeared in training."
        )
    )
    frame = score_frame(mine)
    shown = min(len(text), SHOWN_CHARS)
    st.plotly_chart(gpt_charts.surprisal_grid(text[:shown], frame["surprisal_bits"].to_numpy()[:shown]), key="gpt.grid")
    if shown < len(text):
        st.caption(f"The first {shown:,} of {len(text):,} characters are drawn; the CSV has them all.")
    compare = pd.DataFrame(
        [{"text": name, "bits per char": s.bits_per_char, "characters": len(s.text)} for name, s in scores.items()]
    )
    st.plotly_chart(
        gpt_charts.bpc_bars(compare, "text", "Bits per character: your text among others (lower = more expected)"),
        key="gpt.compare",
    )
    a, b = st.columns(2)
    with a:
        download_csv(frame, "Per-character log-probabilities (CSV)", "per_char.csv", "gpt.dl_chars")
    with b:
        download_csv(compare, "Comparison (CSV)", "comparison.csv", "gpt.dl_compare")


@st.cache_data(max_entries=32, show_spinner=False)
def _ladder(text: str) -> tuple[pd.DataFrame, str | None]:
    """The four models on the held-out scenes and on `text`, and a note if some are missing."""
    trained, meta = loaders.gpt_model()
    gpt_lls = _score(text[:MAX_LADDER_CHARS]).log_likelihoods  # section 3 has scored it already if it is short
    unigram, transformer = gpt_rungs(trained, meta, gpt_lls)
    try:
        char_rungs = loaders.char_model_rungs()
    except CheckpointError as err:
        return ladder(text, [unigram, transformer]), f"The bigram and RNN rows are missing: {err}"
    return ladder(text, [unigram, *char_rungs, transformer]), None


def markov_to_attention(meta: dict) -> None:
    """Unigram, bigram, character RNN and GPT on the same held-out scenes and on the scored text."""
    st.header("4. From Markov to attention")
    st.markdown(
        "The more context a model can use, the fewer bits each character costs: none (unigram), one character "
        "(bigram Markov), a recurrent state (character RNN), attention over the last 128 characters (GPT)."
    )
    frame, note = _ladder(st.session_state.get("gpt.scored_text", DEFAULT_SCORE_TEXT))
    if note:
        st.warning(note)
    st.plotly_chart(
        gpt_charts.bpc_bars(frame, "model", "Bits per character, by how much context each model uses", color="text"),
        key="gpt.ladder",
    )
    st.caption(
        f"Held-out: the same {meta['metrics']['n_chars']:,} characters of Shakespeare scenes no model trained on. "
        "Your text: the text scored in section 3 (its first 5,000 characters)."
    )
    download_csv(frame, "Bits per character by model (CSV)", "models.csv", "gpt.dl_ladder")


@st.fragment
def pretraining_pays() -> None:
    """The fine-tuning curves and the fine-tuned classifier on the user's sentence."""
    try:
        (classifier, vocab), meta = loaders.gpt_classifier()
    except CheckpointError as err:
        st.error(str(err))
        return
    curve = pd.DataFrame(gpt_finetune.curve(meta["history"]))
    curve["start"] = curve["start"].map({"pretrained": "pre-trained", "scratch": "from scratch"})
    st.plotly_chart(gpt_charts.finetune_curve(curve), key="gpt.curve")
    cfg = meta["config"]
    st.caption(
        f"{cfg['seeds']} runs per point, each with its own label subset and seed; every run sees "
        f"{cfg['min_examples']:,} to {cfg['max_examples']:,} examples (small sets are repeated), so the last points "
        "are under-trained on purpose: the budget is the same for both starts. Test: 1,067 held-out sentences."
    )
    wide = curve.pivot(index="labels", columns="start", values="mean").reset_index()
    st.dataframe(wide.style.format("{:.3f}", subset=[c for c in wide.columns if c != "labels"]), hide_index=True)
    download_csv(
        pd.DataFrame({k: meta["history"][k] for k in ("size", "seed", "start", "accuracy", "seconds")}),
        "Every fine-tuning run (CSV)",
        "finetune_runs.csv",
        "gpt.dl_runs",
    )
    seed_from_url("gpt.review", "review", "A warm, funny and beautifully acted film.", lambda s: len(s) <= 300)
    sentence = st.text_input("A sentence for the fine-tuned classifier", key="gpt.review", max_chars=300)
    mirror_to_url({"review": sentence})
    if sentence.strip():
        p = float(gpt_finetune.predict_positive(classifier, vocab, [sentence])[0])
        st.metric("Fine-tuned GPT says", "positive" if p >= 0.5 else "negative")
        st.progress(p, text=f"P(positive) = {p:.2f}")
        st.caption(
            f"The shipped classifier was fine-tuned on all {max(meta['history']['size']):,} labelled sentences; "
            f"it scores {meta['metrics']['accuracy']:.1%} on {meta['metrics']['n']:,} held-out ones."
        )


def _adapt_under_lock(trained: tuple, text: str, steps: int) -> gpt.Adapted | None:
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

        return gpt.adapt(trained, text, steps, on_step=on_step)
    finally:
        lock.release()


@st.fragment
def make_it_yours(trained: tuple) -> None:
    """Fine-tune a private copy on an uploaded text, then sample from it next to the original."""
    upload = st.file_uploader(
        f"A .txt to learn from (UTF-8/UTF-16, at least {gpt.MIN_ADAPT_CHARS} characters; "
        f"the first {MAX_ADAPT_CHARS:,} are used)",
        type=["txt"],
        key="gpt.adapt_upload",
    )
    steps = st.slider("Fine-tuning steps (16 windows of 128 characters each)", 10, 300, 100, step=10, key="gpt.steps")
    if upload is not None:
        st.text(f"File: {upload.name}")
        try:
            text, note = read_upload(upload.getvalue(), MAX_ADAPT_CHARS)
            if len(text) < gpt.MIN_ADAPT_CHARS:
                raise InputError(f"it has {len(text)} characters; fine-tuning needs at least {gpt.MIN_ADAPT_CHARS}.")
        except InputError as err:
            st.error(f"Cannot use this file: {err}")
            return
        if note:
            st.info(note)
        if st.button("Fine-tune a copy", key="gpt.adapt_go", type="primary"):
            adapted = _adapt_under_lock(trained, text, steps)
            if adapted is not None:
                st.session_state["gpt.mine"] = (upload.name, adapted)
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
    prompt = st.text_input(
        "Prompt for both models (empty: start a new line)", "", key="gpt.adapt_prompt", max_chars=200
    )
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="gpt.adapt_seed")
    a, b = st.columns(2)
    for col, title, model in ((a, "Original GPT", trained), (b, "Your fine-tuned copy", adapted.trained)):
        text = "".join(c for c, _ in gpt.sample(model, prompt, 300, 0.8, seed=int(seed)))
        col.markdown(f"**{title}**")
        col.code(prompt + text, language=None, wrap_lines=True)
