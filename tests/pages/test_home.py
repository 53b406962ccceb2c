"""The frame and the home page: navigation runs, every existing explainer is linked."""

from tests.pages.conftest import texts
from ui.navigation import EXPLAINERS


def test_app_runs_home_and_links_every_explainer(run_page):
    at = run_page("app.py")
    assert "Unrolled" in [t.value for t in at.title]
    assert "model" in texts(at)
    links = [el for el in at.main.get("page_link")]
    assert len(links) == len(EXPLAINERS)


def test_home_shows_a_picture_beside_every_step_of_the_path(run_page):
    """One picture per explainer, each in the same bordered step as its link, sent as PNG (drawn edges)."""
    at = run_page("app.py")
    steps = [block for block in at.main.children.values() if block.type == "flex_container" and block.get("page_link")]
    assert len(steps) == len(EXPLAINERS)
    for number, (step, explainer) in enumerate(zip(steps, EXPLAINERS, strict=True), start=1):
        (image,) = step.get("image")
        assert [img.url.endswith(".png") for img in image.proto.imgs] == [True]
        assert [link.proto.label for link in step.get("page_link")] == [f"{number}. {explainer.title}"]


def test_app_switches_to_each_explainer(run_page):
    at = run_page("app.py")
    for explainer in EXPLAINERS:
        at.switch_page(explainer.path).run()
        assert not at.exception
        assert explainer.title in [t.value for t in at.title]


# The study notes' order, written out here: sequences and RNNs, attention and the Transformer, GPT,
# generative models of images, convolution and FCN.
COURSE = [
    ("pages/rnn.py", "Sequences & RNNs"),
    ("pages/transformer.py", "Transformer translator"),
    ("pages/gpt.py", "GPT: generative pre-training"),
    ("pages/density.py", "Generative models of images"),
    ("pages/convolution.py", "Convolution & FCN"),
]
# Where one page uses another's idea, it links there (target page of each cross-link).
CROSS_LINKS = {
    "pages/rnn.py": {"pages/transformer.py"},
    "pages/transformer.py": {"pages/rnn.py"},
    "pages/gpt.py": {"pages/density.py"},
    "pages/density.py": {"pages/gpt.py"},
    "pages/convolution.py": {"pages/rnn.py", "pages/density.py"},
}


def stem(path: str) -> str:
    """'pages/rnn.py', '/rnn' or 'rnn' -> 'rnn'; the home page (the default) is at ''."""
    name = path.removesuffix(".py").split("/")[-1]
    return "" if name == "home" else name


def page_links(at) -> list[tuple[str, str]]:
    """(label, target page file) of every page link drawn."""
    return [(el.proto.label, el.proto.page) for el in at.main.get("page_link")]


def test_home_shows_the_course_in_order_with_what_each_builds_on(run_page):
    at = run_page("app.py")
    labels = [label for label, _ in page_links(at)]
    assert labels == [f"{n}. {title}" for n, (_, title) in enumerate(COURSE, start=1)]
    shown = texts(at)
    for explainer in EXPLAINERS:
        assert f"*{explainer.builds_on}*" in shown
    assert EXPLAINERS[0].builds_on.startswith("Start here")
    assert all(e.builds_on.startswith("Builds on") for e in EXPLAINERS[1:])


def test_every_page_ends_with_before_and_next_and_links_the_ideas_it_uses(run_page):
    at = run_page("app.py")
    for i, (path, title) in enumerate(COURSE):
        at.switch_page(path).run()
        assert not at.exception and title in [t.value for t in at.title]
        links = page_links(at)
        before = f"Before this: {COURSE[i - 1][1]}" if i else "Before this: the learning path"
        after = f"Next: {COURSE[i + 1][1]}" if i + 1 < len(COURSE) else "Next: back to the learning path"
        assert [label for label, _ in links[-2:]] == [before, after], links
        want = [
            COURSE[i - 1][0] if i else "pages/home.py",
            COURSE[i + 1][0] if i + 1 < len(COURSE) else "pages/home.py",
        ]
        assert [stem(target) for _, target in links[-2:]] == [stem(p) for p in want], links
        assert {stem(p) for p in CROSS_LINKS[path]} <= {stem(target) for _, target in links[:-2]}, (path, links)


def test_the_sidebar_holds_the_switch_then_the_course(run_page):
    """The language switch first, then Home and every explainer in the course's order, each linked to its file."""
    at = run_page("app.py")
    first = next(iter(at.sidebar.children.values()))
    assert first.type == "button_group" and first.proto.options  # the switch (segmented control), above every link
    links = [(el.proto.label, stem(el.proto.page)) for el in at.sidebar.get("page_link")]
    assert links == [("Home", "")] + [(e.title, stem(e.path)) for e in EXPLAINERS]
