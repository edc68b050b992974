"""Arrays on disk: one ``.npy`` per array, written atomically, mapped read-only.

Compiled graphs store their arrays this way (:mod:`graphs.store`), and so do the
structures derived from a graph that are slow to compute (profile networks,
contraction hierarchies, the spatial index): kept in ``<graph>/cache``, they are
memory-mapped by every process serving the graph, which then share the pages.

Cache directories also list a digest of each file (``digests.json``): arrays with
the same bytes in two caches — a profile's cost and length networks have the same
arcs, only their weights differ — are mapped once per process, so their pages
count once in its resident memory (two mappings of one file would count twice).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Callable

import numpy as np

#: File of a cache directory naming the digest of each array file.
DIGESTS = "digests.json"
_SHARED: "weakref.WeakValueDictionary[str, np.ndarray]" = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def write_arrays(directory: Path, arrays: dict) -> None:
    """One ``<name>.npy`` per array in ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        np.save(directory / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)


def file_digest(path: Path) -> str:
    """SHA-1 of a file's bytes (a ``.npy`` header included: dtype and shape count too),
    read with ``read(2)``, which leaves the pages out of the process."""
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def array_digests(directory: Path) -> dict:
    """``{name: digest}`` of a cache directory's arrays, from its ``digests.json``;
    computed (and written, if the directory is writable) when that file is absent."""
    try:
        return json.loads((directory / DIGESTS).read_text("utf-8"))
    except (OSError, ValueError):
        pass
    digests = {p.stem: file_digest(p) for p in sorted(directory.glob("*.npy"))}
    try:
        fd, tmp = tempfile.mkstemp(prefix=".digests.", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(digests, handle)
        os.replace(tmp, directory / DIGESTS)
    except OSError:
        pass                               # a read-only cache: digests again next time
    return digests


def shared_mapping(path: Path, digest: str | None) -> np.ndarray:
    """:func:`mapped` of ``path``, or the array already mapped with the same bytes."""
    if digest is None:
        return mapped(path)
    with _SHARED_LOCK:
        array = _SHARED.get(digest)
        if array is None:
            array = _SHARED[digest] = mapped(path)
        return array


def save_arrays(directory: str | Path, arrays: dict) -> Path | None:
    """Write ``arrays`` as a directory of ``.npy`` files atomically (a cache beside a graph).

    Returns the directory, or None when it cannot be written (a read-only graph
    directory): caches are an optimisation, never a reason to fail.
    """
    directory = Path(directory)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    except OSError:
        return None
    try:
        write_arrays(tmp, arrays)
        array_digests(tmp)
        tmp.rename(directory)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return directory if directory.is_dir() else None   # another process was faster
    return directory


def map_arrays(directory: str | Path, names=None) -> dict | None:
    """The ``.npy`` arrays of a directory, memory-mapped read-only (None if unreadable).

    Parameters
    ----------
    names : iterable of str, optional
        Arrays that must be there (all ``.npy`` files when omitted).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return None
    names = list(names) if names is not None else [p.stem for p in directory.glob("*.npy")]
    try:
        digests = array_digests(directory)
        return {name: shared_mapping(directory / f"{name}.npy", digests.get(name))
                for name in names}
    except (OSError, ValueError):
        return None


def mapped(path: Path) -> np.ndarray:
    """A read-only array over the file's pages: a plain ndarray view of the ``np.memmap``
    (its ``base``), as the memmap subclass makes every slice slower."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def cached_arrays(directory: str | Path | None, compute: Callable[[], dict],
                  names=None) -> dict:
    """``compute()``'s arrays, kept in ``directory`` and mapped read-only from there.

    Parameters
    ----------
    directory : path, optional
        Where the arrays live (its name should carry a digest of their inputs); None
        (a graph built in memory): just compute.
    compute : callable
        Returns the arrays (dict of name -> ndarray) when they are not on disk.
    names : iterable of str, optional
        Arrays that must be present for the directory to count.
    """
    if directory is not None:
        arrays = map_arrays(directory, names)
        if arrays is not None:
            return arrays
    arrays = compute()
    if directory is not None and save_arrays(directory, arrays):
        return map_arrays(directory, names) or arrays
    return arrays
