"""A corpus of hostile and odd files, written here, shared by the engine, CLI and page tests.

Each case is (id, file name, bytes, expectation). "refuse": every entry point must answer with a
one-line message and nothing else breaks. "accept": odd but legitimate; it must be processed.
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


def _png(size=(24, 24), mode="L", colour=0) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _image(fmt: str, mode: str = "RGB", size=(24, 24), **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, fmt, **kwargs)
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


def text_cases() -> list[Case]:
    """Files offered where a .txt is expected."""
    png = _png()
    return [
        Case("empty", "empty.txt", b"", True),
        Case("whitespace", "blank.txt", b"  \n\t\r\n   \n", True),
        Case("nul-bytes", "binary.txt", b"abc\x00\x01\x02def" * 10, True),
        Case("latin-1", "latin1.txt", "café déjà vu, naïve".encode("latin-1"), True),
        Case("utf16-no-bom", "utf16.txt", "hello world".encode("utf-16-le"), True),
        Case("utf32-bom", "utf32.txt", "hello world".encode("utf-32"), True),
        Case("utf16-lone-surrogate", "surrogate.txt", b"\xff\xfe" + b"a\x00\x00\xd8b\x00", True),
        Case("zip-as-txt", "archive.txt", _zip(), True),
        Case("gzip-as-txt", "notes.txt", gzip.compress(PROSE.encode()), True),
        Case("pickle-as-txt", "model.txt", pickle.dumps({"weights": [1.0, 2.0], "os": "system"}), True),
        Case("png-as-txt", "picture.txt", png, True),
        Case("oversize", "huge.txt", b"a" * (MAX_UPLOAD_BYTES + 1), True),
        Case("too-many-lines", "lines.txt", b"a\n" * 1_000_001, True),
        Case("html-script", "<script>alert(1)</script>.txt", (SCRIPT + "\n" + PROSE).encode(), False),
        Case("zero-width-rtl-emoji", "\u202etxt.exe", (TRICKY + "\n" + PROSE).encode(), False),
        Case("utf8-bom-crlf", "windows.txt", b"\xef\xbb\xbf" + PROSE.replace(". ", ".\r\n").encode(), False),
        Case("utf16-bom", "utf16le.txt", PROSE.encode("utf-16"), False),
        Case("one-long-line", "long.txt", ("word " * 200_000).encode(), False),
        Case("odd-name", "../../etc/passwd", PROSE.encode(), False),
    ]


def image_cases() -> list[Case]:
    """Files offered where an image is expected."""
    png = _png((40, 30), "L", 255)
    return [
        Case("empty", "empty.png", b"", True),
        Case("truncated-png", "cut.png", png[: len(png) // 2], True),
        Case("corrupt-jpeg", "broken.jpg", _image("JPEG")[:200] + b"\x00garbage" * 50, True),
        Case("bomb", "bomb.png", _png_bomb(), True),
        Case("bmp", "old.bmp", _image("BMP"), True),
        Case("tiff", "scan.tiff", _image("TIFF"), True),
        Case("text-as-png", "notes.png", PROSE.encode(), True),
        Case("zip-as-png", "archive.png", _zip(), True),
        Case("pickle-as-png", "model.png", pickle.dumps([1, 2, 3]), True),
        Case("svg-script", "icon.png", SVG, True),
        Case("oversize", "huge.png", png + b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(png)), True),
        Case("png-named-jpg", "actually-png.jpg", png, False),
        Case("one-pixel", "dot.png", _png((1, 1), "L", 0), False),
        Case("animated-gif", "anim.gif", _animated_gif(), False),
        Case("rgba", "alpha.png", _image("PNG", "RGBA"), False),
        Case("palette", "palette.png", _image("PNG", "P"), False),
        Case("sixteen-bit", "deep.png", _image("PNG", "I;16"), False),
        Case("cmyk-jpeg", "print.jpg", _image("JPEG", "CMYK"), False),
        Case("webp", "web.webp", _image("WEBP"), False),
        Case("odd-name", "<img src=x onerror=alert(1)>.png", png, False),
    ]


def pairs_cases() -> list[Case]:
    """Files offered where an english<TAB>german TSV is expected (line numbers count from 1)."""
    return [
        Case("no-tab-line-2", "pairs.tsv", b"I see a dog.\tIch sehe einen Hund.\nno tab here\n", True),
        Case("empty-german-line-3", "pairs.tsv", b"a\tb\nc\td\nThe house.\t \n", True),
        Case("only-blank-lines", "pairs.tsv", b"\n\n   \n", True),
        Case("binary", "pairs.tsv", b"\x00\x01\x02\tx\n", True),
        Case("script-pair", "pairs.tsv", f"{SCRIPT}\t{SCRIPT}\nThe dog.\tDer Hund.\n".encode(), False),
    ]


def labels_cases() -> list[Case]:
    """Files offered where a pos|neg<TAB>sentence TSV is expected."""
    return [
        Case("no-tab-line-2", "labels.tsv", b"pos\tA fine film.\nneg a dull film\n", True),
        Case("wrong-label-line-1", "labels.tsv", b"good\tA fine film.\n", True),
        Case("empty-sentence-line-2", "labels.tsv", b"pos\tA fine film.\nneg\t  \n", True),
        Case("only-blank-lines", "labels.tsv", b"\n \n", True),
        Case("script-sentence", "labels.tsv", f"pos\t{SCRIPT} a fine film\nneg\ta dull film\n".encode(), False),
    ]


BAD_LINE = {"no-tab-line-2": 2, "empty-german-line-3": 3, "wrong-label-line-1": 1, "empty-sentence-line-2": 2}
