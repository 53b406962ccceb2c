"""What the density model learned without labels: linear probes on its hidden features against raw pixels, and a
2-D map of those features."""

from __future__ import annotations

import numpy as np
import torch

from engine.density.data import Split
from engine.density.pixelcnn import NONE, PixelCNN

PROBE_TRAIN, PROBE_TEST, MAP_POINTS = 10_000, 2_000, 1_000  # digits the representation study reads


@torch.inference_mode()
def features(model: PixelCNN, images: torch.Tensor) -> torch.Tensor:
    """(N, 2 * channels) the last layer's features of whole images, averaged and maxed over positions."""
    parts = []
    for x in torch.split(images, 256):
        h = model(x, torch.full((len(x),), NONE), features=True)[1]
        parts.append(torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1))
    return torch.cat(parts)


def probe_accuracy(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of a standardised, L2-regularised logistic regression (a linear probe), fitted to
    convergence: at scikit-learn's default tolerance L-BFGS stopped early, where the last rounding of the
    machine's BLAS moved the answer (0.8882 where the figure was recorded, 0.8839 on another machine)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=20_000, C=0.1, tol=1e-6))
    probe.fit(x_train, y_train)
    return round(float(probe.score(x_test, y_test)), 4)


def probe_accuracies(model: PixelCNN, data: dict[str, Split]) -> dict[str, float]:
    """Linear probes trained on the first PROBE_TRAIN training digits and scored on the first PROBE_TEST test digits,
    on the model's features and on raw pixels (features of all 70,000 would take a quarter of an hour)."""
    x_tr, y_tr = data["train"].images[:PROBE_TRAIN], data["train"].labels[:PROBE_TRAIN].numpy()
    x_te, y_te = data["test"].images[:PROBE_TEST], data["test"].labels[:PROBE_TEST].numpy()
    out = {}
    for name, transform in (
        ("features", lambda x: features(model, x).numpy()),
        ("pixels", lambda x: x.flatten(1).float().numpy()),
    ):
        out[f"probe_accuracy_{name}"] = probe_accuracy(transform(x_tr), y_tr, transform(x_te), y_te)
    return out


def tsne_map(points: np.ndarray) -> np.ndarray:
    """(N, 2) t-SNE coordinates of (N, D) points, after PCA to at most 50 dimensions."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    reduced = PCA(n_components=min(50, points.shape[1]), random_state=0).fit_transform(points)
    return TSNE(n_components=2, random_state=0, init="pca", perplexity=30).fit_transform(reduced)


def representation_study(model: PixelCNN, data: dict[str, Split]) -> dict:
    """Linear probes on the model's features and on raw pixels; a 2-D map of the test features."""
    out = probe_accuracies(model, data)
    xy = tsne_map(features(model, data["test"].images[:MAP_POINTS]).numpy())
    out["map_x"] = [round(float(v), 3) for v in xy[:, 0]]
    out["map_y"] = [round(float(v), 3) for v in xy[:, 1]]
    out["map_labels"] = data["test"].labels[:MAP_POINTS].numpy().tolist()
    return out
