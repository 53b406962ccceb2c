"""Deep generative models for images: learn p(x), then generate, score and represent."""

import math

import streamlit as st

from ui import loaders
from ui.density.sections import LEVELS, PIXELS, SHAPE, estimation, generation, limits, representation
from ui.frame import inside_frame, loaded

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

inside_frame()
st.title("Generative models of images")
st.markdown(
    "Given many images (of dogs, say, or here of handwritten digits), learn a probability distribution p(x) "
    "over images such that **sampling** from it gives images that look like the data (generation), p(x) is "
    "**high for data-like images** (density estimation: the probability of an image), and the model learns "
    f"**what features images have** (unsupervised representation learning). The model here reads {SHAPE} digits "
    f"with {LEVELS} grey levels, pixel by pixel: p(x) = p(x₁) · p(x₂ | x₁) ⋯ p(x{str(PIXELS).translate(SUBSCRIPTS)} "
    f"| x₁ … x{str(PIXELS - 1).translate(SUBSCRIPTS)}), so its probabilities are exact."
)
shipped = loaded(loaders.density_model)
trained, meta = shipped.trained, shipped.meta
metrics, study = meta["metrics"], meta["history"]["representation"]
test = loaders.density_test()
limit = limits(len(test.images))

st.header("1. Generation")
st.markdown(
    "Each sample is drawn one pixel at a time, left to right and top to bottom, from the model's distribution "
    f"over that pixel's {LEVELS} grey levels given every pixel already drawn."
)
generation(trained, limit)

st.header("2. Density estimation")
st.markdown(
    f"Pick an image or upload your own: it is turned into an {SHAPE} digit-like picture, and the model says how "
    f"probable that picture is. Bits per dimension is −log₂ p(x) / {PIXELS}: the average number of bits each pixel "
    f"costs (log₂ {LEVELS} ≈ {math.log2(LEVELS):.2f} for a uniform guess)."
)
estimation(trained, test, limit)

st.header("3. Representation")
st.markdown(
    "The hidden layers that predict pixels were trained without a single label. Yet a straight-line "
    "classifier (a linear probe) reading them can tell the digits apart, and the map below groups them."
)
representation(study)

st.header("4. What p(x) means")
st.markdown(
    f"All three uses come from one function. **Generation** draws from p(x) pixel by pixel. **Density** evaluates "
    f"it: test digits cost {metrics['bits_per_dim']:.3f} bits per pixel under this model, against "
    f"{metrics['baseline_bits_per_dim']:.3f} for a model that draws every pixel independently from its own "
    f"histogram, and log₂ {LEVELS} ≈ {math.log2(LEVELS):.3f} for uniform noise; that gap is the structure "
    "(strokes, continuity, digit shapes) the autoregressive model captured. **Representation**: to predict the "
    "next pixel well, the "
    f"hidden units must encode stroke and shape, and a linear probe on them reaches "
    f"{study['probe_accuracy_features']:.1%} on test digits, against {study['probe_accuracy_pixels']:.1%} on raw "
    "pixels, with labels used only by the probe. And the caution of section 2: p(x) measures how predictable an "
    "image is, not how typical; a blank image is more probable than many real digits."
)

with st.expander("How it works"):
    cfg = meta["config"]
    st.markdown(
        f"`engine.density.model.MADE`: one-hot pixels ({PIXELS} × {LEVELS} inputs) through {cfg['layers']} masked "
        f"hidden layers of {cfg['hidden']} units, plus a masked direct connection, to {PIXELS} × {LEVELS} logits. "
        "Each hidden unit has a degree d and sees pixels 0..d only; the output for pixel i reads units with d < i, "
        "so it can never depend on pixel i or later. Trained on the digits classifier's training split (with a "
        f"tenth held out to pick the epoch: {meta['history']['best_epoch']}), scored on its {metrics['n']} test "
        "digits. An uploaded image is made grey, inverted if its border is light, cropped to its content, padded "
        f"to a square, averaged down to {SHAPE} and quantised to {LEVELS} levels."
    )
