"""The pre-training corpus of the sub-word GPT: the mix of sources, the guarded documents, the pieces.

`prepare` builds it once (the BPE pieces learned from the training documents, every source encoded into
one stream of ids) and writes it beside the resumable state, so a resumed run reads the same ids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from engine.common import modern_corpora
from engine.common.checkpoint import _atomic_write
from engine.gpt.data import HELD_OUT_CHARS, START, modern_text
from engine.gpt.pieces import Pieces, train_pieces

CORPUS_FILE = "corpus.pt"


def parse_mix(text: str) -> dict[str, float]:
    """{source: share} from 'imdb:0.5,vader:0.2,...', shares normalised to sum to 1."""
    try:
        shares = {name.strip(): float(value) for name, value in (p.split(":") for p in text.split(",") if p.strip())}
    except ValueError as err:
        raise ValueError(f"bad mix {text!r}: write source:share,...") from err
    unknown = set(shares) - {*modern_corpora.SOURCES, "vader"}
    if unknown or not shares or min(shares.values()) < 0 or sum(shares.values()) <= 0:
        raise ValueError(f"bad mix {text!r}: sources are {', '.join(modern_corpora.SOURCES)}, vader")
    total = sum(shares.values())
    return {k: v / total for k, v in shares.items() if v > 0}


def window_counts(shares: dict[str, float], batch_size: int) -> dict[str, int]:
    """Windows per source in every batch (largest remainders), so the mix needs no random draw."""
    raw = {k: v * batch_size for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: batch_size - sum(counts.values())]:
        counts[k] += 1
    return {k: v for k, v in counts.items() if v}


def training_documents(shares: dict[str, float]) -> tuple[dict[str, list[str]], dict[str, int], dict[str, str]]:
    """{source: guarded training documents}, {source: documents the guard dropped}, {name: held-out text}.

    `vader`: the VADER study's unlabelled training-split snippets (the sentiment task's training sentences
    among them). 2% of each other source's documents are held out by hash; IMDB's and VADER's validation
    snippets are the held-out texts.
    """
    docs, dropped, held = {}, {}, {"modern": modern_text("val")[:HELD_OUT_CHARS]}
    for source in shares:
        if source == "vader":  # split apart from the task's test by hash, yet a short snippet may equal a test sentence
            guarded = modern_corpora.guard(modern_text("train").splitlines(), modern_corpora.guarded_sentences())
            dropped[source], docs[source] = guarded.dropped_substring + guarded.dropped_sentence, list(guarded.kept)
            continue
        guarded = modern_corpora.modern_documents(source)
        dropped[source] = guarded.dropped_substring + guarded.dropped_sentence
        docs[source] = [d for d in guarded.kept if not modern_corpora.held_out(d)]
        if source == "imdb":
            held["imdb"] = "\n\n".join(d for d in guarded.kept if modern_corpora.held_out(d))[:HELD_OUT_CHARS]
    return docs, dropped, held


def encode_corpus(pieces: Pieces, docs: dict[str, list[str]]) -> dict[str, torch.Tensor]:
    """{source: one int32 stream of piece ids}, each document starting on a new line."""
    out = {}
    for source, texts in docs.items():
        ids = pieces.encode_many([START + t for t in texts])
        out[source] = torch.from_numpy(np.concatenate([np.asarray(r, dtype=np.int32) for r in ids]))
    return out


def prepare(cfg) -> dict:
    """The pieces, encoded corpus and held-out texts: read from state_dir on resume, else built and written there."""
    path = Path(cfg.state_dir) / CORPUS_FILE
    if cfg.resume and path.is_file():
        saved = torch.load(path, weights_only=True)  # our own file: tensors, strings and numbers only
        return {**saved, "pieces": Pieces(saved["spec"])}
    docs, dropped, held = training_documents(parse_mix(cfg.mix))
    pieces = train_pieces((t for texts in docs.values() for t in texts), cfg.vocab_size)
    ids = encode_corpus(pieces, docs)
    corpus = {"spec": pieces.spec, "ids": ids, "dropped": dropped, "held": held}
    corpus["chars"] = {k: sum(len(t) for t in v) for k, v in docs.items()}
    _atomic_save(corpus, path)
    return {**corpus, "pieces": pieces}


def _atomic_save(obj: dict, path: Path) -> None:
    """torch.save through the checkpoints' write-then-rename, so a run killed mid-save leaves the last state whole."""
    _atomic_write(path, lambda tmp: torch.save(obj, tmp))
