"""Properties over generated and mutated real guides (issue 12.6), with a small hypothesis budget:
build_guide never raises, every span of every record lies in the text and is its evidence, and
normalisation is idempotent. The fuzz harness (`fuzz/`) runs the same checks for longer."""
from __future__ import annotations

from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.document import guide_from_text
from extractors.normalize import normalize
from schemas.evidence import span_problems
from tests.conftest import CORPUS

BUDGET = settings(max_examples=25, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
INSERTS = ["\u200b", "\u200e", "\ufeff", "\u00ad", "\u3000", "\r", "\t", "一、", "（二）", "3.", "（1）", "①",
           "第三章", "万元", "不超过50万元", "200-1000万元", "联系人：", "电话：", "（", "）", "：", "\n", "\n\n",
           "2024年3月1日", "截止", "附件", "——"]


@lru_cache(maxsize=None)
def _guides() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


@st.composite
def mutated_guide(draw) -> str:
    text = draw(st.sampled_from(_guides()))
    size = draw(st.integers(200, 6000))
    start = draw(st.integers(0, max(0, len(text) - size)))
    text = text[start:start + size]
    for _ in range(draw(st.integers(0, 12))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "line_start"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(INSERTS) | st.text(max_size=6)) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 200)):]
        elif op == "duplicate":
            j = min(len(text), i + draw(st.integers(1, 400)))
            text = text[:j] + text[i:j] + text[j:]
        else:
            k = text.rfind("\n", 0, i) + 1
            text = text[:k] + draw(st.sampled_from(INSERTS[:6])) + text[k:]
    return text


@BUDGET
@given(mutated_guide())
def test_every_span_is_evidence_in_mutated_guides(text):
    guide = guide_from_text(text)
    assert span_problems(guide) == []


@BUDGET
@given(st.text(alphabet=st.sampled_from(list("一二三、（）()1234567890.．万元年月日第章节条：:，。；\n 　")), max_size=400))
def test_every_span_is_evidence_in_generated_text(text):
    assert span_problems(guide_from_text(text)) == []


@BUDGET
@given(mutated_guide())
def test_normalize_is_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once
