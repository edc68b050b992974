"""A small thread-safe cache, least recently used out first, bounded in count and bytes.

Per app (``app.extensions``), shared by its threads behind one lock: the rendered PDF
fiches (:mod:`web.fiche`) and the gzipped network-layer answers (:mod:`web.network_api`).
"""
from __future__ import annotations

import collections
import threading


class BoundedLRU:
    """Values by key; past ``max_items`` or ``max_bytes`` the least recently used go.

    Parameters
    ----------
    max_items, max_bytes : int
    size : callable
        Bytes of a value (default ``len``). A value larger than ``max_bytes`` is not kept.
    """

    def __init__(self, max_items: int, max_bytes: int, size=len):
        self.max_items, self.max_bytes = max_items, max_bytes
        self._size = size
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        #: lookups that found their key, and those that did not
        self.hits = self.misses = 0

    def get(self, key):
        """The value of ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key, value) -> None:
        """Keep ``value`` under ``key`` (a key already there keeps its value)."""
        size = self._size(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._items and (len(self._items) > self.max_items
                                   or self._bytes > self.max_bytes):
                _, old = self._items.popitem(last=False)
                self._bytes -= self._size(old)

    def __len__(self) -> int:
        return len(self._items)
