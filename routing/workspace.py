"""Scratch buffers of the search kernels, one set per running query.

The routing service is shared by every thread of a server, so nothing a query
writes may live on it. Like OSRM's ``thread_local`` search heaps, buffers are
allocated once at graph size and cleared between queries (in O(touched));
unlike ``thread_local``, they sit in a pool: werkzeug's threaded server starts
a thread per request, which would allocate graph-sized buffers every time.
A query borrows a workspace, no two queries share one, and it goes back to
the pool afterwards, so the pool holds as many as queries ever ran at once.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class WorkspacePool(Generic[T]):
    """Thread-safe pool of workspaces made by ``factory`` on demand.

    Parameters
    ----------
    factory : callable
        Returns a fresh workspace (buffers in their initial state).
    """

    def __init__(self, factory: Callable[[], T]):
        self._factory = factory
        self._free: list[T] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def borrow(self):
        """A workspace for the duration of the ``with`` block, for this caller only.

        The caller must leave it in its initial state; one that saw an exception
        is dropped rather than returned, as its buffers may be half-written.
        """
        with self._lock:
            workspace = self._free.pop() if self._free else None
        if workspace is None:
            workspace = self._factory()
        yield workspace
        with self._lock:
            self._free.append(workspace)

    def take(self) -> T:
        """A workspace for this caller only, without a ``with`` block (the hot paths:
        a generator-based context costs more than the query). Give it back with
        :meth:`give` once it is in its initial state again; one never given back (an
        exception) is simply not reused."""
        try:
            return self._free.pop()       # atomic: no two callers get the same one
        except IndexError:
            return self._factory()

    def give(self, workspace: T) -> None:
        """Return a workspace taken with :meth:`take`, in its initial state."""
        self._free.append(workspace)

    def __len__(self) -> int:
        return len(self._free)
