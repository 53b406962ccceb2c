"""Unrolled: the frame. Page config and navigation only; every explainer lives in pages/."""

import streamlit as st

from ui.navigation import EXPLAINERS

st.set_page_config(page_title="Unrolled", page_icon=":material/all_inclusive:", layout="wide")
home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
pages = [st.Page(e.path, title=e.title, icon=e.icon) for e in EXPLAINERS]
st.navigation({"Unrolled": [home], "Explainers": pages}).run()
