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
import weakref
from typing import Callable, Generic, TypeVar

import numpy as np

from . import engine

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


_SHARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def shared_pool(owner, key, factory: Callable[[], T]) -> WorkspacePool[T]:
    """The pool of ``key`` shared by everything computing on ``owner`` (a graph).

    Workspaces sized by the graph alone (one entry per node) fit every network of
    it: a profile's cost and length networks, and those of the other profiles,
    borrow from one pool instead of holding a set each (a workspace holds what
    queries ever ran at once, not what networks exist). ``factory`` is used by the
    first caller of a key; later callers must make equal workspaces.
    """
    with _SHARED_LOCK:
        pools = _SHARED.setdefault(owner, {})
        pool = pools.get(key)
        if pool is None:
            pool = pools[key] = WorkspacePool(factory)
        return pool


class SearchWorkspace:
    """Per-query buffers of the ALT and Dijkstra kernels (one entry per node).

    They come in as INF / INF / -1 / -1 / NaN and every query puts back what it
    touched, so a workspace is reused without an O(nodes) clear.
    """

    def __init__(self, n: int):
        self.dist_f, self.dist_r = np.full(n, engine.INF), np.full(n, engine.INF)
        self.pred_f, self.pred_r = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        self.pot = np.full(n, np.nan)
        self.touched = np.empty(n + 2, np.int64)
        self.heaps = self._heaps(2 * n + 16)

    @staticmethod
    def _heaps(size: int) -> tuple:
        return (np.empty(size), np.empty(size, np.int64), np.empty(size), np.empty(size, np.int64))

    def bidir(self) -> tuple:
        """The buffers in the argument order of :func:`engine.bidir_astar`."""
        return (self.dist_f, self.dist_r, self.pred_f, self.pred_r, self.pot, self.touched,
                *self.heaps)

    def reset(self, touched) -> None:
        engine.reset_bidir(touched, self.dist_f, self.dist_r, self.pred_f, self.pred_r, self.pot)

    def grow_heaps(self) -> None:
        self.heaps = self._heaps(2 * len(self.heaps[0]))
