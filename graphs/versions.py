"""Versioned graph directories behind a pointer, switched atomically.

``bassin-routes build --out build/basin`` writes the new graph into its own
directory, ``build/basin.builds/<UTC time>-<build id>``, and only then points the
symlink ``build/basin`` at it, by renaming a new symlink over the old one (one
``rename(2)``: a reader sees the old graph or the new one, never a mix). Servers
resolve the pointer once when they load a graph, so a worker keeps the build it
started with until it is reloaded (gunicorn ``SIGHUP``). The last ``keep``
builds are kept, so that workers still serving an older one keep their files.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from .store import build_id, save_graph

#: builds kept beside the pointer (the current one always is)
KEEP = 3


def builds_dir(pointer: str | Path) -> Path:
    """The folder of the builds a pointer may name: ``<pointer>.builds``."""
    pointer = Path(pointer).absolute()
    return pointer.with_name(f"{pointer.name}.builds")


def switch_pointer(pointer: str | Path, target: str | Path) -> None:
    """Make ``pointer`` a symlink to ``target`` in one atomic rename.

    A real directory at ``pointer`` (a graph built before versioning) is moved
    into the builds folder first.
    """
    pointer = Path(pointer).absolute()
    target = Path(target).absolute()
    if pointer.is_dir() and not pointer.is_symlink():
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        builds_dir(pointer).mkdir(parents=True, exist_ok=True)
        pointer.rename(builds_dir(pointer) / f"{stamp}-unversioned")
    tmp = pointer.with_name(f".{pointer.name}.switch-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(os.path.relpath(target, pointer.parent))
    os.replace(tmp, pointer)


def prune(pointer: str | Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the ``keep`` newest builds (never the current one); the deleted."""
    pointer = Path(pointer).absolute()
    current = pointer.resolve()
    builds = sorted((p for p in builds_dir(pointer).iterdir()
                     if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    deleted = [p for p in builds[:-keep] if p.resolve() != current] if keep > 0 else []
    for path in deleted:
        shutil.rmtree(path, ignore_errors=True)
    return deleted


def publish_graph(graph, pointer: str | Path, keep: int = KEEP) -> Path:
    """Save ``graph`` as a new build and point ``pointer`` at it; returns the build's folder."""
    builds = builds_dir(pointer)
    builds.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    version = save_graph(graph, builds / f"{stamp}-{(build_id(graph.meta) or 'build')[:12]}")
    switch_pointer(pointer, version)
    prune(pointer, keep)
    return version
