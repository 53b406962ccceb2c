"""Every chart of the density page, checked on the Figure: its numbers, axes and hover text."""

import numpy as np
import pandas as pd
import pytest
import torch

from engine.density import explain
from ui.density import charts


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, written out here."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_sample_grid_holds_each_image_as_a_tile_with_its_caption_underneath():
    images = torch.randint(0, 2, (5, 28, 28), generator=torch.Generator().manual_seed(0)).numpy()
    fig = charts.image_grid(images, 3, "five", ("1 · 0.90", "no digit"), (True, False), "seed 1")
    z = np.array(fig.data[0].z, dtype=float)
    across, down = 28 + 2, 28 + 8  # a 2-pixel gap beside each tile, an 8-pixel caption band under it
    assert z.shape == (2 * down - 2, 3 * across - 2)
    for i, image in enumerate(images):
        r, c = divmod(i, 3)
        assert (z[r * down : r * down + 28, c * across : c * across + 28] == image).all()
    assert np.isnan(z[28:36]).all() and np.isnan(z[36:, 60:]).all()  # the caption band, and the sixth tile empty
    assert fig.data[0].zmax == 1 and fig.data[0].hovertemplate == "%{z}<extra></extra>"
    first, second = fig.layout.annotations
    assert (first.text, first.x, second.text, second.x) == ("1 · 0.90", 13.5, "no digit", 43.5)
    assert 27.5 < first.y < 35.5 and first.y == second.y  # inside the band, below the tile's last row
    assert (first.font.weight, second.font.weight) == ("bold", "normal")  # bold: counted as recognisable
    assert (fig.layout.title.text, fig.layout.title.subtitle.text) == ("five", "seed 1")


def test_grid_captions_are_large_and_dark_enough_to_read():
    images = np.zeros((2, 28, 28))
    fig = charts.image_grid(images, 2, "two", ("7 · 0.99", "no clear digit"))
    background = fig.layout.plot_bgcolor
    for annotation in fig.layout.annotations:
        assert annotation.font.size >= 14
        assert contrast(annotation.font.color, background) >= 7  # WCAG AAA for body text
    assert contrast("#f5c542", "#f0f2f6") < 4.5  # the old yellow on light grey fails the same check


def test_the_partial_sample_hides_undrawn_pixels_and_outlines_the_next():
    image = (np.arange(784) % 2).reshape(28, 28)
    fig = charts.partial_image(image, 30)
    z = np.array(fig.data[0].z, dtype=float).flatten()
    assert (z[:30] == image.flatten()[:30]).all() and np.isnan(z[30:]).all()
    (box,) = fig.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (1.5, 2.5, 0.5, 1.5)  # pixel 30: row 1, column 2
    assert fig.layout.title.text == "After 30 of 784 pixels"
    assert fig.data[0].hovertemplate == "row %{y}, col %{x}: %{z}<extra></extra>"
    assert not charts.partial_image(image, 784).layout.shapes


def test_the_pixel_bars_show_both_values_and_the_drawn_one():
    fig = charts.pixel_bars(0.3, 1, "next")
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["drawn"].x) == ["on (1)"] and by_name["drawn"].y[0] == pytest.approx(0.3)
    assert list(by_name["not drawn"].x) == ["off (0)"] and by_name["not drawn"].y[0] == pytest.approx(0.7)
    assert fig.layout.yaxis.title.text == "probability" and tuple(fig.layout.yaxis.range) == (0, 1)
    assert "pixel=%{x}" in by_name["drawn"].hovertemplate


def test_the_probability_map_is_p_on_in_image_layout():
    p = np.linspace(0, 1, 784).reshape(28, 28)
    fig = charts.probability_map(p, "p")
    assert np.array_equal(np.array(fig.data[0].z), p)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 1) and fig.data[0].colorbar.title.text == "p(on)"
    assert fig.data[0].hovertemplate == "row %{y}, col %{x}: p(on) %{z:.3f}<extra></extra>"


def test_a_small_image_draws_its_values_and_the_crop_box():
    values = np.random.default_rng(0).random((20, 30))
    fig = charts.small_image(values, "grey", box=(2, 18, 5, 25))
    assert np.array_equal(np.array(fig.data[0].z), values) and fig.data[0].hoverinfo == "skip"
    (box,) = fig.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (4.5, 24.5, 1.5, 17.5)
    assert charts.small_image(values, "levels", zmax=16).data[0].zmax == 16


def test_the_histogram_holds_every_score_by_group_and_marks_the_values():
    frame = pd.DataFrame({"group": ["test digits"] * 3 + ["uniform noise"] * 2, "bits per dim": [2, 2.1, 2.3, 4, 4.1]})
    fig = charts.bpd_histogram(frame, {"this image": 2.2, "median test digit": 2.1})
    assert {t.name: list(t.x) for t in fig.data} == {"test digits": [2, 2.1, 2.3], "uniform noise": [4, 4.1]}
    assert [s.x0 for s in fig.layout.shapes] == [2.2, 2.1]
    assert [a.text for a in fig.layout.annotations] == ["this image", "median test digit"]
    assert fig.layout.xaxis.title.text == "bits per dim"
    assert "bits per dim=%{x}" in fig.data[0].hovertemplate and "count=%{y}" in fig.data[0].hovertemplate
    assert fig.layout.yaxis.title.text == "count"


def test_the_surprise_map_is_the_pixel_tables_nll_in_image_layout():
    pixels = (torch.arange(784) % 2).view(1, 28, 28)
    scored = explain.Score(pixels, -torch.arange(784, dtype=torch.float32) / 100, torch.zeros(784))
    frame = explain.pixel_table(scored)
    fig = charts.pixel_surprise(frame)
    z = np.array(fig.data[0].z, dtype=float)
    assert z.shape == (28, 28)
    assert z.flatten() == pytest.approx(frame["nll_bits"].to_numpy())  # the chart's numbers are the CSV's rows
    assert z[2, 3] == pytest.approx(frame.loc[59, "nll_bits"])
    assert fig.data[0].colorbar.title.text == "bits"
    assert fig.data[0].hovertemplate == "row %{y}, col %{x}: %{z:.2f} bits<extra></extra>"


def test_the_feature_map_places_every_digit_as_in_the_frame():
    study = {"map_x": [0.0, 1.0, 2.0], "map_y": [3.0, 4.0, 5.0], "map_labels": [1, 0, 1]}
    frame = explain.feature_table(study)
    fig = charts.feature_map(frame)
    points = {t.name: list(zip(t.x, t.y, strict=True)) for t in fig.data}
    assert points == {"1": [(0.0, 3.0), (2.0, 5.0)], "0": [(1.0, 4.0)]}
    assert [t.name for t in fig.data] == ["0", "1"]  # legend in digit order
    assert all(t.hovertemplate.startswith(f"digit={t.name}<br>x=%{{x}}") for t in fig.data)
    assert not fig.layout.xaxis.visible and not fig.layout.yaxis.visible


def test_the_probe_bars_show_both_accuracies():
    frame = pd.DataFrame({"input": ["features", "pixels"], "accuracy": [0.85, 0.97]})  # explain.probe_table's ids
    fig = charts.probe_bars(frame)
    assert list(fig.data[0].x) == [0.85, 0.97] and list(fig.data[0].y) == ["the model's hidden features", "raw pixels"]
    assert fig.layout.title.text == "Linear probe accuracy on test digits"
    assert fig.layout.xaxis.title.text == "accuracy" and tuple(fig.layout.xaxis.range) == (0, 1)
    assert fig.data[0].texttemplate == "%{x:.3f}"
