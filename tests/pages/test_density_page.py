"""The density page driven as a user would: samples, built-in images, uploads, the feature map."""

import io
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from engine.common.metrics import bits_per_dim
from engine.density import model as density
from tests.pages.conftest import charts, widget

PAGE = "pages/density.py"


@pytest.fixture(scope="module")
def shipped():
    return density.load()


def metric(at, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert len(matches) == 1, label
    return matches[0]


def test_generation_draws_a_grid_and_steps_through_one_sample(run_page):
    at = run_page(PAGE, {"seed": "3", "temp": "0.9"})
    titles = [c["title"] for c in charts(at)]
    assert "24 samples (seed 3, temperature 0.9)" in titles
    widget(at, "slider", "Pixels drawn of the first sample").set_value(10).run()
    assert not at.exception
    step = next(c for c in charts(at) if c["title"].startswith("p(pixel 10 = level"))
    probs = [p for trace in step["data"] for p in trace["y"]]
    assert sum(probs) == pytest.approx(1.0, abs=1e-4) and len(probs) == 17
    partial = next(c for c in charts(at) if c["title"].startswith("After 10 of 64"))
    z = np.array(partial["data"][0]["z"], dtype=float)
    assert np.isfinite(z.flatten()[:10]).all() and np.isnan(z.flatten()[10:]).all()


def test_a_held_out_digit_is_scored_like_a_direct_forward_pass(run_page, shipped):
    at = run_page(PAGE, {"image": "a held-out digit", "digit": "7"})
    trained, _ = shipped
    x = density.load_levels()["test"][0][7:8]
    with torch.inference_mode():
        lp = F.log_softmax(trained.made(x), -1).gather(-1, x[..., None]).sum()
    assert float(metric(at, "Bits per dimension")) == pytest.approx(float(-lp / (64 * math.log(2))), abs=1e-3)


def test_the_blank_image_comes_with_its_honest_warning(run_page):
    at = run_page(PAGE, {"image": "a blank image"})
    trained, _ = density.load()
    x = density.load_levels()["test"][0]
    with torch.inference_mode():
        blank = float(bits_per_dim(density.pixel_log_probs(trained.made, torch.zeros(1, 64).long())))
        digits_bpd = bits_per_dim(density.pixel_log_probs(trained.made, x))
    share = f"{float((digits_bpd > blank).float().mean()):.0%}"
    assert any(f"more probable than {share} of the real test digits" in w.value for w in at.warning)


def test_the_cat_photo_goes_through_preprocessing(run_page):
    at = run_page(PAGE)
    widget(at, "radio", "Image").set_value("scikit-image's cat photo").run()
    assert not at.exception
    titles = [c["title"] for c in charts(at)]
    assert any(t.startswith("1. grey, strokes light") for t in titles)
    assert "3. 8×8, 17 grey levels" in titles


def test_uploads_are_scored_or_refused_with_a_message(run_page):
    at = run_page(PAGE)
    widget(at, "radio", "Image").set_value("upload my own").run()
    picture = np.full((64, 48), 255, dtype=np.uint8)
    picture[8:56, 20:28] = 0
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    uploader = at.file_uploader(key="den.upload")
    uploader.set_value(("<b>one</b>.png", buf.getvalue(), "image/png")).run()
    assert not at.exception
    assert any(t.value == "File: <b>one</b>.png" for t in at.text)
    assert float(metric(at, "Bits per dimension")) > 0
    at.file_uploader(key="den.upload").set_value(("fake.png", b"GIF89a but not really", "image/png")).run()
    assert any("Cannot use this file" in e.value for e in at.error)
    assert not at.exception


def test_the_representation_section_shows_the_map_and_both_probes(run_page):
    at = run_page(PAGE)
    probe = next(c for c in charts(at) if c["title"] == "Linear probe accuracy on test digits")
    assert len(probe["data"][0]["x"]) == 2
    feature_map = next(c for c in charts(at) if c["title"].startswith("Test digits placed"))
    assert sum(len(t["x"]) for t in feature_map["data"]) == 360
