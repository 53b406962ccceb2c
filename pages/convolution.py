"""Convolution & FCN: one kernel slides where a dense layer needs a weight row per position."""

import streamlit as st

from ui import loaders
from ui.convolution.detector import fcn_input, how_it_works
from ui.convolution.sections import dense_vs_conv, sliding_kernel
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link

inside_frame()
st.title("Convolution & FCN")
st.markdown(
    "A dense layer (an MLP) needs its own row of weights for every output position, so its weight "
    "matrix grows with the input; a convolution slides **one fixed kernel** and reuses its few weights everywhere."
)

st.header("1. A kernel sliding over a vector")
st.markdown("Move the output position: the same kernel weights meet a different window each time.")
sliding_kernel()
left, right = st.columns(2)
link("pages/rnn.py", "Sharing over time: one RNN cell for every step", ":material/repeat:", left)
link("pages/density.py", "Masked convolutions that draw digits: the PixelCNN", ":material/blur_on:", right)

st.header("2. A dense layer, convolutionized")
st.markdown(
    "Turned around, a dense layer from a flattened C×H×W map to K outputs *is* a convolution with K kernels of "
    "size C×H×W: the same numbers, arranged differently, giving the same outputs. And that convolution also runs "
    "on larger inputs."
)
dense_vs_conv()

st.header("3. A fully convolutional network on a real image")
st.markdown(
    "Convolutionize a whole classifier and it no longer needs its input cut to size: one pass over a "
    "large picture answers for every window at once."
)
trained = loaded(loaders.digits_models)
fcn_input(trained, loaders.digits_test_split())

with st.expander("How it works"):
    st.markdown(how_it_works(trained))

learning_path("pages/convolution.py")
