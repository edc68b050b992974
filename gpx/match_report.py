"""How good a map match is: score, share of the trace matched, gaps bridged, warnings.

A matcher that returns a line for any input misleads: 2 km matched out of an 18 km trace
looks like a route. Every match reports these figures and warns when they are poor.
"""
from __future__ import annotations

import numpy as np
import shapely

from graphs.geo import LocalProjection, geodesic_m

#: Below these, the match is reported as poor.
POOR_SCORE = 0.6
POOR_SHARE = 0.7
#: A trace point farther than this from the matched line is not matched.
WITHIN_M = 30.0


def _distances(itinerary, lat, lon) -> np.ndarray:
    proj = LocalProjection(float(np.mean(itinerary.lat)))
    x, y = proj.forward(itinerary.lat, itinerary.lon)
    matched = shapely.LineString(np.column_stack([x, y]))
    px, py = proj.forward(lat, lon)
    return shapely.distance(matched, shapely.points(np.column_stack([px, py])))


def match_quality(itinerary, lines, gaps: dict) -> dict:
    """Figures of a match.

    Parameters
    ----------
    itinerary : routing.Itinerary
        The matched line.
    lines : list of gpx.reader.Line
        The trace as read.
    gaps : dict
        ``bridged`` (chain breaks joined by a network path), ``unbridged``,
        ``bridged_m`` (straight length of the bridged gaps).

    Returns
    -------
    dict
        ``score`` (share of the trace's points within 30 m of the match), ``matched_share``
        (share of its length between two such points: a sparse trace is judged by its
        points, not by the straight lines between them), ``trace_km``, ``matched_km``,
        ``median_offset_m``, ``gaps_bridged``, ``gaps_unbridged``, ``bridged_km``,
        ``poor`` (bool).
    """
    near, seg_m, seg_ok = [], [], []
    for line in lines:
        d = _distances(itinerary, line.lat, line.lon)
        near.append(d)
        if len(line) > 1:
            seg_m.append(geodesic_m(line.lat[:-1], line.lon[:-1], line.lat[1:], line.lon[1:]))
            seg_ok.append((d[:-1] <= WITHIN_M) & (d[1:] <= WITHIN_M))
    near = np.concatenate(near)
    seg_m = np.concatenate(seg_m) if seg_m else np.zeros(0)
    seg_ok = np.concatenate(seg_ok) if seg_ok else np.zeros(0, bool)
    trace_m = float(seg_m.sum())
    share = float(seg_m[seg_ok].sum() / trace_m) if trace_m > 0 else 0.0
    score = float(np.mean(near <= WITHIN_M))
    return {"score": round(score, 4), "matched_share": round(share, 4),
            "trace_km": round(trace_m / 1000, 2), "matched_km": round(itinerary.distance_m / 1000, 2),
            "median_offset_m": round(float(np.median(near)), 1),
            "gaps_bridged": int(gaps["bridged"]), "gaps_unbridged": int(gaps["unbridged"]),
            "bridged_km": round(gaps["bridged_m"] / 1000, 2),
            "poor": bool(score < POOR_SCORE or share < POOR_SHARE)}


def match_warnings(quality: dict) -> list[dict]:
    """Itinerary warnings (``type``, ``detail``, ``from_km``, ``to_km``) of a match."""
    whole = {"from_km": 0.0, "to_km": quality["matched_km"]}
    out = []
    if quality["poor"]:
        out.append(dict(whole, type="poor_match",
                        detail=f"{quality['matched_share']:.0%} of the {quality['trace_km']} km "
                               f"trace matched (score {quality['score']:.2f})"))
    if quality["gaps_bridged"]:
        out.append(dict(whole, type="gaps_bridged",
                        detail=f"{quality['gaps_bridged']} gaps ({quality['bridged_km']} km) "
                               "bridged by the shortest path"))
    if quality["gaps_unbridged"]:
        out.append(dict(whole, type="unmatched_gap",
                        detail=f"{quality['gaps_unbridged']} gaps could not be bridged"))
    return out
