"""The density page driven as a user would: samples, built-in images, uploads, the feature map."""

import io
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from engine.common.metrics import bits_per_dim
from engine.density import train
from engine.density.data import load_levels
from engine.density.model import pixel_log_probs
from engine.density.sample import sample
from tests.pages.conftest import charts, widget

PAGE = "pages/density.py"


@pytest.fixture(scope="module")
def shipped():
    return train.load()


def metric(at, label: str) -> str:
    """The value of the one metric called `label`."""
    (value,) = [m.value for m in at.metric if m.label == label]
    return value


def grid_tiles(at) -> np.ndarray:
    """The sample grid's 8x8 tiles, in reading order, as (N, 64) levels."""
    z = np.array(next(c for c in charts(at) if " samples (seed " in c["title"])["data"][0]["z"], dtype=float)
    tiles = [z[r : r + 8, c : c + 8].flatten() for r in range(0, z.shape[0], 9) for c in range(0, z.shape[1], 9)]
    return np.array(tiles)


def direct_bits(made, x: torch.Tensor) -> torch.Tensor:
    """(64,) -log2 p(x_i | x_<i) of one image by a forward pass written out here."""
    with torch.inference_mode():
        return -F.log_softmax(made(x[None]), -1)[0, torch.arange(64), x] / math.log(2)


def test_the_sample_grid_is_what_the_engine_draws_and_follows_the_temperature(run_page, shipped):
    at = run_page(PAGE, {"seed": "3", "temp": "0.9"})
    assert grid_tiles(at).tolist() == sample(shipped[0].made, 24, 0.9, 3).images.tolist()
    widget(at, "slider", "Temperature").set_value(1.5).run()
    assert not at.exception
    hotter = sample(shipped[0].made, 24, 1.5, 3).images.tolist()
    assert grid_tiles(at).tolist() == hotter != sample(shipped[0].made, 24, 0.9, 3).images.tolist()
    assert at.query_params["temp"] == "1.5"
    widget(at, "number_input", "Seed").set_value(8).run()
    assert grid_tiles(at).tolist() == sample(shipped[0].made, 24, 1.5, 8).images.tolist()


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
    x = load_levels()["test"].images[7:8]
    with torch.inference_mode():
        lp = F.log_softmax(trained.made(x), -1).gather(-1, x[..., None]).sum()
    assert float(metric(at, "Bits per dimension")) == pytest.approx(float(-lp / (64 * math.log(2))), abs=1e-3)
    assert float(metric(at, "log p(x)").split()[0]) == pytest.approx(float(lp), abs=0.06)
    surprise = next(c for c in charts(at) if c["title"].startswith("Where the model is surprised"))
    z = np.array(surprise["data"][0]["z"], dtype=float).flatten()
    assert z == pytest.approx(direct_bits(trained.made, x[0]).numpy(), abs=1e-4)


def test_the_blank_image_comes_with_its_honest_warning(run_page):
    at = run_page(PAGE, {"image": "a blank image"})
    trained, _ = train.load()
    x = load_levels()["test"].images
    with torch.inference_mode():
        blank = float(bits_per_dim(pixel_log_probs(trained.made, torch.zeros(1, 64).long())))
        digits_bpd = bits_per_dim(pixel_log_probs(trained.made, x))
    share = f"{float((digits_bpd > blank).float().mean()):.0%}"
    assert any(f"more probable than {share} of the real test digits" in w.value for w in at.warning)


def test_the_cat_photo_goes_through_preprocessing(run_page):
    at = run_page(PAGE)
    widget(at, "radio", "Image").set_value("scikit-image's cat photo").run()
    assert not at.exception
    titles = [c["title"] for c in charts(at)]
    assert any(t.startswith("1. grey, strokes light") for t in titles)
    assert "3. 8×8, 17 grey levels" in titles


def test_uploads_are_scored_or_refused_with_a_message(run_page, shipped):
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
    levels = torch.zeros(8, 8, dtype=torch.long)  # the bar, cropped, squared and shrunk to 8x8 by hand
    levels[:, 3:5] = 16
    direct = direct_bits(shipped[0].made, levels.flatten())
    assert float(metric(at, "Bits per dimension")) == pytest.approx(float(direct.mean()), abs=1e-3)
    at.file_uploader(key="den.upload").set_value(("fake.png", b"GIF89a but not really", "image/png")).run()
    assert any("Cannot use this file" in e.value for e in at.error)
    assert not at.exception


def test_the_representation_section_shows_the_map_and_both_probes(run_page):
    at = run_page(PAGE)
    probe = next(c for c in charts(at) if c["title"] == "Linear probe accuracy on test digits")
    assert len(probe["data"][0]["x"]) == 2
    feature_map = next(c for c in charts(at) if c["title"].startswith("Test digits placed"))
    assert sum(len(t["x"]) for t in feature_map["data"]) == 360


def test_the_representation_charts_show_the_checkpoints_study(run_page, shipped):
    at = run_page(PAGE)
    study = shipped[1]["history"]["representation"]
    probe = next(c for c in charts(at) if c["title"] == "Linear probe accuracy on test digits")
    assert list(probe["data"][0]["x"]) == [study["probe_accuracy_features"], study["probe_accuracy_pixels"]]
    feature_map = next(c for c in charts(at) if c["title"].startswith("Test digits placed"))
    shown = sorted((x, y, t["name"]) for t in feature_map["data"] for x, y in zip(t["x"], t["y"], strict=True))
    recorded = zip(study["map_x"], study["map_y"], map(str, study["map_labels"]), strict=True)
    assert shown == sorted(recorded)
