"""Training the density model: it sees only training digits, and its checkpoint round-trips."""

import pytest
import torch

from engine.density import data, explain, train
from engine.density.model import DensityConfig, pixel_log_probs

TINY = DensityConfig(hidden=64, layers=1, epochs=2, batch_size=256, dropout=0.0)


def _rows(x: torch.Tensor) -> set[tuple]:
    return {tuple(r.tolist()) for r in x}


@pytest.fixture(scope="module")
def seen():
    """A tiny training run with every tensor the loop and the baseline were given recorded."""
    calls = {"epoch": [], "val": [], "histogram": [], "probe": []}
    epoch, mean, histogram, probe = (
        train.train_epoch,
        train.mean_bits_per_dim,
        train.fit_histogram,
        train.probe_accuracy,
    )
    train.train_epoch = lambda model, x, *a: calls["epoch"].append(x) or epoch(model, x, *a)
    train.mean_bits_per_dim = lambda model, x: calls["val"].append(x) or mean(model, x)
    train.fit_histogram = lambda x, val: calls["histogram"].append(x) or histogram(x, val)
    # the slow sklearn fits (probes, t-SNE) are replaced by quick stand-ins; the shipped meta's are checked elsewhere
    train.probe_accuracy = lambda *arrays: calls["probe"].append(arrays) or 0.5
    train.tsne_map, tsne = lambda points: points[:, :2], train.tsne_map
    try:
        trained, history = train.train(TINY)
    finally:
        train.train_epoch, train.mean_bits_per_dim, train.fit_histogram = epoch, mean, histogram
        train.probe_accuracy, train.tsne_map = probe, tsne
    return trained, history, calls


def test_no_test_or_validation_digit_is_ever_trained_on(seen):
    _, _, calls = seen
    levels = data.load_levels()
    test, val, training = _rows(levels["test"].images), _rows(levels["val"].images), _rows(levels["train"].images)
    assert len(calls["epoch"]) == TINY.epochs and calls["histogram"]
    for x in calls["epoch"] + calls["histogram"]:
        assert _rows(x) == training
        assert not _rows(x) & test and not _rows(x) & val
    assert all(_rows(x) == val for x in calls["val"])  # the epoch is picked on val, never on test
    pixels = calls["probe"][1]  # (x_train, y_train, x_test, y_test) of the raw-pixel probe
    assert _rows(torch.from_numpy(pixels[0] * 16).round().long()) == training | val
    assert _rows(torch.from_numpy(pixels[2] * 16).round().long()) == test  # labels meet test digits only to score


def test_the_history_has_the_shipped_format_and_picks_the_best_epoch(seen):
    _, history, _ = seen
    shipped = train.load()[1]["history"]
    assert set(history) == set(shipped)
    assert set(history["representation"]) == set(shipped["representation"])
    assert history["epoch"] == [1, 2]
    assert history["best_epoch"] == 1 + min(range(2), key=lambda i: history["val_bits_per_dim"][i])
    assert len(history["representation"]["map_x"]) == len(data.load_levels()["test"].images)


def test_a_saved_model_loads_back_with_the_same_scores(seen, tmp_path):
    trained, history, _ = seen
    metrics = explain.evaluate(trained)
    path = train.save(trained, TINY, history, metrics, tmp_path / "density.safetensors")
    loaded, meta = train.load(path)
    assert meta["config"] == TINY.__dict__ and meta["metrics"] == metrics and meta["smoothing"] == trained.baseline.k
    x = data.load_levels()["test"].images[:20]
    assert torch.equal(pixel_log_probs(loaded.made, x), pixel_log_probs(trained.made, x))
    assert torch.equal(loaded.baseline.counts, trained.baseline.counts)
    assert not any(p.requires_grad for p in loaded.parameters()) and not loaded.training
