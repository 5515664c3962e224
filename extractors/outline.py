"""The section tree of a guide, from Chinese official-document numbering.

Levels come from the numbering *style* in context, never from trusting the counter: a style
already open in the stack is a sibling of that list; a new style opens a child list. Real
guides number badly, so three repairs apply (all in `_place_numbered` / `_place_bare`):
- a marker of the same family whose counter continues an open list is a sibling of it
  (`1、 二、 三、`, `（二） （4） （五）`);
- a counter above 1 with no open list of its style continues the unnumbered headings whose
  numbers were lost (`征集重点 … （二）成果转化类需求 … 三、申报程序`);
- an unnumbered heading line (`科技重大专项`) is a section: a sibling of the previous unnumbered
  heading, or, when a list restarts at 1 after it, the new parent of that list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import cn2an

from extractors.rules import load_toml
from extractors.textspan import line_spans

_CLAUSE_END = re.compile(r"[。：:；;，,！？]")
_SENTENCE_PUNCT = set("，。；：,;:！？!?、")


@dataclass
class Node:
    title: str
    level: int
    style: str
    marker: str | None
    value: int | None
    start: int          # offset of the heading line in text
    head_end: int       # end of the heading line
    rest_start: int     # offset of the text after the marker
    end: int = -1       # end of the whole section
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    titled: bool = False  # the heading line is only a title, no sentence after it

    @property
    def line(self) -> tuple[int, int]:
        """The heading line, marker included."""
        return self.start, self.head_end

    @property
    def heading(self) -> tuple[int, int]:
        """The heading line after its marker (`（一）落户补贴。在…` -> `落户补贴。在…`)."""
        return self.rest_start, self.head_end

    @property
    def body(self) -> tuple[int, int]:
        """Everything after the heading line, nested sections included."""
        return min(self.head_end + 1, self.end), self.end

    @property
    def content(self) -> tuple[int, int]:
        """The heading after its marker and the body."""
        return self.rest_start, self.end


@dataclass
class _Frame:
    styles: set[str]
    family: set[str]
    level: int
    last: int | None
    node: int
    kind: str  # numbered | bare | annex | runin
    ordinal: int = 1  # position among unnumbered siblings


@lru_cache(maxsize=1)
def _styles() -> tuple[list[dict], dict]:
    data = load_toml("numbering.toml")
    bare = dict(data["bare"])
    bare["not_heading_re"] = re.compile(bare["not_heading"])
    bare["date_re"] = re.compile(bare["date"])
    return data["style"], bare


@lru_cache(maxsize=4096)  # numbering repeats (一、二、…): cn2an's parse is the slow part
def to_int(v: str) -> int | None:
    if v.isascii() and v.isdigit():  # '②'.isdigit() is True too
        return int(v)
    if len(v) == 1 and "①" <= v <= "⑳":
        return ord(v) - ord("①") + 1
    try:
        return int(cn2an.cn2an(v, "smart"))
    except (ValueError, KeyError):
        return None


def match_numbered(line: str) -> tuple[dict, str, int | None, int] | None:
    """(style, marker, value, offset of rest) for a numbered line, else None."""
    styles, _ = _styles()
    for st in styles:
        m = st["regex"].match(line)
        if m:
            rest = m.group("rest")
            if st["id"] != "annex" and not rest.strip():
                return None
            return st, line[: m.start("rest")].strip(), to_int(m.group("v")), m.start("rest")
    return None


def is_bare_heading(line: str) -> bool:
    _, bare = _styles()
    s = line.strip()
    if not s or len(s) > bare["max_chars"] or "\t" in line:
        return False
    if any(c in _SENTENCE_PUNCT for c in s) or s[-1] in "）)”\"":
        return False
    if sum(c.isdigit() for c in s) >= 5 or bare["date_re"].match(s) or bare["not_heading_re"].search(s):
        return False
    cjk = sum(1 for c in s if "\u4e00" <= c <= "\u9fff")
    return cjk >= 2


def is_title_line(rest: str) -> bool:
    """A numbered line that is only a heading (`一、支持方向`, `（二）工业机器人应用`), not an item
    that says something (`（一）项目单位在东莞市内注册、具有独立法人资格。`)."""
    s = rest.strip().rstrip("：:")
    return bool(s) and len(s) <= 40 and not any(c in "，。；,;！？!?" for c in s)


def clause_title(rest: str) -> str:
    """A numbered item's heading: the text up to its first clause break."""
    m = _CLAUSE_END.search(rest)
    return (rest[: m.start()] if m else rest).strip()




def build_outline(text: str, body_start: int = 0) -> list[Node]:
    """Sections of `text` from offset `body_start` on (the title block comes before it)."""
    lines = [(a, b) for a, b in line_spans(text) if b > a and a >= body_start]
    texts = [text[a:b] for a, b in lines]
    nums = [match_numbered(line) for line in texts]  # once per line: the helpers below read it
    bare = _bare_flags(texts, nums)
    runin = _runin_titles(texts, nums)
    nodes: list[Node] = []
    frames: list[_Frame] = []
    prev_heading = False
    for k, (a, b) in enumerate(lines):
        line, num = texts[k], nums[k]
        if num is not None:
            st, marker, value, rest_off = num
            rest = line[rest_off:]
            node = Node(clause_title(rest) or rest.strip(), 0, st["id"], marker, value, a, b, a + rest_off,
                        titled=is_title_line(rest))
            _place_numbered(frames, nodes, node, st, value)
            prev_heading = node.titled
        elif bare[k]:
            node = Node(line.strip(), 0, "bare", None, None, a, b, a, titled=True)
            _place_bare(frames, nodes, node, prev_heading, _next_numbered(texts, nums, k))
            prev_heading = True
        elif runin[k]:
            _place_runin(frames, nodes, Node(runin[k], 0, "runin", None, None, a, b, a))
            prev_heading = False
        else:
            prev_heading = False
    _close(nodes, len(text))
    return nodes


def _bare_flags(texts: list[str], nums: list) -> list[bool]:
    """Bare heading candidates, less runs of three or more in a row (table cells, word lists)."""
    flags = [num is None and is_bare_heading(line) for line, num in zip(texts, nums)]
    k = 0
    while k < len(flags):
        if not flags[k]:
            k += 1
            continue
        j = k
        while j < len(flags) and flags[j]:
            j += 1
        if j - k >= 3:
            flags[k:j] = [False] * (j - k)
        k = j
    return flags


_RUNIN = re.compile(r"\s*([^，。；：,;:！？!?、（）()“”\"\s]{2,20})。(?=\S)")


def _runin_titles(texts: list[str], nums: list) -> list[str | None]:
    """Unnumbered items with a run-in title (`工业企业稳运行奖励。对…`): the title where two or more
    such lines follow a numbered heading that has no text of its own (`方向14 …稳运行奖励。`) —
    sub-items, each with its own heading; elsewhere a short first sentence is just a sentence."""
    found = [None if num is not None else _RUNIN.match(line) for line, num in zip(texts, nums)]
    titles: list[str | None] = [None] * len(texts)
    k = 1
    while k < len(texts):
        j = k
        while j < len(texts) and found[j]:
            j += 1
        head = nums[k - 1] if j - k >= 2 else None
        if head is not None and is_title_line(texts[k - 1][head[3]:].rstrip("。 ")):
            for i in range(k, j):
                titles[i] = found[i].group(1)
        k = j + 1
    return titles


def _next_numbered(texts: list[str], nums: list, k: int):
    for line, num in zip(texts[k + 1: k + 4], nums[k + 1: k + 4]):
        if num is not None:
            return num
        if is_bare_heading(line):
            return None
    return None


def _push(frames: list[_Frame], nodes: list[Node], node: Node, frame: _Frame) -> None:
    node.level = frame.level
    node.parent = None
    for f in reversed(frames):  # the parent is the nearest shallower frame
        if f.level < frame.level:
            node.parent = f.node
            break
    nodes.append(node)
    if node.parent is not None:
        nodes[node.parent].children.append(len(nodes) - 1)
    frames.append(frame)


def _pop_to(frames: list[_Frame], idx: int) -> _Frame:
    """Remove frames[idx] and everything deeper; return the removed frames[idx]."""
    f = frames[idx]
    del frames[idx:]
    return f


def _place_numbered(frames: list[_Frame], nodes: list[Node], node: Node, st: dict, value: int | None) -> None:
    sid, fam = st["id"], st["family"]
    idx = next((i for i in range(len(frames) - 1, -1, -1) if sid in frames[i].styles), None)
    if sid == "annex":
        frames.clear()
        _push(frames, nodes, node, _Frame({sid}, {fam}, 1, value, len(nodes), "annex"))
        return
    if idx is not None:
        # the counter says which open list continues: `二、` after `一、X` / `一、…六、` is X's sibling
        conts = [i for i in range(len(frames) - 1, -1, -1) if sid in frames[i].styles
                 and value is not None and frames[i].last is not None and value == frames[i].last + 1]
        # several open lists could continue: the one whose last item reads like this one
        cont = max(conts, key=lambda i: (_common_prefix(nodes[frames[i].node].title, node.title), i), default=None)
        if cont is not None:
            idx = cont
        f = frames[idx]
        top = nodes[frames[-1].node]
        only_bare_above = all(fr.kind == "bare" for fr in frames[idx + 1:])
        restart_inside = (cont is None and value == 1 and only_bare_above
                          and ((f.last or 0) >= 2 or top.style == sid or idx < len(frames) - 1)
                          and (top.titled or top.style == "bare") and nodes[f.node].titled)
        if restart_inside:  # `5.科技惠民领域` then `1.智慧医疗…`: a list nested in the same style
            del frames[idx + 1:]  # bare lines under the heading (a card's own title rows) close
            _push(frames, nodes, node, _Frame({sid}, {fam}, f.level + 1, value, len(nodes), "numbered"))
            return
        old = _pop_to(frames, idx)
        _push(frames, nodes, node, _Frame(old.styles, old.family, old.level, value, len(nodes), "numbered"))
        return
    if value is not None and value > 1:
        def family_frame(gaps: tuple[int, ...]) -> int | None:
            return next((i for i in range(len(frames) - 1, -1, -1)
                         if frames[i].kind == "numbered" and fam in frames[i].family
                         and frames[i].last is not None and value - frames[i].last in gaps), None)

        prev = next((n for n in reversed(nodes) if n.style == sid), None)
        fam_idx = family_frame((1,))
        if fam_idx is None and prev is not None and prev.value == value - 1 and frames and nodes[frames[-1].node].titled:
            # `（六）` under `二、…` after `（五）` under `一、…`: one list numbered across chapters
            _push(frames, nodes, node, _Frame({sid}, {fam}, frames[-1].level + 1, value, len(nodes), "numbered"))
            return
        fam_idx = fam_idx if fam_idx is not None else family_frame((1, 2))
        if fam_idx is not None:
            old = _pop_to(frames, fam_idx)
            _push(frames, nodes, node, _Frame(old.styles | {sid}, old.family, old.level, value, len(nodes), "numbered"))
            return
        bare = [i for i, f in enumerate(frames) if f.kind == "bare"]
        if bare:
            pick = next((i for i in reversed(bare) if frames[i].ordinal == value - 1), bare[-1])
            old = _pop_to(frames, pick)
            _push(frames, nodes, node, _Frame({sid}, {fam}, old.level, value, len(nodes), "numbered"))
            return
    level = frames[-1].level + 1 if frames else 1
    _push(frames, nodes, node, _Frame({sid}, {fam}, level, value, len(nodes), "numbered"))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _place_bare(frames: list[_Frame], nodes: list[Node], node: Node, prev_heading: bool, nxt) -> None:
    if prev_heading and frames:
        _push(frames, nodes, node, _Frame({"bare"}, {"bare"}, frames[-1].level + 1, None, len(nodes), "bare"))
        return
    bare = [i for i, f in enumerate(frames) if f.kind == "bare"]
    if bare:
        old = _pop_to(frames, bare[-1])
        _push(frames, nodes, node, _Frame({"bare"}, {"bare"}, old.level, None, len(nodes), "bare", old.ordinal + 1))
        return
    if nxt is not None:
        st, _, value, _ = nxt
        idx = next((i for i in range(len(frames)) if st["id"] in frames[i].styles), None)
        if idx is not None and value == 1:
            old = _pop_to(frames, idx)
            _push(frames, nodes, node, _Frame({"bare"}, {"bare"}, old.level, None, len(nodes), "bare"))
            return
    level = frames[-1].level + 1 if frames else 1
    _push(frames, nodes, node, _Frame({"bare"}, {"bare"}, level, None, len(nodes), "bare"))


def _place_runin(frames: list[_Frame], nodes: list[Node], node: Node) -> None:
    if frames and frames[-1].kind == "runin":  # the next item of the same run: a sibling
        old = _pop_to(frames, len(frames) - 1)
        _push(frames, nodes, node, _Frame({"runin"}, {"runin"}, old.level, None, len(nodes), "runin"))
        return
    level = frames[-1].level + 1 if frames else 1
    _push(frames, nodes, node, _Frame({"runin"}, {"runin"}, level, None, len(nodes), "runin"))


def _close(nodes: list[Node], text_len: int) -> None:
    for i, n in enumerate(nodes):
        n.end = text_len
        for m in nodes[i + 1:]:
            if m.level <= n.level:
                n.end = m.start - 1 if m.start > 0 else 0
                break
        n.end = max(n.end, n.head_end)


def own_span(nodes: list[Node], i: int) -> tuple[int, int]:
    """A section's own text: its heading (after the marker) and body up to its first child section."""
    n = nodes[i]
    return n.heading[0], nodes[n.children[0]].start if n.children else n.end


def flag_subtrees(nodes: list[Node], hit) -> list[bool]:
    """Nodes for which `hit(node)` holds, and everything under them. An annex whose first heading
    hits (`附件5` / `西宁市科学技术项目申 报 书`) is flagged whole: a form's parts often sit beside
    its title rather than under it."""
    own = [bool(hit(n)) for n in nodes]
    for i, n in enumerate(nodes):
        if n.style == "annex" and n.children and own[n.children[0]]:
            own[i] = True
    out: list[bool] = []
    for i, n in enumerate(nodes):
        out.append(own[i] or (n.parent is not None and out[n.parent]))
    return out


def render(nodes: list[Node]) -> str:
    return "\n".join(f"{'  ' * (n.level - 1)}{n.marker or '·'} {n.title}" for n in nodes)
