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
