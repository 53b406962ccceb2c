"""Browser tests: `streamlit run` on 127.0.0.1 and Debian's headless Chromium driven by Playwright.

Where Chromium is missing (a laptop), these tests are skipped with the install command; in CI
(CI=true), where .ci/run installs it, a missing Chromium is a failure instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks.serve import CHROMIUM_FLAGS, INSTALL_HINT, chromium_path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Mark every test here e2e; skip them (or fail in CI) when Chromium is missing."""
    here = Path(__file__).parent
    ours = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
    if ours and chromium_path() is None:
        reason = f"Chromium not found, browser tests skipped; {INSTALL_HINT}"
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI=true but Chromium is missing; {INSTALL_HINT}")
        print(f"\n*** {reason} ***", file=sys.stderr)
        for item in ours:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def server_url(app_server):
    return app_server[0]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page; `page.errors` collects console errors and uncaught page errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.errors, pg.error_urls = [], []  # console errors (with where each pointed) and uncaught page errors
    pg.requests = []  # every URL the page asked for, to check that none leaves 127.0.0.1
    pg.on("request", lambda request: pg.requests.append(request.url))

    def on_console(msg) -> None:
        if msg.type == "error":
            pg.errors.append(f"console: {msg.text}")
            pg.error_urls.append(msg.location.get("url", ""))

    pg.on("console", on_console)
    pg.on("pageerror", lambda err: pg.errors.append(f"pageerror: {err}"))
    yield pg
    context.close()


def environmental(url: str, server_url: str) -> bool:
    """A load Streamlit itself fails: the health and host-config probes it first sends below a page's own path."""
    return url.startswith(f"{server_url}/") and "/_stcore/" in url and url.endswith(("/health", "/host-config"))


def outside_requests(urls: list[str]) -> list[str]:
    """The URLs that would leave this machine: any host but 127.0.0.1 (data: and blob: URLs have none)."""
    parts = [(url, urlsplit(url)) for url in urls]
    return [url for url, part in parts if part.scheme not in ("data", "blob") and part.hostname != "127.0.0.1"]


def assert_clean(page, server_url: str) -> None:
    """No exception box, no error alert, no request to another host, and no browser error but the
    environmental failed loads above."""
    assert outside_requests(page.requests) == []
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    console = [e for e in page.errors if e.startswith("console:")]
    unexpected = [e for e in page.errors if not e.startswith("console:")]  # uncaught page errors
    for error, url in zip(console, page.error_urls, strict=True):
        if not (error.startswith("console: Failed to load resource") and environmental(url, server_url)):
            unexpected.append(f"{error} ({url})")
    assert unexpected == []


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the page's title is drawn and the script has stopped running."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    settle(page, timeout_ms)


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until no script run is in progress (Streamlit shows a status widget while running)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def wait_for_metric(page, label: str, value: str, timeout_ms: int = 60_000) -> None:
    """Wait until a metric called `label` is drawn and every one so called shows `value` (a stale copy
    left from the run before, or another metric that happens to show the same number, does not count)."""
    page.wait_for_function(
        """([label, value]) => {
            const shown = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(
                m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label);
            return shown.length > 0 && shown.every(
                m => m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === value);
        }""",
        arg=[label, value],
        timeout=timeout_ms,
    )


def full_screenshot(page, path: Path) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main block, so grow the viewport."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 50, 12_000)})
    settle(page)
    page.wait_for_timeout(800)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


# Elements cut off at the window's right edge: anything in the main block whose right edge passes the
# window's, unless an ancestor inside the window clips it or scrolls it sideways (a wide table in its box).
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const held = el => {
        for (let e = el.parentElement; e; e = e.parentElement) {
            const boxed = getComputedStyle(e).overflowX !== 'visible';
            if (boxed && e.getBoundingClientRect().right <= width + 1) return true;
        }
        return false;
    };
    return [...document.querySelectorAll('[data-testid="stMain"] *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > width + 1 && !held(el) && el.offsetParent !== null;
    }).map(el => (el.getAttribute('data-testid') || el.tagName) + ' ' + Math.round(el.getBoundingClientRect().right));
}"""

# plotly toolbars a learner would see: on a phone, a tap leaves one over the chart's title, so none may show
TOOLBARS = "() => [...document.querySelectorAll('.modebar-container')].map(m => getComputedStyle(m).display)"
