"""Exports: row counts equal the records', keys join, DuckDB answers, reruns are byte-identical."""
from __future__ import annotations

import pytest

from pipeline.products.export import TABLES, dictionary, export
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def exported(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    export(list(records.values()), folder)
    return folder, list(records.values())


def test_row_counts_equal_the_records(exported):
    import pyarrow.parquet as pq

    folder, guides = exported
    expect = {
        "guides": len(guides),
        "programs": sum(len(g.programs) for g in guides),
        "funding": sum(len(p.funding) for g in guides for p in g.programs),
        "directions": sum(len(p.directions) for g in guides for p in g.programs),
        "requirements": sum(len(g.requirements) + sum(len(p.requirements) for p in g.programs) for g in guides),
        "constraints": sum(len(r.constraints) for g in guides for r in g.requirements + [x for p in g.programs for x in p.requirements]),
        "contacts": sum(len(g.contacts) + sum(len(p.contacts) for p in g.programs) for g in guides),
        "deadlines": sum(len(g.deadlines) + sum(len(p.deadlines) for p in g.programs) for g in guides),
        "channels": sum(len(g.channels) for g in guides),
        "texts": len(guides),
    }
    for table, n in expect.items():
        assert pq.read_table(folder / f"{table}.parquet").num_rows == n, table
        csv_rows = (folder / f"{table}.csv").read_text(encoding="utf-8-sig").count("\n") - 1
        assert csv_rows >= n, table  # CSV rows (a quoted field may hold line breaks)
    samples = [g for g in guides if g.source.path[:-4] in SAMPLES]
    assert sum(len(g.programs) for g in samples) == 24
    assert sum(len(g.requirements) + sum(len(p.requirements) for p in g.programs) for g in samples) == 125


def test_keys_join_without_orphans(exported):
    import duckdb

    folder, _ = exported
    con = duckdb.connect(str(folder / "zhinan.duckdb"), read_only=True)
    for table in ("programs", "funding", "directions", "requirements", "constraints", "contacts", "deadlines", "channels"):
        assert con.execute(f"SELECT count(*) FROM {table} t LEFT JOIN guides g USING (guide_id) "
                       "WHERE g.guide_id IS NULL").fetchone()[0] == 0, table
    for table in ("funding", "directions"):
        assert con.execute(f"SELECT count(*) FROM {table} t LEFT JOIN programs p USING (guide_id, program_id) "
                       "WHERE p.program_id IS NULL").fetchone()[0] == 0, table
    assert con.execute("SELECT count(*) FROM constraints c LEFT JOIN requirements r USING (guide_id, requirement_id) "
                   "WHERE r.requirement_id IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM requirements r LEFT JOIN programs p USING (guide_id, program_id) "
                   "WHERE r.program_id IS NOT NULL AND p.program_id IS NULL").fetchone()[0] == 0


def test_duckdb_query_gives_a_known_funding_ceiling(exported):
    import duckdb

    folder, _ = exported
    con = duckdb.connect(str(folder / "zhinan.duckdb"), read_only=True)
    row = con.execute("""SELECT f.max_cny, f.max_wan, f.modes FROM funding f JOIN programs p USING (guide_id, program_id)
                     JOIN guides g USING (guide_id)
                     WHERE g.region_name = '西宁市' AND g.year = 2024 AND p.category = 'major_project'""").fetchall()
    assert row == [(5_000_000, 500.0, ["grant"])]
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'deadlines'").fetchall())
    assert types["at_date"] == "DATE" and types["at_time"].startswith("TIMESTAMP")
    assert con.execute("SELECT count(*) FROM data_dictionary").fetchone()[0] == sum(len(c) + 1 for c in TABLES.values())


def test_csv_opens_in_excel_and_reruns_are_byte_identical(exported, tmp_path):
    folder, guides = exported
    raw = (folder / "guides.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "克拉玛依市".encode("utf-8") in raw
    export(guides, tmp_path, ("csv", "parquet"))
    for table in TABLES:
        for ext in ("csv", "parquet"):
            assert (tmp_path / f"{table}.{ext}").read_bytes() == (folder / f"{table}.{ext}").read_bytes(), table


def test_data_dictionary_covers_every_column_once_and_says_how_to_count(exported):
    folder, _ = exported
    rows = dictionary()
    columns = [(r["table"], r["column"]) for r in rows if r["column"] != "*"]
    assert len(columns) == len(set(columns))
    assert set(columns) == {(t, c.name) for t, cols in TABLES.items() for c in cols}
    assert {r["table"] for r in rows if r["column"] == "*"} == set(TABLES)
    # no meaning says a thing twice (it once read `GB/T 2260 code (100000: national) (GB/T 2260 code; 100000 national)`)
    (code,) = [r["meaning"] for r in rows if (r["table"], r["column"]) == ("guides", "region_code")]
    assert code.count("GB/T 2260") == 1
    text = (folder / "data_dictionary.md").read_text(encoding="utf-8")
    assert "## funding" in text and "| max_wan | float |" in text
    (programs,) = [r["meaning"] for r in rows if (r["table"], r["column"]) == ("programs", "*")]
    assert "WHERE is_top_level" in programs
    assert "guides.text" not in text and "texts.text" in text  # spans point at a column that exists


def test_every_span_resolves_from_the_exports_alone(exported):
    import duckdb

    folder, guides = exported
    con = duckdb.connect(str(folder / "zhinan.duckdb"), read_only=True)
    got = con.execute("""SELECT r.guide_id, r.requirement_id, substr(t.text, r.span_start + 1, r.span_end - r.span_start)
                         FROM requirements r JOIN texts t USING (guide_id)""").fetchall()
    want = {(g.id, r.id): g.text[r.span.start:r.span.end] for g in guides
            for r in [*g.requirements, *(x for p in g.programs for x in p.requirements)]}
    assert len(got) == len(want) and all(want[(gid, rid)] == ev for gid, rid, ev in got)
    (n,) = con.execute("""SELECT count(*) FROM funding f JOIN texts t USING (guide_id)
                          WHERE strpos(substr(t.text, f.span_start + 1, f.span_end - f.span_start), '万元') > 0""").fetchone()
    assert n > 0


def test_requirement_ids_are_the_records_stable_ids(exported):
    import duckdb

    folder, guides = exported
    con = duckdb.connect(str(folder / "zhinan.duckdb"), read_only=True)
    ids = {r for (r,) in con.execute("SELECT requirement_id FROM requirements").fetchall()}
    assert ids == {r.id for g in guides for r in [*g.requirements, *(x for p in g.programs for x in p.requirements)]}
    assert all(i.startswith("r-") for i in ids)
    (orphans,) = con.execute("SELECT count(*) FROM constraints c LEFT JOIN requirements r USING (guide_id, requirement_id) "
                             "WHERE r.requirement_id IS NULL").fetchone()
    assert orphans == 0


def test_duckdb_contents_are_the_same_on_a_rerun(exported, tmp_path):
    import duckdb

    folder, guides = exported
    export(guides, tmp_path, ("duckdb",))
    a = duckdb.connect(str(folder / "zhinan.duckdb"), read_only=True)
    b = duckdb.connect(str(tmp_path / "zhinan.duckdb"), read_only=True)
    for table in [*TABLES, "data_dictionary"]:
        assert a.execute(f"SELECT * FROM {table}").fetchall() == b.execute(f"SELECT * FROM {table}").fetchall(), table


def test_csv_cells_that_excel_would_run_as_formulas_are_neutralised(tmp_path):
    from pipeline.products.export import write_csv

    rows = [{"guide_id": "g1", "title": '=HYPERLINK("http://x","点我")', "region_name": "+1", "region_code": "-x"},
            {"guide_id": "g2", "title": "-500万元", "region_name": "@SUM(A1)", "region_code": "440106"}]
    text = write_csv("guides", rows, tmp_path).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+1," in text and ",'-x," in text and ",'@SUM(A1)," in text
    assert ",-500万元," in text  # a negative number stays as written


def test_exports_are_staged_and_swapped_in_whole(records, tmp_path):
    # a killed export left a staging folder and a DuckDB temp file; the previous export had a table
    # that no longer exists: the new export replaces the folder whole and clears what was left
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "old_table.csv").write_text("x\n", encoding="utf-8")
    (folder / ".zhinan.abc123.duckdb.wal").write_bytes(b"\0")
    stale = tmp_path / ".exports.staging-99999"
    stale.mkdir()
    (stale / "guides.csv").write_text("half\n", encoding="utf-8")
    export([records[s] for s in SAMPLES[:2]], folder, ("csv",))
    assert not (folder / "old_table.csv").exists() and not (folder / ".zhinan.abc123.duckdb.wal").exists()
    assert not stale.exists() and (folder / "guides.csv").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["exports"]


def test_programs_carry_their_funding_range_and_top_level_flag(exported):
    import csv

    folder, guides = exported
    with (folder / "programs.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    g003 = next(g for g in guides if g.title == "2022年度克拉玛依市科技计划储备项目申报指南")
    # 003 p1 重大科技专项: `单项资助额度 200-1000 万元`; p5 创新人才工程项目 is nested in p4
    by_id = {r["program_id"]: r for r in rows if r["guide_id"] == g003.id}
    assert (by_id["p1"]["min_cny"], by_id["p1"]["max_cny"], by_id["p1"]["min_wan"]) == ("2000000", "10000000", "200")
    assert (by_id["p1"]["is_top_level"], by_id["p5"]["is_top_level"]) == ("true", "false")
    top = sum(1 for r in rows if r["guide_id"] == g003.id and r["parent_id"] == "")
    assert top == sum(1 for r in rows if r["guide_id"] == g003.id and r["is_top_level"] == "true") == 4
