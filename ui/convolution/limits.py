"""Every numeric control of the Convolution & FCN page: range, default and step, declared once.

Keys are the URL parameters of the controls that a link carries; the others are named by their widget.
"""

from __future__ import annotations

from engine.common.inputs import IMAGE_FORMATS
from engine.convolution.convolutionize import LayerShape
from engine.convolution.detect import CANVAS_HEIGHT
from engine.convolution.digits import WINDOW
from ui.widgets import Limit

SHAPE = LayerShape()  # the notes' example is the starting shape
MAX_SIGNAL = 256  # numbers a typed input may hold
MAX_KERNEL = 15  # weights a custom kernel may hold
UPLOAD_TYPES = [t for f in IMAGE_FORMATS for t in ({"JPEG": ["jpg", "jpeg"]}.get(f) or [f.lower()])]

LIMITS: dict[str, Limit] = {
    "n": Limit(4, 64, 16, 1),  # length of the generated signal
    "seed": Limit(0, 10_000, 0, 1),
    "stride": Limit(1, 4, 1, 1),
    "pad": Limit(0, 4, 0, 1),
    "dil": Limit(1, 4, 1, 1),
    "h": Limit(1, 8, SHAPE.height, 1),
    "w": Limit(1, 8, SHAPE.width, 1),
    "c": Limit(1, 64, SHAPE.channels, 1),
    "k": Limit(1, 32, SHAPE.outputs, 1),
    "extra_h": Limit(0, 8, 3, 1),  # rows added to the map for the score grid
    "extra_w": Limit(0, 8, 5, 1),
    "digits": Limit(1, 8, 7, 1),  # digits on a composed canvas: seed 0 holds a confident misread (9 as 4)
    "cseed": Limit(0, 10_000, 0, 1),
    "threshold": Limit(0.3, 0.95, 0.5, 0.05),
    "scale_height": Limit(WINDOW, 12 * WINDOW, CANVAS_HEIGHT, 1),  # an upload is scaled to this many rows
}
