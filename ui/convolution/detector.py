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
from ui.convolution.names import named, on_screen
from ui.convolution.sections import choice, count_and_seed
from ui.text import t
from ui.widgets import download_csv, drawing, mirror_to_url, uploaded

ANY_DIGIT = "any"  # the score map's first option: 1 - P(background), any digit at all
SOURCES = ("canvas", "draw", "upload")  # where the picture comes from (the URL's fcn=)
DRAWING = (640, 160)  # width and height of the drawing canvas, in screen pixels


def _uploaded_picture() -> np.ndarray | None:
    """A user's picture, grey with light strokes on black and scaled, or None (with a message)."""
    picture = uploaded(
        t("convolution.detector.upload_label", formats=", ".join(IMAGE_FORMATS.values())),
        UPLOAD_TYPES,
        "conv.upload",
        load_image,
        t("convolution.detector.upload_help"),
    )
    return None if picture is None else _scaled(picture)


def _drawn_picture() -> np.ndarray | None:
    """Digits drawn side by side on a wide canvas, read back as a PNG and scaled like an upload."""
    width, height = DRAWING
    caption, empty = t("convolution.detector.draw_caption"), t("convolution.detector.draw_empty")
    data = drawing("conv.drawing", width, height, 12, caption, empty)
    return None if data is None else _scaled(load_image(data))


def _scaled(picture) -> np.ndarray | None:
    """A picture made grey, scaled to the chosen height and made light strokes on black, or None (with a message)."""
    scale = LIMITS["scale_height"]
    height = st.slider(
        t("convolution.detector.scale", window=digits.WINDOW),
        scale.lo,
        scale.hi,
        scale.default,
        scale.step,
        key="conv.scale_height",
    )
    grey = images.resize_to_height(images.to_grey(picture), height)
    if min(grey.shape) < digits.WINDOW:
        size = dict(width=grey.shape[1], height=grey.shape[0], window=digits.WINDOW)
        st.error(t("convolution.detector.too_small", **size))
        return None
    return images.strokes_on_black(grey)


def _picture(held_out: digits.HeldOut) -> tuple[np.ndarray, pd.DataFrame | None] | None:
    """The grey picture to scan (strokes light on black) and, for built-in canvases, the truth."""
    sources = {v: t(f"convolution.detector.{v}") for v in SOURCES}
    source = choice(t("convolution.detector.picture"), "conv.fcn_source", "fcn", sources)
    if source == "canvas":
        n, seed = count_and_seed(
            (t("convolution.detector.canvas_digits"), "conv.canvas_digits", "digits"),
            (t("convolution.detector.canvas_seed"), "conv.canvas_seed", "cseed"),
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
    st.markdown(t("convolution.detector.intro", side=side, accuracy=metrics["accuracy"], n=metrics["n"]))
    picked = _picture(held_out)
    if picked is None:
        return
    picture, truth = picked
    a, b = st.columns(2)
    limit = LIMITS["threshold"]
    threshold = a.slider(
        t("convolution.detector.threshold"), limit.lo, limit.hi, limit.default, limit.step, key="conv.threshold"
    )
    classes = map_classes()
    shown = b.selectbox(t("convolution.detector.map_of"), list(classes), key="conv.map_class", format_func=classes.get)
    probs = detect.score_map(trained.fcn, picture)
    found = detect.judge(detect.find_digits(probs, threshold), truth)
    lost = None if truth is None else detect.missed(found, truth)
    frame = detect.score_map_frame(probs)
    a, b = st.columns(2)
    title = t("convolution.detector.image_title", height=picture.shape[0], width=picture.shape[1])
    a.plotly_chart(charts.image_with_boxes(picture, found, side, title, lost), key="conv.fcn_image")
    title = t("convolution.detector.map_title", rows=probs.shape[1], cols=probs.shape[2], shown=classes[shown])
    b.plotly_chart(charts.score_map_heatmap(score_view(frame, shown), title), key="conv.fcn_map")
    reading = marked_reading(found) or t("convolution.detector.nothing")
    st.markdown(t("convolution.detector.read", reading=reading))
    if truth is not None:
        st.markdown(t("convolution.detector.placed", digits="".join(str(v) for v in truth["label"])))
    verdict_line(found, lost)
    st.dataframe(on_screen(found, verdict="verdicts"), hide_index=True)
    download_csv(frame, t("convolution.detector.download_map"), "score_map.csv", "conv.dl_score_map")


def map_classes() -> dict[str, str]:
    """The score map's options, {stable value: text}: any digit, the ten digits (as they are), background."""
    shown = {ANY_DIGIT: t("convolution.detector.any_digit")} | {c: c for c in digits.CLASS_NAMES}
    return shown | {"background": named("classes", "background")}


def marked_reading(found: pd.DataFrame) -> str:
    """The digits read left to right as markdown: wrong ones in red, unsure ones in orange with a ?."""
    marks = {"misread": ":red[**{}**]", "extra": ":red[**{}**]", "unsure": ":orange[**{}?**]"}
    return "".join(marks.get(row.verdict, "{}").format(row.label) for row in found.itertuples())


def verdict_line(found: pd.DataFrame, lost: pd.DataFrame | None) -> None:
    """One line on how far to trust the reading: wrong, unsure and missed digits, named and counted."""
    wrong = found[found["verdict"].isin(["misread", "extra"])]
    unsure = found[found["verdict"] == "unsure"]
    parts = [
        t("convolution.verdict.blank_read", label=r.label, p=r.prob)
        if r.verdict == "extra"
        else t("convolution.verdict.misread", placed=r.placed, label=r.label, p=r.prob)
        for r in wrong.itertuples()
    ]
    below = detect.UNSURE_BELOW
    if lost is not None and len(lost):
        parts.append(t(f"convolution.verdict.missed_{_count(len(lost))}", n=len(lost)))
    if unsure.shape[0]:
        parts.append(t(f"convolution.verdict.unsure_{_count(len(unsure))}", n=len(unsure), below=below))
    if lost is None and not parts:
        st.caption(t("convolution.verdict.no_truth", below=below))
    elif not parts:
        st.success(t("convolution.verdict.all_right", n=len(found)), icon=":material/check:")
    elif wrong.empty:
        st.warning("; ".join(parts) + ".", icon=":material/help:")
    else:  # a warning, not an error: the page works, the model is wrong
        st.warning(t("convolution.verdict.marked_red", parts="; ".join(parts)), icon=":material/error:")


def how_it_works(trained: digits.Trained) -> str:
    """The expander's text, every number read from the checkpoint or the code."""
    metrics, cfg = trained.meta["metrics"], trained.meta["config"]
    k, side, feat, classes = digits.KERNEL, digits.WINDOW, digits.FEATURE_SIDE, len(digits.CLASS_NAMES)
    return t(
        "convolution.how.text",
        k=k,
        side=side,
        command=metrics["command"],
        seconds=metrics["train_seconds"],
        threads=metrics["threads"],
        digits=classes - 1,
        far=digits.FAR_SHIFT[0],
        hidden=cfg["hidden"],
        channels=cfg["channels2"],
        feat=feat,
        reach=detect.MIN_DISTANCE - 1,
    )


def _count(n: int) -> str:
    """Which of a message's two forms to use: "one" for exactly one thing, else "many"."""
    return "one" if n == 1 else "many"
