"""Measures shared by the topics: bits per character or dimension, BLEU and chrF, parameter counts."""

from __future__ import annotations

import math

import sacrebleu
import torch
from torch import nn


def bits_per_char(log_likelihoods: torch.Tensor) -> float:
    """Mean negative log2-probability of the characters scored."""
    return float(-log_likelihoods.double().mean() / math.log(2))


def bits_per_dim(log_probs: torch.Tensor) -> torch.Tensor:
    """(B,) -log2 p(x) / D from (B, D) per-dimension natural-log probabilities."""
    return -log_probs.sum(-1) / (log_probs.shape[-1] * math.log(2))


def bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU (sacrebleu's defaults) against one reference per hypothesis."""
    return float(sacrebleu.corpus_bleu(hypotheses, [references]).score)


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """Corpus chrF (sacrebleu's defaults) against one reference per hypothesis."""
    return float(sacrebleu.corpus_chrf(hypotheses, [references]).score)


def parameter_count(model: nn.Module) -> int:
    """Every weight the module holds; shared tensors are counted once."""
    return sum(p.numel() for p in model.parameters())
