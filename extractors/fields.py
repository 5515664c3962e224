"""Fill a guide's programmes and guide-wide lists from its outline: each extracted item goes to
the programme whose own text holds it (its section less nested programmes), else to the guide."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.constraints import parse_constraints
from extractors.contacts import parse_contact_lines
from extractors.deadlines import extract_channels, extract_deadlines
from extractors.directions import extract_directions, topic_sections
from extractors.phones import find_phones
from extractors.funding import duration_in, extract_funding
from extractors.offers import part_kind
from extractors.outline import Node, flag_subtrees
from extractors.programs import FoundProgram
from extractors.requirements import categorize as requirement_category
from extractors.requirements import requirement_items
from extractors.rules import load_toml
from extractors.textspan import Region, lines_in
from schemas import (Channel, Cofunding, Constraint, Contact, Deadline, Direction, Duration, Funding,
                     Requirement, Span)

_CONTACT_LINE = re.compile(r"联\s*系\s*人\s*[：:]|(?:联系|咨询)电话\s*[：:]|^[（(]咨询")
# a line that only announces contacts (its words may be lost: a colon alone)
_LABEL_ONLY = re.compile(r"^\s*(?:[\u4e00-\u9fff]{0,8}(?:电话|热线|联系|联络|咨询|方式))?\s*[：:]\s*$")


@dataclass
class Fields:
    directions: list[Direction] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    duration: Duration | None = None
    requirements: list[Requirement] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


@lru_cache(maxsize=1)
def _sections() -> dict[str, re.Pattern]:
    data = load_toml("sections.toml")
    return {g: re.compile(body["pattern"]) for g, body in data.items()}


def _span(a: int, b: int) -> Span:
    return Span(start=a, end=b)


def owners(nodes: list[Node], programs: list[FoundProgram]) -> list[int | None]:
    """For each outline node, the index of the programme it belongs to (nearest one above)."""
    prog_of = {fp.node: k for k, fp in enumerate(programs)}
    out: list[int | None] = []
    for i, n in enumerate(nodes):
        if i in prog_of:
            out.append(prog_of[i])
        else:
            out.append(out[n.parent] if n.parent is not None else None)
    return out


def excluded_nodes(nodes: list[Node]) -> list[bool]:
    rx = _sections()["excluded"]
    return flag_subtrees(nodes, lambda n: rx.search(n.title))


def extract_fields(text: str, nodes: list[Node], programs: list[FoundProgram], year: int | None,
                   area_code: str | None) -> tuple[list[Fields], Fields, list[Channel]]:
    sec = _sections()
    own = owners(nodes, programs)
    excluded = excluded_nodes(nodes)
    regions = []
    for k, fp in enumerate(programs):
        holes = [(q.start, q.end) for q in programs if q.parent == k]
        regions.append(Region.of(fp.start, fp.end, holes))
    per = [Fields() for _ in programs]
    guide = Fields()

    def owner_at(pos: int) -> int | None:
        best = None
        for k, fp in enumerate(programs):
            if regions[k].contains(pos):
                best = k
        return best

    # funding, duration, directions: per programme
    for k, fp in enumerate(programs):
        mine = [i for i, o in enumerate(own) if o == k and i != fp.node and not excluded[i]]
        if fp.node is None:  # a call for one thing: every section outside other programmes
            mine = [i for i, o in enumerate(own) if o is None and not excluded[i]]
        fund_secs = [(nodes[i].rest_start, nodes[i].end) for i in mine if part_kind(nodes[i].title) == "funding"]
        res = extract_funding(text, regions[k], fund_secs)
        for it in res.items:
            cof = Cofunding(kind=it.cofunding[0], min=it.cofunding[1]) if it.cofunding else None
            per[k].funding.append(Funding(min_cny=it.min_cny, max_cny=it.max_cny, per=it.per, modes=it.modes,
                                          cofunding=cof, text=text[it.span[0]:it.span[1]], span=_span(*it.span)))
        if res.duration:
            per[k].duration = Duration(min_years=res.duration[0], max_years=res.duration[1])
        topics = topic_sections(text, nodes, [i for i in mine if nodes[i].parent == fp.node],
                                lambda i: any(q.start > nodes[i].start and q.end <= nodes[i].end for q in programs))
        for d in extract_directions(text, nodes, mine) + topics:
            per[k].directions.append(Direction(title=d.title, text=text[d.start:d.end], keywords=d.keywords,
                                               span=_span(d.start, d.end)))
    # a guide-wide implementation period applies to programmes that state none
    outside = Region.of(0, len(text), [(fp.start, fp.end) for fp in programs])
    gdur = duration_in(outside.text(text))
    if gdur:
        for f in per:
            if f.duration is None:
                f.duration = Duration(min_years=_int(gdur[0][0]), max_years=_int(gdur[0][1]))

    # requirements
    names = [(k, fp.name) for k, fp in enumerate(programs)]
    for item in requirement_items(text, nodes, excluded):
        body = text[item.start:item.end]
        parsed = parse_constraints(body)
        req = Requirement(text=body, category=requirement_category(body, {c.field for c in parsed}),
                          span=_span(item.start, item.end),
                          constraints=[Constraint(subject=c.subject, field=c.field, op=c.op, value=c.value, unit=c.unit)
                                       for c in parsed])
        k = owner_at(item.start)
        if k is None and item.heading:
            k = next((k for k, name in sorted(names, key=lambda t: -len(t[1])) if name in item.heading), None)
        (per[k] if k is not None else guide).requirements.append(req)

    # contacts
    for a, lines in _contact_blocks(text, nodes, excluded):
        target = per[owner_at(a)] if owner_at(a) is not None else guide
        for d in parse_contact_lines(text, lines, area_code):
            target.contacts.append(Contact(org=d.org, department=d.department, names=d.names, phones=d.phones,
                                           emails=d.emails, address=d.address, scope=d.scope,
                                           span=_span(d.start, d.end)))

    # deadlines and channels
    blocked = [(n.start, n.end) for i, n in enumerate(nodes) if excluded[i]]
    def heading_at(pos: int) -> str:
        inner = [n for n in nodes if n.start <= pos <= n.end]
        return inner[-1].title if inner else ""

    for dl in extract_deadlines(text, year, blocked, heading_at):
        k = owner_at(dl.start)
        (per[k] if k is not None else guide).deadlines.append(
            Deadline(kind=dl.kind, at=dl.at, text=text[dl.start:dl.end], span=_span(dl.start, dl.end)))
    channels = [Channel(name=c.name, url=c.url, span=_span(c.start, c.end)) for c in extract_channels(text, blocked)]
    return per, guide, channels


def _int(v):
    return int(v) if v is not None and v == int(v) else v




def _contact_blocks(text: str, nodes: list[Node], excluded: list[bool]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Line blocks to read contacts from: contact sections, and stray `联系人：` lines elsewhere."""
    rx = _sections()["contacts"]
    blocks: list[tuple[int, list[tuple[int, int]]]] = []
    covered: list[tuple[int, int]] = []
    for i, n in enumerate(nodes):
        if excluded[i] or any(a <= n.start < b for a, b in covered) or not rx.search(n.title):
            continue
        lines = lines_in(text, n.head_end + 1, n.end)
        rest = text[n.rest_start:n.head_end]
        if re.search(r"[：:]\s*\S", rest):  # `管理科室：高新…（0971-…）` carries content itself
            lines.insert(0, (n.rest_start, n.head_end))
        blocks.append((n.start, lines))
        covered.append((n.start, n.end))
    blocked = [(n.start, n.end) for i, n in enumerate(nodes) if excluded[i]]
    all_lines = lines_in(text, 0, len(text))
    for idx, (a, b) in enumerate(all_lines):  # `咨询电话：` alone, then one phone line after another
        if not _LABEL_ONLY.match(text[a:b]) or any(x <= a < y for x, y in covered + blocked):
            continue
        run = []
        for x, y in all_lines[idx + 1:]:
            if not find_phones(text[x:y]):
                break
            run.append((x, y))
        if run:
            blocks.append((a, run))
            covered.append((a, run[-1][1]))
    for idx, (a, b) in enumerate(all_lines):
        m = _CONTACT_LINE.search(text[a:b])
        if m and not any(x <= a < y for x, y in covered + blocked):
            run = []  # the phone lines right after it belong to it (`内江农商银行：0832-2262553`)
            for x, y in all_lines[idx + 1:]:
                if not find_phones(text[x:y]) or _CONTACT_LINE.search(text[x:y]) or any(
                        p <= x < q for p, q in covered + blocked):
                    break
                run.append((x, y))
            if m.start() > 0:  # `…报送至市经信局技术进步与质量科。联系人：刘宇；联系电话：…`
                blocks.append((a + m.start(), [(a + m.start(), b)] + run))
            else:
                prev = [all_lines[idx - 1]] if idx and not _CONTACT_LINE.search(text[slice(*all_lines[idx - 1])]) else []
                blocks.append((a, prev + [(a, b)] + run))
            covered.append((a, run[-1][1] if run else b))
    return sorted(blocks, key=lambda t: t[0])
