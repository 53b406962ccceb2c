"""Sections 2 and 3 of the density page, each a fragment: score any image (drawn, picked or uploaded), the study."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st
import torch

from engine.common.inputs import IMAGE_FORMATS, InputError, load_image
from engine.density import explain
from engine.density.data import BOX, Prepared, Split, cat_photo, prepare
from engine.density.explain import a_or_an, probe_comparison, probe_gain
from engine.density.pixelcnn import PIXELS, SIDE
from engine.density.train import Trained
from ui import loaders
from ui.density import charts as density_charts
from ui.widgets import Limit, download_csv, drawing, mirror_to_url, seed_from_url, uploaded

DRAW = "draw one"
BUILT_INS = ["a held-out digit", DRAW, "noise", "a blank image", "scikit-image's cat photo", "upload my own"]
NOISE_SEED = 1  # the one noise image scored in section 2
FORMATS = list(IMAGE_FORMATS.values())
UPLOAD_LABEL = f"An image ({', '.join(FORMATS[:-1])} or {FORMATS[-1]})"
UPLOAD_TYPES = [f.lower() for f in IMAGE_FORMATS] + ["jpg"]
SHAPE = f"{SIDE}×{SIDE}"  # how the page writes the image size
CANVAS = 280  # pixels per side of the drawing canvas (10 per digit pixel)


def digit_limit(n_test: int) -> Limit:
    return Limit(0, n_test - 1, 0, 1)


@dataclass(frozen=True)
class Picked:
    """The image to score, how it was made (for files and drawings), and what to call it."""

    pixels: torch.Tensor  # (1, 28, 28) binary pixels
    prepared: Prepared | None
    description: str


def _picked_file(data: bytes, description: str) -> Picked:
    prepared = prepare(load_image(data))
    return Picked(prepared.pixels, prepared, description)


def _drawn() -> Picked | None:
    """The canvas: white strokes on black, read back as a PNG and prepared like an upload."""
    caption = "Draw one digit with the mouse (or a finger), as large as the box. Use the bin icon to start again."
    data = drawing("den.canvas", CANVAS, CANVAS, 22, caption, "Draw a digit in the black box to score it.")
    if data is None:
        return None
    try:
        return _picked_file(data, "your drawing")
    except InputError as err:
        st.error(f"Cannot use the drawing: {err}")
        return None


def _chosen_image(choice: str, test: Split, digit: Limit) -> Picked | None:
    """The picked, drawn or uploaded image; None (with a message) when there is none to score yet."""
    if choice == "a held-out digit":
        seed_from_url("den.index", "digit", digit.default, digit.valid)
        index = st.slider("Which test digit", digit.lo, digit.hi, key="den.index")
        mirror_to_url({"digit": index})
        label = int(test.labels[index])
        return Picked(test.images[index], None, f"test digit #{index} ({a_or_an(label)} {label})")
    if choice == DRAW:
        return _drawn()
    if choice == "noise":
        return Picked(explain.noise_images(1, NOISE_SEED)[0], None, "uniform noise")
    if choice == "a blank image":
        return Picked(torch.zeros(1, SIDE, SIDE, dtype=torch.uint8), None, "a blank image")
    if choice == "scikit-image's cat photo":
        data = cat_photo()
        if data is None:
            st.error("scikit-image is not installed here, so its cat photo is missing (run: make run).")
            return None
        return _picked_file(data, "scikit-image's cat photo (Chelsea)")
    return uploaded(
        UPLOAD_LABEL, UPLOAD_TYPES, "den.upload", lambda data: _picked_file(data, "your image"), "Choose an image file."
    )


def _preprocessing(prepared: Prepared) -> None:
    """The four steps from a picture to the model's input (MNIST's own recipe)."""
    cols, grey = st.columns(4), prepared.grey
    h, w = prepared.boxed.shape
    r, c = prepared.centre_of_mass
    st.caption(
        f"1: the picture ({grey.shape[1]}×{grey.shape[0]}) in grey with light strokes, its content boxed in red. "
        f"2: the content resized so its longer side is {BOX} pixels ({w}×{h}). 3: placed in {SHAPE} with its "
        f"centre of mass ({r:.1f}, {c:.1f}) at the centre. 4: pixels brighter than half grey are on."
    )
    cols[0].plotly_chart(density_charts.small_image(grey, "1. grey, strokes light", box=prepared.crop), key="den.prep1")
    cols[1].plotly_chart(density_charts.small_image(prepared.boxed, f"2. cropped, in {BOX}×{BOX}"), key="den.prep2")
    cols[2].plotly_chart(density_charts.small_image(prepared.centred, "3. centred by mass"), key="den.prep3")
    cols[3].plotly_chart(density_charts.small_image(prepared.pixels[0].numpy(), "4. binarised at 0.5"), key="den.prep4")


def judge_reading(trained: Trained, pixels: torch.Tensor) -> str:
    """What the judge reads in one (1, 28, 28) image, as the grid captions it ('no digit' for a blank)."""
    row = explain.judged_table(trained, pixels[None]).iloc[0]
    return explain.caption(row["reading"], int(row["digit"]), float(row["probability"]))


def _scores(picked: Picked, scored: explain.Score, reading: str) -> None:
    """The image beside its log-likelihood and bits per dimension under both models, and the judge's reading."""
    left, right = st.columns([1, 2])
    left.plotly_chart(density_charts.small_image(picked.pixels[0].numpy(), picked.description), key="den.image")
    cols = right.columns(2)
    cols[0].metric("log p(x)", f"{scored.log_p:.1f} nats")
    cols[1].metric("Bits per dimension", f"{scored.bits_per_dim:.3f}")
    cols = right.columns(2)
    cols[0].metric(
        "Baseline bits per dimension",
        f"{scored.baseline_bits_per_dim:.3f}",
        help="Every pixel drawn on its own with its training frequency",
    )
    cols[1].metric(
        "The judge reads",
        reading,
        help="The classifier that captions the samples above: its digit and probability, or no digit for a "
        "blank or unclear image. A probable image need not look like a digit.",
    )
    right.caption(
        f"p(x) = e^{scored.log_p:.1f} ≈ 10^{scored.log_p / math.log(10):.1f}: tiny, as any one exact image "
        f"among 2^{PIXELS} is."
    )


def _blank_warning(reference: pd.DataFrame, bpd: float) -> None:
    """Why a blank image can beat real digits: likelihood measures predictability, not typicality."""
    share = explain.share_beaten(reference, bpd)
    st.warning(
        f"A blank image, which the judge reads as no digit, scores {bpd:.3f} bits per dimension: more probable "
        f"than {share:.0%} of the real test digits (their median is {explain.median_digit(reference):.3f}). Most "
        "of a digit's pixels are off, so an all-off picture is cheap to predict pixel by pixel. p(x) measures how "
        "predictable an image is, not how typical."
    )
    with st.expander("Read more: the known weakness of likelihood models"):
        st.markdown(
            "Models trained on photos show it strongly: models trained on CIFAR-10 give house-number photos higher "
            "likelihood than their own test images (Nalisnick et al., 2019), so a high p(x) alone is a poor test of "
            "whether an input is like the training data."
        )


@st.fragment
def estimation(trained: Trained, test: Split) -> None:
    """Score an image: preprocessing, bits per dimension among test digits and noise, per-pixel surprise."""
    seed_from_url("den.choice", "image", BUILT_INS[0], BUILT_INS)
    choice = st.radio("Image", BUILT_INS, key="den.choice", horizontal=True)
    mirror_to_url({"image": choice})
    picked = _chosen_image(choice, test, digit_limit(len(test.images)))
    if picked is None:
        return
    scored = explain.score(trained, picked.pixels)
    if picked.prepared is not None:
        _preprocessing(picked.prepared)
    _scores(picked, scored, judge_reading(trained, picked.pixels))
    reference = loaders.density_reference()
    marks = {"this image": scored.bits_per_dim, "median test digit": explain.median_digit(reference)}
    st.plotly_chart(density_charts.bpd_histogram(reference, marks), key="den.hist")
    pixels = explain.pixel_table(scored)
    st.plotly_chart(density_charts.pixel_surprise(pixels), key="den.surprise")
    if choice == "a blank image":
        _blank_warning(reference, scored.bits_per_dim)
    download_csv(pixels, "Per-pixel surprise (CSV)", "per_pixel.csv", "den.dl_pixels")


def probe_sentence(study: dict) -> str:
    """The two linear probes in one sentence that says plainly whether the features beat raw pixels."""
    features, pixels = round(100 * study["probe_accuracy_features"], 1), round(100 * study["probe_accuracy_pixels"], 1)
    comparison = probe_comparison(probe_gain(study))
    said = (
        f"A linear probe (a straight-line classifier) on the features learned without labels reads "
        f"{features:.1f}% of the test digits correctly, on raw pixels {pixels:.1f}%: {comparison} raw pixels "
        f"({features - pixels:+.1f} points)."
    )
    if comparison == probe_comparison(0.0):  # features that barely move the probe get a reason, not silence
        said += " Predicting the next pixel mostly needs a stroke's local shape, which the pixels already show."
    return said


@st.fragment
def representation(study: dict) -> None:
    """The probes' result in words, the t-SNE map of hidden features and the two probes, recorded at training."""
    st.markdown(probe_sentence(study))
    frame = explain.feature_table(study)
    st.plotly_chart(density_charts.feature_map(frame), key="den.map")
    st.plotly_chart(density_charts.probe_bars(explain.probe_table(study)), key="den.probes")
    download_csv(frame, "Map coordinates (CSV)", "feature_map.csv", "den.dl_map")
