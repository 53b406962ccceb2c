"""A corpus of hostile and odd files, written here, shared by the engine, CLI and page tests.

Each case is (id, file name, bytes, refuse, expect). "refuse": every entry point must answer with a
one-line message that gives the reason (`expect` holds a few words of it) and nothing else breaks.
"accept": odd but legitimate; it must be processed, and `expect` is what it must decode to (the text,
or for an image its mode, size and the value every pixel must have, within `tolerance`).
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import zipfile
import zlib
from typing import NamedTuple

from PIL import Image

from engine.common.inputs import MAX_UPLOAD_BYTES


class Case(NamedTuple):
    id: str
    name: str
    data: bytes
    refuse: bool
    expect: object = None  # refused: words of the message; accepted: the decoded text or a Pixels


class Pixels(NamedTuple):
    """What an accepted image must decode to: every pixel equal to `value` (grey or RGB) within `tolerance`."""

    mode: str
    size: tuple[int, int]
    value: int | tuple[int, int, int]
    tolerance: int = 0


def _png(size=(24, 24), mode="L", colour=0) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _image(fmt: str, mode: str = "RGB", size=(24, 24), colour=128, **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _palette_png() -> bytes:
    """A palette image whose every pixel is index 7, which the palette maps to (10, 200, 30)."""
    image = Image.new("P", (24, 24), 7)
    image.putpalette([0, 0, 0] * 7 + [10, 200, 30] + [0, 0, 0] * 248)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG whose header declares width x height pixels (never decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "hello " * 100)
    return buffer.getvalue()


def _animated_gif() -> bytes:
    frames = [Image.new("L", (24, 24), c) for c in (0, 255, 128)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)> <b>bold?</b> {{7*7}} ${7*7}"
TRICKY = "a\u200bb\u200dc \u202eevil\u202c \u05e9\u05dc\u05d5\u05dd e\u0301e\u0301 \U0001f600\U0001f44d\U0001f3fd x"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PROSE = "The cat sat on the mat and looked at the dog. " * 20
LIMIT = f"the limit is {MAX_UPLOAD_BYTES // 2**20} MB"
TRICKY_NFC = TRICKY.replace("e\u0301", "\u00e9")  # what NFC makes of it, written by hand


def text_cases() -> list[Case]:
    """Files offered where a .txt is expected."""
    png = _png()
    return [
        Case("empty", "empty.txt", b"", True, "is empty (0 bytes)"),
        Case("whitespace", "blank.txt", b"  \n\t\r\n   \n", True, "only white space"),
        Case("nul-bytes", "binary.txt", b"abc\x00\x01\x02def" * 10, True, "binary file"),
        Case("latin-1", "latin1.txt", "café déjà vu, naïve".encode("latin-1"), True, "not valid UTF-8 or UTF-16"),
        Case("utf16-no-bom", "utf16.txt", "hello world".encode("utf-16-le"), True, "binary file"),
        Case("utf32-bom", "utf32.txt", "hello world".encode("utf-32"), True, "NUL characters"),
        Case(
            "utf16-lone-surrogate",
            "surrogate.txt",
            b"\xff\xfe" + b"a\x00\x00\xd8b\x00",
            True,
            "not valid UTF-8 or UTF-16",
        ),
        Case("zip-as-txt", "archive.txt", _zip(), True, "binary file"),
        Case("gzip-as-txt", "notes.txt", gzip.compress(PROSE.encode(), mtime=0), True, "binary file"),
        Case("pickle-as-txt", "model.txt", pickle.dumps({"weights": [1.0, 2.0], "os": "system"}), True, "binary file"),
        Case("png-as-txt", "picture.txt", png, True, "binary file"),
        Case("oversize", "huge.txt", b"a" * (MAX_UPLOAD_BYTES + 1), True, LIMIT),
        Case("too-many-lines", "lines.txt", b"a\n" * 1_000_001, True, "lines; the limit is 1,000,000"),
        Case(
            "html-script",
            "<script>alert(1)</script>.txt",
            (SCRIPT + "\n" + PROSE).encode(),
            False,
            SCRIPT + "\n" + PROSE,
        ),
        Case(
            "zero-width-rtl-emoji", "\u202etxt.exe", (TRICKY + "\n" + PROSE).encode(), False, TRICKY_NFC + "\n" + PROSE
        ),
        Case(
            "utf8-bom-crlf",
            "windows.txt",
            b"\xef\xbb\xbf" + PROSE.replace(". ", ".\r\n").encode(),
            False,
            PROSE.replace(". ", ".\r\n"),
        ),
        Case("utf16-bom", "utf16le.txt", PROSE.encode("utf-16"), False, PROSE),
        Case("one-long-line", "long.txt", ("word " * 200_000).encode(), False, "word " * 200_000),
        Case("odd-name", "../../etc/passwd", PROSE.encode(), False, PROSE),
    ]


def image_cases() -> list[Case]:
    """Files offered where an image is expected."""
    png = _png((40, 30), "L", 255)
    return [
        Case("empty", "empty.png", b"", True, "is empty (0 bytes)"),
        Case("truncated-png", "cut.png", png[: len(png) // 2], True, "damaged or truncated"),
        Case("corrupt-jpeg", "broken.jpg", _image("JPEG")[:200] + b"\x00garbage" * 50, True, "damaged or truncated"),
        Case("bomb", "bomb.png", _png_bomb(), True, "decompression bomb"),
        Case("bmp", "old.bmp", _image("BMP"), True, "This is a BMP image; please upload PNG, JPEG, WebP, GIF"),
        Case("tiff", "scan.tiff", _image("TIFF"), True, "This is a TIFF image"),
        Case("text-as-png", "notes.png", PROSE.encode(), True, "not an image that can be read"),
        Case("zip-as-png", "archive.png", _zip(), True, "not an image that can be read"),
        Case("pickle-as-png", "model.png", pickle.dumps([1, 2, 3]), True, "not an image that can be read"),
        Case("svg-script", "icon.png", SVG, True, "not an image that can be read"),
        Case("oversize", "huge.png", png + b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(png)), True, LIMIT),
        Case("png-named-jpg", "actually-png.jpg", png, False, Pixels("L", (40, 30), 255)),
        Case("one-pixel", "dot.png", _png((1, 1), "L", 0), False, Pixels("L", (1, 1), 0)),
        Case("animated-gif", "anim.gif", _animated_gif(), False, Pixels("RGB", (24, 24), (0, 0, 0))),
        Case(
            "rgba",
            "alpha.png",
            _image("PNG", "RGBA", colour=(200, 0, 0, 0)),
            False,
            Pixels("RGB", (24, 24), (255, 255, 255)),
        ),
        Case("palette", "palette.png", _palette_png(), False, Pixels("RGB", (24, 24), (10, 200, 30))),
        Case("sixteen-bit", "deep.png", _image("PNG", "I;16", colour=200 * 256), False, Pixels("L", (24, 24), 200)),
        Case(
            "cmyk-jpeg",
            "print.jpg",
            _image("JPEG", "CMYK", colour=(128, 0, 0, 0)),
            False,
            Pixels("RGB", (24, 24), (127, 255, 255), 6),
        ),
        Case(
            "webp", "web.webp", _image("WEBP", colour=(40, 160, 220)), False, Pixels("RGB", (24, 24), (40, 160, 220), 8)
        ),
        Case("odd-name", "<img src=x onerror=alert(1)>.png", png, False, Pixels("L", (40, 30), 255)),
    ]


def pairs_cases() -> list[Case]:
    """Files offered where an english<TAB>german TSV is expected (line numbers count from 1)."""
    return [
        Case("no-tab-line-2", "pairs.tsv", b"I see a dog.\tIch sehe einen Hund.\nno tab here\n", True, "found no tab"),
        Case("empty-german-line-3", "pairs.tsv", b"a\tb\nc\td\nThe house.\t \n", True, "the German side is empty"),
        Case("only-blank-lines", "pairs.tsv", b"\n\n   \n", True, "only white space"),
        Case("binary", "pairs.tsv", b"\x00\x01\x02\tx\n", True, "binary file"),
        Case(
            "script-pair",
            "pairs.tsv",
            f"{SCRIPT}\t{SCRIPT}\nThe dog.\tDer Hund.\n".encode(),
            False,
            [(SCRIPT, [SCRIPT]), ("The dog.", ["Der Hund."])],
        ),
    ]


def labels_cases() -> list[Case]:
    """Files offered where a pos|neg<TAB>sentence TSV is expected."""
    return [
        Case(
            "no-tab-line-2",
            "labels.tsv",
            b"pos\tA fine film.\nneg a dull film\n",
            True,
            "expected pos|neg<TAB>sentence",
        ),
        Case("wrong-label-line-1", "labels.tsv", b"good\tA fine film.\n", True, "the label must be pos or neg"),
        Case("empty-sentence-line-2", "labels.tsv", b"pos\tA fine film.\nneg\t  \n", True, "the sentence is empty"),
        Case("only-blank-lines", "labels.tsv", b"\n \n", True, "only white space"),
        Case(
            "script-sentence",
            "labels.tsv",
            f"pos\t{SCRIPT} a fine film\nneg\ta dull film\n".encode(),
            False,
            [(f"{SCRIPT} a fine film", 1), ("a dull film", 0)],
        ),
    ]


BAD_LINE = {"no-tab-line-2": 2, "empty-german-line-3": 3, "wrong-label-line-1": 1, "empty-sentence-line-2": 2}
