"""Each CSV the GPT page offers is the frame its chart draws (or its text boxes show), row for row."""

import io
import math

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from engine.gpt import explain
from engine.gpt import finetune as gpt_finetune
from engine.gpt.sample import sample
from engine.gpt.score import score_text
from engine.gpt.train import load_gpt
from ui.gpt import charts
from ui.gpt.controls import Setting
from ui.gpt.pays import curve_frame, progress_frame, runs_frame
from ui.gpt.sections import Drawn, Request, samples_frame


@pytest.fixture(scope="module")
def shipped():
    return load_gpt()


def _csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as download_csv writes it, read back."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False)


def test_the_per_character_csv_is_the_surprisal_grid(shipped):
    text = "Good morrow."
    frame = explain.score_frame(score_text(shipped.trained, text))
    heat = charts.surprisal_grid(frame).data[0]
    drawn = np.array(heat.z, dtype=float).flatten()[: len(text)]
    rows = _csv(frame)
    assert rows["surprisal_bits"].to_numpy() == pytest.approx(drawn)
    model, vocab = shipped.trained.model, shipped.trained.vocab
    ids = vocab.encode("\n" + text)
    direct = F.log_softmax(model(ids[None, :-1]).logits[0], -1).gather(-1, ids[1:, None]).squeeze(-1)
    assert rows["log_prob_nats"].to_numpy() == pytest.approx(direct.double().numpy(), abs=1e-5)
    assert "".join(rows["char"].astype(str)) == text


def test_the_comparison_csv_is_the_comparison_chart(shipped):
    scores = {name: score_text(shipped.trained, t) for name, t in explain.comparison_texts("To be or not.").items()}
    frame = explain.comparison_frame(scores)
    (bars,) = charts.bpc_bars(frame, "text", "t").data
    rows = _csv(frame)
    assert dict(zip(bars.y, bars.x, strict=True)) == pytest.approx(
        dict(zip(rows["text"], rows["bits per char"], strict=True))
    )
    assert rows["characters"].tolist() == [13, 13, *(len(t) for t in explain.COMPARISON_TEXTS.values())]


def test_the_ladder_csv_is_the_ladder_chart(shipped):
    rungs = explain.gpt_rungs(shipped.trained, shipped.meta)
    frame = explain.ladder("To be or not.", rungs)
    fig = charts.bpc_bars(frame, "model", "t", color="text")
    drawn = {(t.name, m): x for t in fig.data for m, x in zip(t.y, t.x, strict=True)}
    rows = _csv(frame)
    assert drawn == pytest.approx({(r.text, r.model): r._3 for r in rows.itertuples()})


def test_the_candidates_csv_is_the_candidates_chart(shipped):
    steps = [s for _, s in sample(shipped.trained, "KING:", 5, 1.0, top_k=4, seed=1, record=True)]
    frame = explain.candidates(shipped.trained, steps[-1])
    fig = charts.candidates_chart(frame, "t")
    drawn = {x: y for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    rows = _csv(frame)
    assert list(drawn.values()) == pytest.approx(list(rows["probability"]))
    expected = torch.sort(steps[-1].probs, descending=True).values[: explain.CANDIDATES].tolist()
    assert rows["probability"].tolist() == pytest.approx(expected)  # the top of the sampler's distribution
    assert rows["status"].tolist().count("drawn") == 1 and rows["status"].tolist().count("kept") == 3


def test_the_runs_csv_is_what_the_curve_is_drawn_from():
    meta = gpt_finetune.load().meta
    runs = runs_frame(meta)
    fig = charts.finetune_curve(curve_frame(_csv(runs)), meta["history"]["zero_shot"])
    lines = {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data if t.mode == "lines+markers"}
    history = meta["history"]
    names = {
        "pretrained": "pre-trained, fine-tuned",
        "scratch": "from scratch",
        "probe": "pre-trained, frozen (linear probe)",
        "tfidf": "bag of words (tf-idf)",
    }
    for start, name in names.items():
        for size in set(history["size"]):
            accs = [
                a
                for n, s, a in zip(history["size"], history["start"], history["accuracy"], strict=True)
                if n == size and s == start
            ]
            assert lines[name][size] == pytest.approx(sum(accs) / len(accs))  # a mean by hand


def test_the_pretraining_csv_is_the_recorded_curve():
    meta = gpt_finetune.load().meta
    rows = _csv(progress_frame(meta))
    recorded = meta["history"]["pretrain_curve"]
    assert rows["minutes"].tolist() == pytest.approx([round(r["train_seconds"] / 60, 1) for r in recorded])
    assert rows["zero_shot_test"].tolist() == pytest.approx([r["zero_shot_test"] for r in recorded])
    fig = charts.pretrain_progress(progress_frame(meta))
    assert list(fig.data[0].y) == pytest.approx([r["probe_test_100"] for r in recorded])


def test_the_samples_csv_holds_the_two_texts_and_their_settings():
    settings = (Setting(0.8, 0, 1.0), Setting(1.2, 5, 0.9))
    drawn = Drawn(Request("KING:", 3, 0, settings), ("abc", "xyz"), ())
    rows = _csv(samples_frame(drawn))
    assert rows.to_dict("list") == {
        "setting": ["A", "B"],
        "settings": ["temperature 0.8, no top-k, no top-p", "temperature 1.2, top-k 5, top-p 0.9"],
        "prompt": ["KING:", "KING:"],
        "text": ["abc", "xyz"],
    }
    assert math.isclose(settings[1].top_p, 0.9)
