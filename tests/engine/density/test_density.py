"""The digits density model: normalised, autoregressive, additive, and careful with images."""

import io
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from engine.common.inputs import InputError
from engine.common.metrics import bits_per_dim
from engine.density import data, explain, train
from engine.density import model as density
from engine.density.sample import sample


@pytest.fixture(scope="module")
def made():
    torch.manual_seed(0)
    model = density.MADE(density.DensityConfig(hidden=96, layers=2, dropout=0.0)).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model.requires_grad_(False)


@pytest.fixture(scope="module")
def levels():
    return data.load_levels()


def test_each_pixels_distribution_sums_to_one(made, levels):
    probs = F.softmax(made(levels["test"].images[:16]), -1)
    assert probs.shape == (16, 64, 17)
    assert torch.allclose(probs.sum(-1), torch.ones(16, 64), atol=1e-5)


@pytest.mark.parametrize("pixel", [0, 1, 17, 40, 63])
def test_a_pixels_distribution_never_depends_on_itself_or_later_pixels(made, levels, pixel):
    x = levels["test"].images[:8]
    y = x.clone()
    y[:, pixel:] = torch.randint(0, 17, y[:, pixel:].shape, generator=torch.Generator().manual_seed(pixel))
    before, after = made(x), made(y)
    assert torch.allclose(before[:, : pixel + 1], after[:, : pixel + 1], atol=1e-6)
    if pixel < 63:
        assert not torch.allclose(before[:, pixel + 1 :], after[:, pixel + 1 :], atol=1e-4)


def test_the_gradient_of_pixel_i_reaches_only_earlier_pixels(made, levels):
    one_hot = F.one_hot(levels["test"].images[:1], 17).float().requires_grad_(True)
    made.requires_grad_(False)
    h = one_hot.flatten(1)
    out = made.direct(h)
    for layer in made.hidden:
        h = F.relu(layer(h))
    logits = (made.out(h) + out).view(1, 64, 17)
    for i in (5, 30):
        (grad,) = torch.autograd.grad(logits[0, i].sum(), one_hot, retain_graph=True)
        touched = grad[0].abs().sum(-1) > 0
        assert not touched[i:].any()
        assert touched[:i].any()


def test_the_log_likelihood_of_a_batch_is_the_sum_of_per_pixel_terms(made, levels):
    x = levels["test"].images[:10]
    per_pixel = density.pixel_log_probs(made, x)
    joint = sum(F.log_softmax(made(x)[:, i], -1)[torch.arange(10), x[:, i]] for i in range(64))
    assert torch.allclose(per_pixel.sum(-1), joint, atol=1e-4)
    assert torch.allclose(bits_per_dim(per_pixel), -joint / (64 * math.log(2)), atol=1e-5)


def test_probabilities_over_all_images_of_a_small_slice_sum_to_one(made):
    """Exact normalisation, checked by enumeration: fix 62 pixels, sum p over all 17x17 values of the last two."""
    base = torch.zeros(17 * 17, 64, dtype=torch.long)
    base[:, 62] = torch.arange(17).repeat_interleave(17)
    base[:, 63] = torch.arange(17).repeat(17)
    lp = density.pixel_log_probs(made, base)
    marginal = lp[:, 62:].sum(-1).exp().sum()
    assert float(marginal) == pytest.approx(1.0, abs=1e-4)


def test_samples_have_the_right_shape_range_and_record(made):
    drawing = sample(made, 5, temperature=0.8, seed=3)
    assert drawing.images.shape == (5, 64)
    assert int(drawing.images.min()) >= 0 and int(drawing.images.max()) <= 16
    assert torch.equal(drawing.partial[-1], drawing.images[0])
    assert (drawing.partial[10, 11:] == -1).all() and (drawing.partial[10, :11] >= 0).all()
    assert torch.allclose(drawing.probs.sum(-1), torch.ones(64), atol=1e-5)
    assert torch.equal(sample(made, 5, 0.8, seed=3).images, drawing.images)


def test_each_pixel_is_drawn_from_the_models_tempered_distribution_given_the_pixels_before(made):
    drawing = sample(made, 3, temperature=0.6, seed=5)
    first = drawing.images[0]
    for i in (0, 9, 40, 63):
        prefix = torch.where(torch.arange(64) < i, first, torch.zeros_like(first))  # the MADE reads only pixels < i
        expected = F.softmax(made(prefix[None])[0, i] / 0.6, -1)
        assert torch.allclose(drawing.probs[i], expected, atol=1e-5)


def test_temperature_and_seed_change_the_samples_and_a_bad_temperature_is_refused(made):
    base = sample(made, 6, 1.0, seed=0).images
    assert not torch.equal(sample(made, 6, 0.3, seed=0).images, base)
    assert not torch.equal(sample(made, 6, 1.0, seed=1).images, base)
    with pytest.raises(InputError, match="above 0"):
        sample(made, 1, 0.0)


def test_the_independent_baseline_is_a_per_pixel_histogram(levels):
    x_train, x_val = levels["train"].images, levels["val"].images
    baseline = train.fit_histogram(x_train, x_val)
    pixel, value = 27, int(x_train[0, 27])
    count = int((x_train[:, pixel] == value).sum())
    expected = math.log((count + baseline.k) / (len(x_train) + 17 * baseline.k))
    assert float(baseline.log_probs[pixel, value]) == pytest.approx(expected, rel=1e-6)


def test_splits_are_disjoint_and_cover_the_digits(levels):
    sizes = {k: len(v.images) for k, v in levels.items()}
    assert sum(sizes.values()) == 1797 and sizes["test"] == 360
    rows = {name: {tuple(r.tolist()) for r in split.images} for name, split in levels.items()}
    assert not rows["train"] & rows["val"]
    assert not rows["test"] & rows["train"] and not rows["test"] & rows["val"]


def _png(array: np.ndarray, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array.astype(np.uint8), mode=mode if mode != "L" else None).save(buf, format="PNG")
    return buf.getvalue()


def test_preprocessing_crops_inverts_and_quantises_a_dark_on_light_drawing():
    picture = np.full((120, 200), 255, dtype=np.uint8)
    picture[20:100, 90:110] = 0  # a dark vertical bar: a "1" drawn on paper
    prepared = data.prepare(Image.open(io.BytesIO(_png(picture))))
    assert prepared.crop == (20, 100, 90, 110)
    grid = prepared.levels.view(8, 8)
    assert int(grid.max()) == 16 and int(grid[:, 0].max()) == 0 and int(grid[:, 7].max()) == 0
    assert int(grid[:, 3:5].min()) > 8  # the bar, centred and light on dark


def test_a_blank_image_is_scored_without_a_crop():
    prepared = data.prepare(Image.new("L", (30, 20), 255))
    assert prepared.levels.sum() == 0 and prepared.crop == (0, 20, 0, 30)


def test_evaluate_scores_images_and_folders_and_refuses_bad_ones(made):
    baseline = density.PixelHistogram(torch.ones(64, 17), 1.0)
    trained = density.Trained(made, baseline)
    good = _png(np.random.default_rng(0).integers(0, 255, (40, 40)))
    single = explain.evaluate(trained, good)
    x = data.prepare(Image.open(io.BytesIO(good))).levels[None]
    direct = F.log_softmax(made(x), -1).gather(-1, x[..., None]).sum() / (-64 * math.log(2))  # a direct forward pass
    assert single["images"][0]["bits_per_dim"] == pytest.approx(float(direct), abs=1e-4)
    folder = explain.evaluate(trained, {"a.png": good, "b.txt": b"not an image"})
    assert [r["name"] for r in folder["images"]] == ["a.png", "b.txt"]
    assert "error" in folder["images"][1]
    with pytest.raises(InputError):
        explain.evaluate(trained, b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(InputError, match="No file"):
        explain.evaluate(trained, {"x.txt": b"hello"})
