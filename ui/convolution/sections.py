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
from ui.convolution.names import names, on_screen
from ui.text import raw, say, t
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
    sources = {v: t(f"convolution.signal.{v}") for v in ("generated", "typed")}
    source = choice(t("convolution.signal.source"), "conv.source", "src", sources)
    if source == "generated":
        length, seed = t("convolution.signal.length"), t("convolution.signal.seed")
        n, seed = count_and_seed((length, "conv.length", "n"), (seed, "conv.seed", "seed"))
        return source, conv1d.generated_signal(n, seed)
    label = t("convolution.signal.numbers", n=MAX_SIGNAL)
    text = st.text_input(label, "0, 1, 2, 3, 2, 1, 0, 0, 5, 0", key="conv.typed")
    return source, np.array(parse_numbers(text, "input", MAX_SIGNAL))


def _kernel() -> tuple[str, np.ndarray]:
    """The kernel w: a preset or the user's weights (InputError if those do not parse)."""
    seed_from_url("conv.kernel", "kernel", KERNELS[0], KERNELS)
    shown = names("kernels", conv1d.KERNEL_PRESETS) | {"custom": t("convolution.kernel.custom")}
    preset = st.selectbox(t("convolution.kernel.label"), KERNELS, key="conv.kernel", format_func=shown.get)
    if preset != "custom":
        return preset, np.array(conv1d.KERNEL_PRESETS[preset])
    custom = st.text_input(t("convolution.kernel.weights", n=MAX_KERNEL), "1, 0, -1", key="conv.custom")
    return preset, np.array(parse_numbers(custom, "kernel", MAX_KERNEL))


def _steps() -> Steps:
    """Stride, padding and dilation sliders."""
    return Steps(
        slider(t("convolution.steps.stride"), "conv.stride", "stride", LIMITS["stride"]),
        slider(t("convolution.steps.padding"), "conv.padding", "pad", LIMITS["pad"]),
        slider(t("convolution.steps.dilation"), "conv.dilation", "dil", LIMITS["dil"]),
    )


def _output_length(n: int, k: int, steps: Steps) -> int:
    """Show m = floor((n + 2p - d(k-1) - 1) / s) + 1 with the numbers filled in; return m."""
    s, p, d = steps.args()
    m = conv1d.output_length(n, k, s, p, d)
    # One step per line, so that the filled-in fraction fits a 390 px phone.
    st.latex(
        raw(
            rf"\begin{{aligned}} m &= \left\lfloor \frac{{n + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1 \\ &= "
            rf"\left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1 \\ &= {m}"
            r" \end{aligned}"
        )
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
    weights = ", ".join(f"{w:.3g}" for w in kernel)
    formula = raw(f"**y[{position}]** = Σⱼ wⱼ · x[{position}·{s} − {p} + {d}·j] = {terms} = **{y[position]:.4g}**")
    # under the picture, so that the picture itself fits a phone's first screen
    st.markdown(t("convolution.sliding.sum", weights=weights, formula=formula))


def _as_matrix(x: np.ndarray, kernel: np.ndarray, steps: Steps, m: int, position: int) -> None:
    """The Toeplitz matrix, the parameter counts and the section's downloads."""
    n, k = len(x), len(kernel)
    toeplitz = pd.DataFrame(conv1d.toeplitz_matrix(n, kernel, *steps.args()))
    counts = conv1d.parameter_counts(sorted({4, 8, 16, 32, 64, 128, 256, 512, 1024, n}), k, *steps.args())
    a, b = st.columns(2)
    title = t("convolution.sliding.matrix_title", m=m, n=n)
    a.plotly_chart(charts.matrix_heatmap(toeplitz, title, position), key="conv.toeplitz")
    a.caption(t("convolution.sliding.matrix_caption", stride=steps.stride, entries=m * n, k=k))
    b.plotly_chart(_counts_chart(counts, n), key="conv.params")
    c1, c2, c3 = st.columns(3)
    with c1:
        steps_frame = conv1d.sliding_frame(x, kernel, *steps.args())
        download_csv(steps_frame, t("convolution.sliding.download_steps"), "sliding_steps.csv", "conv.dl_steps")
    with c2:
        download_csv(toeplitz, t("convolution.sliding.download_toeplitz"), "toeplitz.csv", "conv.dl_toeplitz")
    with c3:
        download_csv(counts, t("convolution.sliding.download_counts"), "parameter_counts.csv", "conv.dl_counts")


def _counts_chart(counts: pd.DataFrame, n: int):
    """The shared parameter chart over `counts` (English columns, as downloaded), its words in the session's
    language: the layers in the legend and the hover, the weights' axis, the title."""
    layer, weights = t("convolution.counts.layer"), t("convolution.counts.weights")
    shown = counts.assign(layer=counts["layer"].map(names("layers", counts["layer"].unique())))
    shown = shown.rename(columns={"layer": layer, "weights": weights})
    return shared_charts.parameter_chart(
        shown,
        n,
        y=weights,
        color=layer,
        title=t("convolution.counts.title"),
        x_label=t("convolution.counts.input_length"),
        legend_above=True,
    )


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
            st.error(say(err))
            return
    with right:
        steps = _steps()
    settings = {"src": source, "n": len(x), "seed": st.session_state["conv.seed"], "kernel": preset}
    mirror_to_url({**settings, "stride": steps.stride, "pad": steps.padding, "dil": steps.dilation})
    m = _output_length(len(x), len(kernel), steps)
    if m == 0:
        picture.warning(t("convolution.sliding.no_fit"))
        return
    with picture:
        position = _position(m)
        _one_step(x, kernel, steps, position)
    _as_matrix(x, kernel, steps, m, position)


def _position(m: int) -> int:
    """The output position: a slider over 0..m-1, or 0 with a caption when only one position fits."""
    if m > 1:
        return st.slider(t("convolution.sliding.position"), 0, m - 1, 0, key="conv.position")
    st.caption(t("convolution.sliding.only_position"))
    return 0


def _layer_shape() -> convolutionize.LayerShape:
    """Four sliders for H, W, C and K, mirrored to the URL."""
    words = {"h": "height", "w": "width", "c": "channels", "k": "outputs"}
    labels = {param: t(f"convolution.dense.{name}") for param, name in words.items()}
    values = {}
    for col, (param, label) in zip(st.columns(len(labels)), labels.items(), strict=True):
        with col:
            values[param] = slider(label, f"conv.{param}", param, LIMITS[param])
    mirror_to_url(values)
    return convolutionize.LayerShape(values["h"], values["w"], values["c"], values["k"])


def _same_outputs(dense: torch.nn.Linear, conv: torch.nn.Conv2d, shape: convolutionize.LayerShape) -> None:
    """Parameter table with the hand count, and both layers on one random input."""
    st.dataframe(on_screen(convolutionize.parameter_table(dense, conv), layer="layers"), hide_index=True)
    h, w, c, k = shape.height, shape.width, shape.channels, shape.outputs
    st.markdown(t("convolution.dense.hand_count", h=h, w=w, c=c, k=k, total=h * w * c * k))
    x = torch.randn(shape.channels, shape.height, shape.width, generator=torch.Generator().manual_seed(1))
    outputs, max_diff = convolutionize.compare_outputs(dense, conv, x)
    a, b = st.columns([2, 1])
    a.plotly_chart(charts.compare_outputs_chart(outputs), key="conv.compare")
    b.metric(t("convolution.dense.max_diff"), f"{max_diff:.2e}")
    b.caption(t("convolution.dense.rounding"))
    download_csv(outputs, t("convolution.dense.download_compare"), "dense_vs_conv.csv", "conv.dl_compare")


def _unit(place: DeltaGenerator, outputs: int) -> int:
    """The output unit to map: a slider over 0..K-1, or a fixed 0 with a caption when K = 1 (no range)."""
    if outputs > 1:
        return place.slider(t("convolution.dense.unit"), 0, outputs - 1, 0, key="conv.unit")
    place.caption(t("convolution.dense.only_unit"))
    return 0


def _larger_input(dense: torch.nn.Linear, conv: torch.nn.Conv2d, shape: convolutionize.LayerShape) -> None:
    """The convolutionized layer on a larger random input: a grid of dense answers, one per window."""
    a, b, c = st.columns(3)
    extra_h, extra_w = (LIMITS[p] for p in ("extra_h", "extra_w"))
    rows_label, cols_label = t("convolution.dense.extra_rows"), t("convolution.dense.extra_columns")
    extra_h = a.slider(rows_label, extra_h.lo, extra_h.hi, extra_h.default, extra_h.step, key="conv.extra_h")
    extra_w = b.slider(cols_label, extra_w.lo, extra_w.hi, extra_w.default, extra_w.step, key="conv.extra_w")
    unit = _unit(c, shape.outputs)
    big = torch.randn(
        shape.channels, shape.height + extra_h, shape.width + extra_w, generator=torch.Generator().manual_seed(2)
    )
    grid = convolutionize.score_grid(conv, big)
    per_window = convolutionize.dense_on_windows(dense, shape, big)
    k, rows, cols = convolutionize.score_grid_shape(shape, *big.shape[1:])
    sizes = dict(c=shape.channels, h=shape.height, w=shape.width, rows_in=big.shape[1], cols_in=big.shape[2])
    diff = float((grid - per_window).abs().max())
    st.markdown(t("convolution.dense.grid", **sizes, k=k, rows=rows, cols=cols, diff=diff))
    grid_frame = convolutionize.score_grid_frame(grid)
    title = t("convolution.dense.grid_title", unit=unit)
    st.plotly_chart(charts.score_grid_heatmap(grid_frame, unit, title), key="conv.grid")
    download_csv(grid_frame, t("convolution.dense.download_grid"), "score_grid.csv", "conv.dl_grid")


@st.fragment
def dense_vs_conv() -> None:
    """A real nn.Linear and the nn.Conv2d with its weights: counts, outputs, and a larger input."""
    shape = _layer_shape()
    dense = convolutionize.dense_layer(shape, seed=0)
    conv = convolutionize.convolutionize(dense, shape)
    _same_outputs(dense, conv, shape)
    st.subheader(t("convolution.dense.larger_header"))
    _larger_input(dense, conv, shape)
