"""The README stays short and starts with the two commands; every document it points to exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 250
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)")  # a markdown link's target, without its #anchor


def local_links(path: Path) -> list[str]:
    """The targets of the markdown links in `path` that point inside the repository (not http, not mailto)."""
    return [t for t in LINK.findall(path.read_text()) if not re.match(r"[a-z]+:", t)]


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert len(lines) < MAX_README_LINES, f"{len(lines)} lines"
    first_block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert [line.split()[:2] for line in first_block] == [["make", "run"], ["make", "test"]]
    assert lines.index("```sh") < 3  # the commands come first, under the title


def test_every_link_in_the_readme_and_docs_exists():
    for document in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in local_links(document):
            assert (document.parent / target).exists(), f"{document.relative_to(ROOT)} links to missing {target}"


def test_every_document_in_docs_is_linked_from_the_readme():
    linked = {(ROOT / target).resolve() for target in local_links(README)}
    documents = set((ROOT / "docs").glob("*.md"))
    assert documents and {d.resolve() for d in documents} <= linked
    assert (ROOT / "docs" / "screenshot.png").resolve() in linked


def test_the_link_checker_sees_a_missing_file(tmp_path):
    (tmp_path / "a.md").write_text("see [b](docs/b.md#x), [web](https://example.org) and [c](c.md)\n")
    (tmp_path / "c.md").write_text("")
    assert local_links(tmp_path / "a.md") == ["docs/b.md", "c.md"]
