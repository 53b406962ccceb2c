"""The one law: imports flow pages -> ui -> engine, never back; engine imports no UI library."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "engine": {"streamlit", "plotly", "altair", "matplotlib", "ui", "pages"},
    "ui": {"pages"},
    "pages": set(),
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_flow_one_way(layer):
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files, f"no files in {layer}/"
    for path in files:
        bad = imported_roots(path) & FORBIDDEN[layer]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_app_is_only_the_frame():
    assert imported_roots(ROOT / "app.py") <= {"streamlit", "ui"}


def test_checker_catches_a_backward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom ui.charts import x\n")
    assert imported_roots(bad) >= {"streamlit", "ui"}
