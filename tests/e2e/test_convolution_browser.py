"""The Convolution & FCN page in a real browser: controls move the numbers the engine gives, a download, a link."""

import numpy as np
import pandas as pd

from engine.convolution import conv1d, convolutionize
from tests.e2e.conftest import assert_clean, settle, wait_for_app

SIGNAL = conv1d.generated_signal(16, 0)  # the page's default input: length 16, seed 0


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', state="attached", timeout=120_000)
    settle(page, 120_000)


def _text(page) -> str:
    return " ".join(page.locator('[data-testid="stMain"]').all_inner_texts())


def _slider(page, label: str):
    return page.locator(f'input[type="range"][aria-label="{label}"]')


def _move(page, label: str, key: str, times: int = 1) -> None:
    thumb = _slider(page, label)
    thumb.focus()
    for _ in range(times):
        thumb.press(key)
    settle(page, 120_000)


def _plot_data(page, title_start: str) -> list[dict]:
    """The traces of the plotly chart whose title starts with `title_start`, as the browser holds them."""
    return page.evaluate(
        """(start) => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const plot = plots.find(p => (p.layout?.title?.text || '').replace(/<[^>]*>/g, '').startsWith(start));
            return plot ? plot._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []),
                z: t.z ? Array.from(t.z, row => Array.from(row)) : null})) : null;
        }""",
        title_start,
    )


def test_controls_move_the_numbers_the_engine_gives(page, server_url):
    _open(page, f"{server_url}/convolution")
    # The first screen (1400x1000) holds the claim and the live picture: the kernel's window on the input.
    bottoms = page.evaluate(
        """() => {
            const claim = [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
                .find(e => e.innerText.includes('one fixed kernel'));
            const plot = [...document.querySelectorAll('.js-plotly-plot')]
                .find(p => (p.layout?.title?.text || '').replace(/<[^>]*>/g, '').startsWith('Input x: the window'));
            return [claim, plot].map(e => e ? e.getBoundingClientRect().bottom : 1e9);
        }"""
    )
    assert max(bottoms) <= 1000, bottoms
    _move(page, "Stride s", "ArrowRight")  # stride 1 -> 2
    m = conv1d.output_length(16, 3, stride=2)
    page.wait_for_selector(f"text=the dense layer would learn all {m * 16} entries", timeout=120_000)
    kernel = page.locator('input[role="combobox"][aria-label="Kernel w"]')
    kernel.scroll_into_view_if_needed()  # below the picture: a click that scrolls first closes the menu it opens
    page.wait_for_timeout(500)
    kernel.click()
    page.get_by_role("option", name="edge (difference)").click()
    settle(page, 120_000)
    y = conv1d.conv1d(SIGNAL, np.array(conv1d.KERNEL_PRESETS["edge (difference)"]), stride=2)
    page.wait_for_selector("text=Kernel w = [-1, 0, 1]", timeout=120_000)
    assert f"= {y[0]:.4g}" in _text(page)
    drawn = _plot_data(page, "Output y, filled in step by step")
    assert next(t for t in drawn if t["name"] == "this step")["y"] == [float(y[0])]
    _move(page, "Height H", "ArrowLeft")  # H 4 -> 3
    shape = convolutionize.LayerShape(height=3)
    dense = convolutionize.dense_layer(shape, seed=0)
    weights = dense.weight.numel()
    page.wait_for_selector(f"text={weights:,}", timeout=120_000)
    assert f"= {weights:,} weights" in _text(page).replace("**", "")
    assert_clean(page, server_url)


def test_the_toeplitz_download_holds_the_drawn_matrix(page, server_url):
    _open(page, f"{server_url}/convolution?pad=1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Toeplitz matrix (CSV)").click()
    assert download.value.suggested_filename == "toeplitz.csv"
    rows = pd.read_csv(download.value.path())
    expected = conv1d.toeplitz_matrix(16, np.array(conv1d.KERNEL_PRESETS["smoothing (mean of 3)"]), padding=1)
    np.testing.assert_allclose(rows.to_numpy(), expected, atol=1e-12)
    drawn = _plot_data(page, "The same convolution as a dense")
    np.testing.assert_allclose(np.array(drawn[0]["z"], dtype=float), rows.to_numpy(), atol=1e-12)
    assert_clean(page, server_url)


def test_a_link_sets_the_widgets(page, server_url):
    _open(page, f"{server_url}/convolution?stride=3&dil=2&kernel=identity&h=2&c=8&digits=3&cseed=9")
    for label, value in (("Stride s", "3"), ("Dilation d (gap between taps)", "2"), ("Height H", "2")):
        assert _slider(page, label).input_value() == value, label
    assert _slider(page, "Channels C").input_value() == "8"
    assert _slider(page, "Digits on the canvas").input_value() == "3"
    assert page.locator('input[aria-label="Canvas seed"]').input_value() == "9"
    assert page.locator('input[role="combobox"][aria-label="Kernel w"]').input_value() == "identity"
    assert "Kernel w = [0, 1, 0]" in _text(page)
    assert_clean(page, server_url)


def test_a_misread_is_marked_on_the_picture_and_nothing_spills_on_a_phone(page, server_url):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, f"{server_url}/convolution")  # defaults: 7 digits, seed 0, one 9 read as a 4
    page.wait_for_selector("text=Marked in red: the 9 read as", timeout=120_000)
    labels = page.wait_for_function(
        """() => {
            const plot = [...document.querySelectorAll('.js-plotly-plot')]
                .find(p => (p.layout?.title?.text || '').replace(/<[^>]*>/g, '').startsWith('Input 24'));
            return plot && plot.layout.annotations.map(a => a.text);
        }""",
        timeout=120_000,
    ).json_value()
    assert "4≠9" in labels
    # Nothing wider than the phone: wide tables and formulas scroll inside themselves.
    widest = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"] [data-testid]')]
            .filter(e => !e.closest('[data-testid="stDataFrame"], .katex-display, [data-testid="stPlotlyChart"]'))
            .map(e => e.getBoundingClientRect().right))"""
    )
    assert widest <= 390 and page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_clean(page, server_url)
