"""Tables for BI: one per entity, as CSV (UTF-8 with BOM), Parquet and a DuckDB database.

Keys join: guide_id everywhere, program_id within a guide (p1, p2 …), requirement_id within a
guide (the record's stable `Requirement.id`, `r-3fa2c1d0`), and so on. Every span resolves from the
exports alone: `texts` holds each guide's text, and text[span_start:span_end] is the evidence
(DuckDB: `substr(t.text, span_start + 1, span_end - span_start)`). Amounts are yuan (`*_cny`) with a
万元 twin (`*_wan`); dates are real date / timestamp types in Parquet and DuckDB. The data
dictionary (column, type, meaning, source field) is generated from the column specs below and
the pydantic models' field descriptions. CSV and Parquet are byte-identical on a rerun.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.products.records import wan
from pipeline.run.store import write_atomic
from schemas import Guide

FORMATS = ("csv", "parquet", "duckdb")


@dataclass(frozen=True)
class Col:
    name: str
    type: str  # string | int | float | bool | date | timestamp | list
    meaning: str
    source: str = ""


def _span_cols(entity: str) -> list[Col]:
    return [Col("span_start", "int", f"start of the {entity}'s evidence in texts.text (0-based character offset)",
                f"{entity}.span.start"),
            Col("span_end", "int", "end of the evidence: text[span_start:span_end]", f"{entity}.span.end"),
            Col("span_page", "int", "1-based PDF page of the evidence, null for other formats", f"{entity}.span.page")]


TABLES: dict[str, list[Col]] = {
    "guides": [
        Col("guide_id", "string", "stable id: first 16 hex digits of the source file's sha256", "Guide.id"),
        Col("title", "string", "the document's title", "Guide.title"),
        Col("region_name", "string", "whose guide it is", "Region.name"),
        Col("region_code", "string", "GB/T 2260 code (100000: national)", "Region.code"),
        Col("region_level", "string", "national / province / city / district / zone", "Region.level"),
        Col("year", "int", "the plan year the guide is for", "Guide.year"),
        Col("issued", "date", "issue date, when the document states one", "Guide.issued"),
        Col("issuer", "string", "issuing body as written", "Guide.issuer"),
        Col("source_path", "string", "file path relative to the corpus folder", "Source.path"),
        Col("source_format", "string", "txt / pdf / docx / html", "Source.format"),
        Col("source_sha256", "string", "sha256 of the file's bytes", "Source.sha256"),
        Col("source_pages", "int", "PDF page count", "Source.pages"),
        Col("program_count", "int", "number of programmes found", ""),
        Col("issue_codes", "list", "what the pipeline noticed (e.g. NO_TEXT_LAYER)", "Guide.issues[].code"),
    ],
    "programs": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "programme id within the guide", "Program.id"),
        Col("name", "string", "programme name as written", "Program.name"),
        Col("category", "string", "programme category", "Program.category"),
        Col("parent_id", "string", "program_id of the enclosing programme; empty for a top-level programme "
            "(count programmes as a guide lists them with `WHERE parent_id IS NULL`, or `is_top_level`)",
            "Program.parent"),
        Col("is_top_level", "bool", "true when the programme is not nested in another", "Program.parent"),
        Col("duration_min_years", "float", "shortest implementation period", "Duration.min_years"),
        Col("duration_max_years", "float", "longest implementation period", "Duration.max_years"),
        Col("min_cny", "int", "lowest funding floor stated for the programme, yuan (empty for a cap-only "
            "programme: `不超过100万元` has no floor)", "Funding.min_cny"),
        Col("max_cny", "int", "highest funding ceiling of the programme, yuan", "Funding.max_cny"),
        Col("min_wan", "float", "min_cny in 万元", ""),
        Col("max_wan", "float", "max_cny in 万元", ""),
    ] + _span_cols("program"),
    "funding": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme", "Program.id"),
        Col("funding_id", "string", "funding item id within the programme (f1, f2 …)", ""),
        Col("min_cny", "int", "lower bound per project, yuan", "Funding.min_cny"),
        Col("max_cny", "int", "upper bound per project, yuan", "Funding.max_cny"),
        Col("min_wan", "float", "lower bound in 万元", ""),
        Col("max_wan", "float", "upper bound in 万元", ""),
        Col("per", "string", "project or program_total", "Funding.per"),
        Col("modes", "list", "grant / post_subsidy / equity / phased / other", "Funding.modes"),
        Col("cofunding_kind", "string", "multiple_of_grant or share_of_total", "Cofunding.kind"),
        Col("cofunding_min", "float", "the own-funds minimum (2.0 = twice the grant, 0.7 = 70 % of total)", "Cofunding.min"),
        Col("text", "string", "the sentence it came from", "Funding.text"),
    ] + _span_cols("funding"),
    "directions": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme", "Program.id"),
        Col("direction_id", "string", "direction id within the programme (d1 …)", ""),
        Col("title", "string", "the item's heading", "Direction.title"),
        Col("keywords", "list", "industries and technologies named", "Direction.keywords"),
        Col("text", "string", "the whole item", "Direction.text"),
    ] + _span_cols("direction"),
    "requirements": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme; null for a guide-wide requirement", "Program.id"),
        Col("requirement_id", "string", "stable id within the guide (r-3fa2c1d0): the same on every run, and "
            "unmoved when other requirements are added or reordered", "Requirement.id"),
        Col("category", "string", "applicant / qualification / credit / personnel / consortium / finance / ip / limit / materials / other", "Requirement.category"),
        Col("constraint_count", "int", "machine-checkable parts found", ""),
        Col("text", "string", "the item without its enumeration marker", "Requirement.text"),
    ] + _span_cols("requirement"),
    "constraints": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme; null for a guide-wide requirement", "Program.id"),
        Col("requirement_id", "string", "the requirement it belongs to", ""),
        Col("constraint_id", "string", "id within the requirement (c1 …)", ""),
        Col("subject", "string", "applicant / pi / project / consortium", "Constraint.subject"),
        Col("field", "string", "what is constrained (birth_date, title_level …)", "Constraint.field"),
        Col("op", "string", "==, !=, >=, <=, >, <, in", "Constraint.op"),
        Col("value", "string", "the value as JSON", "Constraint.value"),
        Col("value_number", "float", "the value when it is a number or a boolean (1/0)", ""),
        Col("value_date", "date", "the value when it is a date", ""),
        Col("unit", "string", "unit of the value, if any", "Constraint.unit"),
    ],
    "contacts": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme; null for a guide-wide contact", "Program.id"),
        Col("contact_id", "string", "id within the guide (g-k1, p1-k2 …)", ""),
        Col("org", "string", "organisation", "Contact.org"),
        Col("department", "string", "unit inside it", "Contact.department"),
        Col("names", "list", "person names", "Contact.names"),
        Col("phones", "list", "AREA-NUMBER landlines, 11-digit mobiles", "Contact.phones"),
        Col("emails", "list", "e-mail addresses", "Contact.emails"),
        Col("address", "string", "address", "Contact.address"),
        Col("scope", "string", "what the contact is responsible for", "Contact.scope"),
    ] + _span_cols("contact"),
    "deadlines": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("program_id", "string", "the programme; null for a guide-wide date", "Program.id"),
        Col("deadline_id", "string", "id within the guide", ""),
        Col("kind", "string", "submission_open / submission_close / recommendation_close / materials_close / review / announcement / other", "Deadline.kind"),
        Col("at", "string", "ISO date or datetime as extracted", "Deadline.at"),
        Col("at_date", "date", "the day", ""),
        Col("at_time", "timestamp", "the moment, when a time is given", ""),
        Col("text", "string", "the evidence", "Deadline.text"),
    ] + _span_cols("deadline"),
    "texts": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("text", "string", "the guide's normalised text, which every span_start/span_end points into", "Guide.text"),
        Col("text_chars", "int", "its length in characters", ""),
    ],
    "channels": [
        Col("guide_id", "string", "the guide", "Guide.id"),
        Col("channel_id", "string", "id within the guide", ""),
        Col("name", "string", "the online system or platform", "Channel.name"),
        Col("url", "string", "its address", "Channel.url"),
    ] + _span_cols("channel"),
}


def _span(s) -> dict:
    return {"span_start": s.start, "span_end": s.end, "span_page": s.page}


def rows_of(guides: list[Guide]) -> dict[str, list[dict]]:
    t: dict[str, list[dict]] = {name: [] for name in TABLES}
    for g in sorted(guides, key=lambda g: g.id):
        t["guides"].append({
            "guide_id": g.id, "title": g.title, "region_name": g.region.name, "region_code": g.region.code,
            "region_level": g.region.level, "year": g.year, "issued": g.issued, "issuer": g.issuer,
            "source_path": g.source.path, "source_format": g.source.format, "source_sha256": g.source.sha256,
            "source_pages": g.source.pages, "program_count": len(g.programs),
            "issue_codes": sorted({i.code for i in g.issues})})
        for p in g.programs:
            ceil = max((f.max_cny for f in p.funding if f.max_cny is not None), default=None)
            floor = min((f.min_cny for f in p.funding if f.min_cny is not None), default=None)
            t["programs"].append({
                "guide_id": g.id, "program_id": p.id, "name": p.name, "category": p.category, "parent_id": p.parent,
                "is_top_level": p.parent is None,
                "duration_min_years": p.duration.min_years if p.duration else None,
                "duration_max_years": p.duration.max_years if p.duration else None,
                "min_cny": floor, "max_cny": ceil, "min_wan": wan(floor), "max_wan": wan(ceil), **_span(p.span)})
            for k, f in enumerate(p.funding, 1):
                t["funding"].append({
                    "guide_id": g.id, "program_id": p.id, "funding_id": f"f{k}", "min_cny": f.min_cny,
                    "max_cny": f.max_cny, "min_wan": wan(f.min_cny), "max_wan": wan(f.max_cny), "per": f.per,
                    "modes": list(f.modes), "cofunding_kind": f.cofunding.kind if f.cofunding else None,
                    "cofunding_min": f.cofunding.min if f.cofunding else None, "text": f.text, **_span(f.span)})
            for k, d in enumerate(p.directions, 1):
                t["directions"].append({"guide_id": g.id, "program_id": p.id, "direction_id": f"d{k}",
                                        "title": d.title, "keywords": list(d.keywords), "text": d.text, **_span(d.span)})
        owners = [(None, g.requirements, g.contacts, g.deadlines)] + [(p.id, p.requirements, p.contacts, p.deadlines)
                                                                       for p in g.programs]
        for pid, reqs, contacts, deadlines in owners:
            prefix = pid or "g"
            for r in reqs:
                rid = r.id
                t["requirements"].append({"guide_id": g.id, "program_id": pid, "requirement_id": rid,
                                          "category": r.category, "constraint_count": len(r.constraints),
                                          "text": r.text, **_span(r.span)})
                for j, c in enumerate(r.constraints, 1):
                    num = float(c.value) if isinstance(c.value, (int, float)) else None
                    date = None
                    if isinstance(c.value, str) and len(c.value) == 10 and c.value[4] == "-":
                        try:
                            date = dt.date.fromisoformat(c.value)
                        except ValueError:
                            date = None
                    t["constraints"].append({"guide_id": g.id, "program_id": pid, "requirement_id": rid,
                                             "constraint_id": f"c{j}", "subject": c.subject, "field": c.field,
                                             "op": c.op, "value": json.dumps(c.value, ensure_ascii=False),
                                             "value_number": num, "value_date": date, "unit": c.unit})
            for k, c in enumerate(contacts, 1):
                t["contacts"].append({"guide_id": g.id, "program_id": pid, "contact_id": f"{prefix}-k{k}",
                                      "org": c.org, "department": c.department, "names": list(c.names),
                                      "phones": list(c.phones), "emails": list(c.emails), "address": c.address,
                                      "scope": c.scope, **_span(c.span)})
            for k, d in enumerate(deadlines, 1):
                day = dt.date.fromisoformat(d.at[:10])
                moment = dt.datetime.fromisoformat(d.at) if "T" in d.at else None
                t["deadlines"].append({"guide_id": g.id, "program_id": pid, "deadline_id": f"{prefix}-t{k}",
                                       "kind": d.kind, "at": d.at, "at_date": day, "at_time": moment,
                                       "text": d.text, **_span(d.span)})
        t["texts"].append({"guide_id": g.id, "text": g.text, "text_chars": len(g.text)})
        for k, c in enumerate(g.channels, 1):
            t["channels"].append({"guide_id": g.id, "channel_id": f"ch{k}", "name": c.name, "url": c.url,
                                  **_span(c.span)})
    return t


_FORMULA = ("=", "+", "@", "\t", "\r")


def _safe_cell(s: str) -> str:
    """A text cell Excel would run as a formula (`=HYPERLINK(…)`, `+1`, `@SUM`, `-x` not a number)
    gets a leading apostrophe, as OWASP recommends for CSV injection; Parquet and DuckDB keep values
    as they are."""
    if s.startswith(_FORMULA) or (s.startswith("-") and not s[1:2].isdigit()):
        return "'" + s
    return s


def _csv_value(v, typ: str) -> str:
    if v is None:
        return ""
    if typ == "list":
        return _safe_cell("; ".join(v))
    if typ == "bool":
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if typ == "int" else f"{v:g}"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return _safe_cell(str(v)) if typ == "string" else str(v)


def write_csv(name: str, rows: list[dict], folder: Path) -> Path:
    cols = TABLES[name]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.name for c in cols])
    for r in rows:
        w.writerow([_csv_value(r.get(c.name), c.type) for c in cols])
    path = folder / f"{name}.csv"
    write_atomic(path, "\ufeff" + buf.getvalue())  # BOM: Excel reads the Chinese correctly
    return path


def arrow_table(name: str, rows: list[dict]):
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32(), "timestamp": pa.timestamp("s"), "list": pa.list_(pa.string())}
    schema = pa.schema([pa.field(c.name, types[c.type]) for c in TABLES[name]])
    return pa.Table.from_pylist([{c.name: r.get(c.name) for c in TABLES[name]} for r in rows], schema=schema)


def write_parquet(name: str, rows: list[dict], folder: Path) -> Path:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(arrow_table(name, rows), buf, compression="zstd", write_statistics=True)
    path = folder / f"{name}.parquet"
    write_atomic(path, buf.getvalue())
    return path


def write_duckdb(tables: dict[str, list[dict]], folder: Path) -> Path:
    import os
    import tempfile

    import duckdb

    path = folder / "zhinan.duckdb"
    fd, tmp = tempfile.mkstemp(prefix=".zhinan.", suffix=".duckdb", dir=folder)
    os.close(fd)
    os.unlink(tmp)  # duckdb creates the file itself
    con = duckdb.connect(tmp)
    try:
        for name, rows in tables.items():
            con.register("incoming", arrow_table(name, rows))
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
        dict_rows = dictionary()
        con.execute("CREATE TABLE data_dictionary (table_name VARCHAR, column_name VARCHAR, type VARCHAR, "
                    "meaning VARCHAR, source VARCHAR)")
        con.executemany("INSERT INTO data_dictionary VALUES (?, ?, ?, ?, ?)",
                        [(r["table"], r["column"], r["type"], r["meaning"], r["source"]) for r in dict_rows])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path


TABLE_NOTES = {
    "guides": "one row per guide record",
    "programs": "one row per programme, nested ones included: count the programmes a guide lists with "
                "`WHERE is_top_level` (the same as `parent_id IS NULL`)",
    "funding": "one row per funding statement of a programme (a programme may state several)",
    "directions": "one row per support direction (研究方向, 支持方向) of a programme",
    "requirements": "one row per requirement; program_id is null for the guide-wide ones, which apply to every programme",
    "constraints": "one row per machine-checkable part of a requirement",
    "contacts": "one row per contact block",
    "deadlines": "one row per dated step (opening, closing, recommendation …)",
    "texts": "one row per guide: the text every span points into; a span resolves as "
             "`substr(text, span_start + 1, span_end - span_start)` in DuckDB, text[span_start:span_end] in Python",
    "channels": "one row per online system or platform named for applying",
}


def dictionary() -> list[dict]:
    """Every table and column once: a row per table (column `*`, what a row is and how to count),
    then a row per column with its type, meaning and the record field it comes from. A column's
    meaning is written in TABLES; the pydantic description of its source field fills it only
    where TABLES leaves it empty, so no meaning is said twice."""
    import schemas

    descriptions = {}
    for model_name in ("Guide", "Region", "Source", "Program", "Funding", "Cofunding", "Duration", "Direction",
                       "Requirement", "Constraint", "Contact", "Deadline", "Channel", "Span"):
        model = getattr(schemas, model_name)
        for fname, info in model.model_fields.items():
            if info.description:
                descriptions[f"{model_name}.{fname}"] = info.description
    out = []
    for table, cols in TABLES.items():
        out.append({"table": table, "column": "*", "type": "table", "meaning": TABLE_NOTES[table], "source": ""})
        for c in cols:
            out.append({"table": table, "column": c.name, "type": c.type,
                        "meaning": c.meaning or descriptions.get(c.source, ""), "source": c.source})
    return out


def export(guides: list[Guide], folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the tables into a staging folder beside `folder`, then swap it in: a kill leaves the
    previous export whole (never tables of two runs side by side), and staging folders a killed run
    left behind are removed first."""
    import shutil

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stale in folder.parent.glob(f".{folder.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in folder.parent.glob(f".{folder.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = folder.parent / f".{folder.name}.staging-{os.getpid()}"
    staging.mkdir()
    try:
        written = [folder / p.relative_to(staging) for p in _export_into(guides, staging, formats)]
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _export_into(guides: list[Guide], folder: Path, formats: tuple[str, ...]) -> list[Path]:
    tables = rows_of(guides)
    written = []
    for name, rows in tables.items():
        if "csv" in formats:
            written.append(write_csv(name, rows, folder))
        if "parquet" in formats:
            written.append(write_parquet(name, rows, folder))
    d = dictionary()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["table", "column", "type", "meaning", "source"], lineterminator="\n")
    w.writeheader()
    w.writerows(d)
    write_atomic(folder / "data_dictionary.csv", "\ufeff" + buf.getvalue())
    md = ["# zhinan exports: data dictionary", "",
          "Tables join on `guide_id`, then `program_id`, `requirement_id` within a guide. Amounts are yuan "
          "(`*_cny`) with a 万元 twin (`*_wan`). Every `span_start`/`span_end` points into `texts.text` of its guide.",
          ""]
    for table, cols in TABLES.items():
        md += [f"## {table}", "", TABLE_NOTES[table] + ".", "", "| column | type | meaning | source |",
               "| --- | --- | --- | --- |"]
        md += [f"| {r['column']} | {r['type']} | {r['meaning'].replace('|', '/')} | {r['source']} |"
               for r in d if r["table"] == table and r["column"] != "*"]
        md.append("")
    write_atomic(folder / "data_dictionary.md", "\n".join(md))
    written += [folder / "data_dictionary.csv", folder / "data_dictionary.md"]
    if "duckdb" in formats:
        written.append(write_duckdb(tables, folder))
    return written
