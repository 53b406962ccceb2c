"""The density page in a real browser: controls move the samples the engine draws, a download, a link, the canvas."""

import base64
import math

import numpy as np
import pandas as pd
import pytest
import torch

from engine.density import train
from engine.density.draw import draw
from engine.density.pixelcnn import NONE, PIXELS
from tests.e2e.conftest import assert_clean, settle, wait_for_app

SLOW = 120_000  # ms: two cores shared by a server, a browser and the test


@pytest.fixture(scope="module")
def trained():
    return train.load()[0]


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
    """The sample grid subtitled for this seed and temperature, as (N, 784) tiles in reading order."""
    title, subtitle = "16 samples of any digit", f"seed {seed}, temperature {temperature:g}"
    page.wait_for_function(
        "([t, s]) => [...document.querySelectorAll('.js-plotly-plot')].some(p =>"
        " (p.layout?.title?.text || '').replace(/<[^>]*>/g, '') === t && p.layout.title.subtitle?.text === s)",
        arg=[title, subtitle],
        timeout=SLOW,
    )
    z = _z(_traces(page, title)[0])
    return np.array(
        [z[r : r + 28, c : c + 28].flatten() for r in range(0, len(z), 36) for c in range(0, z.shape[1], 30)]
    )


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


def _bits(trained, x: torch.Tensor) -> np.ndarray:
    """(784,) -log2 p(x_i | x_<i) of one (1, 28, 28) image, from the logits written out here."""
    with torch.inference_mode():
        p = torch.sigmoid(trained.pixelcnn(x[None], torch.tensor([NONE])).flatten().double())
    on = x.flatten().double()
    return (-(on * torch.log(p) + (1 - on) * torch.log1p(-p)) / math.log(2)).numpy()


def _samples(trained, seed: int, temperature: float) -> list:
    return draw(trained.pixelcnn, 16, temperature, seed).images.flatten(1).float().tolist()


def test_controls_move_the_samples_and_scores_the_engine_gives(page, server_url, trained):
    _open(page, f"{server_url}/density?seed=3&temp=0.9")
    assert _grid(page, 3, 0.9).tolist() == _samples(trained, 3, 0.9)
    _press(page, "Temperature", "ArrowRight")  # 0.9 -> 0.95: drawn live, row by row
    assert _grid(page, 3, 0.95).tolist() == _samples(trained, 3, 0.95)
    page.locator('[data-testid="stRadio"] label').filter(has_text="a blank image").click()
    page.wait_for_selector("text=A blank image, which the judge reads as no digit", timeout=SLOW)
    blank = _bits(trained, torch.zeros(1, 28, 28, dtype=torch.uint8)).mean()
    assert _metrics(page)["Bits per dimension"] == f"{blank:.3f}"
    assert _metrics(page)["The judge reads"] == "no digit"
    assert_clean(page, server_url)


def _caption_styles(page) -> list[dict]:
    """The grid's captions as the browser draws them: text, font size in px, fill colour."""
    return page.evaluate(
        """() => {
            const plot = [...document.querySelectorAll('.js-plotly-plot')]
                .find(p => (p.layout?.title?.text || '').includes(' samples of '));
            return [...plot.querySelectorAll('.annotation-text')].map(t => ({
                text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize), fill: getComputedStyle(t).fill}));
        }"""
    )


@pytest.mark.parametrize("width,height", [(1400, 1000), (390, 844)])
def test_the_first_screen_holds_the_claim_and_samples_with_readable_captions(browser, server_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open(page, f"{server_url}/density")
    claim = page.locator('[data-testid="stMarkdownContainer"] strong').filter(has_text="A generative model learns")
    assert claim.bounding_box()["y"] + claim.bounding_box()["height"] <= height
    grid = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="16 samples of any digit").first
    assert grid.bounding_box()["y"] < (height if width > 500 else 2 * height)  # a phone scrolls once to see it
    if width > 500:
        assert grid.bounding_box()["y"] + grid.bounding_box()["height"] <= height + 60  # the grid, whole or nearly
    captions = _caption_styles(page)
    assert len(captions) == 16 and all(c["size"] >= 14 for c in captions)
    assert all(c["fill"] in ("rgb(31, 34, 48)", "rgb(74, 77, 90)") for c in captions)  # dark on white
    overflow = page.evaluate(
        """() => { const w = document.documentElement.clientWidth;
            return [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')]
                .filter(e => e.getBoundingClientRect().right > w + 1).length; }"""
    )
    assert overflow == 0
    context.close()


def test_the_per_pixel_download_holds_the_drawn_surprise(page, server_url, trained):
    _open(page, f"{server_url}/density?image=a%20held-out%20digit&digit=7")
    with page.expect_download() as download:
        page.get_by_role("button", name="Per-pixel surprise (CSV)").click()
    assert download.value.suggested_filename == "per_pixel.csv"
    rows = pd.read_csv(download.value.path())
    digit = trained.test.images[7]
    assert rows["on"].tolist() == digit.flatten().tolist()
    np.testing.assert_allclose(rows["nll_bits"], _bits(trained, digit), atol=1e-4)
    drawn = _z(_traces(page, "Where the model is surprised")[0])
    np.testing.assert_allclose(drawn.flatten(), rows["nll_bits"], atol=1e-9)  # the chart's numbers are the CSV's
    assert_clean(page, server_url)


def test_a_link_sets_the_widgets(page, server_url, trained):
    _open(page, f"{server_url}/density?seed=5&temp=1.3&image=noise")
    assert page.locator('input[aria-label="Seed"]').input_value() == "5"
    assert _grid(page, 5, 1.3).tolist() == _samples(trained, 5, 1.3)
    checked = page.locator('[data-testid="stRadio"] label:has(input[type="radio"]:checked)')
    assert checked.inner_text().strip() == "noise"
    assert "uniform noise" in page.locator('[data-testid="stMain"]').inner_text()
    assert_clean(page, server_url)


def _stroke(page, box: dict, points: list[tuple[float, float]]) -> None:
    """Press the mouse at the first point (fractions of the canvas), move through the rest, release."""
    at = [(box["x"] + u * box["width"], box["y"] + v * box["height"]) for u, v in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_a_digit_drawn_with_the_mouse_is_scored_and_beats_noise(page, server_url, trained):
    _open(page, f"{server_url}/density?image=draw%20one")
    page.wait_for_selector("text=Draw a digit in the black box", timeout=SLOW)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    ring = [(0.5 + 0.22 * math.sin(t), 0.5 - 0.34 * math.cos(t)) for t in np.linspace(0, 2 * math.pi, 40)]
    _stroke(page, box, ring)  # a zero
    page.wait_for_selector("text=2. cropped, in 20×20", timeout=SLOW)
    settle(page, SLOW)
    drawn = float(_metrics(page)["Bits per dimension"])
    noise = np.array([_bits(trained, x).mean() for x in torch.randint(0, 2, (8, 1, 28, 28), dtype=torch.uint8)])
    assert drawn < 0.5 * noise.min()  # clearly better than noise
    shown = _z(_traces(page, "4. binarised")[0])
    assert shown.shape == (28, 28) and 40 < shown.sum() < PIXELS / 2  # a ring of ink, not a blank or a blot
    assert drawn == pytest.approx(_bits(trained, torch.from_numpy(shown).to(torch.uint8)[None]).mean(), abs=1e-3)
    with torch.inference_mode():
        p = torch.softmax(trained.judge(torch.from_numpy(shown).float()[None, None]), -1).max(-1)
    reading = _metrics(page)["The judge reads"]
    sure = f"{int(p.indices)} · {int(float(p.values) * 100) / 100:.2f}"
    assert reading == (sure if p.values >= 0.5 else "no clear digit")
    assert_clean(page, server_url)
