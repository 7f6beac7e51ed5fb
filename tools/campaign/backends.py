"""Where runs execute: in this process, on local worker processes (default) or
on a Dask distributed cluster. One small interface, three implementations;
the engine cannot tell them apart.

``submit(args)`` starts :func:`fsw_tools.campaign.runners.execute` with the
given arguments and returns a future; ``wait(futures)`` blocks until at least
one is done and returns the done ones; ``result(future)`` returns the row or
raises :class:`WorkerLostError` when the run's worker died or the cluster lost it
(the run's own errors never get here: ``execute`` turns them into rows).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from fsw_tools.campaign.runners import execute

from fsw.errors import UserError

__all__ = [
    "Backend", "DaskBackend", "LocalBackend", "SerialBackend", "WorkerLostError", "make_backend",
]


class WorkerLostError(Exception):
    """A run's worker died (``isolatable``: the engine may retry the run alone
    to find whether the run itself kills its worker) or the cluster gave up on
    it (``definitive``: the run is recorded as failed)."""

    def __init__(self, message: str, *, definitive: bool = False, isolatable: bool = False):
        super().__init__(message)
        self.definitive = definitive
        self.isolatable = isolatable


class Backend:
    """Interface of an execution backend (see the module docstring)."""

    name = "backend"
    #: runs kept in flight at once
    capacity = 1

    def submit(self, args: tuple[Any, ...]) -> Any:
        raise NotImplementedError

    def wait(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        """The done futures, after at least one is done or ``timeout`` s."""
        raise NotImplementedError

    def result(self, future: Any) -> dict[str, Any]:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers (``cancel``: drop runs not yet started)."""


class SerialBackend(Backend):
    """Runs in the calling process, one at a time (debugging, tiny campaigns)."""

    name = "serial"

    def submit(self, args: tuple[Any, ...]) -> cf.Future:
        fut: cf.Future = cf.Future()
        fut.set_result(execute(*args))
        return fut

    def wait(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        return set(futures)

    def result(self, future: Any) -> dict[str, Any]:
        return future.result()


def _die_with_parent(parent: int) -> None:
    """A worker's start (Linux): the kernel sends it SIGTERM when the campaign
    process ``parent`` that started it ends, however it ends (SIGTERM,
    SIGKILL, a crash), so a stopped campaign leaves no workers flying runs
    nobody will record. Elsewhere nothing (the pool's own shutdown stops idle
    workers)."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the campaign ended before the call: end now
        os._exit(1)


class LocalBackend(Backend):
    """Worker processes on this machine, started with ``spawn`` (no forked
    copies of the parent's threads or sockets), ended with the campaign
    process (:func:`_die_with_parent`). A pool broken by a dying worker is
    replaced at the next submit."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.capacity = 2 * workers
        self._pool: cf.ProcessPoolExecutor | None = None

    def _get_pool(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                initializer=_die_with_parent,
                                                initargs=(os.getpid(),))
        return self._pool

    def submit(self, args: tuple[Any, ...]) -> cf.Future:
        try:
            return self._get_pool().submit(execute, *args)
        except BrokenProcessPool:
            self._replace_pool()
            return self._get_pool().submit(execute, *args)

    def _replace_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def wait(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        done, _ = cf.wait(list(futures), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def result(self, future: Any) -> dict[str, Any]:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self._replace_pool()
            raise WorkerLostError(
                f"worker process died ({exc}); the run crashed its process, e.g. in native code",
                isolatable=True,
            ) from None
        except Exception as exc:  # e.g. a row that cannot be sent back: the run's own fault
            raise WorkerLostError(f"{type(exc).__name__}: {exc}", definitive=True) from None

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
            self._pool = None


class DaskBackend(Backend):
    """The same runs as tasks on a Dask distributed cluster. Workers need this
    package installed (``pip install 'rpo-fsw-emulator[cluster]'``). Given an
    address, the backend connects a client and closes it; given a ``Client``,
    it uses it and leaves it open."""

    name = "dask"

    def __init__(self, scheduler: Any, connect_timeout_s: float = 30.0) -> None:
        try:
            import distributed
        except ImportError:
            raise UserError(
                "--scheduler needs dask.distributed: pip install 'rpo-fsw-emulator[cluster]'"
            ) from None
        self._distributed = distributed
        if isinstance(scheduler, str):
            try:
                self.client = distributed.Client(scheduler, timeout=connect_timeout_s)
            except (OSError, TimeoutError) as exc:
                raise UserError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
            self._own_client = True
        else:
            self.client = scheduler
            self._own_client = False
        threads = sum(self.client.nthreads().values())
        self.capacity = max(2, 2 * threads)

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.client.submit(execute, *args, pure=False)

    def wait(self, futures: Iterable[Any], timeout: float | None = None) -> set[Any]:
        try:
            done, _ = self._distributed.wait(list(futures), timeout=timeout,
                                             return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(done)

    def result(self, future: Any) -> dict[str, Any]:
        try:
            return future.result()
        except self._distributed.KilledWorker as exc:
            raise WorkerLostError(f"the run killed every worker it was tried on ({exc})",
                             definitive=True) from None
        except Exception as exc:
            raise WorkerLostError(f"lost on the cluster: {type(exc).__name__}: {exc}") from None

    def close(self, cancel: bool = False) -> None:
        if self._own_client:
            self.client.close()


def make_backend(workers: int | None = None, scheduler: Any = None) -> Backend:
    """The backend for ``--workers`` / ``--scheduler``: Dask when a scheduler is
    given, else ``workers`` local processes (default: the CPU count; 0 runs in
    this process)."""
    if scheduler is not None:
        return DaskBackend(scheduler)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise UserError(f"--workers must be a non-negative integer, got {workers!r}")
    return SerialBackend() if workers == 0 else LocalBackend(workers)
