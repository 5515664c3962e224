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
