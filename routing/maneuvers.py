"""Turn-by-turn maneuvers of an itinerary, as codes and numbers.

Like OSRM's guidance and Valhalla's odin, this module derives typed maneuvers from the
path (edges, their geometry, the choices at each junction) and says nothing in words:
``web/`` renders them in French or English. A maneuver is emitted where the traveller
has to do something or would otherwise wonder: a turn at a junction with a choice, a
fork (``keep``), a roundabout exit, a change of road name, a signed route joined or left.

Angles are bearings in degrees clockwise from north; a turn's ``angle`` is the change of
bearing (positive to the right).
"""
from __future__ import annotations

import dataclasses
import enum
import math

import numpy as np

#: Metres of geometry used to measure the bearing at a junction.
BEARING_M = 15.0
#: Turns closer than this are one manoeuvre (a sidewalk crossing, a dual carriageway).
MERGE_M = 12.0


class Code(str, enum.Enum):
    """What a maneuver asks of the traveller."""

    DEPART = "depart"
    TURN = "turn"
    CONTINUE = "continue"
    KEEP = "keep"
    ROUNDABOUT = "roundabout"
    WAYPOINT = "waypoint"
    ARRIVE = "arrive"


#: Codes that are a change of direction (what the OSRM comparison counts).
TURN_CODES = frozenset({Code.TURN, Code.KEEP, Code.ROUNDABOUT})


@dataclasses.dataclass(frozen=True)
class Maneuver:
    """One instruction as data.

    Attributes
    ----------
    code : Code
    params : dict
        ``modifier`` (``straight``, ``slight_left``, ``left``, ``sharp_left``, their
        ``_right`` twins, ``uturn``), ``angle``, ``name`` and ``ref`` of the way taken,
        ``routes_joined``/``routes_left`` (signed route labels, e.g. ``EV5``), ``exit``
        (roundabouts), ``at_m`` (from the start), ``distance_m`` (to the next maneuver),
        ``lat``/``lon``, ``bearing_before``/``bearing_after``, ``leg``.
    """

    code: Code
    params: dict

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``{"code": …, **params}``."""
        return {"code": self.code.value, **self.params}


def modifier(angle: float) -> str:
    """Modifier of a change of bearing: straight, slight/normal/sharp left/right, uturn."""
    size = abs(angle)
    if size <= 25:
        return "straight"
    side = "right" if angle > 0 else "left"
    if size <= 60:
        return f"slight_{side}"
    if size <= 135:
        return side
    if size <= 170:
        return f"sharp_{side}"
    return "uturn"


def _turn(before: float, after: float) -> float:
    return (after - before + 540.0) % 360.0 - 180.0


def _leaving_bearing(graph, edge: int, from_u: bool) -> float:
    """Bearing of the first ``BEARING_M`` metres of ``edge`` leaving its u (or v) end."""
    p, q = graph.edge_geom_ptr[edge], graph.edge_geom_ptr[edge + 1]
    lat, lon, off = graph.shape_lat[p:q], graph.shape_lon[p:q], graph.shape_offsets[p:q]
    if not from_u:
        lat, lon, off = lat[::-1], lon[::-1], graph.edge_len[edge] - off[::-1]
    j = int(np.searchsorted(off, BEARING_M))
    j = min(max(j, 1), len(lat) - 1)
    dy = lat[j] - lat[0]
    dx = (lon[j] - lon[0]) * math.cos(math.radians(float(lat[0])))
    return math.degrees(math.atan2(dx, dy)) % 360.0


class _Road:
    """What identifies the way a piece travels: name, ref, junction and signed routes."""

    def __init__(self, network, route_types):
        g = network.graph
        self.g = g
        self.route_types = set(route_types)
        self.ref = g.cat.get("ref")
        self.junction = g.cat.get("junction")
        rb = [i for i, v in enumerate(g.vocab.get("junction", [None]))
              if v in ("roundabout", "circular")]
        self.roundabout_codes = np.array(rb, np.int64)

    def name(self, edge: int) -> str | None:
        return self.g.name_of(edge)

    def ref_of(self, edge: int) -> str | None:
        return None if self.ref is None else self.g.vocab["ref"][int(self.ref[edge])]

    def is_roundabout(self, edge: int) -> bool:
        return self.junction is not None and int(self.junction[edge]) in self.roundabout_codes

    def routes(self, edge: int) -> frozenset:
        return frozenset(r.get("ref") or r.get("name") or f"relation {r['osm_id']}"
                         for r in self.g.edge_routes(edge) if r["route"] in self.route_types)


def _options(network, node: int, came_by: int) -> list[tuple[int, bool]]:
    """Arcs (edge, forward) leaving ``node`` other than back along ``came_by``."""
    a, b = network.indptr[node], network.indptr[node + 1]
    return [(int(e), bool(f)) for e, f in zip(network.arc_edge[a:b], network.arc_forward[a:b])
            if int(e) != came_by]


def _flatten(itinerary) -> list[tuple[int, float, float, int, float]]:
    """(edge, from_m, to_m, leg, at_m) of every piece in travel order."""
    out, at = [], 0.0
    for leg, pieces in enumerate(itinerary.pieces):
        for edge, a, b in pieces:
            out.append((int(edge), float(a), float(b), leg, at))
            at += abs(b - a)
    return out


def build_maneuvers(network, itinerary) -> list[Maneuver]:
    """The maneuvers of an itinerary planned on ``network``.

    Parameters
    ----------
    network : routing.network.ProfileNetwork
        The network the itinerary was planned on (its arcs tell the choices at junctions).
    itinerary : routing.Itinerary

    Returns
    -------
    list of Maneuver
        ``depart`` first, ``arrive`` last, ``waypoint`` between legs.
    """
    g = network.graph
    road = _Road(network, network.profile.route_types)
    pieces = _flatten(itinerary)
    if not pieces:
        return []
    out: list[dict] = []
    first = pieces[0]
    out.append(_record(Code.DEPART, road, first[0], first[4], itinerary.lat[0],
                       itinerary.lon[0], leg=0,
                       bearing_after=round(_piece_bearing(g, first), 0),
                       routes_joined=sorted(road.routes(first[0]))))
    rb = None                          # the roundabout being driven: entry record
    for cur, nxt in zip(pieces[:-1], pieces[1:]):
        if nxt[3] != cur[3]:           # a waypoint between legs
            out.append(_record(Code.WAYPOINT, road, nxt[0], nxt[4],
                               *_node_at(g, itinerary, cur), leg=nxt[3]))
            continue
        e1, e2 = cur[0], nxt[0]
        node = int(g.edge_v[e1] if cur[2] > cur[1] else g.edge_u[e1])
        before = (_leaving_bearing(g, e1, from_u=cur[2] <= cur[1]) + 180.0) % 360.0
        after = _leaving_bearing(g, e2, from_u=nxt[2] > nxt[1])
        angle = _turn(before, after)
        options = _options(network, node, e1)
        at, lat, lon = nxt[4], g.node_lat[node], g.node_lon[node]
        joined = sorted(road.routes(e2) - road.routes(e1))
        left = sorted(road.routes(e1) - road.routes(e2))
        if road.is_roundabout(e2) and not road.is_roundabout(e1):
            rb = _record(Code.ROUNDABOUT, road, e2, at, lat, lon, leg=nxt[3], exit=0,
                         angle=round(angle), bearing_before=round(before))
            continue
        if rb is not None:
            if any(not road.is_roundabout(e) for e, _ in options):
                rb["exit"] += 1        # an exit we pass (or take)
            if road.is_roundabout(e2):
                continue
            rb.update(name=road.name(e2), ref=road.ref_of(e2), bearing_after=round(after),
                      routes_joined=joined, routes_left=left)
            out.append(rb)
            rb = None
            continue
        decided = _decide(g, before, angle, options, road, e1, e2, bool(joined or left))
        if decided is None:
            continue
        out.append(_record(decided[0], road, e2, at, lat, lon, leg=nxt[3], angle=round(angle),
                           modifier=decided[1], bearing_before=round(before), bearing_after=round(after),
                           routes_joined=joined, routes_left=left))
    if rb is not None:                 # arrived inside a roundabout
        out.append(rb)
    last = pieces[-1]
    out.append(_record(Code.ARRIVE, road, last[0], last[4] + abs(last[2] - last[1]),
                       itinerary.lat[-1], itinerary.lon[-1], leg=last[3],
                       routes_left=sorted(road.routes(last[0]))))
    out = _merge_close_turns(out)
    for a, b in zip(out[:-1], out[1:]):
        a["distance_m"] = round(b["at_m"] - a["at_m"], 1)
    out[-1]["distance_m"] = 0.0
    return [Maneuver(rec.pop("code"), rec) for rec in out]


def _piece_bearing(graph, piece) -> float:
    edge, a, b = piece[0], piece[1], piece[2]
    return _leaving_bearing(graph, edge, from_u=b > a)


def _node_at(graph, itinerary, piece) -> tuple[float, float]:
    edge, a, b = piece[0], piece[1], piece[2]
    end = b if b in (0.0, graph.edge_len[edge]) else None
    if end is None:
        lat, lon, _ = graph.edge_shape(edge)
        frac = b / graph.edge_len[edge] if graph.edge_len[edge] > 0 else 0.0
        i = min(int(round(frac * (len(lat) - 1))), len(lat) - 1)
        return float(lat[i]), float(lon[i])
    node = graph.edge_v[edge] if b > a else graph.edge_u[edge]
    return float(graph.node_lat[node]), float(graph.node_lon[node])


def _decide(graph, before, angle, options, road, e1, e2, route_change):
    """Which maneuver (if any) a transition between two edges at a junction is:
    ``(code, modifier)`` or None."""
    renamed = road.name(e1) != road.name(e2) and road.name(e2) is not None
    quiet = (Code.CONTINUE, "straight") if renamed or route_change else None
    others = [_turn(before, _leaving_bearing(graph, e, from_u=f)) for e, f in options if e != e2]
    if not others:                     # no choice: only say a new name or a route change
        return quiet
    size = abs(angle)
    if size <= 45 and road.name(e1) is not None and road.name(e1) == road.name(e2):
        return None                    # following the same named road through a bend
    nearest = min(others, key=lambda a: abs(a - angle))
    side = "slight_right" if angle > nearest else "slight_left"
    if size <= 25:
        if min(abs(a) for a in others) <= 25:     # a fork of two ways straight ahead
            return Code.KEEP, side
        return quiet
    if size <= 60:
        if min(abs(a) for a in others) < size - 5:    # leaving the main line at a slight angle
            return Code.TURN, modifier(angle)
        if min(abs(a) for a in others) <= 60:     # a fork: the other branch as straight
            return Code.KEEP, side
        return quiet                   # the road bends; nothing else to take
    return Code.TURN, modifier(angle)


def _record(code: Code, road, edge: int, at: float, lat: float, lon: float, **extra) -> dict:
    rec = {"code": code, "name": road.name(edge), "ref": road.ref_of(edge),
           "at_m": round(float(at), 1), "lat": round(float(lat), 7), "lon": round(float(lon), 7),
           "modifier": None, "routes_joined": [], "routes_left": []}
    rec.update(extra)
    return rec


def _merge_close_turns(records: list[dict]) -> list[dict]:
    """Two turns a few metres apart are one manoeuvre (crossing a dual carriageway,
    stepping off a kerb); if they cancel out only a change of name remains."""
    out: list[dict] = []
    for rec in records:
        prev = out[-1] if out else None
        if (prev is not None and rec["code"] == Code.TURN and prev["code"] in (Code.TURN, Code.KEEP)
                and rec["at_m"] - prev["at_m"] < MERGE_M):
            angle = _turn(prev["bearing_before"], rec["bearing_after"])
            prev.update(rec, at_m=prev["at_m"], lat=prev["lat"], lon=prev["lon"],
                        bearing_before=prev["bearing_before"], angle=round(angle),
                        modifier=modifier(angle),
                        routes_joined=sorted(set(prev["routes_joined"]) | set(rec["routes_joined"])),
                        routes_left=sorted(set(prev["routes_left"]) | set(rec["routes_left"])))
            if abs(angle) <= 25:
                prev["code"] = Code.CONTINUE
                prev["modifier"] = "straight"
            continue
        out.append(rec)
    return out


def turn_count(maneuvers: list[Maneuver]) -> int:
    """Number of changes of direction (turns, forks, roundabouts), for comparisons."""
    return sum(1 for m in maneuvers if m.code in TURN_CODES
               and (m.code == Code.ROUNDABOUT or m.params.get("modifier") != "straight"))
