"""Entity spans of guide text: PERSON, ORG, GPE, PHONE, EMAIL, URL, MONEY, DATE.

Regex and gazetteer rules over the raw text (token patterns miss entities that cross jieba word
boundaries, such as `200-1000万元`); PERSON comes from the contact-line grammar of contacts.py,
which finds names jieba's `nr` tags miss (`塔依尔·提依甫`, `李  雪`). The spaCy pipeline in
nlp.py places these spans on its Doc; this module is the plain-Python core it calls.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.amounts import find_amounts
from extractors.contacts import parse_contact_lines
from extractors.deadlines import date_spans
from extractors.gazetteer import load as load_gazetteer
from extractors.phones import find_phones
from extractors.textspan import EMAIL, line_spans

LABELS = ("PERSON", "ORG", "GPE", "PHONE", "EMAIL", "URL", "MONEY", "DATE")
_URL = re.compile(r"https?://[^\s，。；、）)\"”]+|www\.[\w.-]+\.[a-z]{2,}(?:/[^\s，。；）)]*)?")
_GOV = re.compile(
    r"(?:(?:[\u4e00-\u9fff]{2,10}?(?:省|市|自治区|自治州|区|县))|[市省区县])?"
    r"(?:科学技术|科技|财政|教育|卫生健康|卫计|知识产权|发展和改革|发展改革|工业和信息化|人力资源和社会保障|农业农村|商务)"
    r"(?:局|厅|委员会|委|部)")
_COMPANY = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff（）()]{4,30}?(?:股份有限公司|有限责任公司|有限公司|集团)")
_CONTACT_CUE = re.compile(r"联\s*系|电\s*话|手\s*机|咨询|科\s*[：:]|处\s*[：:]")


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    value: str | None = None  # normalised form: phone number, yuan, ISO date, region code

    def text(self, text: str) -> str:
        return text[self.start:self.end]




def name_spans(text: str, a: int, b: int, name: str) -> list[tuple[int, int]]:
    pattern = r"\s*".join(re.escape(ch) for ch in name if not ch.isspace())
    return [(m.start(), m.end()) for m in re.finditer(pattern, text[a:b])]


def find_entities(text: str, area_code: str | None = None, people: bool = True, amounts=None) -> list[Entity]:
    """All entity spans of `text`, possibly overlapping (nlp.py keeps the longest). With
    `people=False` no contact-line parse runs (the record's entity pass reads people from the
    guide's contact blocks instead, nlp.entity_pass). `amounts`: the text's amounts when the
    caller has them already (amounts.find_amounts)."""
    out: list[Entity] = []
    lines = line_spans(text)
    for a, b in lines:
        line = text[a:b]
        contact_line = bool(_CONTACT_CUE.search(line))
        for p in find_phones(line, area_code):
            if contact_line or "-" in p.number and len(p.number) >= 11 or len(p.number) == 11:
                out.append(Entity(a + p.start, a + p.end, "PHONE", p.number))
    for m in EMAIL.finditer(text):
        out.append(Entity(m.start(), m.end(), "EMAIL", m.group(0)))
    for m in _URL.finditer(text):
        out.append(Entity(m.start(), m.end(), "URL", m.group(0)))
    for amt in find_amounts(text) if amounts is None else amounts:
        lo, hi = ("" if v is None else str(v) for v in (amt.min_cny, amt.max_cny))
        value = lo if amt.min_cny == amt.max_cny else f"{lo}..{hi}"  # yuan; `..` marks a range
        out.append(Entity(amt.start, amt.end, "MONEY", value))
    for a, b in date_spans(text):
        out.append(Entity(a, b, "DATE", None))
    for men in load_gazetteer().scan(text):
        out.append(Entity(men.start, men.end, "GPE", men.place.code))
    for rx in (_GOV, _COMPANY):
        for m in rx.finditer(text):
            out.append(Entity(m.start(), m.end(), "ORG", None))
    if not people:
        return sorted(set(out), key=lambda e: (e.start, -e.end, e.label))
    # PERSON: contact-line grammar over each line with a contact cue and the line before it
    cue_idx = [k for k, (a, b) in enumerate(lines) if _CONTACT_CUE.search(text[a:b]) or find_phones(text[a:b])]
    for k in cue_idx:
        block = [lines[j] for j in (k - 1, k) if j >= 0 and lines[j][1] > lines[j][0]]
        for d in parse_contact_lines(text, block, area_code):
            for name in d.names:
                for s, e in name_spans(text, d.start, d.end, name):
                    out.append(Entity(d.start + s, d.start + e, "PERSON", name))
            for unit in (d.org, d.department):
                if unit:
                    i = text.find(unit, d.start, d.end)
                    if i >= 0:
                        out.append(Entity(i, i + len(unit), "ORG", None))
    return sorted(set(out), key=lambda e: (e.start, -e.end, e.label))
