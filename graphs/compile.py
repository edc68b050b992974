"""Turn the ways read from OSM into a compact routing graph.

Graph nodes are the junctions of the routable ways (shared nodes, way ends);
edges run between consecutive junctions of a way and keep the full geometry,
so the graph is as small as osmnx's simplified graph without the cost of
building a networkx graph first. Everything below is vectorised with numpy.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from . import tags as tagrules
from .errors import GraphBuildError
from .geo import geodesic_m
from .osm_reader import RawOSM


def _concat_refs(raw: RawOSM):
    sizes = np.fromiter((len(r) for r in raw.way_refs), np.int64, len(raw.way_refs))
    refs = np.concatenate(raw.way_refs) if raw.way_refs else np.zeros(0, np.int64)
    way_of = np.repeat(np.arange(len(sizes)), sizes)
    start_of_way = np.zeros(len(refs), bool)
    start_of_way[np.cumsum(sizes)[:-1]] = True
    if len(refs):
        start_of_way[0] = True
    return refs, way_of, start_of_way


def _pieces(refs, way_of, start_of_way, found):
    """Keep located refs; a missing node (outside the extract) cuts a way in pieces."""
    prev_missing = np.zeros(len(refs), bool)
    prev_missing[1:] = ~found[:-1]
    new_piece = (start_of_way | prev_missing)[found]
    piece = np.cumsum(new_piece) - 1
    refs, way_of = refs[found], way_of[found]
    # A piece of a single node has no segment and must not make that node a junction.
    long_enough = np.bincount(piece)[piece] >= 2
    return refs[long_enough], way_of[long_enough], piece[long_enough], long_enough


def compile_network(raw: RawOSM, dem=None) -> dict:
    """Compile routable ways into graph arrays.

    Parameters
    ----------
    raw : RawOSM
        Output of :func:`graphs.osm_reader.read_osm`.
    dem : graphs.elevation.DEM, optional
        Elevation tiles; without them elevation fields are NaN.

    Returns
    -------
    dict
        Arrays and tables of the graph (see :class:`graphs.graph.CompiledGraph`).

    Raises
    ------
    GraphBuildError
        When no routable way with located nodes remains.
    """
    refs, way_of, start_of_way = _concat_refs(raw)
    lat, lon, found = raw.locate(refs)
    refs, way_of, piece, kept = _pieces(refs, way_of, start_of_way, found)
    lat, lon = lat[found][kept], lon[found][kept]
    if len(refs) < 2:
        raise GraphBuildError("no routable way (path, track, cycleway, road…) in the input")

    n = len(refs)
    first = np.ones(n, bool)
    first[1:] = piece[1:] != piece[:-1]
    last = np.ones(n, bool)
    last[:-1] = piece[1:] != piece[:-1]
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    junction = (counts[inverse] >= 2) | first | last
    # A barrier is a graph node of its own, so passage through it can be refused.
    barrier_ids = np.fromiter(raw.node_passage, np.int64, len(raw.node_passage))
    junction |= np.isin(refs, barrier_ids)
    # Node-network junctions mid-way must be graph nodes: routes are counted from them.
    junction |= np.isin(refs, [j["osm_id"] for j in raw.junctions])
    # A closed way would become a self-loop: cut it in the middle too.
    starts, ends = np.flatnonzero(first), np.flatnonzero(last)
    closed = refs[starts] == refs[ends]
    junction[(starts[closed] + ends[closed]) // 2] = True

    jpos = np.flatnonzero(junction)
    same_piece = piece[jpos[:-1]] == piece[jpos[1:]]
    e_start, e_end = jpos[:-1][same_piece], jpos[1:][same_piece]

    seg = geodesic_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    e_len = cum[e_end] - cum[e_start]
    keep = (refs[e_start] != refs[e_end]) & (e_len > 0)
    e_start, e_end, e_len = e_start[keep], e_end[keep], e_len[keep]
    if len(e_start) == 0:
        raise GraphBuildError("the routable ways have no usable segment")

    node_osm, node_index = np.unique(np.concatenate([refs[e_start], refs[e_end]]),
                                     return_inverse=True)
    m = len(e_start)
    # Number nodes along a space-filling curve: nodes close on the ground are close in
    # memory, which keeps the routing searches in the CPU caches.
    first_pos = np.zeros(len(node_osm), np.int64)
    first_pos[node_index] = np.concatenate([e_start, e_end])
    rank = np.empty(len(node_osm), np.int64)
    rank[np.argsort(_morton(lat[first_pos], lon[first_pos]), kind="stable")] = \
        np.arange(len(node_osm))
    node_osm = node_osm[np.argsort(rank)]
    node_index = rank[node_index]
    edge_u, edge_v = node_index[:m].astype(np.int32), node_index[m:].astype(np.int32)
    # Edges in the order of their first node, for the same reason.
    order = np.lexsort((edge_v, edge_u))
    edge_u, edge_v, e_start, e_end, e_len = (a[order] for a in (edge_u, edge_v, e_start, e_end, e_len))

    counts_per_edge = e_end - e_start + 1
    geom_ptr = np.concatenate([[0], np.cumsum(counts_per_edge)]).astype(np.int64)
    shape_idx = np.repeat(e_start - geom_ptr[:-1], counts_per_edge) + np.arange(geom_ptr[-1])
    shape_lat, shape_lon = lat[shape_idx], lon[shape_idx]

    node_lat = np.empty(len(node_osm))
    node_lon = np.empty(len(node_osm))
    node_lat[edge_u], node_lon[edge_u] = lat[e_start], lon[e_start]
    node_lat[edge_v], node_lon[edge_v] = lat[e_end], lon[e_end]

    arrays = {
        "node_osm": node_osm.astype(np.int64), "node_lat": node_lat, "node_lon": node_lon,
        "edge_u": edge_u, "edge_v": edge_v, "edge_len": e_len,
        "edge_geom_ptr": geom_ptr, "shape_lat": shape_lat, "shape_lon": shape_lon,
    }
    arrays.update(_elevation_arrays(dem, shape_lat, shape_lon, geom_ptr, edge_u, edge_v,
                                    len(node_osm)))
    edge_way_index = way_of[e_start]
    arrays.update(_attribute_arrays(raw, edge_way_index))
    comp, comp_len = _components(edge_u, edge_v, e_len, len(node_osm))
    arrays["node_comp"] = comp
    arrays["comp_length_m"] = comp_len
    arrays["node_passage"] = _node_passage(raw, node_osm)
    arrays["dropped"] = _dropped_report(raw, node_osm, edge_way_index)
    return arrays


def _node_passage(raw: RawOSM, node_osm: np.ndarray) -> np.ndarray:
    """Per graph node, who may pass through it (:func:`graphs.tags.node_passage`)."""
    passage = np.full(len(node_osm), tagrules.NODE_OPEN, np.uint8)
    if raw.node_passage:
        ids = np.fromiter(raw.node_passage, np.int64, len(raw.node_passage))
        values = np.fromiter(raw.node_passage.values(), np.uint8, len(ids))
        order = np.argsort(node_osm)            # nodes are numbered in Z-order, not by id
        pos = np.clip(np.searchsorted(node_osm[order], ids), 0, len(node_osm) - 1)
        hit = node_osm[order[pos]] == ids
        passage[order[pos[hit]]] = values[hit]
    return passage


def _dropped_report(raw: RawOSM, node_osm: np.ndarray, edge_way_index: np.ndarray) -> dict:
    """What the build left out or restricted, counted by reason.

    ``ways``: highway ways not routable (by reason) and routable ways without any
    located segment (``outside_extract``); ``nodes``: graph nodes whose barrier or
    access tags close or restrict passage (``closed:gate``, ``no_bicycle:stile``…).
    """
    ways = dict(raw.dropped_ways)
    unused = len(raw.way_ids) - len(np.unique(edge_way_index))
    if unused:
        ways["outside_extract"] = int(unused)
    nodes: dict = {}
    in_graph = set(node_osm[np.isin(node_osm, np.fromiter(raw.node_reasons, np.int64,
                                                           len(raw.node_reasons)))].tolist())
    for node_id, reason in raw.node_reasons.items():
        if node_id in in_graph:
            nodes[reason] = nodes.get(reason, 0) + 1
    return {"ways": ways, "nodes": dict(sorted(nodes.items(), key=lambda kv: -kv[1]))}


def _morton(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Z-order key of coordinates (16 bits per axis over their bounding box)."""
    def spread(v):
        v = v.astype(np.uint64)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
        return (v | (v << np.uint64(1))) & np.uint64(0x55555555)

    def scale(v):
        span = v.max() - v.min()
        return ((v - v.min()) / (span if span > 0 else 1.0) * 65535).astype(np.uint64)

    return spread(scale(lat)) | (spread(scale(lon)) << np.uint64(1))


def _elevation_arrays(dem, shape_lat, shape_lon, geom_ptr, edge_u, edge_v, n_nodes):
    if dem is None:
        shape_ele = np.full(len(shape_lat), np.nan, np.float32)
    else:
        shape_ele = dem.elevations(shape_lat, shape_lon).astype(np.float32)
    diffs = np.diff(shape_ele.astype(np.float64))
    # Differences across two edges' shapes are not part of any edge.
    diffs[geom_ptr[1:-1] - 1] = 0.0
    up = np.concatenate([[0.0], np.cumsum(np.where(diffs > 0, diffs, 0.0))])
    down = np.concatenate([[0.0], np.cumsum(np.where(diffs < 0, -diffs, 0.0))])
    first, last = geom_ptr[:-1], geom_ptr[1:] - 1
    ascent = (up[last] - up[first]).astype(np.float32)
    descent = (down[last] - down[first]).astype(np.float32)
    node_ele = np.full(n_nodes, np.nan, np.float32)
    node_ele[edge_u] = shape_ele[first]
    node_ele[edge_v] = shape_ele[last]
    if dem is None:
        ascent[:] = np.nan
        descent[:] = np.nan
    return {"shape_ele": shape_ele, "node_ele": node_ele,
            "edge_ascent": ascent, "edge_descent": descent}


def _attribute_arrays(raw: RawOSM, edge_way_index: np.ndarray) -> dict:
    """Per-edge attributes, stored per way then gathered (ways share attributes)."""
    n_ways = len(raw.way_ids)
    out: dict = {"vocab": {}}
    for name in tagrules.CATEGORICAL_KEYS:
        vocab: dict = {None: 0}
        codes = np.fromiter((vocab.setdefault(t[name], len(vocab)) for t in raw.way_tags),
                            np.int16, n_ways)
        out["cat_" + name] = codes[edge_way_index]
        out["vocab"][name] = [None] + [v for v in vocab if v is not None]
    for name in tagrules.NUMERIC_KEYS:
        values = np.fromiter((t[name] for t in raw.way_tags), np.float32, n_ways)
        out["num_" + name] = values[edge_way_index]
    names: dict = {}
    name_codes = np.fromiter(
        (-1 if t["name"] is None else names.setdefault(t["name"], len(names)) for t in raw.way_tags),
        np.int32, n_ways)
    out["edge_name"] = name_codes[edge_way_index]
    out["names"] = list(names)
    # name:<lang> of ways, by the stored name (the first way giving one wins)
    translations: dict = {}
    for t in raw.way_tags:
        for lang, text in t.get("names", {}).items():
            translations.setdefault(lang, {}).setdefault(t["name"], text)
    out["name_translations"] = translations
    out["edge_flags"] = np.asarray(raw.way_flags, np.uint8)[edge_way_index]
    out["edge_way"] = np.asarray(raw.way_ids, np.int64)[edge_way_index]
    route_lists = [raw.way_routes.get(w, []) for w in raw.way_ids]
    per_edge = [route_lists[w] for w in edge_way_index.tolist()]
    sizes = np.fromiter((len(r) for r in per_edge), np.int64, len(per_edge))
    out["edge_route_ptr"] = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    out["edge_route_idx"] = np.fromiter((i for r in per_edge for i in r), np.int32, int(sizes.sum()))
    out["routes"] = raw.routes
    return out


def _components(edge_u, edge_v, edge_len, n_nodes):
    """Connected components (ignoring direction) and their length in metres."""
    matrix = coo_matrix((np.ones(len(edge_u)), (edge_u, edge_v)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(matrix, directed=False)
    comp_len = np.bincount(labels[edge_u], weights=edge_len, minlength=labels.max() + 1)
    return labels.astype(np.int32), comp_len


def way_kind_summary(highway_codes: np.ndarray, vocab: list, lengths: np.ndarray) -> dict:
    """Kilometres by highway value, longest first."""
    km = np.bincount(highway_codes, weights=lengths, minlength=len(vocab)) / 1000.0
    pairs = [(vocab[i] or "unknown", round(float(km[i]), 1)) for i in np.argsort(-km) if km[i] > 0]
    return dict(pairs)
