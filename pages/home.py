"""Home: what Unrolled is, and the explainers as one learning path, in the order to take them."""

import streamlit as st

from ui.frame import inside_frame
from ui.navigation import EXPLAINERS
from ui.thumbnails import picture

inside_frame()
st.title("Unrolled")
st.markdown(
    "See how sequence and generative models work by using them. Every explainer runs a real PyTorch "
    "model, trained in this project on a laptop CPU, on the numbers, sentences and images **you** type "
    "or upload, and shows what happens inside: shared weights, attention, likelihoods, kernels. "
    "Every number on a page is computed, not typed in, and can be downloaded."
)
st.subheader("The learning path")
for number, page in enumerate(EXPLAINERS, start=1):
    with st.container(border=True):
        shown, words = st.columns([1, 3], vertical_alignment="center")
        shown.image(picture(page.path), width=180, output_format="PNG")  # PNG keeps drawn edges sharp
        words.page_link(page.path, label=f"{number}. {page.title}", icon=page.icon)
        words.markdown(f"*{page.builds_on}*")
        words.caption(page.summary)
