"""Save and load compiled graphs: a directory, written atomically.

Layout: ``arrays/<name>.npy`` (one plain array per file, opened with
``mmap_mode="r"``: every process serving the graph maps the same pages of the
page cache, none copies them), ``tables.json`` (vocabularies, way names and
their ``name:<lang>`` translations — absent in older graphs, read as none —,
route relations), ``places.json`` and ``meta.json`` (format version, source,
dates, counts). The directory is written under a temporary name and renamed
into place, so a failed build never leaves a half-written graph where a good
one was. Graphs of format 1 (one ``graph.npz``) are still read, into memory.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .arrays import mapped, write_arrays
from .errors import GraphLoadError
from .graph import ARRAY_NAMES, CompiledGraph
from .places import Place

FORMAT_VERSION = 2
#: Formats this version reads: 1 kept its arrays in one ``graph.npz`` (not mappable).
READABLE_FORMATS = (1, 2)
FILES = ("tables.json", "places.json", "meta.json")
ARRAY_DIR = "arrays"


def save_graph(graph: CompiledGraph, out_dir: str | Path) -> Path:
    """Write ``graph`` to ``out_dir`` atomically; returns the directory."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        write_arrays(tmp / ARRAY_DIR, graph.arrays())
        _write_json(tmp / "tables.json", {"vocab": graph.vocab, "names": graph.names,
                                          "routes": graph.routes,
                                          "node_network": graph.node_network,
                                          "name_translations": graph.name_translations})
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
    version = meta.get("format_version")
    if version not in READABLE_FORMATS:
        raise GraphLoadError(f"{graph_dir}: graph format {version} but this version reads "
                             f"formats {', '.join(map(str, READABLE_FORMATS))}; rebuild it "
                             "with 'bassin-routes build'")
    stored = "graph.npz" if version == 1 else ARRAY_DIR
    missing = [f for f in FILES + (stored,) if not (graph_dir / f).exists()]
    if missing:
        raise GraphLoadError(f"{graph_dir}: incomplete graph, missing {', '.join(missing)}")
    try:
        arrays = _read_arrays(graph_dir, version)
        tables = json.loads((graph_dir / "tables.json").read_text("utf-8"))
        places = [Place.from_dict(d) for d in
                  json.loads((graph_dir / "places.json").read_text("utf-8"))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraphLoadError(f"{graph_dir}: corrupt graph files ({exc})") from None
    missing_arrays = [n for n in ARRAY_NAMES if n not in arrays]
    if missing_arrays:
        raise GraphLoadError(f"{graph_dir}: corrupt graph, arrays missing: {missing_arrays}")
    graph = CompiledGraph(arrays, tables["vocab"], tables["names"], tables["routes"], places, meta,
                          tables.get("node_network"), tables.get("name_translations"))
    graph.source_dir = graph_dir.resolve()
    return graph


def _read_arrays(graph_dir: Path, version: int) -> dict:
    if version == 1:
        with np.load(graph_dir / "graph.npz", allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    # mmap_mode="r": pages are read on first touch and shared with every other process
    # mapping the file; writing to them raises, which keeps the graph immutable.
    return {p.stem: mapped(p) for p in sorted((graph_dir / ARRAY_DIR).glob("*.npy"))}

