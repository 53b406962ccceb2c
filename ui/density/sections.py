"""The density page's sections, each a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine.common.inputs import InputError, load_image
from engine.common.metrics import bits_per_dim
from engine.density import model as density
from ui import loaders
from ui.density import charts as density_charts
from ui.widgets import download_csv, in_range, mirror_to_url, seed_from_url

BUILT_INS = ["a held-out digit", "noise", "a blank image", "scikit-image's cat photo", "upload my own"]


def cat_photo_bytes() -> bytes | None:
    """Chelsea the cat, from the data folder inside the scikit-image wheel (nothing downloaded)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "chelsea.png"
    return path.read_bytes() if path.is_file() else None


@st.cache_data(max_entries=64, show_spinner=False)
def _samples(n: int, temperature: float, seed: int) -> density.Drawing:
    trained, _ = loaders.density_model()
    return density.sample(trained.made, n, temperature, seed)


@st.fragment
def generation(trained: density.Trained) -> None:
    """A grid of samples, and the first one drawn pixel by pixel."""
    seed_from_url("den.seed", "seed", 0, in_range(0, 2**31 - 1))
    seed_from_url("den.temp", "temp", 0.7, in_range(0.1, 2.0))
    a, b = st.columns(2)
    seed = a.number_input("Seed", 0, 2**31 - 1, step=1, key="den.seed")
    temperature = b.slider(
        "Temperature",
        0.1,
        2.0,
        step=0.05,
        key="den.temp",
        help="Divides the logits: below 1 favours each pixel's likelier levels (cleaner strokes), "
        "above 1 spreads the draws (noisier).",
    )
    mirror_to_url({"seed": seed, "temp": temperature})
    drawing = _samples(24, float(temperature), int(seed))
    st.plotly_chart(
        density_charts.image_grid(drawing.images.numpy(), 12, f"24 samples (seed {seed}, temperature {temperature:g})"),
        key="den.grid",
    )
    step = st.slider("Pixels drawn of the first sample", 0, 64, 20, key="den.step")
    left, right = st.columns(2)
    partial = drawing.partial[step - 1].numpy() if step else np.full(64, -1)
    left.plotly_chart(density_charts.partial_image(partial, step), key="den.partial")
    if step < 64:
        r, c = divmod(step, 8)
        right.plotly_chart(
            density_charts.level_bars(
                drawing.probs[step].numpy(),
                int(drawing.images[0, step]),
                f"p(pixel {step} = level | the {step} before it): row {r}, column {c}",
            ),
            key="den.next",
        )
    else:
        right.info("All 64 pixels are drawn.")
    download_csv(
        pd.DataFrame(drawing.images.numpy(), columns=[f"p{i}" for i in range(64)]),
        "The 24 samples (CSV, 64 levels per row)",
        "samples.csv",
        "den.dl_samples",
    )


@st.cache_resource(show_spinner="Scoring test digits and noise...")
def reference_scores() -> pd.DataFrame:
    """Bits per dimension of every test digit and of as many noise images, under both models."""
    trained, _ = loaders.density_model()
    x = loaders.density_test()[0]
    noise = torch.randint(0, density.LEVELS, x.shape, generator=torch.Generator().manual_seed(0))
    rows = []
    for group, data in (("test digits", x), ("uniform noise", noise)):
        with torch.inference_mode():
            made = bits_per_dim(density.pixel_log_probs(trained.made, data))
        base = bits_per_dim(trained.baseline.pixel_log_probs(data))
        rows.append(pd.DataFrame({"group": group, "bits per dim": made.numpy(), "baseline bits per dim": base.numpy()}))
    return pd.concat(rows, ignore_index=True)


def _chosen_image(choice: str) -> tuple[torch.Tensor, density.Prepared | None, str] | None:
    """(64 levels, preprocessing if any, description) of the picked or uploaded image."""
    x, y = loaders.density_test()
    if choice == "a held-out digit":
        seed_from_url("den.index", "digit", 0, in_range(0, len(x) - 1))
        index = st.slider("Which test digit", 0, len(x) - 1, key="den.index")
        mirror_to_url({"digit": index})
        return x[index], None, f"test digit #{index} (a {int(y[index])})"
    if choice == "noise":
        return (
            torch.randint(0, density.LEVELS, (64,), generator=torch.Generator().manual_seed(1)),
            None,
            "uniform noise",
        )
    if choice == "a blank image":
        return torch.zeros(64, dtype=torch.long), None, "a blank image"
    if choice == "scikit-image's cat photo":
        data = cat_photo_bytes()
        if data is None:
            st.error("scikit-image is not installed here, so its cat photo is missing (run: make run).")
            return None
        prepared = density.prepare(load_image(data))
        return prepared.levels, prepared, "scikit-image's cat photo (Chelsea)"
    upload = st.file_uploader(
        "An image (PNG, JPEG, WebP or GIF; up to 10 MB)", type=["png", "jpg", "jpeg", "webp", "gif"], key="den.upload"
    )
    if upload is None:
        st.info("Choose an image file.")
        return None
    st.text(f"File: {upload.name}")
    try:
        prepared = density.prepare(load_image(upload.getvalue()))  # scored once, below, like the built-ins
    except InputError as err:
        st.error(f"Cannot use this file: {err}")
        return None
    return prepared.levels, prepared, "your image"


@st.fragment
def estimation(trained: density.Trained) -> None:
    """Score an image: preprocessing, bits per dimension among test digits and noise, per-pixel surprise."""
    seed_from_url("den.choice", "image", BUILT_INS[0], BUILT_INS)
    choice = st.radio("Image", BUILT_INS, key="den.choice", horizontal=True)
    mirror_to_url({"image": choice})
    picked = _chosen_image(choice)
    if picked is None:
        return
    levels, prepared, description = picked
    with torch.inference_mode():
        lp = density.pixel_log_probs(trained.made, levels[None])[0]
    base_lp = trained.baseline.pixel_log_probs(levels[None])[0]
    bpd, base_bpd = float(bits_per_dim(lp)), float(bits_per_dim(base_lp))
    if prepared is not None:
        cols = st.columns(3)
        grey = prepared.grey
        cols[0].plotly_chart(
            density_charts.small_image(
                grey, f"1. grey, strokes light ({grey.shape[1]}×{grey.shape[0]})", box=prepared.crop
            ),
            key="den.prep1",
        )
        cols[1].plotly_chart(
            density_charts.small_image(prepared.square, "2. cropped to content, squared"), key="den.prep2"
        )
        cols[2].plotly_chart(
            density_charts.small_image(levels.view(8, 8).numpy(), "3. 8×8, 17 grey levels", zmax=16), key="den.prep3"
        )
    left, right = st.columns([1, 2])
    left.plotly_chart(density_charts.small_image(levels.view(8, 8).numpy(), description, zmax=16), key="den.image")
    cols = right.columns(3)
    cols[0].metric("log p(x)", f"{float(lp.sum()):.1f} nats")
    cols[1].metric("Bits per dimension", f"{bpd:.3f}")
    cols[2].metric(
        "Baseline bits per dimension", f"{base_bpd:.3f}", help="Every pixel drawn on its own from its histogram"
    )
    right.caption(
        f"p(x) = e^{float(lp.sum()):.1f} ≈ 10^{float(lp.sum()) / math.log(10):.1f}: tiny, as the probability of "
        "any one exact image among 17^64 is; compare it with the others below."
    )
    reference = reference_scores()
    digits_median = float(reference[reference["group"] == "test digits"]["bits per dim"].median())
    st.plotly_chart(
        density_charts.bpd_histogram(reference, {"this image": bpd, "median test digit": digits_median}), key="den.hist"
    )
    nll_bits = (-lp / math.log(2)).numpy()
    st.plotly_chart(density_charts.pixel_surprise(nll_bits), key="den.surprise")
    if choice == "a blank image":
        digit_bpd = reference[reference["group"] == "test digits"]["bits per dim"]
        beaten = float((digit_bpd > bpd).mean())
        st.warning(
            f"A blank image, which looks like no digit, scores {bpd:.2f} bits per dimension: more probable than "
            f"{beaten:.0%} of the real test digits (their median is {digits_median:.2f}). Most of a digit's pixels "
            "are 0, so an all-0 picture is cheap to predict pixel by pixel; only the centre pixels, where digits "
            "have ink, cost it much. This is the known failure of likelihood models: p(x) measures how predictable "
            "an image is, not how typical. Larger models trained on photos show it more strongly (models trained on "
            "CIFAR-10 give house-number photos higher likelihood than their own test images; Nalisnick et al., "
            "2019), so a high p(x) alone is a poor test of whether an input is like the training data."
        )
    frame = pd.DataFrame(
        {
            "pixel": range(64),
            "row": np.arange(64) // 8,
            "column": np.arange(64) % 8,
            "level": levels.numpy(),
            "nll_bits": nll_bits,
            "baseline_nll_bits": (-base_lp / math.log(2)).numpy(),
        }
    )
    download_csv(frame, "Per-pixel surprise (CSV)", "per_pixel.csv", "den.dl_pixels")


@st.fragment
def representation(meta: dict) -> None:
    """The t-SNE map of hidden features and the two linear probes, recorded at training time."""
    study = meta["history"]["representation"]
    frame = pd.DataFrame({"x": study["map_x"], "y": study["map_y"], "digit": [str(d) for d in study["map_labels"]]})
    st.plotly_chart(density_charts.feature_map(frame), key="den.map")
    probes = pd.DataFrame(
        {
            "input": ["the model's hidden features", "raw pixels"],
            "accuracy": [study["probe_accuracy_features"], study["probe_accuracy_pixels"]],
        }
    )
    st.plotly_chart(density_charts.probe_bars(probes), key="den.probes")
    download_csv(frame, "Map coordinates (CSV)", "feature_map.csv", "den.dl_map")
