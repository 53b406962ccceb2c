"""Home: what Unrolled is, and a link to every explainer that exists."""

import streamlit as st

from ui.frame import inside_frame
from ui.navigation import EXPLAINERS

inside_frame()
st.title("Unrolled")
st.markdown(
    "See how sequence and generative models work by using them. Every explainer runs a real PyTorch "
    "model, trained in this project on a laptop CPU, on the numbers, sentences and images **you** type "
    "or upload, and shows what happens inside: shared weights, attention, likelihoods, kernels. "
    "Every number on a page is computed, not typed in, and can be downloaded."
)
for page in EXPLAINERS:
    with st.container(border=True):
        st.page_link(page.path, label=page.title, icon=page.icon)
        st.caption(page.summary)
