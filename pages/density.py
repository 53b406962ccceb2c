"""Deep generative models for images: learn p(x), then generate, score and represent."""

import streamlit as st

from ui import loaders
from ui.density.sections import estimation, generation, representation
from ui.frame import inside_frame, loaded

inside_frame()
st.title("Generative models of images")
st.markdown(
    "Given many images (of dogs, say, or here of handwritten digits), learn a probability distribution p(x) "
    "over images such that **sampling** from it gives images that look like the data (generation), p(x) is "
    "**high for data-like images** (density estimation: the probability of an image), and the model learns "
    "**what features images have** (unsupervised representation learning). The model here reads 8×8 digits "
    "with 17 grey levels, pixel by pixel: p(x) = p(x₁) · p(x₂ | x₁) ⋯ p(x₆₄ | x₁ … x₆₃), so its probabilities "
    "are exact."
)
trained, meta = loaded(loaders.density_model)
metrics, study = meta["metrics"], meta["history"]["representation"]

st.header("1. Generation")
st.markdown(
    "Each sample is drawn one pixel at a time, left to right and top to bottom, from the model's distribution "
    "over that pixel's 17 grey levels given every pixel already drawn."
)
generation(trained)

st.header("2. Density estimation")
st.markdown(
    "Pick an image or upload your own: it is turned into an 8×8 digit-like picture, and the model says how "
    "probable that picture is. Bits per dimension is −log₂ p(x) / 64: the average number of bits each pixel "
    "costs (log₂ 17 ≈ 4.09 for a uniform guess)."
)
estimation(trained)

st.header("3. Representation")
st.markdown(
    "The hidden layers that predict pixels were trained without a single label. Yet a straight-line "
    "classifier (a linear probe) reading them can tell the digits apart, and the map below groups them."
)
representation(meta)

st.header("4. What p(x) means")
st.markdown(
    f"All three uses come from one function. **Generation** draws from p(x) pixel by pixel. **Density** evaluates "
    f"it: test digits cost {metrics['bits_per_dim']:.3f} bits per pixel under this model, against "
    f"{metrics['baseline_bits_per_dim']:.3f} for a model that draws every pixel independently from its own "
    "histogram, and log₂ 17 ≈ 4.087 for uniform noise; that gap is the structure (strokes, continuity, "
    "digit shapes) the autoregressive model captured. **Representation**: to predict the next pixel well, the "
    f"hidden units must encode stroke and shape, and a linear probe on them reaches "
    f"{study['probe_accuracy_features']:.1%} on test digits, against {study['probe_accuracy_pixels']:.1%} on raw "
    "pixels, with labels used only by the probe. And the caution of section 2: p(x) measures how predictable an "
    "image is, not how typical; a blank image is more probable than many real digits."
)

with st.expander("How it works"):
    cfg = meta["config"]
    st.markdown(
        f"`engine.density.model.MADE`: one-hot pixels (64 × 17 inputs) through {cfg['layers']} masked hidden layers of "
        f"{cfg['hidden']} units, plus a masked direct connection, to 64 × 17 logits. Each hidden unit has a degree "
        "d and sees pixels 0..d only; the output for pixel i reads units with d < i, so it can never depend on "
        "pixel i or later. Trained on the digits classifier's training split (with a tenth held out to pick the "
        f"epoch: {meta['history']['best_epoch']}), scored on its {metrics['n']} test digits. An uploaded image is "
        "made grey, inverted if its border is light, cropped to its content, padded to a square, averaged down to "
        "8×8 and quantised to 17 levels."
    )
