"""Whether samples look like digits: the judge's verdict on unconditional and class-conditional samples at the
page's defaults, and a k-nearest-neighbour second opinion nobody tuned here."""

from __future__ import annotations

import contextlib

import torch

from engine.common.corpora import CorpusError
from engine.density import judge as judging
from engine.density.data import load_splits
from engine.density.draw import draw
from engine.density.pixelcnn import CLASSES, NONE
from engine.density.train import Trained

TEMPERATURE = 0.8  # the page's default sampling temperature
JUDGED, JUDGED_SEED = 100, 0  # samples the recorded judgement is made on, at the page's default seed
ASKED = 10  # class-conditional samples per digit in the recorded judgement
SECOND_K = 10  # neighbours the second judge asks


def sample_judgement(trained: Trained, n: int = JUDGED, seed: int = JUDGED_SEED, temperature: float = TEMPERATURE):
    """The judge's verdict on n unconditional samples at the page's defaults, and a k-nearest-neighbour vote's."""
    drawing = draw(trained.pixelcnn, n, temperature, seed, NONE)
    digits, probs = judging.verdicts(trained.judge, drawing.images)
    sure = judging.recognised(judging.ink(drawing.images), probs)
    out = {
        "samples": n,
        "sample_temperature": temperature,
        "samples_recognised": round(float(sure.mean()), 4),
        "sample_classes": len(set(digits[sure].tolist())),
    }
    out |= conditional_judgement(trained, seed, temperature)
    with contextlib.suppress(CorpusError):  # without the training digits the second opinion is left out
        out.update(second_judge(drawing.images))
    return out


def conditional_judgement(trained: Trained, seed: int, temperature: float, per_digit: int = ASKED) -> dict:
    """The share of class-conditional samples ("draw a d", `per_digit` of each digit) the judge reads as d, in all
    and per digit."""
    asked = torch.arange(CLASSES).repeat_interleave(per_digit)
    drawing = draw(trained.pixelcnn, len(asked), temperature, seed, asked)
    digits, _ = judging.verdicts(trained.judge, drawing.images)
    hit = digits == asked.numpy()
    return {
        "conditional_read_as_asked": round(float(hit.mean()), 4),
        "conditional_by_digit": [round(float(hit[asked.numpy() == d].mean()), 4) for d in range(CLASSES)],
        "conditional_per_digit": per_digit,
    }


def second_judge(images: torch.Tensor, k: int = SECOND_K) -> dict:
    """A second opinion from a classifier nobody tuned here: scikit-learn's k-nearest neighbours on the training
    digits; its probability is the share of the k nearest training digits that agree."""
    from sklearn.neighbors import KNeighborsClassifier

    splits = load_splits()
    knn = KNeighborsClassifier(n_neighbors=k).fit(splits["train"].images.flatten(1).numpy(), splits["train"].labels)
    p = knn.predict_proba(images.flatten(1).numpy())
    best = p.max(1)
    return {
        "knn_test_accuracy": round(
            float(knn.score(splits["test"].images.flatten(1).numpy(), splits["test"].labels)), 4
        ),
        "knn_samples_recognised": round(float((best >= judging.RECOGNISED).mean()), 4),
        "knn_sample_classes": len(set(p.argmax(1)[best >= judging.RECOGNISED].tolist())),
    }
