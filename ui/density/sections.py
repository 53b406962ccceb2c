"""The density page's sections, each a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine.common.inputs import IMAGE_FORMATS, load_image
from engine.density import explain
from engine.density.data import Prepared, Split, cat_photo, prepare
from engine.density.model import LEVELS, PIXELS, SIDE, Trained
from engine.density.sample import Drawing, sample
from ui import loaders
from ui.density import charts as density_charts
from ui.widgets import Limit, download_csv, mirror_to_url, number, seed_from_url, slider, uploaded

BUILT_INS = ["a held-out digit", "noise", "a blank image", "scikit-image's cat photo", "upload my own"]
SAMPLES, GRID_COLUMNS = 24, 12  # samples drawn per setting; tiles per row of their grid
NOISE_SEED = 1  # the one noise image scored in section 2
FORMATS = list(IMAGE_FORMATS.values())
UPLOAD_LABEL = f"An image ({', '.join(FORMATS[:-1])} or {FORMATS[-1]})"
UPLOAD_TYPES = [f.lower() for f in IMAGE_FORMATS] + ["jpg"]
SHAPE = f"{SIDE}×{SIDE}"  # how the page writes the image size


def limits(n_test: int) -> dict[str, Limit]:
    """The page's numeric controls by URL parameter ('step' is not in the URL); `n_test` held-out digits."""
    return {
        "seed": Limit(0, 2**31 - 1, 0, 1),
        "temp": Limit(0.1, 2.0, 0.7, 0.05),
        "step": Limit(0, PIXELS, 20, 1),
        "digit": Limit(0, n_test - 1, 0, 1),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def _samples(n: int, temperature: float, seed: int) -> Drawing:
    return sample(loaders.density_model().trained.made, n, temperature, seed)


def _sample_step(drawing: Drawing, step: int) -> None:
    """The first sample after `step` pixels, and the distribution its next pixel is drawn from."""
    left, right = st.columns(2)
    partial = drawing.partial[step - 1].numpy() if step else np.full(PIXELS, -1)
    left.plotly_chart(density_charts.partial_image(partial, step), key="den.partial")
    if step == PIXELS:
        right.info(f"All {PIXELS} pixels are drawn.")
        return
    r, c = divmod(step, SIDE)
    title = f"p(pixel {step} = level | the {step} before it): row {r}, column {c}"
    chart = density_charts.level_bars(drawing.probs[step].numpy(), int(drawing.images[0, step]), title)
    right.plotly_chart(chart, key="den.next")


@st.fragment
def generation(trained: Trained, limit: dict[str, Limit]) -> None:
    """A grid of samples, and the first one drawn pixel by pixel."""
    a, b = st.columns(2)
    with a:
        seed = number("Seed", "den.seed", "seed", limit["seed"])
    with b:
        temperature = slider(
            "Temperature",
            "den.temp",
            "temp",
            limit["temp"],
            help="Divides the logits: below 1 favours each pixel's likelier levels (cleaner strokes), "
            "above 1 spreads the draws (noisier).",
        )
    mirror_to_url({"seed": seed, "temp": temperature})
    drawing = _samples(SAMPLES, float(temperature), int(seed))
    table = explain.samples_table(drawing.images)
    title = f"{SAMPLES} samples (seed {seed}, temperature {temperature:g})"
    st.plotly_chart(density_charts.image_grid(table, GRID_COLUMNS, title), key="den.grid")
    step_limit = limit["step"]
    step = st.slider(
        "Pixels drawn of the first sample", step_limit.lo, step_limit.hi, step_limit.default, key="den.step"
    )
    _sample_step(drawing, step)
    label = f"The {SAMPLES} samples (CSV, {PIXELS} levels per row)"
    download_csv(table, label, "samples.csv", "den.dl_samples")


@st.cache_resource(show_spinner="Scoring test digits and noise...")
def reference_scores() -> pd.DataFrame:
    """Bits per dimension of every test digit and of as many noise images, under both models."""
    return explain.reference_scores(loaders.density_model().trained, loaders.density_test().images)


@dataclass(frozen=True)
class Picked:
    """The image to score, how it was made (for files), and what to call it."""

    levels: torch.Tensor  # (64,) grey levels
    prepared: Prepared | None
    description: str


def _picked_file(data: bytes, description: str) -> Picked:
    prepared = prepare(load_image(data))
    return Picked(prepared.levels, prepared, description)


def _chosen_image(choice: str, test: Split, digit: Limit) -> Picked | None:
    """The picked or uploaded image; None (with a message) when there is none to score yet."""
    if choice == "a held-out digit":
        seed_from_url("den.index", "digit", digit.default, digit.valid)
        index = st.slider("Which test digit", digit.lo, digit.hi, key="den.index")
        mirror_to_url({"digit": index})
        return Picked(test.images[index], None, f"test digit #{index} (a {int(test.labels[index])})")
    if choice == "noise":
        return Picked(explain.noise_images(1, NOISE_SEED)[0], None, "uniform noise")
    if choice == "a blank image":
        return Picked(torch.zeros(PIXELS, dtype=torch.long), None, "a blank image")
    if choice == "scikit-image's cat photo":
        data = cat_photo()
        if data is None:
            st.error("scikit-image is not installed here, so its cat photo is missing (run: make run).")
            return None
        return _picked_file(data, "scikit-image's cat photo (Chelsea)")
    return uploaded(
        UPLOAD_LABEL, UPLOAD_TYPES, "den.upload", lambda data: _picked_file(data, "your image"), "Choose an image file."
    )


def _preprocessing(prepared: Prepared, levels: torch.Tensor) -> None:
    """The three steps from a picture to the model's input."""
    cols, grey = st.columns(3), prepared.grey
    title = f"1. grey, strokes light ({grey.shape[1]}×{grey.shape[0]})"
    cols[0].plotly_chart(density_charts.small_image(grey, title, box=prepared.crop), key="den.prep1")
    cols[1].plotly_chart(density_charts.small_image(prepared.square, "2. cropped to content, squared"), key="den.prep2")
    title = f"3. {SHAPE}, {LEVELS} grey levels"
    chart = density_charts.small_image(levels.view(SIDE, SIDE).numpy(), title, zmax=LEVELS - 1)
    cols[2].plotly_chart(chart, key="den.prep3")


def _scores(picked: Picked, scored: explain.Score) -> None:
    """The image beside its log-likelihood and bits per dimension under both models."""
    left, right = st.columns([1, 2])
    image = density_charts.small_image(picked.levels.view(SIDE, SIDE).numpy(), picked.description, zmax=LEVELS - 1)
    left.plotly_chart(image, key="den.image")
    cols = right.columns(3)
    cols[0].metric("log p(x)", f"{scored.log_p:.1f} nats")
    cols[1].metric("Bits per dimension", f"{scored.bits_per_dim:.3f}")
    cols[2].metric(
        "Baseline bits per dimension",
        f"{scored.baseline_bits_per_dim:.3f}",
        help="Every pixel drawn on its own from its histogram",
    )
    right.caption(
        f"p(x) = e^{scored.log_p:.1f} ≈ 10^{scored.log_p / math.log(10):.1f}: tiny, as the probability of "
        f"any one exact image among {LEVELS}^{PIXELS} is; compare it with the others below."
    )


def _blank_warning(reference: pd.DataFrame, bpd: float) -> None:
    """Why a blank image beats real digits: likelihood measures predictability, not typicality."""
    st.warning(
        f"A blank image, which looks like no digit, scores {bpd:.2f} bits per dimension: more probable than "
        f"{explain.share_beaten(reference, bpd):.0%} of the real test digits (their median is "
        f"{explain.median_digit(reference):.2f}). Most of a digit's pixels "
        "are 0, so an all-0 picture is cheap to predict pixel by pixel; only the centre pixels, where digits "
        "have ink, cost it much. This is the known failure of likelihood models: p(x) measures how predictable "
        "an image is, not how typical. Larger models trained on photos show it more strongly (models trained on "
        "CIFAR-10 give house-number photos higher likelihood than their own test images; Nalisnick et al., "
        "2019), so a high p(x) alone is a poor test of whether an input is like the training data."
    )


@st.fragment
def estimation(trained: Trained, test: Split, limit: dict[str, Limit]) -> None:
    """Score an image: preprocessing, bits per dimension among test digits and noise, per-pixel surprise."""
    seed_from_url("den.choice", "image", BUILT_INS[0], BUILT_INS)
    choice = st.radio("Image", BUILT_INS, key="den.choice", horizontal=True)
    mirror_to_url({"image": choice})
    picked = _chosen_image(choice, test, limit["digit"])
    if picked is None:
        return
    scored = explain.score(trained, picked.levels)
    if picked.prepared is not None:
        _preprocessing(picked.prepared, picked.levels)
    _scores(picked, scored)
    reference = reference_scores()
    marks = {"this image": scored.bits_per_dim, "median test digit": explain.median_digit(reference)}
    st.plotly_chart(density_charts.bpd_histogram(reference, marks), key="den.hist")
    pixels = explain.pixel_table(scored)
    st.plotly_chart(density_charts.pixel_surprise(pixels), key="den.surprise")
    if choice == "a blank image":
        _blank_warning(reference, scored.bits_per_dim)
    download_csv(pixels, "Per-pixel surprise (CSV)", "per_pixel.csv", "den.dl_pixels")


@st.fragment
def representation(study: dict) -> None:
    """The t-SNE map of hidden features and the two linear probes, recorded at training time."""
    frame = explain.feature_table(study)
    st.plotly_chart(density_charts.feature_map(frame), key="den.map")
    st.plotly_chart(density_charts.probe_bars(explain.probe_table(study)), key="den.probes")
    download_csv(frame, "Map coordinates (CSV)", "feature_map.csv", "den.dl_map")
