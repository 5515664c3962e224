"""The Prefect flow of `zhinan run`: one task per batch of documents on a bounded thread pool, or on
a Dask cluster (prefect-dask) with `--dask-address`.

Import this module only after pipeline.run.settings.configure_prefect() (the CLI does it).
Each task writes each document's record and journal row as it finishes and returns small ledger rows,
so nothing holds the corpus in memory and documents stay independent (the same task can be
spread over processes or machines with another task runner).
"""
from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable

import prefect.futures
from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.run import jobs
from pipeline.run.isolate import Limits, close_pools
from pipeline.run.version import pipeline_version
from pipeline.run.watchdog import guard_temporary_server


@task(name="extract-guides", retries=0, cache_policy=None)
def extract_batch(batch: list[tuple[str, str | None]], corpus: str, out_dir: str, isolate: bool, limits: Limits,
                  version: str) -> list[jobs.Entry]:
    """A few documents, one after the other: Prefect keeps its state per task run for the life of the
    flow run, so a task per batch keeps that state small. Each row is journaled as its document
    finishes, here rather than by the flow, so `kill -9` mid-batch loses nothing that finished."""
    # Failures come back as ledger rows, not exceptions: a deterministic failure is not retried.
    # The parse itself runs in a killable worker subprocess of a pool (pipeline/run/isolate.py). An
    # output folder that cannot be written comes back as a `fault` row: the flow stops on it.
    journal = jobs.Journal(Path(out_dir), version)
    rows: list[jobs.Entry] = []
    for path, sha256 in batch:
        if stopping():  # a function, not the Event itself: the task is pickled by value for Dask
            break
        try:
            entry = jobs.process(Path(path), Path(corpus), Path(out_dir), sha256, isolate, limits)
        except jobs.OutputError as exc:
            rows.append(jobs.Entry(path, jobs.FAULT, message=str(exc)))
            break
        try:
            journal.append(entry)
        except OSError as exc:
            rows.append(jobs.Entry(path, jobs.FAULT, message=f"cannot write {journal.path}: {exc.strerror or exc}"))
            break
        rows.append(entry)
    return rows


STOP = threading.Event()  # set by request_stop(): Ctrl-C or SIGTERM


def stopping() -> bool:
    return STOP.is_set()


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
                               force, tuple(exports), workers, bool(dask_address))
    finally:
        close_pools()  # the parsing workers end with the run


@flow(name="zhinan-run", validate_parameters=False, log_prints=False)
def corpus_flow(corpus: str, out_dir: str, on_entry=None, on_start=None, isolate: bool = True,
                limits: Limits | None = None, force: bool = False, exports: tuple[str, ...] = (),
                workers: int = 2, on_cluster: bool = False) -> jobs.Summary:
    started = time.time()
    target, out = Path(corpus), Path(out_dir)
    root = jobs.corpus_root(target)
    limits = limits or Limits()
    version = f"{pipeline_version()}-p{limits.max_pages}"  # the page cap changes what a PDF record holds
    previous = {} if force else jobs.previous_results(out, version)
    jobs.start(out, target, version)
    return _run(target, root, out, version, previous, on_entry, on_start, isolate, limits, started, exports, workers,
                on_cluster)


def _write_exports(out: Path, formats: tuple[str, ...]):
    if not formats:
        return None

    def write() -> None:
        from pipeline.products.export import export
        from pipeline.products.records import load as load_records

        export(load_records(out), out / "exports", formats)
    return write


def _run(target: Path, root: Path, out: Path, version: str, previous: dict, on_entry, on_start, isolate: bool,
         limits: Limits, started: float, exports: tuple[str, ...] = (), workers: int = 2,
         on_cluster: bool = False) -> jobs.Summary:
    # The document loop is a plain function the flow calls, not part of the flow's own body: written
    # inline, prefect-dask could no longer serialise the submitted task (`cannot pickle
    # '_thread.lock'`, tests/test_dask.py), although the task and its parameters were the same.
    journal = jobs.Journal(out, version)
    candidates = jobs.discover(target, out)
    if on_start:
        on_start(len(candidates))
    entries: list[jobs.Entry] = []
    todo: deque[jobs.Candidate] = deque()
    reused = 0
    for cand in candidates:
        done = cand.skip or jobs.reuse(cand, previous)
        if done is None:
            todo.append(cand)
            continue
        if cand.skip is None:
            reused += 1
            journal.append(done)
        entries.append(done)
        if on_entry:
            on_entry(done)
    del candidates  # those still to parse are in `todo`, released as they are submitted
    finished: queue.Queue = queue.Queue()
    in_flight: set = set()
    size, window = batching(len(todo), workers, on_cluster)

    def submit(batch: list[jobs.Candidate]) -> None:
        fut = extract_batch.submit([(c.where, c.sha256) for c in batch], str(root), str(out), isolate, limits,
                                   version)
        in_flight.add(fut)
        _when_done(fut, finished.put)

    # a window of batches in flight, not all N documents at once: memory stays flat in N (a future
    # and its task-run state per batch in flight, released as each finishes)
    waiting = batches(todo, size)
    for batch in itertools.islice(waiting, window):
        submit(batch)
    try:
        while in_flight:
            try:
                fut = finished.get(timeout=0.5)
            except queue.Empty:
                continue
            in_flight.discard(fut)
            rows = fut.result()
            if STOP.is_set():  # a row may be a worker killed by the stop: not the document's fault
                _cancel(in_flight)
                return jobs.abort(out, entries, "interrupted", status="interrupted")
            for entry in rows:
                if entry.status == jobs.FAULT:  # the environment, not the document: stop here
                    _cancel(in_flight)
                    return jobs.abort(out, entries, entry.message)
                entries.append(entry)
                if on_entry:
                    on_entry(entry)
            batch = next(waiting, None)
            if batch is not None and not STOP.is_set():
                submit(batch)
    except BaseException:  # an interrupt: no new document starts
        _cancel(in_flight)
        raise
    if STOP.is_set():
        return jobs.abort(out, entries, "interrupted", status="interrupted")
    return jobs.finish(out, entries, started, target, version, reused, _write_exports(out, exports))


MAX_BATCH = 8  # documents a task: Prefect's cost and state per document / 8; a short tail at the end


def batching(todo: int, workers: int, on_cluster: bool = False) -> tuple[int, int]:
    """(documents a task, tasks in flight). A small corpus goes a document a task, so every worker
    stays busy to the end; a large one in batches of up to MAX_BATCH. Locally two tasks a worker are
    in flight (one running, one waiting); a cluster's size is not known here, so 32."""
    size = max(1, min(MAX_BATCH, todo // (4 * max(1, workers))))
    return size, 32 if on_cluster else 2 * max(1, workers)


def batches(todo: deque, size: int):
    """Batches taken off the front of `todo`: a submitted document's candidate is not kept, so the
    ledger rows that grow during a run take the place of the candidates that shrink."""
    while todo:
        yield [todo.popleft() for _ in range(min(size, len(todo)))]


def _when_done(fut, callback) -> None:
    """Call `callback(fut)` once the task run is final: Prefect's own registration, the one its
    `as_completed` uses, where this Prefect has it; the public `add_done_callback` otherwise."""
    register = getattr(prefect.futures, "_register_prefect_done_callback", None)
    if register is not None:
        register(fut, callback)
    else:
        fut.add_done_callback(callback)


def _cancel(futures) -> None:
    for fut in futures:
        wrapped = getattr(fut, "wrapped_future", None)
        if wrapped is not None and hasattr(wrapped, "cancel"):
            wrapped.cancel()
