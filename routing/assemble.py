"""Paths -> Itinerary: geometry, durations, breakdowns, signed routes, warnings."""
from __future__ import annotations

import numpy as np

from graphs.elevation import SMOOTH_M, STEP_M, climb

from .assemble_kernel import (BOUNDS, LEG_CLIMB, LEG_COLUMNS, LEG_DOWN, LEG_END, LEG_M,
                              LEG_S, LEG_START, LEG_UP, NO_ELEVATION, assemble_pieces)
from .hazards import EdgeWarnings, WarningRuns
from .itinerary import Itinerary, LegPieces, round_float
from .numpy_exact import CLIMB_SHORT
from .pieces import piece_table

#: The half-width (samples) of :func:`graphs.elevation.climb`'s moving average.
CLIMB_HALF = int(round(SMOOTH_M / STEP_M)) // 2


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
        #: whether no two codes of a category share a label (None and "" are both "unknown")
        self.unique_labels = {name: len(set(labels)) == len(labels)
                              for name, labels in self.category_labels.items()}
        names = [r.get("ref") or r.get("name") or f"relation {r['osm_id']}" for r in g.routes]
        index = {name: i for i, name in enumerate(dict.fromkeys(names))}
        #: (labels, label index of each route relation): signed routes reported by label
        self.route_labels = (list(index), np.array([index[n] for n in names] or [0], np.int64))


def _by_label(labels: list, codes: list, sums: list, unique: bool) -> dict:
    """``{label: metres}`` in order of first appearance along the route (codes sharing a
    label summed in that order; ``unique``: no two codes share one, each sum is then
    its label's, as ``0.0 + m`` is ``m``)."""
    if unique:
        return dict(zip(map(labels.__getitem__, codes), sums))
    out: dict = {}
    for code, metres in zip(codes, sums):
        label = labels[code]
        out[label] = out.get(label, 0.0) + metres
    return out


def _warnings(network, facts: EdgeFacts, edges: list, metres: list) -> list[dict]:
    """Warning runs: the same warning on consecutive pieces is one run (``metres``: where
    each piece on ``edges`` starts and ends, flat)."""
    if not edges:
        return []
    warnings = facts.warnings
    runs = WarningRuns(warnings.describe)
    runs.add_pieces(warnings.ids_of_edges(network.graph, edges), metres)
    return runs.as_dicts()


def _climb(geometry, leg: dict, how: float, up: float, down: float) -> None:
    """The leg's ``ascent_m`` and ``descent_m`` as the kernel measured them (``how``)."""
    if how == NO_ELEVATION:
        leg["ascent_m"] = leg["descent_m"] = None
        return
    if how == CLIMB_SHORT:            # a profile shorter than the smoothing: numpy's way
        span = slice(leg["start"], leg["end"] + 1)
        up, down = climb(geometry[3][span], geometry[2][span])
        leg["ascent_m"], leg["descent_m"] = round(up, 1), round(down, 1)
        return
    leg["ascent_m"], leg["descent_m"] = round_float(up, 1), round_float(down, 1)


def assemble(network, facts: EdgeFacts, paths: list, waypoints: list, kind: str) -> Itinerary:
    """Build the Itinerary of consecutive paths between ``waypoints``.

    One compiled pass over the pieces of all legs (:mod:`routing.assemble_kernel`)
    computes every figure; Python builds the dicts and loops only over the few
    pieces that carry a warning.
    """
    return assemble_with_table(network, facts, paths, waypoints, kind)[0]


def assemble_with_table(network, facts: EdgeFacts, paths: list, waypoints: list,
                        kind: str) -> tuple[Itinerary, np.ndarray]:
    """:func:`assemble`, and the itinerary's :func:`routing.pieces.pieces_table` made from
    the kernel's arrays (the same numbers: the places' detours start from it, and
    making it again from the itinerary's lists costs ≈ 16 µs a route)."""
    g, c = network.graph, network.c
    pieces, leg_ptr = piece_table(paths)
    labels, label_of = facts.route_labels
    geometry, ints, floats = assemble_pieces(
        pieces.edge, pieces.from_m, pieces.to_m, leg_ptr, g.edge_len, g.edge_geom_ptr,
        g.shape_lat, g.shape_lon, g.shape_ele, g.shape_offsets, c["time_fwd"], c["time_bwd"],
        g.cat["surface"], g.cat["highway"], len(facts.category_labels["surface"]),
        len(facts.category_labels["highway"]), g.edge_route_ptr, g.edge_route_idx, label_of,
        len(labels), facts.signed, facts.warnings.any, STEP_M, CLIMB_HALF)
    ints = ints.tolist()
    n_surface, n_highway, n_routes, n_warned = ints[:4]
    n_codes = n_surface + n_highway + n_routes
    n_legs = len(leg_ptr) - 1
    at = 2 + LEG_COLUMNS * n_legs
    # the line's bounds, then the pieces' offsets close the floats: left as an array (read
    # by the table, and made into lists only if the itinerary's pieces are read: LegPieces)
    tail = at + n_codes + 2 * n_warned
    bounds, offsets = floats[tail:tail + BOUNDS].tolist(), floats[tail + BOUNDS:]
    floats = floats[:tail].tolist()
    rows = [floats[k:k + LEG_COLUMNS] for k in range(2, at, LEG_COLUMNS)]
    legs = []
    for wa, wb, row in zip(waypoints, waypoints[1:], rows):
        legs.append({"from": wa.get("place_id") or wa.get("name") or "",
                     "to": wb.get("place_id") or wb.get("name") or "",
                     "distance_m": round_float(row[LEG_M], 1),
                     "duration_s": round_float(row[LEG_S], 1),
                     "start": int(row[LEG_START]), "end": int(row[LEG_END])})
    codes, warned = ints[4:4 + n_codes], ints[4 + n_codes:]
    code_m = floats[at:at + n_codes]
    warned_m = floats[at + n_codes:at + n_codes + 2 * n_warned]
    split = (0, n_surface, n_surface + n_highway, n_codes)
    breakdown = {name: _by_label(facts.category_labels[name], codes[split[k]:split[k + 1]],
                                 code_m[split[k]:split[k + 1]], facts.unique_labels[name])
                 for k, name in enumerate(("surface", "highway"))}
    itinerary = Itinerary(
        profile=network.profile.name, kind=kind, waypoints=waypoints,
        lat=geometry[0], lon=geometry[1], ele=geometry[2], cum_m=geometry[3],
        duration_s=floats[0], legs=legs, breakdown=breakdown,
        signed_routes=_by_label(labels, codes[split[2]:], code_m[split[2]:], True),
        warnings=_warnings(network, facts, warned, warned_m),
        pieces=LegPieces(pieces.edge, offsets, leg_ptr),  # [edge, round(from_m, 3), round(to_m, 3)]
        meta={"graph": g.meta.get("name"), "graph_build": g.build_id,
              "osm_date": g.meta.get("osm_date"),
              "attribution": g.meta.get("attribution", []),
              "signed_m": floats[1]})
    for leg, row in zip(legs, rows):
        _climb(geometry, leg, row[LEG_CLIMB], row[LEG_UP], row[LEG_DOWN])
    if len(geometry[0]):
        itinerary.known_bounds(bounds)
    if rows:            # the legs' vertex spans cover the line; a leg with a known
        # elevation has its climb measured (LEG_CLIMB), the others NO_ELEVATION
        itinerary.known_elevation(any(row[LEG_CLIMB] != NO_ELEVATION for row in rows))
    table = np.empty((len(pieces.edge), 3))
    table[:, 0] = pieces.edge
    table[:, 1:] = offsets.reshape(-1, 2)
    return itinerary, table
