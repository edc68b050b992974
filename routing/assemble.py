"""Paths -> Itinerary: geometry, durations, breakdowns, signed routes, warnings."""
from __future__ import annotations

import numpy as np

from graphs.elevation import climb

from .hazards import EdgeWarnings, WarningRuns
from .itinerary import Itinerary


def edge_slice(graph, edge: int, a: float, b: float):
    """Geometry of an edge between offsets a and b (metres, in travel order):
    (lat, lon, ele, metres from the slice's start)."""
    p, q = graph.edge_geom_ptr[edge], graph.edge_geom_ptr[edge + 1]
    lat, lon, ele = graph.shape_lat[p:q], graph.shape_lon[p:q], graph.shape_ele[p:q]
    cum = graph.shape_offsets[p:q]
    length = graph.edge_len[edge]
    lo, hi = min(a, b), max(a, b)
    if lo <= 0.0 and hi >= length:                  # the whole edge: no interpolation
        out_lat, out_lon, out_ele, out_cum = lat, lon, ele, cum
    else:
        inner = (cum > lo) & (cum < hi)
        ends = np.array([lo, hi])
        qele = np.interp(ends, cum, ele) if np.isfinite(ele).all() else np.array([np.nan, np.nan])
        out_lat = np.concatenate([np.interp(ends[:1], cum, lat), lat[inner], np.interp(ends[1:], cum, lat)])
        out_lon = np.concatenate([np.interp(ends[:1], cum, lon), lon[inner], np.interp(ends[1:], cum, lon)])
        out_ele = np.concatenate([qele[:1], ele[inner], qele[1:]])
        out_cum = np.concatenate([[lo], cum[inner], [hi]])
    out_cum = out_cum - lo
    if a > b:
        return out_lat[::-1], out_lon[::-1], out_ele[::-1], (hi - lo) - out_cum[::-1]
    return out_lat, out_lon, out_ele, out_cum


class EdgeFacts:
    """Per-edge facts a profile's itineraries report, computed once per profile."""

    def __init__(self, graph, profile):
        g = graph
        self.signed = g.route_mask(profile.route_types)
        #: per-edge warning masks of the profile (:mod:`routing.hazards`)
        self.warnings = EdgeWarnings(g, profile)
        self.category_labels = {name: [v or "unknown" for v in g.vocab[name]]
                                for name in ("surface", "highway")}
        names = [r.get("ref") or r.get("name") or f"relation {r['osm_id']}" for r in g.routes]
        index = {name: i for i, name in enumerate(dict.fromkeys(names))}
        #: (labels, label index of each route relation): signed routes reported by label
        self.route_labels = (list(index), np.array([index[n] for n in names] or [0], np.int64))


def _flatten(paths: list) -> tuple:
    """All pieces of all paths as arrays: edge, from_m, to_m, leg index."""
    pieces = [piece for path in paths for piece in path.pieces]
    edge = np.fromiter((p[0] for p in pieces), np.int64, len(pieces))
    a = np.fromiter((p[1] for p in pieces), np.float64, len(pieces))
    b = np.fromiter((p[2] for p in pieces), np.float64, len(pieces))
    leg = np.repeat(np.arange(len(paths)), [len(path.pieces) for path in paths])
    return edge, a, b, leg


def _geometry(g, edge, a, b, start_m) -> tuple:
    """Vertices of every piece, in travel order: (lat, lon, ele, cum_m, vertices per piece).

    Whole edges (most pieces) are gathered with one fancy index over the shape
    arrays; pieces that start or end inside an edge are interpolated one by one.
    """
    length = g.edge_len[edge]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    whole = (lo <= 0.0) & (hi >= length)
    first, last = g.edge_geom_ptr[edge], g.edge_geom_ptr[edge + 1]
    counts = np.where(whole, last - first, 0)
    backward = a > b
    # Per vertex of the whole pieces: its shape point (walked backwards when travelling v -> u).
    starts = np.cumsum(counts) - counts
    step = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    owner = np.repeat(np.arange(len(edge)), counts)
    index = np.where(backward[owner], last[owner] - 1 - step, first[owner] + step)
    offsets = g.shape_offsets[index]
    along = np.where(backward[owner], length[owner] - offsets, offsets)
    chunks = [g.shape_lat[index], g.shape_lon[index], g.shape_ele[index], along + start_m[owner]]
    partial = np.flatnonzero(~whole)
    if len(partial) == 0:
        return (*chunks, counts)
    # Splice the interpolated pieces in at their place.
    parts = [edge_slice(g, int(edge[i]), float(a[i]), float(b[i])) for i in partial]
    counts = counts.copy()
    counts[partial] = [len(part[0]) for part in parts]
    ends = np.cumsum(counts)
    out = [np.empty(int(ends[-1])) for _ in range(4)]
    is_whole = np.ones(int(ends[-1]), bool)
    for i, part in zip(partial, parts):
        lo_i = ends[i] - counts[i]
        is_whole[lo_i:ends[i]] = False
        for k in range(3):
            out[k][lo_i:ends[i]] = part[k]
        out[3][lo_i:ends[i]] = part[3] + start_m[i]
    for k in range(4):
        out[k][is_whole] = chunks[k]
    return (*out, counts)


def _by_label(labels: list, codes: np.ndarray, weights: np.ndarray) -> dict:
    """``{label: summed weight}`` in order of first appearance along the route."""
    if len(codes) == 0:
        return {}
    codes = codes.astype(np.int64)
    sums = np.bincount(codes, weights=weights).tolist()
    out: dict = {}
    for code in dict.fromkeys(codes.tolist()):         # codes in order of first appearance
        label = labels[code]
        out[label] = out.get(label, 0.0) + sums[code]
    return out


def _warnings(network, facts: EdgeFacts, edge, start_m, length) -> list[dict]:
    """Warning runs: the same warning on consecutive pieces is one run."""
    runs = WarningRuns()
    g = network.graph
    for i in np.flatnonzero(facts.warnings.any[edge]):
        runs.add(facts.warnings.of_edge(g, int(edge[i])), float(start_m[i]),
                 float(start_m[i] + length[i]))
    return runs.as_dicts()


def assemble(network, facts: EdgeFacts, paths: list, waypoints: list, kind: str) -> Itinerary:
    """Build the Itinerary of consecutive paths between ``waypoints``.

    Vectorised over the pieces of all legs: the work grows with the route's
    length, and Python only loops over the few pieces that carry a warning.
    """
    g, c = network.graph, network.c
    edge, a, b, leg_of = _flatten(paths)
    length = np.abs(b - a)
    edge_len = g.edge_len[edge]
    frac = np.divide(length, edge_len, out=np.zeros_like(length), where=edge_len > 0)
    time = np.where(b > a, c["time_fwd"][edge], c["time_bwd"][edge]) * frac
    end_m = np.cumsum(length)
    start_m = np.concatenate([[0.0], end_m[:-1]])      # the running total, as summed
    lat, lon, ele, cum, counts = _geometry(g, edge, a, b, start_m)
    n_legs = len(paths)
    leg_time = np.bincount(leg_of, weights=time, minlength=n_legs)
    leg_pieces = np.bincount(leg_of, minlength=n_legs)
    last_piece = np.cumsum(leg_pieces) - 1
    vertex_end = np.cumsum(counts)
    legs = []
    for i, (wa, wb) in enumerate(zip(waypoints[:-1], waypoints[1:])):
        lo = last_piece[i] - leg_pieces[i] + 1         # first piece of the leg
        before = int(vertex_end[lo - 1]) if lo > 0 else 0
        through = int(vertex_end[last_piece[i]]) if leg_pieces[i] else before
        m_before = float(end_m[lo - 1]) if lo > 0 else 0.0
        m_through = float(end_m[last_piece[i]]) if leg_pieces[i] else m_before
        legs.append({"from": wa.get("place_id") or wa.get("name") or "",
                     "to": wb.get("place_id") or wb.get("name") or "",
                     "distance_m": round(m_through - m_before, 1),
                     "duration_s": round(float(leg_time[i]), 1),
                     "start": before, "end": through - 1})
    # Drop repeated vertices where pieces meet, then re-index the legs.
    keep = np.ones(len(lat), bool)
    keep[1:] = (np.abs(np.diff(lat)) > 1e-9) | (np.abs(np.diff(lon)) > 1e-9)
    new_index = np.cumsum(keep) - 1
    for leg in legs:
        leg["start"], leg["end"] = int(new_index[leg["start"]]), int(new_index[leg["end"]])
    route_counts = g.edge_route_ptr[edge + 1] - g.edge_route_ptr[edge]
    route_idx = g.edge_route_idx[np.repeat(g.edge_route_ptr[edge], route_counts)
                                 + np.arange(int(route_counts.sum()))
                                 - np.repeat(np.cumsum(route_counts) - route_counts, route_counts)]
    labels, label_of = facts.route_labels
    breakdown = {name: _by_label(facts.category_labels[name], g.cat[name][edge], length)
                 for name in ("surface", "highway")}
    itinerary = Itinerary(
        profile=network.profile.name, kind=kind, waypoints=waypoints,
        lat=lat[keep], lon=lon[keep], ele=ele[keep].astype(np.float64), cum_m=cum[keep],
        duration_s=float(leg_time.sum()), legs=legs, breakdown=breakdown,
        signed_routes=_by_label(labels, label_of[route_idx], np.repeat(length, route_counts)),
        warnings=_warnings(network, facts, edge, start_m, length),
        pieces=[[[int(e), round(float(x), 3), round(float(y), 3)] for e, x, y in p.pieces]
                for p in paths],
        meta={"graph": g.meta.get("name"), "graph_build": g.build_id,
              "osm_date": g.meta.get("osm_date"),
              "attribution": g.meta.get("attribution", []),
              "signed_m": float(length[facts.signed[edge]].sum())})
    for leg in itinerary.legs:
        span = slice(leg["start"], leg["end"] + 1)
        known = np.isfinite(itinerary.ele[span]).any()
        up, down = climb(itinerary.cum_m[span], itinerary.ele[span]) if known else (None, None)
        leg["ascent_m"] = None if up is None else round(up, 1)
        leg["descent_m"] = None if down is None else round(down, 1)
    return itinerary
