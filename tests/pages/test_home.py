"""The frame and the home page: navigation runs, every existing explainer is linked."""

from tests.pages.conftest import texts
from ui.navigation import EXPLAINERS


def test_app_runs_home_and_links_every_explainer(run_page):
    at = run_page("app.py")
    assert "Unrolled" in [t.value for t in at.title]
    assert "model" in texts(at)
    links = [el for el in at.get("page_link")]
    assert len(links) == len(EXPLAINERS)


def test_app_switches_to_each_explainer(run_page):
    at = run_page("app.py")
    for explainer in EXPLAINERS:
        at.switch_page(explainer.path).run()
        assert not at.exception
        assert explainer.title in [t.value for t in at.title]
