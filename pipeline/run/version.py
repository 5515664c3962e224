"""The pipeline's version: what a cached record was made by.

A record is reused only when its file's sha256 and this version are unchanged. The version is a
hash of everything that decides a record: the extractor code, its rule and word files, the
schema, the worker and the versions of the reader and NLP libraries; change any of them (a rule, a word list) and every record is remade.
ZHINAN_PIPELINE_VERSION overrides it (tests bump it to force a re-run).
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("extractors", "schemas", "pipeline/run/worker.py")
SUFFIXES = {".py", ".toml", ".json", ".tsv", ".txt", ".csv"}
# the libraries whose output is part of a record
LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "lxml", "selectolax", "trafilatura",
             "charset-normalizer", "cn2an", "jieba", "spacy", "pydantic")


@lru_cache(maxsize=1)
def _code_hash() -> str:
    h = hashlib.sha256()
    files = []
    for part in PARTS:
        p = ROOT / part
        files += [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES
                                           and "__pycache__" not in f.parts]
    for f in sorted(files):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    from importlib.metadata import PackageNotFoundError, version

    for lib in LIBRARIES:
        try:
            h.update(f"{lib}=={version(lib)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{lib} absent\0".encode())
    return h.hexdigest()[:16]


def pipeline_version() -> str:
    return os.environ.get("ZHINAN_PIPELINE_VERSION") or _code_hash()
