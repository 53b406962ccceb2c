"""The density page in a real browser: its controls move the samples and scores the engine gives, a download, a link."""

import base64
import math

import numpy as np
import pandas as pd
import pytest
import torch

from engine.density import train
from engine.density.data import load_levels
from engine.density.sample import sample
from tests.e2e.conftest import assert_clean, settle, wait_for_app

SLOW = 120_000  # ms: two cores shared by a server, a browser and the test


@pytest.fixture(scope="module")
def made():
    return train.load()[0].made


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, SLOW)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', state="attached", timeout=SLOW)
    settle(page, SLOW)


def _traces(page, title_start: str) -> list[dict]:
    """The traces of the plotly chart whose title starts with `title_start`, as the browser holds them."""
    return page.evaluate(
        """(start) => {
            const plot = [...document.querySelectorAll('.js-plotly-plot')]
                .find(p => (p.layout?.title?.text || '').replace(/<[^>]*>/g, '').startsWith(start));
            const raw = (a) => a?.bdata ? a : a ? Array.from(a, v => v?.length >= 0 ? Array.from(v) : v) : null;
            return plot ? plot.data.map(t => ({name: t.name, x: raw(t.x), y: raw(t.y), z: raw(t.z)})) : null;
        }""",
        title_start,
    )


def _z(trace: dict, axis: str = "z") -> np.ndarray:
    """A trace's x, y or z as floats, whether the browser holds nested arrays or plotly's base64 typed array."""
    z = trace[axis]
    if isinstance(z, dict):
        shape = [int(n) for n in str(z.get("shape", "")).split(",") if n]
        return (
            np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"])).reshape(shape or -1).astype(float)
        )
    return np.array(z, dtype=float)


def _grid(page, seed: int, temperature: float) -> np.ndarray:
    """The sample grid titled for this seed and temperature, as (N, 64) tiles in reading order."""
    title = f"24 samples (seed {seed}, temperature {temperature:g})"
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('.js-plotly-plot')]"
        ".some(p => (p.layout?.title?.text || '').replace(/<[^>]*>/g, '') === t)",
        arg=title,
        timeout=SLOW,
    )
    z = _z(_traces(page, title)[0])
    return np.array([z[r : r + 8, c : c + 8].flatten() for r in range(0, len(z), 9) for c in range(0, z.shape[1], 9)])


def _metrics(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""
    )


def _press(page, label: str, key: str) -> None:
    thumb = page.locator(f'[role="slider"][aria-label="{label}"], input[type="range"][aria-label="{label}"]').first
    thumb.focus()
    thumb.press(key)
    settle(page, SLOW)


def _bits(made, x: torch.Tensor) -> np.ndarray:
    """(64,) -log2 p(x_i | x_<i) of one image, by a forward pass written out here."""
    with torch.inference_mode():
        return (-torch.log_softmax(made(x[None]), -1)[0, torch.arange(64), x] / math.log(2)).numpy()


def test_controls_move_the_samples_and_scores_the_engine_gives(page, server_url, made):
    _open(page, f"{server_url}/density?seed=3&temp=0.9")
    assert _grid(page, 3, 0.9).tolist() == sample(made, 24, 0.9, 3).images.tolist()
    _press(page, "Temperature", "ArrowRight")  # 0.9 -> 0.95
    assert _grid(page, 3, 0.95).tolist() == sample(made, 24, 0.95, 3).images.tolist()
    _press(page, "Pixels drawn of the first sample", "ArrowRight")  # 20 -> 21
    page.wait_for_selector("text=p(pixel 21 = level", timeout=SLOW)
    traces = _traces(page, "p(pixel 21 = level")
    bars = {t["name"]: dict(zip(_z(t, "x").astype(int), _z(t, "y"), strict=True)) for t in traces}
    shown = {**bars.get("not drawn", {}), **bars["drawn"]}
    expected = sample(made, 24, 0.95, 3).probs[21].numpy()
    np.testing.assert_allclose([shown[level] for level in range(17)], expected, atol=1e-6)
    page.locator('[data-testid="stRadio"] label').filter(has_text="a blank image").click()
    page.wait_for_selector("text=A blank image, which looks like no digit", timeout=SLOW)
    blank = _bits(made, torch.zeros(64, dtype=torch.long)).mean()
    assert _metrics(page)["Bits per dimension"] == f"{blank:.3f}"
    assert_clean(page, server_url)


def test_the_per_pixel_download_holds_the_drawn_surprise(page, server_url, made):
    _open(page, f"{server_url}/density?image=a%20held-out%20digit&digit=7")
    with page.expect_download() as download:
        page.get_by_role("button", name="Per-pixel surprise (CSV)").click()
    assert download.value.suggested_filename == "per_pixel.csv"
    rows = pd.read_csv(download.value.path())
    digit = load_levels()["test"].images[7]
    assert rows["level"].tolist() == digit.tolist()
    np.testing.assert_allclose(rows["nll_bits"], _bits(made, digit), atol=1e-4)
    drawn = _z(_traces(page, "Where the model is surprised")[0])
    np.testing.assert_allclose(drawn.flatten(), rows["nll_bits"], atol=1e-9)  # the chart's numbers are the CSV's
    assert_clean(page, server_url)


def test_a_link_sets_the_widgets(page, server_url, made):
    _open(page, f"{server_url}/density?seed=5&temp=1.3&image=noise")
    assert page.locator('input[aria-label="Seed"]').input_value() == "5"
    assert _grid(page, 5, 1.3).tolist() == sample(made, 24, 1.3, 5).images.tolist()
    checked = page.locator('[data-testid="stRadio"] label:has(input[type="radio"]:checked)')
    assert checked.inner_text().strip() == "noise"
    assert "uniform noise" in page.locator('[data-testid="stMain"]').inner_text()
    assert_clean(page, server_url)
