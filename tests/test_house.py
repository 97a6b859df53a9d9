"""The house rules of the package: its imports (read with `ast`) form no circle and nothing
below the command line imports archiver.commands; the crawl's files are synced by their
writer; the log leaves out what the report already names."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from archiver.archive.fs import WrittenFiles, changed_files, write_atomic
from tests.conftest import ROOT, run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site

PACKAGE = ROOT / "archiver"
# The command line: the only modules that may import archiver.commands.
COMMAND_LINE = ("archiver.commands", "archiver.cli")
# Imports of archiver.commands from below it that are still to be removed: none since the run
# record moved into run/ (issue 20); keep it empty.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules this one imports: every import statement, at the top, inside a
    function or under TYPE_CHECKING alike (each is a dependency of the design)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from archiver.run import stats` imports the module archiver.run.stats.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                     for a in node.names]
        else:
            continue
        for target in names:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or not (Tarjan's strongly
    connected components of more than one module, or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_circle():
    edges = graph()
    assert len(edges) > 50 and "archiver.config.validation" in edges  # the package was read
    assert circles(edges) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_below_the_command_line_imports_it():
    upward = {(name, target) for name, targets in graph().items() for target in targets
              if target.startswith("archiver.commands")
              and not name.startswith(COMMAND_LINE)}
    assert upward - KNOWN_UPWARD == set()
    assert KNOWN_UPWARD - upward == set(), "an upward import is gone: strike it from the list"


def test_the_files_a_crawl_wrote_are_synced_and_no_other(tmp_path):
    old = tmp_path / "old.md"  # archived by an earlier run: not this crawl's to sync
    old.write_text("x", encoding="utf-8")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    written = WrittenFiles()
    for name in ("a.md", "images/b.png", ".state.json"):
        write_atomic(tmp_path / name, b"x", durable=False)
        written.add(tmp_path / name)
    written.add(tmp_path / "gone" / "removed-since.md")  # its folder went away: skipped
    assert sorted(written.folders) == [tmp_path, tmp_path / "gone", tmp_path / "images"]
    assert sorted(e.name for e in changed_files(tmp_path, written.since)) == ["a.md"]
    assert written.sync() == []
    assert written.folders == set()


def test_the_log_leaves_out_image_tracebacks_the_report_names(server, tmp_path):
    article = Article(320900, "有坏图的新闻", images=["/img/dead.png"])
    start = serve_site(server, [article])
    server.add("/img/dead.png", b"<html>404</html>", status=404)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    log = tmp_path / "run.log"
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"), "--log-file", str(log))
    assert result.returncode == 1
    failures = site_report(tmp_path / "out")["failures"]
    assert [(f["kind"], f["reason"]) for f in failures] == [("image", "HTTP 404")]
    text = log.read_text(encoding="utf-8")
    assert "Spider opened" in text  # the log is there
    assert "FileException" not in text and "Traceback" not in text
