"""AppTest helpers: run a page script as Streamlit would, from the repository root."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_page():
    def run(path: str, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        at.query_params.update(query or {})
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def widget(at: AppTest, kind: str, label: str):
    """The one widget of `kind` (slider, radio, ...) whose label is `label`."""
    matches = [w for w in getattr(at, kind) if w.label == label]
    assert len(matches) == 1, f"{kind} {label!r}: {len(matches)} found"
    return matches[0]


def texts(at: AppTest) -> str:
    """All markdown on the page as one string."""
    return "\n".join(m.value for m in at.markdown)


def charts(at: AppTest) -> list[dict]:
    """Every plotly chart on the page as a dict (title, data), typed arrays decoded to numpy."""
    import base64
    import json

    import numpy as np

    def decode(value):
        if isinstance(value, dict) and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = [int(n) for n in str(value.get("shape", len(array))).split(",")]
            return array.reshape(shape)
        return value

    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("layout", {}).get("title", {}).get("text", "")
        out.append({"title": title, "data": [{k: decode(v) for k, v in trace.items()} for trace in spec["data"]]})
    return out


def keep_downloads(monkeypatch, *modules) -> dict:
    """{file name: DataFrame} filled as the page runs: each module's `download_csv` is wrapped so every CSV a
    visitor could download is also read back here (as the file they would get), then offered as before."""
    import io

    import pandas as pd

    files = {}
    for module in modules:
        original = module.download_csv

        def keep(frame, label, file_name, key, original=original):
            files[file_name] = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
            original(frame, label, file_name, key)

        monkeypatch.setattr(module, "download_csv", keep)
    return files
