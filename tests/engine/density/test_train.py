"""Training the density model: it sees only training digits, keeps its best point, and round-trips."""

import dataclasses

import pytest
import torch

from engine.common.corpora import CorpusError
from engine.density import data, explain, judge, probes, train
from engine.density.pixelcnn import NONE, PixelCNNConfig, pixel_log_probs

SIZES = (64, 300, 100, 50)  # validation digits scored, probe training and test digits, map points in the tiny run
TINY = PixelCNNConfig(channels=4, layers=1, first_kernel=3, head=8, steps=60, batch_size=16, minutes=0.0)


def _rows(x: torch.Tensor) -> set[bytes]:
    return {r.numpy().tobytes() for r in x.flatten(1)}


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    """A tiny training run with every tensor the loop, the baseline, the judge and the probes were given recorded."""
    calls = {"batch": [], "val": [], "baseline": [], "judge": [], "probe": []}
    originals = (
        train.training_batch,
        train.nats_per_image,
        train.fit_baseline,
        judge.fit_judge,
        probes.probe_accuracy,
        probes.tsne_map,
        train.EVAL_EVERY,
        train.PARTIAL,
        train.RESUME,
        train.VAL_SCORED,
        probes.PROBE_TRAIN,
        probes.PROBE_TEST,
        probes.MAP_POINTS,
    )

    def batch(split, cfg, gen):
        x, y = originals[0](split, cfg, gen)
        calls["batch"].append((split, x))
        return x, y

    train.training_batch = batch
    train.nats_per_image = lambda model, x, *a: calls["val"].append(x) or originals[1](model, x, *a)
    train.fit_baseline = lambda x, val: calls["baseline"].append((x, val)) or originals[2](x, val)
    # quick stand-ins for the slow fits (the judge's epochs, the probes, t-SNE); the shipped ones are checked elsewhere
    judge.fit_judge = lambda split, *a: (
        calls["judge"].append(split)
        or originals[3](data.Split(split.images[:128], split.labels[:128]), judge.JudgeConfig(epochs=1))
    )
    probes.probe_accuracy = lambda *arrays: calls["probe"].append(arrays) or 0.5
    probes.tsne_map = lambda points: points[:, :2]
    folder = tmp_path_factory.mktemp("partial")
    train.EVAL_EVERY, train.PARTIAL, train.RESUME = 20, folder / "density-partial.safetensors", folder / "resume.pt"
    train.VAL_SCORED, probes.PROBE_TRAIN, probes.PROBE_TEST, probes.MAP_POINTS = SIZES  # hundreds, not 12,000
    try:
        trained, history = train.train(TINY)
        partial = train.PARTIAL
    finally:
        (train.training_batch, train.nats_per_image, train.fit_baseline, judge.fit_judge, probes.probe_accuracy,
         probes.tsne_map, train.EVAL_EVERY, train.PARTIAL, train.RESUME, train.VAL_SCORED, probes.PROBE_TRAIN,
         probes.PROBE_TEST, probes.MAP_POINTS) = originals  # fmt: skip
    return trained, history, calls, partial


def test_no_test_or_validation_digit_is_ever_trained_on(seen):
    _, _, calls, _ = seen
    splits = data.load_splits()
    test, val, training = (_rows(splits[k].images) for k in ("test", "val", "train"))
    assert len(calls["batch"]) == TINY.steps
    given = {id(split): split for split, _x in calls["batch"]}.values()  # one set of rows per distinct split
    assert all(_rows(split.images) == training for split in given)
    assert all(_rows(x) <= training for _split, x in calls["batch"][:5])
    assert all(_rows(x) == training for x, _ in calls["baseline"]) and calls["baseline"]
    assert all(_rows(s.images) == training for s in calls["judge"]) and calls["judge"]
    scored = _rows(splits["val"].images[: SIZES[0]])
    assert scored <= val and all(_rows(x) == scored for x in calls["val"][:3])  # the best point: val, never test
    pixels = calls["probe"][1]  # (x_train, y_train, x_test, y_test) of the raw-pixel probe
    assert _rows(torch.from_numpy(pixels[0]).to(torch.uint8)) == _rows(splits["train"].images[: SIZES[1]])
    assert _rows(torch.from_numpy(pixels[2]).to(torch.uint8)) <= test  # labels meet test digits only to score


def test_a_shifted_batch_moves_whole_digits_and_hides_labels_as_asked():
    split = data.load_splits()["train"]
    cfg = PixelCNNConfig(batch_size=400, hide_label=0.5, shift=0)
    x, y = train.training_batch(split, cfg, torch.Generator().manual_seed(0))
    assert 0.4 < float((y == NONE).float().mean()) < 0.6
    assert _rows(x) <= _rows(split.images)
    moved = data.shifted(split.images[:50], 2, torch.Generator().manual_seed(1))
    assert moved.shape == (50, 1, 28, 28)
    assert (moved.flatten(1).sum(1) <= split.images[:50].flatten(1).sum(1)).all()  # ink only leaves at the border


def test_the_history_keeps_the_best_validation_point_and_the_partial_checkpoint(seen):
    trained, history, _, partial = seen
    assert history["step"] == [20, 40, 60]
    best = min(range(3), key=lambda i: history["val_nats"][i])
    assert history["best_step"] == history["step"][best]
    val = data.load_splits()["val"].images[: SIZES[0]]
    assert float(train.nats_per_image(trained.pixelcnn, val).mean()) == pytest.approx(
        history["val_nats"][best], rel=2e-3
    )
    kept, meta = train.load(partial)  # the partial checkpoint is the best point so far
    assert meta["metrics"] == {"partial": True}
    assert torch.allclose(
        train.nats_per_image(kept.pixelcnn, val[:20]), train.nats_per_image(trained.pixelcnn, val[:20]), atol=0.05
    )


def test_the_steps_after_the_last_evaluation_are_scored_when_the_time_budget_ends(monkeypatch):
    """A run cut by its time budget between two evaluations still scores (and can keep) its last state."""
    clock = iter(range(10_000))
    monkeypatch.setattr(train.History, "elapsed", lambda self: float(next(clock)))  # one 'second' per look
    monkeypatch.setattr(train, "EVAL_EVERY", 1000)
    cfg = PixelCNNConfig(channels=2, layers=0, first_kernel=3, head=2, steps=100, batch_size=2, minutes=0.2)
    val = data.Split(data.load_splits()["val"].images[:4], data.load_splits()["val"].labels[:4])
    _, history = train.fit_pixelcnn(cfg, {"train": data.load_splits()["train"], "val": val}, None, None)
    assert len(history["step"]) == 1 and 0 < history["step"][0] < 100  # stopped by the budget, and scored


def test_a_saved_model_loads_back_with_the_same_scores(seen, tmp_path, monkeypatch):
    trained, history, _, _ = seen

    def no_files():
        raise CorpusError("no data files")  # scored on the carried digits: 20,000 test images would take a minute

    monkeypatch.setattr(explain, "load_splits", no_files)
    metrics = explain.held_out_scores(trained)
    assert metrics["n"] == train.CARRIED and "nats_per_image_stochastic" not in metrics
    path = train.save(trained, TINY, history, metrics, tmp_path / "density.safetensors")
    loaded, meta = train.load(path)
    assert meta["config"] == TINY.__dict__ and meta["metrics"] == metrics and meta["smoothing"] == trained.baseline.k
    test = data.load_splits()["test"]
    carried = slice(0, train.CARRIED)  # the page's test digits: the first of MNIST's own 10,000
    assert torch.equal(loaded.test.images, test.images[carried]) and torch.equal(
        loaded.test.labels, test.labels[carried]
    )
    x, y = test.images[:20], torch.full((20,), NONE)
    assert torch.equal(pixel_log_probs(loaded.pixelcnn, x, y), pixel_log_probs(trained.pixelcnn, x, y))
    assert torch.equal(loaded.baseline.ones, trained.baseline.ones)
    assert not any(p.requires_grad for p in loaded.parameters()) and not loaded.training


def test_a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path, monkeypatch):
    """Optimiser moments, schedule step and random state all come back: 3 + 3 steps equal 6 in one sitting."""
    monkeypatch.setattr(train, "EVAL_EVERY", 2)
    cfg = PixelCNNConfig(channels=4, layers=1, first_kernel=3, head=8, steps=6, batch_size=4, minutes=0.0, lr=0.05)
    splits = data.load_splits()
    small = {"train": data.Split(splits["train"].images[:64], splits["train"].labels[:64]), "val": splits["val"]}
    monkeypatch.setattr(train, "VAL_SCORED", 4)
    whole, _ = train.fit_pixelcnn(cfg, small, None, None, tmp_path / "a.pt")
    path = tmp_path / "b.pt"
    train.fit_pixelcnn(cfg, small, None, None, path, until=3)
    assert torch.load(path, weights_only=True)["step"] == 3
    resumed, history = train.fit_pixelcnn(dataclasses.replace(cfg, resume=1), small, None, None, path)
    assert history["step"] == [2, 4, 6]
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    cut_short, _ = train.fit_pixelcnn(cfg, small, None, None, tmp_path / "c.pt", until=3)
    pairs = zip(whole.state_dict().values(), cut_short.state_dict().values(), strict=True)
    assert not all(torch.equal(a, b) for a, b in pairs)
    with pytest.raises(ValueError, match="another configuration"):
        train.fit_pixelcnn(dataclasses.replace(cfg, resume=1, lr=0.01), small, None, None, path)
