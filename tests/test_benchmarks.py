"""`python -m benchmarks --quick` runs and writes rows in the documented format (no timing asserted)."""

import json
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
        "page_rerun_ms_empty",
        "page_rerun_ms_convolution",
        "page_rerun_ms_rnn",
        "page_rerun_ms_transformer",
    }
    assert expected <= {r["name"] for r in rows}
    for row in rows:
        assert set(row) == {"name", "value", "unit", "baseline", "ratio", "note"}
        assert isinstance(row["value"], float) and row["value"] > 0
