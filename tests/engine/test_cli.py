"""`python -m engine.train` and `python -m engine.evaluate` as a user runs them."""

import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from engine import evaluate
from engine.convolution import digits

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def evaluate_main(capsys, *args: str) -> subprocess.CompletedProcess:
    """`python -m engine.evaluate ARGS` through its main() in this process (a real process is started
    by the tests that say so): the same status and output, without loading torch again."""
    status = evaluate.main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["engine.evaluate", *args], status, out, err)


def test_evaluate_prints_one_json_object():
    result = run("engine.evaluate", "digits", "--json")  # a real process, as a user runs it
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 360 and metrics["accuracy"] >= 0.95


def test_evaluate_on_a_user_file(tmp_path, capsys):
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    rows = [
        ",".join(str(int(v)) for v in (img.flatten() * 16).round().tolist()) + f",{int(lab)}"
        for img, lab in zip(x[:50], y[:50], strict=True)
    ]
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(rows) + "\n")
    result = evaluate_main(capsys, "digits", "--data", str(path), "--json")
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


def test_missing_checkpoint_exits_2_with_the_rebuild_command(tmp_path, capsys):
    result = evaluate_main(capsys, "digits", "--checkpoint", str(tmp_path / "gone.safetensors"))
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


def test_gpt_scores_a_user_text_file(tmp_path, capsys):
    path = tmp_path / "speech.txt"
    text = "Friends, Romans, countrymen, lend me your ears;\nI come to bury Caesar, not to praise him.\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())  # with a BOM, which is not part of the text
    result = evaluate_main(capsys, "gpt", "--data", str(path), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["n_chars"] == len(text)
    assert 0.5 < metrics["bits_per_char"] < 4.0


def test_gpt_sentiment_and_density_take_user_files(tmp_path, capsys):
    labelled = tmp_path / "reviews.tsv"
    labelled.write_text("pos\tA warm, funny and moving film.\nneg\tTedious, ugly and far too long.\n")
    assert evaluate.main(["gpt_sentiment", "--data", str(labelled), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 2
    folder = tmp_path / "images"
    folder.mkdir()
    from PIL import Image

    Image.new("L", (16, 16), 0).save(folder / "blank.png")
    (folder / "notes.txt").write_text("not an image")
    assert evaluate.main(["density", "--data", str(folder), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["images"]
    assert [r["name"] for r in rows] == ["blank.png", "notes.txt"]
    assert rows[0]["bits_per_dim"] > 0 and "error" in rows[1]


@pytest.mark.parametrize("name", ["gpt", "gpt_sentiment", "density"])
def test_bad_data_for_the_generative_models_exits_2(tmp_path, capsys, name):
    for label, path in _bad_files(tmp_path).items():
        if name == "density" and label == "directory":
            continue  # density reads folders: tmp_path holds no image, which is its own error below
        status = evaluate.main([name, "--data", str(path), "--json"])
        out, err = capsys.readouterr()
        if name == "gpt" and label in ("wrong format", "html", "bad label"):
            assert status in (0, 2), (label, err)  # readable text is scored, whatever it says
            continue
        assert status == 2, (name, label, err)
        assert out == "" and len(err.strip().splitlines()) == 1, (name, label, err)
    assert evaluate.main(["density", "--data", str(tmp_path), "--json"]) == 2


def test_translator_cli_per_sentence_with_several_references(tmp_path, capsys):
    from engine.translator.scores import is_exact, sentence_chrf
    from engine.translator.train import TRANSFORMER

    path = tmp_path / "mine.tsv"
    path.write_text("The door is open.\tDie Tür ist offen.\tDie Tür steht offen.\nHello!\tHallo!\n", encoding="utf-8")
    assert evaluate.main(["translator", "--data", str(path), "--per-sentence", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["decoding"] == TRANSFORMER.decoding and set(out) >= {"bleu", "chrf", "exact"}
    hyps = TRANSFORMER.best(TRANSFORMER.load()[0], ["The door is open.", "Hello!"])
    assert [r["hypothesis"] for r in out["rows"]] == hyps
    first = out["rows"][0]
    assert first["references"] == ["Die Tür ist offen.", "Die Tür steht offen."]
    assert first["chrf"] == sentence_chrf(hyps[0], first["references"]) and first["exact"] == is_exact(
        hyps[0], first["references"]
    )
    assert out["exact"] == sum(r["exact"] for r in out["rows"]) / 2


def test_per_sentence_is_only_for_translators(capsys):
    with pytest.raises(SystemExit) as stop:
        evaluate.main(["digits", "--per-sentence"])
    assert stop.value.code == 2 and "for the translators" in capsys.readouterr().err
