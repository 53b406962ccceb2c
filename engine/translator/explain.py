"""What the translator page shows: attention as tidy frames, decoding steps, beams, scores, timings."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sacrebleu
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

from engine.common.metrics import parameter_count
from engine.translator.data import bpe
from engine.translator.decode import PLAIN, beam_search, greedy_transformer, source_ids
from engine.translator.guards import WORD_START, Guards
from engine.translator.train import Trained
from engine.translator.transformer import sinusoids

TOP_K = 10  # next pieces shown per decoding step


@dataclass
class Translation:
    """A greedy translation and everything recorded on the way."""

    text: str
    source: list[str]  # source pieces, ending with </s>
    target: list[str]  # output pieces, starting with <s> (the decoder's inputs)
    output: list[str]  # output pieces, ending with </s> (what each step produced)
    output_ids: list[int]  # their ids
    encoder: list[np.ndarray]  # per layer (heads, S, S)
    decoder: list[np.ndarray]  # per layer (heads, T, T)
    cross: list[np.ndarray]  # per layer (heads, T, S)
    next_probs: np.ndarray  # (T, V) distribution at each output step


@torch.inference_mode()
def trace(trained: Trained, sentence: str, out_ids: list[int] | None = None) -> Translation:
    """A decoding (`out_ids`, greedy if None), then one teacher-forced pass that returns every attention."""
    model, tokenizer = trained.model, trained.tokenizer
    src_ids = source_ids(tokenizer, sentence)
    if out_ids is None:
        out_ids = greedy_transformer(model, torch.tensor([src_ids]))[0]
    src = torch.tensor([src_ids])
    tgt_in = torch.tensor([[bpe.BOS, *out_ids[:-1]]])
    enc = model.encode(src)
    dec = model.decode(tgt_in, enc)
    return Translation(
        text=bpe.decode(tokenizer, out_ids),
        source=bpe.pieces(tokenizer, src_ids),
        target=bpe.pieces(tokenizer, tgt_in[0].tolist()),
        output=bpe.pieces(tokenizer, out_ids),
        output_ids=out_ids,
        encoder=[w[0].numpy() for w in enc.attention],
        decoder=[w[0].numpy() for w in dec.self_attention],
        cross=[w[0].numpy() for w in dec.cross_attention],
        next_probs=F.softmax(dec.logits[0], -1).numpy(),
    )


def attention_frame(weights: list[np.ndarray], queries: list[str], keys: list[str]) -> pd.DataFrame:
    """Columns layer, head, query_pos, key_pos, query_token, key_token, weight (head -1 = mean of heads)."""
    frames = []
    for layer, w in enumerate(weights):
        stacked = np.concatenate([w, w.mean(0, keepdims=True)])  # (heads + 1, Q, K)
        heads, nq, nk = stacked.shape
        h, q, k = np.meshgrid(np.arange(heads), np.arange(nq), np.arange(nk), indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "head": np.where(h.ravel() == heads - 1, -1, h.ravel()),
                    "query_pos": q.ravel(),
                    "key_pos": k.ravel(),
                    "query_token": np.array(queries)[q.ravel()],
                    "key_token": np.array(keys)[k.ravel()],
                    "weight": stacked.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def top_next(tokenizer: Tokenizer, probs: np.ndarray, k: int = TOP_K) -> pd.DataFrame:
    """Columns rank, token, prob: the k most likely next pieces at one step."""
    order = np.argsort(-probs)[:k]
    return pd.DataFrame(
        {"rank": range(1, len(order) + 1), "token": bpe.pieces(tokenizer, order.tolist()), "prob": probs[order]}
    )


def word_probabilities(result: Translation) -> pd.DataFrame:
    """Columns word, pieces, prob, lowest: each output word's probability under the model given the words before
    it (the product of its pieces' teacher-forced probabilities) and its least likely piece's; </s> left out."""
    rows: list[list] = []
    for t, (piece, token) in enumerate(zip(result.output, result.output_ids, strict=True)):
        if token == bpe.EOS:
            break
        p = float(result.next_probs[t, token])
        if piece.startswith(WORD_START) or not rows:
            rows.append([piece.removeprefix(WORD_START), [piece], p, p])
        else:  # a piece inside a word: the word is as likely as all its pieces together
            rows[-1][0] += piece
            rows[-1][1].append(piece)
            rows[-1][2] *= p
            rows[-1][3] = min(rows[-1][3], p)
    return pd.DataFrame(
        [(w, " ".join(ps), p, low) for w, ps, p, low in rows], columns=["word", "pieces", "prob", "lowest"]
    )


def _word_opcodes(first: str, second: str) -> tuple[list[str], list[str], list[tuple]]:
    """Both texts' words and difflib's opcodes from the first to the second."""
    a, b = first.split(), second.split()
    return a, b, difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()


def differing_words(first: str, second: str) -> list[tuple[str, str]]:
    """(words of first, words of second) for each stretch where two translations differ, word by word."""
    a, b, ops = _word_opcodes(first, second)
    return [(" ".join(a[i1:i2]), " ".join(b[j1:j2])) for op, i1, i2, j1, j2 in ops if op != "equal"]


def marked_words(first: str, second: str) -> list[tuple[str, bool]]:
    """The words of second, each with whether it differs from first (is not in a stretch both share)."""
    _, b, ops = _word_opcodes(first, second)
    return [(b[j], op != "equal") for op, _, _, j1, j2 in ops for j in range(j1, j2)]


BEAM_COLUMNS = ["rank", "translation", "log_prob", "score", "tokens", "spellings"]


def merge_spellings(rows: list[tuple[str, float, float, int]]) -> pd.DataFrame:
    """BEAM_COLUMNS from (translation, log_prob, score, tokens) rows, best first: hypotheses whose pieces decode to
    the same text are one row (the best-scored), `spellings` counting the piece sequences that wrote it."""
    best: dict[str, list] = {}
    for text, log_prob, score, tokens in rows:
        if text not in best:
            best[text] = [text, log_prob, score, tokens, 0]
        elif score > best[text][2]:
            best[text][1:4] = [log_prob, score, tokens]
        best[text][4] += 1
    merged = sorted(best.values(), key=lambda r: r[2], reverse=True)
    return pd.DataFrame([(i + 1, *r) for i, r in enumerate(merged)], columns=BEAM_COLUMNS)


def beams(trained: Trained, sentence: str, width: int, alpha: float, guards: Guards = PLAIN) -> pd.DataFrame:
    """BEAM_COLUMNS: rank, translation, log_prob, score (log_prob / length penalty + coverage penalty), tokens, and
    spellings (how many of the hypotheses wrote this same text with different pieces; merged into one row)."""
    tokenizer = trained.tokenizer
    src = torch.tensor([source_ids(tokenizer, sentence)])
    hyps = beam_search(trained.model, src, width, alpha, guards=guards, pieces=trained.pieces)
    return merge_spellings(
        [(bpe.decode(tokenizer, h.tokens), round(h.log_prob, 3), round(h.score, 3), len(h.tokens)) for h in hyps]
    )


def positional_frame(length: int, d_model: int) -> pd.DataFrame:
    """Columns position, dimension, value of the sinusoidal encodings."""
    table = sinusoids(length, d_model).numpy()
    p, d = np.meshgrid(np.arange(length), np.arange(d_model), indexing="ij")
    return pd.DataFrame({"position": p.ravel(), "dimension": d.ravel(), "value": table.ravel()})


def sentence_scores(hypothesis: str, reference: str) -> dict:
    """Sentence BLEU and chrF (sacrebleu), and which hypothesis words are in a matching n-gram."""
    bleu = sacrebleu.sentence_bleu(hypothesis, [reference])
    chrf = sacrebleu.sentence_chrf(hypothesis, [reference])
    tokenize = sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()
    hyp, ref = tokenize(hypothesis).split(), tokenize(reference).split()
    longest = [0] * len(hyp)
    for n in range(1, 5):
        ref_ngrams = {tuple(ref[i : i + n]) for i in range(len(ref) - n + 1)}
        for i in range(len(hyp) - n + 1):
            if tuple(hyp[i : i + n]) in ref_ngrams:
                for j in range(i, i + n):
                    longest[j] = max(longest[j], n)
    return {
        "bleu": bleu.score,
        "chrf": chrf.score,
        "precisions": bleu.precisions,
        "brevity_penalty": bleu.bp,
        "words": pd.DataFrame({"word": hyp, "longest_match": longest}),
    }


def guard_effects(trained: Trained, sentence: str, width: int, alpha: float, chosen: Guards) -> pd.DataFrame:
    """Columns decoding, translation, score: plain beam search, each guard switched on in `chosen` alone, all."""
    settings = {"plain beam search": PLAIN}
    if chosen.no_repeat:
        settings["only: no word repeated back to back"] = Guards(no_repeat=True)
    if chosen.no_trigram:
        settings["only: no repeated word trigram"] = Guards(no_trigram=True)
    if chosen.min_ratio:
        settings[f"only: minimum length {chosen.min_ratio:g} x source"] = Guards(min_ratio=chosen.min_ratio)
    if chosen.coverage:
        settings[f"only: coverage penalty beta {chosen.coverage:g}"] = Guards(coverage=chosen.coverage)
    settings["all the guards chosen"] = chosen
    rows = []
    for name, guards in settings.items():
        best = beams(trained, sentence, width, alpha, guards).iloc[0]
        rows.append((name, best["translation"], best["score"]))
    return pd.DataFrame(rows, columns=["decoding", "translation", "score"])


def offsets(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns offset, weight: mean attention by key_pos - query_pos (from an attention frame)."""
    shifted = frame.assign(offset=frame["key_pos"] - frame["query_pos"])
    return shifted.groupby("offset", as_index=False)["weight"].mean()


def scored_rows(rows: list[dict]) -> pd.DataFrame:
    """Columns english, references (joined by " | "), translation, sentence_chrf, exact of evaluation rows."""
    return pd.DataFrame(
        {
            "english": [r["source"] for r in rows],
            "references": [" | ".join(r["references"]) for r in rows],
            "translation": [r["hypothesis"] for r in rows],
            "sentence_chrf": [r["chrf"] for r in rows],
            "exact": [r["exact"] for r in rows],
        }
    )


CURVE_COLUMNS = ("cpu_seconds", "seconds", "step", "val_loss", "val_chrf", "val_exact")


def training_curves(histories: dict[str, dict]) -> pd.DataFrame:
    """Columns model and CURVE_COLUMNS from checkpoint histories (CPU seconds of training, wall seconds)."""
    frames = [pd.DataFrame({k: h[k] for k in CURVE_COLUMNS}).assign(model=name) for name, h in histories.items()]
    return pd.concat(frames, ignore_index=True)


COMPARISON = ["model", "parameters", "training steps", "decoding", "everyday exact", "everyday chrF"]
COMPARISON += ["everyday BLEU", "Ding chrF", "Ding BLEU"]


def comparison(models: dict[str, tuple[torch.nn.Module, dict]]) -> pd.DataFrame:
    """One row per (model, checkpoint meta): size, steps and the recorded test figures of its shipped decoding."""
    rows = []
    for name, (model, meta) in models.items():
        m = meta["metrics"]
        figures = (m["exact"], m["chrf"], m["bleu"], m["ding"]["chrf"], m["ding"]["bleu"])
        rows.append((name, parameter_count(model), meta["history"]["step"][-1], m["decoding"], *figures))
    return pd.DataFrame(rows, columns=COMPARISON)


def attention_of(result: Translation, kind: str) -> pd.DataFrame:
    """The attention frame of one kind ('cross', 'encoder' or 'decoder') of a traced translation."""
    weights, queries, keys = {
        "cross": (result.cross, result.target, result.source),
        "encoder": (result.encoder, result.source, result.source),
        "decoder": (result.decoder, result.target, result.target),
    }[kind]
    return attention_frame(weights, queries, keys)


def head_of(frame: pd.DataFrame, layer: int, head: int) -> pd.DataFrame:
    """The rows of one layer and head (-1: the mean of heads) of an attention frame."""
    return frame[(frame["layer"] == layer) & (frame["head"] == head)]


def cross_row(cross: pd.DataFrame, layer: int, query_pos: int) -> pd.DataFrame:
    """Columns key_pos, key_token, label (position:piece), prob: where one output step looks (mean of heads)."""
    row = head_of(cross, layer, -1)
    row = row[row["query_pos"] == query_pos]
    labels = [f"{p}:{k}" for p, k in zip(row["key_pos"], row["key_token"], strict=True)]
    return row[["key_pos", "key_token"]].assign(label=labels, prob=row["weight"].to_numpy())
