"""`python -m engine.sample density`: PNG files of the samples, and the judge's reading of them as JSON."""

import json

import numpy as np
import torch
from PIL import Image

from engine import sample
from engine.density import train
from engine.density.draw import draw
from engine.density.pixelcnn import NONE


def test_samples_are_written_as_pngs_the_judge_reads_as_printed(tmp_path, capsys):
    out = tmp_path / "samples"
    assert sample.main(["density", "--n", "3", "--seed", "4", "--temperature", "0.9", "--out", str(out)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["files"] == ["sample-000.png", "sample-001.png", "sample-002.png"] and line["n"] == 3
    trained, _ = train.load()
    expected = draw(trained.pixelcnn, 3, 0.9, 4, NONE).images
    for i, name in enumerate(line["files"]):
        image = Image.open(out / name)
        assert image.mode == "L" and image.size == (28, 28)
        pixels = np.asarray(image)
        assert set(np.unique(pixels)) <= {0, 255}  # white strokes on black
        assert np.array_equal(pixels // 255, expected[i, 0].numpy())
    read = torch.from_numpy(np.stack([np.asarray(Image.open(out / n)) // 255 for n in line["files"]]))[:, None]
    with torch.inference_mode():
        p = torch.softmax(trained.judge(read), -1)
    assert line["labels"] == p.argmax(-1).tolist()
    assert line["probabilities"] == [round(float(v), 4) for v in p.max(-1).values]


def test_a_chosen_digit_and_bad_arguments(tmp_path, capsys):
    assert sample.main(["density", "--n", "2", "--digit", "7", "--out", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["digit"] == 7
    for bad in (["--n", "0"], ["--digit", "10"]):
        try:
            sample.main(["density", *bad, "--out", str(tmp_path)])
        except SystemExit as exit_:
            assert exit_.code == 2
        else:
            raise AssertionError(bad)
    assert sample.main(["density", "--temperature", "0", "--out", str(tmp_path)]) == 2
    assert "above 0" in capsys.readouterr().err
