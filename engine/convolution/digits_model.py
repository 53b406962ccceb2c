"""A small CNN for scikit-learn's 8x8 digits, and its fully convolutional twin (FCN).

The classifier sees one 8x8 window and answers one of ten digits or "background". Its dense head,
rewritten as convolutions with the same weights, slides over a picture of any size and answers at
every position: a score map, from which digits are found.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

CLASS_NAMES = [str(d) for d in range(10)] + ["background"]
BACKGROUND = 10
WINDOW = 8  # the classifier's input is WINDOW x WINDOW pixels
KERNEL = 3  # side of both feature convolutions
FEATURE_SIDE = WINDOW - 2 * (KERNEL - 1)  # 4: the side of the feature map the dense head reads


@dataclass(frozen=True)
class DigitsConfig:
    """Architecture and training recipe; saved with the checkpoint."""

    channels1: int = 16  # kernels of the first 3x3 convolution
    channels2: int = 32  # kernels of the second 3x3 convolution
    hidden: int = 64  # units of the dense hidden layer (a 4x4 convolution in the FCN)
    epochs: int = 80  # passes over the training digits, each with fresh shifts and negatives
    batch_size: int = 128  # windows per optimiser step
    lr: float = 3e-3  # AdamW learning rate, cosine-decayed to zero
    weight_decay: float = 1e-4  # AdamW weight decay
    background_fraction: float = 0.4  # share of each batch that is a "background" window
    test_fraction: float = 0.2  # held-out share of the 1,797 digits (stratified, seed 0)
    seed: int = 0  # seeds the split, the initialisation and the augmentation


class DigitsCNN(nn.Module):
    """conv3x3 -> ReLU -> conv3x3 -> ReLU -> flatten -> dense -> ReLU -> dense.

    The convolutions are unpadded ("valid"), so the classifier's answer depends only on the 8x8
    pixels it is shown. That is what makes its convolutionized twin exact at every window.
    """

    def __init__(self, cfg: DigitsConfig) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, cfg.channels1, KERNEL),  # (B, C1, 6, 6)
            nn.ReLU(),
            nn.Conv2d(cfg.channels1, cfg.channels2, KERNEL),  # (B, C2, 4, 4)
            nn.ReLU(),
        )
        self.hidden = nn.Linear(cfg.channels2 * FEATURE_SIDE * FEATURE_SIDE, cfg.hidden)
        self.out = nn.Linear(cfg.hidden, len(CLASS_NAMES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) images -> (B, 11) logits."""
        h = self.features(x).flatten(1)  # (B, C2*4*4)
        return self.out(F.relu(self.hidden(h)))


class DigitsFCN(nn.Module):
    """The same network with its dense layers as convolutions: any (B, 1, H, W) -> score map."""

    def __init__(self, cnn: DigitsCNN) -> None:
        super().__init__()
        self.features = cnn.features
        c2, side = cnn.features[2].out_channels, FEATURE_SIDE
        self.hidden = nn.Conv2d(c2, cnn.hidden.out_features, side)
        self.out = nn.Conv2d(cnn.hidden.out_features, len(CLASS_NAMES), 1)
        with torch.no_grad():
            self.hidden.weight.copy_(cnn.hidden.weight.view(-1, c2, side, side))  # (hidden, C2, 4, 4)
            self.hidden.bias.copy_(cnn.hidden.bias)
            self.out.weight.copy_(cnn.out.weight[:, :, None, None])  # (11, hidden, 1, 1)
            self.out.bias.copy_(cnn.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> (B, 11, H - 7, W - 7) logits, one per 8x8 window."""
        return self.out(F.relu(self.hidden(self.features(x))))
