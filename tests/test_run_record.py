"""The run record's shape: every kind counts somewhere, every code the code can record is
documented, and the spider and the pipelines report to SiteRun without importing it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archiver.extract.quality import FLAGS, REFUSALS
from archiver.run.events import _ERROR_CODES, KINDS, Kind
from archiver.run.exitcodes import ExitCode, combined_exit_code
from archiver.run.outcome import SECTIONS
from tests.conftest import ROOT

PACKAGE = ROOT / "archiver"


def modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}


def recorded_codes() -> set[str]:
    """The codes given beside a kind (`record(Kind.X, "code", ...)`, `Event(Kind.X, "code",
    ...)`, `record(kind, "code", ...)`), to a MediaFailure, or set as `code = "..."` anywhere
    in the package."""
    def is_kind(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == "kind" or (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "Kind")

    def text(node: ast.expr) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            else None

    codes = set()
    for tree in modules().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                args = node.args
                codes.update(text(code) for kind, code in zip(args, args[1:], strict=False)
                             if is_kind(kind))
                if isinstance(node.func, ast.Name) and node.func.id == "MediaFailure":
                    codes.add(text(args[0]))
            elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == \
                    ["code"]:
                codes.add(text(node.value))
    return codes - {None}


def test_every_kind_has_its_row_and_its_report_list():
    assert set(KINDS) == set(Kind)
    assert set(SECTIONS) == {rule.section for rule in KINDS.values()}
    assert {"failures", "flagged", "gone", "offsite", "changed_articles", "health"} <= set(SECTIONS)


def test_every_code_is_snake_case_and_documented_once_in_the_design_notes():
    codes = recorded_codes() | set(_ERROR_CODES.values()) | set(REFUSALS) | set(FLAGS)
    # What the search must find: the codes of the spider, the pipelines and the health checks.
    assert {"no_response", "write_error", "wechat", "list_capped", "fallback_only",
            "unexpected_error", "rewritten", "not_image", "too_large"} <= codes
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes), codes
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    record = design[design.index("### The run record"):design.index("### Write errors")]
    assert not [code for code in sorted(codes) if f"`{code}`" not in record]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/design.md#the-run-record" in readme


def test_the_spider_and_the_pipelines_never_import_the_bookkeeping():
    importers = set()
    for path, tree in modules().items():
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if "archiver.run.extension" in names:
                importers.add(path.relative_to(PACKAGE).parts[0])
    # The commands run crawls and read their outcome; run/commands is `scrapy crawl`.
    assert importers <= {"commands", "run"}, importers


def test_the_worst_exit_code_of_a_run_wins():
    assert combined_exit_code([]) is ExitCode.OK
    assert combined_exit_code([0, 1, 3]) is ExitCode.LOCKED
    assert combined_exit_code([1, 3, 2]) is ExitCode.CONFIG
    assert combined_exit_code([2, 130, 0]) is ExitCode.INTERRUPTED
