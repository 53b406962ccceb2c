"""Explanations of the word-level RNNs: unrolled states, weight sharing, memory and gradients.

Every function takes a trained WordRNN and its Encoder (or a Trained), never changes them, and returns
tensors or tidy DataFrames for the RNN page. W_hh can be scaled for one call; the model keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch
import torch.nn.functional as F

from engine.common.inputs import InputError, decode_text
from engine.common.metrics import parameter_count
from engine.common.scripts import ScriptReport, check_words
from engine.rnn.elman import ElmanRNN
from engine.rnn.sentiment import positive_after_each_word
from engine.rnn.tagger import tag
from engine.rnn.text import UPOS, split_sentences, tokenize
from engine.rnn.train import Trained
from engine.rnn.words import Encoder, WordRNN

MAX_WORDS = 40  # words of a typed sentence the page unrolls
MAX_SENTENCE_CHARS = 300  # characters of a typed sentence
MAX_SENTENCES = 500  # sentences of an uploaded text that are tagged and scored
MAX_UPLOADED_WORDS = 2 * MAX_WORDS  # words kept of each uploaded sentence


@dataclass
class Trace:
    """One sentence through the RNN: inputs x_t (T, D), hidden states h_t (T, H), output probabilities (T, C)."""

    words: list[str]
    inputs: torch.Tensor
    hidden: torch.Tensor
    probs: torch.Tensor


@torch.inference_mode()
def trace(model: WordRNN, encoder: Encoder, words: list[str], w_hh_scale: float = 1.0) -> Trace:
    """Run one sentence, with W_hh scaled by `w_hh_scale` for this call only."""
    out = model(encoder([words]), W_hh=model.rnn.W_hh * w_hh_scale)
    return Trace(words, out.inputs[0], out.hidden[0], F.softmax(out.logits[0], dim=-1))


def hidden_frame(hidden: torch.Tensor, words: list[str]) -> pd.DataFrame:
    """Columns step, word, unit, value: every hidden unit at every step."""
    steps, units = hidden.shape
    return pd.DataFrame(
        {
            "step": [t + 1 for t in range(steps) for _ in range(units)],
            "word": [words[t] for t in range(steps) for _ in range(units)],
            "unit": list(range(units)) * steps,
            "value": hidden.flatten().tolist(),
        }
    )


def shared_weights(rnn: ElmanRNN) -> pd.DataFrame:
    """Columns tensor, shape, parameters, role: the only recurrent weights, used at every step."""
    rows = [
        ("W_xh", tuple(rnn.W_xh.shape), rnn.W_xh.numel(), "input x_t -> hidden"),
        ("W_hh", tuple(rnn.W_hh.shape), rnn.W_hh.numel(), "previous hidden h_(t-1) -> hidden"),
        ("b", tuple(rnn.b.shape), rnn.b.numel(), "bias"),
    ]
    return pd.DataFrame(rows, columns=["tensor", "shape", "parameters", "role"])


def parameters_vs_length(rnn: ElmanRNN, lengths: list[int]) -> pd.DataFrame:
    """Columns length, model, parameters: the RNN's recurrent weights vs a dense layer on a window.

    The dense layer reads all `length` input vectors at once into the same number of hidden units,
    so it needs length x D x H weights (plus H biases); the RNN needs W_xh, W_hh and b whatever the length.
    """
    hidden, inputs = rnn.W_xh.shape
    rows = []
    for length in lengths:
        rows.append((length, "RNN (W_xh, W_hh, b shared by all steps)", parameter_count(rnn)))
        rows.append((length, "dense layer over a fixed window", length * inputs * hidden + hidden))
    return pd.DataFrame(rows, columns=["length", "model", "parameters"])


def change_after_edit(
    model: WordRNN, encoder: Encoder, words: list[str], index: int, replacement: str | None
) -> pd.DataFrame:
    """Drop (replacement None) or replace words[index]; how much each later step changes.

    Columns step, word, hidden_change (L2 distance of h_t), output_change (total variation of the
    output distribution), for the steps after the edit, aligned word by word.
    """
    edited = words[:index] + ([replacement] if replacement else []) + words[index + 1 :]
    before, after = trace(model, encoder, words), trace(model, encoder, edited)
    shift = 0 if replacement else -1  # a dropped word moves every later word one step earlier
    rows = []
    for t in range(index + 1, len(words)):
        u = t + shift
        rows.append(
            (
                t + 1,
                words[t],
                float((before.hidden[t] - after.hidden[u]).norm()),
                0.5 * float((before.probs[t] - after.probs[u]).abs().sum()),
            )
        )
    return pd.DataFrame(rows, columns=["step", "word", "hidden_change", "output_change"])


def gradient_norms(
    model: WordRNN, encoder: Encoder, words: list[str], target: int, w_hh_scale: float = 1.0
) -> pd.DataFrame:
    """Columns step, word, grad_norm: |d log p(target at the last step) / d h_t| for every t.

    The gradient reaching h_t is multiplied by W_hh and tanh' once per later step, so it shrinks
    (or, with a large W_hh, grows) geometrically with distance from the end: vanishing gradients.
    """
    with torch.enable_grad():
        x = model.features(encoder([words])).detach()[0]  # (T, D)
        W_hh = model.rnn.W_hh.detach() * w_hh_scale
        h = torch.zeros(1, model.rnn.hidden_size, requires_grad=True)
        states = []
        for t in range(len(words)):
            h = model.rnn.step(x[t : t + 1], h, W_hh)
            h.retain_grad()
            states.append(h)
        log_p = F.log_softmax(model.out(h), dim=-1)[0, target]
        log_p.backward()
    return pd.DataFrame(
        {"step": range(1, len(words) + 1), "word": words, "grad_norm": [float(s.grad.norm()) for s in states]}
    )


def tag_and_score(tagger: Trained, sentiment: Trained, sentences: list[list[str]]) -> pd.DataFrame:
    """Columns sentence, tagged, p_positive, label: both heads on each tokenized sentence."""
    rows = []
    with torch.inference_mode():
        for words in sentences:
            tags = tagger.model(tagger.encoder([words])).logits[0].argmax(-1).tolist()
            p_pos = float(F.softmax(sentiment.model(sentiment.encoder([words])).logits[0, -1], -1)[1])
            rows.append(
                (
                    " ".join(words),
                    " ".join(f"{w}/{UPOS[i]}" for w, i in zip(words, tags, strict=True)),
                    round(p_pos, 4),
                    "pos" if p_pos >= 0.5 else "neg",
                )
            )
    return pd.DataFrame(rows, columns=["sentence", "tagged", "p_positive", "label"])


def sentence_words(sentence: str) -> list[str]:
    """Tokens of the typed sentence, or an InputError saying what to change."""
    words = tokenize(sentence)
    if not words:
        raise InputError("Type a sentence to unroll the network over.", key="rnn.errors.no_words")
    if len(words) > MAX_WORDS:
        raise InputError(
            "That is {n} words; please keep it to {most}.",
            key="rnn.errors.too_many_words",
            n=len(words),
            most=MAX_WORDS,
        )
    return words


def step_outputs(net: str, run: Trace) -> pd.DataFrame:
    """Columns step, word, output, shown ("used" or "unused"): the label drawn above each cell."""
    rows = []
    for t, word in enumerate(run.words):
        probs = run.probs[t]
        if net == "tagger":
            i = int(probs.argmax())
            rows.append((t + 1, word, f"{UPOS[i]} {float(probs[i]):.2f}", "used"))
        else:
            last = t == len(run.words) - 1
            rows.append((t + 1, word, f"P(pos) {float(probs[1]):.2f}", "used" if last else "unused"))
    return pd.DataFrame(rows, columns=["step", "word", "output", "shown"])


def own_text_table(data: bytes, tagger: Trained, sentiment: Trained) -> tuple[pd.DataFrame | None, str, ScriptReport]:
    """Every sentence of an uploaded text tagged and scored, a note if some were left out, and how much of the
    text is outside English letters; the table is None when most of it is, since its tags would mean nothing,
    and a mostly foreign sentence among English ones is labelled as not read instead of tagged."""
    text = decode_text(data)
    report = check_words(text)
    if report.unreadable:
        return None, "", report
    sentences = split_sentences(text)
    tokenized = [tokenize(s)[:MAX_UPLOADED_WORDS] for s in sentences[:MAX_SENTENCES]]
    tokenized = [w for w in tokenized if w]
    if not tokenized:
        raise InputError("No sentences with words were found in the file.", key="rnn.errors.no_sentences")
    note = ""
    if len(sentences) > MAX_SENTENCES:
        note = f"The file has {len(sentences):,} sentences; the first {MAX_SENTENCES} are shown."
    table = tag_and_score(tagger, sentiment, tokenized)
    for i, words in enumerate(tokenized):  # a mostly foreign sentence in a mostly English file gets no tags
        foreign = check_words(" ".join(words))
        if foreign.unreadable:
            table.loc[i, ["tagged", "p_positive", "label"]] = ["", float("nan"), f"not read: {foreign.counted()}"]
    return table, note, report


def gradient_fade(grads: pd.DataFrame) -> tuple[float, float]:
    """How the gradient falls with distance (columns step, grad_norm): the first word's norm over the last
    word's, and the mean factor per step back (the geometric mean of neighbouring ratios)."""
    norms = grads.sort_values("step")["grad_norm"].to_numpy()
    ratio = float(norms[0] / norms[-1]) if norms[-1] > 0 else float("nan")
    return ratio, ratio ** (1 / (len(norms) - 1)) if len(norms) > 1 else 1.0


def two_heads_frame(tagger: Trained, sentiment: Trained, words: list[str]) -> pd.DataFrame:
    """Columns word, tag, probability, step, p_positive: the tagger at every step, P(positive) after each word."""
    frame = pd.DataFrame(tag(tagger, words), columns=["word", "tag", "probability"])
    return frame.assign(step=range(1, len(words) + 1), p_positive=positive_after_each_word(sentiment, words))


def scale_change(model: WordRNN, encoder: Encoder, words: list[str], scale: float) -> pd.DataFrame:
    """Columns step, word, change: |h_t(W_hh x scale) - h_t|, the L2 change of every hidden state."""
    base, scaled = trace(model, encoder, words), trace(model, encoder, words, scale)
    change = (scaled.hidden - base.hidden).norm(dim=1).tolist()
    return pd.DataFrame({"step": range(1, len(words) + 1), "word": words, "change": change})


def memory_frame(
    model: WordRNN, encoder: Encoder, words: list[str], index: int, replacement: str | None, scale: float
) -> pd.DataFrame:
    """Columns step, word, hidden_change, output_change, grad_norm: an edit's effect (NaN up to the edit)
    and the gradient of the last step's most likely output with respect to every h_t (W_hh x scale)."""
    effect = change_after_edit(model, encoder, words, index, replacement)
    target = int(trace(model, encoder, words).probs[-1].argmax())
    grads = gradient_norms(model, encoder, words, target, scale)
    return effect.merge(grads, on=["step", "word"], how="right")
