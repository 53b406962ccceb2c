"""The house rules: imports flow pages -> ui -> engine, never back; engine imports no UI library;
each topic lives in engine/<topic>/ and ui/<topic>/ over engine/common/, and no topic imports another."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "engine": {"streamlit", "plotly", "altair", "matplotlib", "ui", "pages"},
    "ui": {"pages"},
    "pages": set(),
}


TOPICS = ("convolution", "rnn", "translator", "gpt", "density")
SHARED_UI = {"ui.frame", "ui.widgets", "ui.figures", "ui.charts", "ui.loaders", "ui.navigation", "ui.live", "ui.text"}
# Model modules: a network and its config, nothing else; they import only torch and engine.common.
MODEL_MODULES = (
    "engine/rnn/elman.py",
    "engine/translator/transformer.py",
    "engine/translator/gru.py",
    "engine/convolution/digits_model.py",
    "engine/gpt/model.py",
    "engine/density/pixelcnn.py",
)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, dotted; `from a import b` counts as a.b too (b may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def topics_imported(path: Path, layer: str) -> set[str]:
    """The topic packages of `layer` (engine or ui) that the file imports."""
    return {
        name.split(".")[1]
        for name in imported_modules(path)
        if name.split(".")[0] == layer and len(name.split(".")) > 1
    } & set(TOPICS)


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


def test_pages_import_only_ui():
    for path in sorted((ROOT / "pages").glob("*.py")):
        assert "engine" not in imported_roots(path), path.name


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_an_engine_and_a_ui_package(topic):
    assert (ROOT / "engine" / topic / "__init__.py").exists()
    assert (ROOT / "ui" / topic / "sections.py").exists()
    assert (ROOT / "ui" / topic / "charts.py").exists()


@pytest.mark.parametrize("topic", TOPICS)
def test_no_topic_imports_another(topic):
    for layer in ("engine", "ui"):
        for path in sorted((ROOT / layer / topic).rglob("*.py")):
            relative = path.relative_to(ROOT)
            assert topics_imported(path, "engine") <= {topic}, relative
            assert topics_imported(path, "ui") <= {topic}, relative
            if layer == "ui":
                others = {
                    ".".join(m.split(".")[:2])
                    for m in imported_modules(path)
                    if m.startswith("ui.") and m.split(".")[1] not in TOPICS
                }
                assert others <= SHARED_UI, f"{relative} imports {sorted(others - SHARED_UI)}"


def test_engine_common_imports_no_topic():
    for path in sorted((ROOT / "engine" / "common").rglob("*.py")):
        assert not topics_imported(path, "engine"), path.relative_to(ROOT)


def test_only_the_loaders_and_the_cli_see_every_topic():
    allowed = {"ui/loaders.py", "engine/registry.py", "engine/experiment.py"}
    for layer in ("engine", "ui"):
        for path in sorted((ROOT / layer).glob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative not in allowed:
                assert len(topics_imported(path, layer) | topics_imported(path, "engine")) <= 1, relative


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_a_model_module_imports_only_torch_and_common(module):
    imported = imported_modules(ROOT / module)
    roots = {name.split(".")[0] for name in imported}
    assert roots <= {"__future__", "math", "dataclasses", "typing", "collections", "torch", "engine"}, roots
    assert all(name.startswith("engine.common") for name in imported if name.startswith("engine")), imported


def test_the_topic_checker_sees_a_cross_topic_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from engine.rnn import charlm\nfrom engine.common import metrics\nimport ui.gpt.charts\n")
    assert topics_imported(bad, "engine") == {"rnn"}
    assert topics_imported(bad, "ui") == {"gpt"}


def _calls_to(name: str, path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
    ]


def test_torch_threads_are_set_once_at_start_never_per_request():
    """Only at module level of the loaders (once per server), in the training and experiment CLIs' main() and
    at the start of a live training's own child process (never in the server's)."""
    allowed = {
        "ui/loaders.py",
        "engine/train.py",
        "engine/experiment.py",
        "ui/live_child.py",
        "engine/gpt/curve.py",
    }  # experiment: the CLI main; curve: each fine-tuning worker process, once as it starts
    live = ast.parse((ROOT / "ui" / "live_child.py").read_text())
    child = next(n for n in live.body if isinstance(n, ast.FunctionDef) and n.name == "run_child")
    assert len(_calls_to("set_num_threads", ROOT / "ui" / "live_child.py")) == 1
    assert any(getattr(n, "func", None) and getattr(n.func, "attr", "") == "set_num_threads" for n in ast.walk(child))
    for layer in ("engine", "ui", "pages"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative not in allowed:
                assert not _calls_to("set_num_threads", path), relative
    loaders = ast.parse((ROOT / "ui" / "loaders.py").read_text())
    top_level = [n for n in loaders.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert any(getattr(n.value.func, "attr", "") == "set_num_threads" for n in top_level)


def test_the_live_child_module_loads_neither_streamlit_nor_torch():
    """A live training's child imports ui.live_child, and the work's own module: starting one must not
    cost Streamlit (the server's) or torch (the work's module brings it when it needs it)."""
    code = "import sys, ui.live_child; print(sorted(m for m in ('streamlit', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = list(ast.walk(tree))
    imported = {a.name for n in nodes if isinstance(n, ast.ImportFrom) for a in n.names}  # even `as` another name
    return (
        imported
        | {n.attr for n in nodes if isinstance(n, ast.Attribute)}
        | {n.id for n in nodes if isinstance(n, ast.Name)}
    )


def test_only_the_gpt_page_loads_the_gpt():
    """gpt.safetensors is read by `load_gpt`, through the loader `gpt_model` (the classifier's copy
    through `gpt_classifier`); only the GPT page and ui/gpt/ reach them, so a damaged GPT checkpoint
    can break no other page (what the browser's corrupt-checkpoint test relies on)."""
    users = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]:
        if _names_used(path) & {"gpt_model", "gpt_classifier", "load_gpt"}:
            users.add(str(path.relative_to(ROOT)))
    assert {"pages/gpt.py", "ui/loaders.py"} <= users
    assert all(u in ("pages/gpt.py", "ui/loaders.py") or u.startswith("ui/gpt/") for u in users), users
