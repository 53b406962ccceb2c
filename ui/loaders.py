"""Cached loaders: every model is loaded once per server and shared, read-only, by all sessions."""

from __future__ import annotations

import streamlit as st
import torch

from engine import digits


@st.cache_resource(show_spinner="Loading the digits CNN...")
def digits_models() -> tuple[digits.DigitsCNN, digits.DigitsFCN, dict]:
    """The shipped classifier, its convolutionized twin and the checkpoint's meta."""
    cnn, meta = digits.load()
    fcn = digits.DigitsFCN(cnn).eval().requires_grad_(False)
    return cnn, fcn, meta


@st.cache_resource
def digits_test_split() -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out digit images (N, 8, 8) and labels, never seen in training."""
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    return x, y
