"""The PixelCNN: causal, normalised by enumeration, sampled as it says, and its cached sampler exact."""

import hashlib
import itertools
import math

import numpy as np
import pytest
import torch

from engine.common.corpora import CorpusError
from engine.common.inputs import InputError
from engine.density import data
from engine.density.draw import draw
from engine.density.pixelcnn import NONE, PIXELS, SIDE, IndependentPixels, PixelCNN, PixelCNNConfig, pixel_log_probs

SMALL = PixelCNNConfig(channels=8, layers=3, first_kernel=5, kernel=3, head=16)


def _randomised(cfg: PixelCNNConfig, seed: int = 0) -> PixelCNN:
    """An untrained model with every weight and bias non-zero, so no dependence hides behind a zero."""
    torch.manual_seed(seed)
    model = PixelCNN(cfg).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return model.requires_grad_(False)


@pytest.fixture(scope="module")
def model():
    return _randomised(SMALL)


@pytest.mark.parametrize("pixel", [0, 1, 27, 28, 29, 400, 783])
def test_a_pixels_logit_depends_only_on_earlier_pixels(model, pixel):
    x = torch.randint(0, 2, (1, 1, SIDE, SIDE), generator=torch.Generator().manual_seed(pixel)).float()
    x.requires_grad_(True)
    logit = model(x, torch.tensor([3])).flatten()[pixel]
    (grad,) = torch.autograd.grad(logit, x)
    grad = grad.flatten().abs()
    assert float(grad[pixel:].sum()) == 0.0  # itself and every later pixel: no influence at all
    r, c = divmod(pixel, SIDE)
    if c > 0:
        assert grad[pixel - 1] > 0  # the pixel to its left
    if r > 0:
        assert grad[pixel - SIDE] > 0 and grad[pixel - SIDE + (1 if c < SIDE - 1 else 0)] > 0  # above, above right


def test_the_label_changes_the_distributions(model):
    x = torch.randint(0, 2, (1, 1, SIDE, SIDE), generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(model(x, torch.tensor([NONE])), model(x, torch.tensor([7])))


@pytest.mark.parametrize("label", [NONE, 4])
def test_probabilities_of_every_3x3_image_sum_to_one(label):
    tiny = _randomised(PixelCNNConfig(channels=4, layers=2, first_kernel=3, kernel=3, head=8), seed=2)
    images = torch.tensor(list(itertools.product([0, 1], repeat=9))).view(-1, 1, 3, 3)
    with torch.no_grad():
        logits = tiny(images, torch.full((len(images),), label)).flatten(1)
    p_one = torch.sigmoid(logits.double())
    on = images.flatten(1).double()
    log_p = (on * torch.log(p_one) + (1 - on) * torch.log1p(-p_one)).sum(1)  # the chain rule, written out
    assert float(torch.exp(log_p).sum()) == pytest.approx(1.0, abs=1e-9)
    assert torch.allclose(log_p.float(), pixel_log_probs(tiny, images, torch.full((512,), label)).sum(1), atol=1e-5)


@pytest.mark.parametrize("label, temperature", [(NONE, 1.0), (6, 0.7)])
def test_the_cached_sampler_gives_the_forward_passes_probabilities(model, label, temperature):
    drawing = draw(model, 3, temperature, seed=5, label=label)
    with torch.no_grad():
        direct = torch.sigmoid(model(drawing.images, drawing.labels).flatten(1) / temperature)
    assert torch.allclose(drawing.p_one, direct, atol=1e-5)
    assert drawing.images.shape == (3, 1, SIDE, SIDE) and set(drawing.images.unique().tolist()) <= {0, 1}


def test_sampled_pixels_follow_their_probabilities():
    """Pixel 0's p(on) is one number; pixel 1's depends only on pixel 0: compare both with the draws' frequencies."""
    tiny = _randomised(PixelCNNConfig(channels=4, layers=1, first_kernel=3, kernel=3, head=4), seed=3)
    n = 3000
    drawing = draw(tiny, n, 1.0, seed=0)
    first, second = drawing.images.flatten(1)[:, 0].float(), drawing.images.flatten(1)[:, 1].float()
    p0 = float(drawing.p_one[0, 0])
    assert torch.allclose(drawing.p_one[:, 0], torch.tensor(p0))
    assert float(first.mean()) == pytest.approx(p0, abs=4 * math.sqrt(p0 * (1 - p0) / n))
    for value in (0, 1):
        rows = first == value
        p1 = float(drawing.p_one[rows, 1][0])
        assert float(second[rows].mean()) == pytest.approx(p1, abs=4 * math.sqrt(p1 * (1 - p1) / int(rows.sum())))


def test_the_same_seed_gives_the_same_grid_and_temperature_changes_it(model):
    a, b = draw(model, 2, 1.0, seed=9), draw(model, 2, 1.0, seed=9)
    assert torch.equal(a.images, b.images)
    assert not torch.equal(a.images, draw(model, 2, 0.5, seed=9).images)
    assert not torch.equal(a.images, draw(model, 2, 1.0, seed=10).images)
    with pytest.raises(InputError, match="above 0") as refused:
        draw(model, 1, 0.0)
    assert refused.value.key == "density.errors.temperature"  # the page says it in the learner's language


def test_the_baseline_is_each_pixels_smoothed_training_frequency():
    train = torch.zeros(4, 1, SIDE, SIDE, dtype=torch.uint8)
    train[:3, 0, 0, 0] = 1  # pixel 0 on in 3 of 4 images, every other pixel off
    ones = train.flatten(1).double().sum(0)
    baseline = IndependentPixels(ones, 4, 1.0)
    x = torch.zeros(1, 1, SIDE, SIDE, dtype=torch.uint8)
    x[0, 0, 0, 0] = 1
    lp = baseline.pixel_log_probs(x)[0]
    assert float(lp[0]) == pytest.approx(math.log(4 / 6))  # (3 + 1) / (4 + 2)
    assert float(lp[1]) == pytest.approx(math.log(5 / 6))  # off: 1 - (0 + 1) / (4 + 2)
    assert lp.shape == (PIXELS,)


def test_the_split_is_by_hash_and_holds_every_training_digit_once():
    grey, labels = data.mnist_grey("train")
    test_grey, test_labels = data.mnist_grey("test")
    assert grey.shape == (60_000, SIDE, SIDE) and test_grey.shape == (10_000, SIDE, SIDE)
    # MNIST's published class counts (LeCun et al.): zeros ... nines
    assert np.bincount(labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    splits = data.load_splits()
    assert len(splits["train"].images) + len(splits["val"].images) == 60_000
    for i in (0, 1234, 59_999):  # the hash rule, recomputed by hand
        u = int(hashlib.sha1(grey[i].tobytes()).hexdigest()[:8], 16) / 0xFFFFFFFF
        assert data.split_of_digit(grey[i]) == ("val" if u < 0.05 else "train")
    assert 0.04 < len(splits["val"].images) / 60_000 < 0.06
    assert torch.equal(splits["test"].images, torch.from_numpy(test_grey > 127).to(torch.uint8)[:, None])
    assert torch.equal(
        splits["val"].images,
        torch.from_numpy(grey[[data.split_of_digit(g) == "val" for g in grey]] > 127).to(torch.uint8)[:, None],
    )


def _idx(shape: tuple[int, ...], values: bytes) -> bytes:
    """IDX bytes written by hand: 0, 0, type 0x08, the number of dimensions, big-endian sizes, the data."""
    return bytes([0, 0, 8, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape) + values


def test_the_idx_reader_reads_hand_made_files_and_refuses_broken_ones():
    images = data.read_idx(_idx((2, 2, 3), bytes(range(12))))
    assert images.shape == (2, 2, 3) and images[1, 0, 2] == 8 and images.dtype == np.uint8
    assert data.read_idx(_idx((3,), b"\x07\x00\x09")).tolist() == [7, 0, 9]
    for broken in (b"", _idx((2, 2), bytes(3)), b"\x00\x00\x0d\x01" + (1).to_bytes(4, "big") + bytes(4), b"PK\x03\x04"):
        with pytest.raises(CorpusError):
            data.read_idx(broken)


def test_the_stochastic_test_set_turns_each_pixel_on_with_its_grey_level():
    from engine.density.explain import stochastic_test

    grey, _ = data.mnist_grey("test")
    drawn = stochastic_test(0)[:, 0].numpy()
    assert drawn.shape == (10_000, SIDE, SIDE) and set(np.unique(drawn)) == {0, 1}
    assert not drawn[grey == 0].any() and drawn[grey == 255].all()
    for low, high in ((25, 75), (100, 155), (180, 230)):  # light, half and dark grey: on that often, not 0 or 1
        band = (grey > low) & (grey < high)
        assert abs(drawn[band].mean() - (grey[band] / 255).mean()) < 0.02, (low, high)
    assert abs(drawn.mean() - (grey / 255).mean()) < 0.002
    assert np.array_equal(stochastic_test(0).numpy(), stochastic_test(0).numpy())  # fixed by its seed
