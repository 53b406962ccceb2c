"""The explainer pages in the order a learner should take them, for the navigation, the home page's path
and each page's "Before this" / "Next" links."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.text import t


@dataclass(frozen=True)
class Explainer:
    """One page under pages/: its file and icon; its title, one-line summary and what it builds on are read from
    the navigation's tables (`nav.<name>.title`, ...) in the session's language, so each use is current."""

    path: str
    icon: str

    @property
    def name(self) -> str:
        """The page's stable id, its file's name: "rnn" for pages/rnn.py (and its table in nav.toml)."""
        return self.path.removeprefix("pages/").removesuffix(".py")

    @property
    def title(self) -> str:
        return t(f"nav.{self.name}.title")

    @property
    def summary(self) -> str:
        return t(f"nav.{self.name}.summary")

    @property
    def builds_on(self) -> str:
        return t(f"nav.{self.name}.builds_on")


EXPLAINERS = [
    Explainer("pages/rnn.py", ":material/repeat:"),
    Explainer("pages/transformer.py", ":material/translate:"),
    Explainer("pages/gpt.py", ":material/edit_note:"),
    Explainer("pages/density.py", ":material/blur_on:"),
    Explainer("pages/convolution.py", ":material/grid_on:"),
]


def link(path: str, label: str, icon: str | None = None, where=st) -> None:
    """A link to another page of the app; a plain link where the page runs on its own (outside
    st.navigation, as page tests run it) and Streamlit cannot resolve it."""
    try:
        where.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        where.markdown(f"[{label}](/{path.removeprefix('pages/').removesuffix('.py')})")


def learning_path(current: str) -> None:
    """'Before this' and 'Next' links at the end of the page at `current` (its path under pages/)."""
    paths = [e.path for e in EXPLAINERS]
    i = paths.index(current)
    st.divider()
    before, after = st.columns(2)
    if i > 0:
        e = EXPLAINERS[i - 1]
        link(e.path, t("nav.links.before", title=e.title), ":material/arrow_back:", before)
    else:
        link("pages/home.py", t("nav.links.before_home"), ":material/home:", before)
    if i + 1 < len(EXPLAINERS):
        e = EXPLAINERS[i + 1]
        link(e.path, t("nav.links.next", title=e.title), ":material/arrow_forward:", after)
        after.caption(e.builds_on)
    else:
        link("pages/home.py", t("nav.links.next_home"), ":material/home:", after)


def sidebar_course(sections: dict[str, list]) -> None:
    """The course's pages in the sidebar, under the language switch (Streamlit's own list, which always sits
    above every sidebar widget, is hidden): each section's name, then a link per page."""
    for name, pages in sections.items():
        st.sidebar.caption(name)
        for page in pages:
            st.sidebar.page_link(page, label=page.title, icon=page.icon)
