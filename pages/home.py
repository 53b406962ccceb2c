"""Home: what Unrolled is, and the explainers as one learning path, in the order to take them."""

import streamlit as st

from ui.frame import inside_frame
from ui.navigation import EXPLAINERS
from ui.text import t
from ui.thumbnails import picture

inside_frame()
st.title(t("home.page.title"))
st.markdown(t("home.page.intro"))
st.subheader(t("home.page.path"))
for number, page in enumerate(EXPLAINERS, start=1):
    with st.container(border=True):
        shown, words = st.columns([1, 3], vertical_alignment="center")
        shown.image(picture(page.path), width=180, output_format="PNG")  # PNG keeps drawn edges sharp
        words.page_link(page.path, label=t("home.page.step", number=number, title=page.title), icon=page.icon)
        words.markdown(f"*{page.builds_on}*")
        words.caption(page.summary)
