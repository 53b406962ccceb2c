"""What pre-training buys, as labels grow: the curve, its fair baselines, and the shipped classifier.

At every label count (50 ... all) and seed (each seed its own label subset), four ways to read the
labelled sentences are measured on the held-out test split:
- `pretrained`: the pre-trained GPT fine-tuned (engine.gpt.finetune: auxiliary LM loss, early stopping);
- `scratch`: the same architecture from a random start, same recipe, trained until validation stops improving;
- `probe`: logistic regression on the frozen pre-trained GPT's mean hidden state (no weight changes);
- `tfidf`: tf-idf of word 1- and 2-grams with logistic regression (scikit-learn), the bag-of-words baseline.
Each row also records its accuracy on the validation sentences early stopping never read, which is what
chooses between fine-tuning and the probe at each size. Zero-shot (no labels) comes from engine.gpt.probe.
The shipped classifier is the `pretrained` run on every label.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from engine.gpt import pretrain, probe
from engine.gpt.finetune import Classifier, Example, FinetuneConfig, accuracy, fine_tune, split_examples
from engine.gpt.model import GPT, GPTConfig, Trained
from engine.gpt.pieces import Pieces

STARTS = ("pretrained", "scratch")  # the runs that train a network
COLUMNS = ("size", "seed", "start", "accuracy", "val_accuracy", "steps", "seconds")


def sizes_of(text: str, available: int) -> list[int]:
    """The label counts of `text` ('50,100,all'), each at most `available`, without repeats."""
    sizes = []
    for part in text.split(","):
        n = available if part.strip() == "all" else int(part)
        if 0 < n <= available and n not in sizes:
            sizes.append(n)
    return sizes


def checked_split(cfg: FinetuneConfig) -> tuple[list[Example], list[Example]]:
    """(early-stopping sentences, checking sentences): the validation split, shuffled once (it comes
    sorted by label), cut at `val_sentences`."""
    val = split_examples("val")
    val = [val[i] for i in random.Random(0).sample(range(len(val)), len(val))]
    return val[: cfg.val_sentences], val[cfg.val_sentences :]


def tfidf_accuracies(train: Sequence[Example], evals: Sequence[Sequence[Example]]) -> list[float]:
    """Accuracy on each of `evals` of tf-idf word 1-2-grams + logistic regression fitted on `train`."""
    labels = [y for _, y in train]
    if len(set(labels)) < 2:  # one class only: logistic regression cannot fit; the answer is that class
        return [sum(y == labels[0] for _, y in e) / len(e) for e in evals]
    vectoriser = TfidfVectorizer(ngram_range=(1, 2))
    fitted = LogisticRegression(max_iter=1000).fit(vectoriser.fit_transform([t for t, _ in train]), labels)
    return [float((fitted.predict(vectoriser.transform([t for t, _ in e])) == [y for _, y in e]).mean()) for e in evals]


def one_run(base: GPT, vocab: Pieces, start: str, subset: Sequence[Example], cfg: FinetuneConfig, seed: int):
    """One point of the curve: a copy of the pre-trained body, or a random start, fine-tuned with early stopping."""
    torch.manual_seed(seed)
    if start == "pretrained":
        body = GPT(len(vocab), base.cfg)
        body.load_state_dict(base.state_dict())
        lr = cfg.lr
    else:
        body, lr = GPT(len(vocab), base.cfg), cfg.scratch_lr
    return fine_tune(Classifier(body.requires_grad_(True)), vocab, subset, cfg, lr, seed, checked_split(cfg)[0])


_WORKER: dict = {}


def _worker_init(state: dict, gpt_cfg: dict, spec: str, cfg: FinetuneConfig) -> None:
    torch.set_num_threads(1)
    base = GPT(len(Pieces(spec)), GPTConfig(**gpt_cfg))
    base.load_state_dict(state)
    _WORKER.update(base=base.eval(), vocab=Pieces(spec), cfg=cfg, train=split_examples("train"))
    _WORKER.update(test=split_examples("test"), check=checked_split(cfg)[1])


def _worker_run(task: tuple[int, int, str]) -> dict:
    size, seed, start = task
    w = _WORKER
    tick = time.perf_counter()
    subset = [w["train"][i] for i in probe.label_subset(len(w["train"]), size, seed)]
    model, steps = one_run(w["base"], w["vocab"], start, subset, w["cfg"], seed)
    row = {"size": size, "seed": seed, "start": start, "steps": steps}
    row["accuracy"] = round(accuracy(model, w["vocab"], w["test"]), 4)
    row["val_accuracy"] = round(accuracy(model, w["vocab"], w["check"]), 4)
    row["seconds"] = round(time.perf_counter() - tick, 1)
    if size == len(w["train"]) and start == "pretrained":
        row["state"] = {k: v.half() for k, v in model.state_dict().items()}  # the shipped classifier
    return row


def _recorded(cfg: FinetuneConfig, keys: dict[str, str]) -> dict[tuple[int, int, str], dict]:
    path = Path(cfg.runs_file) if cfg.runs_file else None
    if path is None or not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["size"], r["seed"], r["start"]): r for r in rows if r.get("recipe") == keys.get(r["start"])}


def recipe_key(cfg: FinetuneConfig, base: GPT, vocab: Pieces, start: str) -> str:
    """What a recorded run depends on: the recipe, the pieces and sizes, and (pre-trained start) the weights."""
    skip = ("sizes", "seeds", "workers", "runs_file", "pretrained")
    recipe = {k: v for k, v in asdict(cfg).items() if k not in skip}
    digest = hashlib.sha1(json.dumps([recipe, asdict(base.cfg), vocab.spec, start], sort_keys=True).encode())
    for name, value in sorted(base.state_dict().items()) if start == "pretrained" else ():
        digest.update(name.encode() + value.half().numpy().tobytes())
    return digest.hexdigest()[:16]


def run_tasks(base: GPT, vocab: Pieces, cfg: FinetuneConfig, tasks: list, progress=None, meanwhile=None):
    """Every (size, seed, start) run in `cfg.workers` one-thread processes, largest first; `meanwhile` runs here.

    Runs already in cfg.runs_file under the same recipe and weights are reused, except the shipped
    classifier's (all labels, pre-trained), which always runs.
    """
    n_train, keys = len(split_examples("train")), {s: recipe_key(cfg, base, vocab, s) for s in STARTS}
    recorded = _recorded(cfg, keys)
    rows = [recorded[t] for t in tasks if t in recorded and not (t[0] == n_train and t[2] == "pretrained")]
    done = {(r["size"], r["seed"], r["start"]) for r in rows}
    todo = sorted((t for t in tasks if t not in done), key=lambda t: (-t[0], t[2], t[1]))
    args = ({k: v.float() for k, v in base.state_dict().items()}, asdict(base.cfg), vocab.spec, cfg)

    def keep(row: dict) -> None:
        row["recipe"] = keys[row["start"]]
        if cfg.runs_file:
            Path(cfg.runs_file).parent.mkdir(parents=True, exist_ok=True)
            with open(cfg.runs_file, "a") as f:
                f.write(json.dumps({k: v for k, v in row.items() if k != "state"}) + "\n")
        rows.append(row)
        if progress:
            progress(len(rows), len(tasks), {"size": row["size"], "accuracy": row["accuracy"]})

    with ProcessPoolExecutor(max(1, cfg.workers), mp.get_context("spawn"), _worker_init, args) as pool:
        pending = pool.map(_worker_run, todo)
        extra = meanwhile() if meanwhile else None
        for row in pending:
            keep(row)
    return rows, extra


def baselines(base: GPT, vocab: Pieces, cfg: FinetuneConfig, sizes: list[int], seeds: list[int]) -> dict:
    """tf-idf and the frozen-feature probe on every (size, seed) subset, and zero-shot chosen on validation."""
    train, test, (stop, check) = split_examples("train"), split_examples("test"), checked_split(cfg)
    feats = {k: probe.mean_hidden(base, vocab, [t for t, _ in v]) for k, v in (("train", train), ("test", test))}
    feats["check"] = probe.mean_hidden(base, vocab, [t for t, _ in check])
    rows = []
    for size in sizes:
        for seed in seeds if size < len(train) else seeds[:1]:
            tick, index = time.perf_counter(), probe.label_subset(len(train), size, seed)
            labels = [train[i][1] for i in index]
            fitted = probe.fit_probe(feats["train"][index], labels) if len(set(labels)) > 1 else None
            accs = [
                float((fitted.predict(feats[k]) == [y for _, y in e]).mean()) if fitted else float(np.mean(labels))
                for k, e in (("test", test), ("check", check))
            ]
            tfidf = tfidf_accuracies([train[i] for i in index], (test, check))
            for start, (test_acc, check_acc) in (("probe", accs), ("tfidf", tfidf)):
                rows.append({"size": size, "seed": seed, "start": start, "accuracy": round(test_acc, 4)})
                rows[-1].update(val_accuracy=round(check_acc, 4), steps=0, seconds=round(time.perf_counter() - tick, 2))
    choice = probe.choose_zero_shot(base, vocab, stop + check)
    return {"rows": rows, "zero_shot": round(probe.zero_shot_test(base, vocab, test, choice), 4), "choice": choice}


def train(cfg: FinetuneConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """The curve (pre-trained vs scratch, every size and seed) with the baselines; the shipped classifier."""
    loaded = pretrain.load(Path(cfg.pretrained) if cfg.pretrained else None)
    base, vocab = loaded.trained.model, loaded.trained.vocab
    n_train = len(split_examples("train"))
    sizes, seeds = sizes_of(cfg.sizes, n_train), list(range(cfg.seed, cfg.seed + cfg.seeds))
    tasks = [(n, s, start) for n in sizes for s in (seeds if n < n_train else seeds[:1]) for start in STARTS]
    if n_train not in sizes:
        tasks.append((n_train, cfg.seed, "pretrained"))  # the shipped classifier is always trained
    tick = time.perf_counter()
    rows, lines = run_tasks(base, vocab, cfg, tasks, progress, lambda: baselines(base, vocab, cfg, sizes, seeds))
    shipped = next(r.pop("state") for r in rows if "state" in r)
    rows = [r for r in rows if r["size"] in sizes] + lines["rows"]
    history: dict = {k: [r[k] for r in rows] for k in COLUMNS}
    history.update(zero_shot=lines["zero_shot"], zero_shot_choice=lines["choice"])
    history["curve_seconds"] = round(time.perf_counter() - tick, 1)
    history["pretrained_from"] = loaded.meta.get("metrics", {}).get("command", pretrain.REBUILD)
    history["pretrain_curve"] = loaded.meta["history"]["pretrain_curve"]
    history["pretrain_chars"] = loaded.meta["history"]["training_chars"]
    history["pretrain_metrics"], history["pretrain_config"] = loaded.meta["metrics"], loaded.meta["config"]
    final = Classifier(GPT(len(vocab), base.cfg))
    final.load_state_dict({k: v.float() for k, v in shipped.items()})
    return Trained(final.eval().requires_grad_(False), vocab), history


def curve(history: dict) -> list[dict]:
    """Mean, min and max test (and validation) accuracy per (size, start) from the recorded rows."""
    groups: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for size, start, acc, val in zip(*(history[k] for k in ("size", "start", "accuracy", "val_accuracy")), strict=True):
        groups.setdefault((size, start), []).append((acc, val))
    return [
        {
            "labels": size,
            "start": start,
            "mean": float(np.mean([a for a, _ in v])),
            "min": min(a for a, _ in v),
            "max": max(a for a, _ in v),
            "runs": len(v),
            "val_mean": float(np.mean([b for _, b in v])),
        }
        for (size, start), v in sorted(groups.items())
    ]


def preferred(points: list[dict]) -> list[dict]:
    """Per label count, the pre-trained way (fine-tuned or frozen probe) with the higher validation accuracy."""
    out = []
    for size in sorted({p["labels"] for p in points}):
        ways = [p for p in points if p["labels"] == size and p["start"] in ("pretrained", "probe")]
        best = max(ways, key=lambda p: p["val_mean"])
        method = "fine-tuned" if best["start"] == "pretrained" else "probe"
        out.append({**best, "start": "pretrained", "method": method})
    return out


def curve_summary(meta: dict) -> dict:
    """The recorded curve, tf-idf means, zero-shot and the shipped accuracy (engine.evaluate --curve)."""
    points = curve(meta["history"])
    keys = ("labels", "start", "mean", "min", "max", "runs")
    chosen = [{k: p[k] for k in (*keys, "method")} for p in preferred(points)]
    scratch = [{k: p[k] for k in keys} for p in points if p["start"] == "scratch"]
    return {
        "curve": chosen + scratch,
        "tfidf": [{"labels": p["labels"], "mean": p["mean"]} for p in points if p["start"] == "tfidf"],
        "zero_shot": meta["history"]["zero_shot"],
        "accuracy": meta["metrics"]["accuracy"],
        "n": meta["metrics"]["n"],
    }
