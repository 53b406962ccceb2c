"""The app runs on requirements.txt alone: every third-party module it imports at run time belongs to a
distribution pinned there or pulled in by one, and no library feature it calls imports an optional
package (pandas' Styler.background_gradient needs matplotlib) that requirements.txt does not bring.

`make run` installs requirements.txt only; tests and training tools install more (requirements-train.txt,
requirements-dev.txt), so a module that only those bring would pass every other test here and fail a
learner. Three checks: the static imports of every module the app loads (app.py, pages/, ui/ and the
engine modules they reach), the library calls known to import optional packages lazily, and, in
tests/pages/test_every_control.py, every module actually imported while every control is driven.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from functools import cache
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCAL = {"ui", "engine", "pages", "app", "benchmarks", "tests"}  # the project's own top-level packages
# Library calls that import an optional package on first use: attribute -> (distribution, why).
LAZY = {
    "background_gradient": ("matplotlib", "pandas Styler.background_gradient colours cells with matplotlib"),
    "text_gradient": ("matplotlib", "pandas Styler.text_gradient colours text with matplotlib"),
    "plot": ("matplotlib", "pandas DataFrame/Series.plot draws with matplotlib"),
    "hist": ("matplotlib", "pandas DataFrame/Series.hist draws with matplotlib"),
    "boxplot": ("matplotlib", "pandas DataFrame.boxplot draws with matplotlib"),
    "plotting": ("matplotlib", "pandas.plotting draws with matplotlib"),
    "to_excel": ("openpyxl", "pandas DataFrame.to_excel writes .xlsx with openpyxl"),
    "to_markdown": ("tabulate", "pandas DataFrame.to_markdown formats with tabulate"),
    "to_image": ("kaleido", "plotly Figure.to_image renders with kaleido"),
    "write_image": ("kaleido", "plotly Figure.write_image renders with kaleido"),
}
# Keyword arguments that do the same: keyword -> (distribution, why).
LAZY_KEYWORDS = {
    "cmap": ("matplotlib", "a pandas Styler cmap= is a matplotlib colormap"),
    "trendline": ("statsmodels", "plotly express trendline= fits with statsmodels"),
}


def module_path(name: str) -> Path | None:
    """The file of a project module (`ui.frame` -> ui/frame.py, a package -> its __init__.py)."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level) for every import in the file; relative imports resolved; imports under
    `if TYPE_CHECKING:` left out, since they never run."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    skipped = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for n in ast.walk(stmt)
    }
    top = {id(n) for n in tree.body} | {
        id(n) for stmt in tree.body if isinstance(stmt, ast.Try | ast.If) for n in ast.walk(stmt)
    }  # imports inside a module-level try/if still run at import time
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((base, id(node) in top))
            # `from ui import loaders` imports the module ui.loaders
            found += [(f"{base}.{a.name}", id(node) in top) for a in node.names if module_path(f"{base}.{a.name}")]
    return found


def entry_files() -> list[Path]:
    """What `streamlit run app.py` executes or may import: the frame, the pages and all of ui/."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


@cache
def runtime_files() -> dict[Path, bool]:
    """Every project file the app can load -> whether all its imports count (app, pages, ui: code that
    runs to serve a page) or only its module-level ones (engine: a function-level import there, such as
    spaCy in the tagger's training helper, runs only if that function does; the control harness records
    those that do)."""
    files = {path: True for path in entry_files()}
    queue = list(files)
    while queue:
        for name, _ in imports_of(queue.pop()):
            path = module_path(name) if name.split(".")[0] in LOCAL else None
            for parent in _parents(name):  # importing a.b.c runs a/__init__.py and a/b/__init__.py first
                if (p := module_path(parent)) and p not in files:
                    files[p] = False
                    queue.append(p)
            if path and path not in files:
                files[path] = False
                queue.append(path)
    return files


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))] if parts[0] in LOCAL else []


@cache
def third_party_imports() -> dict[str, list[str]]:
    """Top-level third-party module -> the project files that import it at run time."""
    out: dict[str, list[str]] = {}
    for path, every in runtime_files().items():
        for name, at_top in imports_of(path):
            top = name.split(".")[0]
            if top and top not in LOCAL and top not in sys.stdlib_module_names and (at_top or every):
                out.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return out


def pinned(path: Path = ROOT / "requirements.txt") -> dict[str, Requirement]:
    """requirements.txt as {canonical name: requirement}; an `-r other.txt` there would be a mistake."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        assert not line.startswith("-"), f"requirements.txt must list pins only, found {line!r}"
        req = Requirement(line)
        out[canonicalize_name(req.name)] = req
    return out


@cache
def runtime_closure() -> frozenset[str]:
    """The canonical names of the distributions `pip install -r requirements.txt` installs: the pins
    and, recursively, what each requires (extras only where asked for, markers for this interpreter)."""
    environment = default_environment()
    seen: set[str] = set()
    queue = [(name, frozenset(req.extras)) for name, req in pinned().items()]
    while queue:
        name, extras = queue.pop()
        if name in seen and not extras:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            req = Requirement(text)
            wanted = not req.marker or any(req.marker.evaluate({**environment, "extra": e}) for e in {"", *extras})
            if wanted:
                queue.append((canonicalize_name(req.name), frozenset(req.extras)))
    return frozenset(seen)


@cache
def distributions_of(top: str) -> list[str]:
    """The canonical names of the installed distributions that provide top-level module `top`."""
    return [canonicalize_name(d) for d in metadata.packages_distributions().get(top, [])]


def outside_requirements(modules) -> dict[str, str]:
    """Of these top-level modules, those no distribution in requirements.txt's closure provides ->
    which distribution does (or 'not installed')."""
    closure = runtime_closure()
    out = {}
    for top in modules:
        if top in sys.stdlib_module_names or top in LOCAL or top.startswith("_"):
            continue
        dists = distributions_of(top)
        if not any(d in closure for d in dists):
            out[top] = ", ".join(dists) or "not installed"
    return out


def lazy_imports(path: Path) -> list[str]:
    """Calls in the file known to import an optional package, as 'file:line: call (distribution: why)'."""
    tree = ast.parse(path.read_text(), filename=str(path))
    rel = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in LAZY:
            dist, why = LAZY[node.attr]
            found.append((dist, f"{rel}:{node.lineno}: .{node.attr} ({dist}: {why})"))
        elif isinstance(node, ast.keyword) and node.arg in LAZY_KEYWORDS:
            dist, why = LAZY_KEYWORDS[node.arg]
            found.append((dist, f"{rel}:{node.value.lineno}: {node.arg}= ({dist}: {why})"))
    closure = runtime_closure()
    return [line for dist, line in found if canonicalize_name(dist) not in closure]


def test_every_runtime_pin_is_installed_at_its_pinned_version():
    """The checks below read installed metadata: it must be the pinned versions'."""
    wrong = {}
    for name, req in pinned().items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = "not installed"
            continue
        if not req.specifier.contains(version, prereleases=True):
            wrong[name] = f"{version} installed, {req.specifier} pinned"
    assert wrong == {}


def test_every_module_the_app_imports_comes_with_requirements_txt():
    imported = third_party_imports()
    assert {"streamlit", "torch", "plotly"} <= set(imported)  # the walk reached the app's real imports
    missing = outside_requirements(imported)
    assert missing == {}, "\n".join(
        f"{top} (from {dist}) is imported by {sorted(set(imported[top]))} but requirements.txt does not bring it"
        for top, dist in missing.items()
    )


def test_the_walk_reaches_the_engine_modules_the_pages_use_and_not_the_training_cli():
    files = {str(p.relative_to(ROOT)) for p in runtime_files()}
    assert {"engine/rnn/tagger.py", "engine/translator/transformer.py", "engine/gpt/model.py"} <= files
    assert "engine/train.py" not in files  # the training CLI is never loaded by the app


def test_no_runtime_call_needs_a_package_requirements_txt_lacks():
    found = [line for path in runtime_files() for line in lazy_imports(path)]
    assert found == [], "\n".join(found)


def test_the_checks_catch_a_training_only_import_and_a_matplotlib_styler(tmp_path, monkeypatch):
    """The checkers themselves: spaCy (requirements-train.txt only) and a background_gradient are caught."""
    assert set(outside_requirements(["spacy", "streamlit", "json", "PIL"])) == {"spacy"}
    page = tmp_path / "page.py"
    page.write_text("import pandas as pd\nstyled = pd.DataFrame({'a': [1]}).style.background_gradient(cmap='Blues')\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = lazy_imports(page)
    assert len(found) == 2 and all("matplotlib" in line for line in found)
    assert re.match(r"page\.py:2: \.background_gradient", found[0])


@pytest.mark.parametrize("top", ["matplotlib", "spacy", "transformers"])
def test_training_and_benchmark_libraries_are_outside_the_runtime_set(top):
    """What requirements-train/dev bring must stay out of what the app may import."""
    assert canonicalize_name(top) not in runtime_closure()
