"""The zhinan command line (without Prefect: extract and schema)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from schemas import Guide
from tests.conftest import CORPUS, ROOT


def zhinan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_extract_prints_the_record():
    r = zhinan("extract", str(CORPUS / "002_1d24a9c214daa895.txt"))
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["region"] == {"name": "西宁市", "code": "630100", "level": "city"}
    assert [p["name"] for p in rec["programs"]][0] == "重大科技专项"


def test_extract_brief():
    r = zhinan("extract", "--brief", str(CORPUS / "003_b20fb3b92bb753f0.txt"))
    assert r.returncode == 0, r.stderr
    assert "    p5 创新人才工程项目  [talent]" in r.stdout


def test_bad_file_is_one_readable_line(tmp_path):
    bad = tmp_path / "坏文件.txt"
    bad.write_bytes(b"")
    r = zhinan("extract", str(bad))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"error: EMPTY_FILE: {bad} is empty (0 bytes)"]
    assert "Traceback" not in r.stderr


def test_schema_names_every_contract_field():
    r = zhinan("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    guide = schema["properties"]
    for f in ["id", "title", "region", "year", "issued", "issuer", "source", "text", "programs",
              "requirements", "contacts", "deadlines", "channels"]:
        assert f in guide, f
    defs = schema["$defs"]
    assert set(defs["Program"]["properties"]) >= {"id", "name", "category", "parent", "directions", "funding",
                                                  "duration", "requirements", "contacts", "deadlines", "span"}
    assert set(defs["Funding"]["properties"]) >= {"min_cny", "max_cny", "per", "modes", "cofunding", "text", "span"}
    assert set(defs["Contact"]["properties"]) >= {"org", "department", "names", "phones", "emails", "address",
                                                  "scope", "span"}
    assert defs["Program"]["additionalProperties"] is False
    assert re.fullmatch(r"\d+\.\d+", guide["schema_version"]["default"])


def test_run_writes_records_ledger_and_exports(tmp_path):
    import shutil

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "004_f341f958e9ff6538.txt", corpus)
    (corpus / "broken.pdf").write_bytes(b"<html>not a pdf</html>")
    out = tmp_path / "out"
    env = {**__import__("os").environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    r = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(corpus), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    assert "2 discovered: 1 ok, 0 partial, 1 failed, 0 skipped" in r.stderr
    assert "broken.pdf: WRONG_TYPE" in r.stderr and "Traceback" not in r.stderr
    assert len(list((out / "guides").glob("*.json"))) == 1
    assert (out / "exports" / "programs.csv").read_text(encoding="utf-8-sig").count("open_competition") == 2
    assert (out / "exports" / "zhinan.duckdb").is_file()


def test_control_characters_in_a_file_name_never_reach_the_terminal(tmp_path):
    bad = tmp_path / "guide\x1b[31mred.txt"
    bad.write_bytes(b"")
    r = zhinan("extract", str(bad))
    assert r.returncode == 2
    assert "\x1b" not in r.stderr
    assert "guide\\x1b[31mred.txt is empty" in r.stderr


def _records_folder(tmp_path):
    from extractors.document import extract_file

    out = tmp_path / "out"
    (out / "guides").mkdir(parents=True)
    rows = []
    for name in ("002_1d24a9c214daa895.txt", "003_b20fb3b92bb753f0.txt"):
        g = extract_file(CORPUS / name, CORPUS)
        (out / "guides" / f"{g.id}.json").write_text(g.model_dump_json(), encoding="utf-8")
        rows.append({"path": name, "status": "ok", "guide_id": g.id, "output": f"guides/{g.id}.json"})
    rows.append({"path": "broken.pdf", "status": "failed", "reason": "PDF_TRUNCATED", "guide_id": None})
    (out / "ledger.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return out, [r["guide_id"] for r in rows[:2]]


def test_list_shows_records_and_failed_rows(tmp_path):
    out, ids = _records_folder(tmp_path)
    r = zhinan("list", "--records", str(out))
    assert r.returncode == 0, r.stderr
    lines = [x.split("\t") for x in r.stdout.splitlines()]
    assert lines[0] == [ids[0], "关于印发2024年西宁市科技计划项目申报指南的通知", "西宁市", "2024", "4", "ok",
                        "002_1d24a9c214daa895.txt"]
    assert lines[2] == ["—", "", "", "", "", "failed PDF_TRUNCATED", "broken.pdf"]


def test_record_ids_accept_a_unique_prefix(tmp_path):
    out, ids = _records_folder(tmp_path)
    r = zhinan("diff", ids[0][:6], ids[1][:6], "--records", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new"]["title"] == "2022年度克拉玛依市科技计划储备项目申报指南"
    bad = zhinan("diff", "zz", ids[1][:6], "--records", str(out))
    assert bad.returncode == 2 and bad.stderr.startswith("error: zz: not a record file")


def test_check_never_says_eligible_with_requirements_left(tmp_path):
    out, ids = _records_folder(tmp_path)
    r = zhinan("check", str(ROOT / "examples" / "profile.json"), "--records", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    verdicts = json.loads(r.stdout)
    assert {v["status"] for v in verdicts} <= {"eligible", "not eligible", "possibly eligible", "not open"}
    for v in verdicts:
        if v["status"] == "eligible":
            assert v["open_questions"] == 0 and not v["left_as_text"]
    karamay = {v["program"]: v for v in verdicts if v["guide_id"] == ids[1]}
    # 重大科技专项: `项目自筹资金应占总投资 80%以上` fails the profile's 75 %
    assert karamay["重大科技专项"]["status"] == "not eligible"
    assert any("80%以上" in d["text"] for d in karamay["重大科技专项"]["failed"])
    assert karamay["软科学研究项目"]["status"] == "possibly eligible" and karamay["软科学研究项目"]["open_questions"] >= 1
    explained = zhinan("check", str(ROOT / "examples" / "profile.json"), "--records", str(out), "--explain")
    record = Guide.model_validate_json((out / "guides" / f"{ids[1]}.json").read_text(encoding="utf-8"))
    (rid,) = [r.id for p in record.programs for r in p.requirements if "项目总投入不少于 3000 万元" in r.text]
    assert f"FAILED   {rid}  项目总投入不少于 3000 万元" in explained.stdout  # the record's stable requirement id
