"""The Convolution & FCN page's last section: the convolutionized digits classifier scanning a picture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.common import images
from engine.common.inputs import IMAGE_FORMATS, load_image
from engine.convolution import detect, digits
from ui.convolution import charts
from ui.convolution.limits import LIMITS, UPLOAD_TYPES
from ui.convolution.sections import choice, count_and_seed
from ui.widgets import download_csv, drawing, mirror_to_url, uploaded

ANY_DIGIT = "any digit (1 − P(background))"
SOURCES = {
    "canvas": "held-out digits placed on a canvas",
    "draw": "draw digits with the mouse",
    "upload": "upload my own",
}
DRAWING = (640, 160)  # width and height of the drawing canvas, in screen pixels


def _uploaded_picture() -> np.ndarray | None:
    """A user's picture, grey with light strokes on black and scaled, or None (with a message)."""
    picture = uploaded(
        f"An image ({', '.join(IMAGE_FORMATS.values())}) of digits, dark on light or light on dark",
        UPLOAD_TYPES,
        "conv.upload",
        load_image,
        "Upload a picture of handwritten digits, or pick the canvas above.",
    )
    return None if picture is None else _scaled(picture)


def _drawn_picture() -> np.ndarray | None:
    """Digits drawn side by side on a wide canvas, read back as a PNG and scaled like an upload."""
    width, height = DRAWING
    caption = "Draw a few digits side by side, each about as tall as the box. The bin icon clears the canvas."
    data = drawing("conv.drawing", width, height, 12, caption, "Draw digits in the black box to scan them.")
    return None if data is None else _scaled(load_image(data))


def _scaled(picture) -> np.ndarray | None:
    """A picture made grey, scaled to the chosen height and made light strokes on black, or None (with a message)."""
    scale = LIMITS["scale_height"]
    height = st.slider(
        f"Scale the picture to this height (aim for digits about {digits.WINDOW} pixels tall)",
        scale.lo,
        scale.hi,
        scale.default,
        scale.step,
        key="conv.scale_height",
    )
    grey = images.resize_to_height(images.to_grey(picture), height)
    if min(grey.shape) < digits.WINDOW:
        st.error(
            f"After scaling, the picture is {grey.shape[1]}x{grey.shape[0]} pixels; it must be at least "
            f"{digits.WINDOW}x{digits.WINDOW}. Raise the height."
        )
        return None
    return images.strokes_on_black(grey)


def _picture(held_out: digits.HeldOut) -> tuple[np.ndarray, pd.DataFrame | None] | None:
    """The grey picture to scan (strokes light on black) and, for built-in canvases, the truth."""
    source = choice("Picture", "conv.fcn_source", "fcn", SOURCES)
    if source == "canvas":
        n, seed = count_and_seed(
            ("Digits on the canvas", "conv.canvas_digits", "digits"), ("Canvas seed", "conv.canvas_seed", "cseed")
        )
        mirror_to_url({"fcn": source, "digits": n, "cseed": seed})
        return detect.compose_canvas(held_out.images, held_out.labels, n, seed)
    mirror_to_url({"fcn": source})
    picture = _drawn_picture() if source == "draw" else _uploaded_picture()
    return None if picture is None else (picture, None)


def score_view(frame: pd.DataFrame, shown: str) -> pd.DataFrame:
    """The rows of a score-map frame that the heatmap draws: one class, or 1 - P(background)."""
    if shown == ANY_DIGIT:
        return frame[frame["class"] == "background"].assign(prob=lambda f: 1 - f["prob"])
    return frame[frame["class"] == shown]


@st.fragment
def fcn_input(trained: digits.Trained, held_out: digits.HeldOut) -> None:
    """Controls, preprocessed picture with found digits, score map, tables and downloads."""
    metrics, side = trained.meta["metrics"], digits.WINDOW
    st.markdown(
        f"The digits CNN reads one {side}×{side} window (held-out accuracy **{metrics['accuracy']:.1%}** on "
        f"{metrics['n']} test digits). Its convolutionized twin has the same weights and scans a "
        f"whole picture at once, answering for every {side}×{side} window in it."
    )
    picked = _picture(held_out)
    if picked is None:
        return
    picture, truth = picked
    a, b = st.columns(2)
    limit = LIMITS["threshold"]
    threshold = a.slider("Detection threshold", limit.lo, limit.hi, limit.default, limit.step, key="conv.threshold")
    shown = b.selectbox("Score map of", [ANY_DIGIT, *digits.CLASS_NAMES], key="conv.map_class")
    probs = detect.score_map(trained.fcn, picture)
    found = detect.judge(detect.find_digits(probs, threshold), truth)
    lost = None if truth is None else detect.missed(found, truth)
    frame = detect.score_map_frame(probs)
    a, b = st.columns(2)
    title = f"Input {picture.shape[0]}×{picture.shape[1]} with found digits"
    a.plotly_chart(charts.image_with_boxes(picture, found, side, title, lost), key="conv.fcn_image")
    title = f"Score map {probs.shape[1]}×{probs.shape[2]}: {shown}"
    b.plotly_chart(charts.score_map_heatmap(score_view(frame, shown), title), key="conv.fcn_map")
    st.markdown(f"**Read left to right:** {marked_reading(found) or '(nothing above the threshold)'}")
    if truth is not None:
        st.markdown(f"**Placed on the canvas:** {''.join(str(v) for v in truth['label'])}")
    verdict_line(found, lost)
    st.dataframe(found, hide_index=True)
    download_csv(frame, "Score map, every class (CSV)", "score_map.csv", "conv.dl_score_map")


def marked_reading(found: pd.DataFrame) -> str:
    """The digits read left to right as markdown: wrong ones in red, unsure ones in orange with a ?."""
    marks = {"misread": ":red[**{}**]", "extra": ":red[**{}**]", "unsure": ":orange[**{}?**]"}
    return "".join(marks.get(row.verdict, "{}").format(row.label) for row in found.itertuples())


def verdict_line(found: pd.DataFrame, lost: pd.DataFrame | None) -> None:
    """One line on how far to trust the reading: wrong, unsure and missed digits, named and counted."""
    wrong = found[found["verdict"].isin(["misread", "extra"])]
    unsure = found[found["verdict"] == "unsure"]
    parts = [
        f"{'a blank' if r.verdict == 'extra' else 'the ' + r.placed} read as **{r.label}** (P = {r.prob:.3f})"
        for r in wrong.itertuples()
    ]
    if lost is not None and len(lost):
        parts.append(f"{len(lost)} placed {_plural(len(lost), 'digit')} not found (dashed)")
    if unsure.shape[0]:
        parts.append(f"{len(unsure)} {_plural(len(unsure), 'reading')} under P = {detect.UNSURE_BELOW} (orange, ?)")
    if lost is None and not parts:
        st.caption(f"Your own picture has no truth to check: only readings under P = {detect.UNSURE_BELOW} get marked.")
    elif not parts:
        st.success(f"All {len(found)} digits read right (green).", icon=":material/check:")
    elif wrong.empty:
        st.warning("; ".join(parts) + ".", icon=":material/help:")
    else:  # a warning, not an error: the page works, the model is wrong
        st.warning(
            f"Marked in red: {'; '.join(parts)}. A wrong reading can be as sure as a right one.",
            icon=":material/error:",
        )


def how_it_works(trained: digits.Trained) -> str:
    """The expander's text, every number read from the checkpoint or the code."""
    metrics, cfg = trained.meta["metrics"], trained.meta["config"]
    k, side, feat, classes = digits.KERNEL, digits.WINDOW, digits.FEATURE_SIDE, len(digits.CLASS_NAMES)
    return (
        f"The classifier is conv{k}×{k} → ReLU → conv{k}×{k} → ReLU → dense → ReLU → dense, with unpadded "
        f"convolutions, trained on {side}×{side} windows cut from scikit-learn's digits (`{metrics['command']}`, "
        f"{metrics['train_seconds']} s on {metrics['threads']} CPU threads). Besides the {classes - 1} "
        f"digits it learned an extra class, *background*, from windows where the digit sits {digits.FAR_SHIFT[0]} "
        "or more pixels off-centre, blanks and faint noise. Convolutionizing copies the first dense layer's "
        f"{cfg['hidden']} weight rows into {cfg['hidden']} kernels of "
        f"{cfg['channels2']}×{feat}×{feat} and the second's into 1×1 kernels. With no padding and no pooling, cell "
        f"(r, c) of the score map is *exactly* the classifier's answer for the {side}×{side} window whose top-left "
        "pixel is (r, c), computed for all windows in one pass that shares the work of overlapping windows. Found "
        "digits are cells whose best digit probability passes the threshold and beats every cell within "
        f"{detect.MIN_DISTANCE - 1} pixels."
    )


def _plural(n: int, noun: str) -> str:
    """`noun`, with an s unless there is exactly one."""
    return noun if n == 1 else noun + "s"
