"""Faults: a training killed while it saves, missing or corrupt checkpoints, shared weights."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.common.checkpoint import CheckpointError, checkpoint_path
from engine.convolution import digits

ROOT = Path(__file__).resolve().parents[3]

# Train a tiny digits model, but make the weights file stall halfway through being written, so the
# parent can kill the process at the worst moment.
STALLING_TRAIN = """
import sys, time
import engine.common.checkpoint as checkpoint

real_save = checkpoint.save_file

def stalling_save(tensors, path, metadata=None):
    real_save(tensors, path, metadata=metadata)
    data = open(path, "rb").read()
    with open(path, "wb") as f:  # leave half a file where the rename has not happened yet
        f.write(data[: len(data) // 2])
    print("HALF-WRITTEN", flush=True)
    time.sleep(120)

checkpoint.save_file = stalling_save
from engine import train
sys.exit(train.main(sys.argv[1:]))
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_training_killed_mid_save_leaves_the_previous_checkpoint_intact(tmp_path):
    out = tmp_path / "digits.safetensors"
    first = subprocess.run(
        [sys.executable, "-m", "engine.train", "digits", "--epochs", "1", "--channels1", "4", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    before, before_json = _digest(out), out.with_suffix(".json").read_text()
    proc = subprocess.Popen(
        [sys.executable, "-c", STALLING_TRAIN, "digits", "--epochs", "1", "--channels1", "6", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "HALF-WRITTEN"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert _digest(out) == before and out.with_suffix(".json").read_text() == before_json
    model, meta = digits.load(out)  # still loads, and is the first model
    assert meta["config"]["channels1"] == 4 and model.features[0].out_channels == 4


def test_missing_and_corrupt_checkpoints_name_the_rebuild_command(tmp_path):
    missing = tmp_path / "digits.safetensors"
    with pytest.raises(CheckpointError, match=r"missing\. Rebuild it with: python -m engine.train digits"):
        digits.load(missing)
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(checkpoint_path("digits").read_bytes()[:1000])
    with pytest.raises(CheckpointError, match=r"unreadable .*Rebuild it with: python -m engine.train digits"):
        digits.load(corrupt)
    corrupt.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}" + b"\x00" * 10)  # a header without our metadata
    with pytest.raises(CheckpointError, match="Rebuild it with"):
        digits.load(corrupt)
