"""A picture made MNIST-like, step by step, against positions worked out by hand."""

import io

import numpy as np
import pytest
from PIL import Image

from engine.common.inputs import load_image
from engine.density import data


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def test_a_dark_bar_on_white_is_cropped_fitted_centred_and_binarised():
    page = np.full((100, 60), 255, dtype=np.uint8)
    page[20:70, 10:30] = 0  # a black bar 50 rows tall, 20 columns wide
    prepared = data.prepare(load_image(_png(page)))
    assert prepared.grey[20:70, 10:30].min() == 1.0 and prepared.grey[:20].max() == 0.0  # inverted: strokes light
    assert prepared.crop == (20, 70, 10, 30)
    assert prepared.boxed.shape == (20, 8)  # the longer side 50 -> 20, the other 20 * 0.4 = 8
    # centre of mass of the 20x8 bar is (9.5, 3.5); it goes to (13.5, 13.5): top 4, left 10
    expected = np.zeros((28, 28), dtype=np.uint8)
    expected[4:24, 10:18] = 1
    assert prepared.pixels.shape == (1, 28, 28)
    assert np.array_equal(prepared.pixels[0].numpy(), expected)
    assert prepared.centre_of_mass == pytest.approx((13.5, 13.5))


def test_a_small_drawing_is_enlarged_to_the_box_and_a_blank_one_stays_blank():
    canvas = np.zeros((280, 280, 3), dtype=np.uint8)  # white strokes on black, like the page's canvas
    canvas[100:110, 140:145] = 255  # a short stroke, 10 tall, 5 wide
    prepared = data.prepare(load_image(_png(canvas)))
    assert prepared.boxed.shape == (20, 10) and int(prepared.pixels.sum()) == 200
    blank = data.prepare(load_image(_png(np.zeros((50, 50), dtype=np.uint8))))
    assert int(blank.pixels.sum()) == 0


def test_an_off_centre_l_shape_is_centred_by_mass_not_by_box():
    page = np.zeros((60, 60), dtype=np.uint8)
    page[10:50, 10:14] = 255  # a tall bar on the left
    page[46:50, 10:50] = 255  # and a foot along the bottom: the mass sits low and left in its box
    prepared = data.prepare(load_image(_png(page)))
    r, c = prepared.centre_of_mass
    assert abs(r - 13.5) <= 0.5 and abs(c - 13.5) <= 0.5  # the mass is centred ...
    rows = np.nonzero(prepared.pixels[0].numpy().any(1))[0]
    cols = np.nonzero(prepared.pixels[0].numpy().any(0))[0]
    assert prepared.crop == (10, 50, 10, 50)
    assert rows.min() < 28 - 1 - rows.max() and cols.min() > 28 - 1 - cols.max()  # ... the box sits high and right
