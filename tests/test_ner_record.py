"""The record is built from one entity pass, and `zhinan extract --entities` prints that pass:
every contact name and phone, every stated amount and every deadline date of every corpus guide is
an entity of its record, with the same span."""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import CORPUS, STEMS


def _all(g, attr):
    return list(getattr(g, attr)) + [x for p in g.programs for x in getattr(p, attr)]


@pytest.mark.parametrize("stem", STEMS)
def test_contacts_funding_and_deadlines_are_entities_of_their_record(records, stem):
    g = records[stem]
    ents = {(e.label, e.span.start, e.span.end): e for e in g.entities}
    for e in g.entities:
        assert g.text[e.span.start:e.span.end] == e.text
    people = {e.value for e in g.entities if e.label == "PERSON"}
    phones = {e.value for e in g.entities if e.label == "PHONE"}
    for c in _all(g, "contacts"):
        assert set(c.names) <= people, (c.names, people)
        assert set(c.phones) <= phones, (c.phones, phones)
    for f in [f for p in g.programs for f in p.funding]:
        if f.amount_span is not None:
            assert ("MONEY", f.amount_span.start, f.amount_span.end) in ents
    dates = [e for e in g.entities if e.label == "DATE"]
    for d in _all(g, "deadlines"):
        assert any(d.span.start <= e.span.start < d.span.end for e in dates), d.text


def test_extract_entities_prints_the_records_own_entities(records):
    stem = "d09_dongguan_doubling_plan_prereg_2016"
    result = CliRunner().invoke(app, ["extract", str(CORPUS / f"{stem}.txt"), "--entities", "--label", "PERSON"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [(r[3], r[5]) for r in rows] == [("王国伟", "contact_grammar"), ("黎晓红", "contact_grammar")]
    want = [(e.span.start, e.span.end) for e in records[stem].entities if e.label == "PERSON"]
    assert [(int(r[1]), int(r[2])) for r in rows] == want


def test_an_unknown_label_is_a_usage_error():
    result = CliRunner().invoke(app, ["extract", str(CORPUS / "d09_dongguan_doubling_plan_prereg_2016.txt"),
                                      "--entities", "--label", "FOO"])
    assert result.exit_code == 2 and re.search(r"unknown label FOO", result.output)


def test_one_record_pipeline_serves_guides_of_every_place():
    """The record path builds its spaCy pipeline once per process; each guide's area code is passed
    per call, so a local number is completed with the guide's own code, not the last one built."""
    from extractors.doc import GuideDoc
    from extractors.nlp import entity_pass, record_nlp

    text = "联系人：董茹，联系电话：3922117"
    doc = GuideDoc.parse(text, 0)
    xining = [e.value for e in entity_pass(doc, "0971").entities if e.label == "PHONE"]
    karamay = [e.value for e in entity_pass(doc, "0990").entities if e.label == "PHONE"]
    assert (xining, karamay) == (["0971-3922117"], ["0990-3922117"])
    assert record_nlp() is record_nlp() and record_nlp.cache_info().currsize == 1
