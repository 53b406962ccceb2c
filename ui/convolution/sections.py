"""The Convolution & FCN page's sections, each a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from engine.common.inputs import InputError, parse_numbers
from engine.convolution import conv1d, convolutionize
from ui import charts as shared_charts
from ui.convolution import charts
from ui.convolution.limits import LIMITS, MAX_KERNEL, MAX_SIGNAL
from ui.widgets import download_csv, mirror_to_url, number, seed_from_url, slider

KERNELS = [*conv1d.KERNEL_PRESETS, "custom"]


@dataclass(frozen=True)
class Steps:
    """How the kernel moves: stride s, padding p, dilation d."""

    stride: int
    padding: int
    dilation: int

    def args(self) -> tuple[int, int, int]:
        return self.stride, self.padding, self.dilation


def choice(label: str, key: str, param: str, options: dict[str, str]) -> str:
    """A horizontal radio over `options` (value -> shown text), started once from the URL's `param`."""
    seed_from_url(key, param, next(iter(options)), list(options))
    return st.radio(label, list(options), key=key, horizontal=True, format_func=options.get)


def count_and_seed(count: tuple[str, str, str], seed: tuple[str, str, str]) -> tuple[int, int]:
    """A slider and a seed box side by side, each (label, key, URL parameter) over its row of LIMITS."""
    a, b = st.columns(2)
    with a:
        n = slider(*count, LIMITS[count[2]])
    with b:
        value = number(*seed, LIMITS[seed[2]])
    return n, int(value)


def _signal() -> tuple[str, np.ndarray]:
    """The input x: a generated signal or the user's numbers (InputError if those do not parse)."""
    for key, param in (("conv.length", "n"), ("conv.seed", "seed")):  # both kept for either source
        seed_from_url(key, param, LIMITS[param].default, LIMITS[param].valid)
    source = choice("Input x", "conv.source", "src", {"generated": "generated signal", "typed": "my numbers"})
    if source == "generated":
        n, seed = count_and_seed(("Length n", "conv.length", "n"), ("Seed", "conv.seed", "seed"))
        return source, conv1d.generated_signal(n, seed)
    text = st.text_input(
        f"Numbers, comma-separated (up to {MAX_SIGNAL})", "0, 1, 2, 3, 2, 1, 0, 0, 5, 0", key="conv.typed"
    )
    return source, np.array(parse_numbers(text, "input", MAX_SIGNAL))


def _kernel() -> tuple[str, np.ndarray]:
    """The kernel w: a preset or the user's weights (InputError if those do not parse)."""
    seed_from_url("conv.kernel", "kernel", KERNELS[0], KERNELS)
    preset = st.selectbox("Kernel w", KERNELS, key="conv.kernel")
    if preset != "custom":
        return preset, np.array(conv1d.KERNEL_PRESETS[preset])
    custom = st.text_input(f"Kernel weights (up to {MAX_KERNEL})", "1, 0, -1", key="conv.custom")
    return preset, np.array(parse_numbers(custom, "kernel", MAX_KERNEL))


def _steps() -> Steps:
    """Stride, padding and dilation sliders."""
    return Steps(
        slider("Stride s", "conv.stride", "stride", LIMITS["stride"]),
        slider("Padding p (zeros on each side)", "conv.padding", "pad", LIMITS["pad"]),
        slider("Dilation d (gap between taps)", "conv.dilation", "dil", LIMITS["dil"]),
    )


def _output_length(n: int, k: int, steps: Steps) -> int:
    """Show m = floor((n + 2p - d(k-1) - 1) / s) + 1 with the numbers filled in; return m."""
    s, p, d = steps.args()
    m = conv1d.output_length(n, k, s, p, d)
    # One step per line, so that the filled-in fraction fits a 390 px phone.
    st.latex(
        rf"\begin{{aligned}} m &= \left\lfloor \frac{{n + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1 \\ &= "
        rf"\left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1 \\ &= {m}"
        r" \end{aligned}"
    )
    return m


def _one_step(x: np.ndarray, kernel: np.ndarray, steps: Steps, position: int) -> None:
    """The sum that gives y[position], the input with its window and the output so far."""
    s, p, d = steps.args()
    y = conv1d.conv1d(x, kernel, s, p, d)
    frame = conv1d.window_frame(x, position, len(kernel), s, p, d)
    in_window = frame[frame["tap"] >= 0].sort_values("tap")
    terms = " + ".join(f"({w:.3g})({v:.3g})" for w, v in zip(kernel, in_window["value"], strict=True))
    a, b = st.columns(2)
    a.plotly_chart(charts.window_chart(frame), key="conv.window_chart")
    b.plotly_chart(charts.output_chart(y, position), key="conv.output_chart")
    st.markdown(  # under the picture, so that the picture itself fits a phone's first screen
        f"Kernel w = [{', '.join(f'{w:.3g}' for w in kernel)}]. **y[{position}]** = Σⱼ wⱼ · "
        f"x[{position}·{s} − {p} + {d}·j] = {terms} = **{y[position]:.4g}**"
    )


def _as_matrix(x: np.ndarray, kernel: np.ndarray, steps: Steps, m: int, position: int) -> None:
    """The Toeplitz matrix, the parameter counts and the section's downloads."""
    n, k = len(x), len(kernel)
    toeplitz = pd.DataFrame(conv1d.toeplitz_matrix(n, kernel, *steps.args()))
    counts = conv1d.parameter_counts(sorted({4, 8, 16, 32, 64, 128, 256, 512, 1024, n}), k, *steps.args())
    a, b = st.columns(2)
    title = f"The same convolution as a dense {m}x{n} matrix"
    a.plotly_chart(charts.matrix_heatmap(toeplitz, title, position), key="conv.toeplitz")
    a.caption(
        f"Each row is the kernel shifted by {steps.stride}; the dense layer would learn all {m * n} entries "
        f"freely, the convolution only its {k}."
    )
    b.plotly_chart(shared_charts.parameter_chart(counts, n, legend_above=True), key="conv.params")
    c1, c2, c3 = st.columns(3)
    with c1:
        steps_frame = conv1d.sliding_frame(x, kernel, *steps.args())
        download_csv(steps_frame, "Sliding steps (CSV)", "sliding_steps.csv", "conv.dl_steps")
    with c2:
        download_csv(toeplitz, "Toeplitz matrix (CSV)", "toeplitz.csv", "conv.dl_toeplitz")
    with c3:
        download_csv(counts, "Parameter counts (CSV)", "parameter_counts.csv", "conv.dl_counts")


@st.fragment
def sliding_kernel() -> None:
    """The sliding window (the page's live picture), then its controls, the Toeplitz matrix and the counts."""
    picture = st.container()  # filled last but shown first: the picture is what the first screen must hold
    left, right = st.columns(2)
    with left:
        try:
            source, x = _signal()
            preset, kernel = _kernel()
        except InputError as err:
            st.error(str(err))
            return
    with right:
        steps = _steps()
    settings = {"src": source, "n": len(x), "seed": st.session_state["conv.seed"], "kernel": preset}
    mirror_to_url({**settings, "stride": steps.stride, "pad": steps.padding, "dil": steps.dilation})
    m = _output_length(len(x), len(kernel), steps)
    if m == 0:
        picture.warning(
            "The kernel's span is longer than the padded input: no position fits. "
            "Add padding, shorten the kernel or lower the dilation."
        )
        return
    with picture:
        position = _position(m)
        _one_step(x, kernel, steps, position)
    _as_matrix(x, kernel, steps, m, position)


def _position(m: int) -> int:
    """The output position: a slider over 0..m-1, or 0 with a caption when only one position fits."""
    if m > 1:
        return st.slider("Output position i", 0, m - 1, 0, key="conv.position")
    st.caption("Output position i: 0, the only one that fits.")
    return 0


def _layer_shape() -> convolutionize.LayerShape:
    """Four sliders for H, W, C and K, mirrored to the URL."""
    labels = {"h": "Height H", "w": "Width W", "c": "Channels C", "k": "Outputs K"}
    values = {}
    for col, (param, label) in zip(st.columns(len(labels)), labels.items(), strict=True):
        with col:
            values[param] = slider(label, f"conv.{param}", param, LIMITS[param])
    mirror_to_url(values)
    return convolutionize.LayerShape(values["h"], values["w"], values["c"], values["k"])


def _same_outputs(dense: torch.nn.Linear, conv: torch.nn.Conv2d, shape: convolutionize.LayerShape) -> None:
    """Parameter table with the hand count, and both layers on one random input."""
    st.dataframe(convolutionize.parameter_table(dense, conv), hide_index=True)
    hand = shape.height * shape.width * shape.channels * shape.outputs
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


def _unit(place: DeltaGenerator, outputs: int) -> int:
    """The output unit to map: a slider over 0..K-1, or a fixed 0 with a caption when K = 1 (no range)."""
    if outputs > 1:
        return place.slider("Output unit to map", 0, outputs - 1, 0, key="conv.unit")
    place.caption("Output unit to map: 0, the only one (K = 1).")
    return 0


def _larger_input(dense: torch.nn.Linear, conv: torch.nn.Conv2d, shape: convolutionize.LayerShape) -> None:
    """The convolutionized layer on a larger random input: a grid of dense answers, one per window."""
    a, b, c = st.columns(3)
    extra_h, extra_w = (LIMITS[p] for p in ("extra_h", "extra_w"))
    extra_h = a.slider("Extra rows", extra_h.lo, extra_h.hi, extra_h.default, extra_h.step, key="conv.extra_h")
    extra_w = b.slider("Extra columns", extra_w.lo, extra_w.hi, extra_w.default, extra_w.step, key="conv.extra_w")
    unit = _unit(c, shape.outputs)
    big = torch.randn(
        shape.channels, shape.height + extra_h, shape.width + extra_w, generator=torch.Generator().manual_seed(2)
    )
    grid = convolutionize.score_grid(conv, big)
    per_window = convolutionize.dense_on_windows(dense, shape, big)
    k, rows, cols = convolutionize.score_grid_shape(shape, *big.shape[1:])
    st.markdown(
        f"Input {shape.channels}×{big.shape[1]}×{big.shape[2]} → output {k}×{rows}×{cols}: the "
        f"{shape.height}×{shape.width} kernel fits {big.shape[1]}−{shape.height}+1 = {rows} times down "
        f"and {big.shape[2]}−{shape.width}+1 = {cols} times across, so each of the {k} outputs "
        f"becomes a {rows}×{cols} map. Each cell equals the dense layer on that window "
        f"(max difference {float((grid - per_window).abs().max()):.1e})."
    )
    grid_frame = convolutionize.score_grid_frame(grid)
    title = f"Output unit {unit} at every window position"
    st.plotly_chart(charts.score_grid_heatmap(grid_frame, unit, title), key="conv.grid")
    download_csv(grid_frame, "Score grid, every unit (CSV)", "score_grid.csv", "conv.dl_grid")


@st.fragment
def dense_vs_conv() -> None:
    """A real nn.Linear and the nn.Conv2d with its weights: counts, outputs, and a larger input."""
    shape = _layer_shape()
    dense = convolutionize.dense_layer(shape, seed=0)
    conv = convolutionize.convolutionize(dense, shape)
    _same_outputs(dense, conv, shape)
    st.subheader("The convolutionized layer on a larger input")
    _larger_input(dense, conv, shape)
