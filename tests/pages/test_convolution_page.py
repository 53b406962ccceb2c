"""The Convolution & FCN page driven through AppTest; displayed numbers checked against the engine."""

import io
import json

import numpy as np
from PIL import Image

from engine.common import images
from engine.common.inputs import load_image
from engine.convolution import conv1d, detect, digits
from tests.pages.conftest import charts, keep_downloads, texts, widget

PAGE = "pages/convolution.py"


def test_defaults_render_the_notes_example(run_page):
    at = run_page(PAGE)
    table = at.dataframe[0].value
    assert list(table["weights"]) == [2560, 2560] and list(table["biases"]) == [10, 10]
    assert "= **2,560** weights" in texts(at)
    assert float(at.metric[0].value) < 1e-5
    assert "Kernel w = [0.333, 0.333, 0.333]" in texts(at)


def test_stride_padding_dilation_sliders_update_the_formula(run_page):
    at = run_page(PAGE)
    widget(at, "slider", "Stride s").set_value(2)
    widget(at, "slider", "Padding p (zeros on each side)").set_value(1)
    widget(at, "slider", "Dilation d (gap between taps)").set_value(2)
    at.run()
    expected = conv1d.output_length(16, 3, 2, 1, 2)
    assert at.latex[0].value.strip("$\n").removesuffix(r" \end{aligned}").endswith(f"= {expected}")
    assert at.query_params["stride"] == "2" and at.query_params["dil"] == "2"


def test_position_slider_shows_that_outputs_value(run_page):
    at = run_page(PAGE)
    widget(at, "slider", "Output position i").set_value(5)
    at.run()
    y = conv1d.conv1d(conv1d.generated_signal(16, 0), conv1d.KERNEL_PRESETS["smoothing (mean of 3)"])
    assert "**y[5]**" in texts(at) and f"= **{y[5]:.4g}**" in texts(at)


def test_typed_numbers_and_custom_kernel(run_page):
    at = run_page(PAGE)
    widget(at, "radio", "Input x").set_value("typed")
    at.run()
    widget(at, "text_input", "Numbers, comma-separated (up to 256)").input("1, 2, 3, 4, 5")
    widget(at, "selectbox", "Kernel w").set_value("custom")
    at.run()
    widget(at, "text_input", "Kernel weights (up to 15)").input("1, -1")
    at.run()
    assert at.latex[0].value.strip("$\n").removesuffix(r" \end{aligned}").endswith("= 4")
    assert "= **-1**" in texts(at)  # 1*1 + (-1)*2


def test_bad_numbers_get_a_message(run_page):
    at = run_page(PAGE)
    widget(at, "radio", "Input x").set_value("typed")
    at.run()
    widget(at, "text_input", "Numbers, comma-separated (up to 256)").input("1, two, 3")
    at.run()
    assert not at.exception
    assert any("Item 2" in e.value for e in at.error)


def test_dense_sliders_match_hand_counts(run_page):
    at = run_page(PAGE)
    for label, value in (("Height H", 3), ("Width W", 5), ("Channels C", 7), ("Outputs K", 2)):
        widget(at, "slider", label).set_value(value)
    at.run()
    table = at.dataframe[0].value
    assert list(table["weights"]) == [3 * 5 * 7 * 2] * 2
    assert list(table["total"]) == [3 * 5 * 7 * 2 + 2] * 2
    assert "output 2×4×6" in texts(at)  # (3+3)-3+1 = 4 rows, (5+5)-5+1 = 6 columns


def test_url_sets_the_starting_view(run_page):
    at = run_page(PAGE, {"stride": "3", "h": "2", "digits": "3", "cseed": "9", "stride_bad": "x"})
    assert widget(at, "slider", "Stride s").value == 3
    assert widget(at, "slider", "Height H").value == 2
    at2 = run_page(PAGE, {"stride": "99", "h": "nope"})
    assert widget(at2, "slider", "Stride s").value == 1 and widget(at2, "slider", "Height H").value == 4


def test_canvas_is_read_like_the_engine_reads_it(run_page):
    at = run_page(PAGE)
    widget(at, "slider", "Digits on the canvas").set_value(3)
    at.number_input(key="conv.canvas_seed").set_value(7)
    at.run()
    cnn, _ = digits.load()
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    canvas, truth = detect.compose_canvas(x, y, 3, 7)
    found = detect.find_digits(detect.score_map(digits.DigitsFCN(cnn), canvas), 0.5)
    assert f"**Read left to right:** {''.join(found['label'])}" in texts(at)
    assert f"**Placed on the canvas:** {''.join(str(v) for v in truth['label'])}" in texts(at)


def _reference_reading(n: int, seed: int) -> tuple[list[str], list[int]]:
    """What the engine reads on a canvas, and the digit placed at each reading's place (matched by hand, -1: none)."""
    cnn, _ = digits.load()
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    canvas, truth = detect.compose_canvas(x, y, n, seed)
    found = detect.find_digits(detect.score_map(digits.DigitsFCN(cnn), canvas), 0.5)
    placed = []
    for f in found.itertuples():
        here = [t.label for t in truth.itertuples() if abs(t.left - f.left) <= 2 and abs(t.top - f.top) <= 2]
        placed.append(here[0] if here else -1)
    return list(found["label"]), placed


def test_a_confident_misread_is_marked_red_and_named(run_page):
    at = run_page(PAGE)  # the default canvas: 7 digits, seed 0
    read, placed = _reference_reading(7, 0)
    wrong = [i for i, (r, p) in enumerate(zip(read, placed, strict=True)) if r != str(p)]
    assert wrong, "the default canvas should hold a misread to show"
    marked = "".join(f":red[**{r}**]" if i in wrong else r for i, r in enumerate(read))
    assert f"**Read left to right:** {marked}" in texts(at)
    (error,) = at.warning
    for i in wrong:
        assert f"the {placed[i]} read as **{read[i]}**" in error.value
    table = at.dataframe[-1].value
    assert [i for i, v in enumerate(table["verdict"]) if v == "misread"] == wrong
    assert all(table["prob"].iloc[i] > 0.9 for i in wrong)  # confident, and still marked
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (image,) = [sp["layout"] for sp in specs if sp["layout"]["title"]["text"].startswith("Input 24×")]
    labels = [a["text"] for a in image["annotations"]]
    assert labels == [f"{r}≠{p}" if i in wrong else r for i, (r, p) in enumerate(zip(read, placed, strict=True))]


def test_a_canvas_read_right_says_so(run_page):
    at = run_page(PAGE, {"digits": "5", "cseed": "0"})
    read, placed = _reference_reading(5, 0)
    assert read == [str(p) for p in placed]
    assert f"**Read left to right:** {''.join(read)}" in texts(at)
    assert not at.warning and not at.error and any(f"All {len(read)} digits read right" in m.value for m in at.success)


def _upload(at, name: str, data: bytes, mime: str = "image/png"):
    widget(at, "radio", "Picture").set_value("upload")
    at.run()
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    assert not at.exception


def test_bad_upload_gets_a_clear_message(run_page):
    at = run_page(PAGE)
    _upload(at, "photo.png", b"PK\x03\x04 this is a zip, not a png")
    assert any("Cannot use this file" in e.value for e in at.error)
    assert "Read left to right" not in texts(at)


def test_the_drawing_canvas_asks_for_digits_until_there_are_some(run_page):
    at = run_page(PAGE, {"fcn": "draw"})
    assert any("Draw digits in the black box" in i.value for i in at.info)
    assert "Read left to right" not in texts(at) and not at.exception


def _paper_png(n: int, seed: int) -> bytes:
    """A composed canvas as a user would have it: dark ink on white paper, three times larger, as PNG."""
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    canvas, _ = detect.compose_canvas(x, y, n, seed)
    paper = Image.fromarray(((1 - canvas) * 255).astype(np.uint8)).resize((canvas.shape[1] * 3, 72))
    buffer = io.BytesIO()
    paper.save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_picture_is_scanned(run_page):
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    _, truth = detect.compose_canvas(x, y, 4, 11)
    data = _paper_png(4, 11)
    at = run_page(PAGE)
    _upload(at, "my digits.png", data)
    cnn, _ = digits.load()
    grey = images.strokes_on_black(images.resize_to_height(images.to_grey(load_image(data)), 24))
    found = detect.find_digits(detect.score_map(digits.DigitsFCN(cnn), grey), 0.5)
    assert f"**Read left to right:** {''.join(found['label'])}" in texts(at)
    assert len(found) == len(truth)


def _page_with_downloads(run_page, monkeypatch, query=None):
    """Run the page, keeping each CSV download as the file a visitor would get (by file name)."""
    from ui.convolution import detector, sections

    files = keep_downloads(monkeypatch, sections, detector)
    at = run_page(PAGE, query)
    return files, {c["title"]: c["data"] for c in charts(at)}


def test_every_download_holds_the_numbers_its_chart_draws(run_page, monkeypatch):
    import pandas as pd

    files, drawn = _page_with_downloads(run_page, monkeypatch, {"pad": "1", "k": "3", "kernel": "edge (difference)"})
    expected = ["sliding_steps.csv", "toeplitz.csv", "parameter_counts.csv", "dense_vs_conv.csv", "score_grid.csv"]
    assert sorted(files) == sorted([*expected, "score_map.csv"])
    toeplitz = next(v for t, v in drawn.items() if t.startswith("The same convolution as a dense"))
    np.testing.assert_allclose(np.array(toeplitz[0]["z"], dtype=float), files["toeplitz.csv"].to_numpy())
    counts = files["parameter_counts.csv"]
    for trace in drawn["Weights needed as the input grows"]:
        rows = counts[counts["layer"] == trace["name"]]
        assert list(trace["x"]) == list(rows["input_length"]) and list(trace["y"]) == list(rows["weights"])
    both = files["dense_vs_conv.csv"]
    for trace in drawn["The same input through both layers"]:
        np.testing.assert_allclose(np.array(trace["y"], dtype=float), both[trace["name"]], rtol=1e-6)
    grid = files["score_grid.csv"]
    unit0 = grid[grid["unit"] == 0].pivot(index="window_row", columns="window_col", values="output")
    drawn_grid = np.array(drawn["Output unit 0 at every window position"][0]["z"], dtype=float)
    np.testing.assert_allclose(drawn_grid, unit0.to_numpy(), rtol=1e-6)
    scores = files["score_map.csv"]
    background = scores[scores["class"] == "background"].pivot(index="row", columns="col", values="prob")
    score_chart = next(v for t, v in drawn.items() if t.startswith("Score map"))
    np.testing.assert_allclose(np.array(score_chart[0]["z"], dtype=float), 1 - background.to_numpy(), atol=1e-6)
    steps = files["sliding_steps.csv"]
    window = next(t for t in drawn["Input x: the window in red, padding grey"] if t["name"] == "in window")
    first = steps[steps["position"] == 0]
    assert list(window["x"]) == list(first["input_index"]) and list(window["y"]) == list(first["input"])
    this_step = next(t for t in drawn["Output y, filled in step by step"] if t["name"] == "this step")
    assert list(this_step["y"]) == [first["output"].iloc[0]]
    assert isinstance(steps, pd.DataFrame) and len(steps) == 3 * steps["position"].nunique()


CONTROL_KINDS = ("slider", "number_input", "selectbox", "radio", "text_input", "checkbox", "toggle")
TYPED = ("1, 2, 3, 4", "나는 학교에 간다 🙂")  # numbers, then text no parser reads


def _raw(control, option: str):
    """The value to set for a shown option: the inverse of a dict-lookup format_func, else the option."""
    shown = getattr(control.format_func, "__self__", None)
    if isinstance(shown, dict):
        return next(raw for raw, text in shown.items() if text == option)
    return option


def _values(control) -> list:
    """Both ends of a range, every option of a choice, the other state of a box, two texts."""
    if control.type in ("slider", "number_input"):
        cast = int if isinstance(control.value, int) else float
        return [cast(control.min), cast(control.max)]
    if control.type in ("selectbox", "radio"):
        return [_raw(control, option) for option in control.options]
    if control.type in ("checkbox", "toggle"):
        return [not control.value]
    return list(TYPED)


def _controls(at) -> dict:
    """Every input control on the page by key (download buttons only hand out files)."""
    return {c.key: c for kind in CONTROL_KINDS for c in at.main.get(kind)}


def _drive(at, key: str, seen: set, driven: list) -> None:
    """Set `key` to each of its values, driving at once any control that a value brings up; then put it back."""
    control = _controls(at)[key]
    start = control.value
    for value in _values(control):
        control.set_value(value)
        at.run()
        assert not at.exception, (key, value, [e.value for e in at.exception])
        driven.append((key, value))
        for new in [k for k in _controls(at) if k not in seen]:  # e.g. the custom kernel's weights
            seen.add(new)
            _drive(at, new, seen, driven)
        control = _controls(at)[key]
    control.set_value(start)
    at.run()
    assert not at.exception, (key, start, [e.value for e in at.exception])


def test_every_control_at_both_ends_and_every_option_raises_nothing(run_page):
    at = run_page(PAGE)
    seen, driven = set(_controls(at)), []
    for key in list(seen):
        if key in _controls(at):
            _drive(at, key, seen, driven)
    _upload(at, "digits.png", _paper_png(3, 5))  # an upload brings up its own control: the scale
    for key in [k for k in _controls(at) if k not in seen]:
        seen.add(key)
        _drive(at, key, seen, driven)
    keys = {k for k, _ in driven}
    # The dependent controls were reached too: typed numbers, a custom kernel, the picture's scale.
    expected = {"conv.typed", "conv.custom", "conv.k", "conv.unit", "conv.position", "conv.threshold"}
    assert expected | {"conv.scale_height"} <= keys, sorted(keys)
    assert ("conv.k", 1) in driven and ("conv.threshold", 0.95) in driven
