"""Contacts from the contact blocks of a guide, grouped the way the text groups them.

Person names come from the grammar of contact lines, not from POS tags (jieba finds half of
them): the tokens after `联 系 人：`, or a line of name tokens followed by a phone number; tokens
separated by runs of spaces; a single-character surname and a single character padded apart
join (`李  雪` -> `李雪`); a name starts with a surname (data/surnames.txt) or joins two parts
with `·` (`塔依尔·提依甫`). Units (`高新技术管理科：负责…`, `市科技局高新科：`, a line naming an
office alone) open a contact; names, phones, address and scope lines fill it. When two units
each carry a phone and one names line follows with as many names, they pair by position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.outline import match_numbered
from extractors.phones import PHONE, find_phones
from extractors.rules import load_toml, word_list
from extractors.textspan import EMAIL, Cover, lines_in

_LABEL = re.compile(
    r"^(?P<label>联\s*系\s*人(?:及(?:联系)?(?:电话|方式))?|联系电话|咨询电话|联系方式|联络方式|电\s*话|手\s*机|地\s*址|通讯地址|邮\s*箱|电子邮箱|电子信箱|E-?mail|传\s*真)\s*[：:]\s*",
    re.I)
_UNIT_COLON = re.compile(r"^(?P<unit>[^：:，。；]{2,40}?)\s*[：:]\s*(?P<rest>.*)$")
_PAREN = re.compile(r"[（(]([^（）()]{2,30})[)）]")
_ORG_END = re.compile(r"(?:局|委员会|委|厅|公司|政府|大学|学院|研究院|集团|医院|管委会|办公厅)$")
_DEPT_END = re.compile(r"(?:科|处|室|所|部|站|办|中心|办公室|事务所)$")
_ORG_THEN_DEPT = re.compile(r"^(?P<org>.{2,20}?(?:局|委员会|委|厅|公司|政府|管委会))(?P<dept>.{2,20}?(?:科|处|室|所|部|站|办公室|中心))$")
_NOT_NAME = re.compile(r"科|局|处|室|中心|公司|单位|部门|电话|联系|地址|负责|管理|项目|技术|服务|附件|详见|方式|区|市|县|省")
_SENT = re.compile(r"[，。；,;]")
_SPLIT = re.compile(r"[\s、，,；;/]+")
_INNER_LABEL = re.compile(r"[，,；;]?\s*(?:联系)?(?:电\s*话|手\s*机|座\s*机|邮\s*箱|电子邮箱|传\s*真|E-?mail)\s*[：:]?", re.I)


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset, frozenset]:
    names = word_list("surnames.txt")
    return frozenset(n for n in names if len(n) == 1), frozenset(n for n in names if len(n) == 2)


def is_person_name(tok: str) -> bool:
    if "·" in tok:
        parts = tok.split("·")
        return all(1 <= len(p) <= 8 and all("\u4e00" <= c <= "\u9fff" for c in p) for p in parts) and len(parts) >= 2
    if not (2 <= len(tok) <= 4) or not all("\u4e00" <= c <= "\u9fff" for c in tok) or _NOT_NAME.search(tok):
        return False
    single, double = _surnames()
    return tok[0] in single or tok[:2] in double


_NAME_THEN_PHONE = re.compile(r"^([\u4e00-\u9fff]{2,4})\s+(?:联系)?(?:电\s*话|手\s*机)\s*[：:]")


def _has_surname(tok: str) -> bool:
    single, double = _surnames()
    return tok[0] in single or tok[:2] in double


def split_names(segment: str) -> list[str] | None:
    """Name tokens of a segment, or None when something in it is not a name."""
    tokens = [t for t in _SPLIT.split(segment.replace("•", "·").replace("・", "·")) if t]
    merged: list[str] = []
    single, _ = _surnames()
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if len(t) == 1 and t in single and i + 1 < len(tokens) and len(tokens[i + 1]) <= 2:
            merged.append(t + tokens[i + 1])  # `李  雪` -> 李雪
            i += 2
            continue
        merged.append(t)
        i += 1
    if not merged or not all(is_person_name(t) for t in merged):
        return None
    return merged


@dataclass
class ContactDraft:
    org: str | None = None
    department: str | None = None
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str | None = None
    scope: str | None = None
    start: int = -1
    end: int = -1
    group: int = 0

    def touch(self, a: int, b: int) -> None:
        self.start = a if self.start < 0 else min(self.start, a)
        self.end = max(self.end, b)

    @property
    def useful(self) -> bool:
        return bool(self.names or self.phones or self.emails)


def split_unit(unit: str) -> tuple[str | None, str | None]:
    """(org, department) of a unit string: `市科技局高新技术管理科` -> (市科技局, 高新技术管理科)."""
    unit = unit.strip()
    if "、" in unit:  # several bodies named together (`某中心、某服务中心`) act as one organisation
        return unit, None
    m = _ORG_THEN_DEPT.match(unit)
    if m:
        return m.group("org"), m.group("dept")
    if _ORG_END.search(unit) and not _DEPT_END.search(unit):
        return unit, None
    if unit.endswith("中心") and _starts_with_place(unit):  # 西宁市科技创新促进中心: a body of its own
        return unit, None
    return None, unit


def _starts_with_place(unit: str) -> bool:
    from extractors.gazetteer import load

    m = load().scan(unit[:12])
    return bool(m and m[0].start == 0) or unit[0] in "市省县"


_LABELLED_NUMBER = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:热线|电话))\s*[：:]\s*(\d[\d-]{4,13})")
_ASIDE_OPEN = re.compile(r"^[（(]\s*咨询")
_ASIDE = re.compile(r"^[（(]\s*咨询(?:电话)?[：:]?|[)）]$")
_UNIT_LABEL = re.compile(r"^(?:管理科室|负责科室|业务科室|联系科室|主管科室|归口科室|联系单位|咨询单位)$")
_SCOPE_LABEL = re.compile(r"(?:受理单位|中介机构|承办单位)$")


_BRACKETED = re.compile(r"[（(]([\u4e00-\u9fff]{2,4})[)）]")


def _people_with_phones(bld: "_Builder", rest: str, area: str | None, a: int, b: int) -> bool:
    """`张三 0531-82345678，李四 0531-87654321`: every segment a person with one phone; each becomes a
    contact of the same group. False (and nothing done) when the segments are not like that."""
    segments = [seg for seg in re.split(r"[，,；;]", rest) if seg.strip()]
    if len(segments) < 2:
        return False
    people = []
    for seg in segments:
        phones = [p.number for p in find_phones(seg, area)]
        names = split_names(_INNER_LABEL.sub(" ", PHONE.sub(" ", seg)))
        if len(phones) != 1 or not names:
            return False
        people.append((names, phones))
    for names, phones in people:
        bld.names(names, phones, a, b)
    return True


def _leading_unit(s: str) -> tuple[str | None, str]:
    """A unit named before the names in a 联系人 line: (unit, the rest), or (None, s)."""
    parts = s.strip().split(None, 1)
    if len(parts) == 2 and (_DEPT_END.search(parts[0]) or _ORG_END.search(parts[0])) and not is_person_name(parts[0]):
        return parts[0], parts[1]
    return None, s


def _unit_text(s: str) -> str:
    """A unit line less its phones and the brackets they leave: `某科（0971-8230515）` -> `某科`."""
    s = PHONE.sub("", s)
    s = re.sub(r"[（(]\s*[)）]", "", s).strip()
    while s and s[-1] in "（(":
        s = s[:-1].rstrip()
    while s and s[0] in ")）":
        s = s[1:].lstrip()
    while s and s[-1] in ")）" and s.count("（") + s.count("(") < s.count("）") + s.count(")"):
        s = s[:-1].rstrip()
    return s


def _unit_parts(bld: "_Builder", line: str, a: int, b: int) -> None:
    """A line naming a unit, maybe as `org   dept` and with phones."""
    phones = find_phones(line, bld.area)
    parts = [p for p in re.split(r"\s{2,}", _unit_text(line)) if p]
    if not parts:
        if phones:
            bld.phones([p.number for p in phones], a, b)
        return
    if len(parts) == 2 and _ORG_END.search(parts[0]):
        bld.flush()
        d = bld.new(parts[0], parts[1])
        d.phones += [p.number for p in phones]
        d.touch(a, b)
        if phones:
            bld.pending = [d]
        return
    bld.unit(" ".join(parts), " ".join(p.number for p in phones), a, b)


class _Builder:
    def __init__(self, area: str | None):
        self.area = area
        self.out: list[ContactDraft] = []
        self.cur: ContactDraft | None = None
        self.pending: list[ContactDraft] = []  # units with phones awaiting names
        self.scope: str | None = None
        self.group = 0

    def flush(self) -> None:
        if self.cur is not None and self.cur.useful and self.cur not in self.out:
            self.out.append(self.cur)
        self.cur = None

    def new(self, org=None, dept=None, scope=None, same_group=False) -> ContactDraft:
        if not same_group:
            self.group += 1
        self.cur = ContactDraft(org=org, department=dept, scope=scope or self.scope, group=self.group)
        return self.cur

    def unit(self, unit: str, rest: str, a: int, b: int) -> None:
        prev = self.cur
        if prev is not None and not prev.useful and not rest.strip():
            name = prev.org or prev.department or ""
            if name and not (_ORG_END.search(name) or _DEPT_END.search(name)):
                unit = name + unit  # `…、西宁国家农业` / `科技园区服务中心`: one name broken over two lines
                self.cur = None
        self.flush()
        org, dept = split_unit(unit)
        d = self.new(org, dept)
        d.touch(a, b)
        phones = [p.number for p in find_phones(rest, self.area)]
        names_part = PHONE.sub(" ", rest)
        names = split_names(names_part) if names_part.strip() else None
        if names:
            d.names += names
        elif rest.strip().startswith("负责") or (rest.strip() and not phones):
            d.scope = rest.strip().rstrip("。；;")
        d.phones += phones
        if phones and not names:
            self.pending.append(d)
            self.out.append(d)
        else:
            self.pending = []

    def names(self, names: list[str], phones: list[str], a: int, b: int) -> None:
        if self.pending and len(self.pending) == len(names) >= 2 and not phones:
            for d, n in zip(self.pending, names):
                d.names.append(n)
                d.touch(a, b)
            self.pending = []
            self.cur = None
            return
        self.pending = []
        d = self.cur
        if d is None:
            d = self.new()
        elif d.names and d.phones:  # `联系人：董茹 3922117` then `韩蓉 3922115`: a second person
            self.flush()
            d = self.new(d.org, d.department, d.scope, same_group=True)
        d.names += [n for n in names if n not in d.names]
        d.phones += [p for p in phones if p not in d.phones]
        d.touch(a, b)

    def phones(self, phones: list[str], a: int, b: int) -> None:
        d = self.cur or self.new()
        d.phones += [p for p in phones if p not in d.phones]
        d.touch(a, b)

    def address(self, value: str, a: int, b: int) -> None:
        group = self.cur.group if self.cur else self.group
        targets = [d for d in self.out if d.group == group] + ([self.cur] if self.cur else [])
        if not targets:
            targets = [self.new()]
        for d in targets:
            d.address = value
            d.touch(a, b)


def parse_contact_lines(text: str, lines: list[tuple[int, int]], area: str | None) -> list[ContactDraft]:
    """Contacts from the lines (start, end) of one contact block."""
    bld = _Builder(area)
    for a, b in lines:
        raw = text[a:b]
        num = match_numbered(raw)
        line = raw[num[3]:] if num else raw
        line = line.strip()
        if _ASIDE_OPEN.match(line):  # `（咨询市农业农村局畜牧业发展科0832-2028501）`
            line = _ASIDE.sub("", line)
        if line.startswith("咨询电话") and _UNIT_COLON.match(line[4:].lstrip("：: ")):
            line = line[4:].lstrip("：: ")  # `咨询电话：市农业农村局计划投资财务科：0832-2023832`
        if not line:
            continue
        labelled = _LABELLED_NUMBER.findall(line)
        if len(labelled) >= 2 or (labelled and labelled[0][0].endswith("热线")):
            # `税务服务热线：12366   人社服务热线：12333`: one contact per labelled number
            for label, number in labelled:
                bld.flush()
                d = bld.new(scope=label)
                d.phones += [p.number for p in find_phones(f"{label}：{number}", area)]
                d.touch(a, b)
                bld.flush()
            continue
        m = _LABEL.match(line)
        if m:
            label = re.sub(r"\s+", "", m.group("label"))
            rest = line[m.end():]
            if label.startswith("联系人") and _people_with_phones(bld, rest, area, a, b):
                continue  # `联系人及电话：张三 0531-82345678，李四 0531-87654321`: one contact each
            if label.startswith("联系人"):
                paren = _PAREN.match(rest)
                if paren and bld.cur is not None and bld.cur.department is None:
                    bld.cur.department = paren.group(1)
                elif paren:
                    bld.new(None, paren.group(1), same_group=True)
                rest = _PAREN.sub(" ", rest) if paren else rest
                phones = [p.number for p in find_phones(rest, area)]
                unit, rest_names = _leading_unit(_INNER_LABEL.sub(" ", EMAIL.sub(" ", PHONE.sub(" ", rest))))
                if unit:  # `联 系 人：市经信局企业促进科 王国伟 黎晓红`
                    org, dept = split_unit(unit)
                    if bld.cur is None or bld.cur.useful:
                        bld.flush()
                        bld.new(org, dept, same_group=True)
                    else:
                        bld.cur.org, bld.cur.department = org, dept
                names = split_names(rest_names) or []
                emails = EMAIL.findall(rest)
                if emails:
                    d = bld.cur or bld.new()
                    d.emails += [e for e in emails if e not in d.emails]
                    d.touch(a, b)  # the contact's evidence includes this line
                if names or phones:
                    bld.names(names, phones, a, b) if names else bld.phones(phones, a, b)
            elif label in ("地址", "通讯地址"):
                bld.address(rest.strip(), a, b)
            elif label in ("邮箱", "电子邮箱", "电子信箱", "E-mail", "Email"):
                d = bld.cur or bld.new()
                d.emails += EMAIL.findall(rest)
                d.touch(a, b)
            else:  # `联系方式：余娴 010-60738198；李梦玮 010-60738364`: name and phone pairs
                for seg in re.split(r"[；;]", rest):
                    phones = [p.number for p in find_phones(seg, area)]
                    names = split_names(_INNER_LABEL.sub(" ", EMAIL.sub(" ", PHONE.sub(" ", seg)))) or [
                        n for n in _BRACKETED.findall(seg) if is_person_name(n)]  # `0531-82345678（张老师）`
                    if names:
                        bld.names(names, phones, a, b)
                    elif phones:
                        bld.phones(phones, a, b)
            continue
        phones = find_phones(line, area)
        before = line[: phones[0].start] if phones else line
        between = _INNER_LABEL.sub(" ", EMAIL.sub(" ", PHONE.sub(" ", line)))
        names = split_names(between) if phones and not _SENT.search(before) else None
        labelled = _NAME_THEN_PHONE.match(line)
        if names is None and phones and labelled and _has_surname(labelled.group(1)):
            names = [labelled.group(1)]  # `罗力科 电话：…`: the word before a phone label is a person
        if names is None and phones and not _SENT.search(before):
            unit, rest_names = _leading_unit(between)
            if unit and split_names(rest_names):  # `市科技局高新处  刘洋  0531-82345678`
                bld.flush()
                bld.new(*split_unit(unit))
                names = split_names(rest_names)
        if names:
            bld.names(names, [p.number for p in phones], a, b)
            emails = EMAIL.findall(line)
            if emails and bld.cur is not None:
                bld.cur.emails += [e for e in emails if e not in bld.cur.emails]
            continue
        um = _UNIT_COLON.match(line)
        if um:
            unit, rest = um.group("unit").strip(), um.group("rest")
            if not rest.strip():  # `2.项目管理科室：` labels what follows
                bld.flush()
                bld.pending = []
                bld.scope = unit
            elif _SCOPE_LABEL.search(unit):  # `项目受理单位：某中心`
                bld.flush()
                bld.scope = unit
                bld.unit(_unit_text(rest), "", a, b)
            elif _UNIT_LABEL.match(unit):  # `管理科室：市科技局   农社科   0971-8230521`
                _unit_parts(bld, rest, a, b)
            else:
                bld.unit(unit, rest, a, b)
            continue
        if line.startswith("负责") and bld.cur is not None:
            bld.cur.scope = line.rstrip("。；;")
            bld.cur.touch(a, b)
            continue
        segments = [seg for seg in re.split(r"[、；;]", line) if seg.strip()]
        if len(segments) > 1 and all(len(find_phones(seg, area)) == 1 for seg in segments):
            for seg in segments:  # `市农业农村局计划投资财务科0832-2023832、省农担内江分公司0832-2261768`
                bld.flush()
                _unit_parts(bld, seg, a, b)
            continue
        if _SENT.search(line) or len(line) > 40:
            continue
        _unit_parts(bld, line, a, b)
    bld.flush()
    return [d for d in bld.out if d.useful]


_CONTACT_LINE = re.compile(r"联\s*系\s*人\s*[：:]|(?:联系|咨询)电话\s*[：:]|^[（(]咨询")
# a line that only announces contacts (its words may be lost: a colon alone)
_LABEL_ONLY = re.compile(r"^\s*(?:[\u4e00-\u9fff]{0,8}(?:电话|热线|联系|联络|咨询|方式))?\s*[：:]\s*$")


@lru_cache(maxsize=1)
def _contact_section_rx() -> re.Pattern:
    return re.compile(load_toml("sections.toml")["contacts"]["pattern"])


def contact_blocks(doc) -> list[tuple[int, list[tuple[int, int]]]]:
    """Line blocks to read contacts from, as (block start, lines): contact sections (`联系方式`),
    a line that only announces contacts (`咨询电话：`) with the phone lines after it, and stray
    `联系人：` lines elsewhere with the phone lines that follow them."""
    text, nodes, excluded = doc.text, doc.nodes, doc.excluded
    rx = _contact_section_rx()
    blocks: list[tuple[int, list[tuple[int, int]]]] = []
    covered = Cover()
    for i, n in enumerate(nodes):
        if excluded[i] or n.start in covered or not rx.search(n.title):
            continue
        lines = lines_in(text, *n.body)
        rest = text[slice(*n.heading)]
        if re.search(r"[：:]\s*\S", rest):  # `管理科室：高新…（0971-…）` carries content itself
            lines.insert(0, n.heading)
        blocks.append((n.start, lines))
        covered.add(n.start, n.end)
    blocked = Cover(doc.blocked)
    all_lines = doc.lines
    for idx, (a, b) in enumerate(all_lines):  # `咨询电话：` alone, then one phone line after another
        if not _LABEL_ONLY.match(text[a:b]) or a in covered or a in blocked:
            continue
        run = []
        for j in range(idx + 1, len(all_lines)):  # not a copy of the rest of the list: linear
            x, y = all_lines[j]
            if not find_phones(text[x:y]):
                break
            run.append((x, y))
        if run:
            blocks.append((a, run))
            covered.add(a, run[-1][1])
    for idx, (a, b) in enumerate(all_lines):
        m = _CONTACT_LINE.search(text[a:b])
        if m and not (a in covered or a in blocked):
            run = []  # the phone lines right after it belong to it (`内江农商银行：0832-2262553`)
            for j in range(idx + 1, len(all_lines)):
                x, y = all_lines[j]
                if not find_phones(text[x:y]) or _CONTACT_LINE.search(text[x:y]) or x in covered or x in blocked:
                    break
                run.append((x, y))
            if m.start() > 0:  # `…报送至市经信局技术进步与质量科。联系人：刘宇；联系电话：…`
                blocks.append((a + m.start(), [(a + m.start(), b)] + run))
            else:
                prev = [all_lines[idx - 1]] if idx and not _CONTACT_LINE.search(text[slice(*all_lines[idx - 1])]) else []
                blocks.append((a, prev + [(a, b)] + run))
            covered.add(a, run[-1][1] if run else b)
    return sorted(blocks, key=lambda t: t[0])
