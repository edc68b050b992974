"""Lazy package exports: ``import graphs`` (or routing, gpx, web) costs nothing until a
name is used, so that a command like ``bassin-routes gpx stats`` starts in well under a
second instead of importing numba, scipy and Flask it never calls (PEP 562)."""
from __future__ import annotations

import contextlib
import importlib
import sys


def lazy_exports(package: str, exports: dict[str, str]):
    """A module ``__getattr__`` that imports ``exports[name]`` (a submodule) on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Public name -> relative submodule (``".build"``) defining it.
    """
    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], package), name)
        setattr(importlib.import_module(package), name, value)   # later lookups are direct
        return value

    return __getattr__


@contextlib.contextmanager
def hidden_modules(names):
    """Within the block, importing any of ``names`` raises ImportError, as if absent.

    For libraries with an *optional* heavy dependency we never use (folium's pandas
    support, numba's BLAS): they are imported inside the block and take the path
    they take without it. Modules already imported stay visible (then it is a
    no-op); afterwards everything imports normally. Not thread-safe (it changes
    ``sys.modules`` for the whole process): use it at start-up.
    """
    names = tuple(names)
    if any(name in sys.modules for name in names):
        yield
        return
    for name in names:
        sys.modules[name] = None            # "import name" raises ImportError
    try:
        yield
    finally:
        for name in names:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
