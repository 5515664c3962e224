"""The diff record: what changed between two guide records, by meaning (`zhinan diff --format json`)."""
from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from schemas.guide import Span

DIFF_SCHEMA_VERSION = "1.0"

ChangeKind = Literal[
    "program_added", "program_removed", "program_renamed",
    "funding_max_raised", "funding_max_lowered", "funding_min_raised", "funding_min_lowered",
    "funding_max_added", "funding_max_removed", "funding_min_added", "funding_min_removed",
    "funding_added", "funding_removed",
    "mode_added", "mode_dropped",
    "cofunding_tightened", "cofunding_loosened", "cofunding_added", "cofunding_removed",
    "duration_changed",
    "direction_added", "direction_removed",
    "requirement_added", "requirement_removed", "requirement_changed",
    "constraint_tightened", "constraint_loosened", "constraint_added", "constraint_removed",
    "contact_changed", "contact_added", "contact_removed",
    "deadline_changed", "deadline_added", "deadline_removed",
]
Value = Union[bool, int, float, str, list, dict, None]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_M):
    text: str = Field(description="the evidence text on this side")
    span: Span


class GuideRef(_M):
    id: str
    title: str
    region: Optional[str] = None
    year: Optional[int] = None
    path: str


class Pair(_M):
    """Two programmes aligned as the same funding line (or one side missing)."""

    old: Optional[str] = Field(default=None, description="programme id in the old guide")
    new: Optional[str] = Field(default=None, description="programme id in the new guide")
    old_name: Optional[str] = None
    new_name: Optional[str] = None
    category: Optional[str] = None
    score: float = Field(ge=0, le=1, description="alignment score; 0 for added or removed programmes")


class Change(_M):
    kind: ChangeKind
    program: Optional[str] = Field(default=None, description="the programme's name (new side, else old); null: guide-wide")
    field: Optional[str] = Field(default=None, description="what changed: a constraint field, a deadline kind, a mode …")
    old: Value = None
    new: Value = None
    summary: str = Field(description="one line a reader can take in at a glance")
    old_evidence: Optional[Evidence] = None
    new_evidence: Optional[Evidence] = None


class Diff(_M):
    schema_version: str = DIFF_SCHEMA_VERSION
    old: GuideRef
    new: GuideRef
    pairs: list[Pair]
    changes: list[Change]
