"""One validation layer for everything a user supplies: uploads in the pages and `--data` files.

Every refusal raises InputError whose message is a sentence meant for the user. Nothing here
touches the file system: callers pass bytes, and a user's file name is only ever displayed.
"""

from __future__ import annotations

import io
import math
import unicodedata
import warnings
from collections.abc import Callable
from typing import TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.common.messages import Keyed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_IMAGE_PIXELS = 25_000_000  # larger images are refused before they are decoded
MAX_LINES = 1_000_000  # lines in one text or TSV file (a word-per-line TSV of 10 MB has about that many)
IMAGE_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
T = TypeVar("T")


class InputError(Keyed, ValueError):
    """User input was refused; str(error) is the message to show them (English; `key` for other languages)."""


def _check_size(data: bytes, what: str, max_bytes: int) -> None:
    if len(data) == 0:
        raise InputError("The {what} is empty (0 bytes).", key="common.errors.empty", what=what)
    if len(data) > max_bytes:
        raise InputError(
            "The {what} is {size:.1f} MB; the limit is {limit:.0f} MB.",
            key="common.errors.too_big",
            what=what,
            size=len(data) / 2**20,
            limit=max_bytes / 2**20,
        )


def load_image(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> Image.Image:
    """Decode an uploaded image by its content; return it upright in mode "L" or "RGB"."""
    _check_size(data, "image file", max_bytes)
    allowed = ", ".join(IMAGE_FORMATS.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _check_opened(image, allowed)
            image.seek(0)  # a GIF's first frame
            image.load()
            image = ImageOps.exif_transpose(image)
    except UnidentifiedImageError as err:
        raise InputError(
            "This file is not an image that can be read; please upload {allowed}.",
            key="common.errors.not_an_image",
            allowed=allowed,
        ) from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InputError(
            "The image declares too many pixels to decode safely (a decompression bomb?).",
            key="common.errors.decompression_bomb",
        ) from err
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(
            "The image is damaged or truncated and cannot be decoded ({reason}).",
            key="common.errors.image_damaged",
            reason=str(err),
        ) from err
    if min(image.size) < 1:
        raise InputError("The image has no pixels.", key="common.errors.no_pixels")
    return _to_l_or_rgb(image)


def _check_opened(image: Image.Image, allowed: str) -> None:
    """An opened (not yet decoded) image of an allowed format and at most MAX_IMAGE_PIXELS pixels."""
    if image.format not in IMAGE_FORMATS:
        raise InputError(
            "This is a {format} image; please upload {allowed}.",
            key="common.errors.image_format",
            format=image.format,
            allowed=allowed,
        )
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise InputError(
            "The image is {width}x{height} pixels; the limit is {limit:.0f} million pixels.",
            key="common.errors.image_too_large",
            width=width,
            height=height,
            limit=MAX_IMAGE_PIXELS / 1e6,
        )


def _to_l_or_rgb(image: Image.Image) -> Image.Image:
    """Modes such as P, RGBA, LA, I;16, CMYK become L (grey) or RGB; transparency goes to white."""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda v: v / 256).convert("L")
    if image.mode == "P" or "A" in image.getbands() or image.mode == "LA":
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def decode_text(
    data: bytes, what: str = "text file", max_bytes: int = MAX_UPLOAD_BYTES, max_lines: int = MAX_LINES
) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM to NFC text; binary data is refused."""
    _check_size(data, what, max_bytes)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in data:
            raise InputError(
                "The {what} contains NUL bytes: it looks like a binary file, not text.",
                key="common.errors.nul_bytes",
                what=what,
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            "The {what} is not valid UTF-8 or UTF-16 text (bad byte at position {position}).",
            key="common.errors.not_utf",
            what=what,
            position=err.start,
        ) from err
    if "\x00" in text:  # UTF-32, or binary that happened to decode
        raise InputError(
            "The {what} contains NUL characters: it looks like a binary file, not text.",
            key="common.errors.nul_characters",
            what=what,
        )
    if not text.strip():
        raise InputError("The {what} holds only white space.", key="common.errors.blank", what=what)
    lines = text.count("\n") + 1
    if lines > max_lines:
        raise InputError(
            "The {what} has {lines:,} lines; the limit is {limit:,}.",
            key="common.errors.too_many_lines",
            what=what,
            lines=lines,
            limit=max_lines,
        )
    return unicodedata.normalize("NFC", text)


def parse_numbers(text: str, what: str, max_count: int, min_count: int = 1) -> list[float]:
    """Comma- or space-separated finite numbers, e.g. "1, 2.5, -3"."""
    fields = [f for f in text.replace(",", " ").replace(";", " ").split() if f]
    if len(fields) < min_count:
        raise InputError(
            "The {what} needs at least {least} number(s).",
            key="common.errors.too_few_numbers",
            what=what,
            least=min_count,
        )
    if len(fields) > max_count:
        raise InputError(
            "The {what} has {count} numbers; at most {most} are allowed.",
            key="common.errors.too_many_numbers",
            what=what,
            count=len(fields),
            most=max_count,
        )
    values = []
    for i, field in enumerate(fields, start=1):
        try:
            value = float(field)
        except ValueError:
            raise InputError(
                "Item {item} of the {what} is not a number.", key="common.errors.not_a_number", item=i, what=what
            ) from None
        if not math.isfinite(value) or abs(value) > 1e6:
            raise InputError(
                "Item {item} of the {what} must be a finite number within ±1,000,000.",
                key="common.errors.out_of_range",
                item=i,
                what=what,
            )
        values.append(value)
    return values


def parse_lines(text: str, parse_line: Callable[[int, str], T], nothing: str, key: str = "") -> list[T]:
    """Every non-blank line through parse_line(number, line), numbered from 1; InputError(`nothing`, key=`key`)
    if none (`nothing` is the English sentence of the tables' `key`)."""
    rows = [parse_line(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not rows:
        raise InputError(nothing, key=key)
    return rows


def tab_fields(number: int, line: str, layout: str) -> tuple[str, str]:
    """The two stripped sides of `first<TAB>rest`; InputError naming the line if there is no tab."""
    if "\t" not in line:
        raise InputError(
            "Line {number}: expected {layout}, found no tab.", key="common.errors.no_tab", number=number, layout=layout
        )
    first, rest = line.split("\t", 1)
    return first.strip(), rest.strip()


SENTIMENT = {"pos": 1, "neg": 0}  # label -> class index of a sentiment TSV


def parse_labelled_lines(text: str, numbered: bool = False, labels: dict[str, int] = SENTIMENT) -> list[tuple]:
    """`label<TAB>sentence` per line -> (sentence, labels[label][, line number]); blank lines skipped."""

    def row(number: int, line: str) -> tuple:
        label, sentence = tab_fields(number, line, f"{'|'.join(labels)}<TAB>sentence")
        if label.lower() not in labels:
            raise InputError(
                "Line {number}: the label must be {choices}, not {found}.",
                key="common.errors.bad_label",
                number=number,
                choices=" or ".join(labels),
                found=repr(label[:20]),
            )
        if not sentence:
            raise InputError("Line {number}: the sentence is empty.", key="common.errors.empty_sentence", number=number)
        return (sentence, labels[label.lower()], number) if numbered else (sentence, labels[label.lower()])

    return parse_lines(text, row, "The file has no labelled sentences.", key="common.errors.no_labelled_sentences")
