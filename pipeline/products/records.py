"""Records of an outputs folder, loaded one way for every product: the guides (in one order), the
ledger rows, a record found by path, id or id prefix, and the amount a programme is known by."""
from __future__ import annotations

import json
import re
from pathlib import Path

from schemas import Funding, Guide, Program


class RecordsError(Exception):
    """No records where they were asked for, or a reference that names none (one readable line)."""


def order(g: Guide) -> tuple:
    return (g.region.code or "", g.year or 0, g.id)


def load(records: Path) -> list[Guide]:
    """Every record in RECORDS/guides, by region code, year and id."""
    guides = [Guide.model_validate_json(f.read_text(encoding="utf-8"))
              for f in sorted((Path(records) / "guides").glob("*.json"))]
    return sorted(guides, key=order)


def require(records: Path) -> list[Guide]:
    """The records, or RecordsError when there are none."""
    guides = load(records)
    if not guides:
        raise RecordsError(f"no records in {records}/guides: run `zhinan run` first")
    return guides


def ledger(records: Path) -> list[dict]:
    """The ledger rows of the last run (every file: ok, partial, failed, skipped), or none."""
    path = Path(records) / "ledger.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def find(ref: str, records: Path) -> Guide | None:
    """A record by its JSON path, its id in RECORDS/guides, or a unique prefix of its id (≥ 4 hex
    digits, as git takes one); None when `ref` is none of these."""
    p = Path(ref)
    if p.suffix == ".json" and p.is_file():
        return Guide.model_validate_json(p.read_text(encoding="utf-8"))
    folder = Path(records) / "guides"
    cand = folder / f"{ref}.json"
    if cand.is_file():
        return Guide.model_validate_json(cand.read_text(encoding="utf-8"))
    if re.fullmatch(r"[0-9a-f]{4,15}", ref):
        hits = sorted(folder.glob(f"{ref}*.json"))
        if len(hits) > 1:
            raise RecordsError(f"{ref} is the start of {len(hits)} record ids ({', '.join(h.stem for h in hits[:4])}"
                               f"{', …' if len(hits) > 4 else ''}): type more of it")
        if hits:
            return Guide.model_validate_json(hits[0].read_text(encoding="utf-8"))
    return None


def headline_funding(p: Program) -> Funding | None:
    """The funding a programme is known by: the first statement with an amount, else the first."""
    return next((f for f in p.funding if f.min_cny is not None or f.max_cny is not None),
                p.funding[0] if p.funding else None)


def wan(v: int | None) -> float | None:
    """Yuan in 万元."""
    return None if v is None else v / 10000


def listing(records: Path) -> list[tuple[str, ...]]:
    """`zhinan list`: (id, title, region, year, programmes, status, file) for every ledger row, then
    the records no ledger row names (an older run's)."""
    guides = {g.id: g for g in load(records)}
    rows = ledger(records)
    out = []
    for r in rows:
        g = guides.get(r.get("guide_id") or "")
        status = r["status"] + (f" {r['reason']}" if r.get("reason") else "")
        out.append((r.get("guide_id") or "—", g.title if g else "", (g.region.name or "") if g else "",
                    str(g.year or "") if g else "", str(len(g.programs)) if g else "", status, r["path"]))
    named = {r.get("guide_id") for r in rows}
    out += [(g.id, g.title, g.region.name or "", str(g.year or ""), str(len(g.programs)), "ok (not in the ledger)",
             g.source.path) for g in guides.values() if g.id not in named]
    return out
