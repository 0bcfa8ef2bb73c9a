"""Run the per-input work (``scan.scan_one``) on worker processes or on a Dask cluster.

Inputs of a fleet are independent, so each is read and evaluated where it is cheapest: in this
process (one input, or ``--jobs 1``), in a pool of worker processes on this machine, or on a Dask
distributed cluster (``--scheduler``). Every path calls the same ``scan_one`` and the results are
put back in input order, so a report is byte-identical however the scan ran.

The rule pack travels to each worker once (the pool's initializer, or one ``scatter`` to the
cluster), never with each input, and small inputs go in chunks so that the cost of sending work
to a process is paid per chunk rather than per input.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from compliance.errors import UsageError
from compliance.model import Finding, InputResult

if TYPE_CHECKING:
    from compliance.engine import Evaluator
    from compliance.scan import ScanOptions

Section = tuple[InputResult, list[Finding]]
Progress = Callable[[str], None]

MAX_CHUNK = 32  # inputs per task at most: a chunk's results must not make the merge wait long
CHUNKS_PER_WORKER = 8
CONNECT_TIMEOUT = 10  # seconds to reach a Dask scheduler before --scheduler is a usage error  # enough tasks per worker that an uneven fleet still balances


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask or cgroup-limited count), at least 1."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def chunked(n: int, workers: int) -> list[range]:
    """Index ranges covering ``range(n)``: about ``CHUNKS_PER_WORKER`` per worker, ``MAX_CHUNK`` at most."""
    size = max(1, min(MAX_CHUNK, n // (workers * CHUNKS_PER_WORKER)))
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


def _worker_options(options: ScanOptions) -> ScanOptions:
    """What a worker needs: no waivers (applied once to the merged report) and no nested parallelism.

    A scheduler implies the opt-in to remote inputs, which the workers keep without it.
    """
    from compliance.scan import remote_allowed

    return replace(options, waivers=None, jobs=1, scheduler=None, allow_remote=remote_allowed(options))


# -- worker processes on this machine -----------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init_worker(options: ScanOptions, evaluator: Evaluator) -> None:
    """Pool initializer: keep the options and the evaluator (rule pack, index) for every chunk.

    Workers ignore Ctrl-C: the parent decides, terminates them, and reports the interruption once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by _no_sigint while starting
    _STATE["options"] = options
    _STATE["evaluator"] = evaluator


def _run_chunk(paths: Sequence[str]) -> list[list[Section]]:
    """Scan a chunk of inputs inside a worker, with the state its initializer left."""
    import gc

    from compliance.scan import scan_one

    gc.disable()  # as in the parent's scan: the objects made here are acyclic and short-lived
    try:
        return [scan_one(p, _STATE["options"], _STATE["evaluator"]) for p in paths]
    finally:
        gc.enable()


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: ``fork`` on Linux when this process has one thread, else a clean start.

    ``fork`` starts workers at once and shares the parent's pack without pickling it. Forking a
    process that runs other threads can copy a lock some thread holds and deadlock the child, so a
    library caller with threads gets ``forkserver`` (Linux) or ``spawn`` instead; the pack is then
    pickled once per worker by the initializer.
    """
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
    return multiprocessing.get_context("spawn")


def can_start_workers() -> bool:
    """False inside a daemonic process (a multiprocessing pool's worker), which may not have children."""
    return not multiprocessing.current_process().daemon


@contextmanager
def _no_sigint() -> Iterator[None]:
    """Hold Ctrl-C while workers are forked, and deliver it after.

    A SIGINT that lands inside ``fork`` is swallowed by the interpreter's at-fork handlers, in the
    parent or in a child that has not yet ignored it; blocked here, it waits and then raises
    ``KeyboardInterrupt`` in the parent at a point where the pool can be shut down. Threads started
    meanwhile (the pool's manager) keep it blocked, so it always reaches the main thread.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _crash_section(path: str) -> list[Section]:
    message = (
        f"{path}: the worker process scanning this input died (crashed or was killed, for example for "
        "lack of memory); rerun with --jobs 1 to see the error"
    )
    return [(InputResult(path=path, format=None, error=message), [])]


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (Ctrl-C, or a broken pool) and forget queued work.

    Workers are terminated first; the pool's manager thread then sees them gone and exits, so the
    shutdown that joins it returns at once and nothing is left running at interpreter exit.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    with _no_sigint():
        pool.shutdown(wait=True, cancel_futures=True)
    for proc in processes:
        proc.join(timeout=5)


def run_pool(
    paths: list[str], options: ScanOptions, evaluator: Evaluator, jobs: int, progress: Progress | None
) -> list[list[Section]]:
    """Every input's sections, in input order, scanned by up to ``jobs`` worker processes.

    A worker that dies takes its pool down; the inputs whose results were lost are then retried one
    per task, and an input that still kills its worker when scanned alone gets an error section.
    """
    results: list[list[Section] | None] = [None] * len(paths)
    wopts = _worker_options(options)
    workers = max(1, min(jobs, len(paths)))
    tasks = chunked(len(paths), workers)
    while tasks:
        failed = _pool_round(paths, tasks, wopts, evaluator, workers, results, progress)
        if not failed:
            break
        if all(len(t) == 1 for t in tasks) and workers == 1:
            # One input at a time, in order: the first lost input is the one that killed the worker.
            culprit = failed[0].start
            results[culprit] = _crash_section(paths[culprit])
            if progress is not None:
                progress(paths[culprit])
            tasks = [r for r in failed[1:]]
            continue
        singles = [range(i, i + 1) for r in failed for i in r]
        if all(len(t) == 1 for t in tasks):
            workers = 1  # singletons in parallel still lost work: isolate the culprit
        tasks = singles
    return [r if r is not None else _crash_section(paths[i]) for i, r in enumerate(results)]


def _pool_round(
    paths: list[str],
    tasks: list[range],
    options: ScanOptions,
    evaluator: Evaluator,
    workers: int,
    results: list[list[Section] | None],
    progress: Progress | None,
) -> list[range]:
    """One pool's life: submit every task, store what comes back; return the tasks lost to a crash."""
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(options, evaluator)
    )
    failed: list[range] = []
    try:
        with _no_sigint():
            pending: dict[Future[list[list[Section]]], range] = {
                pool.submit(_run_chunk, [paths[i] for i in task]): task for task in tasks
            }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    sections = fut.result()
                except BrokenProcessPool:
                    failed.append(task)
                    continue
                for i, secs in zip(task, sections, strict=True):
                    results[i] = secs
                    if progress is not None:
                        progress(paths[i])
    except BaseException:
        _terminate(pool)
        raise
    if failed:
        _terminate(pool)
    else:
        pool.shutdown(wait=True)
    failed.sort(key=lambda r: r.start)
    return failed


# -- Dask distributed -----------------------------------------------------------------------------


def _dask_chunk(paths: Sequence[str], options: ScanOptions, evaluator: Evaluator) -> list[list[Section]]:
    """The task a Dask worker runs: the same ``scan_one`` as everywhere else."""
    from compliance.scan import scan_one

    return [scan_one(p, options, evaluator) for p in paths]


def run_dask(
    paths: list[str], options: ScanOptions, evaluator: Evaluator, scheduler: Any, progress: Progress | None
) -> list[list[Section]]:
    """Every input's sections, in input order, computed on a Dask distributed cluster.

    ``scheduler`` is an address (``tcp://host:8786``) or an existing ``distributed.Client``. The
    evaluator is scattered to every worker once; tasks carry only the input paths (local paths the
    workers can see, or fsspec URLs such as ``s3://bucket/device.json``).
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask distributed: pip install 'complycheck[dask]'"
        ) from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT) if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {scheduler}: cannot connect to the Dask scheduler ({exc})") from None
    try:
        wopts = _worker_options(options)
        shared = client.scatter(evaluator, broadcast=True)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = chunked(len(paths), workers)
        futures = {
            client.submit(_dask_chunk, [paths[i] for i in task], wopts, shared, pure=False): task for task in tasks
        }
        results: list[list[Section] | None] = [None] * len(paths)
        for fut in as_completed(list(futures), loop=client.loop):
            task = futures[fut]
            try:
                sections = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost task (dead worker) is its inputs' error
                if isinstance(exc, UsageError):
                    raise
                sections = [_lost_on_cluster(paths[i], exc) for i in task]
            for i, secs in zip(task, sections, strict=True):
                results[i] = secs
                if progress is not None:
                    progress(paths[i])
        return [r if r is not None else _crash_section(paths[i]) for i, r in enumerate(results)]
    finally:
        if own:
            client.close()


def _lost_on_cluster(path: str, exc: BaseException) -> list[Section]:
    from compliance.errors import internal_error

    return [(InputResult(path=path, format=None, error=internal_error(path, exc).replace("reading", "scanning on the Dask cluster", 1)), [])]


def iter_ordered(results: list[list[Section]]) -> Iterator[Section]:
    for sections in results:
        yield from sections
