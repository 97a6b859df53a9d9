"""Quality gate: the extraction benchmark's figures on the labelled corpus pages may not drop
below these floors (pinned a little under the measured figures; see docs/benchmarks.md). Raise
a floor when a change lifts the figure; never lower one to let a change pass.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# (extractor, family): (paragraph F1, headline accuracy, date accuracy, image recall)
FLOORS = {
    ("archiver", "ecms"): (0.995, 1.00, 1.00, 1.00),
    ("archiver", "webplus"): (0.995, 0.88, 1.00, 1.00),
    ("archiver", "vsb"): (0.97, 1.00, 1.00, 0.64),
    ("archiver-generic", "ecms"): (0.985, 1.00, 1.00, 0.99),
    ("archiver-generic", "webplus"): (0.97, 1.00, 1.00, 0.60),
    ("archiver-generic", "vsb"): (0.965, 0.85, 1.00, 0.70),
}


@pytest.fixture(scope="module")
def figures() -> dict:
    """The benchmark's figures for this project, run as `make bench-extraction` runs it (tests
    and bench do not import each other)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.extraction", "--json", "archiver", "archiver-generic"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("extractor", ["archiver", "archiver-generic"])
def test_extraction_stays_above_its_floors(figures, extractor):
    for family in ("ecms", "webplus", "vsb"):
        found = figures["corpus"][extractor][family]
        f1_floor, headline_floor, date_floor, image_floor = FLOORS[(extractor, family)]
        assert found["f1"] >= f1_floor, (family, found)
        assert found["headline"] >= headline_floor, (family, found)
        assert found["date"] >= date_floor, (family, found)
        assert found["images"] >= image_floor, (family, found)


# Pages of schools the project was never tuned on: (paragraph F1, headline, date, archived).
SCHOOL_FLOORS = {"archiver": (0.99, 1.00, 1.00, 1.00), "archiver-generic": (0.99, 1.00, 1.00, 1.00)}


@pytest.mark.parametrize("extractor", ["archiver", "archiver-generic"])
def test_unseen_schools_stay_above_their_floors(figures, extractor):
    found = figures["schools"][extractor]["all"]
    f1_floor, headline_floor, date_floor, archived_floor = SCHOOL_FLOORS[extractor]
    assert found["f1"] >= f1_floor, found
    assert found["headline"] >= headline_floor, found
    assert found["date"] >= date_floor, found
    assert found["archived"] >= archived_floor, found


# VSB pages of 17 nankai department sites (tests/fixtures/corpus-vsb: landing, profile, tabbed and
# notice pages): (paragraph F1, headline, date). Issue 24 asks for F1 >= 0.97 and headline
# >= 0.98 with the presets; the generic rule alone is pinned under its own figures.
VSB_FLOORS = {"archiver": (0.99, 0.98, 0.98), "archiver-generic": (0.80, 0.92, 0.96)}


@pytest.mark.parametrize("extractor", ["archiver", "archiver-generic"])
def test_vsb_department_pages_stay_above_their_floors(figures, extractor):
    found = figures["vsb"][extractor]["all"]
    f1_floor, headline_floor, date_floor = VSB_FLOORS[extractor]
    assert found["f1"] >= f1_floor, found
    assert found["headline"] >= headline_floor, found
    assert found["date"] >= date_floor, found
