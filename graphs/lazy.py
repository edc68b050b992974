"""Lazy package exports: ``import graphs`` (or routing, gpx, web) costs nothing until a
name is used, so that a command like ``bassin-routes gpx stats`` starts in well under a
second instead of importing numba, scipy and Flask it never calls (PEP 562)."""
from __future__ import annotations

import importlib


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
