"""What the density page shows, as numbers and tidy frames: scores of images, per-pixel surprise, the judge."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from engine.common.corpora import CorpusError
from engine.common.inputs import InputError, load_image
from engine.common.metrics import bits_per_dim
from engine.density import judge as judging
from engine.density.data import Prepared, load_splits, mnist_grey, prepare
from engine.density.draw import Drawing, draw
from engine.density.pixelcnn import NONE, PIXELS, SIDE, any_digit, pixel_log_probs
from engine.density.train import Trained, nats_per_image
from engine.density.verdicts import JUDGED_SEED, TEMPERATURE, sample_judgement

DIGITS, NOISE = "test digits", "uniform noise"  # the groups of reference_scores
PROBE_INPUTS = ("features", "pixels")  # what the linear probes read: the model's hidden features, raw pixels
GALLERY = 16  # samples in the page's grid; the default grid ships in the checkpoint, drawn by `record`
KEPT = ("train_seconds", "command", "torch", "threads")  # training facts `record` carries over


def noise_images(n: int, seed: int) -> torch.Tensor:
    """(n, 1, 28, 28) images whose every pixel is on or off with probability 1/2."""
    return torch.randint(0, 2, (n, 1, SIDE, SIDE), generator=torch.Generator().manual_seed(seed)).to(torch.uint8)


def bits(trained: Trained, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bits per dimension of each image under the PixelCNN and under the baseline."""
    model = nats_per_image(trained.pixelcnn, images) / (PIXELS * math.log(2))
    base = -trained.baseline.pixel_log_probs(images).sum(1) / (PIXELS * math.log(2))
    return model.numpy(), base.numpy()


def reference_scores(trained: Trained) -> pd.DataFrame:
    """Columns group, bits per dim, baseline bits per dim: every test digit and as many noise images."""
    test = trained.test.images
    rows = []
    for group, data in ((DIGITS, test), (NOISE, noise_images(len(test), 0))):
        model, base = bits(trained, data)
        rows.append(pd.DataFrame({"group": group, "bits per dim": model, "baseline bits per dim": base}))
    return pd.concat(rows, ignore_index=True)


def stored_reference(frame: pd.DataFrame) -> dict:
    """`reference_scores` as lists for the checkpoint's meta (the page reads them instead of 930 forward passes)."""
    return {column: frame[column].round(6).tolist() for column in frame.columns}


def unpack_reference(stored: dict) -> pd.DataFrame:
    return pd.DataFrame(stored)


@dataclass(frozen=True)
class Score:
    """One image under both models: (784,) natural-log probabilities of its pixels."""

    pixels: torch.Tensor  # (1, 28, 28) the image scored
    log_probs: torch.Tensor  # (784,) log p(x_i | x_<i) under the PixelCNN
    baseline_log_probs: torch.Tensor  # (784,) log p(x_i) under the independent baseline

    @property
    def log_p(self) -> float:
        """log p(x) in nats."""
        return float(self.log_probs.sum())

    @property
    def bits_per_dim(self) -> float:
        return float(bits_per_dim(self.log_probs))

    @property
    def baseline_bits_per_dim(self) -> float:
        return float(bits_per_dim(self.baseline_log_probs))


def score(trained: Trained, pixels: torch.Tensor) -> Score:
    """One forward pass of each model over a (1, 28, 28) image, under the unconditional p(x)."""
    with torch.inference_mode():
        lp = pixel_log_probs(trained.pixelcnn, pixels[None], any_digit(1))[0]
    return Score(pixels, lp, trained.baseline.pixel_log_probs(pixels[None])[0])


def pixel_table(scored: Score) -> pd.DataFrame:
    """Columns pixel, row, column, on, nll_bits, baseline_nll_bits: the cost of every pixel."""
    return pd.DataFrame(
        {
            "pixel": range(PIXELS),
            "row": np.arange(PIXELS) // SIDE,
            "column": np.arange(PIXELS) % SIDE,
            "on": scored.pixels.flatten().numpy().astype(int),
            "nll_bits": (-scored.log_probs / math.log(2)).numpy(),
            "baseline_nll_bits": (-scored.baseline_log_probs / math.log(2)).numpy(),
        }
    )


def share_beaten(reference: pd.DataFrame, bpd: float) -> float:
    """The fraction of test digits that cost more bits per dimension than `bpd`."""
    return float((reference[reference["group"] == DIGITS]["bits per dim"] > bpd).mean())


def median_digit(reference: pd.DataFrame) -> float:
    """The median bits per dimension of the test digits."""
    return float(reference[reference["group"] == DIGITS]["bits per dim"].median())


def samples_table(drawing: Drawing) -> pd.DataFrame:
    """One row per sample, columns p0..p783: its pixels (0/1)."""
    return pd.DataFrame(drawing.images.flatten(1).numpy().astype(int), columns=[f"p{i}" for i in range(PIXELS)])


def judged_table(trained: Trained, images: torch.Tensor) -> pd.DataFrame:
    """Columns sample, digit, probability, ink, reading, recognisable: what the judge reads in each image
    (digit is its most probable one even where the reading is 'no digit' or 'no clear digit')."""
    digits, probs = judging.verdicts(trained.judge, images)
    ink = judging.ink(images)
    return pd.DataFrame(
        {
            "sample": range(1, len(images) + 1),
            "digit": digits,
            "probability": probs,
            "ink": ink,
            "reading": judging.readings(ink, probs),
            "recognisable": judging.recognised(ink, probs),
        }
    )


def caption(reading: str, digit: int, probability: float) -> str:
    """How a verdict is written under an image: '7 · 0.98', or what the reading says when it names no digit.

    The probability is rounded down, so a shown 0.80 is always at or above RECOGNISED (0.7964 reads 0.79)."""
    return f"{digit} · {math.floor(probability * 100) / 100:.2f}" if reading == judging.DIGIT else reading


def feature_table(study: dict) -> pd.DataFrame:
    """Columns x, y, digit: the test digits' t-SNE map recorded at training time."""
    return pd.DataFrame({"x": study["map_x"], "y": study["map_y"], "digit": [str(d) for d in study["map_labels"]]})


def probe_table(study: dict) -> pd.DataFrame:
    """Columns input (an id of PROBE_INPUTS), accuracy: the two linear probes recorded at training time."""
    return pd.DataFrame({"input": list(PROBE_INPUTS), "accuracy": [study[f"probe_accuracy_{k}"] for k in PROBE_INPUTS]})


def probe_gain(study: dict) -> float:
    """Percentage points the linear probe gains on the model's features over raw pixels."""
    return 100 * (study["probe_accuracy_features"] - study["probe_accuracy_pixels"])


def probe_comparison(gain: float) -> str:
    """How the features compare with raw pixels for a probe gain of `gain` points, as an id the page words:
    'worse', 'same' (within 2 points), 'a_little_better' (under 5) or 'clearly_better'."""
    if gain <= -2:
        return "worse"
    if gain < 2:
        return "same"
    return "a_little_better" if gain < 5 else "clearly_better"


def image_score(trained: Trained, data: bytes) -> tuple[Prepared, Score]:
    """Validated image bytes -> the preprocessing and the image's score."""
    prepared = prepare(load_image(data))
    return prepared, score(trained, prepared.pixels)


def stochastic_test(seed: int = 0) -> torch.Tensor:
    """MNIST's 10,000 test digits binarised as in the papers (van den Oord et al. 2016): each pixel on with
    probability its grey level, drawn once with a fixed seed."""
    grey, _ = mnist_grey("test")
    probs = torch.from_numpy(grey.astype(np.float32) / 255.0)[:, None]
    return torch.bernoulli(probs, generator=torch.Generator().manual_seed(seed)).to(torch.uint8)


def held_out_scores(trained: Trained) -> dict:
    """Mean test bits per dimension and nats per image of both models, the judge's accuracy: on MNIST's 10,000
    test digits binarised at half grey (this model's binarisation) and stochastically (the papers'), when the
    data files are here; on the digits the checkpoint carries otherwise."""
    try:
        test, stochastic = load_splits()["test"], stochastic_test()
    except CorpusError:
        test, stochastic = trained.test, None
    model, base = bits(trained, test.images)
    nats = PIXELS * math.log(2)
    out = {
        "bits_per_dim": round(float(model.mean()), 4),
        "baseline_bits_per_dim": round(float(base.mean()), 4),
        "nats_per_image": round(float(model.mean() * nats), 2),
        "baseline_nats_per_image": round(float(base.mean() * nats), 2),
        "judge_accuracy": round(judging.accuracy(trained.judge, test), 4),
        "n": len(test.images),
    }
    if stochastic is not None:
        model, base = bits(trained, stochastic)
        out["nats_per_image_stochastic"] = round(float(model.mean() * nats), 2)
        out["baseline_nats_per_image_stochastic"] = round(float(base.mean() * nats), 2)
    return out


def evaluate(trained: Trained, data: bytes | dict[str, bytes] | None = None) -> dict:
    """Test figures of both models and the samples' judgement, or bits per dimension per image file."""
    if data is None:
        return held_out_scores(trained) | sample_judgement(trained)
    files = data if isinstance(data, dict) else {"image": data}
    rows = []
    for name, content in files.items():
        try:
            _, scored = image_score(trained, content)
            rows.append({"name": name, "bits_per_dim": round(scored.bits_per_dim, 4)})
        except InputError as err:
            if not isinstance(data, dict):
                raise
            rows.append({"name": name, "error": str(err)})
    if not any("bits_per_dim" in r for r in rows):
        raise InputError("No file in the folder is a readable image.", key="density.errors.no_readable_image")
    return {"images": rows, "n": len(rows)}


def gallery(trained: Trained, temperature: float = TEMPERATURE, seed: int = JUDGED_SEED) -> dict:
    """The page's default grid as the checkpoint stores it: packed pixels per sample, the first one's p(on)."""
    drawing = draw(trained.pixelcnn, GALLERY, temperature, seed, NONE)
    packed = np.packbits(drawing.images.flatten(1).numpy(), axis=1)
    return {
        "temperature": temperature,
        "seed": seed,
        "images": [row.tobytes().hex() for row in packed],
        "p_one_first": [round(float(p), 5) for p in drawing.p_one[0]],
    }


def unpack_gallery(stored: dict) -> Drawing:
    """The stored grid as a Drawing (p_one holds the first sample's probabilities only; the rest are NaN)."""
    packed = np.stack([np.frombuffer(bytes.fromhex(h), dtype=np.uint8) for h in stored["images"]])
    images = torch.from_numpy(np.unpackbits(packed, axis=1)[:, :PIXELS].copy()).view(-1, 1, SIDE, SIDE)
    p_one = torch.full((len(images), PIXELS), float("nan"))
    p_one[0] = torch.tensor(stored["p_one_first"])
    return Drawing(images, p_one, any_digit(len(images)))


def record(path=None) -> dict:
    """Score the checkpoint again, draw the page's default grid, score the reference images, fit the linear
    probes again; write all four into its meta (`python -m engine.evaluate density --record`); weights untouched."""
    from engine.density.data import load_splits
    from engine.density.probes import probe_accuracies
    from engine.density.train import PixelCNNConfig, load, save

    trained, meta = load(path)
    metrics = evaluate(trained) | {k: meta["metrics"][k] for k in KEPT if k in meta["metrics"]}
    shown = {"gallery": gallery(trained), "reference": stored_reference(reference_scores(trained))}
    history = meta["history"]
    history["representation"] |= probe_accuracies(trained.pixelcnn, load_splits())
    save(trained, PixelCNNConfig(**meta["config"]), history, metrics, path, shown)
    return metrics
