"""Load rule and word-list data files next to the code, validated on load."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


class RuleError(ValueError):
    pass


@lru_cache(maxsize=None)
def load_toml(name: str) -> dict:
    path = DATA / name
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    for group, rules in data.items():
        if not isinstance(rules, list):
            continue
        for rule in rules:
            if "pattern" in rule:
                try:
                    rule["regex"] = re.compile(rule["pattern"])
                except re.error as exc:
                    raise RuleError(f"{name} [{group}] {rule.get('id')}: bad pattern {rule['pattern']!r}: {exc}") from exc
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
