"""Every page opens in a real browser, draws its charts and raises no exception; uploads are safe."""

import io
import os
import re

import pytest
from PIL import Image

from tests.e2e.conftest import (
    ROOT,
    SCREENSHOTS,
    assert_clean,
    full_screenshot,
    settle,
    wait_for_app,
)
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
    assert_clean(page, server_url)  # no exception, no error alert, no browser error of the page's own
    if os.environ.get("UNROLLED_SCREENSHOTS"):  # a whole-page picture costs seconds: asked for, not by default
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


def _gpt_uploader(page, index: int):
    """The GPT page's file inputs: 0 scores a text, 1 fine-tunes a copy."""
    inputs = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    inputs.nth(index).wait_for(state="attached", timeout=60_000)
    return inputs.nth(index)


def test_gpt_scores_an_uploaded_text_safely(page, server_url):
    open_page(page, f"{server_url}/gpt")
    payload = b"<img src=x onerror=alert(1)> <b>bold</b> To be or not to be.\n"
    _gpt_uploader(page, 0).set_input_files(
        files=[{"name": "<i>x</i>.txt", "mimeType": "text/plain", "buffer": payload}]
    )
    page.wait_for_selector("text=File: <i>x</i>.txt", timeout=60_000)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0  # the text is never HTML
    assert page.locator("[data-testid='stMain'] i", has_text="x").count() == 0


def test_a_fine_tune_in_one_session_is_invisible_in_another(browser, server_url):
    first, second = (browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2))
    try:
        a, b = first.new_page(), second.new_page()
        open_page(a, f"{server_url}/gpt")
        open_page(b, f"{server_url}/gpt")
        text = ("Gentle reader, the secret word is marmalade. " * 20).encode()
        _gpt_uploader(a, 1).set_input_files(files=[{"name": "secret.txt", "mimeType": "text/plain", "buffer": text}])
        steps = a.locator('input[type="range"][aria-label^="Fine-tuning steps"]')
        steps.focus()
        steps.press("Home")  # the fewest steps: isolation, not the fine-tune, is what this test is about
        settle(a)
        a.get_by_role("button", name="Fine-tune a copy").click()
        a.wait_for_selector("text=Fine-tuned on: secret.txt", timeout=120_000)
        settle(a)
        b.reload()
        wait_for_app(b)
        assert b.get_by_text("secret.txt").count() == 0
        assert b.get_by_text(re.compile(r"Fine-tuned on: ")).count() == 0  # a's result line, case-sensitive
        assert a.locator('[data-testid="stException"]').count() == 0
    finally:
        first.close()
        second.close()


def test_a_corrupt_checkpoint_breaks_only_its_own_page(browser, tmp_path):
    """The GPT's weights are damaged: its page says so and how to rebuild, and the server goes on serving
    the other pages. Only the GPT page reads gpt.safetensors (`test_only_the_gpt_page_loads_the_gpt`), so
    the home page and one explainer, before and after it, stand for the rest."""
    import shutil

    from benchmarks.serve import free_port
    from tests.conftest import start_server

    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets)
    weights = assets / "gpt.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    port = free_port()
    proc = start_server(port, env={"UNROLLED_ASSETS": str(assets)})
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        for path in ("", "gpt", "convolution"):
            open_page(page, f"http://127.0.0.1:{port}/{path}")
            assert page.locator('[data-testid="stException"]').count() == 0, path
            if path == "gpt":  # the page's first run may hand over to the navigation's rerun: wait for the alert
                page.wait_for_selector('[data-testid="stAlertContainer"]', timeout=60_000)
            alerts = " ".join(page.locator('[data-testid="stAlertContainer"]').all_inner_texts())
            if path == "gpt":
                assert "gpt.safetensors is unreadable" in alerts
                assert "Rebuild it with: python -m engine.train gpt" in alerts
            else:
                assert "unreadable" not in alerts, path
    finally:
        context.close()
        proc.terminate()
        proc.wait(10)
