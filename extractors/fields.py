"""Fill a guide's programmes and guide-wide lists from the document model (doc.py) and the one
entity pass (nlp.entity_pass): every item goes to the programme `doc.owner_at` names, else to the
guide. Money comes from the pass's MONEY spans, contacts from its contact-block parse, deadlines
from its DATE spans, so the record and `zhinan extract --entities` never disagree."""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.constraints import parse_constraints
from extractors.deadlines import extract_channels, extract_deadlines
from extractors.directions import extract_directions, topic_sections
from extractors.doc import GuideDoc
from extractors.funding import duration_in, extract_funding
from extractors.requirements import categorize as requirement_category
from extractors.requirements import requirement_items
from extractors.textspan import Region
from schemas import (Channel, Cofunding, Constraint, Contact, Deadline, Direction, Duration, Funding,
                     Requirement, Span)


@dataclass
class Fields:
    directions: list[Direction] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    duration: Duration | None = None
    requirements: list[Requirement] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


def _span(a: int, b: int) -> Span:
    return Span(start=a, end=b)


def extract_fields(doc: GuideDoc, ents, year: int | None) -> tuple[list[Fields], Fields, list[Channel]]:
    """(fields per programme, guide-wide fields, channels) of a parsed guide. `ents` is the
    document's nlp.EntityPass."""
    text, nodes = doc.text, doc.nodes
    per = [Fields() for _ in doc.programs]
    guide = Fields()

    def target(pos: int) -> Fields:
        k = doc.owner_at(pos)
        return per[k] if k is not None else guide

    for k, fp in enumerate(doc.programs):
        _programme_fields(doc, ents, k, per[k])
    _guide_wide_duration(doc, per)

    for item in requirement_items(text, nodes, doc.excluded, doc.sentences):
        body = text[item.start:item.end]
        parsed = parse_constraints(body, offset=item.start)
        req = Requirement(text=body, category=requirement_category(body, {c.field for c in parsed}),
                          span=_span(item.start, item.end),
                          constraints=[Constraint(subject=c.subject, field=c.field, op=c.op, value=c.value, unit=c.unit,
                                                  span=_span(c.start, c.end)) for c in parsed])
        k = doc.owner_of_item(item.start, item.heading)
        (per[k] if k is not None else guide).requirements.append(req)

    for block_start, drafts in ents.contacts:
        for d in drafts:
            target(block_start).contacts.append(Contact(
                org=d.org, department=d.department, names=d.names, phones=d.phones, emails=d.emails,
                address=d.address, scope=d.scope, span=_span(d.start, d.end)))

    for dl in extract_deadlines(text, year, doc.blocked, doc.heading_at, dates=ents.date_spans, spans=doc.sentences):
        target(dl.start).deadlines.append(
            Deadline(kind=dl.kind, at=dl.at, text=text[dl.start:dl.end], span=_span(dl.start, dl.end)))
    channels = [Channel(name=c.name, url=c.url, span=_span(c.start, c.end))
                for c in extract_channels(text, doc.blocked, doc.sentences)]
    return per, guide, channels


def _programme_fields(doc: GuideDoc, ents, k: int, out: Fields) -> None:
    """Funding, duration and directions of programme k, from its own text and sections."""
    text, nodes, fp = doc.text, doc.nodes, doc.programs[k]
    mine = doc.sections_of(k)
    fund_secs = [nodes[i].content for i in mine if doc.part_kinds[i] == "funding"]
    res = extract_funding(text, doc.regions[k], fund_secs, ents.amounts_in)
    for it in res.items:
        cof = Cofunding(kind=it.cofunding[0], min=it.cofunding[1]) if it.cofunding else None
        out.funding.append(Funding(min_cny=it.min_cny, max_cny=it.max_cny, per=it.per, modes=it.modes, cofunding=cof,
                                   text=text[it.span[0]:it.span[1]], span=_span(*it.span),
                                   amount_span=_span(*it.amount_span) if it.amount_span else None))
    if res.duration:
        out.duration = Duration(min_years=res.duration[0], max_years=res.duration[1],
                                span=_span(*res.duration_span) if res.duration_span else None)
    topics = topic_sections(text, nodes, [i for i in mine if nodes[i].parent == fp.node],
                            lambda i: any(q.start > nodes[i].start and q.end <= nodes[i].end for q in doc.programs))
    for d in extract_directions(text, nodes, mine) + topics:
        out.directions.append(Direction(title=d.title, text=text[d.start:d.end], keywords=d.keywords,
                                        span=_span(d.start, d.end)))


def _guide_wide_duration(doc: GuideDoc, per: list[Fields]) -> None:
    """A guide-wide implementation period applies to the programmes that state none."""
    outside = Region.of(0, len(doc.text), [(fp.start, fp.end) for fp in doc.programs])
    found = duration_in(outside.text(doc.text))
    if not found:
        return
    (lo, hi), (a, b) = found
    start, end = outside.locate(a, b)
    for f in per:
        if f.duration is None:
            f.duration = Duration(min_years=_int(lo), max_years=_int(hi), span=_span(start, end))


def _int(v):
    return int(v) if v is not None and v == int(v) else v
