"""Readers of binary guide formats. Each turns a file into `Extracted`: the source text (one
paragraph a line) with the page of every character, a furniture layer (running headers, footers,
page numbers — kept, not thrown away) and per-page issues. Normalisation happens after this."""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field


@dataclass
class Extracted:
    text: str
    pages: array | None = None          # pages[i]: 1-based page of text[i] (PDF only)
    page_count: int | None = None
    furniture: list[tuple[int | None, str, str]] = field(default_factory=list)  # (page, kind, text)
    issues: list[tuple[str, str, int | None]] = field(default_factory=list)     # (code, message, page)
    encoding: str | None = None


class TextBuilder:
    """Accumulates paragraphs and the page of each character."""

    def __init__(self, with_pages: bool):
        self.parts: list[str] = []
        self.pages = array("l") if with_pages else None
        self.length = 0

    def add(self, text: str, pages: list[int] | None = None) -> None:
        text = text.replace("\n", " ").strip("\r")
        if not text.strip():
            return
        if self.parts:
            self.parts.append("\n")
            self.length += 1
            if self.pages is not None:
                self.pages.append(self.pages[-1] if len(self.pages) else 1)
        self.parts.append(text)
        self.length += len(text)
        if self.pages is not None:
            self.pages.extend(pages if pages is not None else [self.pages[-1] if len(self.pages) else 1] * len(text))

    def result(self) -> tuple[str, array | None]:
        return "".join(self.parts), self.pages
