"""Travel profiles: which edges each may use, how fast, how comfortable.

Cost of an arc = duration (s) x comfort multiplier x signed-route factor, so a
profile trades time against pleasantness and every profile's costs stay in
seconds. Durations alone are what itineraries report.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from graphs.tags import (BIKE_BWD, BIKE_FWD, FOOT_BWD, FOOT_FWD, NODE_BIKE,
                         NODE_BIKE_DISMOUNT, NODE_FOOT)

from .errors import UnknownProfileError

PAVED = ("asphalt", "paved", "concrete", "concrete:plates", "concrete:lanes", "paving_stones",
         "sett", "chipseal", "metal", "wood")
SMOOTH_UNPAVED = ("compacted", "fine_gravel")
ROUGH = ("gravel", "pebblestone", "unpaved", "ground", "dirt", "earth", "grass", "mud",
         "sand", "rock", "stone", "woodchips", "grass_paver", "unhewn_cobblestone", "cobblestone")
SAC_ORDER = ("hiking", "mountain_hiking", "demanding_mountain_hiking", "alpine_hiking",
             "demanding_alpine_hiking", "difficult_alpine_hiking")
BAD_SMOOTHNESS = ("bad", "very_bad", "horrible", "very_horrible", "impassable")
BUSY = ("primary", "primary_link", "secondary", "secondary_link", "trunk", "trunk_link")
#: Seconds lost pushing a bicycle through a cycle barrier or a chicane.
DISMOUNT_S = 20.0


@dataclasses.dataclass(frozen=True)
class Profile:
    """How one kind of traveller moves.

    Attributes
    ----------
    name, mode : str
        ``mode`` is ``'foot'`` or ``'bicycle'`` (which access flags apply).
    speed_kmh : float
        Speed on the flat on a good surface.
    climb_s_per_m, descent_s_per_m : float
        Seconds added per metre of ascent / descent (Naismith-like).
    surface_speed : dict
        Speed factor by surface group (paved, smooth, rough, unknown_path).
    highway_comfort : dict
        Cost multiplier by highway value (1 = neutral, above = avoided).
    forbidden_highways : tuple
    max_sac : int
        Highest sac_scale index allowed (0 = hiking/T1 … 5 = T6; -1 = no sac_scale way).
        ``hike`` and ``trail`` stop at 2 (T3, demanding mountain hiking); a request may
        lower it (:class:`routing.options.RouteOptions`), a profile variant made with
        ``dataclasses.replace`` may raise it.
    max_mtb : float
        Highest mtb:scale allowed.
    avoid_rough : bool
        Forbid rough surfaces and bad smoothness (family).
    route_types : tuple
        Route relations that count as signed routes of its kind.
    route_preference : float
        Default preference for signed routes (cost factor ``1 / (1 + p)``).
    """

    name: str
    mode: str
    speed_kmh: float
    climb_s_per_m: float
    descent_s_per_m: float
    surface_speed: dict
    highway_comfort: dict
    forbidden_highways: tuple = ()
    max_sac: int = 99
    max_mtb: float = 99.0
    avoid_rough: bool = False
    route_types: tuple = ()
    route_preference: float = 0.3
    rough_comfort: float = 1.0
    busy_comfort: float = 2.0

    @property
    def flags(self) -> tuple[int, int]:
        """(forward, backward) access bits of this profile's mode."""
        return (FOOT_FWD, FOOT_BWD) if self.mode == "foot" else (BIKE_FWD, BIKE_BWD)


_WALK_COMFORT = {"path": 1.0, "footway": 1.0, "track": 1.0, "bridleway": 1.05, "steps": 1.1,
                 "pedestrian": 1.05, "living_street": 1.1, "cycleway": 1.15, "residential": 1.25,
                 "service": 1.25, "unclassified": 1.3, "road": 1.4, "tertiary": 1.6,
                 "tertiary_link": 1.6, "secondary": 2.2, "secondary_link": 2.2,
                 "primary": 3.0, "primary_link": 3.0, "trunk": 4.0, "trunk_link": 4.0}
_BIKE_COMFORT = {"cycleway": 0.9, "path": 1.15, "track": 1.1, "living_street": 1.05,
                 "residential": 1.0, "service": 1.1, "unclassified": 1.0, "road": 1.1,
                 "tertiary": 1.15, "tertiary_link": 1.15, "secondary": 1.6,
                 "secondary_link": 1.6, "primary": 2.5, "primary_link": 2.5,
                 "trunk": 3.5, "trunk_link": 3.5, "footway": 1.5, "pedestrian": 1.5, "bridleway": 1.5}

PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("hike", "foot", 4.5, 6.0, 1.0,
            {"paved": 1.0, "smooth": 1.0, "rough": 0.95, "unknown_path": 1.0},
            _WALK_COMFORT, max_sac=2, route_types=("hiking", "foot", "walking")),
    Profile("trail", "foot", 9.0, 4.0, 0.5,
            {"paved": 1.0, "smooth": 1.0, "rough": 0.9, "unknown_path": 0.95},
            dict(_WALK_COMFORT, path=0.9, track=0.95, residential=1.4, tertiary=1.8),
            max_sac=2, route_types=("running", "hiking", "foot")),
    Profile("family", "foot", 3.5, 8.0, 1.5,
            {"paved": 1.0, "smooth": 0.95, "rough": 0.8, "unknown_path": 0.9},
            # Busy roads are last resorts, not walls: a family can walk the pavement of a
            # main road for the few hundred metres that link two quiet ones.
            dict(_WALK_COMFORT, residential=1.3, tertiary=2.5, tertiary_link=2.5,
                 secondary=5.0, secondary_link=5.0, primary=7.0, primary_link=7.0,
                 trunk=9.0, trunk_link=9.0),
            forbidden_highways=("steps",),
            max_sac=0, max_mtb=1.0, avoid_rough=True,
            route_types=("hiking", "foot", "walking")),
    Profile("bike", "bicycle", 16.0, 3.0, 0.0,
            {"paved": 1.0, "smooth": 0.8, "rough": 0.55, "unknown_path": 0.7},
            _BIKE_COMFORT, forbidden_highways=("steps",), max_sac=0, max_mtb=1.0,
            route_types=("bicycle",), rough_comfort=1.6),
    Profile("gravel", "bicycle", 18.0, 3.0, 0.0,
            {"paved": 1.0, "smooth": 0.95, "rough": 0.75, "unknown_path": 0.8},
            dict(_BIKE_COMFORT, track=0.95, path=1.05, residential=1.1),
            forbidden_highways=("steps",), max_sac=1, max_mtb=2.0,
            route_types=("bicycle", "mtb")),
    Profile("mtb", "bicycle", 14.0, 4.5, 0.0,
            {"paved": 1.0, "smooth": 1.0, "rough": 0.85, "unknown_path": 0.85},
            dict(_BIKE_COMFORT, path=0.85, track=0.9, residential=1.2, cycleway=1.1),
            forbidden_highways=("steps",), max_sac=2, max_mtb=4.0,
            route_types=("mtb", "bicycle")),
)}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; :class:`UnknownProfileError` otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(
            f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None


def _lookup(graph, attr: str, table: dict, default: float) -> np.ndarray:
    """Per-edge value of ``table`` for categorical attribute ``attr``."""
    values = np.array([table.get(v, default) for v in graph.vocab[attr]], np.float64)
    return values[graph.cat[attr]]


def _surface_group_factor(graph, profile: Profile) -> np.ndarray:
    groups = {}
    for value in graph.vocab["surface"]:
        if value in PAVED:
            groups[value] = profile.surface_speed["paved"]
        elif value in SMOOTH_UNPAVED:
            groups[value] = profile.surface_speed["smooth"]
        elif value in ROUGH:
            groups[value] = profile.surface_speed["rough"]
    factor = _lookup(graph, "surface", groups, np.nan)
    # Unknown surface: roads are paved; tracks by tracktype; paths are "unknown_path".
    unknown = np.isnan(factor)
    highway = graph.cat["highway"]
    path_like = np.isin(highway, [i for i, v in enumerate(graph.vocab["highway"])
                                  if v in ("path", "track", "bridleway", "footway")])
    grade = _lookup(graph, "tracktype", {"grade1": profile.surface_speed["paved"],
                                         "grade2": profile.surface_speed["smooth"]},
                    profile.surface_speed["rough"])
    has_grade = graph.cat["tracktype"] > 0
    factor[unknown & path_like & has_grade] = grade[unknown & path_like & has_grade]
    factor[unknown & path_like & ~has_grade] = profile.surface_speed["unknown_path"]
    factor[unknown & ~path_like] = profile.surface_speed["paved"]
    return factor


def is_rough(graph) -> np.ndarray:
    """Edges with a rough surface or bad smoothness."""
    return graph.codes_of("surface", ROUGH) | graph.codes_of("smoothness", BAD_SMOOTHNESS)


def is_busy(graph) -> np.ndarray:
    """Busy roads: primary/secondary, or any road signed 70 km/h or more."""
    return graph.codes_of("highway", BUSY) | (np.nan_to_num(graph.num["maxspeed"]) >= 70)


def sac_index(graph) -> np.ndarray:
    """sac_scale as 0 (T1 hiking) .. 5, and -1 where not tagged."""
    table = {v: i for i, v in enumerate(SAC_ORDER)}
    return _lookup(graph, "sac_scale", table, -1).astype(np.int8)


def mtb_value(graph) -> np.ndarray:
    """mtb:scale as a number (``2+`` -> 2.5), NaN where not tagged."""
    def parse(v):
        try:
            return float(v.rstrip("+-")) + (0.5 if v.endswith("+") else 0.0)
        except (AttributeError, ValueError):
            return np.nan
    return _lookup(graph, "mtb_scale", {v: parse(v) for v in graph.vocab["mtb_scale"] if v}, np.nan)


def edge_costs(graph, profile: Profile, route_preference: float | None = None,
               metric: str = "cost"):
    """Per-edge usability and per-direction durations and costs.

    Returns
    -------
    dict
        ``fwd``/``bwd`` (bool, usable in that direction), ``time_fwd``/``time_bwd`` (s),
        ``cost_fwd``/``cost_bwd``.
    """
    pref = profile.route_preference if route_preference is None else float(route_preference)
    flag_f, flag_b = profile.flags
    usable = np.ones(graph.n_edges, bool)
    usable &= ~graph.codes_of("highway", profile.forbidden_highways)
    usable &= sac_index(graph) <= profile.max_sac
    mtb = mtb_value(graph)
    usable &= ~(mtb > profile.max_mtb)
    rough = is_rough(graph)
    if profile.avoid_rough:
        usable &= ~rough
    fwd = usable & ((graph.edge_flags & flag_f) > 0)
    bwd = usable & ((graph.edge_flags & flag_b) > 0)
    # A barrier closed to the mode cannot be entered, so no path passes through it.
    passage = graph.node_passage
    can_pass = NODE_FOOT if profile.mode == "foot" else NODE_BIKE | NODE_BIKE_DISMOUNT
    closed = (passage & can_pass) == 0
    fwd &= ~closed[graph.edge_v]
    bwd &= ~closed[graph.edge_u]

    speed = profile.speed_kmh / 3.6 * _surface_group_factor(graph, profile)
    if profile.mode == "bicycle":
        walk = graph.codes_of("bicycle", ("dismount",)) | graph.codes_of("highway", ("steps",))
        speed = np.where(walk, 4.5 / 3.6, speed)
    flat = graph.edge_len / speed
    up = np.nan_to_num(graph.edge_ascent)
    down = np.nan_to_num(graph.edge_descent)
    time_fwd = flat + up * profile.climb_s_per_m + down * profile.descent_s_per_m
    time_bwd = flat + down * profile.climb_s_per_m + up * profile.descent_s_per_m
    if profile.mode == "bicycle":
        push = (passage & (NODE_BIKE | NODE_BIKE_DISMOUNT)) == NODE_BIKE_DISMOUNT
        time_fwd = time_fwd + DISMOUNT_S * push[graph.edge_v]
        time_bwd = time_bwd + DISMOUNT_S * push[graph.edge_u]

    comfort = _lookup(graph, "highway", profile.highway_comfort, 1.3)
    comfort = np.where(rough, comfort * profile.rough_comfort, comfort)
    fast = np.nan_to_num(graph.num["maxspeed"]) >= 70
    comfort = np.where(fast & ~graph.codes_of("highway", BUSY), comfort * profile.busy_comfort,
                       comfort)
    comfort = np.where(graph.codes_of("access", ("destination", "customers", "delivery")),
                       comfort * 1.5, comfort)
    signed = graph.route_mask(profile.route_types)
    comfort = np.where(signed, comfort / (1.0 + pref), comfort)
    if metric == "length":          # shortest distance, e.g. for map matching
        return {"fwd": fwd, "bwd": bwd, "time_fwd": time_fwd, "time_bwd": time_bwd,
                "cost_fwd": graph.edge_len.copy(), "cost_bwd": graph.edge_len.copy()}
    return {"fwd": fwd, "bwd": bwd, "time_fwd": time_fwd, "time_bwd": time_bwd,
            "cost_fwd": time_fwd * comfort, "cost_bwd": time_bwd * comfort}
