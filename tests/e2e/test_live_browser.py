"""The live trainings in a real browser: press start, watch the chart grow, see the results, no error."""

import pytest

from tests.e2e.conftest import assert_clean, wait_for_app

POINTS = """(title) => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = el.layout && el.layout.title && el.layout.title.text;
    if (t && t.replace(/<[^>]+>/g, "") === title) return el._fullData.reduce((n, d) => n + d.y.length, 0);
  }
  return 0;
}"""


def watch_it_grow(page, title: str, timeout_ms: int = 120_000) -> None:
    """The chart called `title` appears, then holds more points than when it first appeared."""
    page.wait_for_function(f"() => ({POINTS})({title!r}) > 0", timeout=timeout_ms)
    first = page.evaluate(POINTS, title)
    page.wait_for_function(f"() => ({POINTS})({title!r}) > {first}", timeout=timeout_ms)


@pytest.mark.parametrize(
    ("path", "start", "chart", "done", "stop"),
    [
        (
            "/transformer?task=reverse&lo=2&hi=5&race_s=5",
            "Start the race",
            "Accuracy while training",
            "Summary (CSV)",
            False,
        ),
        ("/rnn?recall_s=1", "Start training", "Recall accuracy by distance", "Every distance, both cells (CSV)", True),
        ("/transformer", "Measure it on this server", "One training step, this server", "Step times (CSV)", False),
    ],
    ids=["race-to-the-end", "recall-stopped", "step-times"],
)
def test_start_watch_and_finish(page, server_url, path, start, chart, done, stop):
    """The race and the step-time measurement run to their end; the recall study (18 trainings) is stopped
    once its chart has grown, and shows the distances finished until then."""
    page.goto(f"{server_url}{path}")
    wait_for_app(page)
    page.get_by_role("button", name=start).click()
    page.get_by_role("button", name="Stop").wait_for(timeout=30_000)  # the run is going
    watch_it_grow(page, chart)
    if stop:
        page.get_by_role("button", name="Stop").click()
        page.get_by_text("Stopped after").wait_for(timeout=60_000)
    page.get_by_role("button", name=done).wait_for(timeout=120_000)  # the results are drawn
    assert page.get_by_role("button", name="Stop").count() == 0
    assert page.evaluate(POINTS, chart) > 0
    assert_clean(page, server_url)
