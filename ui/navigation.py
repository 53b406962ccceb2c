"""The explainer pages in the order a learner should take them, for the navigation, the home page's path
and each page's "Before this" / "Next" links."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException


@dataclass(frozen=True)
class Explainer:
    """One page under pages/: its file, title, icon, a one-line summary and what it builds on."""

    path: str
    title: str
    icon: str
    summary: str
    builds_on: str


EXPLAINERS = [
    Explainer(
        "pages/rnn.py",
        "Sequences & RNNs",
        ":material/repeat:",
        "Your sentence through a recurrent network, unrolled step by step with its one set of shared weights; "
        "a POS tag at every word next to a sentiment read at the last; memory, vanishing gradients, a live "
        "test of how far back it can remember, and a Markov model against a latent state.",
        "Start here: order matters in sequences, and one cell with one set of weights reads them step by step.",
    ),
    Explainer(
        "pages/transformer.py",
        "Transformer translator",
        ":material/translate:",
        "An English-to-German Transformer trained here: greedy and beam search, attention heatmaps for every "
        "layer and head, decoding step by step, honest BLEU and chrF, a race against a recurrent baseline, and "
        "a live race on a toy task where you watch attention learn.",
        "Builds on the RNN: attention looks back at every position directly instead of carrying one state.",
    ),
    Explainer(
        "pages/gpt.py",
        "GPT: generative pre-training",
        ":material/edit_note:",
        "A character GPT trained here: sampling with temperature, top-k and top-p; every step's candidates and "
        "attention; the probability of any text you paste; and what pre-training buys a classifier.",
        "Builds on the Transformer: its decoder alone, trained to predict the next character of unlabelled text.",
    ),
    Explainer(
        "pages/density.py",
        "Generative models of images",
        ":material/blur_on:",
        "A PixelCNN of handwritten digits learned here: samples drawn pixel by pixel and read by a classifier, the "
        "exact probability of a digit you draw or upload (and why a blank one scores well), and the features it "
        "learned without labels.",
        "Builds on GPT: the same next-item likelihood, one pixel at a time, so p(x) of an image is exact.",
    ),
    Explainer(
        "pages/convolution.py",
        "Convolution & FCN",
        ":material/grid_on:",
        "A kernel sliding over a vector; a dense layer turned into a convolution with the same weights "
        "and outputs; a digit classifier scanning a whole picture for digits.",
        "Builds on the PixelCNN's masked convolutions: one small kernel shared by every position, as an RNN "
        "shares its weights over time.",
    ),
]


def link(path: str, label: str, icon: str | None = None, where=st) -> None:
    """A link to another page of the app; a plain link where the page runs on its own (outside
    st.navigation, as page tests run it) and Streamlit cannot resolve it."""
    try:
        where.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        where.markdown(f"[{label}](/{path.removeprefix('pages/').removesuffix('.py')})")


def learning_path(current: str) -> None:
    """'Before this' and 'Next' links at the end of the page at `current` (its path under pages/)."""
    paths = [e.path for e in EXPLAINERS]
    i = paths.index(current)
    st.divider()
    before, after = st.columns(2)
    if i > 0:
        e = EXPLAINERS[i - 1]
        link(e.path, f"Before this: {e.title}", ":material/arrow_back:", before)
    else:
        link("pages/home.py", "Before this: the learning path", ":material/home:", before)
    if i + 1 < len(EXPLAINERS):
        e = EXPLAINERS[i + 1]
        link(e.path, f"Next: {e.title}", ":material/arrow_forward:", after)
        after.caption(e.builds_on)
    else:
        link("pages/home.py", "Next: back to the learning path", ":material/home:", after)
