"""The Convolution & FCN page's sections, each a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine.common import images
from engine.common.inputs import IMAGE_FORMATS, MAX_UPLOAD_BYTES, InputError, load_image, parse_numbers
from engine.convolution import conv1d, convolutionize, digits
from ui import charts
from ui.widgets import download_csv, in_range, mirror_to_url, seed_from_url


@st.fragment
def sliding_kernel() -> None:
    """Input and kernel controls, the sliding window, the Toeplitz matrix, parameter counts."""
    seed_from_url("conv.source", "src", "generated", ["generated", "typed"])
    seed_from_url("conv.length", "n", 16, in_range(4, 64))
    seed_from_url("conv.seed", "seed", 0, in_range(0, 10_000))
    seed_from_url("conv.kernel", "kernel", "smoothing (mean of 3)", [*conv1d.KERNEL_PRESETS, "custom"])
    for key, param, default, hi in (
        ("conv.stride", "stride", 1, 4),
        ("conv.padding", "pad", 0, 4),
        ("conv.dilation", "dil", 1, 4),
    ):
        seed_from_url(key, param, default, in_range(0 if param == "pad" else 1, hi))
    left, right = st.columns(2)
    with left:
        source = st.radio(
            "Input x",
            ["generated", "typed"],
            key="conv.source",
            horizontal=True,
            format_func={"generated": "generated signal", "typed": "my numbers"}.get,
        )
        try:
            if source == "generated":
                a, b = st.columns(2)
                n = a.slider("Length n", 4, 64, key="conv.length")
                seed = b.number_input("Seed", 0, 10_000, key="conv.seed")
                x = conv1d.generated_signal(n, int(seed))
            else:
                text = st.text_input(
                    "Numbers, comma-separated (up to 256)", "0, 1, 2, 3, 2, 1, 0, 0, 5, 0", key="conv.typed"
                )
                x = np.array(parse_numbers(text, "input", 256))
            preset = st.selectbox("Kernel w", [*conv1d.KERNEL_PRESETS, "custom"], key="conv.kernel")
            if preset == "custom":
                custom = st.text_input("Kernel weights (up to 15)", "1, 0, -1", key="conv.custom")
                kernel = np.array(parse_numbers(custom, "kernel", 15))
            else:
                kernel = np.array(conv1d.KERNEL_PRESETS[preset])
        except InputError as err:
            st.error(str(err))
            return
    with right:
        stride = st.slider("Stride s", 1, 4, key="conv.stride")
        padding = st.slider("Padding p (zeros on each side)", 0, 4, key="conv.padding")
        dilation = st.slider("Dilation d (gap between taps)", 1, 4, key="conv.dilation")
    mirror_to_url(
        {
            "src": source,
            "n": len(x),
            "seed": st.session_state["conv.seed"],
            "kernel": preset,
            "stride": stride,
            "pad": padding,
            "dil": dilation,
        }
    )
    n, k = len(x), len(kernel)
    m = conv1d.output_length(n, k, stride, padding, dilation)
    st.latex(
        rf"m = \left\lfloor \frac{{n + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1 = \left\lfloor "
        rf"\frac{{{n} + 2\cdot{padding} - {dilation}\cdot({k}-1) - 1}}{{{stride}}} \right\rfloor + 1 = {m}"
    )
    if m == 0:
        st.warning(
            "The kernel's span is longer than the padded input: no position fits. "
            "Add padding, shorten the kernel or lower the dilation."
        )
        return
    position = st.slider("Output position i", 0, m - 1, 0, key="conv.position") if m > 1 else 0
    y = conv1d.conv1d(x, kernel, stride, padding, dilation)
    frame = conv1d.window_frame(x, position, k, stride, padding, dilation)
    in_window = frame[frame["tap"] >= 0].sort_values("tap")
    terms = " + ".join(f"({w:.3g})({v:.3g})" for w, v in zip(kernel, in_window["value"], strict=True))
    st.markdown(
        f"Kernel w = [{', '.join(f'{w:.3g}' for w in kernel)}]. **y[{position}]** = Σⱼ wⱼ · "
        f"x[{position}·{stride} − {padding} + {dilation}·j] = {terms} = **{y[position]:.4g}**"
    )
    a, b = st.columns(2)
    a.plotly_chart(charts.window_chart(frame), key="conv.window_chart")
    b.plotly_chart(charts.output_chart(y, position), key="conv.output_chart")
    toeplitz = conv1d.toeplitz_matrix(n, kernel, stride, padding, dilation)
    lengths = sorted({4, 8, 16, 32, 64, 128, 256, 512, 1024, n})
    counts = conv1d.parameter_counts(lengths, k, stride, padding, dilation)
    a, b = st.columns(2)
    a.plotly_chart(
        charts.matrix_heatmap(toeplitz, f"The same convolution as a dense {m}x{n} matrix", position),
        key="conv.toeplitz",
    )
    a.caption(
        f"Each row is the kernel shifted by {stride}; the dense layer would learn all {m * n} entries "
        f"freely, the convolution only its {k}."
    )
    b.plotly_chart(charts.parameter_chart(counts, n), key="conv.params")
    c1, c2, c3 = st.columns(3)
    with c1:
        download_csv(
            conv1d.sliding_frame(x, kernel, stride, padding, dilation),
            "Sliding steps (CSV)",
            "sliding_steps.csv",
            "conv.dl_steps",
        )
    with c2:
        download_csv(pd.DataFrame(toeplitz), "Toeplitz matrix (CSV)", "toeplitz.csv", "conv.dl_toeplitz")
    with c3:
        download_csv(counts, "Parameter counts (CSV)", "parameter_counts.csv", "conv.dl_counts")


@st.fragment
def dense_vs_conv() -> None:
    """A real nn.Linear and the nn.Conv2d with its weights: counts, outputs, and a larger input."""
    limits = {
        "h": ("Height H", 1, 8, 4),
        "w": ("Width W", 1, 8, 4),
        "c": ("Channels C", 1, 64, 16),
        "k": ("Outputs K", 1, 32, 10),
    }
    cols = st.columns(4)
    values = {}
    for col, (param, (label, lo, hi, default)) in zip(cols, limits.items(), strict=True):
        seed_from_url(f"conv.{param}", param, default, in_range(lo, hi))
        values[param] = col.slider(label, lo, hi, key=f"conv.{param}")
    mirror_to_url(values)
    shape = convolutionize.LayerShape(values["h"], values["w"], values["c"], values["k"])
    dense = convolutionize.dense_layer(shape, seed=0)
    conv = convolutionize.convolutionize(dense, shape)
    table = convolutionize.parameter_table(dense, conv)
    hand = shape.height * shape.width * shape.channels * shape.outputs
    st.dataframe(table, hide_index=True)
    st.markdown(
        f"Hand count: H·W·C·K = {shape.height}·{shape.width}·{shape.channels}·{shape.outputs} = "
        f"**{hand:,}** weights, plus K = {shape.outputs} biases, for both layers."
    )
    x = torch.randn(shape.channels, shape.height, shape.width, generator=torch.Generator().manual_seed(1))
    outputs, max_diff = convolutionize.compare_outputs(dense, conv, x)
    a, b = st.columns([2, 1])
    a.plotly_chart(charts.compare_outputs_chart(outputs), key="conv.compare")
    b.metric("Max |dense − conv| on the same random input", f"{max_diff:.2e}")
    b.caption("Float32 rounding only: the two layers add the same products in a different order.")
    download_csv(outputs, "Both outputs (CSV)", "dense_vs_conv.csv", "conv.dl_compare")
    st.subheader("The convolutionized layer on a larger input")
    a, b, c = st.columns(3)
    extra_h = a.slider("Extra rows", 0, 8, 3, key="conv.extra_h")
    extra_w = b.slider("Extra columns", 0, 8, 5, key="conv.extra_w")
    unit = c.slider("Output unit to map", 0, shape.outputs - 1, 0, key="conv.unit")
    big = torch.randn(
        shape.channels, shape.height + extra_h, shape.width + extra_w, generator=torch.Generator().manual_seed(2)
    )
    grid = convolutionize.score_grid(conv, big)
    per_window = convolutionize.dense_on_windows(dense, shape, big)
    k, rows, cols_ = convolutionize.score_grid_shape(shape, *big.shape[1:])
    st.markdown(
        f"Input {shape.channels}×{big.shape[1]}×{big.shape[2]} → output {k}×{rows}×{cols_}: the "
        f"{shape.height}×{shape.width} kernel fits {big.shape[1]}−{shape.height}+1 = {rows} times down "
        f"and {big.shape[2]}−{shape.width}+1 = {cols_} times across, so each of the {k} outputs "
        f"becomes a {rows}×{cols_} map. Each cell equals the dense layer on that window "
        f"(max difference {float((grid - per_window).abs().max()):.1e})."
    )
    st.plotly_chart(
        charts.matrix_heatmap(
            grid[unit].numpy(),
            f"Output unit {unit} at every window position",
            x_title="window column",
            y_title="window row",
            value_title="output",
        ),
        key="conv.grid",
    )
    grid_frame = pd.DataFrame(
        [(u, r, c, float(grid[u, r, c])) for u in range(k) for r in range(rows) for c in range(cols_)],
        columns=["unit", "window_row", "window_col", "output"],
    )
    download_csv(grid_frame, "Score grid, every unit (CSV)", "score_grid.csv", "conv.dl_grid")


ANY_DIGIT = "any digit (1 − P(background))"


def _picture(x_test: torch.Tensor, y_test: torch.Tensor) -> tuple[np.ndarray, pd.DataFrame | None] | None:
    """The grey picture to scan (strokes light on black) and, for built-in canvases, the truth."""
    seed_from_url("conv.fcn_source", "fcn", "canvas", ["canvas", "upload"])
    seed_from_url("conv.canvas_digits", "digits", 5, in_range(1, 8))
    seed_from_url("conv.canvas_seed", "cseed", 0, in_range(0, 10_000))
    source = st.radio(
        "Picture",
        ["canvas", "upload"],
        key="conv.fcn_source",
        horizontal=True,
        format_func={"canvas": "held-out digits placed on a canvas", "upload": "upload my own"}.get,
    )
    if source == "canvas":
        a, b = st.columns(2)
        n = a.slider("Digits on the canvas", 1, 8, key="conv.canvas_digits")
        seed = b.number_input("Canvas seed", 0, 10_000, key="conv.canvas_seed")
        mirror_to_url({"fcn": source, "digits": n, "cseed": seed})
        return digits.compose_canvas(x_test, y_test, n, int(seed))
    mirror_to_url({"fcn": source})
    upload = st.file_uploader(
        f"An image ({', '.join(IMAGE_FORMATS.values())}, up to {MAX_UPLOAD_BYTES // 2**20} MB) of digits, "
        "dark on light or light on dark",
        type=["png", "jpg", "jpeg", "webp", "gif"],
        key="conv.upload",
    )
    if upload is None:
        st.info("Upload a picture of handwritten digits, or pick the canvas above.")
        return None
    st.text(f"File: {upload.name}")
    try:
        picture = load_image(upload.getvalue())
    except InputError as err:
        st.error(f"Cannot use this file: {err}")
        return None
    height = st.slider(
        "Scale the picture to this height (aim for digits about 8 pixels tall)", 8, 96, 24, key="conv.scale_height"
    )
    grey = images.resize_to_height(images.to_grey(picture), height)
    if min(grey.shape) < digits.WINDOW:
        st.error(
            f"After scaling, the picture is {grey.shape[1]}x{grey.shape[0]} pixels; it must be at least "
            f"{digits.WINDOW}x{digits.WINDOW}. Raise the height."
        )
        return None
    return images.strokes_on_black(grey), None


@st.fragment
def fcn_input(fcn: digits.DigitsFCN, meta: dict, x_test: torch.Tensor, y_test: torch.Tensor) -> None:
    """Controls, preprocessed picture with found digits, score map, tables and downloads."""
    st.markdown(
        f"The digits CNN reads one 8×8 window (held-out accuracy **{meta['metrics']['accuracy']:.1%}** on "
        f"{meta['metrics']['n']} test digits). Its convolutionized twin has the same weights and scans a "
        "whole picture at once, answering for every 8×8 window in it."
    )
    picked = _picture(x_test, y_test)
    if picked is None:
        return
    picture, truth = picked
    a, b = st.columns(2)
    threshold = a.slider("Detection threshold", 0.3, 0.95, 0.5, 0.05, key="conv.threshold")
    shown = b.selectbox("Score map of", [ANY_DIGIT, *digits.CLASS_NAMES], key="conv.map_class")
    probs = digits.score_map(fcn, picture)
    found = digits.find_digits(probs, threshold)
    frame = digits.score_map_frame(probs)
    if shown == ANY_DIGIT:
        view = frame[frame["class"] == "background"].assign(prob=lambda f: 1 - f["prob"])
    else:
        view = frame[frame["class"] == shown]
    a, b = st.columns(2)
    a.plotly_chart(
        charts.image_with_boxes(
            picture, found, digits.WINDOW, f"Input {picture.shape[0]}×{picture.shape[1]} with found digits"
        ),
        key="conv.fcn_image",
    )
    b.plotly_chart(
        charts.score_map_heatmap(view, f"Score map {probs.shape[1]}×{probs.shape[2]}: {shown}"), key="conv.fcn_map"
    )
    read = "".join(found["label"]) or "(nothing above the threshold)"
    st.markdown(f"**Read left to right:** {read}")
    if truth is not None:
        st.markdown(f"**Placed on the canvas:** {''.join(str(v) for v in truth['label'])}")
    st.dataframe(found, hide_index=True)
    download_csv(frame, "Score map, every class (CSV)", "score_map.csv", "conv.dl_score_map")
