"""The shipped density model meets the figures it reports, recomputed here."""

import math

import numpy as np
import pytest
import torch

from engine.density import data, explain, judge, train
from engine.density.pixelcnn import NONE, PIXELS


@pytest.fixture(scope="module")
def shipped():
    return train.load()


def test_the_pixelcnn_beats_the_independent_baseline_by_a_wide_margin(shipped):
    trained, meta = shipped
    recorded = meta["metrics"]
    test = data.load_splits()["test"]
    assert torch.equal(trained.test.images, test.images) and torch.equal(trained.test.labels, test.labels)
    nats = train.nats_per_image(trained.pixelcnn, test.images).numpy()
    ones = (trained.baseline.ones + trained.baseline.k) / (trained.baseline.total + 2 * trained.baseline.k)
    on = test.images.flatten(1).double()
    baseline = -(on * torch.log(ones) + (1 - on) * torch.log1p(-ones)).sum(1).numpy()
    assert float(nats.mean()) == pytest.approx(recorded["nats_per_image"], abs=0.05)
    assert float(baseline.mean()) == pytest.approx(recorded["baseline_nats_per_image"], abs=0.05)
    assert recorded["bits_per_dim"] == pytest.approx(float(nats.mean()) / (PIXELS * math.log(2)), abs=1e-4)
    assert nats.mean() < 0.6 * baseline.mean()  # a wide margin, not a rounding
    uniform = PIXELS * math.log(2)
    assert float(nats.max()) < uniform  # every held-out digit beats coin flips ...
    stored = meta["shown"]["reference"]  # what the page's histogram shows without scoring 930 images again
    n, to_bits = len(nats), PIXELS * math.log(2)
    assert stored["group"] == [explain.DIGITS] * n + [explain.NOISE] * n
    assert stored["bits per dim"][:n] == pytest.approx(nats / to_bits, abs=1e-5)
    assert stored["baseline bits per dim"][:n] == pytest.approx(baseline / to_bits, abs=1e-5)
    sample = list(range(0, n, 10))  # every tenth noise image scored again (the same noise the page scores)
    noise = train.nats_per_image(trained.pixelcnn, explain.noise_images(n, 0)[sample]).numpy()
    assert [stored["bits per dim"][n + i] for i in sample] == pytest.approx(noise / to_bits, abs=1e-5)
    assert float(nats.max()) < min(stored["bits per dim"][n:]) * to_bits  # ... and every noise image


def test_the_judge_reads_the_test_digits_as_recorded(shipped):
    trained, meta = shipped
    digits, _ = judge.verdicts(trained.judge, trained.test.images)
    accuracy = float((digits == trained.test.labels.numpy()).mean())
    assert accuracy == pytest.approx(meta["metrics"]["judge_accuracy"], abs=1e-4) and accuracy > 0.95


def test_the_shipped_gallery_and_the_sample_judgement_are_what_drawing_gives(shipped):
    trained, meta = shipped
    stored = meta["shown"]["gallery"]
    assert (stored["seed"], stored["temperature"]) == (explain.JUDGED_SEED, explain.TEMPERATURE)
    again = explain.draw(trained.pixelcnn, explain.GALLERY, explain.TEMPERATURE, explain.JUDGED_SEED, NONE)
    assert torch.equal(explain.unpack_gallery(stored).images, again.images)
    recorded = meta["metrics"]
    drawing = explain.draw(trained.pixelcnn, recorded["samples"], recorded["sample_temperature"], explain.JUDGED_SEED)
    with torch.inference_mode():
        p = torch.softmax(trained.judge(drawing.images), -1).max(-1)
    has_ink = drawing.images.flatten(1).sum(1).numpy() >= judge.FAINT  # a blank sample is never recognised
    sure = (p.values.numpy() >= judge.RECOGNISED) & has_ink
    assert float(sure.mean()) == pytest.approx(recorded["samples_recognised"], abs=1e-9)
    assert len(set(p.indices.numpy()[sure].tolist())) == recorded["sample_classes"]


def test_the_shipped_judge_reads_a_blank_as_no_digit_and_a_hand_made_one_as_a_one(shipped):
    trained, _ = shipped
    blank = torch.zeros(2, 1, 28, 28, dtype=torch.uint8)
    blank[1, 0, 14, 10:14] = 1  # four pixels: nearly blank
    one = torch.zeros(1, 1, 28, 28, dtype=torch.uint8)
    one[0, 0, 4:24, 13:16] = 1  # a stroke 20 tall and 3 wide, as MNIST centres a 1
    with torch.inference_mode():
        p = torch.softmax(trained.judge(torch.cat([blank, one])), -1)
    assert p[0].argmax() == 1 and 0.5 < p[0].max() < judge.RECOGNISED  # the softmax names a digit for nothing
    table = explain.judged_table(trained, torch.cat([blank, one]))
    captions = list(map(explain.caption, table["reading"], table["digit"], table["probability"]))
    assert captions[:2] == ["no digit", "no digit"]
    assert p[2].argmax() == 1 and captions[2] == f"1 · {int(float(p[2].max()) * 100) / 100:.2f}"


def test_the_representation_study_in_the_meta_is_what_the_pixel_probe_gives_again(shipped):
    _, meta = shipped
    study = meta["history"]["representation"]
    splits = data.load_splits()
    x_tr = torch.cat([splits["train"].images, splits["val"].images]).flatten(1).float().numpy()
    y_tr = torch.cat([splits["train"].labels, splits["val"].labels]).numpy()
    test = splits["test"]
    again = train.probe_accuracy(x_tr, y_tr, test.images.flatten(1).float().numpy(), test.labels.numpy())
    assert again == pytest.approx(study["probe_accuracy_pixels"], abs=1e-4)
    assert study["map_labels"] == test.labels.tolist() and len(study["map_x"]) == len(test.labels)
    assert np.isfinite(study["map_x"]).all()
