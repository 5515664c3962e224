"""The Prefect flow of `zhinan run`: one task per document on a bounded thread pool.

Import this module only after pipeline.settings.configure_prefect() (the CLI does it).
Each task writes its own record as the document finishes and returns a small ledger row,
so nothing holds the corpus in memory and documents stay independent (the same task can be
spread over processes or machines with another task runner).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import jobs
from pipeline.isolate import Limits, close_pools
from pipeline.version import pipeline_version


@task(name="extract-guide", retries=0, cache_policy=None)
def extract_guide(path: str, corpus: str, out_dir: str, sha256: str | None, isolate: bool,
                  limits: Limits) -> jobs.Entry:
    # Failures come back as ledger rows, not exceptions: a deterministic failure is not retried.
    # The parse itself runs in a killable worker subprocess of a pool (pipeline/isolate.py). The row
    # is journaled the moment the document is done, so a killed run loses nothing finished.
    entry = jobs.process(Path(path), Path(corpus), Path(out_dir), sha256, isolate, limits)
    jobs.journal_row(out_dir, entry)
    return entry


def run_corpus(corpus: Path, out_dir: Path, workers: int = 2,
               on_entry: Callable[[jobs.Entry], None] | None = None,
               on_start: Callable[[int], None] | None = None,
               isolate: bool = True, limits: Limits | None = None, force: bool = False) -> jobs.Summary:
    """Run the flow with a task runner of `workers` threads; callbacks feed a progress display.
    Paths are made absolute first: the flow, its tasks and the parsing workers may run elsewhere."""
    runner_flow = corpus_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=max(1, workers)))
    try:
        return runner_flow(str(Path(corpus).absolute()), str(Path(out_dir).absolute()), on_entry, on_start, isolate,
                           limits or Limits(), force)
    finally:
        close_pools()  # the parsing workers end with the run


@flow(name="zhinan-run", validate_parameters=False, log_prints=False)
def corpus_flow(corpus: str, out_dir: str, on_entry=None, on_start=None, isolate: bool = True,
                limits: Limits | None = None, force: bool = False) -> jobs.Summary:
    started = time.time()
    root, out = Path(corpus), Path(out_dir)
    limits = limits or Limits()
    version = f"{pipeline_version()}-p{limits.max_pages}"  # the page cap changes what a PDF record holds
    previous = {} if force else jobs.previous_results(out, version)
    jobs.start(out, root, version)
    journal = jobs.open_journal(out, version)
    candidates = jobs.discover(root)
    if on_start:
        on_start(len(candidates))
    entries: list[jobs.Entry] = []
    futures = []
    reused = 0
    for cand in candidates:
        done = cand.skip or jobs.reuse(cand, previous)
        if done is not None:
            if cand.skip is None:
                reused += 1
                journal.append(done)
            entries.append(done)
            if on_entry:
                on_entry(done)
            continue
        futures.append(extract_guide.submit(str(cand.path), str(root), str(out), cand.sha256, isolate, limits))
    for fut in futures:
        entry = fut.result()
        entries.append(entry)
        if on_entry:
            on_entry(entry)
    return jobs.finish(out, entries, started, root, version, reused)
