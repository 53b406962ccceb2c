"""Unrolled: the frame. Page config and navigation only; every explainer lives in pages/."""

import streamlit as st

from ui.navigation import EXPLAINERS
from ui.thumbnails import ICON_PATH

# A live training's child is started with a stand-in __main__ (ui/live.py), so it does not re-import this
# script as __mp_main__; should one ever do so, it must not draw the app there.
if __name__ != "__mp_main__":
    st.set_page_config(page_title="Unrolled", page_icon=ICON_PATH, layout="wide")
    home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
    pages = [st.Page(e.path, title=e.title, icon=e.icon) for e in EXPLAINERS]
    st.navigation({"Unrolled": [home], "Explainers": pages}).run()
