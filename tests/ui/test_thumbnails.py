"""The pictures the app draws itself: the favicon file is what the code draws, each explainer's picture is
its own, and the density picture shows the digits the shipped PixelCNN drew."""

import ast
import json
from pathlib import Path

import numpy as np
from PIL import Image

from engine.common.checkpoint import ASSETS
from engine.density.explain import unpack_gallery
from ui import thumbnails
from ui.navigation import EXPLAINERS

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_icon_is_what_the_code_draws_and_small():
    shipped = Image.open(thumbnails.ICON_PATH)
    assert shipped.size == (thumbnails.ICON_SIZE, thumbnails.ICON_SIZE)
    assert np.array_equal(np.asarray(shipped.convert("RGBA")), np.asarray(thumbnails.draw_icon()))
    assert thumbnails.ICON_PATH.stat().st_size < 4_000


def test_the_app_passes_the_icon_file_not_a_font_icon():
    """A `:material/...` page icon is fetched from Google's font host; a file is served by the app itself."""
    tree = ast.parse((ROOT / "app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "set_page_config"]
    (icon,) = [k.value for c in calls for k in c.keywords if k.arg == "page_icon"]
    assert isinstance(icon, ast.Name) and icon.id == "ICON_PATH"
    assert thumbnails.ICON_PATH.is_file() and thumbnails.ICON_PATH.is_relative_to(ROOT)


def test_each_explainer_has_its_own_picture_of_the_same_size():
    assert list(thumbnails.PICTURES) == [e.path for e in EXPLAINERS]
    pictures = [np.asarray(thumbnails.PICTURES[path]()) for path in thumbnails.PICTURES]
    for picture in pictures:
        assert picture.shape == (thumbnails.HEIGHT, thumbnails.WIDTH, 3)
        assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 8  # drawn, not a blank
    for i, a in enumerate(pictures):
        for b in pictures[i + 1 :]:
            assert not np.array_equal(a, b)


def _tiles(picture: np.ndarray, count: int) -> np.ndarray:
    """The 28x28 pixels read back from the first `count` tiles of the density picture (at each pixel's centre)."""
    size, gap, side = 52, 6, 28
    centres = ((np.arange(side) + 0.5) * size / side).astype(int)
    grey = picture.mean(axis=2)
    out = []
    for i in range(count):
        left, top = 7 + (i % 4) * (size + gap), 16 + (i // 4) * (size + gap)
        out.append(grey[top + centres][:, left + centres] > 128)
    return np.stack(out)


def test_the_density_picture_shows_the_shipped_samples():
    stored = json.loads((ASSETS / "density.json").read_text())["shown"]["gallery"]
    drawn = unpack_gallery(stored).images[:, 0].numpy().astype(bool)  # the engine's own decoder: (16, 28, 28)
    shown = _tiles(np.asarray(thumbnails.density_picture()), 8)
    assert (shown == drawn[:8]).mean() > 0.99
    assert (shown == drawn[8:]).mean() < (shown == drawn[:8]).mean() - 0.05  # the right samples, not any digits
