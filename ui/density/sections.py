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
from engine.density.explain import probe_comparison, probe_gain
from engine.density.pixelcnn import PIXELS, SIDE
from engine.density.train import Trained
from ui import loaders
from ui.density import charts as density_charts
from ui.density.words import caption, comparison, digit
from ui.text import say, t
from ui.widgets import Limit, download_csv, drawing, mirror_to_url, seed_from_url, uploaded

# The images to score, as the URL's image= holds them (ids: today's English, so old links work) -> table keys.
BUILT_INS = {
    "a held-out digit": "held_out",
    "draw one": "draw",
    "noise": "noise",
    "a blank image": "blank",
    "scikit-image's cat photo": "cat",
    "upload my own": "upload",
}
HELD_OUT, DRAW, NOISE, BLANK, CAT, UPLOAD = BUILT_INS
NOISE_SEED = 1  # the one noise image scored in section 2
FORMATS = list(IMAGE_FORMATS.values())
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
    asked, empty = t("density.estimation.canvas_caption"), t("density.estimation.canvas_empty")
    data = drawing("den.canvas", CANVAS, CANVAS, 22, asked, empty)
    if data is None:
        return None
    try:
        return _picked_file(data, t("density.estimation.your_drawing"))
    except InputError as err:
        st.error(t("density.estimation.canvas_refused", reason=say(err)))
        return None


def _chosen_image(choice: str, test: Split, index_limit: Limit) -> Picked | None:
    """The picked, drawn or uploaded image; None (with a message) when there is none to score yet."""
    if choice == HELD_OUT:
        seed_from_url("den.index", "digit", index_limit.default, index_limit.valid)
        index = st.slider(t("density.estimation.which"), index_limit.lo, index_limit.hi, key="den.index")
        mirror_to_url({"digit": index})
        named = digit(int(test.labels[index]))
        return Picked(test.images[index], None, t("density.estimation.test_digit", index=index, digit=named))
    if choice == DRAW:
        return _drawn()
    if choice == NOISE:
        return Picked(explain.noise_images(1, NOISE_SEED)[0], None, t("density.estimation.uniform_noise"))
    if choice == BLANK:
        return Picked(torch.zeros(1, SIDE, SIDE, dtype=torch.uint8), None, t("density.estimation.blank_image"))
    if choice == CAT:
        data = cat_photo()
        if data is None:
            st.error(t("density.estimation.no_cat"))
            return None
        return _picked_file(data, t("density.estimation.cat_photo"))
    label = t("density.estimation.upload_label", formats=", ".join(FORMATS[:-1]), last=FORMATS[-1])
    yours = t("density.estimation.your_image")
    read = lambda data: _picked_file(data, yours)  # noqa: E731
    return uploaded(label, UPLOAD_TYPES, "den.upload", read, t("density.estimation.upload_prompt"))


def _preprocessing(prepared: Prepared) -> None:
    """The four steps from a picture to the model's input (MNIST's own recipe)."""
    cols, grey = st.columns(4), prepared.grey
    h, w = prepared.boxed.shape
    r, c = prepared.centre_of_mass
    width, height = grey.shape[1], grey.shape[0]
    st.caption(t("density.estimation.steps", width=width, height=height, box=BOX, w=w, h=h, shape=SHAPE, r=r, c=c))
    steps = [
        density_charts.small_image(grey, t("density.estimation.step_grey"), box=prepared.crop),
        density_charts.small_image(prepared.boxed, t("density.estimation.step_cropped", box=BOX)),
        density_charts.small_image(prepared.centred, t("density.estimation.step_centred")),
        density_charts.small_image(prepared.pixels[0].numpy(), t("density.estimation.step_binarised")),
    ]
    for i, (col, chart) in enumerate(zip(cols, steps, strict=True)):
        col.plotly_chart(chart, key=f"den.prep{i + 1}")


def judge_reading(trained: Trained, pixels: torch.Tensor) -> str:
    """What the judge reads in one (1, 28, 28) image, as the grid captions it ('no digit' for a blank)."""
    row = explain.judged_table(trained, pixels[None]).iloc[0]
    return caption(row["reading"], int(row["digit"]), float(row["probability"]))


def _scores(picked: Picked, scored: explain.Score, reading: str) -> None:
    """The image beside its log-likelihood and bits per dimension under both models, and the judge's reading."""
    left, right = st.columns([1, 2])
    left.plotly_chart(density_charts.small_image(picked.pixels[0].numpy(), picked.description), key="den.image")
    cols = right.columns(2)
    cols[0].metric(t("density.estimation.log_p"), t("density.estimation.nats", value=scored.log_p))
    cols[1].metric(t("density.estimation.bpd"), f"{scored.bits_per_dim:.3f}")
    cols = right.columns(2)
    cols[0].metric(
        t("density.estimation.baseline_bpd"),
        f"{scored.baseline_bits_per_dim:.3f}",
        help=t("density.estimation.baseline_help"),
    )
    cols[1].metric(t("density.estimation.judge"), reading, help=t("density.estimation.judge_help"))
    log10_p = scored.log_p / math.log(10)
    right.caption(t("density.estimation.tiny", log_p=scored.log_p, log10_p=log10_p, pixels=PIXELS))


def _blank_warning(reference: pd.DataFrame, bpd: float) -> None:
    """Why a blank image can beat real digits: likelihood measures predictability, not typicality."""
    share = explain.share_beaten(reference, bpd)
    median = explain.median_digit(reference)
    st.warning(t("density.estimation.blank_warning", bpd=bpd, share=share, median=median))
    with st.expander(t("density.estimation.weakness")):
        st.markdown(t("density.estimation.weakness_text"))


@st.fragment
def estimation(trained: Trained, test: Split) -> None:
    """Score an image: preprocessing, bits per dimension among test digits and noise, per-pixel surprise."""
    seed_from_url("den.choice", "image", HELD_OUT, BUILT_INS)
    choice = st.radio(
        t("density.estimation.image"),
        list(BUILT_INS),
        format_func={c: t(f"density.estimation.{k}") for c, k in BUILT_INS.items()}.__getitem__,
        key="den.choice",
        horizontal=True,
    )
    mirror_to_url({"image": choice})
    picked = _chosen_image(choice, test, digit_limit(len(test.images)))
    if picked is None:
        return
    scored = explain.score(trained, picked.pixels)
    if picked.prepared is not None:
        _preprocessing(picked.prepared)
    _scores(picked, scored, judge_reading(trained, picked.pixels))
    reference = loaders.density_reference()
    marks = {t("density.estimation.this_image"): scored.bits_per_dim}
    marks[t("density.estimation.median")] = explain.median_digit(reference)
    st.plotly_chart(density_charts.bpd_histogram(reference, marks), key="den.hist")
    pixels = explain.pixel_table(scored)
    st.plotly_chart(density_charts.pixel_surprise(pixels), key="den.surprise")
    if choice == BLANK:
        _blank_warning(reference, scored.bits_per_dim)
    download_csv(pixels, t("density.estimation.pixels_csv"), "per_pixel.csv", "den.dl_pixels")


def probe_sentence(study: dict) -> str:
    """The two linear probes in one sentence that says plainly whether the features beat raw pixels."""
    features, pixels = round(100 * study["probe_accuracy_features"], 1), round(100 * study["probe_accuracy_pixels"], 1)
    words = comparison(study)
    said = t("density.representation.probe", features=features, pixels=pixels, comparison=words, gain=features - pixels)
    if probe_comparison(probe_gain(study)) == probe_comparison(0.0):  # a probe barely moved gets a reason
        said += t("density.representation.probe_reason")
    return said


@st.fragment
def representation(study: dict) -> None:
    """The probes' result in words, the t-SNE map of hidden features and the two probes, recorded at training."""
    st.markdown(probe_sentence(study))
    frame = explain.feature_table(study)
    st.plotly_chart(density_charts.feature_map(frame), key="den.map")
    st.plotly_chart(density_charts.probe_bars(explain.probe_table(study)), key="den.probes")
    download_csv(frame, t("density.representation.map_csv"), "feature_map.csv", "den.dl_map")
