"""The digits CNN, its FCN twin, the shipped checkpoint and the canvas detector."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.common.checkpoint import CheckpointError, checkpoint_path
from engine.common.inputs import InputError
from engine.convolution import detect, digits

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def shipped():
    return digits.load()


@pytest.fixture
def one_thread():
    """Scan small canvases on one thread: with every core busy, two threads per tiny forward pass are ~50x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def split():
    return digits.load_split(digits.DigitsConfig())


def test_split_is_stratified_and_held_out(split):
    x_tr, _, x_te, y_te = split
    assert len(x_tr) + len(x_te) == 1797 and len(x_te) == 360
    assert torch.bincount(y_te).min() >= 35  # every digit appears in the test split
    train_rows = {tuple(r.flatten().tolist()) for r in x_tr}
    assert sum(tuple(r.flatten().tolist()) in train_rows for r in x_te) < 5  # (the data has a few duplicates)


def test_fcn_equals_cnn_on_one_window(shipped, split):
    cnn, _ = shipped
    x = split[2][:32].unsqueeze(1)
    fcn_logits = digits.DigitsFCN(cnn)(x)  # (32, 11, 1, 1)
    assert fcn_logits.shape == (32, 11, 1, 1)
    torch.testing.assert_close(fcn_logits[:, :, 0, 0], cnn(x), atol=1e-5, rtol=1e-5)


def test_fcn_cell_is_the_classifier_on_that_window(shipped, split):
    cnn, _ = shipped
    canvas = torch.zeros(1, 1, 20, 30)
    canvas[0, 0, 6:14, 10:18] = split[2][0]
    canvas[0, 0, 9:17, 16:24] += 0.5 * split[2][1]  # an overlapping neighbour: pixels near the window matter not
    logits = digits.DigitsFCN(cnn)(canvas)[0]
    assert logits.shape == (11, 20 - 7, 30 - 7)
    for top, left in ((6, 10), (0, 0), (9, 16), (12, 22)):
        window = canvas[:, :, top : top + 8, left : left + 8]
        torch.testing.assert_close(logits[:, top, left], cnn(window)[0], atol=1e-5, rtol=1e-5)


def test_shipped_checkpoint_meets_its_recorded_accuracy(shipped):
    model, meta = shipped
    recorded = meta["metrics"]["accuracy"]
    assert recorded >= 0.95
    measured = digits.evaluate(model, None)
    assert measured["n"] == 360
    assert abs(measured["accuracy"] - recorded) < 1e-3


def test_initial_loss_is_about_ln_classes(split):
    torch.manual_seed(0)
    model = digits.DigitsCNN(digits.DigitsConfig())
    loss = F.cross_entropy(model(split[0][:256].unsqueeze(1)), split[1][:256])
    assert abs(loss.item() - math.log(11)) < 0.3


def test_overfits_one_small_batch(split):
    torch.manual_seed(0)
    model = digits.DigitsCNN(digits.DigitsConfig())
    x, y = split[0][:16].unsqueeze(1), split[1][:16]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(100):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05


def _source_of(window: torch.Tensor, images: torch.Tensor) -> list[tuple[int, int, int]]:
    """(image, dy, dx) for every image that, shifted by at most one pixel (zeros coming in), is `window`."""
    padded = F.pad(images, (1, 1, 1, 1))  # (N, 10, 10)
    return [
        (i, dy, dx)
        for i in range(len(images))
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if torch.equal(padded[i, 1 + dy : 9 + dy, 1 + dx : 9 + dx], window)
    ]


def test_training_windows_labels_follow_the_shift():
    # Ten patterns no shift of another can equal (every pixel lit, in 0.5..1, above the 0.3 noise
    # patches), labelled 3, 4, ... so a label taken from the wrong image or class cannot pass.
    gen = torch.Generator().manual_seed(5)
    images = 0.5 + 0.5 * torch.rand(10, 8, 8, generator=gen)
    labels = (torch.arange(10) + 3) % 10
    windows, y = digits.training_windows(images, labels, 600, 0.4, torch.Generator().manual_seed(0))
    assert windows.shape == (600, 1, 8, 8)
    assert float(windows.min()) >= 0 and float(windows.max()) <= 1
    seen_shifts = set()
    for window, label in zip(windows[:, 0], y.tolist(), strict=True):
        sources = _source_of(window, images)
        if label == digits.BACKGROUND:
            assert sources == []  # never a digit within one pixel of the window's place
        else:
            ((image, dy, dx),) = sources  # exactly one digit, shifted by at most one pixel
            assert label == int(labels[image])
            seen_shifts.add((dy, dx))
    assert len(seen_shifts) == 9  # every shift of at most one pixel occurs
    share = float((y == digits.BACKGROUND).float().mean())
    assert 0.33 < share < 0.47


def test_training_windows_share_of_background(split):
    gen = torch.Generator().manual_seed(0)
    windows, labels = digits.training_windows(split[0], split[1], 2000, 0.4, gen)
    assert windows.shape == (2000, 1, 8, 8)
    assert float(windows.min()) >= 0 and float(windows.max()) <= 1
    share = float((labels == digits.BACKGROUND).float().mean())
    assert 0.35 < share < 0.45


def test_no_test_digit_is_trained_on(monkeypatch):
    """The split is sklearn's stratified 80/20 of load_digits (recomputed here); training sees only its 80."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    train_idx, test_idx = train_test_split(
        np.arange(len(data.target)), test_size=0.2, random_state=0, stratify=data.target
    )
    assert not set(train_idx) & set(test_idx)
    x_tr, y_tr, x_te, y_te = digits.load_split(digits.DigitsConfig())
    expected_test = torch.from_numpy(data.images[test_idx].astype(np.float32) / 16)
    assert torch.equal(x_te, expected_test) and torch.equal(y_te, torch.from_numpy(data.target[test_idx]).long())
    assert torch.equal(x_tr, torch.from_numpy(data.images[train_idx].astype(np.float32) / 16))
    assert torch.equal(digits.held_out().images, expected_test)
    fed = []
    real = digits.training_windows

    def spy(images, labels, n, fraction, gen):
        fed.append((images, labels))
        return real(images, labels, n, fraction, gen)

    monkeypatch.setattr(digits, "training_windows", spy)
    digits.train(digits.DigitsConfig(epochs=1, channels1=2, channels2=2, hidden=2, batch_size=512))
    assert fed and all(torch.equal(images, x_tr) and torch.equal(labels, y_tr) for images, labels in fed)


def test_checkpoint_round_trip(tmp_path):
    cfg = digits.DigitsConfig(epochs=1, channels1=4, channels2=8, hidden=8)
    model, history = digits.train(cfg)
    path = digits.save(model, cfg, history, {"accuracy": 0.5}, tmp_path / "tiny.safetensors")
    loaded, meta = digits.load(path)
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key])
    assert meta["config"]["channels1"] == 4 and meta["history"] == history
    assert (tmp_path / "tiny.json").is_file()
    assert not list(tmp_path.glob(".*tmp"))


def test_missing_or_corrupt_checkpoint_names_the_rebuild_command(tmp_path):
    with pytest.raises(CheckpointError, match=r"python -m engine\.train digits"):
        digits.load(tmp_path / "none.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(checkpoint_path("digits").read_bytes()[:500])
    with pytest.raises(CheckpointError, match=r"python -m engine\.train digits"):
        digits.load(bad)


def test_canvas_truth_marks_where_digits_are(split):
    canvas, truth = detect.compose_canvas(split[2], split[3], 4, seed=3)
    assert canvas.shape[0] == 24 and len(truth) == 4
    assert truth["left"].is_monotonic_increasing
    for row in truth.itertuples():
        assert canvas[row.top : row.top + 8, row.left : row.left + 8].sum() > 5


def test_detector_reads_most_canvases(shipped, split, one_thread):
    fcn = digits.DigitsFCN(shipped[0])
    right = total = 0
    for seed in range(30):
        canvas, truth = detect.compose_canvas(split[2], split[3], 5, seed=seed)
        found = detect.find_digits(detect.score_map(fcn, canvas), threshold=0.5)
        for row in truth.itertuples():
            near = found[(abs(found["left"] - row.left) <= 2) & (abs(found["top"] - row.top) <= 2)]
            right += int(len(near) == 1 and near["label"].iloc[0] == str(row.label))
        total += len(truth)
    assert right / total > 0.85


def _readme_detection_claim() -> tuple[int, int, int]:
    """(digits, canvases, found right) from the sentence in docs/models.md, which also says no extra digits."""
    text = " ".join((ROOT / "docs" / "models.md").read_text().split())
    match = re.search(
        r"On (\d+) digits placed on (\d+) random canvases of held-out digits, the detector finds (\d+) at the "
        r"right place with the right label and reports no extra digits",
        text,
    )
    assert match, "the detection sentence in docs/models.md moved or changed"
    return tuple(int(g) for g in match.groups())


def test_detector_on_the_readmes_canvases_finds_what_it_says_and_nothing_else(shipped, split, one_thread):
    placed, canvases, claimed = _readme_detection_claim()
    fcn = digits.DigitsFCN(shipped[0])
    right = extra = total = 0
    for seed in range(canvases):
        canvas, truth = detect.compose_canvas(split[2], split[3], placed // canvases, seed=seed)
        found = detect.find_digits(detect.score_map(fcn, canvas), threshold=0.5)
        total += len(truth)
        # Counted by hand: a found digit is extra unless it is within 2 pixels of a placed one.
        for f in found.itertuples():
            extra += int(not any(abs(f.left - t.left) <= 2 and abs(f.top - t.top) <= 2 for t in truth.itertuples()))
        for t in truth.itertuples():
            here = [f.label for f in found.itertuples() if abs(f.left - t.left) <= 2 and abs(f.top - t.top) <= 2]
            right += int(here == [str(t.label)])
    assert (total, right, extra) == (placed, claimed, 0)
    score = detect.detection_score(fcn, split[2], split[3], canvases, placed // canvases)
    assert (score.placed, score.right, score.extra) == (placed, claimed, 0)


def test_find_digits_suppresses_neighbours():
    probs = np.zeros((11, 5, 10))
    probs[10] = 1.0
    probs[3, 2, 2], probs[10, 2, 2] = 0.9, 0.1
    probs[3, 2, 3], probs[10, 2, 3] = 0.8, 0.2  # next cell: the same digit, suppressed
    probs[7, 1, 8], probs[10, 1, 8] = 0.7, 0.3
    found = detect.find_digits(probs, threshold=0.5)
    assert list(found["label"]) == ["3", "7"]
    assert list(found["left"]) == [2, 8] and list(found["top"]) == [2, 1]


def test_parse_optdigits_reports_the_bad_line():
    good = ",".join(["0"] * 64 + ["3"])
    x, y = digits.parse_optdigits(good + "\n\n" + good + "\n")
    assert x.shape == (2, 8, 8) and y.tolist() == [3, 3]
    with pytest.raises(InputError, match="Line 2"):
        digits.parse_optdigits(good + "\n1,2,3\n")
    with pytest.raises(InputError, match="Line 1"):
        digits.parse_optdigits(",".join(["17"] * 64 + ["3"]))
    with pytest.raises(InputError, match="no data rows"):
        digits.parse_optdigits("\n\n")
