"""`zhinan`: the command line, a thin wrapper over extractors/ and pipeline/."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import unicodedata
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Chinese S&T funding guides (申报指南) as evidence-linked data.")
err = Console(stderr=True)
out = Console()
state = {"debug": False}


def escape(text: str) -> str:
    """Text for the terminal: control characters (an ESC in a file name, bidi overrides) shown as
    `\\x1b`-style escapes, never sent raw, and rich markup escaped."""
    return _markup_escape("".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf") else ch.encode("unicode_escape").decode("ascii")
        for ch in text))


class UserError(Exception):
    """A failure worth one readable line (no traceback unless --debug)."""


def _setup_logging(log_file: Path | None) -> None:
    logger = logging.getLogger("zhinan")
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    logger.propagate = False
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(fh)


@app.callback()
def main_options(debug: bool = typer.Option(False, "--debug", help="show full tracebacks")) -> None:
    state["debug"] = debug


@app.command()
def run(
    corpus: Path = typer.Argument(Path("corpus"), help="folder of guides (.txt, .pdf, .docx, .html)"),
    out_dir: Path = typer.Option(Path("outputs"), "--out", help="where records, ledger and exports go"),
    workers: int = typer.Option(os.cpu_count() or 2, "--workers", min=1, max=256,
                                help="documents parsed at once (default: the number of cores)"),
    timeout: float = typer.Option(120, "--timeout", min=1, help="seconds one document may take to parse"),
    memory_mb: int = typer.Option(1536, "--memory-mb", min=256, help="memory one parsing worker may use"),
    max_pages: int = typer.Option(500, "--max-pages", min=1, help="PDF pages read per document"),
    isolate: bool = typer.Option(True, "--isolate/--no-isolate",
                                 help="parse each document in a killable worker subprocess"),
    export_formats: str = typer.Option("all", "--export", help="tables written at the end: all, none, or csv,parquet,duckdb"),
    force: bool = typer.Option(False, "--force", help="re-parse every file, even those whose record is up to date"),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", metavar="tcp://HOST:PORT",
                                               help="run the documents on this Dask cluster (workers must share the corpus and output paths)"),
) -> None:
    """Run the Prefect flow over a corpus folder (or one guide file): one record per guide in OUT/guides/."""
    if not corpus.exists():
        raise UserError(f"corpus not found: {corpus}")
    if corpus.is_dir() and out_dir.resolve() == corpus.resolve():
        raise UserError(f"--out {out_dir} is the corpus folder itself: choose another output folder")
    from pipeline.settings import configure_prefect

    configure_prefect()
    _setup_logging(out_dir / "zhinan.log")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.export import FORMATS
    from pipeline.flow import request_stop, run_corpus

    fmts = () if export_formats == "none" else FORMATS if export_formats == "all" else tuple(export_formats.split(","))
    unknown = set(fmts) - set(FORMATS)
    if unknown:
        raise UserError(f"--export {export_formats}: use all, none, or some of {', '.join(FORMATS)}")
    from pipeline.isolate import Limits
    from pipeline.jobs import RunLocked

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=err,
                  transient=not err.is_terminal) as progress:
        bar = progress.add_task("guides", total=None, last="starting Prefect")

        def on_start(n: int) -> None:
            progress.update(bar, total=n, last="")

        def on_entry(e) -> None:
            progress.update(bar, advance=1, last=escape(f"{e.status:<7} {e.path[-40:]}"))

        previous = {sig: signal.signal(sig, lambda *_: request_stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            summary = run_corpus(corpus, out_dir, workers, on_entry=on_entry, on_start=on_start, isolate=isolate,
                                 limits=Limits(seconds=timeout, memory_mb=memory_mb, max_pages=max_pages), force=force,
                                 dask_address=dask_address, exports=fmts)
        except RunLocked as exc:
            raise UserError(str(exc)) from None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if summary.fault == "interrupted":
        err.print(f"interrupted: {summary.discovered} documents finished and kept in {escape(str(out_dir))}; "
                  "run again to go on", highlight=False, soft_wrap=True)
        sys.exit(130)
    if summary.fault:
        raise UserError(f"run stopped: {summary.fault} (finished documents are kept; rerun to go on)")
    for e in summary.failed:
        err.print(f"[red]failed[/red] {escape(f'{e.path}: {e.reason} ({e.error_class}) {e.message}')}",
                  highlight=False, soft_wrap=True)
    colour = "green" if not summary.failed else "yellow"
    err.print(f"[{colour}]{summary.line()}[/{colour}] → {escape(str(out_dir))}/guides, ledger {escape(str(out_dir))}/ledger.jsonl",
              highlight=False, soft_wrap=True)


@app.command()
def extract(
    file: Path = typer.Argument(..., help="one guide file"),
    brief: bool = typer.Option(False, "--brief", help="an outline of what was found instead of JSON"),
    entities: bool = typer.Option(False, "--entities", help="the NER spans (spaCy pipeline) of the guide's text"),
    label: Optional[list[str]] = typer.Option(None, "--label", help="with --entities: only these labels"),
) -> None:
    """Extract one guide without Prefect and print its record (JSON)."""
    from extractors.document import extract_file
    from extractors.errors import IngestError

    try:
        guide = extract_file(file, file.parent)
    except IngestError as exc:
        raise UserError(str(exc)) from exc
    if entities:
        _print_entities(guide, set(label or []))
        return  # the message names the file
    if not brief:
        out.print_json(guide.model_dump_json(), ensure_ascii=False) if out.is_terminal else \
            sys.stdout.write(json.dumps(guide.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        return
    out.print(f"[bold]{escape(guide.title)}[/bold]  {guide.region.name} ({guide.region.code})  year {guide.year}",
              highlight=False, soft_wrap=True)
    ids = {p.id: p for p in guide.programs}
    for p in guide.programs:
        indent = "    " if p.parent in ids else "  "
        out.print(escape(f"{indent}{p.id} {p.name}  [{p.category}]  chars {p.span.start}-{p.span.end}"),
                  highlight=False, soft_wrap=True)
    for i in guide.issues:
        out.print(f"  [yellow]{i.code}[/yellow] {escape(i.message)}", highlight=False, soft_wrap=True)


def _print_entities(guide, labels: set[str]) -> None:
    """The record's own entities: the one pass its contacts, funding and deadlines were built from."""
    from rich.table import Table

    from extractors.entities import LABELS

    unknown = labels - set(LABELS)
    if unknown:
        raise typer.BadParameter(f"unknown label {', '.join(sorted(unknown))} (one of {', '.join(LABELS)})",
                                 param_hint="--label")
    rows = [e for e in guide.entities if not labels or e.label in labels]
    if not out.is_terminal:
        for e in rows:
            sys.stdout.write(f"{e.label}\t{e.span.start}\t{e.span.end}\t{e.text}\t{e.value or ''}\t{e.source}\n")
        return
    table = Table("label", "text", "value", "source", "span", title=f"{len(rows)} entities in {guide.source.path}")
    for e in rows:
        table.add_row(e.label, escape(e.text), escape(e.value or ""), e.source, f"{e.span.start}-{e.span.end}")
    out.print(table)


def _records(records: Path) -> list:
    """All records of an outputs folder, or a one-line error when there are none."""
    from pipeline.export import load_records

    guides = load_records(records)
    if not guides:
        raise UserError(f"no records in {records}/guides: run `zhinan run` first")
    return guides


def _load_record(ref: str, records: Path):
    """A record from a record JSON path, a record id in RECORDS/guides, or a guide file (extracted)."""
    from extractors.document import SUFFIX_FORMAT, extract_file
    from extractors.errors import IngestError
    from schemas import Guide

    p = Path(ref)
    if p.suffix == ".json" and p.is_file():
        return Guide.model_validate_json(p.read_text(encoding="utf-8"))
    cand = records / "guides" / f"{ref}.json"
    if cand.is_file():
        return Guide.model_validate_json(cand.read_text(encoding="utf-8"))
    if re.fullmatch(r"[0-9a-f]{4,15}", ref):  # a unique prefix of a record id, as git takes one
        hits = sorted((records / "guides").glob(f"{ref}*.json"))
        if len(hits) == 1:
            return Guide.model_validate_json(hits[0].read_text(encoding="utf-8"))
        if len(hits) > 1:
            raise UserError(f"{ref} is the start of {len(hits)} record ids ({', '.join(h.stem for h in hits[:4])}"
                            f"{', …' if len(hits) > 4 else ''}): type more of it")
    if p.is_file() and p.suffix.lower() in SUFFIX_FORMAT:
        try:
            return extract_file(p, p.parent)
        except IngestError as exc:
            raise UserError(str(exc)) from exc
    raise UserError(f"{ref}: not a record file, a record id in {records}/guides, or a guide file")


@app.command()
def diff(
    old: str = typer.Argument(..., help="the older guide: record JSON, record id, or guide file"),
    new: str = typer.Argument(..., help="the newer guide"),
    fmt: str = typer.Option("terminal", "--format", help="terminal | json | markdown | html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write to this file instead of stdout"),
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
) -> None:
    """What changed between two guides, by meaning: programmes, funding, rules, contacts, dates."""
    from pipeline.diff import diff as run_diff
    from pipeline.reports import KIND_LABEL, diff_html, diff_markdown

    if fmt not in ("terminal", "json", "markdown", "html"):
        raise UserError(f"--format {fmt}: use terminal, json, markdown or html")
    d = run_diff(_load_record(old, records), _load_record(new, records))
    if fmt == "terminal" and output is None:
        from rich.table import Table

        out.print(f"[bold]{escape(d.old.title)}[/bold] ({d.old.region} {d.old.year}) → "
                  f"[bold]{escape(d.new.title)}[/bold] ({d.new.region} {d.new.year})", highlight=False, soft_wrap=True)
        pairs = Table("old", "new", "category", "score", title="programmes aligned")
        for p in d.pairs:
            pairs.add_row(escape(p.old_name or "—"), escape(p.new_name or "—"), p.category or "", f"{p.score:.2f}")
        out.print(pairs)
        table = Table("change", "programme", "summary", title=f"{len(d.changes)} changes")
        for c in d.changes:
            table.add_row(KIND_LABEL.get(c.kind, c.kind), escape(c.program or "guide"), escape(c.summary))
        out.print(table)
        return
    text = {"json": lambda: d.model_dump_json(indent=2) + "\n", "markdown": lambda: diff_markdown(d),
            "html": lambda: diff_html(d), "terminal": lambda: diff_markdown(d)}[fmt]()
    if output:
        from pipeline.store import write_atomic

        write_atomic(output, text)
        err.print(f"{len(d.changes)} changes → {output}", highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
def compare(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    by: str = typer.Option("category", "--by", help="category | region | year: one table per value"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where compare.csv and compare.html go (default RECORDS)"),
) -> None:
    """Line up all records: a table per category (or region, year), funding chart, yearly timelines."""
    from pipeline.diff import diff as run_diff
    from pipeline.reports import compare_html, compare_rows, write_csv
    from pipeline.store import write_atomic

    if by not in ("category", "region", "year"):
        raise UserError(f"--by {by}: use category, region or year")
    guides = _records(records)
    guides.sort(key=lambda g: (g.region.code or "", g.year or 0, g.id))
    rows = compare_rows(guides)
    by_region: dict[str, list] = {}
    for g in guides:
        by_region.setdefault(g.region.code or "?", []).append(g)
    timelines = []
    for code, gs in sorted(by_region.items()):
        years = sorted({g.year for g in gs if g.year})
        if len(years) >= 2:
            firsts = [next(g for g in gs if g.year == y) for y in years]
            timelines.append((f"{firsts[0].region.name}", [run_diff(a, b) for a, b in zip(firsts, firsts[1:])]))
    target = out_dir or records
    write_csv(rows, target / "compare.csv")
    write_atomic(target / "compare.html", compare_html(rows, by, timelines))
    err.print(f"{len(rows)} programmes of {len(guides)} guides → {target}/compare.csv, {target}/compare.html",
              highlight=False)


@app.command()
def export(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    fmt: str = typer.Option("all", "--format", help="csv | parquet | duckdb | all"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where the tables go (default RECORDS/exports)"),
) -> None:
    """One table per entity (guides, programs, funding, …) for BI, with a data dictionary."""
    from pipeline.export import FORMATS, export as run_export

    if fmt not in FORMATS + ("all",):
        raise UserError(f"--format {fmt}: use csv, parquet, duckdb or all")
    guides = _records(records)
    written = run_export(guides, out_dir or records / "exports", FORMATS if fmt == "all" else (fmt,))
    err.print(f"{len(guides)} guides → {len(written)} files in {out_dir or records / 'exports'}", highlight=False)


@app.command()
def rules(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where <guide_id>.json rule files go (default RECORDS/rules)"),
) -> None:
    """Draft eligibility rules as JSON Logic: one per requirement, combined per programme."""
    from pipeline.eligibility import rules_document
    from pipeline.store import dumps, write_atomic

    guides = _records(records)
    target = out_dir or records / "rules"
    n_rules = n_left = 0
    for g in guides:
        doc = rules_document(g)
        write_atomic(target / f"{g.id}.json", dumps(doc))
        n_rules += sum(len(p["rules"]) for p in doc["programs"])
        n_left += sum(len(p["unconverted"]) for p in doc["programs"])
    err.print(f"{len(guides)} guides → {target}: {n_rules} draft rules, {n_left} requirements left as text "
              "(listed under `unconverted`)", highlight=False)


@app.command()
def check(
    profile: Path = typer.Argument(..., help="applicant profile JSON (fields in the README, \"zhinan check\")"),
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    fmt: str = typer.Option("terminal", "--format", help="terminal | json"),
    explain: bool = typer.Option(False, "--explain", help="every requirement of every programme and how it was decided"),
) -> None:
    """Is this applicant eligible for each programme? eligible only when every requirement was decided;
    possibly eligible (with what is left to a person), not eligible (with the failing requirement), not open."""
    from pipeline.eligibility import check as run_check, verdict_json

    if fmt not in ("terminal", "json"):
        raise UserError(f"--format {fmt}: use terminal or json")
    try:
        data = json.loads(profile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{profile}: not a readable JSON profile ({exc})") from exc
    guides = _records(records)
    verdicts = [(g, v) for g in sorted(guides, key=lambda g: (g.region.code or "", g.year or 0)) for v in run_check(g, data)]
    if fmt == "json":
        sys.stdout.write(json.dumps([verdict_json(g, v) for g, v in verdicts], ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table("guide", "programme", "verdict", "left to a person", "because", title=f"{profile}")
    colour = {"eligible": "green", "not eligible": "red", "possibly eligible": "yellow", "not open": "magenta"}
    for g, v in verdicts:
        why = v.failed or v.open_questions
        reason = "; ".join(d.text[:60] for d in why[:2]) + (f" (+{len(why) - 2})" if len(why) > 2 else "")
        table.add_row(escape(f"{g.region.name} {g.year}"), escape(v.name), f"[{colour[v.status]}]{v.status}[/]",
                      str(len(v.open_questions)), escape(reason))
    out.print(table)
    if explain:
        for g, v in verdicts:
            out.print(f"\n[bold]{escape(g.title)}[/bold] — {escape(v.name)}: {v.status}", highlight=False, soft_wrap=True)
            for d, ok in v.decided:
                out.print(f"  {'passed' if ok else 'FAILED'}  {d.requirement_id}  {escape(d.text[:80])}",
                          highlight=False, soft_wrap=True)
            for d in v.unknown:
                out.print(f"  no data  {d.requirement_id}  {escape(d.text[:80])}", highlight=False, soft_wrap=True)
            for d in v.left:
                out.print(f"  as text  {d.requirement_id}  {escape(d.text[:80])}", highlight=False, soft_wrap=True)


@app.command()
def report(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where the site goes (default RECORDS/report)"),
) -> None:
    """A static review site: every guide's text with its extracted spans highlighted, next to the record."""
    from pipeline.review import write_site

    guides = _records(records)
    target = out_dir or records / "report"
    write_site(guides, target)
    err.print(f"{len(guides)} guide pages → {target}/index.html", highlight=False)


@app.command(name="list")
def list_records(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
) -> None:
    """The records of an outputs folder and every ledger row: id, title, region, year, programmes, status."""
    from pipeline.export import load_records

    guides = {g.id: g for g in load_records(records)}
    ledger = records / "ledger.jsonl"
    rows = [json.loads(x) for x in ledger.read_text(encoding="utf-8").splitlines()] if ledger.is_file() else []
    if not guides and not rows:
        raise UserError(f"no records in {records}/guides: run `zhinan run` first")
    listed = []
    for r in rows:
        g = guides.get(r.get("guide_id") or "")
        status = r["status"] + (f" {r['reason']}" if r.get("reason") else "")
        listed.append((r.get("guide_id") or "—", g.title if g else "", g.region.name or "" if g else "",
                       str(g.year or "") if g else "", str(len(g.programs)) if g else "", status, r["path"]))
    in_ledger = {r.get("guide_id") for r in rows}
    listed += [(g.id, g.title, g.region.name or "", str(g.year or ""), str(len(g.programs)), "ok (not in the ledger)",
                g.source.path) for g in guides.values() if g.id not in in_ledger]
    if not out.is_terminal:
        for row in listed:
            sys.stdout.write("\t".join(row) + "\n")
        return
    from rich.table import Table

    table = Table("id", "title", "region", "year", "programmes", "status", "file", title=f"{records}")
    for row in listed:
        table.add_row(*(escape(x) for x in row))
    out.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the guide record."""
    from schemas import Guide

    sys.stdout.write(json.dumps(Guide.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


def _click_errors() -> tuple[type, ...]:
    """Click's exception classes: typer >= 0.20 bundles its own click (typer._click), older ones
    use the click package; a usage error may come from either."""
    found = []
    for mod in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(__import__(mod, fromlist=["ClickException"]).ClickException)
        except ImportError:
            pass
    return tuple(found)


def main() -> None:
    try:
        app(standalone_mode=False)
    except UserError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        if isinstance(exc, _click_errors()):  # a usage error: click's usage line, exit 2
            exc.show()
            sys.exit(exc.exit_code)
        if state["debug"]:
            raise
        logging.getLogger("zhinan").exception("unexpected error")
        err.print(f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))} (run with --debug for the traceback)",
                  highlight=False, soft_wrap=True)
        sys.exit(1)
