"""Convolution & FCN: one kernel slides where a dense layer needs a weight row per position."""

import streamlit as st

from ui import loaders
from ui.convolution.sections import dense_vs_conv, fcn_input, sliding_kernel
from ui.frame import inside_frame, loaded

inside_frame()
st.title("Convolution & FCN")
st.markdown(
    "A dense layer (an MLP) needs its own row of weights for every output position, so its weight "
    "matrix grows with the input. A convolution slides **one fixed kernel** along the input and reuses "
    "the same few weights everywhere. Turned around, any dense layer on a fixed-size map *is* a "
    "convolution whose kernel covers the whole map, and that convolution also runs on larger inputs."
)

st.header("1. A kernel sliding over a vector")
st.markdown(
    "Move the output position: the same kernel weights multiply a different window each time. Written "
    "as a matrix, the convolution is a dense layer whose rows are that kernel, shifted."
)
sliding_kernel()

st.header("2. A dense layer, convolutionized")
st.markdown(
    "A dense layer on a flattened C×H×W map and a convolution with H×W kernels hold the same numbers, "
    "arranged differently. Copy one into the other and both give the same outputs."
)
dense_vs_conv()

st.header("3. A fully convolutional network on a real image")
st.markdown(
    "Convolutionize a whole classifier and it no longer needs its input cut to size: one pass over a "
    "large picture answers for every window at once."
)
cnn, fcn, meta = loaded(loaders.digits_models)
fcn_input(fcn, meta, *loaders.digits_test_split())

with st.expander("How it works"):
    st.markdown(
        "The classifier is conv3×3 → ReLU → conv3×3 → ReLU → dense → ReLU → dense, with unpadded "
        f"convolutions, trained on 8×8 windows cut from scikit-learn's digits (`{meta['metrics']['command']}`, "
        f"{meta['metrics']['train_seconds']} s on {meta['metrics']['threads']} CPU threads). Besides the ten "
        "digits it learned an 11th class, *background*, from windows where the digit sits three or more pixels "
        "off-centre, blanks and faint noise. Convolutionizing copies the first dense layer's "
        f"{meta['config']['hidden']} weight rows into {meta['config']['hidden']} kernels of "
        f"{meta['config']['channels2']}×4×4 and the second's into 1×1 kernels. With no padding and no pooling, cell "
        "(r, c) of the score map is *exactly* the classifier's answer for the 8×8 window whose top-left pixel "
        "is (r, c), computed for all windows in one pass that shares the work of overlapping windows. Found "
        "digits are cells whose best digit probability passes the threshold and beats every cell within "
        "four pixels."
    )
