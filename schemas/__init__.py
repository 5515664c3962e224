"""pydantic models of the guide record (the data contract)."""
from schemas.guide import (  # noqa: F401
    SCHEMA_VERSION, Channel, Cofunding, Constraint, Contact, Deadline, Direction, Duration, Entity, Funding,
    Furniture, Guide, Issue, PageStart, Program, Region, Requirement, Section, Source, Span,
)
from schemas.diff import DIFF_SCHEMA_VERSION, Change, Diff, Evidence, GuideRef, Pair  # noqa: F401,E402

__all__ = ["SCHEMA_VERSION", "Channel", "Cofunding", "Constraint", "Contact", "Deadline", "Direction", "Duration", "Entity",
           "Funding", "Furniture", "Guide", "Issue", "PageStart", "Program", "Region", "Requirement", "Section", "Source", "Span",
           "DIFF_SCHEMA_VERSION", "Change", "Diff", "Evidence", "GuideRef", "Pair"]
