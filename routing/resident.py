"""What a serving process keeps resident: its memory by component, and the compiler's
code handed back once the kernels are loaded.

numba needs LLVM (``libllvmlite.so``, 170 MB on disk) to load its cached kernels:
loading the first one faults in ≈ 65 MB of the library's code and read-only data.
Once loaded, kernels run as plain machine code and never enter LLVM again unless a
new signature is compiled. :func:`release_compiler_pages` asks the kernel to drop
those clean, file-backed pages from this process (``madvise(MADV_DONTNEED)``): they
stay in the page cache, shared with every other process, and fault back in from
the file should LLVM ever run again, so this is always safe, never a change of
behaviour — only memory the process stops holding.

:func:`import_numba` imports numba without the optional packages it would load and
we never use; :func:`set_up_numba_without_blas` keeps SciPy's BLAS out of the process: numba's
target, set up on the first kernel load, imports ``scipy.linalg`` (≈ 17 MB resident,
0.2 s) only to offer ``np.dot`` and ``np.linalg`` inside kernels, which ours never use.

:func:`memory_breakdown` reads ``/proc/self/smaps`` and groups resident memory the
way the memory benchmark reports it (Linux only; elsewhere both are no-ops).
"""
from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

from graphs.lazy import hidden_modules

#: Libraries used to compile or load kernels, not to run them.
COMPILER_LIBRARIES = ("libllvmlite",)
_MADV_DONTNEED = 4
_RANGE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")


def _mappings(pid: int | str = "self"):
    """``(start, end, perms, path, fields)`` of each mapping, ``fields`` in kB."""
    try:
        lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        match = _RANGE.match(line)
        if match:
            start, end, perms, path = match.groups()
            out.append((int(start, 16), int(end, 16), perms, path, {}))
        elif out and line.endswith(" kB"):
            key, value = line.split(":", 1)
            out[-1][4][key] = int(value.split()[0])
    return out


#: Modules whose import numba's first kernel load attempts for BLAS (``numba.np.arraymath``).
_BLAS_MODULES = ("scipy.linalg", "scipy.linalg.cython_blas")
#: Optional packages ``import numba`` loads when present, none of which our kernels use:
#: SciPy (only a version check), YAML (a ``.numba_config.yaml`` file), cffi (cffi
#: functions in kernels) and colorama (coloured compile errors). ≈ 3.4 MB resident.
NUMBA_OPTIONAL = ("scipy", "yaml", "cffi", "colorama")


def import_numba():
    """``import numba`` without its optional packages (:data:`NUMBA_OPTIONAL`); the module.

    numba then runs as it does where they are not installed. Only the import itself
    runs with them hidden (:func:`graphs.lazy.hidden_modules`), so code importing
    SciPy later (building a fresh graph's caches) imports it normally; a no-op once
    numba (or one of them) is imported. Call it before anything imports numba:
    :mod:`routing.router` does, first thing.
    """
    if "numba" not in sys.modules:
        with hidden_modules(NUMBA_OPTIONAL):
            import numba  # noqa: F401
    return sys.modules["numba"]


def set_up_numba_without_blas() -> None:
    """Set numba's CPU target up now, without SciPy's BLAS: numba then reports BLAS
    missing (``_HAVE_BLAS`` false), which matters only to kernels calling ``np.dot``
    or ``np.linalg`` (none here). Call it before the first kernel loads.

    Only the target's own set-up runs while SciPy's linear algebra is hidden
    (:func:`graphs.lazy.hidden_modules`), so code importing SciPy later — building a
    fresh graph's caches uses ``scipy.sparse.csgraph`` — imports it normally. A no-op
    once the target is set up (or SciPy's linear algebra loaded).
    """
    if "numba.np.arraymath" in sys.modules:
        return
    with hidden_modules(_BLAS_MODULES):
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()      # imports numba.np.arraymath & co


def release_compiler_pages(libraries=COMPILER_LIBRARIES) -> float:
    """Drop the compiler's clean code pages from this process; returns the MB released.

    Only read-only mappings of the named libraries without a single private
    (copied-on-write) page are released, so nothing but file contents is dropped.
    Call it after the kernels are loaded (``RoutingService.warm_up``).
    """
    if not sys.platform.startswith("linux"):
        return 0.0
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return 0.0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    released = 0
    for start, end, perms, path, fields in _mappings():
        if not any(lib in os.path.basename(path) for lib in libraries):
            continue
        if "w" in perms or fields.get("Anonymous", 1) or not fields.get("Rss"):
            continue
        if madvise(start, end - start, _MADV_DONTNEED) == 0:
            released += fields["Rss"]
    return released / 1024


def memory_breakdown(pid: int | str = "self", graph_dir: str | Path | None = None) -> dict:
    """Resident MB by component: ``python`` heap and anonymous memory, the compiler
    (llvmlite), other shared libraries, the graph's mapped arrays (``graph``) and the rest.

    The ``rss``/``pss`` totals come from the same mappings (Linux ``smaps``).
    """
    graph = str(Path(graph_dir).resolve()) if graph_dir else None
    groups = {"anonymous": 0, "compiler": 0, "libraries": 0, "graph": 0, "other": 0}
    rss = pss = 0
    for _start, _end, _perms, path, fields in _mappings(pid):
        kb = fields.get("Rss", 0)
        rss += kb
        pss += fields.get("Pss", 0)
        name = os.path.basename(path)
        if any(lib in name for lib in COMPILER_LIBRARIES):
            group = "compiler"
        elif graph and path.startswith(graph):
            group = "graph"
        elif not path or path.startswith("["):
            group = "anonymous"
        elif ".so" in name:
            group = "libraries"
        else:
            group = "other"
        groups[group] += kb
    out = {key: round(kb / 1024, 1) for key, kb in groups.items()}
    out.update(rss=round(rss / 1024, 1), pss=round(pss / 1024, 1))
    return out
