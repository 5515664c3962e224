"""What a programme pays: Funding items, modes, co-funding rules and the implementation period.

Which amounts are funding is decided by the clause around each amount (data/funding.toml): it
must speak of paying (资助, 支持, 补助 …) and not of revenue, investment, output, prices or
budgets (销售额, 总投入, 产值, 价值 …) — those belong to requirements, never to Funding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.amounts import Amount, find_amounts, to_number
from extractors.rules import flat, load_toml, rules
from extractors.textspan import Region, clause_around, sentences


@dataclass
class FundingItem:
    min_cny: int | None
    max_cny: int | None
    per: str
    modes: list[str]
    cofunding: tuple[str, float] | None
    span: tuple[int, int]
    amount_span: tuple[int, int] | None = None  # the amount inside the sentence, when one is stated


@dataclass
class FundingResult:
    items: list[FundingItem] = field(default_factory=list)
    duration: tuple[float | None, float | None] | None = None
    duration_span: tuple[int, int] | None = None


@lru_cache(maxsize=1)
def _cfg() -> dict:
    f = load_toml("funding.toml")["funding"]
    return {k: re.compile(v) for k, v in f.items() if isinstance(v, str)}


def _governed_by_not_pay(text: str, amount: Amount, lo: int = 0, hi: int | None = None) -> bool:
    """Is the amount a revenue, an investment, a price …? Judged on the words that govern it: back
    to its clause start or the list comma before it (`不超过总投入30%、最高3000万元`: 总投入
    governs the rate, not the cap)."""
    a, b = clause_around(text, amount.start, amount.end, lo, hi)
    head = max(a, text.rfind("、", a, amount.start) + 1)
    return bool(_cfg()["not_pay"].search(text[head:min(b, amount.end + 4)]))


def is_payment(text: str, amount: Amount, lo: int = 0, hi: int | None = None) -> bool:
    """Is this amount money the programme pays (judged on its clause)?"""
    a, b = clause_around(text, amount.start, amount.end, lo, hi)
    clause = text[a:b]
    c = _cfg()
    if _governed_by_not_pay(text, amount, lo, hi):
        return False
    tail = text[amount.end:b]
    if tail.rstrip().endswith("的") and not c["pay"].search(text[a:amount.start] + tail):
        return False  # `履约金额在300万元（含）以上的`, `入表金额大于100万元的`: a threshold the applicant meets
    if c["pay"].search(clause):
        return True
    # `按研发投入的20%给予补助，最高不超过100万元`: the paying verb is in another clause
    sentence = text[lo:hi if hi is not None else b]
    return amount.kind in ("cap", "range", "fixed") and bool(c["pay"].search(sentence)) and not c["not_pay"].search(clause)


_RATE = re.compile(r"\d+(?:\.\d+)?\s*%")


@dataclass(frozen=True)
class Payment:
    """A sentence that pays: the amounts in it the programme pays (none for a rate or a bare
    paying verb with a money noun)."""

    start: int
    end: int
    amounts: tuple[Amount, ...]


@lru_cache(maxsize=1)
def _offer_cfg() -> dict:
    return flat("offers.toml")


def amounts_by_regex(text: str, a: int, b: int) -> list[Amount]:
    """The amounts of text[a:b] with absolute offsets (the MONEY rule of entities.py)."""
    return [Amount(m.min_cny, m.max_cny, m.kind, a + m.start, a + m.end) for m in find_amounts(text[a:b])]


def payment_in(text: str, a: int, b: int, declared: bool = False, amounts_in=amounts_by_regex) -> Payment | None:
    """The payment stated by the sentence text[a:b], or None when it pays nothing. In a section
    whose heading declares what is paid (`补贴标准`), an amount needs no paying verb of its own
    (`GYB(创业意识培训）200元/人`)."""
    paid = []
    for amt in amounts_in(text, a, b):
        if is_payment(text, amt, a, b) or (declared and not _governed_by_not_pay(text, amt, a, b)):
            paid.append(amt)
    if paid:
        return Payment(a, b, tuple(paid))
    c = _offer_cfg()
    s = text[a:b]
    if c["lead_in.pattern"].search(s.rstrip()):
        return None
    money = c["money.pattern"].search(s)
    if (money and not _cfg()["not_pay"].search(s[max(0, money.start() - 6):money.end()])
            and not c["money.negated"].search(s[max(0, money.start() - 3):money.start()])):
        return Payment(a, b, ())
    if any(_cfg()["pay"].search(text[slice(*clause_around(text, a + m.start(), a + m.end(), a, b))])
           for m in _RATE.finditer(s)):  # `按照机器人购置额的10%予以事后奖补`: a rate in a paying clause
        return Payment(a, b, ())
    return None


def payments(text: str, ranges, declared: bool = False, amounts_in=amounts_by_regex) -> list[Payment]:
    """Paying sentences of the given (start, end) ranges, in order. `amounts_in(text, a, b)` gives
    the amounts of a sentence (the entity pass's MONEY spans in the record path)."""
    out = []
    for lo, hi in ranges:
        for a, b in sentences(text, lo, hi):
            p = payment_in(text, a, b, declared, amounts_in)
            if p is not None:
                out.append(p)
    return out


def modes_in(text: str) -> list[str]:
    found = []
    for rule in rules("funding.toml", "mode"):
        if rule["regex"].search(text) and rule["id"] not in found:
            found.append(rule["id"])
    return found


def cofunding_in(text: str) -> tuple[tuple[str, float], tuple[int, int]] | None:
    hits = []
    for rule in rules("funding.toml", "cofunding"):
        m = rule["regex"].search(text)
        if m:
            v = float(to_number(m.group("v")))
            if rule["id"] == "share_of_total":
                v = round(v / 100, 4)
            hits.append((m.start(), (rule["id"], v), (m.start(), m.end())))
    if not hits:
        return None
    _, value, span = min(hits)
    return value, span


def duration_in(text: str) -> tuple[tuple[float | None, float | None], tuple[int, int]] | None:
    for rule in rules("funding.toml", "duration"):
        m = rule["regex"].search(text)
        if m:
            groups = m.groupdict()
            lo = groups.get("min")
            hi = groups.get("max")
            lo_v = float(to_number(lo)) if lo else None
            hi_v = float(to_number(hi)) if hi else None
            if "max" not in groups:  # `实施期限为3年`
                hi_v = lo_v
            return (lo_v, hi_v), (m.start(), m.end())
    return None


def _num(v: float | None) -> float | int | None:
    return int(v) if v is not None and v == int(v) else v


def extract_funding(text: str, region: Region, funding_sections: list[tuple[int, int]],
                    amounts_in=amounts_by_regex) -> FundingResult:
    """Funding of one programme from its own text (`region`) and its 资助/支持方式 sections: one
    item per amount a paying sentence states (a graded list gives one each), one item with null
    amounts for a sentence that pays by a rate or without saying how much. An item's modes are its
    sentence's; else those its funding sections or other sentences state; else `grant`."""
    c = _cfg()
    result = FundingResult()
    pays = payments(text, region.ranges, amounts_in=amounts_in)
    for p in payments(text, funding_sections, declared=True, amounts_in=amounts_in):
        # the same sentence read as part of a funding section: keep the reading that pays more amounts
        same = [q for q in pays if q.start < p.end and p.start < q.end]
        if all(len(p.amounts) > len(q.amounts) for q in same):
            pays = [q for q in pays if q not in same] + [p]
    pays.sort(key=lambda p: p.start)
    paying = {(p.start, p.end) for p in pays}
    # how the programme pays, stated apart from its amounts: its funding sections, and sentences
    # that name a way of paying (`采取后补助方式`, `以无偿资助形式`)
    stated = sorted({(a, b) for lo, hi in funding_sections for a, b in sentences(text, lo, hi)} | {
        (a, b) for lo, hi in region.ranges for a, b in sentences(text, lo, hi)
        if (a, b) not in paying and c["way"].search(text[a:b])})
    context_modes = modes_in("\n".join(text[a:b] for a, b in stated))
    own = region.text(text)
    cof = cofunding_in(own)
    cofunding = cof[0] if cof else None
    for idx, p in enumerate(pays):
        nxt = pays[idx + 1] if idx + 1 < len(pays) else None
        if not p.amounts and nxt is not None and _caps_the_rate(text, p, nxt):
            continue  # `按不超过2%的贴息率给予贴息。单个企业年度贴息金额最高不超过1000万元。`: one Funding, the cap
        sentence = text[p.start:p.end]
        modes = modes_in(sentence) or context_modes or ["grant"]
        per = "program_total" if c["program_total"].search(sentence) else "project"
        seen = set()
        for amt in p.amounts:
            if (amt.min_cny, amt.max_cny) in seen:  # an amount repeated in one sentence is listed once
                continue
            seen.add((amt.min_cny, amt.max_cny))
            result.items.append(FundingItem(amt.min_cny, amt.max_cny, per, modes, cofunding, (p.start, p.end),
                                            (amt.start, amt.end)))
        if not p.amounts:
            result.items.append(FundingItem(None, None, "project", modes, cofunding, (p.start, p.end)))
    if not result.items and context_modes:
        span = _first_mode_sentence(text, stated)
        if span:
            result.items.append(FundingItem(None, None, "project", context_modes, cofunding, span))
    dur = duration_in(own)
    if dur:
        (lo, hi), _ = dur
        result.duration = (_num(lo), _num(hi))
        result.duration_span = region.locate(*dur[1])
    return result


def _caps_the_rate(text: str, rate: Payment, cap: Payment) -> bool:
    """The sentence right after a rate (same paragraph) caps it."""
    between = text[rate.end:cap.start]
    return "\n" not in between and len(between.strip()) == 0 and any(a.kind == "cap" for a in cap.amounts)


def _first_mode_sentence(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    for a, b in spans:
        for s, e in sentences(text, a, b):
            if modes_in(text[s:e]):
                return s, e
    return None
