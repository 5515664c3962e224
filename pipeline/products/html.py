"""The small HTML toolkit of the products (review site, compare and diff pages): escaping, one
style sheet, amounts in 万元, Chinese labels with the field name beside, and the page frame."""
from __future__ import annotations

import html
import os
from pathlib import Path

CSS = """*{box-sizing:border-box}body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222}
header{padding:.8em 1.2em;background:#263238;color:#fff}header a{color:#cfd8dc}main{padding:1em 1.4em}
table{border-collapse:collapse;width:100%;margin:.6em 0 1.2em}td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top}
th{background:#eceff1;text-align:left}caption{text-align:left;font-weight:600;margin-bottom:.4em}
code.f{color:#78909c;font-size:.8em;margin-left:.3em;font-weight:normal}a{color:#1565c0;text-decoration:none}
.muted{color:#777;font-size:.85em}.issue{color:#b71c1c}.badge{font-size:.75em;color:#fff;border-radius:3px;padding:0 .35em}
.badge.ok{background:#43a047}.badge.partial{background:#ef6c00}.badge.failed{background:#c62828}.badge.skipped{background:#757575}
.badge.check{background:#e65100}"""

LABELS = {
    # record entities
    "program": "项目", "funding": "资助", "direction": "支持方向", "requirement": "申报要求", "contact": "联系人",
    "deadline": "时间节点", "channel": "申报渠道", "furniture": "页眉页脚",
    # columns
    "category": "类别", "region": "地区", "region_code": "区划代码", "year": "年度", "guide": "指南",
    "programs": "项目数", "modes": "资助方式", "cofunding": "自筹要求", "duration": "实施期限",
    "key_constraints": "主要条件", "file": "文件", "format": "格式", "status": "状态", "issues": "问题",
    "requirements": "申报要求", "checks": "待核", "amount": "资助额度", "change": "变化", "old": "原文（旧）",
    "new": "新文", "summary": "说明", "score": "匹配度", "pages": "页数",
}


def esc(s) -> str:
    return html.escape("" if s is None else str(s))


def label(field: str) -> str:
    """`资助 <code>funding</code>`: the Chinese label, the field name beside it."""
    zh = LABELS.get(field)
    return f"{esc(zh)}<code class='f'>{esc(field)}</code>" if zh else f"<code>{esc(field)}</code>"


def wan(v: int | None) -> str:
    """Yuan as 万元 digits (`200`, `0.5`), empty for None."""
    return "" if v is None else f"{v / 10000:g}"


def amount(lo: int | None, hi: int | None) -> str:
    """A funding range as a reader says it: `200–1000万元`, `≤100万元` (a cap), `≥5万元` (a floor)."""
    if lo is None and hi is None:
        return "未列金额"
    if lo is None:
        return f"≤{wan(hi)}万元"
    if hi is None:
        return f"≥{wan(lo)}万元"
    return f"{wan(lo)}万元" if lo == hi else f"{wan(lo)}–{wan(hi)}万元"


def site_link(site: Path, page_folder: Path) -> str | None:
    """The review site's folder as a link from a page written in `page_folder`, or None when the
    site has not been written (`zhinan report`): pages then carry no links into it."""
    if not (Path(site) / "index.html").is_file():
        return None
    return Path(os.path.relpath(site, page_folder)).as_posix()


def review_href(site: str, guide_id: str, anchor: str | None = None) -> str:
    """The address of a guide's review page (at a programme's or requirement's anchor) from `site_link`."""
    return f"{site}/guides/{guide_id}.html" + (f"#{anchor}" if anchor else "")


def document(title: str, body: str, css: str = "", script: str = "") -> str:
    """A whole page: UTF-8, lang zh-CN, the shared style sheet plus the page's own."""
    js = f"<script>{script}</script>" if script else ""
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}{css}</style></head><body>{body}{js}</body></html>\n")
