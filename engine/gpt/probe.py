"""What a pre-trained GPT knows about sentiment before any fine-tuning: a linear probe and zero-shot.

The linear probe fits a logistic regression on the frozen mean of the final hidden states over a
sentence. Zero-shot follows the GPT paper (section 5): no labels at all; the model reads the sentence
followed by a positive and by a negative continuation (" It was great." / " It was terrible.") and
the likelier one is the answer. Its bias towards one continuation is removed by subtracting the same
comparison after an empty sentence ("calibrated"); which continuation pair and whether to calibrate
are chosen on the validation split, never on the test split.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.gpt.data import START
from engine.gpt.model import GPT
from engine.gpt.pieces import Pieces

Example = tuple[str, int]
PAIRS = (  # (positive, negative) continuations the zero-shot choice is made from, on validation
    (" It was great.", " It was terrible."),
    (" I loved it.", " I hated it."),
    (" Highly recommended.", " Not recommended."),
)
BATCH = 64  # sentences per forward pass
Vocab = CharVocab | Pieces  # characters (the page's GPT) or sub-word pieces (the pre-trained one)


def fit_ids(ids: torch.Tensor, room: int) -> torch.Tensor:
    """`ids` (START's id first) cut to at most `room` ids: the start id, then the text's last ids."""
    return ids if len(ids) <= room else torch.cat([ids[:1], ids[len(ids) - room + 1 :]])


def rows_of(vocab: Vocab, texts: Sequence[str], context: int) -> list[torch.Tensor]:
    return [fit_ids(vocab.encode(START + t), context) for t in texts]


def padded(rows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(len(r) for r in rows)
    ids, mask = torch.zeros(len(rows), length, dtype=torch.long), torch.zeros(len(rows), length, dtype=torch.bool)
    for i, r in enumerate(rows):
        ids[i, : len(r)], mask[i, : len(r)] = r, True
    return ids, mask


@torch.inference_mode()
def mean_hidden(model: GPT, vocab: Vocab, texts: Sequence[str]) -> np.ndarray:
    """(N, d_model) mean of the final hidden states over START + each text (its last context - 1 characters)."""
    rows = rows_of(vocab, texts, model.cfg.context)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))  # similar lengths share a batch: little padding
    out = np.zeros((len(rows), model.cfg.d_model), dtype=np.float32)
    for i in range(0, len(order), BATCH):
        index = order[i : i + BATCH]
        ids, mask = padded([rows[j] for j in index])
        weights = mask.unsqueeze(-1).float()
        out[index] = ((model(ids, lm=False).hidden * weights).sum(1) / weights.sum(1)).numpy()
    return out


def fit_probe(features: np.ndarray, labels: Sequence[int]) -> object:
    """Standardised features, then L2 logistic regression (C = 1)."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)).fit(features, labels)


def label_subset(n_train: int, size: int, seed: int) -> list[int]:
    """Indices of the `size` training sentences a run with `seed` gets (random.Random(seed).sample)."""
    return random.Random(seed).sample(range(n_train), size)


def probe_accuracies(
    model: GPT, vocab: Vocab, train: Sequence[Example], evals: dict[str, Sequence[Example]], sizes, seeds
) -> dict[str, dict[int, list[float]]]:
    """{split: {size: [accuracy per seed]}} of a probe fitted on each seed's subset of `train`."""
    subsets = {(n, s): label_subset(len(train), n, s) for n in sizes for s in seeds}
    needed = sorted({i for index in subsets.values() for i in index})
    feats = dict(zip(needed, mean_hidden(model, vocab, [train[i][0] for i in needed]), strict=True))
    eval_feats = {k: mean_hidden(model, vocab, [t for t, _ in v]) for k, v in evals.items()}
    out: dict[str, dict[int, list[float]]] = {k: {n: [] for n in sizes} for k in evals}
    for (n, _), index in subsets.items():
        labels = [train[i][1] for i in index]
        if len(set(labels)) < 2:
            continue
        probe = fit_probe(np.stack([feats[i] for i in index]), labels)
        for k, v in evals.items():
            out[k][n].append(float((probe.predict(eval_feats[k]) == np.array([y for _, y in v])).mean()))
    return out


@torch.inference_mode()
def continuation_log_probs(model: GPT, vocab: Vocab, texts: Sequence[str], ending: str) -> np.ndarray:
    """(N,) natural-log p(ending | START + text) summed over the ending's characters (text cut to fit)."""
    context, tail = model.cfg.context, vocab.encode(ending)
    rows = [torch.cat([fit_ids(vocab.encode(START + t), context - len(tail)), tail]) for t in texts]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    out = np.zeros(len(rows))
    for i in range(0, len(order), BATCH):
        index = order[i : i + BATCH]
        ids, _ = padded([rows[j] for j in index])
        lp = torch.log_softmax(model(ids[:, :-1]).logits.float(), -1)  # (B, T-1, V)
        for b, j in enumerate(index):
            n = len(rows[j])
            positions = torch.arange(n - 1 - len(tail), n - 1)  # the positions that predict the ending
            out[j] = float(lp[b, positions, rows[j][positions + 1]].sum())
    return out


def zero_shot_margins(model: GPT, vocab: Vocab, texts: Sequence[str], pair: tuple[str, str]) -> np.ndarray:
    """(N,) log p(positive ending | text) - log p(negative ending | text)."""
    return continuation_log_probs(model, vocab, texts, pair[0]) - continuation_log_probs(model, vocab, texts, pair[1])


def prior_margin(model: GPT, vocab: Vocab, pair: tuple[str, str]) -> float:
    """The same margin after an empty sentence: the model's bias for one ending whatever it read."""
    return float(zero_shot_margins(model, vocab, [""], pair)[0])


def zero_shot_accuracy(margins: np.ndarray, labels: Sequence[int], offset: float = 0.0) -> float:
    """Share of sentences whose margin minus `offset` has the sign of their label."""
    return float(((margins - offset > 0) == np.array(labels, dtype=bool)).mean())


def choose_zero_shot(model: GPT, vocab: Vocab, val: Sequence[Example]) -> dict:
    """The pair and calibration with the best validation accuracy, and every option's validation accuracy."""
    texts, labels = [t for t, _ in val], [y for _, y in val]
    options = []
    for pair in PAIRS:
        margins, prior = zero_shot_margins(model, vocab, texts, pair), prior_margin(model, vocab, pair)
        for calibrated in (False, True):
            acc = zero_shot_accuracy(margins, labels, prior if calibrated else 0.0)
            options.append({"pair": list(pair), "calibrated": calibrated, "val_accuracy": round(acc, 4)})
    best = max(options, key=lambda o: o["val_accuracy"])
    return {**best, "options": options}


def zero_shot_test(model: GPT, vocab: Vocab, test: Sequence[Example], choice: dict) -> float:
    """Accuracy on `test` of the pair and calibration chosen on validation."""
    pair = tuple(choice["pair"])
    offset = prior_margin(model, vocab, pair) if choice["calibrated"] else 0.0
    return zero_shot_accuracy(zero_shot_margins(model, vocab, [t for t, _ in test], pair), [y for _, y in test], offset)


def held_out_bits(model: GPT, pieces: Pieces, text: str) -> float:
    """Bits per character of `text`: its pieces' log-likelihood in windows that move by the whole context."""
    ids = pieces.encode(START + text)
    context, total = model.cfg.context, 0.0
    with torch.inference_mode():
        for at in range(0, len(ids) - 1, context):
            window = ids[at : at + context + 1].unsqueeze(0)
            logits = model(window[:, :-1]).logits
            total += float(F.cross_entropy(logits.flatten(0, 1), window[0, 1:], reduction="sum"))
    return total / len(text) / math.log(2)


def sentiment_evaluation(probe_sizes: str, probe_seeds: int) -> Callable[[GPT, Vocab], dict]:
    """A function recording the probe, zero-shot and their validation score for one state of a GPT."""
    train, val, test = (corpora.movie_review_split(s) for s in ("train", "val", "test"))
    sizes = [int(s) for s in probe_sizes.split(",") if s.strip()]

    def evaluate(model: GPT, pieces: Vocab) -> dict:
        accs = probe_accuracies(model, pieces, train, {"val": val, "test": test}, sizes, range(probe_seeds))
        record = {f"probe_{s}_{n}": round(float(np.mean(v)), 4) for s, by in accs.items() for n, v in by.items()}
        choice = choose_zero_shot(model, pieces, val)
        record.update(
            zero_shot_val=choice["val_accuracy"],
            zero_shot_test=round(zero_shot_test(model, pieces, test, choice), 4),
            zero_shot_pair=" / ".join(choice["pair"]) + (" (calibrated)" if choice["calibrated"] else ""),
        )
        # the state the run ships is chosen on validation only (probe and zero-shot), never on the test split
        probe_val = float(np.mean([record[f"probe_val_{n}"] for n in sizes]))
        record["val_score"] = round((probe_val + choice["val_accuracy"]) / 2, 4)
        return record

    return evaluate
