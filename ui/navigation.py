"""The explainer pages that exist, for the app's navigation and the home page's links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explainer:
    """One page under pages/: its file, title, icon and a one-line summary."""

    path: str
    title: str
    icon: str
    summary: str


EXPLAINERS = [
    Explainer(
        "pages/convolution.py",
        "Convolution & FCN",
        ":material/grid_on:",
        "A kernel sliding over a vector; a dense layer turned into a convolution with the same weights "
        "and outputs; a digit classifier scanning a whole picture for digits.",
    ),
    Explainer(
        "pages/rnn.py",
        "Sequences & RNNs",
        ":material/repeat:",
        "Your sentence through a recurrent network, unrolled step by step with its one set of shared weights; "
        "a POS tag at every word next to a sentiment read at the last; memory, vanishing gradients, and a "
        "Markov model against a latent state.",
    ),
    Explainer(
        "pages/transformer.py",
        "Transformer translator",
        ":material/translate:",
        "An English-to-German Transformer trained here: greedy and beam search, attention heatmaps for every "
        "layer and head, decoding step by step, honest BLEU and chrF, and a race against a recurrent baseline.",
    ),
    Explainer(
        "pages/gpt.py",
        "GPT: generative pre-training",
        ":material/edit_note:",
        "A character GPT trained here: sampling with temperature, top-k and top-p; every step's candidates and "
        "attention; the probability of any text you paste; and what pre-training buys a classifier.",
    ),
    Explainer(
        "pages/density.py",
        "Generative models of images",
        ":material/blur_on:",
        "A PixelCNN of handwritten digits learned here: samples drawn pixel by pixel and read by a classifier, the "
        "exact probability of a digit you draw or upload (and why a blank one scores well), and the features it "
        "learned without labels.",
    ),
]
