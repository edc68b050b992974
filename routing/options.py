"""Per-request route options over the fixed profiles (GraphHopper's custom models, in small).

A request picks a compiled profile; :class:`RouteOptions` re-weights a copy of its edge
costs (never the shared network). Re-weighted requests cannot use the contraction
hierarchy, so they run on the bidirectional ALT planner with the profile's own landmarks:
those stay valid lower bounds because every option only *raises* costs (a forbidden edge
costs infinity; a preference for signed routes raises everything else instead of lowering
signed ways). :mod:`routing.restrict` turns the factors into the network every planner
plans on; the itinerary records which planner ran in ``meta["planner"]``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .avoid import edges_in_areas, parse_polygons
from .errors import InvalidQueryError
from .profiles import ROUGH, SAC_ORDER, SMOOTH_UNPAVED, mtb_value, sac_index

#: Weight of a signed route by its network level (``network=*`` of the relation).
LEVEL_WEIGHT = {"icn": 1.0, "ncn": 0.8, "rcn": 0.6, "lcn": 0.4,
                "iwn": 1.0, "nwn": 0.8, "rwn": 0.6, "lwn": 0.4}
#: Weight of a signed route of another or no network level.
OTHER_LEVEL = 0.3
#: Preference given to the route a request follows (``follow_route``).
FOLLOW_PREFERENCE = 4.0
#: (min, max) of the numeric options.
BOUNDS = {"prefer_signed": (0.0, 5.0), "max_sac": (0, len(SAC_ORDER) - 1),
          "max_mtb": (0.0, 6.0)}


@dataclasses.dataclass(frozen=True)
class RouteOptions:
    """What one request changes in its profile's weights.

    Attributes
    ----------
    prefer_signed : float
        Preference (0-5) for signed routes of the profile's kind, weighted by their
        network level (icn > ncn > rcn > lcn, iwn > nwn > rwn > lwn); 0 keeps the
        profile's own (which ``route_preference`` of the plain route API changes).
    follow_route : str or None
        Ref or name of a route to follow where it goes (``EV5``, ``GR 145``).
    avoid_unpaved, avoid_steps : bool
        Forbid unpaved surfaces / steps.
    max_sac : int or None
        Highest sac_scale allowed, 0 (T1, hiking) … 5 (T6); only lowers the profile's.
    max_mtb : float or None
        Highest mtb:scale allowed; only lowers the profile's.
    avoid_areas : tuple
        Shapely polygons (WGS84) no route may enter.
    """

    prefer_signed: float = 0.0
    follow_route: str | None = None
    avoid_unpaved: bool = False
    avoid_steps: bool = False
    max_sac: int | None = None
    max_mtb: float | None = None
    avoid_areas: tuple = ()

    @property
    def reweights(self) -> bool:
        """Whether the options change any weight (False: the CH can answer)."""
        return self != DEFAULT_OPTIONS

    @classmethod
    def from_params(cls, params) -> "RouteOptions":
        """Options from request parameters (query args or a JSON object).

        Raises
        ------
        InvalidQueryError
            Naming the parameter that is malformed or out of range.
        """
        values: dict = {}
        for name in ("prefer_signed", "max_mtb", "max_sac"):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            if name == "max_sac" and isinstance(raw, str) and raw in SAC_ORDER:
                raw = SAC_ORDER.index(raw)
            elif name == "max_sac" and isinstance(raw, str) and raw.upper() in _T_SCALE:
                raw = _T_SCALE[raw.upper()]
            try:
                value = float(raw)
            except (TypeError, ValueError):
                value = float("nan")
            lo, hi = BOUNDS[name]
            if not lo <= value <= hi:      # also refuses NaN
                raise InvalidQueryError(f"parameter {name!r} must be between {lo} and {hi}")
            values[name] = int(value) if name == "max_sac" else value
        follow = params.get("follow_route")
        if follow not in (None, ""):
            if not isinstance(follow, str) or len(follow) > 80:
                raise InvalidQueryError("parameter 'follow_route' must be a route ref or name")
            values["follow_route"] = follow.strip()
        for name in ("avoid_unpaved", "avoid_steps"):
            if params.get(name) not in (None, ""):
                values[name] = _flag(params.get(name), name)
        if params.get("avoid_areas") not in (None, ""):
            values["avoid_areas"] = parse_polygons(params.get("avoid_areas"))
        if not values and cls is RouteOptions:    # most requests: the one default (frozen)
            return DEFAULT_OPTIONS
        return cls(**values)

    def to_dict(self) -> dict:
        """JSON-ready, with the number of avoided areas instead of the polygons."""
        out = dataclasses.asdict(self)
        out["avoid_areas"] = len(self.avoid_areas)
        return out


#: The options of a request that gives none (what ``reweights`` compares with).
DEFAULT_OPTIONS = RouteOptions()


_T_SCALE = {f"T{i + 1}": i for i in range(len(SAC_ORDER))}


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidQueryError(f"parameter {name!r} must be true or false")


def _route_weights(graph, profile, options: RouteOptions) -> np.ndarray:
    """Per-edge preference p(e) of the options: level-weighted, and the followed route."""
    types = set(profile.route_types)
    wanted = (options.follow_route or "").replace(" ", "").lower()
    weight = np.zeros(len(graph.routes) + 1)
    for i, route in enumerate(graph.routes):
        if route["route"] not in types:
            continue
        p = options.prefer_signed * LEVEL_WEIGHT.get(route.get("network"), OTHER_LEVEL)
        labels = {(route.get(k) or "").replace(" ", "").lower() for k in ("ref", "name")}
        if wanted and wanted in labels:
            p = max(p, FOLLOW_PREFERENCE)
        weight[i] = p
    counts = np.diff(graph.edge_route_ptr)
    owner = np.repeat(np.arange(graph.n_edges), counts)
    pref = np.zeros(graph.n_edges)
    np.maximum.at(pref, owner, weight[graph.edge_route_idx])
    return pref


def unpaved(graph) -> np.ndarray:
    """Edges known to be unpaved: surface, or a track graded 2 to 5 without surface."""
    surface = graph.codes_of("surface", ROUGH + SMOOTH_UNPAVED)
    graded = graph.codes_of("tracktype", ("grade2", "grade3", "grade4", "grade5"))
    return surface | (graded & (graph.cat["surface"] == 0))


def edge_multiplier(network, options: RouteOptions, closed_areas=(),
                    area_mask=edges_in_areas) -> np.ndarray | None:
    """Per-edge factors (>= 1, ``inf`` = forbidden) on the network's costs; None if none.

    Parameters
    ----------
    network : routing.network.ProfileNetwork
        The profile's default network (its costs and landmarks are reused).
    options : RouteOptions
    closed_areas : sequence of polygons
        The configured closures active for this request.
    area_mask : callable
        ``area_mask(graph, polygons)``: the edges entering the polygons (the routing
        service passes one that keeps each distinct set's mask).
    """
    if not options.reweights and not closed_areas:
        return None
    g, profile = network.graph, network.profile
    factor = np.ones(g.n_edges)
    if options.prefer_signed > 0 or options.follow_route:
        pref = _route_weights(g, profile, options)
        if options.follow_route and not pref.any():
            raise InvalidQueryError(f"parameter 'follow_route': no {options.follow_route!r} "
                                    "route of this profile's kind in the graph")
        # The default costs divide signed ways by (1 + p0); undo that and divide by
        # (1 + p(e)) instead, scaled by (1 + max p) so that no cost gets lower.
        signed = g.route_mask(profile.route_types)
        factor *= (1.0 + profile.route_preference * signed) * (1.0 + pref.max()) / (1.0 + pref)
    forbidden = np.zeros(g.n_edges, bool)
    if options.avoid_steps:
        forbidden |= g.codes_of("highway", ("steps",))
    if options.avoid_unpaved:
        forbidden |= unpaved(g)
    if options.max_sac is not None:
        forbidden |= sac_index(g) > options.max_sac
    if options.max_mtb is not None:
        forbidden |= mtb_value(g) > options.max_mtb        # NaN (untagged) compares False
    for areas in (tuple(options.avoid_areas), tuple(closed_areas)):
        if areas:
            forbidden |= area_mask(g, areas)
    factor[forbidden] = np.inf
    return factor
