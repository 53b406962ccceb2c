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
from ui.density.words import caption, digit
from ui.text import t
from ui.widgets import Limit, download_csv, mirror_to_url, number, seed_from_url, slider

ANY = "any"  # the "Draw" choices, as the URL's draw= holds them: any digit, or a digit "0".."9"
LABELS = [ANY] + [str(d) for d in range(CLASSES)]
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
    return NONE if choice == ANY else int(choice)


def _choice_text(choice: str) -> str:
    """A "Draw" option in words: 'any digit: p(x)', 'a 3: p(x | y = 3)'."""
    if choice == ANY:
        return t("density.generation.any")
    return t("density.generation.one", digit=digit(int(choice)), d=int(choice))


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
    bar, live = st.progress(0.0, t("density.generation.drawing", n=explain.GALLERY)), st.empty()

    def on_row(r: int, images) -> None:
        bar.progress((r + 1) / SIDE, t("density.generation.row_drawn", row=r + 1, rows=SIDE))
        if r % 4 == 3 or r == SIDE - 1:
            shown = images[:, 0].numpy().astype(float)
            shown[:, r + 1 :] = np.nan  # rows not drawn yet
            title = t("density.generation.drawing_title", row=r + 1, rows=SIDE)
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
    captions = tuple(map(caption, table["reading"], table["digit"], table["probability"]))
    counted = tuple(bool(c) for c in table["recognisable"])
    grid = density_charts.image_grid(drawing.images[:, 0].numpy(), COLUMNS, title, captions, counted, subtitle)
    st.plotly_chart(grid, key="den.grid", config={"displayModeBar": False})
    return table


def _counts(table: pd.DataFrame, recorded: dict) -> None:
    """How many of these samples the judge recognises, beside the larger run recorded at training time."""
    recognised, n = table[table["recognisable"]], len(table)
    a, b = st.columns(2)
    a.metric(
        t("density.generation.recognisable", n=n),
        t("density.generation.recognisable_value", count=len(recognised), n=n),
        help=t("density.generation.recognisable_help", recognised=RECOGNISED),
    )
    b.metric(
        t("density.generation.digits", n=n),
        t("density.generation.digits_value", count=recognised["digit"].nunique(), classes=CLASSES),
    )
    runs = recorded["samples"]
    recorded_count = round(recorded["samples_recognised"] * runs)  # the share was recorded; the count is exact
    st.caption(
        t(
            "density.generation.counts",
            recognised=RECOGNISED,
            clear=CLEAR,
            count=recorded_count,
            runs=runs,
            temperature=recorded["sample_temperature"],
            classes=recorded["sample_classes"],
            digits=CLASSES,
        )
    )
    download_csv(table, t("density.generation.verdicts_csv"), "verdicts.csv", "den.dl_verdicts")


def _step_by_step(drawing: Drawing, limit: Limit) -> None:
    """The first sample after `step` pixels, the distribution its next pixel is drawn from, and every p(on)."""
    step = st.slider(t("density.generation.step"), limit.lo, limit.hi, limit.default, key="den.step")
    r, c = divmod(min(step, PIXELS - 1), SIDE)
    st.caption(t("density.generation.step_caption", step=step, row=r, column=c))
    image, p_one = drawing.images[0, 0].numpy(), drawing.p_one[0].numpy()
    left, middle, right = st.columns(3)
    left.plotly_chart(density_charts.partial_image(image, step), key="den.partial")
    if step == PIXELS:
        middle.info(t("density.generation.all_drawn", pixels=PIXELS))
    else:
        title = t("density.generation.next_title", step=step)
        middle.plotly_chart(
            density_charts.pixel_bars(float(p_one[step]), int(image.flatten()[step]), title), key="den.next"
        )
    title = t("density.generation.map_title")
    right.plotly_chart(density_charts.probability_map(p_one.reshape(SIDE, SIDE), title), key="den.pmap")


@st.fragment
def _draw_help(recorded: dict) -> str:
    """What "Draw" does, and how often the recorded "draw a d" samples read as d."""
    if "conditional_read_as_asked" not in recorded:
        return t("density.generation.draw_help")
    return t(
        "density.generation.draw_help_recorded",
        share=recorded["conditional_read_as_asked"],
        asked=recorded["conditional_per_digit"] * CLASSES,
        per_digit=recorded["conditional_per_digit"],
    )


def generation(trained: Trained, gallery: Drawing | None, recorded: dict) -> None:
    """Controls and counts beside the grid (drawn live unless kept), then one sample step by step."""
    limit = limits()
    picture, side = st.columns([3, 2], gap="medium")
    with side:
        seed = number(t("density.generation.seed"), "den.seed", "seed", limit["seed"])
        temperature = slider(
            t("density.generation.temperature"),
            "den.temp",
            "temp",
            limit["temp"],
            help=t("density.generation.temperature_help"),
        )
        seed_from_url("den.label", "draw", ANY, LABELS)
        choice = st.selectbox(
            t("density.generation.draw"),
            LABELS,
            format_func={c: _choice_text(c) for c in LABELS}.__getitem__,  # words fixed now: AppTest calls it later
            key="den.label",
            help=_draw_help(recorded),
        )
    mirror_to_url({"seed": seed, "temp": temperature, "draw": choice})
    with picture:
        drawing = drawing_for(trained, gallery, round(float(temperature), 2), int(seed), _label_of(choice))
        n = len(drawing.images)
        title = (
            t("density.generation.title_any", n=n)
            if choice == ANY
            else t("density.generation.title_digit", n=n, digit=_label_of(choice))
        )
        subtitle = t("density.generation.subtitle", seed=seed, temperature=temperature)
        table = _judged(trained, drawing, title, subtitle)
    with side:
        _counts(table, recorded)
    _step_by_step(drawing, limit["step"])
    label = t("density.generation.samples_csv", n=len(drawing.images), pixels=PIXELS)
    download_csv(explain.samples_table(drawing), label, "samples.csv", "den.dl_samples")
