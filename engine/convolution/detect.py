"""The convolutionized digits classifier as a detector: canvases of digits, score maps, found digits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from engine.convolution.digits_model import BACKGROUND, CLASS_NAMES, WINDOW, DigitsFCN

STRIDE = 1  # the FCN's score map steps one pixel: no pooling, so every window is scored
MIN_DISTANCE = 5  # found digits are at least this many cells apart (non-maximum suppression)
CANVAS_HEIGHT = 24  # rows of a composed canvas
GAPS = (2, 7)  # blank columns between composed digits: at least 2, fewer than 7
TOLERANCE = 2  # a found digit within this many pixels of a placed one is at its place
UNSURE_BELOW = 0.9  # a reading whose probability is under this is marked unsure
VERDICTS = ("right", "misread", "extra", "unsure", "unchecked")  # what `judge` calls each reading


def compose_canvas(
    images: torch.Tensor, labels: torch.Tensor, n_digits: int, seed: int, height: int = CANVAS_HEIGHT
) -> tuple[np.ndarray, pd.DataFrame]:
    """A black strip with n_digits held-out digits at random gaps and heights.

    Returns the (height, width) image in [0, 1] and the truth: label, top, left of each digit.
    """
    rng = np.random.default_rng(seed)
    choice = rng.choice(len(images), n_digits, replace=False)
    gaps = rng.integers(*GAPS, n_digits + 1)
    width = int(gaps.sum() + n_digits * WINDOW)
    canvas = np.zeros((height, width), dtype=np.float32)
    rows, left = [], int(gaps[0])
    for i, idx in enumerate(choice):
        top = int(rng.integers(0, height - WINDOW + 1))
        window = canvas[top : top + WINDOW, left : left + WINDOW]
        np.maximum(window, images[idx].numpy(), out=window)
        rows.append((int(labels[idx]), top, left))
        left += WINDOW + int(gaps[i + 1])
    return canvas, pd.DataFrame(rows, columns=["label", "top", "left"])


@torch.inference_mode()
def score_map(fcn: DigitsFCN, image: np.ndarray) -> np.ndarray:
    """(11, rows, cols) class probabilities for the 8x8 window at (STRIDE*row, STRIDE*col)."""
    if min(image.shape) < WINDOW:
        raise ValueError(f"the image must be at least {WINDOW}x{WINDOW} pixels")
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None, None]
    return F.softmax(fcn(x)[0], dim=0).numpy()


def score_map_frame(probs: np.ndarray) -> pd.DataFrame:
    """Long form of a score map: row, col, top, left, class, prob."""
    k, rows, cols = probs.shape
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    frames = [
        pd.DataFrame(
            {
                "row": r.ravel(),
                "col": c.ravel(),
                "top": STRIDE * r.ravel(),
                "left": STRIDE * c.ravel(),
                "class": CLASS_NAMES[i],
                "prob": probs[i].ravel(),
            }
        )
        for i in range(k)
    ]
    return pd.concat(frames, ignore_index=True)


def find_digits(probs: np.ndarray, threshold: float = 0.5, min_distance: int = MIN_DISTANCE) -> pd.DataFrame:
    """Greedy non-maximum suppression on the best digit probability per window.

    Returns label, prob, top, left (pixels) of each found digit, left to right.
    """
    digit_probs = probs[:BACKGROUND]
    best = digit_probs.max(0)
    label = digit_probs.argmax(0)
    taken = np.zeros_like(best, dtype=bool)
    found = []
    reach = min_distance - 1  # cells closer than min_distance to a taken one are suppressed
    for flat in np.argsort(-best, axis=None):
        r, c = np.unravel_index(flat, best.shape)
        if best[r, c] < threshold:
            break
        if taken[max(0, r - reach) : r + reach + 1, max(0, c - reach) : c + reach + 1].any():
            continue
        taken[r, c] = True
        found.append((CLASS_NAMES[label[r, c]], float(best[r, c]), STRIDE * int(r), STRIDE * int(c)))
    frame = pd.DataFrame(found, columns=["label", "prob", "top", "left"])
    return frame.sort_values("left", ignore_index=True)


@dataclass(frozen=True)
class Detections:
    """How found digits compare with the placed ones over some canvases."""

    placed: int  # digits placed
    right: int  # placed digits with exactly one found digit at their place, of their label
    extra: int  # found digits at no placed digit's place


def near(found: pd.DataFrame, top: int, left: int) -> pd.DataFrame:
    """The found digits within TOLERANCE pixels of (top, left)."""
    return found[((found["left"] - left).abs() <= TOLERANCE) & ((found["top"] - top).abs() <= TOLERANCE)]


def compare(found: pd.DataFrame, truth: pd.DataFrame) -> Detections:
    """Right and extra found digits of one canvas against its truth."""
    right, matched = 0, set()
    for row in truth.itertuples():
        here = near(found, row.top, row.left)
        matched |= set(here.index)
        right += int(len(here) == 1 and here["label"].iloc[0] == str(row.label))
    return Detections(len(truth), right, len(found) - len(matched))


def detection_score(
    fcn: DigitsFCN, images: torch.Tensor, labels: torch.Tensor, canvases: int, per_canvas: int, threshold: float = 0.5
) -> Detections:
    """The detector on canvases seeded 0..canvases-1, each with per_canvas digits, all added up."""
    placed = right = extra = 0
    for seed in range(canvases):
        canvas, truth = compose_canvas(images, labels, per_canvas, seed)
        one = compare(find_digits(score_map(fcn, canvas), threshold), truth)
        placed, right, extra = placed + one.placed, right + one.right, extra + one.extra
    return Detections(placed, right, extra)


def judge(found: pd.DataFrame, truth: pd.DataFrame | None, unsure_below: float = UNSURE_BELOW) -> pd.DataFrame:
    """Each found digit with the label placed at its place and a verdict, for marking it on the picture.

    Adds columns placed ("" where nothing was placed or the truth is unknown) and verdict: "misread"
    (the placed digit there is another one), "extra" (nothing was placed there), "unsure" (probability
    under `unsure_below`), "right" (matches the placed digit) or "unchecked" (no truth to check against).
    A wrong reading is called wrong however confident it is.
    """
    placed, verdicts = [], []
    for row in found.itertuples():
        here = None if truth is None else near_truth(truth, row.top, row.left)
        placed.append("" if here is None else str(here))
        if truth is not None and here is None:
            verdicts.append("extra")
        elif here is not None and str(here) != row.label:
            verdicts.append("misread")
        elif row.prob < unsure_below:
            verdicts.append("unsure")
        else:
            verdicts.append("unchecked" if truth is None else "right")
    return found.assign(placed=placed, verdict=verdicts)


def near_truth(truth: pd.DataFrame, top: int, left: int) -> int | None:
    """The label of the placed digit nearest to (top, left) within TOLERANCE pixels, or None."""
    close = truth[((truth["left"] - left).abs() <= TOLERANCE) & ((truth["top"] - top).abs() <= TOLERANCE)]
    if close.empty:
        return None
    distance = (close["left"] - left).abs() + (close["top"] - top).abs()
    return int(close.loc[distance.idxmin(), "label"])


def missed(found: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The placed digits (label, top, left) with no found digit at their place."""
    return truth[[near(found, row.top, row.left).empty for row in truth.itertuples()]]
