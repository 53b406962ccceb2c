"""The density page's numbers and frames, against direct forward passes and hand counts."""

import math

import numpy as np
import pytest
import torch

from engine.density import data, explain, judge
from engine.density.pixelcnn import PIXELS, IndependentPixels, PixelCNN, PixelCNNConfig
from engine.density.train import Trained


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(1)
    model = PixelCNN(PixelCNNConfig(channels=8, layers=2, first_kernel=3, head=8))
    ones = torch.randint(1, 99, (PIXELS,)).double()
    test = data.load_splits()["test"]
    return Trained(model, IndependentPixels(ones, 100, 0.5), judge.Judge(), test).eval().requires_grad_(False)


def direct_log_probs(model: PixelCNN, x: torch.Tensor) -> torch.Tensor:
    """(784,) log p(x_i | x_<i) of one image, from the logits written out here."""
    with torch.inference_mode():
        p_one = torch.sigmoid(model(x[None], torch.tensor([10])).flatten().double())
    on = x.flatten().double()
    return (on * torch.log(p_one) + (1 - on) * torch.log1p(-p_one)).float()


def test_an_images_score_and_pixel_table_are_a_direct_forward_pass(trained):
    x = trained.test.images[3]
    scored = explain.score(trained, x)
    direct = direct_log_probs(trained.pixelcnn, x)
    p = (trained.baseline.ones + 0.5) / 101
    on = x.flatten().double()
    independent = on * torch.log(p) + (1 - on) * torch.log1p(-p)
    assert scored.log_p == pytest.approx(float(direct.sum()), abs=1e-3)
    assert scored.bits_per_dim == pytest.approx(float(-direct.sum() / (PIXELS * math.log(2))), abs=1e-5)
    assert scored.baseline_bits_per_dim == pytest.approx(float(-independent.sum() / (PIXELS * math.log(2))), abs=1e-5)
    table = explain.pixel_table(scored)
    assert table["nll_bits"].to_numpy() == pytest.approx((-direct / math.log(2)).numpy(), abs=1e-4)
    assert table["on"].tolist() == x.flatten().tolist()
    assert table.loc[100, ["row", "column"]].tolist() == [3, 16]


def test_the_reference_frame_holds_every_test_digit_and_as_much_noise(trained):
    frame = explain.reference_scores(trained)
    n = len(trained.test.images)
    assert frame["group"].value_counts().to_dict() == {explain.DIGITS: n, explain.NOISE: n}
    first = frame[frame["group"] == explain.DIGITS].iloc[0]
    assert first["bits per dim"] == pytest.approx(
        -float(direct_log_probs(trained.pixelcnn, trained.test.images[0]).sum()) / (PIXELS * math.log(2)), abs=1e-4
    )
    noise = explain.noise_images(3, 0)
    assert set(noise.unique().tolist()) == {0, 1} and 0.4 < float(noise.float().mean()) < 0.6


def test_the_judged_table_is_the_judges_softmax(trained):
    images = torch.cat([trained.test.images[:5], torch.zeros(1, 1, 28, 28, dtype=torch.uint8)])
    table = explain.judged_table(trained, images)
    with torch.inference_mode():
        p = torch.softmax(trained.judge(images), -1)
    best = p.max(-1).values.numpy()
    ink = [int(image.sum()) for image in images]  # counted one image at a time here
    assert table["digit"].tolist() == p.argmax(-1).tolist()
    assert table["probability"].to_numpy() == pytest.approx(best, abs=1e-4)
    assert table["ink"].tolist() == ink and ink[-1] == 0
    blank = [n < judge.FAINT for n in ink]
    expected = ["no digit" if b else "no clear digit" if q < 0.5 else "digit" for b, q in zip(blank, best, strict=True)]
    assert table["reading"].tolist() == expected and expected[-1] == "no digit"
    sure = [not b and q >= judge.RECOGNISED for b, q in zip(blank, best, strict=True)]
    assert table["recognisable"].tolist() == sure


def test_readings_name_no_digit_for_faint_images_and_no_clear_digit_below_one_half():
    ink = np.array([0, 3, 9, 10, 10, 60, 60, 60, 60])
    probs = np.array([0.99, 0.67, 0.95, 0.95, 0.4999, 0.5, 0.79, 0.8, 0.97])
    assert judge.readings(ink, probs).tolist() == [
        "no digit",
        "no digit",
        "no digit",
        "digit",
        "no clear digit",
        "digit",
        "digit",
        "digit",
        "digit",
    ]
    assert judge.recognised(ink, probs).tolist() == [False, False, False, True, False, False, False, True, True]
    assert judge.recognisable(probs, ink) == pytest.approx(3 / 9)
    assert judge.recognisable(probs) == pytest.approx(5 / 9)  # without ink, as engine.sample counts


def test_a_caption_never_gives_a_blank_a_digit_and_never_rounds_up_past_the_threshold():
    assert explain.caption("no digit", 1, 0.67) == "no digit"
    assert explain.caption("no clear digit", 9, 0.44) == "no clear digit"
    assert explain.caption("digit", 7, 0.98) == "7 · 0.98"
    assert explain.caption("digit", 0, 0.7964) == "0 · 0.79"  # shown 0.80 would read as counted; it is not
    assert explain.caption("digit", 0, 0.8) == "0 · 0.80"


def test_the_probe_comparison_says_when_features_barely_beat_pixels():
    study = {"probe_accuracy_features": 0.8968, "probe_accuracy_pixels": 0.8903}
    assert explain.probe_gain(study) == pytest.approx(0.65)
    assert explain.probe_comparison(explain.probe_gain(study)) == "same"
    assert [explain.probe_comparison(g) for g in (-3, -1.9, 1.99, 2, 4.9, 5, 12)] == [
        "worse",
        "same",
        "same",
        "a_little_better",
        "a_little_better",
        "clearly_better",
        "clearly_better",
    ]


def test_a_gallery_round_trips_through_its_stored_form(trained):
    stored = explain.gallery(trained, 0.9, 4)
    again = explain.unpack_gallery(stored)
    drawn = explain.draw(trained.pixelcnn, explain.GALLERY, 0.9, 4)
    assert torch.equal(again.images, drawn.images)
    assert again.p_one[0].numpy() == pytest.approx(drawn.p_one[0].numpy(), abs=1e-5)
    assert np.isnan(again.p_one[1:].numpy()).all()


def test_folders_score_each_image_and_report_unreadable_ones(trained):
    import io

    from PIL import Image

    buf = io.BytesIO()
    picture = np.zeros((40, 40), dtype=np.uint8)
    picture[5:35, 18:22] = 255
    Image.fromarray(picture).save(buf, format="PNG")
    out = explain.evaluate(trained, {"one.png": buf.getvalue(), "bad.png": b"not an image"})
    assert out["n"] == 2 and "error" in out["images"][1]
    prepared = data.prepare(Image.open(io.BytesIO(buf.getvalue())))
    expected = -float(direct_log_probs(trained.pixelcnn, prepared.pixels).sum()) / (PIXELS * math.log(2))
    assert out["images"][0]["bits_per_dim"] == pytest.approx(expected, abs=1e-3)


def test_a_folder_without_a_readable_image_is_refused_with_a_key_the_page_can_translate(trained):
    from engine.common.inputs import InputError

    with pytest.raises(InputError, match="No file in the folder is a readable image") as refused:
        explain.evaluate(trained, {"bad.png": b"not an image", "worse.gif": b""})
    assert refused.value.key == "density.errors.no_readable_image" and refused.value.params == {}


def test_the_probe_table_names_its_inputs_by_id_for_the_page_to_word():
    study = {"probe_accuracy_features": 0.91, "probe_accuracy_pixels": 0.89}
    table = explain.probe_table(study)
    assert table.to_dict("list") == {"input": ["features", "pixels"], "accuracy": [0.91, 0.89]}
