"""Prefect flows and the `zhinan` command line: arrangement and I/O around the extractors."""
