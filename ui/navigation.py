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
]
