"""Every page opens in a real browser, draws its charts and raises no exception; uploads are safe."""

import io

import pytest
from PIL import Image

from tests.e2e.conftest import SCREENSHOTS, full_screenshot, wait_for_app
from ui.navigation import EXPLAINERS

PAGES = [("home", "", 0)] + [(e.path.split("/")[-1][:-3], e.path.split("/")[-1][:-3], 4) for e in EXPLAINERS]


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


@pytest.mark.parametrize(("name", "path", "min_charts"), PAGES)
def test_page_renders_without_exceptions(page, server_url, name, path, min_charts):
    open_page(page, f"{server_url}/{path}")
    if min_charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= {min_charts}",
            timeout=60_000,
        )
    assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, SCREENSHOTS / f"{name}.png")


def test_home_links_every_explainer(page, server_url):
    open_page(page, server_url)
    for explainer in EXPLAINERS:
        assert page.get_by_role("link", name=explainer.title).count() >= 1


def test_url_reproduces_settings(page, server_url):
    open_page(page, f"{server_url}/convolution?stride=3&pad=2&h=2")
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    assert slider_value(page, "Stride s") == "3"
    assert slider_value(page, "Padding p (zeros on each side)") == "2"
    assert slider_value(page, "Height H") == "2"


def slider_value(page, label: str) -> str:
    return page.locator(f'input[type="range"][aria-label="{label}"]').input_value()


def _select_upload(page):
    page.get_by_text("upload my own").click()
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached")
    return page.locator('[data-testid="stFileUploaderDropzoneInput"]')


def test_bad_upload_gets_a_message_and_page_stays_usable(page, server_url):
    open_page(page, f"{server_url}/convolution")
    _select_upload(page).set_input_files(
        files=[{"name": "<b>evil</b>.png", "mimeType": "image/png", "buffer": b"<script>alert(1)</script>"}]
    )
    page.wait_for_selector("text=Cannot use this file", timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("b", has_text="evil").count() == 0  # the name is shown as text, not HTML
    page.get_by_text("held-out digits placed on a canvas").click()
    page.wait_for_selector("text=Read left to right", timeout=30_000)


def test_good_upload_is_scanned(page, server_url):
    image = Image.new("L", (60, 24), 255)  # dark strokes on white, as a user's scan would be
    for x in (8, 32):
        image.paste(0, (x, 4, x + 4, 20))  # two thick vertical bars: "1"-like strokes
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    open_page(page, f"{server_url}/convolution")
    _select_upload(page).set_input_files(
        files=[{"name": "mine.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    page.wait_for_selector("text=Read left to right", timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
