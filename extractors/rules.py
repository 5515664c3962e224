"""Load rule and word-list data files next to the code, validated on load."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


class RuleError(ValueError):
    pass


def _quote(entry: dict) -> str:
    """The entry as its TOML lines, for an error message a rule author can find in the file."""
    return "; ".join(f"{k} = {v!r}" for k, v in entry.items() if k != "regex")


def _check(name: str, group: str, entry: dict) -> None:
    """A rule entry must compile and show what it is for: examples it matches, counter-examples
    it must not match (tests/test_rules.py runs them)."""
    where = f"{name} [{group}] {entry.get('id') or entry.get('comment') or ''}".rstrip()
    for key in ("examples", "counter"):
        values = entry.get(key)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise RuleError(f"{where}: needs a non-empty list of strings `{key}`: {_quote(entry)}")
    if "pattern" in entry:
        try:
            entry["regex"] = re.compile(entry["pattern"])
        except re.error as exc:
            raise RuleError(f"{where}: bad pattern {entry['pattern']!r}: {exc}: {_quote(entry)}") from exc


@lru_cache(maxsize=None)
def load_toml(name: str) -> dict:
    """A rule file, validated: every rule of a list group and every table with a `pattern` has
    examples and counter-examples and compiles; a bad entry is a RuleError that quotes it."""
    path = DATA / name
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{name}: not valid TOML: {exc}") from exc
    for group, body in data.items():
        if isinstance(body, list):
            for rule in body:
                if not isinstance(rule, dict):
                    raise RuleError(f"{name} [{group}]: an entry is not a table: {rule!r}")
                _check(name, group, rule)
        elif isinstance(body, dict) and "pattern" in body:
            _check(name, group, body)
    return data


@lru_cache(maxsize=None)
def flat(name: str) -> dict:
    """A file of [group] tables as {"group.key": value}, string values compiled as regexes
    (rule files whose groups are single tables: metadata.toml, programs.toml, sections.toml)."""
    out = {}
    for group, body in load_toml(name).items():
        if not isinstance(body, dict):
            continue
        for key, val in body.items():
            if isinstance(val, str) and key not in ("comment", "id"):
                try:
                    out[f"{group}.{key}"] = re.compile(val)
                except re.error as exc:
                    raise RuleError(f"{name} [{group}] {key}: bad pattern {val!r}: {exc}") from exc
            else:
                out[f"{group}.{key}"] = val
    return out


def rules(name: str, group: str) -> list[dict]:
    return load_toml(name).get(group, [])


@lru_cache(maxsize=None)
def word_list(name: str) -> tuple[str, ...]:
    """One entry a line; `#` starts a comment."""
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return tuple(out)
