"""`python -m benchmarks --quick` runs and writes rows in the documented format (no timing asserted)."""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmarks_write_valid_rows(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out.read_text())
    expected = {
        "fcn_scan_ms",
        "gpt_sample_kv_vs_naive",
        "gpt_sample_vs_hf",
        "gpt_score_chars_per_s",
        "gpt_score_peak_fraction",
        "density_grid_s",
        "density_score_ms",
        "translator_shipped_decoding_ms",
        "translator_checkpoint_mb",
        "translator_greedy_ms",
        "translator_cached_vs_uncached",
        "page_rerun_ms_empty",
        "cold_start_s",
        "server_rss_mb",
        "session_rss_mb",
    } | {f"page_rerun_ms_{page}" for page in ("home", "convolution", "rnn", "transformer", "gpt", "density")}
    assert expected <= {r["name"] for r in rows}
    by_name = {r["name"]: r for r in rows}
    for row in rows:
        assert set(row) == {"name", "value", "unit", "baseline", "ratio", "note"}
        if row["unit"] == "skipped":  # only where Chromium or the Ding dictionary is missing, never in CI
            assert not os.environ.get("CI"), row
            continue
        assert isinstance(row["value"], float) and math.isfinite(row["value"])
        if row["name"] != "session_rss_mb":  # a difference of two memory readings can be zero or below
            assert row["value"] > 0, row
        if row["ratio"] is not None:
            assert row["ratio"] > 0 and row["baseline"] > 0
    # each row measured what its note says, at the --quick settings
    notes = {name: by_name[name]["note"] for name in by_name if by_name[name]["unit"] != "skipped"}
    expectations = {
        "gpt_sample_kv_vs_naive": "200 characters;",
        "gpt_score_chars_per_s": "10,000 characters of modern test text",
        "fcn_scan_ms": "64x256 picture",
        "server_rss_mb": "after home and 1 explainer (convolution)",
        "density_grid_s": "16 samples of 28x28",
        "session_rss_mb": "opening the GPT page; one session",
    }
    for name, words in expectations.items():
        if name in notes:
            assert words in notes[name], (name, notes[name])
    if "translator_greedy_ms" in notes:
        assert re.match(r"median over 5 greedy decodes of 5 10-word sentences", notes["translator_greedy_ms"])
    if "translator_shipped_decoding_ms" in notes:
        assert (
            "beam 4" in notes["translator_shipped_decoding_ms"]
            and "2 10-word" in notes["translator_shipped_decoding_ms"]
        )
    for page in ("convolution", "rnn", "transformer", "gpt", "density"):
        if f"page_rerun_ms_{page}" in notes:
            assert "slider '" in notes[f"page_rerun_ms_{page}"]


def test_the_load_test_drives_every_page_through_the_protocol(tmp_path, app_server):
    """Two protocol clients for a few seconds against a real server (the session's, which the browser
    tests use too), then again while a third visitor's live race trains: reruns happen, the race runs
    throughout, nothing fails."""
    url, proc = app_server
    out = tmp_path / "load.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            "--sessions",
            "2",
            "--seconds",
            "8",
            "--settle",
            "0",
            "--live",
            "--json",
            str(out),
            "--server",
            url.rsplit(":", 1)[1],
            str(proc.pid),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    runs = json.loads(out.read_text())
    assert [r["live"] for r in runs] == [False, True]  # the second window ran while a live race trained
    for run in runs:  # its errors would include a race that was not running for the whole window
        assert run["sessions"] == 2 and run["errors"] == []
        assert run["reruns"] >= 2 and run["p50_ms"] > 0
        assert run["rss_peak_mb"] >= run["rss_before_mb"] > 100
