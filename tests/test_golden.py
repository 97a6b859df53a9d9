from __future__ import annotations

import pytest

from tests.golden import build, cases


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_saved_page_gives_the_expected_archive_file(case):
    assert build(case) == (case / "expected.md").read_text(encoding="utf-8")
