"""The guide record: data contract v1 (see README, "The record").

These models are the source of truth in code. Field names are a public contract: add fields,
never rename, drop or re-type the ones the contract lists. `zhinan schema` prints the JSON Schema.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Category = Literal[
    "major_project", "key_rnd", "tech_transfer", "enterprise_innovation", "talent", "platform",
    "cooperation", "livelihood", "soft_science", "ip", "open_competition", "other",
]
RequirementCategory = Literal[
    "applicant", "qualification", "credit", "personnel", "consortium", "finance", "ip", "limit",
    "materials", "other",
]
DeadlineKind = Literal[
    "submission_open", "submission_close", "recommendation_close", "materials_close", "review",
    "announcement", "other",
]
FundingMode = Literal["grant", "post_subsidy", "equity", "phased", "other"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Span(Model):
    """Character offsets into the guide's `text`: text[start:end] is the evidence."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: Optional[int] = Field(default=None, ge=1, description="1-based page for PDFs, else null")


class Region(Model):
    name: Optional[str] = None
    code: Optional[str] = Field(default=None, pattern=r"^\d{6}$", description="GB/T 2260 code; 100000 national")
    level: Optional[Literal["national", "province", "city", "district", "zone"]] = None


class Source(Model):
    path: str = Field(description="path relative to the corpus folder")
    format: Literal["txt", "pdf", "docx", "html"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pages: Optional[int] = None
    encoding: Optional[str] = None


class Channel(Model):
    name: Optional[str] = None
    url: Optional[str] = None
    span: Span


class Duration(Model):
    min_years: Optional[float] = None
    max_years: Optional[float] = None
    span: Optional[Span] = Field(default=None, description="the period as written (addition to the contract)")


class Cofunding(Model):
    kind: Literal["multiple_of_grant", "share_of_total"]
    min: float


class Funding(Model):
    min_cny: Optional[int] = None
    max_cny: Optional[int] = None
    per: Literal["project", "program_total"] = "project"
    modes: list[FundingMode] = Field(default_factory=list)
    cofunding: Optional[Cofunding] = None
    text: str
    span: Span
    amount_span: Optional[Span] = Field(default=None, description="the amount inside the sentence, when one is "
                                        "stated (addition to the contract)")


class Direction(Model):
    title: str
    text: str
    keywords: list[str] = Field(default_factory=list)
    span: Span


class Constraint(Model):
    subject: Literal["applicant", "pi", "project", "consortium"]
    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    op: Literal["==", "!=", ">=", "<=", ">", "<", "in"]
    value: Union[bool, int, float, str, list[Union[str, int, float]]]
    unit: Optional[str] = None
    span: Optional[Span] = Field(default=None, description="the words the constraint was read from (addition "
                                 "to the contract)")


class Requirement(Model):
    id: str = Field(default="", description="stable id within the guide (addition to the contract): `r-` and 8 hex "
                    "digits of a hash of the owning programme's name and the requirement's text (`-2`, `-3` for a "
                    "repeat under one owner), so inserting or reordering requirements leaves the other ids alone; "
                    "rules, check, exports and the review site use it")
    text: str
    category: RequirementCategory = "other"
    constraints: list[Constraint] = Field(default_factory=list)
    span: Span


class Contact(Model):
    org: Optional[str] = None
    department: Optional[str] = None
    names: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    address: Optional[str] = None
    scope: Optional[str] = None
    span: Span


class Deadline(Model):
    kind: DeadlineKind
    at: str = Field(pattern=r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?$")
    text: str
    span: Span


class Program(Model):
    id: str
    name: str
    category: Category
    parent: Optional[str] = Field(default=None, description="id of the enclosing program")
    directions: list[Direction] = Field(default_factory=list)
    funding: list[Funding] = Field(default_factory=list)
    duration: Optional[Duration] = None
    requirements: list[Requirement] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    span: Span


class Section(Model):
    """One node of the document outline (added to the contract: the tree programs come from)."""

    title: str
    level: int = Field(ge=1)
    marker: Optional[str] = Field(default=None, description="numbering as written, e.g. （一）")
    style: str = Field(description="numbering style id, e.g. cn_paren, num_dun, bare (an unnumbered heading "
                       "line), runin (an unnumbered item that opens with its own title: `工业企业稳运行奖励。对…`), annex")
    parent: Optional[int] = Field(default=None, description="index of the parent section in `outline`")
    span: Span = Field(description="the whole section, heading included")


class Furniture(Model):
    """Running headers, footers and page numbers, kept apart from `text` (they often hold the
    document number and date)."""

    page: Optional[int] = Field(default=None, ge=1)
    kind: Literal["header", "footer", "page_number"]
    text: str


class PageStart(Model):
    """Where a PDF page's text begins in `text` (addition to the contract): the review site draws
    the page breaks and each page's furniture from these."""

    page: int = Field(ge=1)
    start: int = Field(ge=0, description="offset in `text` of the page's first character")


class Issue(Model):
    """Something the pipeline noticed and recorded instead of raising."""

    code: str
    message: str
    page: Optional[int] = Field(default=None, ge=1)
    span: Optional[Span] = None


class Entity(Model):
    """A named-entity span of the text from the one entity pass the record is built from (addition to
    the contract): `zhinan extract --entities` prints these, so it and the record never disagree."""

    label: Literal["PERSON", "ORG", "GPE", "PHONE", "EMAIL", "URL", "MONEY", "DATE"]
    text: str
    value: Optional[str] = Field(default=None, description="normalised: phone number, yuan (`lo..hi` for a "
                                 "range), region code, name without inner spaces")
    source: Literal["rule", "contact_grammar", "jieba"] = "rule"
    span: Span


class Guide(Model):
    schema_version: str = SCHEMA_VERSION
    id: str
    title: str
    region: Region
    year: Optional[int] = None
    issued: Optional[date] = None
    issuer: Optional[str] = None
    source: Source
    text: str
    programs: list[Program] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    outline: list[Section] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    furniture: list[Furniture] = Field(default_factory=list)
    page_starts: list[PageStart] = Field(default_factory=list, description="PDF only: where each page with text "
                                         "begins in `text`, in page order")
    text_map: list[list[int]] = Field(
        default_factory=list,
        description="runs [text_start, source_start, length]: text[a:a+n] came from the decoded "
                    "source characters [b:b+n]; characters outside every run were inserted",
    )
    issues: list[Issue] = Field(default_factory=list)
