"""The spaCy pipeline: one factory, `build_nlp()`, that labels guide text with PERSON, ORG, GPE,
PHONE, EMAIL, URL, MONEY and DATE.

No Chinese spaCy model can be downloaded here (STACK.md), so the pipeline is `spacy.blank("zh")`
with the jieba segmenter plus the project's own component, `zhinan_entities`, which places the
rule and gazetteer spans of extractors/entities.py on the Doc with
`doc.char_span(..., alignment_mode="expand")` (rule spans often cross jieba's word boundaries).
Each entity's normalised value (phone number, yuan, region code) is in `ent._.value`.

    nlp = build_nlp(area_code="0971")
    doc = nlp("联系人：董茹 3922117")
    [(e.text, e.label_, e._.value) for e in doc.ents]
    # [('董茹', 'PERSON', '董茹'), ('3922117', 'PHONE', '0971-3922117')]

Feed paragraphs with `nlp.pipe` (`entities_of(nlp, text)` does it and maps offsets back): one
whole document at a time is super-linear in spaCy's Chinese tokenizer.
"""
from __future__ import annotations

import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.entities import LABELS, Entity, find_entities

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


class GuideEntities:
    """spaCy component: match (entities.find_entities), then set doc.ents."""

    def __init__(self, area_code: str | None = None):
        self.area_code = area_code

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for ent in find_entities(doc.text, self.area_code):
            span = doc.char_span(ent.start, ent.end, label=ent.label, alignment_mode="expand")
            if span is not None:
                span._.value = ent.value
                spans.append(span)
        doc.ents = filter_spans(spans)  # longest span wins where rules overlap
        return doc


@Language.factory("zhinan_entities", default_config={"area_code": None})
def make_guide_entities(nlp: Language, name: str, area_code: str | None) -> GuideEntities:
    return GuideEntities(area_code)


def build_nlp(area_code: str | None = None) -> Language:
    """A fresh pipeline (no global state): blank Chinese, jieba segmenter, zhinan_entities."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("zhinan_entities", config={"area_code": area_code})
    return nlp


def entities_of(nlp: Language, text: str) -> list[Entity]:
    """Entities of a whole guide, one paragraph (line) at a time, offsets into `text`."""
    starts, paras, pos = [], [], 0
    for part in text.split("\n"):
        if part.strip():
            starts.append(pos)
            paras.append(part)
        pos += len(part) + 1
    out: list[Entity] = []
    for base, doc in zip(starts, nlp.pipe(paras, batch_size=64)):
        for e in doc.ents:
            out.append(Entity(base + e.start_char, base + e.end_char, e.label_, e._.value))
    return out


__all__ = ["LABELS", "build_nlp", "entities_of", "GuideEntities"]
