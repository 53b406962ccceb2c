"""The house's size rules: short modules and short functions in engine/, ui/ and pages/."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50
FILES = sorted(p for layer in ("engine", "ui", "pages") for p in (ROOT / layer).rglob("*.py"))


def long_functions(path: Path, limit: int) -> list[str]:
    """Functions (and methods) longer than `limit` lines, decorators and docstring included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > limit
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_are_short(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines"
    assert not long_functions(path, MAX_FUNCTION_LINES)


def test_the_checker_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    return 1\n")
    assert long_functions(tmp_path / "long.py", MAX_FUNCTION_LINES) == ["long (61 lines)"]
