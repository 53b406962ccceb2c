"""Section 1 of the density page: a grid drawn live, the judge's reading of it, one sample step by step."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

import numpy as np
import pandas as pd
import streamlit as st

from engine.density import explain
from engine.density.draw import Drawing, draw
from engine.density.judge import CLEAR, RECOGNISED
from engine.density.pixelcnn import CLASSES, NONE, PIXELS, SIDE
from engine.density.train import Trained
from ui.density import charts as density_charts
from ui.widgets import Limit, download_csv, mirror_to_url, number, seed_from_url, slider

ANY = "any digit: p(x)"
LABELS = [ANY] + [f"{explain.a_or_an(d)} {d}: p(x | y = {d})" for d in range(CLASSES)]
COLUMNS = 4  # tiles per row of the grid: 4 keeps captions legible on a phone
DRAWN_KEPT = 64  # drawings kept per server (each is a pure function of its settings, so sessions share them)


def limits() -> dict[str, Limit]:
    """The section's numeric controls by URL parameter ('step' is not in the URL)."""
    return {
        "seed": Limit(0, 2**31 - 1, explain.JUDGED_SEED, 1),
        "temp": Limit(0.3, 1.5, explain.TEMPERATURE, 0.05),
        "step": Limit(0, PIXELS, 300, 1),
    }


@st.cache_resource
def _drawn() -> tuple[OrderedDict, Lock]:
    return OrderedDict(), Lock()


def _label_of(choice: str) -> int:
    return NONE if choice == ANY else LABELS.index(choice) - 1


def drawing_for(trained: Trained, gallery: Drawing | None, temperature: float, seed: int, label: int) -> Drawing:
    """The shipped grid at the defaults (at once), a kept one, or a new one drawn row by row on the page."""
    defaults = limits()
    if gallery is not None and (temperature, seed, label) == (defaults["temp"].default, defaults["seed"].default, NONE):
        return gallery
    kept, lock = _drawn()
    key = (explain.GALLERY, temperature, seed, label)
    with lock:
        if key in kept:
            return kept[key]
    bar, live = st.progress(0.0, "Drawing 16 samples pixel by pixel..."), st.empty()

    def on_row(r: int, images) -> None:
        bar.progress((r + 1) / SIDE, f"Row {r + 1} of {SIDE} drawn")
        if r % 4 == 3 or r == SIDE - 1:
            shown = images[:, 0].numpy().astype(float)
            shown[:, r + 1 :] = np.nan  # rows not drawn yet
            title = f"Drawing: {r + 1} of {SIDE} rows"
            live.plotly_chart(density_charts.image_grid(shown, COLUMNS, title), key=f"den.live{r}")

    drawing = draw(trained.pixelcnn, explain.GALLERY, temperature, seed, label, on_row)
    bar.empty()
    live.empty()
    with lock:
        kept[key] = drawing
        while len(kept) > DRAWN_KEPT:
            kept.popitem(last=False)
    return drawing


def _judged(trained: Trained, drawing: Drawing, title: str, subtitle: str) -> pd.DataFrame:
    """The grid with the judge's reading under each tile (bold where counted); returns the judged table."""
    table = explain.judged_table(trained, drawing.images)
    captions = tuple(map(explain.caption, table["reading"], table["digit"], table["probability"]))
    counted = tuple(bool(c) for c in table["recognisable"])
    grid = density_charts.image_grid(drawing.images[:, 0].numpy(), COLUMNS, title, captions, counted, subtitle)
    st.plotly_chart(grid, key="den.grid", config={"displayModeBar": False})
    return table


def _counts(table: pd.DataFrame, recorded: dict) -> None:
    """How many of these samples the judge recognises, beside the larger run recorded at training time."""
    recognised, n = table[table["recognisable"]], len(table)
    a, b = st.columns(2)
    a.metric(
        f"Recognisable, of these {n}",
        f"{len(recognised)} of {n}",
        help=f"The judge (a classifier trained on real digits only) gives its digit a probability of at least "
        f"{RECOGNISED}, on a sample that is not blank.",
    )
    b.metric(f"Digits among these {n}", f"{recognised['digit'].nunique()} of {CLASSES}")
    runs = recorded["samples"]
    recorded_count = round(recorded["samples_recognised"] * runs)  # the share was recorded; the count is exact
    st.caption(
        f"Under each sample: the judge's digit · probability, bold from {RECOGNISED}; 'no digit' for a blank "
        f"square, 'no clear digit' under {CLEAR}. The same test at training time: {recorded_count} of {runs} "
        f"samples (temperature {recorded['sample_temperature']:g}, a separate draw), {recorded['sample_classes']} "
        f"of {CLASSES} digits."
    )
    download_csv(table, "The judge's verdicts (CSV)", "verdicts.csv", "den.dl_verdicts")


def _step_by_step(drawing: Drawing, limit: Limit) -> None:
    """The first sample after `step` pixels, the distribution its next pixel is drawn from, and every p(on)."""
    step = st.slider("Pixels drawn of sample 1", limit.lo, limit.hi, limit.default, key="den.step")
    r, c = divmod(min(step, PIXELS - 1), SIDE)
    st.caption(
        f"Sample 1 after {step} pixels: the next pixel (row {r}, column {c}) outlined, its coin in the middle, "
        "every pixel's p(on) on the right."
    )
    image, p_one = drawing.images[0, 0].numpy(), drawing.p_one[0].numpy()
    left, middle, right = st.columns(3)
    left.plotly_chart(density_charts.partial_image(image, step), key="den.partial")
    if step == PIXELS:
        middle.info(f"All {PIXELS} pixels are drawn.")
    else:
        title = f"p(pixel {step} | the {step} before it)"
        middle.plotly_chart(
            density_charts.pixel_bars(float(p_one[step]), int(image.flatten()[step]), title), key="den.next"
        )
    title = "p(on) at every pixel of sample 1"
    right.plotly_chart(density_charts.probability_map(p_one.reshape(SIDE, SIDE), title), key="den.pmap")


@st.fragment
def _draw_help(recorded: dict) -> str:
    """What "Draw" does, and how often the recorded "draw a d" samples read as d."""
    text = "Any digit: the model p(x). A digit: p(x | y)."
    if "conditional_read_as_asked" in recorded:
        asked = recorded["conditional_per_digit"] * CLASSES
        text += (
            f" At training time the judge read {recorded['conditional_read_as_asked']:.0%} of {asked} such samples "
            f"({recorded['conditional_per_digit']} of each digit) as the digit asked for."
        )
    return text


def generation(trained: Trained, gallery: Drawing | None, recorded: dict) -> None:
    """Controls and counts beside the grid (drawn live unless kept), then one sample step by step."""
    limit = limits()
    picture, side = st.columns([3, 2], gap="medium")
    with side:
        seed = number("Seed", "den.seed", "seed", limit["seed"])
        temperature = slider(
            "Temperature",
            "den.temp",
            "temp",
            limit["temp"],
            help="Divides each pixel's logit: below 1 favours the likelier value (cleaner strokes, and at the "
            "lowest blank squares), above 1 evens the odds (noisier).",
        )
        seed_from_url("den.label", "draw", ANY, LABELS)
        choice = st.selectbox("Draw", LABELS, key="den.label", help=_draw_help(recorded))
    mirror_to_url({"seed": seed, "temp": temperature, "draw": choice})
    with picture:
        drawing = drawing_for(trained, gallery, round(float(temperature), 2), int(seed), _label_of(choice))
        what = "any digit" if choice == ANY else f"the digit {_label_of(choice)}"
        title = f"{len(drawing.images)} samples of {what}"
        table = _judged(trained, drawing, title, f"seed {seed}, temperature {temperature:g}")
    with side:
        _counts(table, recorded)
    _step_by_step(drawing, limit["step"])
    label = f"The {len(drawing.images)} samples (CSV, {PIXELS} pixels per row)"
    download_csv(explain.samples_table(drawing), label, "samples.csv", "den.dl_samples")
