"""Convolution & FCN: one kernel slides where a dense layer needs a weight row per position."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine import conv1d, convolutionize
from engine.checkpoint import CheckpointError
from engine.inputs import InputError, parse_numbers
from ui import charts, loaders
from ui.controls import download_csv, in_range, mirror_to_url, seed_from_url
from ui.fcn import fcn_input
from ui.frame import inside_frame

inside_frame()
st.title("Convolution & FCN")
st.markdown(
    "A dense layer (an MLP) needs its own row of weights for every output position, so its weight "
    "matrix grows with the input. A convolution slides **one fixed kernel** along the input and reuses "
    "the same few weights everywhere. Turned around, any dense layer on a fixed-size map *is* a "
    "convolution whose kernel covers the whole map, and that convolution also runs on larger inputs."
)

st.header("1. A kernel sliding over a vector")


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


sliding_kernel()

st.header("2. A dense layer, convolutionized")


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


dense_vs_conv()

st.header("3. A fully convolutional network on a real image")
try:
    cnn, fcn, meta = loaders.digits_models()
except CheckpointError as err:
    st.error(str(err))
    st.stop()
fcn_input(fcn, meta, *loaders.digits_test_split())

with st.expander("How it works"):
    st.markdown(
        "The classifier is conv3×3 → ReLU → conv3×3 → ReLU → dense → ReLU → dense, with unpadded "
        f"convolutions, trained on 8×8 windows cut from scikit-learn's digits (`{meta['metrics']['command']}`, "
        f"{meta['metrics']['train_seconds']} s on {meta['metrics']['threads']} CPU threads). Besides the ten "
        "digits it learned an 11th class, *background*, from windows where the digit sits three or more pixels "
        "off-centre, blanks and faint noise. Convolutionizing copies the first dense layer's "
        f"{meta['config']['hidden']} weight rows into {meta['config']['hidden']} kernels of "
        f"{meta['config']['channels2']}×4×4 and the second's into 1×1 kernels. With no padding and no pooling, cell "
        "(r, c) of the score map is *exactly* the classifier's answer for the 8×8 window whose top-left pixel "
        "is (r, c), computed for all windows in one pass that shares the work of overlapping windows. Found "
        "digits are cells whose best digit probability passes the threshold and beats every cell within "
        "four pixels."
    )
