"""Save and load compiled graphs: a directory, written atomically.

Layout: ``graph.npz`` (uncompressed, so loading is a few memory copies),
``tables.json`` (vocabularies, way names, route relations), ``places.json``
and ``meta.json`` (format version, source, dates, counts). The directory is
written under a temporary name and renamed into place, so a failed build never
leaves a half-written graph where a good one was.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .errors import GraphLoadError
from .graph import ARRAY_NAMES, CompiledGraph
from .places import Place

FORMAT_VERSION = 1
FILES = ("graph.npz", "tables.json", "places.json", "meta.json")


def save_graph(graph: CompiledGraph, out_dir: str | Path) -> Path:
    """Write ``graph`` to ``out_dir`` atomically; returns the directory."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        np.savez(tmp / "graph.npz", **graph.arrays())
        _write_json(tmp / "tables.json", {"vocab": graph.vocab, "names": graph.names,
                                          "routes": graph.routes,
                                          "node_network": graph.node_network})
        _write_json(tmp / "places.json", [p.to_dict() for p in graph.places])
        meta = dict(graph.meta, format_version=FORMAT_VERSION)
        _write_json(tmp / "meta.json", meta)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{int(time.time())}")
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _write_json(path: Path, data) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))


def read_meta(graph_dir: str | Path) -> dict:
    """The metadata of a compiled graph, without loading it."""
    path = Path(graph_dir) / "meta.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise GraphLoadError(f"{graph_dir}: no compiled graph here (meta.json missing); "
                             "build one with 'bassin-routes build'") from None
    except ValueError as exc:
        raise GraphLoadError(f"{path}: unreadable ({exc})") from None


def load_graph(graph_dir: str | Path) -> CompiledGraph:
    """Load a compiled graph written by :func:`save_graph`.

    Raises
    ------
    GraphLoadError
        Missing directory or files, or another format version.
    """
    graph_dir = Path(graph_dir)
    meta = read_meta(graph_dir)
    if meta.get("format_version") != FORMAT_VERSION:
        raise GraphLoadError(f"{graph_dir}: graph format {meta.get('format_version')} but this "
                             f"version reads format {FORMAT_VERSION}; rebuild it")
    missing = [f for f in FILES if not (graph_dir / f).is_file()]
    if missing:
        raise GraphLoadError(f"{graph_dir}: incomplete graph, missing {', '.join(missing)}")
    try:
        with np.load(graph_dir / "graph.npz", allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        tables = json.loads((graph_dir / "tables.json").read_text("utf-8"))
        places = [Place.from_dict(d) for d in
                  json.loads((graph_dir / "places.json").read_text("utf-8"))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraphLoadError(f"{graph_dir}: corrupt graph files ({exc})") from None
    missing_arrays = [n for n in ARRAY_NAMES if n not in arrays]
    if missing_arrays:
        raise GraphLoadError(f"{graph_dir}: corrupt graph, arrays missing: {missing_arrays}")
    graph = CompiledGraph(arrays, tables["vocab"], tables["names"], tables["routes"], places, meta,
                          tables.get("node_network"))
    graph.source_dir = graph_dir.resolve()
    return graph
