"""Ingestion failures with a reason code (README, "Reason codes")."""
from __future__ import annotations


class IngestError(Exception):
    """A document that cannot be read. `reason` is a stable code for the run ledger."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


def raised_by(exc: BaseException) -> str | None:
    """The top-level package whose code raised `exc`: the innermost frame of its traceback that is
    not the standard library (`base64` raising for pdfminer's Ascii85 decoder counts as pdfminer).

    This is how a damaged file is told from a bug of zhinan's: an exception that a reader library
    (pdfminer, python-docx, lxml) raises while parsing bytes is the file's damage; one raised in
    zhinan's own code is PARSER_BUG."""
    import sys

    names = []
    tb = exc.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_globals.get("__name__") or "")
        tb = tb.tb_next
    for name in reversed(names):
        top = name.partition(".")[0]
        if top and top not in sys.stdlib_module_names and top != "builtins":
            return top
    return None
