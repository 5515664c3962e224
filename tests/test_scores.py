"""Every corpus guide scored against its gold answer, field by field, with the team's scorer.

tests/data/score_floors.json holds, per guide and field, the F1 the pipeline reached when the
file was last written (`python -m tests.test_scores --write`). A change that lowers any field of
any guide fails here, naming the guide and the field; a change that raises one is welcome and the
floor is raised by rewriting the file. The bars of the development set (issue "Real guides of
every kind") are asserted over all guides together.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests import scoring
from tests.conftest import CORPUS, SAMPLES, STEMS, gold

FLOORS = Path(__file__).parent / "data" / "score_floors.json"
BARS = {"overall": 0.90, "programs": 0.90, "funding": 0.85, "requirements": 0.80, "contact_names": 0.90,
        "contact_phones": 0.90, "deadlines": 0.85, "year": 0.95}


def _tallies(records: dict, stems: list[str]) -> dict[str, scoring.Tally]:
    tallies = {k: scoring.Tally() for k in scoring.FIELDS}
    for stem in stems:
        pred = json.loads(records[stem].model_dump_json())
        scoring.score_doc(gold(stem), pred, tallies, stem)
    return tallies


def _f1s(tallies: dict[str, scoring.Tally]) -> dict[str, float]:
    out = {k: round(t.prf()[2], 4) for k, t in tallies.items()}
    out["overall"] = round(sum(out[k] for k in scoring.CORE) / len(scoring.CORE), 4)
    return out


@pytest.fixture(scope="module")
def per_guide(records):
    return {stem: _tallies(records, [stem]) for stem in STEMS}


@pytest.mark.parametrize("stem", STEMS)
def test_no_field_of_any_guide_falls_below_its_floor(per_guide, stem):
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))[stem]
    got = _f1s(per_guide[stem])
    fallen = {k: (got[k], v) for k, v in floors.items() if got[k] < v - 1e-9}
    notes = [n for k in fallen for n in per_guide[stem][k].notes][:20] if fallen else []
    assert not fallen, f"{stem}: fell below floor {fallen}\n" + "\n".join(notes)


def test_development_set_bars(records):
    got = _f1s(_tallies(records, STEMS))
    low = {k: got[k] for k, bar in BARS.items() if got[k] < bar}
    assert not low, low


def test_samples_stay_above_097(records):
    assert _f1s(_tallies(records, SAMPLES))["overall"] >= 0.97


def _write() -> None:
    from extractors.document import extract_file

    records = {stem: extract_file(CORPUS / f"{stem}.txt", CORPUS) for stem in STEMS}
    floors = {stem: {k: v for k, v in _f1s(_tallies(records, [stem])).items()} for stem in STEMS}
    FLOORS.write_text(json.dumps(floors, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(_f1s(_tallies(records, STEMS)), indent=1))


if __name__ == "__main__" and "--write" in sys.argv:
    _write()
