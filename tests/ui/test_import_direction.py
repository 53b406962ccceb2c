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


def _calls_to(name: str, path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
    ]


def test_torch_threads_are_set_once_at_start_never_per_request():
    """Only at module level of the loaders (once per server) and in the training CLI's main()."""
    allowed = {"ui/loaders.py", "engine/train.py"}
    for layer in ("engine", "ui", "pages"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative not in allowed:
                assert not _calls_to("set_num_threads", path), relative
    loaders = ast.parse((ROOT / "ui" / "loaders.py").read_text())
    top_level = [n for n in loaders.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert any(getattr(n.value.func, "attr", "") == "set_num_threads" for n in top_level)
