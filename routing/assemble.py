"""Paths -> Itinerary: geometry, durations, breakdowns, signed routes, warnings."""
from __future__ import annotations

import numpy as np

from graphs.build import build_id
from graphs.elevation import climb

from .itinerary import Itinerary
from .hazards import EdgeWarnings, WarningRuns


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
        self.warnings = EdgeWarnings(g, profile)


def assemble(network, facts: EdgeFacts, paths: list, waypoints: list, kind: str) -> Itinerary:
    """Build the Itinerary of consecutive paths between ``waypoints``."""
    g, c = network.graph, network.c
    lats, lons, eles, cums = [], [], [], []
    surface: dict = {}
    highway: dict = {}
    routes: dict = {}
    legs = []
    runs = WarningRuns()
    total = 0.0
    duration = 0.0
    signed_total = 0.0
    for path, (wa, wb) in zip(paths, zip(waypoints[:-1], waypoints[1:])):
        leg_start_m, leg_duration = total, 0.0
        start_index = sum(len(x) for x in lats)
        for edge, a, b in path.pieces:
            plat, plon, pele, pcum = edge_slice(g, edge, a, b)
            length = abs(b - a)
            frac = length / g.edge_len[edge] if g.edge_len[edge] > 0 else 0.0
            time = (c["time_fwd"] if b > a else c["time_bwd"])[edge] * frac
            leg_duration += time
            lats.append(plat); lons.append(plon); eles.append(pele); cums.append(pcum + total)
            s = g.category("surface", edge) or "unknown"
            h = g.category("highway", edge) or "unknown"
            surface[s] = surface.get(s, 0.0) + length
            highway[h] = highway.get(h, 0.0) + length
            if facts.signed[edge]:
                signed_total += length
            for route in g.edge_routes(edge):
                label = route.get("ref") or route.get("name") or f"relation {route['osm_id']}"
                routes[label] = routes.get(label, 0.0) + length
            runs.add(facts.warnings.of_edge(g, edge), total, total + length)
            total += length
        duration += leg_duration
        end_index = sum(len(x) for x in lats) - 1
        legs.append({"from": wa.get("place_id") or wa.get("name") or "",
                     "to": wb.get("place_id") or wb.get("name") or "",
                     "distance_m": round(float(total - leg_start_m), 1),
                     "duration_s": round(float(leg_duration), 1),
                     "start": start_index, "end": end_index})
    lat, lon = np.concatenate(lats), np.concatenate(lons)
    ele, cum = np.concatenate(eles), np.concatenate(cums)
    # Drop repeated vertices where pieces meet, then re-index the legs.
    keep = np.ones(len(lat), bool)
    keep[1:] = (np.abs(np.diff(lat)) > 1e-9) | (np.abs(np.diff(lon)) > 1e-9)
    new_index = np.cumsum(keep) - 1
    for leg in legs:
        leg["start"], leg["end"] = int(new_index[leg["start"]]), int(new_index[leg["end"]])
    warnings = runs.as_dicts()
    itinerary = Itinerary(
        profile=network.profile.name, kind=kind, waypoints=waypoints,
        lat=lat[keep], lon=lon[keep], ele=ele[keep].astype(np.float64), cum_m=cum[keep],
        duration_s=float(duration), legs=legs, breakdown={"surface": surface, "highway": highway},
        signed_routes=routes, warnings=warnings,
        pieces=[[[int(e), round(float(a), 3), round(float(b), 3)] for e, a, b in p.pieces]
                for p in paths],
        meta={"graph": g.meta.get("name"), "graph_build": build_id(g.meta),
              "osm_date": g.meta.get("osm_date"),
              "attribution": g.meta.get("attribution", []), "signed_m": float(signed_total)})
    for leg in itinerary.legs:
        span = slice(leg["start"], leg["end"] + 1)
        known = np.isfinite(itinerary.ele[span]).any()
        up, down = climb(itinerary.cum_m[span], itinerary.ele[span]) if known else (None, None)
        leg["ascent_m"] = None if up is None else round(up, 1)
        leg["descent_m"] = None if down is None else round(down, 1)
    return itinerary
