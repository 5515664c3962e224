"""The Prefect flow of `zhinan run`: one task per document on a bounded thread pool, or on a Dask
cluster (prefect-dask) with `--dask-address`.

Import this module only after pipeline.run.settings.configure_prefect() (the CLI does it).
Each task writes its own record as the document finishes and returns a small ledger row,
so nothing holds the corpus in memory and documents stay independent (the same task can be
spread over processes or machines with another task runner).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.run import jobs
from pipeline.run.isolate import Limits, close_pools
from pipeline.run.version import pipeline_version
from pipeline.run.watchdog import guard_temporary_server


@task(name="extract-guide", retries=0, cache_policy=None)
def extract_guide(path: str, corpus: str, out_dir: str, sha256: str | None, isolate: bool,
                  limits: Limits) -> jobs.Entry:
    # Failures come back as ledger rows, not exceptions: a deterministic failure is not retried.
    # The parse itself runs in a killable worker subprocess of a pool (pipeline/run/isolate.py). An
    # output folder that cannot be written comes back as a `fault` row: the flow stops on it.
    try:
        return jobs.process(Path(path), Path(corpus), Path(out_dir), sha256, isolate, limits)
    except jobs.OutputError as exc:
        return jobs.Entry(path, jobs.FAULT, message=str(exc))


STOP = threading.Event()  # set by request_stop(): Ctrl-C or SIGTERM


def request_stop() -> None:
    """Stop the run within seconds: no new document starts, the parsing workers are killed so the
    ones in flight end at once, and the flow returns what finished (the journal keeps it)."""
    STOP.set()
    close_pools()


def task_runner(workers: int, dask_address: str | None = None):
    """Threads on this machine, or a Dask cluster's workers through prefect-dask."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=max(1, workers))


def run_corpus(corpus: Path, out_dir: Path, workers: int = 2,
               on_entry: Callable[[jobs.Entry], None] | None = None,
               on_start: Callable[[int], None] | None = None,
               isolate: bool = True, limits: Limits | None = None, force: bool = False,
               dask_address: str | None = None, exports: tuple[str, ...] = ()) -> jobs.Summary:
    """Run the flow with a task runner of `workers` threads (or on the Dask cluster at
    `dask_address`); callbacks feed a progress display. Paths are made absolute first: the flow,
    its tasks and the parsing workers may run elsewhere (on a cluster: a path every worker shares).
    `exports`: the table formats (pipeline.products.export.FORMATS) written before the manifest says complete."""
    runner_flow = corpus_flow.with_options(task_runner=task_runner(workers, dask_address))
    out = Path(out_dir).absolute()
    STOP.clear()
    guard_temporary_server()  # Prefect's temporary server dies with this process, even on kill -9
    try:
        with jobs.RunLock(out):  # one run per output folder (RunLocked otherwise)
            return runner_flow(str(Path(corpus).absolute()), str(out), on_entry, on_start, isolate, limits or Limits(),
                               force, tuple(exports))
    finally:
        close_pools()  # the parsing workers end with the run


@flow(name="zhinan-run", validate_parameters=False, log_prints=False)
def corpus_flow(corpus: str, out_dir: str, on_entry=None, on_start=None, isolate: bool = True,
                limits: Limits | None = None, force: bool = False, exports: tuple[str, ...] = ()) -> jobs.Summary:
    started = time.time()
    target, out = Path(corpus), Path(out_dir)
    root = jobs.corpus_root(target)
    limits = limits or Limits()
    version = f"{pipeline_version()}-p{limits.max_pages}"  # the page cap changes what a PDF record holds
    previous = {} if force else jobs.previous_results(out, version)
    jobs.start(out, target, version)
    return _run(target, root, out, version, previous, on_entry, on_start, isolate, limits, started, exports)


def _write_exports(out: Path, formats: tuple[str, ...]):
    if not formats:
        return None

    def write() -> None:
        from pipeline.products.export import export
        from pipeline.products.records import load as load_records

        export(load_records(out), out / "exports", formats)
    return write


def _run(target: Path, root: Path, out: Path, version: str, previous: dict, on_entry, on_start, isolate: bool,
         limits: Limits, started: float, exports: tuple[str, ...] = ()) -> jobs.Summary:
    # The document loop is a plain function the flow calls, not part of the flow's own body: written
    # inline, prefect-dask could no longer serialise the submitted task (`cannot pickle
    # '_thread.lock'`, tests/test_dask.py), although the task and its parameters were the same.
    journal = jobs.Journal(out, version)
    candidates = jobs.discover(target, out)
    if on_start:
        on_start(len(candidates))
    entries: list[jobs.Entry] = []
    futures = []
    reused = 0
    for cand in candidates:
        if STOP.is_set():
            break
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
    try:
        for fut in as_completed(futures):  # journaled as each document finishes, in whatever order
            entry = fut.result()
            if STOP.is_set():  # this row may be a worker killed by the stop: not the document's fault
                _cancel(futures)
                return jobs.abort(out, entries, "interrupted", status="interrupted")
            if entry.status == jobs.FAULT:  # the environment, not the document: stop here
                _cancel(futures)
                return jobs.abort(out, entries, entry.message)
            journal.append(entry)
            entries.append(entry)
            if on_entry:
                on_entry(entry)
    except BaseException:  # an interrupt: no new document starts
        _cancel(futures)
        raise
    return jobs.finish(out, entries, started, target, version, reused, _write_exports(out, exports))


def _cancel(futures) -> None:
    for fut in futures:
        wrapped = getattr(fut, "wrapped_future", None)
        if wrapped is not None and hasattr(wrapped, "cancel"):
            wrapped.cancel()
