"""Unrolled: the frame. Page config, the language switch and navigation only; every explainer lives in pages/."""

import streamlit as st

from ui.navigation import EXPLAINERS, sidebar_course
from ui.text import language_switch, raw, t
from ui.thumbnails import ICON_PATH

# A live training's child is started with a stand-in __main__ (ui/live.py), so it does not re-import this
# script as __mp_main__; should one ever do so, it must not draw the app there.
if __name__ != "__mp_main__":
    st.set_page_config(page_title=raw("Unrolled"), page_icon=ICON_PATH, layout="wide")
    language_switch()  # English | Korean at the top of the sidebar; kept in the URL as ?lang= on every run
    # Titles and section names in the session's language on every run; the URLs come from the file names.
    home = st.Page("pages/home.py", title=t("nav.sections.home"), icon=":material/home:", default=True)
    pages = [st.Page(e.path, title=e.title, icon=e.icon) for e in EXPLAINERS]
    sections = {t("nav.sections.unrolled"): [home], t("nav.sections.explainers"): pages}
    current = st.navigation(sections, position="hidden")  # its own list would sit above the switch
    sidebar_course(sections)
    current.run()
