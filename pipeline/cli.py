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
    from pipeline.run.settings import configure_prefect

    configure_prefect()
    _setup_logging(out_dir / "zhinan.log")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.products.export import FORMATS
    from pipeline.run.flow import request_stop, run_corpus

    fmts = () if export_formats == "none" else FORMATS if export_formats == "all" else tuple(export_formats.split(","))
    unknown = set(fmts) - set(FORMATS)
    if unknown:
        raise UserError(f"--export {export_formats}: use all, none, or some of {', '.join(FORMATS)}")
    from pipeline.run.isolate import Limits
    from pipeline.run.jobs import RunLocked

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
    from pipeline.products import records as store

    try:
        return store.require(records)
    except store.RecordsError as exc:
        raise UserError(str(exc)) from None


def _load_record(ref: str, records: Path):
    """A record from a record JSON path, a record id (or unique prefix) in RECORDS/guides, or a
    guide file (extracted)."""
    from extractors.document import extract_file
    from extractors.errors import IngestError
    from extractors.files import SUFFIX_FORMAT
    from pipeline.products import records as store

    try:
        found = store.find(ref, records)
    except store.RecordsError as exc:
        raise UserError(str(exc)) from None
    if found is not None:
        return found
    p = Path(ref)
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
    from pipeline.products.diff import diff as run_diff
    from pipeline.products.diff_page import render
    from pipeline.products.html import site_link

    if fmt not in ("terminal", "json", "markdown", "html"):
        raise UserError(f"--format {fmt}: use terminal, json, markdown or html")
    d = run_diff(_load_record(old, records), _load_record(new, records))
    if fmt == "terminal" and output is None:
        _print_diff(d)
        return
    text = render(d, fmt, site_link(records / "report", (output or Path("x")).resolve().parent))
    if output:
        from pipeline.run.store import write_atomic

        write_atomic(output, text)
        err.print(f"{len(d.changes)} changes → {output}", highlight=False)
    else:
        sys.stdout.write(text)


def _print_diff(d) -> None:
    from rich.table import Table

    from pipeline.products.diff_page import GUIDE_WIDE, KIND_LABEL, grouped

    out.print(f"[bold]{escape(d.old.title)}[/bold] ({d.old.region} {d.old.year}) → "
              f"[bold]{escape(d.new.title)}[/bold] ({d.new.region} {d.new.year})", highlight=False, soft_wrap=True)
    pairs = Table("old", "new", "category", "score", title="programmes aligned")
    for p in d.pairs:
        pairs.add_row(escape(p.old_name or "—"), escape(p.new_name or "—"), p.category or "", f"{p.score:.2f}")
    out.print(pairs)
    table = Table("programme", "change", "summary", title=f"{len(d.changes)} changes")
    for name, cs in grouped(d):
        for k, c in enumerate(cs):
            first = ("guide-wide" if name == GUIDE_WIDE else escape(name)) if k == 0 else ""
            table.add_row(first, KIND_LABEL.get(c.kind, c.kind), escape(c.summary), end_section=k == len(cs) - 1)
    out.print(table)


@app.command()
def compare(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    by: str = typer.Option("category", "--by", help="category | region | year: one table per value"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where compare.csv and compare.html go (default RECORDS)"),
) -> None:
    """Line up all records: a table per category (or region, year), funding chart, yearly timelines."""
    from pipeline.products.compare import BY, write_compare

    if by not in BY:
        raise UserError(f"--by {by}: use category, region or year")
    guides = _records(records)
    written = write_compare(guides, out_dir or records, by, report=records / "report")
    err.print(f"{sum(len(g.programs) for g in guides)} programmes of {len(guides)} guides → "
              f"{', '.join(str(p) for p in written)}", highlight=False)


@app.command()
def export(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    fmt: str = typer.Option("all", "--format", help="csv | parquet | duckdb | all"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where the tables go (default RECORDS/exports)"),
) -> None:
    """One table per entity (guides, programs, funding, …, texts) for BI, with a data dictionary."""
    from pipeline.products.export import FORMATS, export as run_export

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
    from pipeline.products.rules import write_rules

    guides = _records(records)
    target = out_dir or records / "rules"
    n_rules, n_left = write_rules(guides, target)
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
    from pipeline.products.check import check_all, verdict_json

    if fmt not in ("terminal", "json"):
        raise UserError(f"--format {fmt}: use terminal or json")
    try:
        data = json.loads(profile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{profile}: not a readable JSON profile ({exc})") from exc
    verdicts = check_all(_records(records), data)
    if fmt == "json":
        sys.stdout.write(json.dumps([verdict_json(g, v) for g, v in verdicts], ensure_ascii=False, indent=2) + "\n")
        return
    _print_verdicts(verdicts, str(profile), explain)


def _print_verdicts(verdicts, title: str, explain: bool) -> None:
    from rich.table import Table

    table = Table("guide", "programme", "verdict", "left to a person", "because", title=escape(title))
    colour = {"eligible": "green", "not eligible": "red", "possibly eligible": "yellow", "not open": "magenta"}
    for g, v in verdicts:
        why = v.failed or v.open_questions
        reason = "; ".join(d.text[:60] for d in why[:2]) + (f" (+{len(why) - 2})" if len(why) > 2 else "")
        table.add_row(escape(f"{g.region.name} {g.year}"), escape(v.name), f"[{colour[v.status]}]{v.status}[/]",
                      str(len(v.open_questions)), escape(reason))
    out.print(table)
    if not explain:
        return
    for g, v in verdicts:
        out.print(f"\n[bold]{escape(g.title)}[/bold] — {escape(v.name)}: {v.status}", highlight=False, soft_wrap=True)
        for how, d in v.explained():
            out.print(f"  {how:<7}  {d.requirement_id}  {escape(d.text[:80])}", highlight=False, soft_wrap=True)


@app.command()
def report(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="where the site goes (default RECORDS/report)"),
) -> None:
    """A static review site: every file of the run, every guide's text with its extracted spans highlighted."""
    from pipeline.products.records import ledger
    from pipeline.products.review import write_site

    guides = _records(records)
    target = out_dir or records / "report"
    write_site(guides, target, ledger(records))
    err.print(f"{len(guides)} guide pages → {target}/index.html", highlight=False)


@app.command(name="list")
def list_records(
    records: Path = typer.Option(Path("outputs"), "--records", help="outputs folder holding guides/<id>.json"),
) -> None:
    """The records of an outputs folder and every ledger row: id, title, region, year, programmes, status."""
    from pipeline.products.records import listing

    listed = listing(records)
    if not listed:
        raise UserError(f"no records in {records}/guides: run `zhinan run` first")
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
