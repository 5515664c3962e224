"""Each corpus guide against its hand-made gold answer (tests/data/gold), field by field."""
from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest

from schemas import Guide
from tests.conftest import CORPUS, SAMPLES, gold


def key(s: str) -> str:
    return re.sub(r"[\s“”\"]", "", unicodedata.normalize("NFKC", s))


def match(gold_name: str, names: list[str]) -> str | None:
    g = key(gold_name)
    return next((n for n in names if key(n) == g or g in key(n) or key(n) in g), None)


@pytest.mark.parametrize("stem", SAMPLES)
def test_metadata(records, stem):
    g, want = records[stem], gold(stem)
    assert g.title == want["title"]
    assert (g.region.name, g.region.code) == (want["region"]["name"], want["region"]["code"])
    assert g.year == want["year"]
    assert g.source.sha256 == want["sha256"]


@pytest.mark.parametrize("stem", SAMPLES)
def test_programmes_and_categories(records, stem):
    g, want = records[stem], gold(stem)
    names = [p.name for p in g.programs]
    by_name = {p.name: p for p in g.programs}
    by_id = {p.id: p for p in g.programs}
    assert len(names) == len(want["programs"])
    for wp in want["programs"]:
        got = match(wp["name"], names)
        assert got is not None, f"missed {wp['name']}"
        assert by_name[got].category == wp["category"], wp["name"]
        parent = by_id[by_name[got].parent].name if by_name[got].parent else None
        assert (match(wp["parent"], [parent]) if wp["parent"] else None) == parent


@pytest.mark.parametrize("stem", SAMPLES)
def test_spans_are_evidence(records, stem):
    g = records[stem]
    for p in g.programs:
        section = g.text[p.span.start:p.span.end]
        assert p.name in section.split("\n", 1)[0], p.name
    for s in g.outline:
        assert s.title in g.text[s.span.start:s.span.end].split("\n", 1)[0]


@pytest.mark.parametrize("stem", SAMPLES)
def test_record_validates_and_round_trips(records, stem):
    g = records[stem]
    again = Guide.model_validate_json(g.model_dump_json())
    assert again == g
    assert g.id == hashlib.sha256((CORPUS / f"{stem}.txt").read_bytes()).hexdigest()[:16]


def test_manifest_matches_the_corpus_files():
    rows = [line.split("\t") for line in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()]
    header, body = rows[0], rows[1:]
    assert header == ["file", "sha256", "region", "region_code", "year", "source"]
    assert sorted(r[0] for r in body) == sorted(p.name for p in CORPUS.glob("*.txt"))
    for file, sha, region, code, year, _ in body:
        assert hashlib.sha256((CORPUS / file).read_bytes()).hexdigest() == sha, file
        want = gold(file[:-4])
        assert (region, code, int(year)) == (want["region"]["name"], want["region"]["code"], want["year"])
