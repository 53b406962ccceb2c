"""`python -m engine.train` and `python -m engine.evaluate` as a user runs them."""

import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from engine import digits, evaluate

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_evaluate_prints_one_json_object():
    result = run("engine.evaluate", "digits", "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 360 and metrics["accuracy"] >= 0.95


def test_evaluate_on_a_user_file(tmp_path):
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    rows = [
        ",".join(str(int(v)) for v in (img.flatten() * 16).round().tolist()) + f",{int(lab)}"
        for img, lab in zip(x[:50], y[:50], strict=True)
    ]
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(rows) + "\n")
    result = run("engine.evaluate", "digits", "--data", str(path), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    model, _ = digits.load()
    assert metrics["n"] == 50
    assert metrics["accuracy"] == round(digits.accuracy(model, x[:50], y[:50]), 4)


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "pickle": pickle.dumps({"a": 1}),
        "wrong format": b"this,is,not,optdigits\n",
        "html": b"<script>alert(1)</script>\n",
        "whitespace": b"   \n\n",
        "bad label": (",".join(["0"] * 64 + ["12"]) + "\n").encode(),
        "latin-1": "caf\xe9,1\n".encode("latin-1"),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name.replace(' ', '_')}.csv"
        paths[name].write_bytes(data)
    paths["zip"] = tmp_path / "archive.txt"
    with zipfile.ZipFile(paths["zip"], "w") as z:
        z.writestr("a.txt", "hello")
    paths["missing"] = tmp_path / "does-not-exist.csv"
    paths["directory"] = tmp_path
    paths["too big"] = tmp_path / "big.csv"
    paths["too big"].write_bytes(b"0," * (5 * 2**20 + 1))
    return paths


def test_bad_data_exits_2_with_one_line(tmp_path, capsys):
    """Every bad file through the CLI's main(): status 2, nothing on stdout, one line on stderr."""
    for name, path in _bad_files(tmp_path).items():
        status = evaluate.main(["digits", "--data", str(path), "--json"])
        out, err = capsys.readouterr()
        assert status == 2, (name, err)
        assert out == "", name
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (name, err)


def test_bad_data_in_a_real_process(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = run("engine.evaluate", "digits", "--data", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_missing_checkpoint_exits_2_with_the_rebuild_command(tmp_path):
    result = run("engine.evaluate", "digits", "--checkpoint", str(tmp_path / "gone.safetensors"))
    assert result.returncode == 2
    assert "python -m engine.train digits" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["digits"])
def test_train_cli_smoke(tmp_path, name):
    out = tmp_path / f"{name}.safetensors"
    result = run("engine.train", name, "--epochs", "1", "--channels1", "4", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    tensors_model, meta = digits.load(out)
    assert meta["config"]["epochs"] == 1 and meta["config"]["channels1"] == 4
    assert meta["metrics"]["command"].endswith(f"--out {out}")
    assert isinstance(tensors_model.features[0].weight, torch.Tensor)
