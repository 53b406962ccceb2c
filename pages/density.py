"""Deep generative models for images: learn p(x), then generate, score and represent."""

import math

import streamlit as st

from ui import loaders
from ui.density.generation import CLASSES, CLEAR, generation
from ui.density.sections import PIXELS, SHAPE, SIDE, a_or_an, estimation, probe_comparison, probe_gain, representation
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
N = str(PIXELS).translate(SUBSCRIPTS)
N_1 = str(PIXELS - 1).translate(SUBSCRIPTS)

inside_frame()
st.title("Generative models of images")
st.markdown(
    "**A generative model learns p(x), a probability for every image: sampling it draws new images like the data, "
    "evaluating it scores any image, and its features describe images without labels.** This PixelCNN learned "
    f"{SHAPE} digits pixel by pixel, p(x) = p(x₁) · p(x₂ | x₁) ⋯ p(x{N} | x₁ … x{N_1}): exact probabilities."
)
shipped = loaded(loaders.density_model)
trained, meta = shipped.trained, shipped.meta
metrics, study, cfg = meta["metrics"], meta["history"]["representation"], meta["config"]
test = loaders.density_test()
recognised = round(metrics["samples_recognised"] * metrics["samples"])  # the share was recorded; the count is exact

st.header("1. Generation")
st.markdown(
    "Each pixel is drawn in turn: the model gives the probability that it is on, given every pixel before it, and "
    "a coin with that bias decides. The judge, a classifier trained only on real digits, reads each sample."
)
generation(trained, loaders.density_gallery(), metrics)
with st.expander("Read more: drawing a chosen digit, and the judge"):
    st.markdown(
        'The same network can draw a chosen digit ("Draw"): it was trained with the label shown half the time, '
        "so it learned p(x | y) next to p(x). The judge never saw a sample; a softmax always names some digit, "
        'even for an empty square, so a blank or nearly blank sample is captioned "no digit" and a reading '
        f'under {CLEAR} "no clear digit".'
    )

st.header("2. Density estimation")
st.markdown(
    f"Draw, pick or upload an image: it is made into {a_or_an(SIDE)} {SHAPE} digit the way MNIST's were, and the "
    f"model scores it. Bits per dimension, −log₂ p(x) / {PIXELS}, is the average cost of a pixel (1 bit for a "
    "coin)."
)
link("pages/gpt.py", "The same idea for text, on the GPT page", ":material/edit_note:")
estimation(trained, test)

st.header("3. Representation")
representation(study)

st.header("4. What p(x) means")
st.markdown(
    f"One function, three uses. **Generation**: the grid's test on {metrics['samples']} samples "
    f"recorded at training time (temperature {metrics['sample_temperature']:g}): {recognised} recognisable, "
    f"{metrics['sample_classes']} of the {CLASSES} digits. **Density**: a test digit costs "
    f"{metrics['nats_per_image']:.1f} nats, {metrics['baseline_nats_per_image']:.1f} with independent pixels, "
    f"{PIXELS * math.log(2):.0f} for coin flips: the gap is the structure the model captured. **Representation**: "
    f"for a linear probe its features are {probe_comparison(probe_gain(study))} raw pixels. A high p(x) means "
    "predictable, not typical."
)

with st.expander("How it works"):
    st.markdown(
        f"`engine.density.pixelcnn.PixelCNN`, a gated PixelCNN (van den Oord et al., 2016): a vertical stack of "
        f"convolutions that sees only the rows above a pixel, and a horizontal stack that sees only the pixels to "
        f"its left in the same row, {cfg['layers'] + 1} gated layers of {cfg['channels']} channels, each with a "
        "learned bias for the label (or for 'any digit'). Pixel i's probability never depends on pixel i or later "
        "ones, so p(x) is a product of proper conditionals and sums to 1 over all 2^784 images. Sampling keeps "
        "every layer's outputs in caches and computes each layer once per pixel (`engine.density.draw`). Trained "
        "on MNIST's 60,000 training digits (Yann LeCun, Corinna Cortes and Christopher Burges, CC BY-SA 3.0), 5% "
        "of them held out by a hash of each digit's pixels to keep the best training point; scored on MNIST's "
        f"own {metrics['n']:,} test digits (the page carries the first {len(test.images):,}). The judge is a small "
        "convolutional classifier trained on the same training digits "
        f"({metrics['judge_accuracy']:.1%} on the test digits). A picture is made grey, "
        "inverted if its border is light, cropped to its content, fitted in a 20×20 box, centred by its centre "
        "of mass in 28×28 and binarised at half grey. In bits per pixel, a test digit costs "
        f"{metrics['bits_per_dim']:.3f} under this model and {metrics['baseline_bits_per_dim']:.3f} with independent "
        "pixels drawn with their training frequency. The papers binarise MNIST at random instead (each pixel on "
        "with its grey level as probability), which leaves more to predict: under that binarisation a test digit "
        f"costs {metrics['nats_per_image_stochastic']:.1f} nats here, against 81.3 for the PixelCNN and 79.2 "
        "for the PixelRNN of van den Oord et al. (2016), much larger models trained far longer."
    )

learning_path("pages/density.py")
