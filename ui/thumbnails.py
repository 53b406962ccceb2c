"""Pictures the project draws itself: the app's favicon and a small picture of each explainer for the home page.

Drawn with numpy and Pillow, so nothing is fetched from another host. Each picture is drawn four times larger
and shrunk, which smooths its edges. `python -m ui.thumbnails` writes the favicon file again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

ICON_PATH = Path(__file__).resolve().parents[1] / "assets" / "icon.png"
ICON_SIZE = 64  # px: a favicon, shown at 16-32 px
WIDTH, HEIGHT = 240, 150  # px of each explainer's picture
SCALE = 4  # drawn this many times larger, then shrunk (anti-aliasing)
RED, BLUE, GREY, INK, PAPER = (255, 75, 75), (99, 110, 250), (190, 194, 204), (49, 51, 63), (255, 255, 255)


def _canvas(width: int = WIDTH, height: int = HEIGHT, background=PAPER) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A blank picture SCALE times larger than it will be shown."""
    image = Image.new("RGB", (width * SCALE, height * SCALE), background)
    return image, ImageDraw.Draw(image)


def _shrunk(image: Image.Image) -> Image.Image:
    """The picture at its shown size."""
    return image.resize((image.width // SCALE, image.height // SCALE), Image.Resampling.LANCZOS)


def _box(draw: ImageDraw.ImageDraw, left: float, top: float, right: float, bottom: float, **style) -> None:
    """A rectangle given at shown size."""
    draw.rectangle([left * SCALE, top * SCALE, right * SCALE - 1, bottom * SCALE - 1], **style)


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], colour=INK) -> None:
    """A line from start to end with a head at end (coordinates at shown size)."""
    (x0, y0), (x1, y1) = start, end
    s = SCALE
    draw.line([(x0 * s, y0 * s), (x1 * s, y1 * s)], fill=colour, width=2 * s)
    direction = np.array([x1 - x0, y1 - y0], dtype=float)
    direction /= np.linalg.norm(direction)
    normal = np.array([-direction[1], direction[0]])
    tip = np.array([x1, y1])
    corners = [tip, tip - 6 * direction + 3.5 * normal, tip - 6 * direction - 3.5 * normal]
    draw.polygon([(float(x) * s, float(y) * s) for x, y in corners], fill=colour)


def draw_icon(size: int = ICON_SIZE) -> Image.Image:
    """The favicon: one recurrent cell with its loop, unrolled into a row of the same cell."""
    image = Image.new("RGBA", (size * SCALE, size * SCALE), (0, 0, 0, 0))  # transparent outside the tile
    draw = ImageDraw.Draw(image)
    s, u = SCALE, size / 64  # u: one unit of a 64-px design
    draw.rounded_rectangle([0, 0, size * s - 1, size * s - 1], radius=14 * u * s, fill=RED)
    for i, x in enumerate((10, 27, 44)):  # three copies of one cell, left to right
        box = [x * u * s, 30 * u * s, (x + 10) * u * s, 42 * u * s]
        draw.rounded_rectangle(box, radius=3 * u * s, fill=PAPER)
        if i:  # the state passed from the cell before
            draw.line([((x - 7) * u * s, 36 * u * s), (x * u * s, 36 * u * s)], fill=PAPER, width=int(3 * u * s))
    draw.arc([8 * u * s, 12 * u * s, 22 * u * s, 32 * u * s], 180, 360, fill=PAPER, width=int(3 * u * s))
    draw.line([(8 * u * s, 22 * u * s), (8 * u * s, 30 * u * s)], fill=PAPER, width=int(3 * u * s))
    draw.line([(22 * u * s, 22 * u * s), (22 * u * s, 30 * u * s)], fill=PAPER, width=int(3 * u * s))
    return _shrunk(image)


def rnn_picture() -> Image.Image:
    """One cell copied at every step: inputs below, outputs above, the state carried left to right."""
    image, draw = _canvas()
    s = SCALE
    steps = 4
    for t in range(steps):
        x = 22 + t * 54
        draw.rounded_rectangle([x * s, 55 * s, (x + 34) * s, 95 * s], radius=6 * s, fill=RED)
        _arrow(draw, (x + 17, 132), (x + 17, 99))  # x_t in
        draw.ellipse([(x + 11) * s, 132 * s, (x + 23) * s, 144 * s], fill=BLUE)
        _arrow(draw, (x + 17, 53), (x + 17, 22))  # y_t out
        draw.ellipse([(x + 11) * s, 6 * s, (x + 23) * s, 18 * s], fill=GREY)
        if t:
            _arrow(draw, (x - 20, 75), (x - 2, 75))  # h_(t-1) -> the same cell
    return _shrunk(image)


def _heat(values: np.ndarray, box: tuple[int, int, int, int], draw: ImageDraw.ImageDraw, colour=BLUE) -> None:
    """A heatmap of `values` (0 to 1) in `box` (left, top, right, bottom at shown size): white to `colour`."""
    rows, cols = values.shape
    left, top, right, bottom = box
    w, h = (right - left) / cols, (bottom - top) / rows
    for (r, c), v in np.ndenumerate(values):
        fill = tuple(int(255 + (k - 255) * v) for k in colour)
        _box(draw, left + c * w, top + r * h, left + (c + 1) * w - 0.5, top + (r + 1) * h - 0.5, fill=fill)


def transformer_picture() -> Image.Image:
    """Attention of a reversal: each output position looks at the mirrored input position (a softmax over
    distances), the anti-diagonal the page's live race grows."""
    image, draw = _canvas()
    n = 7
    query, key = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    logits = -1.5 * np.abs((n - 1 - query) - key)
    weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    _heat(weights / weights.max(), (45, 8, 195, 142), draw)
    return _shrunk(image)


def gpt_picture() -> Image.Image:
    """Next-character probabilities at one step: a softmax at temperature 1 and, cut by top-k, the kept few."""
    image, draw = _canvas()
    logits = -0.55 * np.arange(12) ** 1.1
    p = np.exp(logits) / np.exp(logits).sum()
    for i, value in enumerate(p):
        x, height = 20 + i * 17.5, max(125 * value / p.max(), 1.0)
        colour = RED if i < 4 else GREY  # top-k = 4 keeps these
        _box(draw, x, 140 - height, x + 13, 140, fill=colour)
    return _shrunk(image)


def _stored_digits() -> np.ndarray | None:
    """The PixelCNN's shipped grid of samples (n, 28, 28) from its checkpoint's readable JSON, or None."""
    from engine.common.checkpoint import ASSETS  # here, not at the top: app.py imports this module for its icon

    try:
        stored = json.loads((ASSETS / "density.json").read_text())["shown"]["gallery"]["images"]
        packed = np.stack([np.frombuffer(bytes.fromhex(h), dtype=np.uint8) for h in stored])
        return np.unpackbits(packed, axis=1)[:, : 28 * 28].reshape(-1, 28, 28)
    except (OSError, KeyError, TypeError, ValueError):  # no picture is better than no home page
        return None


def density_picture() -> Image.Image:
    """Eight digits the shipped PixelCNN drew (the page's first grid), white on black as it draws them."""
    image, draw = _canvas()
    digits = _stored_digits()
    size, gap = 52, 6
    for i in range(8):
        left, top = 7 + (i % 4) * (size + gap), 16 + (i // 4) * (size + gap)
        box = [left * SCALE, top * SCALE, (left + size) * SCALE - 1, (top + size) * SCALE - 1]
        draw.rectangle(box, fill=INK)
        if digits is not None and i < len(digits):
            pixels = Image.fromarray((digits[i] * 255).astype(np.uint8)).resize((size * SCALE, size * SCALE))
            image.paste(pixels.convert("RGB"), box[:2])
    return _shrunk(image)


def convolution_picture() -> Image.Image:
    """A signal, one kernel window on it, and the output the same kernel gives at every position."""
    image, draw = _canvas()
    signal = np.sin(np.linspace(0, 3 * np.pi, 14)) + 0.3 * np.cos(np.linspace(0, 11, 14))
    kernel = np.array([1.0, 0.0, -1.0])  # an edge detector: output = slope
    output = np.convolve(signal, kernel[::-1], mode="valid")
    for row, values, colour, top in ((0, signal, BLUE, 10), (1, output, RED, 95)):
        for i, v in enumerate(values):
            x = 15 + (i + row) * 15.5
            shade = 0.25 + 0.75 * (v - values.min()) / np.ptp(values)
            fill = tuple(int(255 + (k - 255) * shade) for k in colour)
            _box(draw, x, top, x + 13, top + 42, fill=fill)
    window = 15 + 5 * 15.5
    _box(draw, window - 3, 6, window + 3 * 15.5 + 1, 56, outline=INK, width=3 * SCALE)
    _arrow(draw, (window + 23, 60), (window + 23, 91))
    return _shrunk(image)


PICTURES = {
    "pages/rnn.py": rnn_picture,
    "pages/transformer.py": transformer_picture,
    "pages/gpt.py": gpt_picture,
    "pages/density.py": density_picture,
    "pages/convolution.py": convolution_picture,
}


@st.cache_resource(show_spinner=False)  # drawn once per server; a PIL image is never changed after
def picture(path: str) -> Image.Image:
    """The picture of the explainer at `path` (its file under pages/)."""
    return PICTURES[path]()


if __name__ == "__main__":
    draw_icon().save(ICON_PATH, optimize=True)
    print(f"wrote {ICON_PATH} ({ICON_PATH.stat().st_size} bytes)")
