"""The upload validation layer: good images and text pass, bad ones get a clear InputError."""

import io

import pytest
from PIL import Image

from engine.common.inputs import MAX_UPLOAD_BYTES, InputError, decode_text, load_image, parse_numbers


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_allowed_formats_load(fmt):
    image = load_image(encode(Image.new("RGB", (20, 10), (200, 10, 10)), fmt))
    assert image.size == (20, 10) and image.mode in ("L", "RGB")


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "I;16", "CMYK", "1"])
def test_modes_are_converted(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    image = load_image(encode(Image.new(mode, (9, 9)), fmt))
    assert image.mode in ("L", "RGB")


def test_transparent_pixels_become_white():
    image = load_image(encode(Image.new("RGBA", (4, 4), (0, 0, 0, 0)), "PNG"))
    assert image.getpixel((0, 0)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = encode(Image.new("RGB", (30, 10)), "JPEG", exif=exif)
    assert load_image(data).size == (10, 30)


BAD = {
    "empty": (b"", "empty"),
    "text": (b"hello, this is not an image", "not an image"),
    "html": (b"<script>alert(1)</script>", "not an image"),
    "bmp": (encode(Image.new("RGB", (4, 4)), "BMP"), "BMP"),
    "truncated png": (encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")[:60], "damaged or truncated"),
    "too large": (b"\x89PNG" + b"\x00" * MAX_UPLOAD_BYTES, "limit"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_images_are_refused_with_a_reason(name):
    data, reason = BAD[name]
    with pytest.raises(InputError, match=reason):
        load_image(data)


def test_decompression_bomb_is_refused_before_decoding():
    data = encode(Image.new("1", (6000, 6000)), "PNG")  # 36 MP of zeros: a few kB on disk
    assert len(data) < 100_000
    with pytest.raises(InputError, match=r"million pixels|decompression"):
        load_image(data)


def test_text_decoding():
    assert decode_text("caf\u00e9".encode()) == "café"
    assert decode_text(b"\xef\xbb\xbfhi") == "hi"
    assert decode_text("hé".encode("utf-16")) == "hé"
    assert decode_text("e\u0301".encode()) == "\u00e9"  # NFC
    for data, reason in (
        (b"", "empty"),
        (b"  \n\t", "white space"),
        (b"a\x00b", "NUL"),
        (b"\xff\xfeabc"[2:] + b"\xc3", "UTF-8"),
    ):
        with pytest.raises(InputError, match=reason):
            decode_text(data)


def test_parse_numbers():
    assert parse_numbers("1, 2.5 -3;4", "x", 10) == [1.0, 2.5, -3.0, 4.0]
    for text, reason in (("", "at least"), ("1, a", "Item 2"), ("1 nan", "finite"), ("1 " * 11, "at most")):
        with pytest.raises(InputError, match=reason):
            parse_numbers(text, "x", 10)


def test_a_refusal_keeps_its_english_and_carries_its_key_and_fields():
    """str(error) is the sentence the command line prints; the key and fields let a page say it in Korean."""
    with pytest.raises(InputError) as big:
        decode_text(b"x" * (3 * 2**20 + 2**19), "data file", max_bytes=2**20)
    assert str(big.value) == "The data file is 3.5 MB; the limit is 1 MB."
    assert big.value.key == "common.errors.too_big"
    assert big.value.params == {"what": "data file", "size": 3.5, "limit": 1.0}
    with pytest.raises(InputError) as lines:
        decode_text(b"a\n" * 1500, max_lines=1000)
    assert str(lines.value) == "The text file has 1,501 lines; the limit is 1,000."
    with pytest.raises(InputError) as item:
        parse_numbers("1, 2, x", "kernel", 5)
    assert str(item.value) == "Item 3 of the kernel is not a number."
    assert (item.value.key, item.value.params) == ("common.errors.not_a_number", {"item": 3, "what": "kernel"})
