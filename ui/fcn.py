"""The FCN section's widget group: pick or upload a picture, then show score map and found digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine import digits, images
from engine.inputs import IMAGE_FORMATS, MAX_UPLOAD_BYTES, InputError, load_image
from ui import charts
from ui.controls import download_csv, in_range, mirror_to_url, seed_from_url

ANY_DIGIT = "any digit (1 − P(background))"


def _picture(x_test: torch.Tensor, y_test: torch.Tensor) -> tuple[np.ndarray, pd.DataFrame | None] | None:
    """The grey picture to scan (strokes light on black) and, for built-in canvases, the truth."""
    seed_from_url("conv.fcn_source", "fcn", "canvas", ["canvas", "upload"])
    seed_from_url("conv.canvas_digits", "digits", 5, in_range(1, 8))
    seed_from_url("conv.canvas_seed", "cseed", 0, in_range(0, 10_000))
    source = st.radio(
        "Picture",
        ["canvas", "upload"],
        key="conv.fcn_source",
        horizontal=True,
        format_func={"canvas": "held-out digits placed on a canvas", "upload": "upload my own"}.get,
    )
    if source == "canvas":
        a, b = st.columns(2)
        n = a.slider("Digits on the canvas", 1, 8, key="conv.canvas_digits")
        seed = b.number_input("Canvas seed", 0, 10_000, key="conv.canvas_seed")
        mirror_to_url({"fcn": source, "digits": n, "cseed": seed})
        return digits.compose_canvas(x_test, y_test, n, int(seed))
    mirror_to_url({"fcn": source})
    upload = st.file_uploader(
        f"An image ({', '.join(IMAGE_FORMATS.values())}, up to {MAX_UPLOAD_BYTES // 2**20} MB) of digits, "
        "dark on light or light on dark",
        type=["png", "jpg", "jpeg", "webp", "gif"],
        key="conv.upload",
    )
    if upload is None:
        st.info("Upload a picture of handwritten digits, or pick the canvas above.")
        return None
    st.text(f"File: {upload.name}")
    try:
        picture = load_image(upload.getvalue())
    except InputError as err:
        st.error(f"Cannot use this file: {err}")
        return None
    height = st.slider(
        "Scale the picture to this height (aim for digits about 8 pixels tall)", 8, 96, 24, key="conv.scale_height"
    )
    grey = images.resize_to_height(images.to_grey(picture), height)
    if min(grey.shape) < digits.WINDOW:
        st.error(
            f"After scaling, the picture is {grey.shape[1]}x{grey.shape[0]} pixels; it must be at least "
            f"{digits.WINDOW}x{digits.WINDOW}. Raise the height."
        )
        return None
    return images.strokes_on_black(grey), None


@st.fragment
def fcn_input(fcn: digits.DigitsFCN, meta: dict, x_test: torch.Tensor, y_test: torch.Tensor) -> None:
    """Controls, preprocessed picture with found digits, score map, tables and downloads."""
    st.markdown(
        f"The digits CNN reads one 8×8 window (held-out accuracy **{meta['metrics']['accuracy']:.1%}** on "
        f"{meta['metrics']['n']} test digits). Its convolutionized twin has the same weights and scans a "
        "whole picture at once, answering for every 8×8 window in it."
    )
    picked = _picture(x_test, y_test)
    if picked is None:
        return
    picture, truth = picked
    a, b = st.columns(2)
    threshold = a.slider("Detection threshold", 0.3, 0.95, 0.5, 0.05, key="conv.threshold")
    shown = b.selectbox("Score map of", [ANY_DIGIT, *digits.CLASS_NAMES], key="conv.map_class")
    probs = digits.score_map(fcn, picture)
    found = digits.find_digits(probs, threshold)
    frame = digits.score_map_frame(probs)
    if shown == ANY_DIGIT:
        view = frame[frame["class"] == "background"].assign(prob=lambda f: 1 - f["prob"])
    else:
        view = frame[frame["class"] == shown]
    a, b = st.columns(2)
    a.plotly_chart(
        charts.image_with_boxes(
            picture, found, digits.WINDOW, f"Input {picture.shape[0]}×{picture.shape[1]} with found digits"
        ),
        key="conv.fcn_image",
    )
    b.plotly_chart(
        charts.score_map_heatmap(view, f"Score map {probs.shape[1]}×{probs.shape[2]}: {shown}"), key="conv.fcn_map"
    )
    read = "".join(found["label"]) or "(nothing above the threshold)"
    st.markdown(f"**Read left to right:** {read}")
    if truth is not None:
        st.markdown(f"**Placed on the canvas:** {''.join(str(v) for v in truth['label'])}")
    st.dataframe(found, hide_index=True)
    download_csv(frame, "Score map, every class (CSV)", "score_map.csv", "conv.dl_score_map")
