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
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.amounts import Amount, find_amounts
from extractors.contacts import ContactDraft, contact_blocks, is_person_name, parse_contact_lines
from extractors.entities import LABELS, Entity, find_entities, name_spans
from extractors.phones import find_phones

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


class GuideEntities:
    """spaCy component: match (entities.find_entities), then set doc.ents. The exact rule spans
    (before alignment to jieba's tokens) are kept in `doc.user_data["zhinan_entities"]`."""

    def __init__(self, area_code: str | None = None, people: bool = True):
        self.area_code = area_code
        self.people = people

    def __call__(self, doc: Doc, area_code: str | None = None) -> Doc:
        """`area_code` (through `nlp.pipe(..., component_cfg={"zhinan_entities": {"area_code": …}})`)
        stands in for the configured one, so one pipeline serves guides of every place."""
        spans = []
        text = doc.user_data.get("text") or doc.text  # Doc.text joins every token again: once is enough
        amounts = find_amounts(text)
        found = find_entities(text, area_code or self.area_code, self.people, amounts)
        doc.user_data["zhinan_entities"] = found
        doc.user_data["zhinan_amounts"] = amounts
        for ent in found:
            span = doc.char_span(ent.start, ent.end, label=ent.label, alignment_mode="expand")
            if span is not None:
                span._.value = ent.value
                spans.append(span)
        doc.ents = filter_spans(spans)  # longest span wins where rules overlap
        return doc


@Language.factory("zhinan_entities", default_config={"area_code": None, "people": True})
def make_guide_entities(nlp: Language, name: str, area_code: str | None, people: bool) -> GuideEntities:
    return GuideEntities(area_code, people)


def build_nlp(area_code: str | None = None, people: bool = True, segmenter: str = "jieba") -> Language:
    """A fresh pipeline (no global state): blank Chinese, jieba segmenter, zhinan_entities."""
    if segmenter == "jieba":
        import jieba

        jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    nlp.add_pipe("zhinan_entities", config={"area_code": area_code, "people": people})
    return nlp


class RunTokenizer:
    """Tokens = runs of one kind of character (Chinese, digits and Latin, space, each punctuation
    mark): cheap, and every rule span of the record path starts and ends on a run boundary or
    inside one (`doc.char_span(..., "expand")` keeps it whole)."""

    _RUN = re.compile(r"[\u4e00-\u9fff]+|[0-9A-Za-z.@:/_-]+|\s+|.")

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = [m.group() for m in self._RUN.finditer(text)]
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["text"] = text
        return doc


@lru_cache(maxsize=1)
def record_nlp() -> Language:
    """The pipeline of the record path, built once per process (the guide's area code is passed
    per call: a pipeline per place cost 0.09 s to build and a fresh vocabulary each time). jieba's
    word segmentation would be three quarters of the pass's time and the record uses the exact
    rule spans, so its tokenizer is RunTokenizer; jieba is spent where its tags are used, on
    contact lines (`_jieba_people`)."""
    nlp = build_nlp(None, people=False, segmenter="char")
    nlp.tokenizer = RunTokenizer(nlp.vocab)
    return nlp


def _paragraphs(text: str) -> tuple[list[int], list[str]]:
    starts, paras, pos = [], [], 0
    for part in text.split("\n"):
        if part.strip():
            starts.append(pos)
            paras.append(part)
        pos += len(part) + 1
    return starts, paras


def entities_of(nlp: Language, text: str) -> list[Entity]:
    """Entities of a whole guide, one paragraph (line) at a time, offsets into `text`."""
    starts, paras = _paragraphs(text)
    out: list[Entity] = []
    for base, doc in zip(starts, nlp.pipe(paras, batch_size=64)):
        for e in doc.ents:
            out.append(Entity(base + e.start_char, base + e.end_char, e.label_, e._.value))
    return out


__all__ = ["LABELS", "build_nlp", "entities_of", "GuideEntities"]


_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME_CANDIDATE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])")


@dataclass
class EntityPass:
    """The one entity pass a record is built from: rule spans of every paragraph (spaCy pipeline
    over `nlp.pipe`), people, units, phones and e-mails from the contact blocks' grammar, and
    people jieba tags `nr` on contact lines where the grammar found none."""

    entities: list[Entity]
    sources: dict[tuple[int, int, str], str]                 # (start, end, label) -> rule | contact_grammar | jieba
    amounts: list[Amount]                                     # the MONEY spans, parsed
    contacts: list[tuple[int, list[ContactDraft]]]            # (block start, its contacts)
    jieba_names: list[str] = field(default_factory=list)      # names only jieba found (measured)

    @property
    def date_spans(self) -> list[tuple[int, int]]:
        return [(e.start, e.end) for e in self.entities if e.label == "DATE"]

    def __post_init__(self) -> None:
        self._starts = [m.start for m in self.amounts]

    def amounts_in(self, text: str, a: int, b: int) -> list[Amount]:
        """The MONEY spans inside text[a:b] (the funding extractor's amounts)."""
        out = []
        for m in self.amounts[bisect_left(self._starts, a):]:
            if m.start >= b:
                break
            if m.end <= b:
                out.append(m)
        return out


def entity_pass(doc, area_code: str | None, nlp: Language | None = None) -> EntityPass:
    """Run the pipeline once over a parsed guide (doc.GuideDoc): paragraphs through `nlp.pipe`,
    contact blocks (contacts.contact_blocks) through the contact grammar, jieba for names the
    grammar misses. Offsets are into doc.text."""
    text = doc.text
    nlp = nlp or record_nlp()
    starts, paras = _paragraphs(text)
    found: list[Entity] = []
    amounts: list[Amount] = []
    per_guide = {"zhinan_entities": {"area_code": area_code}}
    for base, sdoc in zip(starts, nlp.pipe(paras, batch_size=64, component_cfg=per_guide)):
        for e in sdoc.user_data["zhinan_entities"]:
            found.append(Entity(base + e.start, base + e.end, e.label, e.value))
        amounts.extend(Amount(m.min_cny, m.max_cny, m.kind, base + m.start, base + m.end)
                       for m in sdoc.user_data["zhinan_amounts"])
    sources = {(e.start, e.end, e.label): "rule" for e in found}
    blocks, jieba_names = [], []
    for block_start, lines in contact_blocks(doc):
        drafts = parse_contact_lines(text, lines, area_code)
        jieba_names += _jieba_people(text, lines, drafts)
        blocks.append((block_start, drafts))
        line_phones = [(a, b, [(a + p.start, a + p.end, p.number) for p in find_phones(text[a:b], area_code)])
                       for a, b in lines]
        for d in drafts:
            for kind, value, label in [(n, n, "PERSON") for n in d.names] + [
                    (u, None, "ORG") for u in (d.org, d.department) if u] + [(m, m, "EMAIL") for m in d.emails]:
                spans = ([(d.start + x, d.start + y) for x, y in name_spans(text, d.start, d.end, kind)]
                         if label == "PERSON" else _find_all(text, kind, d.start, d.end))
                for a, b in spans:
                    ent = Entity(a, b, label, value)
                    found.append(ent)
                    sources.setdefault((a, b, label), "jieba" if label == "PERSON" and kind in jieba_names else "contact_grammar")
            for a, b, phones in line_phones:
                if d.start <= a < d.end or a <= d.start < b:
                    for x, y, number in phones:
                        if number in d.phones:
                            found.append(Entity(x, y, "PHONE", number))
                            sources.setdefault((x, y, "PHONE"), "contact_grammar")
    ents = sorted(set(found), key=lambda e: (e.start, -e.end, e.label))
    return EntityPass(ents, sources, sorted(amounts, key=lambda m: m.start), blocks, jieba_names)


def _find_all(text: str, s: str, a: int, b: int) -> list[tuple[int, int]]:
    i = text.find(s, a, b)
    return [(i, i + len(s))] if i >= 0 else []


def _jieba_people(text: str, lines: list[tuple[int, int]], drafts: list[ContactDraft]) -> list[str]:
    """jieba's `nr` (person name) tags on the lines of a contact block, for contacts the grammar
    gave phones but no person: a 2-4 character token that starts with a surname and is no unit."""
    added = []
    for d in drafts:
        if d.names or not d.phones:
            continue
        for a, b in lines:
            if not (d.start <= a < d.end) or not _NAME_CANDIDATE.search(text[a:b]):
                continue  # jieba arbitrates only a word standing apart that the grammar did not take
            import jieba
            import jieba.posseg as pseg

            jieba.setLogLevel(logging.WARNING)
            line, pos = text[a:b], 0
            for tok in pseg.lcut(line):
                at, pos = pos, pos + len(tok.word)
                after = line[pos:pos + 1]
                before = line[at - 1:at] if at else ""
                alone = not _CJK.match(after) and not _CJK.match(before)  # a name stands apart: `张三 0832-…`
                if tok.flag == "nr" and alone and is_person_name(tok.word) and tok.word not in d.names:
                    d.names.append(tok.word)
                    added.append(tok.word)
    return added
