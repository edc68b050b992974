"""Tiling tool: a compiled graph copied k x k times side by side (4x, 16x... the size).

Tile (0, 0) is the original, at its own coordinates; the other tiles are shifted
copies (nodes, shapes, places, components), so the same query points give the
same routes on every size. Used by ``benchmarks/route_scaling.py`` to check that
a route costs the same on a graph 16 times larger.

    python benchmarks/tile_graph.py --graph build/heidelberg --factor 16 --out build/heidelberg-x16
"""
from __future__ import annotations

import argparse
import copy
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphs.graph import CompiledGraph  # noqa: E402
from graphs.places import Place  # noqa: E402
from graphs.store import load_graph, save_graph  # noqa: E402

NODE_ARRAYS = ("node_ele", "node_passage")
EDGE_ARRAYS = ("edge_len", "edge_way", "edge_flags", "edge_name", "edge_ascent", "edge_descent")


def _shift_coords(value, dlat: float, dlon: float):
    """GeoJSON coordinates shifted (nested lists of [lon, lat])."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        return [value[0] + dlon, value[1] + dlat, *value[2:]]
    return [_shift_coords(v, dlat, dlon) for v in value]


def _place(place: Place, tile: int, dlat: float, dlon: float, edge_offset: int) -> Place:
    data = copy.deepcopy(place.to_dict())
    if tile:
        data["id"] = f"{data['id']}~{tile}"
    data["lat"] += dlat
    data["lon"] += dlon
    if data.get("geometry"):
        data["geometry"]["coordinates"] = _shift_coords(data["geometry"]["coordinates"],
                                                        dlat, dlon)
    if data.get("link"):
        data["link"]["lat"] += dlat
        data["link"]["lon"] += dlon
        data["link"]["edge"] = int(data["link"]["edge"]) + edge_offset
    return Place.from_dict(data)


def tile_graph(graph: CompiledGraph, factor: int) -> CompiledGraph:
    """``graph`` repeated on a ``sqrt(factor)`` x ``sqrt(factor)`` grid."""
    side = int(round(math.sqrt(factor)))
    if side * side != factor or side < 1:
        raise SystemExit(f"--factor must be a square (1, 4, 9, 16…), not {factor}")
    src = graph.arrays()
    n, m, s = graph.n_nodes, graph.n_edges, len(graph.shape_lat)
    n_comp = len(graph.comp_length_m)
    dlat = 1.05 * float(np.ptp(graph.node_lat))
    dlon = 1.05 * float(np.ptp(graph.node_lon))
    tiles = [(i, j) for i in range(side) for j in range(side)]
    out: dict = {}
    for name, array in src.items():
        parts = []
        for t, (i, j) in enumerate(tiles):
            if name in ("node_lat", "shape_lat"):
                parts.append(array + i * dlat)
            elif name in ("node_lon", "shape_lon"):
                parts.append(array + j * dlon)
            elif name == "node_osm":
                parts.append(array + t * (int(array.max()) + 1))
            elif name == "node_comp":
                parts.append(array + t * n_comp)
            elif name in ("edge_u", "edge_v"):
                parts.append(array.astype(np.int64) + t * n)
            elif name in ("edge_geom_ptr", "edge_route_ptr"):
                step = s if name == "edge_geom_ptr" else len(graph.edge_route_idx)
                parts.append((array if t == 0 else array[1:]) + t * step)
            else:
                parts.append(array)
        out[name] = np.concatenate(parts).astype(array.dtype, copy=False)
    out["edge_u"], out["edge_v"] = out["edge_u"].astype(np.int32), out["edge_v"].astype(np.int32)
    places = [_place(p, t, i * dlat, j * dlon, t * m)
              for t, (i, j) in enumerate(tiles) for p in graph.places]
    meta = dict(graph.meta, name=f"{graph.meta.get('name')}-x{factor}")
    tiled = CompiledGraph(out, graph.vocab, graph.names, graph.routes, places, meta, {})
    assert tiled.n_nodes == factor * n and tiled.n_edges == factor * m
    return tiled


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True, help="compiled graph directory")
    parser.add_argument("--factor", type=int, required=True, help="4, 16, … (a square)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    tiled = tile_graph(load_graph(args.graph), args.factor)
    save_graph(tiled, args.out)
    print(f"{args.out}: {tiled.n_nodes} nodes, {tiled.n_edges} edges, "
          f"{len(tiled.places)} places ({args.factor}x {args.graph})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
