"""The Prefect flow of `zhinan run`: one task per document on a bounded thread pool, or on a Dask
cluster (prefect-dask) with `--dask-address`.

Import this module only after pipeline.run.settings.configure_prefect() (the CLI does it).
Each task writes its own record as the document finishes and returns a small ledger row,
so nothing holds the corpus in memory and documents stay independent (the same task can be
spread over processes or machines with another task runner).
"""
from __future__ import annotations

import itertools
import queue
import threading
import time
from pathlib import Path
from typing import Callable

import prefect.futures
from prefect import flow, task
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
                               force, tuple(exports), in_flight_window(workers, dask_address))
    finally:
        close_pools()  # the parsing workers end with the run


def in_flight_window(workers: int, dask_address: str | None) -> int:
    """Documents submitted at once: enough to keep every worker busy while results are taken,
    few enough that memory does not grow with the corpus. A cluster's size is not known here."""
    return 256 if dask_address else max(16, 4 * workers)


@flow(name="zhinan-run", validate_parameters=False, log_prints=False)
def corpus_flow(corpus: str, out_dir: str, on_entry=None, on_start=None, isolate: bool = True,
                limits: Limits | None = None, force: bool = False, exports: tuple[str, ...] = (),
                window: int = 16) -> jobs.Summary:
    started = time.time()
    target, out = Path(corpus), Path(out_dir)
    root = jobs.corpus_root(target)
    limits = limits or Limits()
    version = f"{pipeline_version()}-p{limits.max_pages}"  # the page cap changes what a PDF record holds
    previous = {} if force else jobs.previous_results(out, version)
    jobs.start(out, target, version)
    return _run(target, root, out, version, previous, on_entry, on_start, isolate, limits, started, exports, window)


def _write_exports(out: Path, formats: tuple[str, ...]):
    if not formats:
        return None

    def write() -> None:
        from pipeline.products.export import export
        from pipeline.products.records import load as load_records

        export(load_records(out), out / "exports", formats)
    return write


def _run(target: Path, root: Path, out: Path, version: str, previous: dict, on_entry, on_start, isolate: bool,
         limits: Limits, started: float, exports: tuple[str, ...] = (), window: int = 16) -> jobs.Summary:
    # The document loop is a plain function the flow calls, not part of the flow's own body: written
    # inline, prefect-dask could no longer serialise the submitted task (`cannot pickle
    # '_thread.lock'`, tests/test_dask.py), although the task and its parameters were the same.
    journal = jobs.Journal(out, version)
    candidates = jobs.discover(target, out)
    if on_start:
        on_start(len(candidates))
    entries: list[jobs.Entry] = []
    todo = []
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
    finished: queue.Queue = queue.Queue()
    in_flight: set = set()

    def submit(cand: jobs.Candidate) -> None:
        fut = extract_guide.submit(str(cand.path), str(root), str(out), cand.sha256, isolate, limits)
        in_flight.add(fut)
        _when_done(fut, finished.put)

    # a window of documents in flight, not all N at once: memory stays flat in N (a future and its
    # task-run state per document in flight, released as each finishes)
    waiting = iter(todo)
    for cand in itertools.islice(waiting, window):
        submit(cand)
    try:
        while in_flight:
            try:
                fut = finished.get(timeout=0.5)
            except queue.Empty:
                continue
            in_flight.discard(fut)
            entry = fut.result()
            if STOP.is_set():  # this row may be a worker killed by the stop: not the document's fault
                _cancel(in_flight)
                return jobs.abort(out, entries, "interrupted", status="interrupted")
            if entry.status == jobs.FAULT:  # the environment, not the document: stop here
                _cancel(in_flight)
                return jobs.abort(out, entries, entry.message)
            journal.append(entry)
            entries.append(entry)
            if on_entry:
                on_entry(entry)
            cand = next(waiting, None)
            if cand is not None and not STOP.is_set():
                submit(cand)
    except BaseException:  # an interrupt: no new document starts
        _cancel(in_flight)
        raise
    if STOP.is_set():
        return jobs.abort(out, entries, "interrupted", status="interrupted")
    return jobs.finish(out, entries, started, target, version, reused, _write_exports(out, exports))


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
