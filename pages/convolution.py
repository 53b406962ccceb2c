"""Convolution & FCN: one kernel slides where a dense layer needs a weight row per position."""

import streamlit as st

from ui import loaders
from ui.convolution.detector import fcn_input, how_it_works
from ui.convolution.sections import dense_vs_conv, sliding_kernel
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.text import t

inside_frame()
st.title(t("convolution.page.title"))
st.markdown(t("convolution.page.intro"))

st.header(t("convolution.page.sliding_header"))
st.markdown(t("convolution.page.sliding_intro"))
sliding_kernel()
left, right = st.columns(2)
link("pages/rnn.py", t("convolution.page.link_rnn"), ":material/repeat:", left)
link("pages/density.py", t("convolution.page.link_density"), ":material/blur_on:", right)

st.header(t("convolution.page.dense_header"))
st.markdown(t("convolution.page.dense_intro"))
dense_vs_conv()

st.header(t("convolution.page.fcn_header"))
st.markdown(t("convolution.page.fcn_intro"))
trained = loaded(loaders.digits_models)
fcn_input(trained, loaders.digits_test_split())

with st.expander(t("convolution.page.how_it_works")):
    st.markdown(how_it_works(trained))

learning_path("pages/convolution.py")
